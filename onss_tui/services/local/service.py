"""`LocalService`: the `AccessService` on a SQLModel store; the HTTP API serves this same code.

Each method says whether its call reads or writes, and under which audit action and target, and hands
the work to an area module (`identity`, `enterprises`, `designations`, `users`, `mandates`,
`audit_trail`), whose functions hold the rules. A call runs in a worker thread with its own session. A
write takes the audit chain's head lock first, so writes are serial, checks and changes are atomic, and
the audit entry commits with the change; a refused attempt, a read's as a write's, is recorded in a
transaction of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.arguments import checked
from onss_tui.services.dto import (
    Code,
    Id,
    Limit,
    MandateAction,
    PageRequest,
    Search,
    StatedReason,
    UserStatus,
    Version,
)
from onss_tui.services.errors import PermissionDenied, invalid_input
from onss_tui.services.local import (
    audit_trail,
    designations,
    enterprises,
    figures,
    identity,
    mandates,
    preferences,
    ssh_keys,
    tokens,
    users,
)
from onss_tui.services.local.audit import checkpoint_if_due
from onss_tui.services.local.audit_keys import PublicKey
from onss_tui.services.local.checkpoints import ANCHOR, Anchor
from onss_tui.services.local.context import (
    Context,
    Snapshot,
    Store,
    record_refused_read,
    run_read,
    run_write,
)
from onss_tui.services.local.store import close_store, open_store

T = TypeVar("T")

EXPORT_PAGE = 500
"""Mandates read per page of an export."""


TARGET_IDS = 5
"""Ids of users a grant's audit target names; past these, how many more there are."""


def users_target(user_ids: list[int]) -> str:
    """The audit target of a change to several users, bounded whatever their number: the first few
    distinct ids and the count of the others ("users:4,9,12,15,20+495")."""
    distinct = list(dict.fromkeys(user_ids))
    more = len(distinct) - TARGET_IDS
    return "users:" + ",".join(map(str, distinct[:TARGET_IDS])) + (f"+{more}" if more > 0 else "")


class LocalService:
    """The `AccessService` on a local store (SQLite file or PostgreSQL).

    Each call runs in a worker thread, so that the caller's event loop (the console's) stays free. With
    `reads_inline`, reads run in the caller's thread instead: the API server does so on SQLite, where a
    read is processor work under the GIL that a thread cannot overlap.
    `current_quarter` tells which quarter it is now (the calendar's, unless a test sets another).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        reads_inline: bool = False,
        current_quarter: Callable[[], Quarter] = Quarter.current,
    ) -> None:
        self.engine = engine
        self.reads_inline = reads_inline
        self.store = Store(engine, current_quarter)
        self.audit_keys: dict[str, PublicKey] = {}
        """The public keys a verification of the trail accepts (the signing key's and earlier ones)."""
        self.checkpoint_copy: Path | None = None
        """The copy of the checkpoints outside the store that a verification compares with."""

    def anchor_trail(
        self,
        anchor: Anchor | None,
        *,
        public_keys: Mapping[str, PublicKey] | None = None,
        checkpoint_copy: Path | None = None,
    ) -> None:
        """Sign checkpoints with `anchor` from now on (None: no more), verify with its keys and
        `public_keys`, against `checkpoint_copy` (default: the anchor's file); copy outside the
        checkpoints the anchor's file lacks."""
        self.store.anchor = anchor
        self.audit_keys = dict(public_keys or {}) | (anchor.trusted if anchor else {})
        self.checkpoint_copy = checkpoint_copy or (anchor.file if anchor else None)
        if anchor is not None:
            anchor.catch_up(self.engine)

    @property
    def current_quarter(self) -> Callable[[], Quarter]:
        return self.store.current_quarter

    @current_quarter.setter
    def current_quarter(self, clock: Callable[[], Quarter]) -> None:
        self.store.current_quarter = clock

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate: bool = True,
        migrating: Callable[[], object] | None = None,
        waiting: Callable[[], object] | None = None,
    ) -> LocalService:
        """The service on the store at `url`, migrated if need be (see `store.open_store`)."""
        return cls(open_store(url, migrate=migrate, migrating=migrating, waiting=waiting))

    async def aclose(self) -> None:
        await asyncio.to_thread(close_store, self.engine)

    async def _read(self, actor: int | None, action: str, target: str, work: Callable[[Context], T]) -> T:
        """Run `work` in a read transaction; a refusal is recorded as `action` on `target` (in a thread:
        recording writes)."""
        try:
            if self.reads_inline:
                return run_read(self.store, actor, work)
            return await asyncio.to_thread(run_read, self.store, actor, work)
        except PermissionDenied as refusal:
            if actor is not None:
                await asyncio.to_thread(record_refused_read, self.store, actor, action, target, refusal)
            raise

    async def _write(
        self,
        actor: int | None,
        action: str,
        target: str,
        work: Callable[[Context], T],
        *,
        support_passes: bool = False,
    ) -> T:
        """Run `work` in one write transaction; with `support_passes`, support staff are let through to
        the work, which decides (audited reads, a person's name)."""
        return await asyncio.to_thread(run_write, self.store, actor, action, target, work, support_passes)

    # ------------------------------------------------------------------ identity and catalogues

    @checked
    async def list_identities(
        self, query: Search = "", limit: Limit = 50, *, person_id: Id | None = None
    ) -> list[dto.Identity]:
        """`person_id` narrows the list to one person (the API answers only about the token holder)."""
        work = partial(identity.list_identities, query=query, limit=limit, only=person_id)
        return await self._read(None, "person.list", "persons", work)

    @checked
    async def sign_in(self, actor: int) -> dto.PersonPublic:
        return await self._write(
            actor, "person.sign_in", f"person:{actor}", identity.sign_in, support_passes=True
        )

    @checked
    async def catalogue(self, actor: int) -> dto.Catalogue:
        return await self._read(actor, "catalogue.view", "catalogue", identity.catalogue)

    @checked
    async def reveal_niss(self, actor: int, person_id: Id, reason: StatedReason = "") -> str:
        work = partial(identity.reveal_niss, person_id=person_id, reason=reason)
        return await self._write(actor, identity.REVEAL, f"person:{person_id}", work, support_passes=True)

    @checked
    async def update_person(self, actor: int, person_id: Id, changes: dto.PersonUpdate) -> dto.PersonPublic:
        work = partial(identity.update_person, person_id=person_id, changes=changes)
        return await self._write(actor, "person.rename", f"person:{person_id}", work, support_passes=True)

    @checked
    async def list_niss_reveals(
        self, actor: int, page: PageRequest | None = None
    ) -> dto.Page[dto.NissReveal]:
        work = partial(identity.list_niss_reveals, page=page or PageRequest())
        return await self._read(actor, "person.list_reveals", f"person:{actor}", work)

    # ------------------------------------------------------------------ enterprises

    @checked
    async def list_enterprises(
        self, actor: int, query: Search = "", page: PageRequest | None = None
    ) -> dto.Page[dto.EnterpriseSummary]:
        work = partial(enterprises.list_enterprises, query=query, page=page or PageRequest())
        return await self._read(actor, "enterprise.list", "enterprises", work)

    @checked
    async def get_overview(self, actor: int, enterprise_id: Id) -> dto.EnterpriseOverview:
        work = partial(enterprises.get_overview, enterprise_id=enterprise_id)
        return await self._read(actor, "enterprise.view", f"enterprise:{enterprise_id}", work)

    @checked
    async def activate_quality(
        self, actor: int, enterprise_id: Id, quality_code: Code
    ) -> dto.EnterpriseOverview:
        work = partial(enterprises.activate_quality, enterprise_id=enterprise_id, quality_code=quality_code)
        return await self._write(actor, "quality.activate", f"enterprise:{enterprise_id}", work)

    @checked
    async def deactivate_quality(
        self, actor: int, enterprise_id: Id, quality_code: Code
    ) -> dto.EnterpriseOverview:
        work = partial(enterprises.deactivate_quality, enterprise_id=enterprise_id, quality_code=quality_code)
        return await self._write(actor, "quality.deactivate", f"enterprise:{enterprise_id}", work)

    # ------------------------------------------------------------------ designations

    @checked
    async def designate_main_access_manager(
        self, actor: int, request: dto.MainAccessManagerDesignation
    ) -> dto.DesignationPublic:
        work = partial(designations.designate_main_access_manager, request=request)
        # The enterprise is named by what was typed: the work says which it is, once found.
        return await self._write(actor, "designation.designate_main", "enterprise", work)

    @checked
    async def designate(self, actor: int, request: dto.DesignationRequest) -> dto.DesignationPublic:
        work = partial(designations.designate, request=request)
        return await self._write(actor, "designation.designate", f"enterprise:{request.enterprise_id}", work)

    @checked
    async def end_designation(
        self, actor: int, designation_id: Id, expected_version: Version
    ) -> dto.DesignationPublic:
        work = partial(
            designations.end_designation, designation_id=designation_id, expected_version=expected_version
        )
        return await self._write(actor, "designation.end", f"designation:{designation_id}", work)

    @checked
    async def list_designations(
        self,
        actor: int,
        enterprise_id: Id,
        filter: dto.DesignationFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.DesignationPublic]:
        work = partial(
            designations.list_designations,
            enterprise_id=enterprise_id,
            wanted=filter or dto.DesignationFilter(),
            page=page or PageRequest(),
        )
        return await self._read(actor, "designation.list", f"enterprise:{enterprise_id}", work)

    # ------------------------------------------------------------------ users

    @checked
    async def list_users(
        self,
        actor: int,
        enterprise_id: Id,
        filter: dto.UserFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.UserPublic]:
        work = partial(
            users.list_users,
            enterprise_id=enterprise_id,
            wanted=filter or dto.UserFilter(),
            page=page or PageRequest(),
        )
        return await self._read(actor, "user.list", f"enterprise:{enterprise_id}", work)

    @checked
    async def list_users_and_rights(
        self, actor: int, enterprise_id: Id, page: PageRequest | None = None
    ) -> dto.Page[dto.UserPublic]:
        work = partial(users.list_users_and_rights, enterprise_id=enterprise_id, page=page or PageRequest())
        return await self._read(actor, "user.export", f"enterprise:{enterprise_id}", work)

    @checked
    async def get_user(self, actor: int, user_id: Id) -> dto.UserPublic:
        work = partial(users.get_user, user_id=user_id)
        return await self._read(actor, "user.view", f"user:{user_id}", work)

    @checked
    async def create_user(self, actor: int, request: dto.UserCreate) -> dto.UserPublic:
        work = partial(users.create_user, request=request)
        return await self._write(actor, "user.create", f"enterprise:{request.enterprise_id}", work)

    @checked
    async def update_user(self, actor: int, user_id: Id, changes: dto.UserUpdate) -> dto.UserPublic:
        work = partial(users.update_user, user_id=user_id, changes=changes)
        return await self._write(actor, "user.update", f"user:{user_id}", work)

    @checked
    async def set_user_status(
        self, actor: int, user_id: Id, status: UserStatus, expected_version: Version
    ) -> dto.UserPublic:
        status = UserStatus(status)
        work = partial(
            users.set_user_status, user_id=user_id, status=status, expected_version=expected_version
        )
        return await self._write(actor, f"user.{status.value}", f"user:{user_id}", work)

    @checked
    async def grant_services(
        self, actor: int, user_ids: dto.UserIds, service_codes: dto.ServiceCodes
    ) -> list[dto.UserPublic]:
        return await self._change_grants(actor, user_ids, service_codes, grant=True)

    @checked
    async def withdraw_services(
        self, actor: int, user_ids: dto.UserIds, service_codes: dto.ServiceCodes
    ) -> list[dto.UserPublic]:
        return await self._change_grants(actor, user_ids, service_codes, grant=False)

    async def _change_grants(
        self, actor: int, user_ids: list[int], service_codes: list[str], *, grant: bool
    ) -> list[dto.UserPublic]:
        action = "user.grant" if grant else "user.withdraw"
        work = partial(
            users.change_grants, user_ids=user_ids, service_codes=service_codes, grant=grant, action=action
        )
        return await self._write(actor, action, users_target(user_ids), work)

    # ------------------------------------------------------------------ mandates

    @checked
    async def list_providers(
        self, actor: int, query: Search = "", page: PageRequest | None = None
    ) -> dto.Page[dto.ProviderPublic]:
        work = partial(mandates.list_providers, query=query, page=page or PageRequest())
        return await self._read(actor, "provider.list", "providers", work)

    @checked
    async def list_mandates(
        self, actor: int | None, filter: dto.MandateFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.MandatePublic]:
        """`actor` None: the operator of the store (an export from the command line without `--as`)."""
        work = partial(
            mandates.list_mandates, wanted=filter or dto.MandateFilter(), page=page or PageRequest()
        )
        return await self._read(actor, "mandate.list", "mandates", work)

    async def export_mandates(
        self, actor: int | None, filter: dto.MandateFilter | None = None
    ) -> AsyncGenerator[dto.MandatePublic]:
        """Every mandate matching the filter as of one moment (a snapshot, whatever is written meanwhile),
        read a page at a time; writers are never blocked. `actor` None: the operator of the store.
        Close the iterator (`contextlib.aclosing`) when stopping early, to end the read."""
        try:
            wanted = dto.MandateFilter.model_validate(filter or dto.MandateFilter())
        except ValidationError as exc:
            raise invalid_input(exc) from None
        snapshot = await self._in_thread(Snapshot, self.store, actor)
        try:
            page = PageRequest(size=EXPORT_PAGE)
            while True:
                work = partial(mandates.list_mandates, wanted=wanted, page=page)
                result = await self._in_thread(snapshot.read, work)
                for mandate in result.items:
                    yield mandate
                if result.next_cursor is None:
                    return
                page = PageRequest(size=EXPORT_PAGE, cursor=result.next_cursor)
        finally:
            await self._in_thread(snapshot.close)

    async def _in_thread(self, call: Callable[..., T], *args: Any) -> T:
        """A read's step, in a worker thread (in the caller's with `reads_inline`)."""
        if self.reads_inline:
            return call(*args)
        return await asyncio.to_thread(call, *args)

    @checked
    async def mandate_figures(self, actor: int, enterprise_id: Id | None = None) -> dto.MandateFigures:
        work = partial(figures.mandate_figures, enterprise_id=enterprise_id)
        target = "mandates" if enterprise_id is None else f"enterprise:{enterprise_id}"
        return await self._read(actor, "mandate.figures", target, work)

    @checked
    async def get_mandate(self, actor: int, mandate_id: Id) -> dto.MandatePublic:
        work = partial(mandates.get_mandate, mandate_id=mandate_id)
        return await self._read(actor, "mandate.view", f"mandate:{mandate_id}", work)

    @checked
    async def create_mandate(self, actor: int, request: dto.MandateCreate) -> dto.MandatePublic:
        work = partial(mandates.create_mandate, request=request)
        return await self._write(actor, "mandate.create", f"enterprise:{request.principal_id}", work)

    @checked
    async def submit_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.SUBMIT, expected_version)

    @checked
    async def accept_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.ACCEPT, expected_version)

    @checked
    async def reject_mandate(
        self, actor: int, mandate_id: Id, expected_version: Version
    ) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.REJECT, expected_version)

    @checked
    async def close_mandate(self, actor: int, mandate_id: Id, expected_version: Version) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.CLOSE, expected_version)

    async def _mandate_step(
        self, actor: int, mandate_id: int, action: MandateAction, expected_version: int
    ) -> dto.MandatePublic:
        work = partial(
            mandates.take_step, mandate_id=mandate_id, action=action, expected_version=expected_version
        )
        return await self._write(actor, f"mandate.{action.value}", f"mandate:{mandate_id}", work)

    # ------------------------------------------------------------------ audit

    @checked
    async def list_audit(
        self, actor: int, filter: dto.AuditFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.AuditEntryPublic]:
        work = partial(audit_trail.list_audit, wanted=filter or dto.AuditFilter(), page=page or PageRequest())
        return await self._read(actor, "audit.list", "audit", work)

    @checked
    async def verify_audit(self, actor: int | None, *, full: bool = False) -> dto.AuditVerification:
        """Support staff and the operator (`actor` None) only; in a worker thread, one at a time, from the
        mark the last intact verification left (`full`: from the first entry)."""
        await self._read(actor, "audit.verify", "audit", audit_trail.may_verify)
        return await asyncio.to_thread(
            self.store.verifier.run, self.engine, self.audit_keys, self.checkpoint_copy, full=full
        )

    @checked
    async def list_checkpoints(
        self, actor: int, query: dto.CheckpointQuery | None = None
    ) -> dto.CheckpointPage:
        work = partial(audit_trail.list_checkpoints, wanted=query or dto.CheckpointQuery())
        return await self._read(actor, "audit.checkpoints", "audit", work)

    @checked
    async def checkpoint_audit(self, actor: int | None) -> dto.AuditCheckpointPublic | None:
        """Sign the trail's head now (support staff, the operator)."""
        return await self._write(
            actor, "audit.checkpoint", "audit", audit_trail.checkpoint_audit, support_passes=True
        )

    async def checkpoint_if_due(self) -> None:
        """Sign the head if the last checkpoint is M minutes old and entries came since (a timer's call)."""
        if self.store.anchor is not None:
            await asyncio.to_thread(_checkpoint_if_due, self.store)

    # ------------------------------------------------------------------ SSH keys, tokens, preferences

    @checked
    async def list_ssh_keys(
        self, actor: int | None, person_id: int | None = None, *, include_revoked: bool = False
    ) -> list[dto.SshKeyPublic]:
        """A person's keys (their own; support staff and the operator, `actor` None: anyone's or all)."""
        work = partial(ssh_keys.list_keys, person_id=person_id, include_revoked=include_revoked)
        return await self._read(actor, "ssh_key.list", f"person:{person_id or actor}", work)

    @checked
    async def add_ssh_key(self, actor: int | None, request: dto.SshKeyAdd) -> dto.SshKeyPublic:
        work = partial(ssh_keys.add_key, request=request)
        return await self._write(
            actor, "ssh_key.add", f"person:{request.person_id}", work, support_passes=True
        )

    @checked
    async def revoke_ssh_key(self, actor: int | None, fingerprint: str) -> dto.SshKeyPublic:
        work = partial(ssh_keys.revoke_key, fingerprint=fingerprint)
        return await self._write(
            actor, "ssh_key.revoke", f"ssh_key:{fingerprint[:60]}", work, support_passes=True
        )

    async def record_ssh_session(
        self, actor: int, event: str, fingerprint: str, client: str, details: dict[str, Any] | None = None
    ) -> None:
        """An SSH session's start (refused unless the key is the actor's and active) or end."""
        work = partial(
            ssh_keys.record_session,
            event=event,
            fingerprint=fingerprint,
            client=client,
            details=details or {},
        )
        await self._write(actor, f"ssh.session_{event}", f"person:{actor}", work, support_passes=True)

    @checked
    async def list_tokens(
        self, actor: int | None, person_id: int | None = None, *, include_ended: bool = False
    ) -> list[dto.TokenPublic]:
        """A person's bearer tokens, never the tokens themselves (a person: their own)."""
        work = partial(tokens.list_tokens, person_id=person_id, include_ended=include_ended)
        return await self._read(actor, "api_token.list", f"person:{person_id or actor}", work)

    @checked
    async def revoke_token(self, actor: int, token_id: int) -> dto.TokenPublic:
        """End one of the actor's own tokens."""
        work = partial(tokens.revoke_own_token, token_id=token_id)
        return await self._write(actor, "api_token.revoke", f"person:{actor}", work, support_passes=True)

    @checked
    async def get_preferences(self, actor: int) -> dto.Preferences:
        return await self._read(
            actor, "person.preferences_view", f"person:{actor}", preferences.get_preferences
        )

    @checked
    async def save_preferences(self, actor: int, wanted: dto.Preferences) -> dto.Preferences:
        work = partial(preferences.save_preferences, preferences=wanted)
        return await self._write(actor, "person.preferences", f"person:{actor}", work, support_passes=True)


def _checkpoint_if_due(store: Store) -> None:
    anchor = store.anchor
    assert anchor is not None
    with Session(store.writer, info={ANCHOR: anchor}) as session:
        checkpoint_if_due(session, anchor)
        session.commit()
