"""Wire models of the HTTP API beyond the service DTOs: small request bodies, `/me`, and error bodies.

Shared by the server and `RemoteService`; this module imports neither FastAPI nor httpx.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from onss_tui.services.dto import DTO, Identity, UserStatus


class ErrorBody(BaseModel):
    """Every error answer: `field_errors` on 422, `outcome_unknown` on 503 when a write may have happened."""

    detail: str
    field_errors: dict[str, str] | None = None
    outcome_unknown: bool = False


class Me(DTO):
    """Who the bearer token belongs to; `identity` is None when that person holds no role to sign in with."""

    person_id: int
    identity: Identity | None


class IdentityQuery(DTO):
    """A search among the identities the token may sign in as (the holder's only)."""

    query: str = ""
    limit: int = Field(default=50, ge=1, le=500)


class VersionedStep(DTO):
    """A change based on the version of the object the client last read."""

    expected_version: int


class StatusChange(DTO):
    status: UserStatus
    expected_version: int


class ServiceChange(DTO):
    """Online services to grant to or withdraw from several users at once."""

    user_ids: list[int]
    service_codes: list[str]


class QualityActivation(DTO):
    quality_code: str


class RevealedNiss(DTO):
    """A national register number, formatted; it travels only in a response body, never in a URL."""

    niss: str
