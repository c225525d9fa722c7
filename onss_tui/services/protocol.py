"""`AccessService`: the one protocol the screens and the HTTP API speak; every call names its actor.

The actor is the id of the person acting. Every rule is enforced behind this protocol, so that it holds
for the terminal on a local store and for any client of the HTTP API alike.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol, runtime_checkable

from onss_tui.services.dto import (
    AuditCheckpointPublic,
    AuditEntryPublic,
    AuditFilter,
    AuditVerification,
    Catalogue,
    CheckpointPage,
    CheckpointQuery,
    DesignationFilter,
    DesignationPublic,
    DesignationRequest,
    EnterpriseOverview,
    EnterpriseSummary,
    Identity,
    MainAccessManagerDesignation,
    MandateCreate,
    MandateFigures,
    MandateFilter,
    MandatePublic,
    NissReveal,
    Page,
    PageRequest,
    PersonPublic,
    PersonUpdate,
    Preferences,
    ProviderPublic,
    StatedReason,
    UserCreate,
    UserFilter,
    UserPublic,
    UserStatus,
    UserUpdate,
)

Actor = int
"""The id of the person acting."""


@runtime_checkable
class AccessService(Protocol):
    """Everything the console can ask of a store, local or remote."""

    # -- identity and catalogues
    async def list_identities(self, query: str = "", limit: int = 50) -> list[Identity]:
        """People who may sign in: holders of a role, and support staff."""
        ...

    async def sign_in(self, actor: Actor) -> PersonPublic:
        """Record a sign-in; the actor's pending designations become active."""
        ...

    async def catalogue(self, actor: Actor) -> Catalogue: ...

    async def reveal_niss(self, actor: Actor, person_id: int, reason: StatedReason = "") -> str:
        """The formatted national register number of a person, for who may see it: the person themselves,
        support staff, a manager or legal representative of an enterprise the person is part of. Anyone
        but the person states `reason` (one line, at most `dto.STATED_REASON_MAX` characters), which the
        trail keeps."""
        ...

    async def update_person(self, actor: Actor, person_id: int, changes: PersonUpdate) -> PersonPublic:
        """Change a person's name: the person themselves, or support staff."""
        ...

    async def list_niss_reveals(self, actor: Actor, page: PageRequest | None = None) -> Page[NissReveal]:
        """Who saw the actor's national register number, newest first (their own reveals aside)."""
        ...

    # -- enterprises
    async def list_enterprises(
        self, actor: Actor, query: str = "", page: PageRequest | None = None
    ) -> Page[EnterpriseSummary]: ...

    async def get_overview(self, actor: Actor, enterprise_id: int) -> EnterpriseOverview: ...

    async def activate_quality(
        self, actor: Actor, enterprise_id: int, quality_code: str
    ) -> EnterpriseOverview: ...

    async def deactivate_quality(
        self, actor: Actor, enterprise_id: int, quality_code: str
    ) -> EnterpriseOverview:
        """Withdraw a quality the enterprise activated after its registration (its main access managers
        only), once no Access Manager designation for it is current."""
        ...

    # -- designations
    async def designate_main_access_manager(
        self, actor: Actor, request: MainAccessManagerDesignation
    ) -> DesignationPublic: ...

    async def designate(self, actor: Actor, request: DesignationRequest) -> DesignationPublic: ...

    async def end_designation(
        self, actor: Actor, designation_id: int, expected_version: int
    ) -> DesignationPublic: ...

    async def list_designations(
        self,
        actor: Actor,
        enterprise_id: int,
        filter: DesignationFilter | None = None,
        page: PageRequest | None = None,
    ) -> Page[DesignationPublic]: ...

    # -- users
    async def list_users(
        self,
        actor: Actor,
        enterprise_id: int,
        filter: UserFilter | None = None,
        page: PageRequest | None = None,
    ) -> Page[UserPublic]: ...

    async def list_users_and_rights(
        self, actor: Actor, enterprise_id: int, page: PageRequest | None = None
    ) -> Page[UserPublic]:
        """Every user of an enterprise (not removed ones) with their online services, a page at a time, for
        an export: for the enterprise's managers and support staff only."""
        ...

    async def get_user(self, actor: Actor, user_id: int) -> UserPublic: ...

    async def create_user(self, actor: Actor, request: UserCreate) -> UserPublic: ...

    async def update_user(self, actor: Actor, user_id: int, changes: UserUpdate) -> UserPublic: ...

    async def set_user_status(
        self, actor: Actor, user_id: int, status: UserStatus, expected_version: int
    ) -> UserPublic: ...

    async def grant_services(
        self, actor: Actor, user_ids: list[int], service_codes: list[str]
    ) -> list[UserPublic]: ...

    async def withdraw_services(
        self, actor: Actor, user_ids: list[int], service_codes: list[str]
    ) -> list[UserPublic]: ...

    # -- mandates
    async def list_providers(
        self, actor: Actor, query: str = "", page: PageRequest | None = None
    ) -> Page[ProviderPublic]: ...

    async def list_mandates(
        self, actor: Actor, filter: MandateFilter | None = None, page: PageRequest | None = None
    ) -> Page[MandatePublic]: ...

    def export_mandates(
        self, actor: Actor, filter: MandateFilter | None = None
    ) -> AsyncGenerator[MandatePublic]:
        """Every mandate matching the filter as of one moment (a snapshot, whatever is written meanwhile),
        streamed; close it (`contextlib.aclosing`) when stopping early."""
        ...

    async def mandate_figures(self, actor: Actor, enterprise_id: int | None = None) -> MandateFigures:
        """Mandates counted by shown status, start quarter and group, the mandataries holding the most, and
        the groups no active mandate covers: of one enterprise (its legal representatives and managers, and
        support staff), or of every enterprise (`enterprise_id` None: support staff only)."""
        ...

    async def get_mandate(self, actor: Actor, mandate_id: int) -> MandatePublic: ...

    async def create_mandate(self, actor: Actor, request: MandateCreate) -> MandatePublic: ...

    async def submit_mandate(self, actor: Actor, mandate_id: int, expected_version: int) -> MandatePublic: ...

    async def accept_mandate(self, actor: Actor, mandate_id: int, expected_version: int) -> MandatePublic: ...

    async def reject_mandate(self, actor: Actor, mandate_id: int, expected_version: int) -> MandatePublic: ...

    async def close_mandate(self, actor: Actor, mandate_id: int, expected_version: int) -> MandatePublic: ...

    # -- audit
    async def list_audit(
        self, actor: Actor, filter: AuditFilter | None = None, page: PageRequest | None = None
    ) -> Page[AuditEntryPublic]: ...

    async def verify_audit(self, actor: Actor, *, full: bool = False) -> AuditVerification:
        """The chain, the signed checkpoints and their outside copy (support staff only), incremental from
        the last intact verification unless `full`."""
        ...

    async def list_checkpoints(self, actor: Actor, query: CheckpointQuery | None = None) -> CheckpointPage:
        """The trail's signed checkpoints after `query.after`, oldest first (what a witness copies)."""
        ...

    async def checkpoint_audit(self, actor: Actor) -> AuditCheckpointPublic | None:
        """Sign the trail's head now (support staff only); None while the trail is empty."""
        ...

    # -- what the person's console remembers for them
    async def get_preferences(self, actor: Actor) -> Preferences: ...

    async def save_preferences(self, actor: Actor, wanted: Preferences) -> Preferences:
        """Remember the values given (None keeps the one remembered)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
