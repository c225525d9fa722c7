"""Wire models of the HTTP API beyond the service DTOs: small request bodies, `/me`, and error bodies.

Shared by the server and `RemoteService`; this module imports neither FastAPI nor httpx.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from onss_tui.services.dto import (
    DTO,
    Code,
    Identity,
    Limit,
    Request,
    Search,
    ServiceCodes,
    StatedReason,
    UserIds,
    UserStatus,
    Version,
)
from onss_tui.services.errors import Reason, ServiceError, Unavailable, ValidationFailed


class ReasonBody(BaseModel):
    """What a rule said, for a client to say it in its user's language: a message key of the locale files
    and its values (a value is the same in every language, or one text per language: `{"en": ...}`)."""

    key: str
    params: dict[str, str | dict[str, str]] = Field(default_factory=dict)

    @classmethod
    def of(cls, message: str) -> ReasonBody | None:
        return cls(key=message.key, params=message.params) if isinstance(message, Reason) else None

    def reason(self, english: str) -> Reason:
        return Reason(self.key, english, **self.params)


class ErrorBody(BaseModel):
    """Every error answer: `field_errors` on 422, `outcome_unknown` on 503 when a write may have happened.

    `detail` and `field_errors` are in English; `reason` and `field_reasons` say the same as message keys.
    """

    detail: str
    reason: ReasonBody | None = None
    field_errors: dict[str, str] | None = None
    field_reasons: dict[str, ReasonBody] | None = None
    outcome_unknown: bool = False

    @classmethod
    def of(cls, error: ServiceError) -> ErrorBody:
        fields = error.field_errors if isinstance(error, ValidationFailed) else None
        reasons = {name: body for name, m in (fields or {}).items() if (body := ReasonBody.of(m)) is not None}
        return cls(
            detail=error.message,
            reason=ReasonBody.of(error.message),
            field_errors=fields,
            field_reasons=reasons or None,
            outcome_unknown=isinstance(error, Unavailable) and error.outcome_unknown,
        )

    @property
    def message(self) -> str:
        """`detail`, as a `Reason` when the server gave one."""
        return self.reason.reason(self.detail) if self.reason else self.detail

    @property
    def fields(self) -> dict[str, str]:
        """`field_errors`, each a `Reason` when the server gave one."""
        reasons = self.field_reasons or {}
        return {
            name: reasons[name].reason(text) if name in reasons else text
            for name, text in (self.field_errors or {}).items()
        }


class Me(DTO):
    """Who the bearer token belongs to; `identity` is None when that person holds no role to sign in with."""

    person_id: int
    identity: Identity | None


class IdentityQuery(Request):
    """A search among the identities the token may sign in as (the holder's only)."""

    query: Search = ""
    limit: Limit = 50


class VersionedStep(Request):
    """A change based on the version of the object the client last read."""

    expected_version: Version


class StatusChange(Request):
    status: UserStatus
    expected_version: Version


class ServiceChange(Request):
    """Online services to grant to or withdraw from several users at once (a page of users at most)."""

    user_ids: UserIds
    service_codes: ServiceCodes


class QualityChoice(Request):
    """The quality a request activates or withdraws."""

    quality_code: Code


class RevealRequest(Request):
    """Why a national register number is revealed: required, except of one's own."""

    reason: StatedReason = ""


class RevealedNiss(DTO):
    """A national register number, formatted; it travels only in a response body, never in a URL."""

    niss: str


class ExportEnd(DTO):
    """The last line of an export's stream (`GET /mandates/export`, one mandate a line before it): how
    many mandates it held. A stream that ends without it was cut short."""

    exported: int
