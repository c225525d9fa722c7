"""What proves who someone is, and what their console remembers: SSH keys (a person adds and revokes
their own, support staff anyone's), the holder's own bearer tokens (listed, never shown; revoked), and
the holder's preferences."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import TypeAdapter

from onss_tui.api.deps import MAX_ID, Holder, Id, Service
from onss_tui.api.responses import json_list_response, json_response
from onss_tui.services import dto

router = APIRouter(tags=["credentials"])

_KEYS = TypeAdapter(list[dto.SshKeyPublic])
_TOKENS = TypeAdapter(list[dto.TokenPublic])


@router.get("/ssh-keys", response_model=list[dto.SshKeyPublic], summary="SSH keys")
async def list_ssh_keys(
    holder: Holder,
    service: Service,
    person_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Whose keys (default: the holder's own).")
    ] = None,
    include_revoked: bool = False,
) -> Response:
    keys = await service.list_ssh_keys(holder, person_id or holder, include_revoked=include_revoked)
    return json_list_response(_KEYS, keys)


@router.post("/ssh-keys", response_model=dto.SshKeyPublic, summary="Register an SSH public key")
async def add_ssh_key(holder: Holder, service: Service, body: dto.SshKeyAdd) -> Response:
    return json_response(await service.add_ssh_key(holder, body))


@router.post("/ssh-keys/revoke", response_model=dto.SshKeyPublic, summary="Revoke an SSH key")
async def revoke_ssh_key(holder: Holder, service: Service, body: dto.SshKeyRevoke) -> Response:
    return json_response(await service.revoke_ssh_key(holder, body.fingerprint))


@router.get("/me/tokens", response_model=list[dto.TokenPublic], summary="The holder's bearer tokens")
async def list_tokens(holder: Holder, service: Service, include_ended: bool = False) -> Response:
    tokens = await service.list_tokens(holder, holder, include_ended=include_ended)
    return json_list_response(_TOKENS, tokens)


@router.post("/me/tokens/{token_id}/revoke", response_model=dto.TokenPublic, summary="Revoke a token")
async def revoke_token(holder: Holder, service: Service, token_id: Id) -> Response:
    return json_response(await service.revoke_token(holder, token_id))


@router.get("/me/preferences", response_model=dto.Preferences, summary="What the holder's console remembers")
async def get_preferences(holder: Holder, service: Service) -> Response:
    return json_response(await service.get_preferences(holder))


@router.put("/me/preferences", response_model=dto.Preferences, summary="Remember the holder's choices")
async def save_preferences(holder: Holder, service: Service, body: dto.Preferences) -> Response:
    return json_response(await service.save_preferences(holder, body))
