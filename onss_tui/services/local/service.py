"""`LocalService`: the `AccessService` on a SQLModel store; the HTTP API serves this same code.

Each method says whether its call reads or writes, and under which audit action and target, and hands
the work to an area module (`identity`, `enterprises`, `designations`, `users`, `mandates`,
`audit_trail`), whose functions hold the rules. A call runs in a worker thread with its own session. A
write takes the audit chain's head lock first, so writes are serial, checks and changes are atomic, and
the audit entry commits with the change; a refused attempt is recorded in a transaction of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.dto import MandateAction, PageRequest, UserStatus
from onss_tui.services.local import (
    audit_trail,
    designations,
    enterprises,
    identity,
    mandates,
    preferences,
    ssh_keys,
    tokens,
    users,
)
from onss_tui.services.local.context import Context, Store, run_read, run_write
from onss_tui.services.local.store import close_store, open_store

T = TypeVar("T")


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

    async def _read(self, actor: int | None, work: Callable[[Context], T]) -> T:
        if self.reads_inline:
            return run_read(self.store, actor, work)
        return await asyncio.to_thread(run_read, self.store, actor, work)

    async def _write(
        self,
        actor: int | None,
        action: str,
        target: str,
        work: Callable[[Context], T],
        *,
        reading: bool = False,
    ) -> T:
        """Run `work` in one write transaction; `reading` lets support staff through (audited reads)."""
        return await asyncio.to_thread(run_write, self.store, actor, action, target, work, reading)

    # ------------------------------------------------------------------ identity and catalogues

    async def list_identities(
        self, query: str = "", limit: int = 50, *, person_id: int | None = None
    ) -> list[dto.Identity]:
        """`person_id` narrows the list to one person (the API answers only about the token holder)."""
        return await self._read(
            None, partial(identity.list_identities, query=query, limit=limit, only=person_id)
        )

    async def sign_in(self, actor: int) -> dto.PersonPublic:
        return await self._write(actor, "person.sign_in", f"person:{actor}", identity.sign_in, reading=True)

    async def catalogue(self, actor: int) -> dto.Catalogue:
        return await self._read(actor, identity.catalogue)

    async def reveal_niss(self, actor: int, person_id: int) -> str:
        work = partial(identity.reveal_niss, person_id=person_id)
        return await self._write(actor, "person.reveal_niss", f"person:{person_id}", work, reading=True)

    # ------------------------------------------------------------------ enterprises

    async def list_enterprises(
        self, actor: int, query: str = "", page: PageRequest | None = None
    ) -> dto.Page[dto.EnterpriseSummary]:
        work = partial(enterprises.list_enterprises, query=query, page=page or PageRequest())
        return await self._read(actor, work)

    async def get_overview(self, actor: int, enterprise_id: int) -> dto.EnterpriseOverview:
        return await self._read(actor, partial(enterprises.get_overview, enterprise_id=enterprise_id))

    async def activate_quality(
        self, actor: int, enterprise_id: int, quality_code: str
    ) -> dto.EnterpriseOverview:
        work = partial(enterprises.activate_quality, enterprise_id=enterprise_id, quality_code=quality_code)
        return await self._write(actor, "quality.activate", f"enterprise:{enterprise_id}", work)

    # ------------------------------------------------------------------ designations

    async def designate_main_access_manager(
        self, actor: int, request: dto.MainAccessManagerDesignation
    ) -> dto.DesignationPublic:
        work = partial(designations.designate_main_access_manager, request=request)
        return await self._write(
            actor, "designation.designate_main", f"enterprise:{request.enterprise_ref}", work
        )

    async def designate(self, actor: int, request: dto.DesignationRequest) -> dto.DesignationPublic:
        work = partial(designations.designate, request=request)
        return await self._write(actor, "designation.designate", f"enterprise:{request.enterprise_id}", work)

    async def end_designation(
        self, actor: int, designation_id: int, expected_version: int
    ) -> dto.DesignationPublic:
        work = partial(
            designations.end_designation, designation_id=designation_id, expected_version=expected_version
        )
        return await self._write(actor, "designation.end", f"designation:{designation_id}", work)

    async def list_designations(
        self,
        actor: int,
        enterprise_id: int,
        filter: dto.DesignationFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.DesignationPublic]:
        work = partial(
            designations.list_designations,
            enterprise_id=enterprise_id,
            wanted=filter or dto.DesignationFilter(),
            page=page or PageRequest(),
        )
        return await self._read(actor, work)

    # ------------------------------------------------------------------ users

    async def list_users(
        self,
        actor: int,
        enterprise_id: int,
        filter: dto.UserFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.UserPublic]:
        work = partial(
            users.list_users,
            enterprise_id=enterprise_id,
            wanted=filter or dto.UserFilter(),
            page=page or PageRequest(),
        )
        return await self._read(actor, work)

    async def get_user(self, actor: int, user_id: int) -> dto.UserPublic:
        return await self._read(actor, partial(users.get_user, user_id=user_id))

    async def create_user(self, actor: int, request: dto.UserCreate) -> dto.UserPublic:
        work = partial(users.create_user, request=request)
        return await self._write(actor, "user.create", f"enterprise:{request.enterprise_id}", work)

    async def update_user(self, actor: int, user_id: int, changes: dto.UserUpdate) -> dto.UserPublic:
        work = partial(users.update_user, user_id=user_id, changes=changes)
        return await self._write(actor, "user.update", f"user:{user_id}", work)

    async def set_user_status(
        self, actor: int, user_id: int, status: UserStatus, expected_version: int
    ) -> dto.UserPublic:
        status = UserStatus(status)
        work = partial(
            users.set_user_status, user_id=user_id, status=status, expected_version=expected_version
        )
        return await self._write(actor, f"user.{status.value}", f"user:{user_id}", work)

    async def grant_services(
        self, actor: int, user_ids: list[int], service_codes: list[str]
    ) -> list[dto.UserPublic]:
        return await self._change_grants(actor, user_ids, service_codes, grant=True)

    async def withdraw_services(
        self, actor: int, user_ids: list[int], service_codes: list[str]
    ) -> list[dto.UserPublic]:
        return await self._change_grants(actor, user_ids, service_codes, grant=False)

    async def _change_grants(
        self, actor: int, user_ids: list[int], service_codes: list[str], *, grant: bool
    ) -> list[dto.UserPublic]:
        action = "user.grant" if grant else "user.withdraw"
        work = partial(
            users.change_grants, user_ids=user_ids, service_codes=service_codes, grant=grant, action=action
        )
        return await self._write(actor, action, "users:" + ",".join(map(str, user_ids)), work)

    # ------------------------------------------------------------------ mandates

    async def list_providers(
        self, actor: int, query: str = "", page: PageRequest | None = None
    ) -> dto.Page[dto.ProviderPublic]:
        work = partial(mandates.list_providers, query=query, page=page or PageRequest())
        return await self._read(actor, work)

    async def list_mandates(
        self, actor: int | None, filter: dto.MandateFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.MandatePublic]:
        """`actor` None: the operator of the store (an export from the command line without `--as`)."""
        work = partial(
            mandates.list_mandates, wanted=filter or dto.MandateFilter(), page=page or PageRequest()
        )
        return await self._read(actor, work)

    async def get_mandate(self, actor: int, mandate_id: int) -> dto.MandatePublic:
        return await self._read(actor, partial(mandates.get_mandate, mandate_id=mandate_id))

    async def create_mandate(self, actor: int, request: dto.MandateCreate) -> dto.MandatePublic:
        work = partial(mandates.create_mandate, request=request)
        return await self._write(actor, "mandate.create", f"enterprise:{request.principal_id}", work)

    async def submit_mandate(self, actor: int, mandate_id: int, expected_version: int) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.SUBMIT, expected_version)

    async def accept_mandate(self, actor: int, mandate_id: int, expected_version: int) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.ACCEPT, expected_version)

    async def reject_mandate(self, actor: int, mandate_id: int, expected_version: int) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.REJECT, expected_version)

    async def close_mandate(self, actor: int, mandate_id: int, expected_version: int) -> dto.MandatePublic:
        return await self._mandate_step(actor, mandate_id, MandateAction.CLOSE, expected_version)

    async def _mandate_step(
        self, actor: int, mandate_id: int, action: MandateAction, expected_version: int
    ) -> dto.MandatePublic:
        work = partial(
            mandates.take_step, mandate_id=mandate_id, action=action, expected_version=expected_version
        )
        return await self._write(actor, f"mandate.{action.value}", f"mandate:{mandate_id}", work)

    # ------------------------------------------------------------------ audit

    async def list_audit(
        self, actor: int, filter: dto.AuditFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.AuditEntryPublic]:
        work = partial(audit_trail.list_audit, wanted=filter or dto.AuditFilter(), page=page or PageRequest())
        return await self._read(actor, work)

    async def verify_audit(self, actor: int) -> dto.AuditVerification:
        return await self._read(actor, audit_trail.verify_audit)

    # ------------------------------------------------------------------ SSH keys, tokens, preferences

    async def list_ssh_keys(
        self, actor: int | None, person_id: int | None = None, *, include_revoked: bool = False
    ) -> list[dto.SshKeyPublic]:
        """A person's keys (their own; support staff and the operator, `actor` None: anyone's or all)."""
        work = partial(ssh_keys.list_keys, person_id=person_id, include_revoked=include_revoked)
        return await self._read(actor, work)

    async def add_ssh_key(self, actor: int | None, request: dto.SshKeyAdd) -> dto.SshKeyPublic:
        work = partial(ssh_keys.add_key, request=request)
        return await self._write(actor, "ssh_key.add", f"person:{request.person_id}", work, reading=True)

    async def revoke_ssh_key(self, actor: int | None, fingerprint: str) -> dto.SshKeyPublic:
        work = partial(ssh_keys.revoke_key, fingerprint=fingerprint)
        return await self._write(actor, "ssh_key.revoke", f"ssh_key:{fingerprint[:60]}", work, reading=True)

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
        await self._write(actor, f"ssh.session_{event}", f"person:{actor}", work, reading=True)

    async def list_tokens(
        self, actor: int | None, person_id: int | None = None, *, include_ended: bool = False
    ) -> list[dto.TokenPublic]:
        """A person's bearer tokens, never the tokens themselves (a person: their own)."""
        work = partial(tokens.list_tokens, person_id=person_id, include_ended=include_ended)
        return await self._read(actor, work)

    async def revoke_token(self, actor: int, token_id: int) -> dto.TokenPublic:
        """End one of the actor's own tokens."""
        work = partial(tokens.revoke_own_token, token_id=token_id)
        return await self._write(actor, "api_token.revoke", f"person:{actor}", work, reading=True)

    async def get_preferences(self, actor: int) -> dto.Preferences:
        return await self._read(actor, preferences.get_preferences)

    async def save_preferences(self, actor: int, wanted: dto.Preferences) -> dto.Preferences:
        work = partial(preferences.save_preferences, preferences=wanted)
        return await self._write(actor, "person.preferences", f"person:{actor}", work, reading=True)
