"""Pydantic DTOs: what crosses the service boundary (never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

# The domain's enumerations travel in the DTOs; they are named from here too.
from onss_tui.domain.enums import (
    DesignationStatus,
    EnterpriseCategory,
    MandateAction,
    MandateShownStatus,
    MandateStatus,
    ProviderKind,
    Relation,
    Role,
    UserStatus,
)

T = TypeVar("T")

SYSTEM = "system"
"""The name given where no person acted: the seeder, the API's token commands, a designation or mandate
loaded in bulk (an audit entry's `actor`, a designation's `designated_by`, a mandate's `created_by`)."""


class DTO(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- catalogues


class CatalogueEntry(DTO):
    """A quality, an online service or a group of services, named in the three languages."""

    code: str
    name_fr: str
    name_nl: str
    name_en: str


class OnlineServiceEntry(CatalogueEntry):
    enterprise_categories: list[EnterpriseCategory] = Field(
        default_factory=lambda: list(EnterpriseCategory),
        description="The kinds of enterprise whose users may be granted this service.",
    )


class ServiceGroupEntry(CatalogueEntry):
    single_mandatary: bool = Field(description="At most one mandatary at a time for this group.")
    principal_categories: list[EnterpriseCategory]
    mandatary_kinds: list[ProviderKind]


class Catalogue(DTO):
    qualities: list[CatalogueEntry]
    online_services: list[OnlineServiceEntry]
    service_groups: list[ServiceGroupEntry]


# ---------------------------------------------------------------- paging


class PageRequest(DTO):
    """One page: `cursor` comes from a previous page; `from_end` asks for the last page."""

    size: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None
    from_end: bool = False


class Page(DTO, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    prev_cursor: str | None = None


# ---------------------------------------------------------------- people and enterprises


class PersonPublic(DTO):
    id: int
    niss_masked: str
    first_name: str
    last_name: str
    phone: str | None = None
    email: str | None = None
    support_staff: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Identity(DTO):
    """Someone who may sign in, with a one-line summary of their roles."""

    person: PersonPublic
    roles: list[str]


class EnterpriseSummary(DTO):
    id: int
    enterprise_number: str
    onss_number: str | None
    name: str
    category: EnterpriseCategory


class QualityHeld(DTO):
    code: str
    active: bool
    activated_at: datetime | None


class DesignationPublic(DTO):
    id: int
    enterprise_id: int
    person: PersonPublic
    role: Role
    quality_code: str | None
    status: DesignationStatus
    relation: Relation | None
    designated_by: str | None
    started_at: datetime
    ended_at: datetime | None
    version: int
    may_end: bool = Field(default=False, description="The person asking may end it now (in a list of them).")


class GroupHandling(DTO):
    """How one group of services is handled: by the enterprise itself or through providers."""

    group_code: str
    providers: list[str]
    self_handled: bool


class EnterpriseOverview(DTO):
    enterprise: EnterpriseSummary
    qualities: list[QualityHeld]
    main_access_manager: DesignationPublic | None
    co_main_access_managers: list[DesignationPublic]
    access_managers: list[DesignationPublic]
    legal_representatives: list[DesignationPublic]
    group_handling: list[GroupHandling]
    users_active: int
    users_suspended: int
    mandates_active: int = Field(description="Active mandates not ended yet (an end quarter not past).")
    mandates_waiting: int
    mandates_ending_this_quarter: int
    current_quarter: str = Field(
        description="The quarter it is now, by the service's calendar (e.g. 2026Q4)."
    )
    next_steps: list[str] = Field(
        description="Codes: designate_main_access_manager, designate_access_manager, "
        "create_users, finalise_mandates, accept_mandates."
    )
    my_roles: list[Role]
    my_user_account: bool = Field(
        default=False, description="The person asking is a user of the enterprise (active or suspended)."
    )
    is_mandatary: bool
    version: int


# ---------------------------------------------------------------- designations


class MainAccessManagerDesignation(DTO):
    """Everything DOMAIN.md lists for designating (or replacing) the Main Access Manager."""

    enterprise_ref: str = Field(description="Enterprise number or ONSS registration number.")
    legal_representative_eid: str
    legal_representative_niss: str
    legal_representative_phone: str
    designee_niss: str
    designee_phone: str
    designee_relation: Relation
    designee_first_name: str | None = None
    designee_last_name: str | None = None
    designee_email: str | None = None


class DesignationRequest(DTO):
    """A co-main access manager or an Access Manager (for one quality)."""

    enterprise_id: int
    role: Role
    quality_code: str | None = None
    niss: str
    phone: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class DesignationFilter(DTO):
    include_ended: bool = True
    role: Role | None = None


# ---------------------------------------------------------------- users


class UserPublic(DTO):
    id: int
    enterprise_id: int
    person: PersonPublic
    status: UserStatus
    services: list[str]
    created_at: datetime
    version: int


class UserCreate(DTO):
    enterprise_id: int
    niss: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    services: list[str] = []


class UserUpdate(DTO):
    """Changes to a user's contact data; `expected_version` is the version the change is based on."""

    expected_version: int
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None


class UserSort(StrEnum):
    NAME = "name"
    STATUS = "status"
    CREATED = "created"


class UserFilter(DTO):
    text: str = ""
    status: UserStatus | None = None
    service: str | None = None
    sort: UserSort = UserSort.NAME
    descending: bool = False


# ---------------------------------------------------------------- mandates


class ProviderPublic(DTO):
    id: int
    enterprise_id: int
    enterprise_number: str
    name: str
    kind: ProviderKind
    secretariat_number: str | None


class PartyRef(DTO):
    id: int
    enterprise_number: str
    name: str


class MandatePublic(DTO):
    id: int
    principal: PartyRef
    mandatary: ProviderPublic
    branch_number: str | None
    groups: list[str]
    start_quarter: str
    end_quarter: str | None
    status: MandateStatus
    shown_status: MandateShownStatus = Field(
        description="As lists show it and filter on: the stored status, or expired for an active mandate "
        "whose end quarter is past, by the service's calendar."
    )
    ends_this_quarter: bool = Field(
        default=False, description="Active, with the current quarter (the service's) as its last."
    )
    procuration_reference: str | None
    created_by: str | None
    validated_by: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    steps: list[MandateAction] = Field(
        default_factory=list, description="The steps the person who asked may take on it now."
    )


class MandateCreate(DTO):
    principal_id: int
    mandatary_id: int
    groups: list[str]
    start_quarter: str
    end_quarter: str | None = None
    branch_number: str | None = None
    procuration_reference: str | None = None
    submit: bool = Field(default=False, description="Send it to the mandatary at once.")


class MandateSort(StrEnum):
    PRINCIPAL = "principal"
    MANDATARY = "mandatary"
    START = "start"
    STATUS = "status"
    NEWEST = "newest"


class MandateFilter(DTO):
    text: str = Field(default="", description="Principal or mandatary number or name.")
    principal: str = ""
    mandatary: str = ""
    status: MandateShownStatus | None = Field(
        default=None,
        description="As shown: active ones cover the current quarter or a later one; expired ones are "
        "active with their end quarter past.",
    )
    group: str | None = None
    quarter: str | None = Field(default=None, description="Valid during this quarter.")
    enterprise_id: int | None = Field(default=None, description="As principal or mandatary.")
    sort: MandateSort = MandateSort.PRINCIPAL
    descending: bool = False


# ---------------------------------------------------------------- audit


class AuditEntryPublic(DTO):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    target_label: str | None = Field(
        default=None,
        description="The target in words: a person's name (for a person, a user or a designation), an "
        "enterprise's name, or a mandate's principal → mandatary; none when the target is no longer found.",
    )
    enterprise_id: int | None
    enterprise_number: str | None = None
    enterprise_name: str | None = None
    outcome: str
    before: dict | None
    after: dict | None


class AuditFilter(DTO):
    actor_id: int | None = None
    enterprise_id: int | None = None
    action: str = ""


class AuditVerification(DTO):
    ok: bool
    entries_checked: int
    first_bad_id: int | None = None
    reason: str | None = None
    problem: Literal["missing", "inserted", "edited", "truncated"] | None = Field(
        default=None,
        description="What `reason` says: entries first_bad_id..last_id missing; an entry inserted or "
        "replaced, or edited, at first_bad_id; the trail ending before last_id, the last written.",
    )
    last_id: int | None = None


# ---------------------------------------------------------------- SSH keys, tokens, preferences


class SshKeyPublic(DTO):
    """An SSH key registered to a person (the key itself is never sent back: its fingerprint says it)."""

    id: int
    person_id: int
    person_name: str
    key_type: str
    fingerprint: str
    label: str
    added_by: str | None = Field(description="Who added it; the system for the operator of the store.")
    added_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None = None


class SshKeyAdd(DTO):
    """An OpenSSH public key to register to a person, as a `.pub` file holds it."""

    person_id: int
    public_key: str = Field(max_length=16_384, description="e.g. 'ssh-ed25519 AAAA... anne@laptop'")
    label: str = Field(default="", max_length=100, description="Empty: the key's own comment.")


class SshKeyRevoke(DTO):
    fingerprint: str = Field(max_length=100, description="As `ssh-keygen -l` prints it: SHA256:...")


class TokenPublic(DTO):
    """A bearer token as its holder may see it: never the token itself."""

    id: int
    person_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class Preferences(DTO):
    """What a person's console remembers for them, wherever they sign in from."""

    lang: Literal["fr", "nl", "en"] | None = None
    theme: str | None = Field(default=None, max_length=40)
