"""Pydantic DTOs: what crosses the service boundary (never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from onss_tui.domain import text

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
from onss_tui.services.errors import invalid_input

T = TypeVar("T")

SYSTEM = "system"
"""The name given where no person acted: the seeder, the API's token commands, a designation or mandate
loaded in bulk (an audit entry's `actor`, a designation's `designated_by`, a mandate's `created_by`)."""


STATED_REASON_MAX = 200
"""The most characters of a reason someone states for an action (revealing a national register number)."""


class DTO(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- the bounds of a request

MAX_ID = 2**31 - 1
"""Ids and versions are 32-bit integers in every store."""
MAX_BATCH = 500
"""Users changed by one request (as many as a page shows)."""
MAX_CODES = 50
"""Codes of the catalogue named by one request (online services, groups of services)."""


def _by_the_text_rule(value: str) -> str:
    """A name or a free text as `domain.text` allows it (trimmed), else an error naming the character."""
    try:
        return text.check(value)
    except text.TextProblem as problem:
        raise PydanticCustomError(
            f"text_{problem.kind}", str(problem), {"code": problem.code, "position": problem.position}
        ) from None


_TEXT_RULE = AfterValidator(_by_the_text_rule)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="The version the change is based on.")]
Name = Annotated[str, StringConstraints(max_length=text.NAME_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE]
Email = Annotated[str, StringConstraints(max_length=text.EMAIL_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE]
Phone = Annotated[str, StringConstraints(max_length=text.PHONE_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE]
Number = Annotated[
    str, StringConstraints(min_length=1, max_length=text.NUMBER_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE
]
"""A national register, enterprise, ONSS or eID card number, as typed (the service checks its digits)."""
Code = Annotated[
    str, StringConstraints(min_length=1, max_length=text.CODE_MAX, pattern=text.CODE_PATTERN), _TEXT_RULE
]
QuarterText = Annotated[
    str, StringConstraints(max_length=text.QUARTER_MAX, pattern=text.QUARTER_PATTERN), _TEXT_RULE
]
Branch = Annotated[str, StringConstraints(max_length=text.BRANCH_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE]
Reference = Annotated[
    str, StringConstraints(max_length=text.REFERENCE_MAX, pattern=text.TEXT_PATTERN), _TEXT_RULE
]
UserIds = Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH)]
ServiceCodes = Annotated[list[Code], Field(min_length=1, max_length=MAX_CODES)]
Limit = Annotated[int, Field(ge=1, le=500)]
StatedReason = Annotated[str, StringConstraints(max_length=STATED_REASON_MAX)]
"""A reason someone states for an action, bounded (one line, without controls: the service's rule)."""
Search = Annotated[
    str, BeforeValidator(text.without_surrogates), StringConstraints(max_length=text.SEARCH_MAX)
]
"""Typed in a search: any character (one the text rule refuses finds nothing), bounded."""
Cursor = Annotated[str, StringConstraints(max_length=text.CURSOR_MAX, pattern=text.CURSOR_PATTERN)]


class Request(DTO):
    """What a caller asks of the service, within its bounds. Made in code, a request that breaks them
    raises the service's own `ValidationFailed` (a reason per field), as the service would; read from
    JSON (`model_validate`), pydantic's `ValidationError`, which the API answers with the same reasons.
    Checked again whenever the service is handed one, so one made without validation is refused too."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    def __init__(self, /, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise invalid_input(exc) from None


# ---------------------------------------------------------------- catalogues


class CatalogueEntry(DTO):
    """A quality, an online service or a group of services, named in each language (an entry with no German
    name shows its English one)."""

    code: str
    name_fr: str
    name_nl: str
    name_en: str
    name_de: str = ""


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


class PageRequest(Request):
    """One page: `cursor` comes from a previous page; `from_end` asks for the last page."""

    size: int = Field(default=50, ge=1, le=500)
    cursor: Cursor | None = Field(default=None, description="As a previous page gave it (`next_cursor`).")
    from_end: bool = False


class Page(DTO, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    prev_cursor: str | None = None


# ---------------------------------------------------------------- people and enterprises


class PersonPublic(DTO):
    """A person as everyone who knows them sees them: their name, and their number masked. Contact data is
    not the person's: it is given per account (`UserPublic`, `DesignationPublic`)."""

    id: int
    niss_masked: str
    first_name: str
    last_name: str
    support_staff: bool = False
    version: int = Field(description="The version of the person's name, for `update_person`.")

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
    from_registration: bool = False
    """Held since the enterprise's registration: never withdrawn (the others may be, by its main access
    managers)."""


class DesignationPublic(DTO):
    id: int
    enterprise_id: int
    person: PersonPublic
    role: Role
    quality_code: str | None
    status: DesignationStatus
    relation: Relation | None
    designated_by: str | None
    phone: str | None = Field(default=None, description="The contact phone given for this designation.")
    email: str | None = Field(default=None, description="The e-mail address given for this designation.")
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
        description="Codes: designate_main_access_manager, give_mandate (to a provider, for the groups "
        "nobody handles), designate_access_manager, create_users, pending_designations, "
        "finalise_mandates, accept_mandates."
    )
    my_roles: list[Role]
    my_user_account: bool = Field(
        default=False, description="The person asking is a user of the enterprise (active or suspended)."
    )
    my_services: list[str] = Field(
        default_factory=list,
        description="The online services the person asking holds as an active user of the enterprise.",
    )
    is_mandatary: bool
    version: int


# ---------------------------------------------------------------- designations


class MainAccessManagerDesignation(Request):
    """Everything DOMAIN.md lists for designating (or replacing) the Main Access Manager."""

    enterprise_ref: Number = Field(description="Enterprise number or ONSS registration number.")
    legal_representative_eid: Number
    legal_representative_niss: Number
    legal_representative_phone: Phone
    designee_niss: Number
    designee_phone: Phone
    designee_relation: Relation
    designee_first_name: Name | None = None
    designee_last_name: Name | None = None
    designee_email: Email | None = None


class DesignationRequest(Request):
    """A co-main access manager or an Access Manager (for one quality)."""

    enterprise_id: Id
    role: Role
    quality_code: Code | None = None
    niss: Number
    phone: Phone
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None


class DesignationFilter(Request):
    include_ended: bool = True
    role: Role | None = None
    status: DesignationStatus | None = Field(
        default=None, description="Only those of this status: pending ones wait for a first sign-in."
    )


# ---------------------------------------------------------------- users


class UserPublic(DTO):
    """A person's account as a user of one enterprise; its contact data is this enterprise's."""

    id: int
    enterprise_id: int
    person: PersonPublic
    status: UserStatus
    phone: str | None = None
    email: str | None = None
    services: list[str]
    created_at: datetime
    version: int


class UserCreate(Request):
    """A person made a user of the enterprise. Names are asked only of someone nobody knows yet (given for a
    known person, they must be theirs); the phone and e-mail address are this account's."""

    enterprise_id: Id
    niss: Number
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    services: list[Code] = Field(default=[], max_length=MAX_CODES)


class UserUpdate(Request):
    """Changes to a user's contact data (this account's only); `expected_version` is the version of the
    account the change is based on. An empty text removes a phone number or an e-mail address."""

    expected_version: Version
    phone: Phone | None = None
    email: Email | None = None


class PersonUpdate(Request):
    """A person's new name, changed by themselves or by support staff; `expected_version` is the person's
    version the change is based on."""

    expected_version: Version
    first_name: Name | None = None
    last_name: Name | None = None


class NissReveal(DTO):
    """Someone who saw a person's national register number in full: when, who, for which enterprise, and
    the reason they gave."""

    id: int = Field(description="The audit entry that records it.")
    at: datetime
    revealed_by: str
    support_staff: bool = Field(default=False, description="They revealed it as support staff.")
    role: Role | None = Field(default=None, description="Their role in the enterprise named.")
    enterprise_number: str | None = None
    enterprise_name: str | None = None
    reason: str | None = Field(default=None, description="The reason they gave.")


class UserSort(StrEnum):
    NAME = "name"
    STATUS = "status"
    CREATED = "created"


class UserFilter(Request):
    text: Search = ""
    status: UserStatus | None = None
    service: Code | None = None
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


class MandateCreate(Request):
    principal_id: Id
    mandatary_id: Id = Field(description="A provider's id.")
    groups: list[Code] = Field(min_length=1, max_length=MAX_CODES)
    start_quarter: QuarterText
    end_quarter: QuarterText | None = None
    branch_number: Branch | None = None
    procuration_reference: Reference | None = None
    submit: bool = Field(default=False, description="Send it to the mandatary at once.")


class MandateSort(StrEnum):
    PRINCIPAL = "principal"
    MANDATARY = "mandatary"
    START = "start"
    STATUS = "status"
    NEWEST = "newest"


class MandateFilter(Request):
    text: Search = Field(default="", description="Principal or mandatary number or name.")
    principal: Search = ""
    mandatary: Search = ""
    status: MandateShownStatus | None = Field(
        default=None,
        description="As shown: active ones cover the current quarter or a later one; expired ones are "
        "active with their end quarter past.",
    )
    group: Code | None = None
    quarter: QuarterText | None = Field(default=None, description="Valid during this quarter.")
    start_quarter: QuarterText | None = Field(default=None, description="Starting in this quarter.")
    enterprise_id: Id | None = Field(default=None, description="As principal or mandatary.")
    as_mandatary: bool = Field(
        default=False, description="With enterprise_id: only the mandates of which it is the mandatary."
    )
    sort: MandateSort = MandateSort.PRINCIPAL
    descending: bool = False


TOP_MANDATARIES = 10
"""How many mandataries the figures name, those holding the most mandates first."""


class FigureCount(DTO):
    """One bar of a figure: what is counted (a shown status, a quarter, a group code) and how many."""

    key: str
    count: int


class MandataryFigure(DTO):
    provider_id: int
    enterprise_number: str
    name: str
    count: int


class MandateFigures(DTO):
    """Mandates counted at a glance: of one enterprise (as principal or mandatary, as the mandate browser
    shows it), or of every enterprise (support staff)."""

    enterprise_id: int | None = Field(description="The enterprise counted, or None for every mandate.")
    current_quarter: str = Field(description="The quarter it is now, by the service's calendar.")
    total: int
    by_status: list[FigureCount] = Field(
        description="Every shown status (expired apart), in lifecycle order."
    )
    by_start_quarter: list[FigureCount] = Field(description="Start quarters (e.g. 2026Q3) holding mandates.")
    by_group: list[FigureCount] = Field(description="Every service group, in catalogue order.")
    top_mandataries: list[MandataryFigure] = Field(
        description=f"The {TOP_MANDATARIES} mandataries holding the most mandates, most first."
    )
    uncovered: list[FigureCount] = Field(
        description="Per service group, not covered by an active mandate this quarter: for one enterprise, "
        "1 for each of its groups no active mandate covers (0 otherwise); for every enterprise, how many "
        "enterprises of a category that may mandate the group have no active mandate covering it."
    )


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


class AuditFilter(Request):
    actor_id: Id | None = None
    enterprise_id: Id | None = None
    action: Annotated[
        str, BeforeValidator(text.without_surrogates), StringConstraints(max_length=text.ACTION_MAX)
    ] = Field(default="", description="The start of an action's code (mandate, user.grant).")


AuditProblem = Literal[
    "missing",
    "inserted",
    "edited",
    "truncated",
    "rewritten",
    "rolled_back",
    "checkpoint_removed",
    "checkpoint_forged",
    "unknown_key",
    "wrong_key",
    "no_public_key",
    "fork",
    "outside_unreadable",
]


class AuditVerification(DTO):
    ok: bool
    entries_checked: int = Field(description="Entries whose chain was walked (from `since_entry` on).")
    first_bad_id: int | None = None
    reason: str | None = None
    problem: AuditProblem | None = Field(
        default=None,
        description="What `reason` says: entries first_bad_id..last_id missing; an entry inserted or "
        "replaced, or edited, at first_bad_id; the trail ending before last_id, the last written; "
        "entries first_bad_id..last_id rewritten with recomputed hashes (a checkpoint signed another hash "
        "for last_id); the trail rolled back behind a signed checkpoint; checkpoint `checkpoint_seq` "
        "removed from the store, forged, signed by an unknown key, or differing from the outside copy "
        "(fork); no checkpoint signed by the public keys given (wrong_key), or none given; the outside copy "
        "unreadable.",
    )
    last_id: int | None = None
    checkpoint_seq: int | None = Field(default=None, description="The checkpoint the problem concerns.")
    key_id: str | None = Field(
        default=None, description="The key of the last checkpoint, or the unknown one."
    )
    entries: int | None = Field(default=None, description="Entries in the trail.")
    since_entry: int | None = Field(
        default=None, description="The walk started after this entry, verified before (incremental)."
    )
    checkpoints_checked: int = 0
    outside_checkpoints: int | None = Field(
        default=None, description="Checkpoints of the outside copy compared; none when there is no copy."
    )
    last_checkpoint_seq: int | None = None
    last_checkpoint_entry: int | None = None
    last_checkpoint_at: str | None = None


class AuditCheckpointPublic(DTO):
    """A signed checkpoint of the trail, as stored and as copied outside (`onss-tui audit witness`)."""

    seq: int
    entry_id: int
    entry_hash: str
    entries: int
    signed_at: str
    key_id: str
    prev: str = Field(description="SHA-256 of the previous checkpoint's signed statement.")
    signature: str = Field(description="Ed25519 signature (base64) of the statement.")


class CheckpointPage(DTO):
    items: list[AuditCheckpointPublic]
    more: bool = Field(description="More checkpoints follow the last one of this page.")


class CheckpointQuery(DTO):
    after: int = Field(default=0, ge=0, le=2**31 - 1, description="Checkpoints after this sequence number.")
    limit: int = Field(default=100, ge=1, le=1000)


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


class SshKeyAdd(Request):
    """An OpenSSH public key to register to a person, as a `.pub` file holds it."""

    person_id: Id
    public_key: str = Field(max_length=16_384, description="e.g. 'ssh-ed25519 AAAA... anne@laptop'")
    label: str = Field(default="", max_length=100, description="Empty: the key's own comment.")


class SshKeyRevoke(Request):
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


class Preferences(Request):
    """What a person's console remembers for them, wherever they sign in from."""

    lang: Literal["fr", "nl", "de", "en"] | None = None
    theme: str | None = Field(default=None, max_length=40)
