"""Who the token belongs to, signing in, the catalogues, a person's name, revealing a national register
number and who revealed the holder's."""

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import TypeAdapter

from onss_tui.api.deps import Holder, Id, Page, Service
from onss_tui.api.responses import json_list_response, json_response
from onss_tui.services import dto
from onss_tui.services.wire import IdentityQuery, Me, RevealedNiss, RevealRequest

router = APIRouter(tags=["identity"])

_IDENTITY_LIST = TypeAdapter(list[dto.Identity])


@router.get("/me", response_model=Me, summary="Who the token belongs to")
async def me(holder: Holder, service: Service) -> Response:
    found = await service.list_identities(limit=1, person_id=holder)
    return json_response(Me(person_id=holder, identity=found[0] if found else None))


@router.post(
    "/me/identities", response_model=list[dto.Identity], summary="The holder's identity, if it matches"
)
async def list_identities(holder: Holder, service: Service, body: IdentityQuery) -> Response:
    found = await service.list_identities(body.query, body.limit, person_id=holder)
    return json_list_response(_IDENTITY_LIST, found)


@router.post("/me/sign-in", response_model=dto.PersonPublic, summary="Record a sign-in")
async def sign_in(holder: Holder, service: Service) -> Response:
    return json_response(await service.sign_in(holder))


@router.get("/catalogue", response_model=dto.Catalogue, summary="Qualities, online services, groups")
async def catalogue(holder: Holder, service: Service) -> Response:
    return json_response(await service.catalogue(holder))


@router.get(
    "/me/niss-reveals",
    response_model=dto.Page[dto.NissReveal],
    summary="Who saw the holder's national register number",
)
async def list_niss_reveals(holder: Holder, service: Service, page: Page) -> Response:
    return json_response(await service.list_niss_reveals(holder, page))


@router.post(
    "/persons/{person_id}/niss",
    response_model=RevealedNiss,
    summary="Reveal a national register number",
    description="The person themselves, support staff, or a manager or legal representative of an "
    "enterprise the person is part of; anyone but the person gives a reason, which the trail keeps.",
)
async def reveal_niss(
    holder: Holder, service: Service, person_id: Id, body: RevealRequest | None = None
) -> Response:
    reason = body.reason if body is not None else ""
    return json_response(RevealedNiss(niss=await service.reveal_niss(holder, person_id, reason)))


@router.patch(
    "/persons/{person_id}",
    response_model=dto.PersonPublic,
    summary="Change a person's name (the person themselves, or support staff)",
)
async def update_person(holder: Holder, service: Service, person_id: Id, body: dto.PersonUpdate) -> Response:
    return json_response(await service.update_person(holder, person_id, body))
