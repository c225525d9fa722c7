"""`RemoteService`: the `AccessService` over the HTTP API (httpx), with the same typed errors as local.

The connection acts for the holder of its token only: a call naming another actor is refused here.
Reads are retried with backoff when the server cannot be reached or answers 5xx; writes are sent once,
and a write whose answer did not arrive raises `Unavailable(outcome_unknown=True)` so that the screen
re-reads instead of guessing. Every answer is read in one place (`_answer`): one the API never gives (a
proxy's HTML page, another shape, an empty or cut body, an unexpected status) raises `UnreadableAnswer`,
or for a write `Unavailable(outcome_unknown=True)`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from onss_tui.services import dto
from onss_tui.services.arguments import checked
from onss_tui.services.dto import Code, Id, Limit, Search, StatedReason, Version
from onss_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Reason,
    ServiceError,
    Unavailable,
    ValidationFailed,
    invalid_input,
    said_in_every_language,
)
from onss_tui.services.wire import (
    ErrorBody,
    ExportEnd,
    Me,
    QualityChoice,
    ReasonBody,
    RevealedNiss,
    RevealRequest,
    ServiceChange,
    StatusChange,
    VersionedStep,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
"""Failures before the request left: a write that met one of these did not happen."""

_PAGES: dict[type, TypeAdapter[Any]] = {}
_EXPORT_LINE: TypeAdapter[dto.MandatePublic | ExportEnd] = TypeAdapter(dto.MandatePublic | ExportEnd)


def _adapter(kind: Any) -> TypeAdapter[Any]:
    if kind not in _PAGES:
        _PAGES[kind] = TypeAdapter(kind)
    return _PAGES[kind]


def _params(*models: BaseModel | None, **extra: Any) -> dict[str, Any]:
    """Query parameters: the fields that differ from their defaults, as JSON values."""
    params: dict[str, Any] = {}
    for model in models:
        if model is not None:
            params.update(model.model_dump(mode="json", exclude_defaults=True))
    params.update({k: v for k, v in extra.items() if v})
    return params


class UnreadableAnswer(ServiceError):
    """The server answered, but not as the API does: nothing is taken from the answer."""

    status_code = 502


def _unreadable(answer: str, *, write: bool) -> ServiceError:
    """The error for an answer that could not be read; `answer` says what came (status and kind)."""
    if write:
        return Unavailable(Reason("rule.api.unreadable_write", answer=answer), outcome_unknown=True)
    return UnreadableAnswer(Reason("rule.api.unreadable", answer=answer))


def _described(response: httpx.Response) -> str:
    """What came, in the words of HTTP (the same in every language): its status and the kind of its body."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    return f"HTTP {response.status_code}, {kind}" if kind else f"HTTP {response.status_code}"


def error_from_response(response: httpx.Response, *, write: bool) -> ServiceError:
    """The typed error for an error answer of the API."""
    try:
        body = ErrorBody.model_validate_json(response.content)
    except ValidationError:
        answered = Reason("rule.api.answered", answer=f"HTTP {response.status_code} {response.reason_phrase}")
        body = ErrorBody(detail=answered, reason=ReasonBody.of(answered))
    status = response.status_code
    if status == 422:
        return ValidationFailed(body.fields, body.detail)
    if status == 401:
        return PermissionDenied(Reason("rule.api.token_refused", why=said_in_every_language(body.message)))
    if status == 403:
        return PermissionDenied(body.message)
    if status == 404:
        return NotFound(body.message)
    if status == 409:
        return Conflict(body.message)
    if status == 429:
        return Unavailable(body.message, retry_after=_seconds(response))
    if status >= 500:
        unknown = write and (body.outcome_unknown or status != 503)
        return Unavailable(body.message, outcome_unknown=unknown, retry_after=_seconds(response))
    return _unreadable(_described(response), write=write)


def _seconds(response: httpx.Response) -> float | None:
    """The delay a `Retry-After` header asks for, in seconds (None without one, or with a date)."""
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _answer(kind: Any, response: httpx.Response, *, write: bool) -> Any:
    """The value an answer of the API holds, as `kind`; or the typed error it stands for."""
    if response.status_code >= 400:
        raise error_from_response(response, write=write)
    if not 200 <= response.status_code < 300:
        raise _unreadable(_described(response), write=write)
    try:
        return _adapter(kind).validate_json(response.content)
    except ValidationError as exc:
        raise _unreadable(_described(response), write=write) from exc


class RemoteService:
    """The `AccessService` of an onss-tui API server, acting as the holder of `token`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        read_attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.read_attempts = max(1, read_attempts)
        self.backoff = backoff
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout or DEFAULT_TIMEOUT,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        self._me: Me | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------ plumbing

    def _unreachable(self, exc: httpx.HTTPError, *, sent: bool = False) -> Reason:
        """What a failure to reach the server means for the person; what failed goes to the log."""
        log.warning("%s %s: %s", self.base_url, type(exc).__name__, exc)
        if sent:
            return Reason("rule.api.lost_write", server=self.base_url)
        timed_out = isinstance(exc, httpx.TimeoutException)
        return Reason("rule.api.timed_out" if timed_out else "rule.api.unreachable", server=self.base_url)

    async def _read(self, kind: Any, method: str, path: str, **request: Any) -> Any:
        """A request without effects: retried with exponential backoff on network failures and 5xx."""
        for attempt in range(self.read_attempts):
            last_try = attempt == self.read_attempts - 1
            try:
                response = await self._client.request(method, path, **request)
            except httpx.DecodingError as exc:
                raise _unreadable(str(exc), write=False) from exc
            except httpx.TransportError as exc:
                if last_try:
                    raise Unavailable(self._unreachable(exc)) from exc
            else:
                if response.status_code < 500 or last_try:
                    return _answer(kind, response, write=False)
            await asyncio.sleep(self.backoff * 2**attempt * (0.5 + random.random() / 2))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _write(self, kind: Any, method: str, path: str, body: BaseModel | None = None) -> Any:
        """A request with effects: sent once; if its answer is lost, its outcome is unknown."""
        content = body.model_dump_json() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = await self._client.request(method, path, content=content, headers=headers)
        except NOT_SENT as exc:
            raise Unavailable(self._unreachable(exc)) from exc
        except httpx.DecodingError as exc:
            raise _unreadable(str(exc), write=True) from exc
        except httpx.TransportError as exc:
            raise Unavailable(self._unreachable(exc, sent=True), outcome_unknown=True) from exc
        return _answer(kind, response, write=True)

    async def holder(self) -> Me:
        """Who the token belongs to (asked once)."""
        if self._me is None:
            self._me = await self._read(Me, "GET", "/me")
        return self._me

    async def _check(self, actor: int) -> None:
        me = await self.holder()
        if actor != me.person_id:
            raise PermissionDenied(Reason("rule.api.token_holder_only"))

    # ------------------------------------------------------------------ identity and catalogues

    @checked
    async def list_identities(self, query: Search = "", limit: Limit = 50) -> list[dto.Identity]:
        body = {"query": query, "limit": limit}
        return await self._read(list[dto.Identity], "POST", "/me/identities", json=body)

    @checked
    async def sign_in(self, actor: int) -> dto.PersonPublic:
        await self._check(actor)
        return await self._write(dto.PersonPublic, "POST", "/me/sign-in")

    @checked
    async def catalogue(self, actor: int) -> dto.Catalogue:
        await self._check(actor)
        return await self._read(dto.Catalogue, "GET", "/catalogue")

    @checked
    async def reveal_niss(self, actor: int, person_id: Id, reason: StatedReason = "") -> str:
        await self._check(actor)
        path = f"/persons/{int(person_id)}/niss"
        # Not checked here: the server says what is wrong with the reason, as it does for every field.
        revealed = await self._write(RevealedNiss, "POST", path, RevealRequest.model_construct(reason=reason))
        return revealed.niss

    async def update_person(self, actor: int, person_id: int, changes: dto.PersonUpdate) -> dto.PersonPublic:
        await self._check(actor)
        return await self._write(dto.PersonPublic, "PATCH", f"/persons/{int(person_id)}", changes)

    async def list_niss_reveals(
        self, actor: int, page: dto.PageRequest | None = None
    ) -> dto.Page[dto.NissReveal]:
        await self._check(actor)
        return await self._read(dto.Page[dto.NissReveal], "GET", "/me/niss-reveals", params=_params(page))

    # ------------------------------------------------------------------ enterprises

    @checked
    async def list_enterprises(
        self, actor: int, query: Search = "", page: dto.PageRequest | None = None
    ) -> dto.Page[dto.EnterpriseSummary]:
        await self._check(actor)
        params = _params(page, query=query)
        return await self._read(dto.Page[dto.EnterpriseSummary], "GET", "/enterprises", params=params)

    @checked
    async def get_overview(self, actor: int, enterprise_id: Id) -> dto.EnterpriseOverview:
        await self._check(actor)
        return await self._read(dto.EnterpriseOverview, "GET", f"/enterprises/{int(enterprise_id)}")

    @checked
    async def activate_quality(
        self, actor: int, enterprise_id: Id, quality_code: Code
    ) -> dto.EnterpriseOverview:
        return await self._change_quality(actor, f"/enterprises/{int(enterprise_id)}/qualities", quality_code)

    @checked
    async def deactivate_quality(
        self, actor: int, enterprise_id: Id, quality_code: Code
    ) -> dto.EnterpriseOverview:
        path = f"/enterprises/{int(enterprise_id)}/qualities/deactivate"
        return await self._change_quality(actor, path, quality_code)

    async def _change_quality(self, actor: int, path: str, quality_code: str) -> dto.EnterpriseOverview:
        await self._check(actor)
        return await self._write(
            dto.EnterpriseOverview, "POST", path, QualityChoice(quality_code=quality_code)
        )

    # ------------------------------------------------------------------ designations

    @checked
    async def designate_main_access_manager(
        self, actor: int, request: dto.MainAccessManagerDesignation
    ) -> dto.DesignationPublic:
        await self._check(actor)
        return await self._write(dto.DesignationPublic, "POST", "/designations/main-access-manager", request)

    @checked
    async def designate(self, actor: int, request: dto.DesignationRequest) -> dto.DesignationPublic:
        await self._check(actor)
        return await self._write(dto.DesignationPublic, "POST", "/designations", request)

    @checked
    async def end_designation(
        self, actor: int, designation_id: Id, expected_version: Version
    ) -> dto.DesignationPublic:
        await self._check(actor)
        path = f"/designations/{int(designation_id)}/end"
        return await self._write(
            dto.DesignationPublic, "POST", path, VersionedStep(expected_version=expected_version)
        )

    @checked
    async def list_designations(
        self,
        actor: int,
        enterprise_id: Id,
        filter: dto.DesignationFilter | None = None,
        page: dto.PageRequest | None = None,
    ) -> dto.Page[dto.DesignationPublic]:
        await self._check(actor)
        path = f"/enterprises/{int(enterprise_id)}/designations"
        return await self._read(dto.Page[dto.DesignationPublic], "GET", path, params=_params(filter, page))

    # ------------------------------------------------------------------ users

    @checked
    async def list_users(
        self,
        actor: int,
        enterprise_id: Id,
        filter: dto.UserFilter | None = None,
        page: dto.PageRequest | None = None,
    ) -> dto.Page[dto.UserPublic]:
        await self._check(actor)
        path = f"/enterprises/{int(enterprise_id)}/users"
        return await self._read(dto.Page[dto.UserPublic], "GET", path, params=_params(filter, page))

    @checked
    async def list_users_and_rights(
        self, actor: int, enterprise_id: Id, page: dto.PageRequest | None = None
    ) -> dto.Page[dto.UserPublic]:
        await self._check(actor)
        path = f"/enterprises/{int(enterprise_id)}/users/rights"
        return await self._read(dto.Page[dto.UserPublic], "GET", path, params=_params(page))

    @checked
    async def get_user(self, actor: int, user_id: Id) -> dto.UserPublic:
        await self._check(actor)
        return await self._read(dto.UserPublic, "GET", f"/users/{int(user_id)}")

    @checked
    async def create_user(self, actor: int, request: dto.UserCreate) -> dto.UserPublic:
        await self._check(actor)
        return await self._write(dto.UserPublic, "POST", "/users", request)

    @checked
    async def update_user(self, actor: int, user_id: Id, changes: dto.UserUpdate) -> dto.UserPublic:
        await self._check(actor)
        return await self._write(dto.UserPublic, "PATCH", f"/users/{int(user_id)}", changes)

    @checked
    async def set_user_status(
        self, actor: int, user_id: Id, status: dto.UserStatus, expected_version: Version
    ) -> dto.UserPublic:
        await self._check(actor)
        body = StatusChange(status=status, expected_version=expected_version)
        return await self._write(dto.UserPublic, "PUT", f"/users/{int(user_id)}/status", body)

    @checked
    async def grant_services(
        self, actor: int, user_ids: dto.UserIds, service_codes: dto.ServiceCodes
    ) -> list[dto.UserPublic]:
        await self._check(actor)
        body = ServiceChange(user_ids=list(user_ids), service_codes=list(service_codes))
        return await self._write(list[dto.UserPublic], "POST", "/users/services/grant", body)

    @checked
    async def withdraw_services(
        self, actor: int, user_ids: dto.UserIds, service_codes: dto.ServiceCodes
    ) -> list[dto.UserPublic]:
        await self._check(actor)
        body = ServiceChange(user_ids=list(user_ids), service_codes=list(service_codes))
        return await self._write(list[dto.UserPublic], "POST", "/users/services/withdraw", body)

    # ------------------------------------------------------------------ mandates

    @checked
    async def list_providers(
        self, actor: int, query: Search = "", page: dto.PageRequest | None = None
    ) -> dto.Page[dto.ProviderPublic]:
        await self._check(actor)
        params = _params(page, query=query)
        return await self._read(dto.Page[dto.ProviderPublic], "GET", "/providers", params=params)

    @checked
    async def list_mandates(
        self, actor: int, filter: dto.MandateFilter | None = None, page: dto.PageRequest | None = None
    ) -> dto.Page[dto.MandatePublic]:
        await self._check(actor)
        return await self._read(dto.Page[dto.MandatePublic], "GET", "/mandates", params=_params(filter, page))

    async def export_mandates(
        self, actor: int, filter: dto.MandateFilter | None = None
    ) -> AsyncGenerator[dto.MandatePublic]:
        """The server's snapshot of the matching mandates, a line at a time (never all in memory); a stream
        cut short, or a line the API never writes, is an error, never a shorter export."""
        try:
            wanted = dto.MandateFilter.model_validate(filter or dto.MandateFilter())
        except ValidationError as exc:
            raise invalid_input(exc) from None
        await self._check(actor)
        try:
            async with self._client.stream("GET", "/mandates/export", params=_params(wanted)) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise (
                        error_from_response(response, write=False)
                        if response.status_code >= 400
                        else (_unreadable(_described(response), write=False))
                    )
                exported = 0
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    item = _EXPORT_LINE.validate_json(line)
                    if isinstance(item, ExportEnd):
                        if item.exported != exported:
                            raise _unreadable(_described(response), write=False)
                        return
                    exported += 1
                    yield item
        except httpx.TransportError as exc:
            raise Unavailable(self._unreachable(exc)) from exc
        except ValidationError as exc:
            raise _unreadable("HTTP 200, application/x-ndjson", write=False) from exc
        raise Unavailable(Reason("rule.api.export_cut"))

    @checked
    async def mandate_figures(self, actor: int, enterprise_id: Id | None = None) -> dto.MandateFigures:
        await self._check(actor)
        params = _params(enterprise_id=enterprise_id)
        return await self._read(dto.MandateFigures, "GET", "/mandates/figures", params=params)

    @checked
    async def get_mandate(self, actor: int, mandate_id: Id) -> dto.MandatePublic:
        await self._check(actor)
        return await self._read(dto.MandatePublic, "GET", f"/mandates/{int(mandate_id)}")

    @checked
    async def create_mandate(self, actor: int, request: dto.MandateCreate) -> dto.MandatePublic:
        await self._check(actor)
        return await self._write(dto.MandatePublic, "POST", "/mandates", request)

    async def _mandate_step(self, actor: int, mandate_id: int, step: str, expected_version: int) -> Any:
        await self._check(actor)
        path = f"/mandates/{int(mandate_id)}/{step}"
        return await self._write(
            dto.MandatePublic, "POST", path, VersionedStep(expected_version=expected_version)
        )

    @checked
    async def submit_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, "submit", expected_version)

    @checked
    async def accept_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, "accept", expected_version)

    @checked
    async def reject_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, "reject", expected_version)

    @checked
    async def close_mandate(self, actor: int, mandate_id: Id, expected_version: Version) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, "close", expected_version)

    # ------------------------------------------------------------------ audit

    @checked
    async def list_audit(
        self, actor: int, filter: dto.AuditFilter | None = None, page: dto.PageRequest | None = None
    ) -> dto.Page[dto.AuditEntryPublic]:
        await self._check(actor)
        return await self._read(dto.Page[dto.AuditEntryPublic], "GET", "/audit", params=_params(filter, page))

    @checked
    async def verify_audit(self, actor: int, *, full: bool = False) -> dto.AuditVerification:
        await self._check(actor)
        params = {"full": "true"} if full else None
        return await self._read(dto.AuditVerification, "GET", "/audit/verification", params=params)

    async def list_checkpoints(
        self, actor: int, query: dto.CheckpointQuery | None = None
    ) -> dto.CheckpointPage:
        await self._check(actor)
        return await self._read(dto.CheckpointPage, "GET", "/audit/checkpoints", params=_params(query))

    async def checkpoint_audit(self, actor: int) -> dto.AuditCheckpointPublic | None:
        await self._check(actor)
        return await self._write(dto.AuditCheckpointPublic | None, "POST", "/audit/checkpoints")

    # ------------------------------------------------------------------ SSH keys, tokens, preferences

    @checked
    async def list_ssh_keys(
        self, actor: int, person_id: int | None = None, *, include_revoked: bool = False
    ) -> list[dto.SshKeyPublic]:
        await self._check(actor)
        params = {"person_id": person_id, "include_revoked": include_revoked}
        return await self._read(list[dto.SshKeyPublic], "GET", "/ssh-keys", params=_params(None, **params))

    @checked
    async def add_ssh_key(self, actor: int, request: dto.SshKeyAdd) -> dto.SshKeyPublic:
        await self._check(actor)
        return await self._write(dto.SshKeyPublic, "POST", "/ssh-keys", request)

    @checked
    async def revoke_ssh_key(self, actor: int, fingerprint: str) -> dto.SshKeyPublic:
        await self._check(actor)
        body = dto.SshKeyRevoke(fingerprint=fingerprint)
        return await self._write(dto.SshKeyPublic, "POST", "/ssh-keys/revoke", body)

    @checked
    async def list_tokens(
        self, actor: int, person_id: int | None = None, *, include_ended: bool = False
    ) -> list[dto.TokenPublic]:
        await self._check(actor)
        if person_id not in (None, actor):
            raise PermissionDenied(Reason("rule.token.not_yours"))
        params = _params(None, include_ended=include_ended)
        return await self._read(list[dto.TokenPublic], "GET", "/me/tokens", params=params)

    @checked
    async def revoke_token(self, actor: int, token_id: int) -> dto.TokenPublic:
        await self._check(actor)
        return await self._write(dto.TokenPublic, "POST", f"/me/tokens/{int(token_id)}/revoke")

    @checked
    async def get_preferences(self, actor: int) -> dto.Preferences:
        await self._check(actor)
        return await self._read(dto.Preferences, "GET", "/me/preferences")

    @checked
    async def save_preferences(self, actor: int, wanted: dto.Preferences) -> dto.Preferences:
        await self._check(actor)
        return await self._write(dto.Preferences, "PUT", "/me/preferences", wanted)
