"""`LocalService`: every rule of the domain, on a SQLModel store; the HTTP API serves this same code.

Each call runs in a worker thread with its own session. A write takes the audit chain's head lock first,
so writes are serial, checks and changes are atomic, and the audit entry commits with the change. A
refused attempt is recorded in the trail in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Engine, Row, and_, bindparam, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlmodel import Session, col, select

from onss_tui.domain import identifiers as ids
from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.domain.rules import (
    LIVE_MANDATE_STATUSES,
    MAHIS_CONSULT,
    MAHIS_MANAGE,
    MAIN_ROLES,
    MANAGER_ROLES,
    MANDATE_LIFECYCLE,
    Party,
    StepNotPossible,
    next_mandate_status,
)
from onss_tui.i18n import LANGUAGES
from onss_tui.services import dto
from onss_tui.services.dto import (
    SYSTEM,
    DesignationStatus,
    MandateAction,
    MandateStatus,
    PageRequest,
    Role,
    UserStatus,
)
from onss_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Reason,
    Said,
    ValidationFailed,
    in_every_language,
    quarter_reason,
)
from onss_tui.services.local import audit, search
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.store import close_store, open_store, unavailable
from onss_tui.services.local.tables import (
    AccessGrant,
    AuditEntry,
    Designation,
    Enterprise,
    EnterpriseQuality,
    Mandate,
    MandateGroup,
    OnlineService,
    Person,
    PortalUser,
    Provider,
    Quality,
    ServiceGroup,
    name_key,
    utcnow,
)

T = TypeVar("T")


def _page(page: PageRequest | None) -> PageRequest:
    return page or PageRequest()


_PEOPLE = Person.__table__.c  # type: ignore[attr-defined]
_ACTOR_ROW = sa_select(Person.__table__).where(_PEOPLE.id == bindparam("actor"))


def _full_name_of(person_id: Any) -> Any:
    full_name = _PEOPLE.first_name + " " + _PEOPLE.last_name
    return sa_select(full_name).where(_PEOPLE.id == person_id).scalar_subquery()


_MANDATE_LIST = TypeAdapter(list[dto.MandatePublic])
"""Mandate DTOs validated a page at a time (one call into pydantic's core rather than one per object)."""


@functools.lru_cache(maxsize=512)
def _quarter_text(code: int) -> str:
    return str(Quarter.from_code(code))


_MANDATE_ROWS = sa_select(
    Mandate.__table__,  # type: ignore[arg-type]
    _full_name_of(Mandate.created_by_id).label("created_by_name"),
    _full_name_of(Mandate.validated_by_id).label("validated_by_name"),
)
"""A page of mandates: plain rows (no ORM objects), with the names of who created and validated each."""


class _Context:
    """One call: its session, the acting person, and what that person may do (cached per call)."""

    def __init__(self, session: Session, actor: Person | Row[Any] | None) -> None:
        self.session = session
        self.actor = actor
        self._roles: dict[int, frozenset[Role]] | None = None
        self._services: dict[int, set[str]] | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor else None

    @property
    def actor_name(self) -> str:
        return f"{self.actor.first_name} {self.actor.last_name}" if self.actor else SYSTEM

    @property
    def support(self) -> bool:
        return bool(self.actor and self.actor.support_staff)

    def roles(self, enterprise_id: int) -> frozenset[Role]:
        """The actor's active roles in an enterprise (all of them read at the first question)."""
        if self.actor is None:
            return frozenset(Role)
        if self._roles is None:
            held: dict[int, set[Role]] = {}
            for enterprise, role in self.session.exec(
                select(Designation.enterprise_id, Designation.role).where(
                    Designation.person_id == self.actor.id, Designation.status == DesignationStatus.ACTIVE
                )
            ).all():
                held.setdefault(enterprise, set()).add(Role(role))
            self._roles = {enterprise: frozenset(roles) for enterprise, roles in held.items()}
        return self._roles.get(enterprise_id, frozenset())

    def user_services(self, enterprise_id: int) -> set[str]:
        """The online services the actor holds as an active user of an enterprise (all read at once)."""
        if self.actor is None:
            return set()
        if self._services is None:
            self._services = {}
            for enterprise, code in self.session.exec(
                select(PortalUser.enterprise_id, AccessGrant.service_code)
                .join(PortalUser, col(PortalUser.id) == AccessGrant.user_id)
                .where(PortalUser.person_id == self.actor.id, PortalUser.status == UserStatus.ACTIVE)
            ).all():
                self._services.setdefault(enterprise, set()).add(code)
        return self._services.get(enterprise_id, set())

    def has_user_account(self, enterprise_id: int) -> bool:
        """The actor is a user of the enterprise (active or suspended: not removed)."""
        if self.actor is None:
            return False
        account = select(PortalUser.id).where(
            PortalUser.enterprise_id == enterprise_id,
            PortalUser.person_id == self.actor.id,
            PortalUser.status != UserStatus.REMOVED,
        )
        return self.session.exec(account).first() is not None

    def enterprise_ids(self) -> list[int]:
        """Enterprises the actor holds any role in (designation not ended, or a user not removed)."""
        assert self.actor is not None
        designated = select(Designation.enterprise_id).where(
            Designation.person_id == self.actor.id, Designation.status != DesignationStatus.ENDED
        )
        using = select(PortalUser.enterprise_id).where(
            PortalUser.person_id == self.actor.id, PortalUser.status != UserStatus.REMOVED
        )
        return sorted(set(self.session.exec(designated).all()) | set(self.session.exec(using).all()))

    def may_read(self, enterprise_id: int) -> bool:
        return self.support or self.actor is None or enterprise_id in self.enterprise_ids()

    def require(self, allowed: bool, reason: str) -> None:
        if self.support:
            raise PermissionDenied(Reason("rule.support_read_only"))
        if not allowed:
            raise PermissionDenied(reason)

    def require_read(self, enterprise_id: int) -> None:
        if not self.may_read(enterprise_id):
            raise PermissionDenied(Reason("rule.no_role_here"))

    def record(
        self,
        action: str,
        target: str,
        enterprise_id: int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        audit.append(
            self.session,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            action=action,
            target=target,
            enterprise_id=enterprise_id,
            before=before,
            after=after,
        )


def _dump(model: dto.DTO | None) -> dict[str, Any] | None:
    """A record as the audit trail keeps it (what the asking person may do with it is not the record's)."""
    if model is None:
        return None
    derived = {"steps", "may_end", "shown_status", "ends_this_quarter"}
    return model.model_dump(mode="json", exclude=derived & set(type(model).model_fields))


def _why_not_end(c: _Context, designation: Designation) -> Reason | None:
    """Why the actor may not end a designation, or None when they may."""
    if c.support:
        return Reason("rule.support_read_only")
    roles = c.roles(designation.enterprise_id)
    if designation.role == Role.MAIN_ACCESS_MANAGER:
        if Role.LEGAL_REPRESENTATIVE not in roles:
            return Reason("rule.end.main_legal_only")
    elif designation.role == Role.LEGAL_REPRESENTATIVE:
        return Reason("rule.end.legal_representative")
    elif not roles & MAIN_ROLES:
        return Reason("rule.end.main_only")
    return None


def _unstorable() -> ValidationFailed:
    """A value the store cannot hold or compare: a number out of range, a NUL character in a text."""
    return ValidationFailed({"input": Reason("rule.unstorable")})


def _check_version(row: Any, expected: int, what: str) -> None:
    if row.version != expected:
        raise Conflict(Reason(f"rule.changed.{what}", current=str(row.version), yours=str(expected)))
    row.version += 1


def _identifier_reason(kind: str, value: str, error: ids.IdentifierError, family: str = "ident") -> Reason:
    """What is wrong with a number, in the words the console's fields use for it (`ident.*`)."""
    return Reason(f"{family}.{kind}.{error.code}", digits=str(sum(c.isdigit() for c in value)))


def _names(rows: Iterable[Any]) -> dict[str, str]:
    """The names of catalogue entries (groups, online services), listed, in each language."""
    rows = list(rows)
    return {lang: ", ".join(getattr(row, f"name_{lang}") for row in rows) for lang in LANGUAGES}


def _listed(keys: Iterable[str], joiner: str = "rule.or") -> dict[str, str]:
    """Messages listed in each language: "an approved social secretariat or a service provider"."""
    said, between = [in_every_language(key) for key in keys], in_every_language(joiner)
    return {lang: between[lang].join(each[lang] for each in said) for lang in between}


def _step_not_possible(error: StepNotPossible) -> Reason:
    """A step the mandate's status does not allow, and the steps it does allow (by their keys' names)."""
    status = in_every_language(f"mandate.status.{error.status.value}")
    done = in_every_language(f"rule.mandate.done.{error.action.value}")
    if not error.possible:
        return Reason("rule.mandate.final", status=status, done=done)
    possible = _listed((f"mandates.key.{action.value}" for action in error.possible), joiner="rule.comma")
    return Reason("rule.mandate.cannot", status=status, done=done, possible=possible)


def _shows_as(status: dto.MandateShownStatus, now: Quarter, *, sqlite: bool = False) -> Any:
    """Mandates whose status shows as `status` in quarter `now`: the stored status, except that an active
    mandate whose end quarter is before `now` shows as expired."""
    active = Mandate.status == MandateStatus.ACTIVE
    end = col(Mandate.end_quarter)
    if status == dto.MandateShownStatus.ACTIVE:
        return and_(active, or_(end.is_(None), end >= now.code))
    if status == dto.MandateShownStatus.EXPIRED:
        # A mandate never ends before it starts, so it also started before `now`. Said outright, that
        # bounds the scan of the validity index: sorted by validity, newest first, a page read past every
        # mandate starting now or later (130-180 ms at a million mandates on PostgreSQL; 3 ms bounded).
        # SQLite, which knows only average rows per key, would take the (status, start) index for any
        # sort and sort every expired mandate (0.75 s a page by mandatary): there the bound is checked
        # row by row (`+ 0`: no index serves it), and the index of the sort is scanned.
        started = col(Mandate.start_quarter) + 0 if sqlite else col(Mandate.start_quarter)
        return and_(active, end < now.code, started < now.code)
    return Mandate.status == MandateStatus(status.value)


SPARSE_LIMIT = 2000
"""Below this many matching mandates, lists are fetched through the party indexes and sorted."""


@dataclass
class _PartyFilter:
    """Mandates whose principal or mandatary is among given ids, or matching a scanned condition.

    Indexed, the ids are looked up in the party indexes (few matches); otherwise the condition is
    written so that no index serves it, and the ordered index of the sort is scanned (many matches).
    """

    principals: list[int] = field(default_factory=list)
    mandataries: list[int] = field(default_factory=list)
    scan: Any = None

    def condition(self, *, indexed: bool) -> Any:
        principal = col(Mandate.principal_id) if indexed else col(Mandate.principal_id) + 0
        mandatary = col(Mandate.mandatary_id) if indexed else col(Mandate.mandatary_id) + 0
        alternatives = []
        if self.principals:
            alternatives.append(principal.in_(self.principals))
        if self.mandataries:
            alternatives.append(mandatary.in_(self.mandataries))
        if self.scan is not None:
            alternatives.append(self.scan)
        # Nothing matches: a constant the database answers without reading a row.
        return or_(*alternatives) if alternatives else false()


class LocalService:
    """The `AccessService` on a local store (SQLite file or PostgreSQL).

    Each call runs in a worker thread, so that the caller's event loop (the console's) stays free. With
    `reads_inline`, reads run in the caller's thread instead: the API server does so on SQLite, where a
    read is processor work under the GIL that a thread cannot overlap, and only adds hand-offs (the
    sqlite3 module lets the GIL go at every row, and waits to take it back while the loop is busy).
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
        self.current_quarter = current_quarter
        self._writer = engine.execution_options(write=True)
        self._dense_plans: set[tuple[int | None, str]] = set()
        """Filters known to match many mandates: their pages skip the probe (see `_mandate_query`)."""
        self._provider_cache: dict[int, dto.ProviderPublic] = {}

    @classmethod
    def open(
        cls, url: str, *, migrate: bool = True, migrating: Callable[[], object] | None = None
    ) -> LocalService:
        return cls(open_store(url, migrate=migrate, migrating=migrating))

    async def aclose(self) -> None:
        await asyncio.to_thread(close_store, self.engine)

    # ------------------------------------------------------------------ plumbing

    def _actor(self, session: Session, actor: int | None) -> Person | None:
        if actor is None:
            return None
        person = session.get(Person, actor)
        if person is None:
            raise PermissionDenied(Reason("rule.signed_out"))
        return person

    def _run_read(self, actor: int | None, work: Callable[[_Context], T]) -> T:
        try:
            with Session(self.engine) as session:
                person = None
                if actor is not None:  # a plain row: a read changes nothing of the actor's
                    person = session.connection().execute(_ACTOR_ROW, {"actor": actor}).first()
                    if person is None:
                        raise PermissionDenied(Reason("rule.signed_out"))
                return work(_Context(session, person))
        except OperationalError as exc:
            raise unavailable(exc) from exc
        except (DataError, OverflowError) as exc:
            raise _unstorable() from exc

    def _run_write(
        self, actor: int | None, action: str, target: str, work: Callable[[_Context], T], reading: bool
    ) -> T:
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                audit.lock_head(session)
                context = _Context(session, self._actor(session, actor))
                actor_id, actor_name = context.actor_id, context.actor_name
                try:
                    if context.support and not reading:
                        context.require(False, "")
                    result = work(context)
                    session.commit()
                    return result
                except PermissionDenied as exc:
                    session.rollback()
                    refusal = exc
                except IntegrityError as exc:
                    session.rollback()
                    raise Conflict(Reason("rule.changed_meanwhile")) from exc
            self._record_refusal(actor_id, actor_name, action, target, refusal)
        except OperationalError as exc:
            raise unavailable(exc) from exc
        except (DataError, OverflowError) as exc:
            raise _unstorable() from exc
        raise refusal

    def _record_refusal(
        self, actor_id: int | None, actor_name: str, action: str, target: str, refusal: PermissionDenied
    ) -> None:
        why: dict[str, Any] = {"reason": str(refusal.message)}
        if isinstance(refusal.message, Reason):  # for the trail to say it in its reader's language
            why.update(reason_key=refusal.message.key, reason_params=refusal.message.params)
        with Session(self._writer) as session:
            audit.append(
                session,
                actor_id=actor_id,
                actor_name=actor_name,
                action=action,
                target=target,
                enterprise_id=self._enterprise_of(session, target),
                outcome="refused",
                after=why,
            )
            session.commit()

    @staticmethod
    def _enterprise_of(session: Session, target: str) -> int | None:
        """The enterprise an action aimed at, from its target ("mandate:12": its principal), so that a
        refusal is found in that enterprise's trail; None when the target names none."""
        kind, _, number = target.partition(":")
        if kind == "users":  # several users, of one enterprise as a rule: the first one's
            kind, number = "user", number.partition(",")[0]
        if not number.isdigit():
            return None
        owners: dict[str, tuple[Any, str]] = {
            "enterprise": (Enterprise, "id"),
            "mandate": (Mandate, "principal_id"),
            "user": (PortalUser, "enterprise_id"),
            "designation": (Designation, "enterprise_id"),
        }
        if kind not in owners:
            return None
        table, column = owners[kind]
        row = session.get(table, int(number))
        return getattr(row, column) if row is not None else None

    async def _read(self, actor: int | None, work: Callable[[_Context], T]) -> T:
        if self.reads_inline:
            return self._run_read(actor, work)
        return await asyncio.to_thread(self._run_read, actor, work)

    async def _write(
        self,
        actor: int | None,
        action: str,
        target: str,
        work: Callable[[_Context], T],
        *,
        reading: bool = False,
    ) -> T:
        """Run `work` in one write transaction; `reading` lets support staff through (audited reads)."""
        return await asyncio.to_thread(self._run_write, actor, action, target, work, reading)

    # ------------------------------------------------------------------ converters

    @staticmethod
    def _person(person: Person) -> dto.PersonPublic:
        return dto.PersonPublic(
            id=person.id,  # type: ignore[arg-type]
            niss_masked=ids.mask_niss(person.niss),
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phone,
            email=person.email,
            support_staff=person.support_staff,
        )

    def _names(self, session: Session, person_ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in person_ids if i is not None}
        if not wanted:
            return {}
        rows = session.execute(
            select(Person.id, Person.first_name, Person.last_name).where(col(Person.id).in_(wanted))
        ).all()
        return {row.id: f"{row.first_name} {row.last_name}" for row in rows}

    def _designations(
        self, session: Session, rows: Sequence[Designation], ending_for: _Context | None = None
    ) -> list[dto.DesignationPublic]:
        """DTOs of designations; with `ending_for`, whether that call's actor may end each."""
        people = {
            p.id: p
            for p in session.exec(select(Person).where(col(Person.id).in_({d.person_id for d in rows}))).all()
        }
        names = self._names(session, (d.designated_by_id for d in rows))
        return [
            dto.DesignationPublic(
                id=d.id,  # type: ignore[arg-type]
                enterprise_id=d.enterprise_id,
                person=self._person(people[d.person_id]),
                role=Role(d.role),
                quality_code=d.quality_code,
                status=DesignationStatus(d.status),
                relation=d.relation,  # type: ignore[arg-type]
                designated_by=names.get(d.designated_by_id) if d.designated_by_id else SYSTEM,
                started_at=d.started_at,
                ended_at=d.ended_at,
                version=d.version,
                may_end=ending_for is not None
                and d.status != DesignationStatus.ENDED
                and _why_not_end(ending_for, d) is None,
            )
            for d in rows
        ]

    def _users(self, session: Session, rows: Sequence[PortalUser]) -> list[dto.UserPublic]:
        user_ids = [u.id for u in rows]
        people = {
            p.id: p
            for p in session.exec(select(Person).where(col(Person.id).in_({u.person_id for u in rows}))).all()
        }
        grants: dict[int, list[str]] = {}
        for user_id, code in session.exec(
            select(AccessGrant.user_id, AccessGrant.service_code)
            .where(col(AccessGrant.user_id).in_(user_ids))
            .order_by(AccessGrant.service_code)
        ).all():
            grants.setdefault(user_id, []).append(code)
        return [
            dto.UserPublic(
                id=u.id,  # type: ignore[arg-type]
                enterprise_id=u.enterprise_id,
                person=self._person(people[u.person_id]),
                status=UserStatus(u.status),
                services=grants.get(u.id, []),  # type: ignore[arg-type]
                created_at=u.created_at,
                version=u.version,
            )
            for u in rows
        ]

    @staticmethod
    def _enterprise(e: Enterprise) -> dto.EnterpriseSummary:
        return dto.EnterpriseSummary(
            id=e.id,  # type: ignore[arg-type]
            enterprise_number=e.enterprise_number,
            onss_number=e.onss_number,
            name=e.name,
            category=dto.EnterpriseCategory(e.category),
        )

    def _providers(self, session: Session, provider_ids: Iterable[int]) -> dict[int, dto.ProviderPublic]:
        """Providers by id. The registry of providers only grows (a row never changes once written), so
        each is read once per service and remembered."""
        known = self._provider_cache
        missing = set(provider_ids) - known.keys()
        if missing:
            rows = session.execute(
                select(
                    Provider.id,
                    Provider.enterprise_id,
                    Provider.kind,
                    Provider.secretariat_number,
                    Enterprise.enterprise_number,
                    Enterprise.name,
                )
                .join(Enterprise, col(Enterprise.id) == Provider.enterprise_id)
                .where(col(Provider.id).in_(missing))
            ).all()
            for row in rows:
                known[row.id] = dto.ProviderPublic(
                    id=row.id,
                    enterprise_id=row.enterprise_id,
                    enterprise_number=row.enterprise_number,
                    name=row.name,
                    kind=dto.ProviderKind(row.kind),
                    secretariat_number=row.secretariat_number,
                )
        return known

    def _mandates(
        self,
        session: Session,
        rows: Sequence[Any],
        names: dict[int, str] | None = None,
        steps_for: _Context | None = None,
    ) -> list[dto.MandatePublic]:
        """DTOs from mandate rows (ORM objects or plain rows of the mandate table); `names` of the people
        who created or validated them, when the rows came with them; with `steps_for`, the steps that
        call's actor may take on each."""
        providers = self._providers(session, {m.mandatary_id for m in rows})
        if names is None:
            names = self._names(session, [i for m in rows for i in (m.created_by_id, m.validated_by_id)])
        now = self.current_quarter().code
        expired = dto.MandateShownStatus.EXPIRED
        return _MANDATE_LIST.validate_python(
            [
                {
                    "id": m.id,
                    "principal": {
                        "id": m.principal_id,
                        "enterprise_number": m.principal_number,
                        "name": m.principal_name,
                    },
                    "mandatary": providers[m.mandatary_id],
                    "branch_number": m.branch_number,
                    "groups": m.groups.split(",") if m.groups else [],
                    "start_quarter": _quarter_text(m.start_quarter),
                    "end_quarter": _quarter_text(m.end_quarter) if m.end_quarter else None,
                    "status": m.status,
                    "shown_status": expired
                    if m.status == MandateStatus.ACTIVE and m.end_quarter and m.end_quarter < now
                    else m.status,
                    "ends_this_quarter": m.status == MandateStatus.ACTIVE and m.end_quarter == now,
                    "procuration_reference": m.procuration_reference,
                    "created_by": names.get(m.created_by_id) if m.created_by_id else SYSTEM,
                    "validated_by": names.get(m.validated_by_id) if m.validated_by_id else None,
                    "created_at": m.created_at,
                    "updated_at": m.updated_at,
                    "version": m.version,
                    "steps": self._steps(steps_for, m, providers[m.mandatary_id].enterprise_id)
                    if steps_for
                    else [],
                }
                for m in rows
            ]
        )

    def _may_take(self, c: _Context, party: Party, principal_id: int, mandatary_enterprise_id: int) -> bool:
        """Whether the actor acts for the side of a mandate that may take a step (support staff: no)."""
        if c.support:
            return False
        for_principal = Role.LEGAL_REPRESENTATIVE in c.roles(principal_id)
        if party == Party.PRINCIPAL or (party == Party.EITHER and for_principal):
            return for_principal
        return self._acts_for_mandatary(c, mandatary_enterprise_id, manage=True)

    def _steps(self, c: _Context, mandate: Any, mandatary_enterprise_id: int) -> list[MandateAction]:
        """The steps the lifecycle allows from the mandate's status that the actor may take."""
        return [
            action
            for (status, action), (_, party) in MANDATE_LIFECYCLE.items()
            if status == mandate.status
            and self._may_take(c, party, mandate.principal_id, mandatary_enterprise_id)
        ]

    # ------------------------------------------------------------------ identity and catalogues

    async def list_identities(
        self, query: str = "", limit: int = 50, *, person_id: int | None = None
    ) -> list[dto.Identity]:
        """`person_id` narrows the list to one person (the API answers only about the token holder)."""
        only = person_id

        def work(c: _Context) -> list[dto.Identity]:
            s = c.session
            # Correlated EXISTS, served per person by the person indexes (an IN over every
            # designation and user of a large store is not).
            holds = (
                select(Designation.id)
                .where(Designation.person_id == Person.id, Designation.status != DesignationStatus.ENDED)
                .exists()
            )
            uses = (
                select(PortalUser.id)
                .where(PortalUser.person_id == Person.id, PortalUser.status == UserStatus.ACTIVE)
                .exists()
            )
            stmt = select(Person.id)
            if only is not None:
                stmt = stmt.where(Person.id == only)
            if query.strip():
                matches = search.person_ids(s, query) if only is None else None
                if matches is not None:  # few: looked up by id, then sorted
                    stmt = stmt.where(col(Person.id).in_(matches))
                else:  # many: the name index is walked, matches are dense
                    stmt = stmt.where(search.person_condition(query))
            stmt = stmt.where(or_(holds, uses, col(Person.support_staff)))
            # Support staff first (few), then everyone else, each in name order: a walk of the name index
            # that reads only the index (the people are read once found: PostgreSQL would otherwise read
            # each person walked past to check their name, 0.7 s for a word in few names).
            by_name = (Person.name_key, Person.id)
            staff = stmt.where(col(Person.support_staff) == True)  # noqa: E712  (an equality the index serves)
            found = list(s.exec(staff.order_by(*by_name).limit(limit)).all())
            if len(found) < limit:
                others = stmt.where(col(Person.support_staff) == False)  # noqa: E712
                found += s.exec(others.order_by(*by_name).limit(limit - len(found))).all()
            place = {person_id: position for position, person_id in enumerate(found)}
            people = sorted(
                s.exec(select(Person).where(col(Person.id).in_(found))).all(), key=lambda p: place[p.id]
            )
            roles: dict[int, list[str]] = {}
            held = s.exec(
                select(Designation.id, Designation.person_id, Designation.role, Enterprise.name)
                .join(Enterprise, col(Enterprise.id) == Designation.enterprise_id)
                .where(
                    col(Designation.person_id).in_([p.id for p in people]),
                    Designation.status != DesignationStatus.ENDED,
                )
            ).all()
            # Sorted here: an ORDER BY on the designation id would walk the whole table.
            for _, person_id, role, name in sorted(held):
                roles.setdefault(person_id, []).append(f"{role}@{name}")
            for person_id, name in s.exec(
                select(PortalUser.person_id, Enterprise.name)
                .join(Enterprise, col(Enterprise.id) == PortalUser.enterprise_id)
                .where(
                    col(PortalUser.person_id).in_([p.id for p in people]),
                    PortalUser.status == UserStatus.ACTIVE,
                )
            ).all():
                roles.setdefault(person_id, []).append(f"user@{name}")
            return [
                dto.Identity(
                    person=self._person(p),
                    roles=(["support_staff"] if p.support_staff else []) + roles.get(p.id, []),  # type: ignore[arg-type]
                )
                for p in people
            ]

        return await self._read(None, work)

    async def sign_in(self, actor: int) -> dto.PersonPublic:
        def work(c: _Context) -> dto.PersonPublic:
            assert c.actor is not None
            first = c.actor.signed_in_at is None
            c.actor.signed_in_at = utcnow()
            pending = c.session.exec(
                select(Designation).where(
                    Designation.person_id == c.actor.id, Designation.status == DesignationStatus.PENDING
                )
            ).all()
            for designation in pending:
                designation.status = DesignationStatus.ACTIVE
                designation.version += 1
                c.record(
                    "designation.activate",
                    f"designation:{designation.id}",
                    designation.enterprise_id,
                    before={"status": "pending"},
                    after={"status": "active"},
                )
            if first or pending:
                c.record("person.sign_in", f"person:{c.actor.id}", None, after={"first": first})
            return self._person(c.actor)

        return await self._write(actor, "person.sign_in", f"person:{actor}", work, reading=True)

    async def catalogue(self, actor: int) -> dto.Catalogue:
        def work(c: _Context) -> dto.Catalogue:
            s = c.session

            def names(row: Quality | OnlineService | ServiceGroup) -> dict[str, str]:
                return {
                    "code": row.code,
                    "name_fr": row.name_fr,
                    "name_nl": row.name_nl,
                    "name_en": row.name_en,
                }

            qualities = [
                dto.CatalogueEntry(**names(q))
                for q in s.exec(select(Quality).order_by(Quality.position, Quality.code)).all()
            ]
            services = [
                dto.OnlineServiceEntry(
                    **names(o),
                    enterprise_categories=o.enterprise_categories.split(","),  # type: ignore[arg-type]
                )
                for o in s.exec(
                    select(OnlineService).order_by(OnlineService.position, OnlineService.code)
                ).all()
            ]

            groups = [
                dto.ServiceGroupEntry(
                    **names(g),
                    single_mandatary=g.single_mandatary,
                    principal_categories=g.principal_categories.split(","),  # type: ignore[arg-type]
                    mandatary_kinds=g.mandatary_kinds.split(","),  # type: ignore[arg-type]
                )
                for g in s.exec(select(ServiceGroup).order_by(ServiceGroup.position, ServiceGroup.code)).all()
            ]
            return dto.Catalogue(qualities=qualities, online_services=services, service_groups=groups)

        return await self._read(actor, work)

    async def reveal_niss(self, actor: int, person_id: int) -> str:
        def work(c: _Context) -> str:
            person = c.session.get(Person, person_id)
            if person is None:
                raise NotFound(Reason("rule.no_person"))
            if not (c.support or person_id == c.actor_id or self._shares_enterprise(c, person_id)):
                raise PermissionDenied(Reason("rule.niss_hidden"))
            c.record("person.reveal_niss", f"person:{person_id}", None)
            return ids.format_niss(person.niss)

        return await self._write(actor, "person.reveal_niss", f"person:{person_id}", work, reading=True)

    def _shares_enterprise(self, c: _Context, person_id: int) -> bool:
        mine = c.enterprise_ids()
        if not mine:
            return False
        designated = select(Designation.id).where(
            Designation.person_id == person_id, col(Designation.enterprise_id).in_(mine)
        )
        using = select(PortalUser.id).where(
            PortalUser.person_id == person_id, col(PortalUser.enterprise_id).in_(mine)
        )
        return bool(c.session.exec(designated.limit(1)).first() or c.session.exec(using.limit(1)).first())

    # ------------------------------------------------------------------ enterprises

    async def list_enterprises(
        self, actor: int, query: str = "", page: PageRequest | None = None
    ) -> dto.Page[dto.EnterpriseSummary]:
        def work(c: _Context) -> dto.Page[dto.EnterpriseSummary]:
            stmt = select(Enterprise)
            if not c.support:
                stmt = stmt.where(col(Enterprise.id).in_(c.enterprise_ids()))
            if query.strip():
                key = name_key(query)
                matches = search.enterprise_ids(c.session, query, key)
                digits = search.digits_of(query)
                if matches is not None:  # few: looked up by id, then sorted
                    stmt = stmt.where(col(Enterprise.id).in_(matches))
                elif digits is not None:  # many: the ordered name index is scanned, matches are dense
                    stmt = stmt.where(
                        or_(
                            col(Enterprise.enterprise_number).startswith(
                                search.enterprise_number_prefix(digits)
                            ),
                            col(Enterprise.onss_number).startswith(digits),
                        )
                    )
                else:
                    stmt = stmt.where(search.contains(Enterprise.name_key, key))
            rows, after, before = keyset_page(
                c.session,
                stmt,
                [col(Enterprise.name_key), col(Enterprise.id)],
                lambda e: (e.name_key, e.id),
                _page(page),
            )
            return dto.Page(items=[self._enterprise(e) for e in rows], next_cursor=after, prev_cursor=before)

        return await self._read(actor, work)

    def _get_enterprise(self, c: _Context, enterprise_id: int) -> Enterprise:
        enterprise = c.session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise NotFound(Reason("rule.no_enterprise"))
        return enterprise

    async def get_overview(self, actor: int, enterprise_id: int) -> dto.EnterpriseOverview:
        def work(c: _Context) -> dto.EnterpriseOverview:
            enterprise = self._get_enterprise(c, enterprise_id)
            c.require_read(enterprise_id)
            return self._overview(c, enterprise)

        return await self._read(actor, work)

    def _overview(self, c: _Context, enterprise: Enterprise) -> dto.EnterpriseOverview:
        s, eid = c.session, enterprise.id
        assert eid is not None
        qualities = [
            dto.QualityHeld(code=q.quality_code, active=q.active, activated_at=q.activated_at)
            for q in s.exec(select(EnterpriseQuality).where(EnterpriseQuality.enterprise_id == eid)).all()
        ]
        current = self._designations(
            s,
            s.exec(
                select(Designation)
                .where(Designation.enterprise_id == eid, Designation.status != DesignationStatus.ENDED)
                .order_by(Designation.id)
            ).all(),
        )
        by_role = {role: [d for d in current if d.role == role] for role in Role}
        user_counts = dict(
            s.exec(
                select(PortalUser.status, func.count())
                .where(PortalUser.enterprise_id == eid)
                .group_by(PortalUser.status)
            ).all()
        )
        now = self.current_quarter()
        this_quarter = now.code
        principal = Mandate.principal_id == eid
        provider = s.exec(select(Provider).where(Provider.enterprise_id == eid)).first()
        counts = dict(
            s.exec(select(Mandate.status, func.count()).where(principal).group_by(Mandate.status)).all()
        )
        in_force = _shows_as(dto.MandateShownStatus.ACTIVE, now)
        active = s.exec(select(func.count()).where(principal, in_force)).one()
        ending = s.exec(
            select(func.count()).where(
                principal, Mandate.status == MandateStatus.ACTIVE, Mandate.end_quarter == this_quarter
            )
        ).one()
        to_accept = 0
        if provider is not None:
            to_accept = s.exec(
                select(func.count()).where(
                    Mandate.mandatary_id == provider.id, Mandate.status == MandateStatus.PENDING
                )
            ).one()
        handled: dict[str, list[str]] = {}
        for group_code, mandatary_name in s.exec(
            select(MandateGroup.group_code, Mandate.mandatary_name)
            .join(Mandate, col(Mandate.id) == MandateGroup.mandate_id)
            .where(principal, in_force, Mandate.start_quarter <= this_quarter)
        ).all():
            handled.setdefault(group_code, []).append(mandatary_name)
        groups = s.exec(select(ServiceGroup).order_by(ServiceGroup.position, ServiceGroup.code)).all()
        has_main = bool(by_role[Role.MAIN_ACCESS_MANAGER])
        handling = [
            dto.GroupHandling(
                group_code=g.code,
                providers=sorted(set(handled.get(g.code, []))),
                self_handled=has_main and not handled.get(g.code),
            )
            for g in groups
            if enterprise.category in g.principal_categories.split(",")
        ]
        steps = []
        if not has_main:
            steps.append("designate_main_access_manager")
        if has_main and not by_role[Role.ACCESS_MANAGER]:
            steps.append("designate_access_manager")
        if has_main and not user_counts:
            steps.append("create_users")
        if counts.get(MandateStatus.TO_FINALISE):
            steps.append("finalise_mandates")
        if to_accept:
            steps.append("accept_mandates")
        return dto.EnterpriseOverview(
            enterprise=self._enterprise(enterprise),
            qualities=qualities,
            main_access_manager=(by_role[Role.MAIN_ACCESS_MANAGER] or [None])[0],
            co_main_access_managers=by_role[Role.CO_MAIN_ACCESS_MANAGER],
            access_managers=by_role[Role.ACCESS_MANAGER],
            legal_representatives=by_role[Role.LEGAL_REPRESENTATIVE],
            group_handling=handling,
            users_active=user_counts.get(UserStatus.ACTIVE, 0),
            users_suspended=user_counts.get(UserStatus.SUSPENDED, 0),
            mandates_active=active,
            mandates_waiting=counts.get(MandateStatus.TO_FINALISE, 0) + counts.get(MandateStatus.PENDING, 0),
            mandates_ending_this_quarter=ending,
            next_steps=steps,
            my_roles=sorted(c.roles(eid)) if c.actor else [],
            my_user_account=c.has_user_account(eid),
            is_mandatary=provider is not None,
            version=enterprise.version,
        )

    async def activate_quality(
        self, actor: int, enterprise_id: int, quality_code: str
    ) -> dto.EnterpriseOverview:
        def work(c: _Context) -> dto.EnterpriseOverview:
            enterprise = self._get_enterprise(c, enterprise_id)
            c.require(
                bool(c.roles(enterprise_id) & MAIN_ROLES),
                Reason("rule.quality.main_only"),
            )
            if c.session.get(Quality, quality_code) is None:
                raise ValidationFailed({"quality_code": Reason("rule.quality.unknown", code=quality_code)})
            held = c.session.get(EnterpriseQuality, (enterprise_id, quality_code))
            if held is not None and held.active:
                raise ValidationFailed({"quality_code": Reason("rule.quality.active")})
            held = held or EnterpriseQuality(enterprise_id=enterprise_id, quality_code=quality_code)
            held.active, held.activated_at = True, utcnow()
            c.session.add(held)
            enterprise.version += 1
            c.record(
                "quality.activate",
                f"enterprise:{enterprise_id}",
                enterprise_id,
                after={"quality": quality_code},
            )
            c.session.flush()
            return self._overview(c, enterprise)

        return await self._write(actor, "quality.activate", f"enterprise:{enterprise_id}", work)

    # ------------------------------------------------------------------ people

    def _person_for(
        self,
        c: _Context,
        errors: dict[str, str],
        field: str,
        niss: str,
        first_name: str | None,
        last_name: str | None,
        prefix: str = "",
    ) -> Person | None:
        """The person with this national register number, creating it when names are given."""
        try:
            compact = ids.validate_niss(niss)
        except ids.IdentifierError as exc:
            errors[field] = _identifier_reason("niss", niss, exc)
            return None
        person = c.session.exec(select(Person).where(Person.niss == compact)).first()
        if person is not None:
            return person
        first, last = (first_name or "").strip(), (last_name or "").strip()
        if not first:
            errors[f"{prefix}first_name"] = Reason("rule.person.first_name")
        if not last:
            errors[f"{prefix}last_name"] = Reason("rule.person.last_name")
        if not (first and last):
            return None
        person = Person(niss=compact, first_name=first, last_name=last)
        c.session.add(person)
        return person

    @staticmethod
    def _phone(errors: dict[str, str], field: str, value: str | None, *, required: bool) -> str | None:
        if not (value or "").strip():
            if required:
                errors[field] = Reason("rule.phone_required")
            return None
        try:
            return ids.validate_phone(value or "")
        except ids.IdentifierError as exc:
            errors[field] = _identifier_reason("phone", value or "", exc)
            return None

    @staticmethod
    def _email(errors: dict[str, str], field: str, value: str | None) -> str | None:
        if not (value or "").strip():
            return None
        try:
            return ids.validate_email(value or "")
        except ids.IdentifierError as exc:
            errors[field] = _identifier_reason("email", value or "", exc)
            return None

    # ------------------------------------------------------------------ designations

    def _enterprise_by_ref(self, c: _Context, errors: dict[str, str], ref: str) -> Enterprise | None:
        digits = ids.compact_digits(ref or "")
        enterprise = None
        try:
            number = ids.validate_enterprise_number(ref)
            enterprise = c.session.exec(
                select(Enterprise).where(Enterprise.enterprise_number == number)
            ).first()
        except ids.IdentifierError as enterprise_error:
            try:
                number = ids.validate_onss_number(ref)
                enterprise = c.session.exec(
                    select(Enterprise).where(Enterprise.onss_number == number)
                ).first()
            except ids.IdentifierError as onss_error:
                # As the field says it while typing: ten digits from 0 or 1 are an enterprise number.
                if len(digits) == 10 and digits[0] in "01":
                    errors["enterprise_ref"] = _identifier_reason("enterprise", ref, enterprise_error)
                elif onss_error.code == "length":
                    errors["enterprise_ref"] = _identifier_reason("enterprise_or_onss", ref, onss_error)
                else:
                    errors["enterprise_ref"] = _identifier_reason("onss", ref, onss_error)
                return None
        if enterprise is None:
            errors["enterprise_ref"] = Reason("rule.enterprise_unknown")
        return enterprise

    async def designate_main_access_manager(
        self, actor: int, request: dto.MainAccessManagerDesignation
    ) -> dto.DesignationPublic:
        def work(c: _Context) -> dto.DesignationPublic:
            assert c.actor is not None
            errors: dict[str, str] = {}
            enterprise = self._enterprise_by_ref(c, errors, request.enterprise_ref)
            if enterprise is not None:
                c.require(
                    Role.LEGAL_REPRESENTATIVE in c.roles(enterprise.id),  # type: ignore[arg-type]
                    Reason("rule.main.legal_only"),
                )
            try:
                card = ids.validate_eid_card(request.legal_representative_eid)
                if c.actor.eid_card and card != c.actor.eid_card:
                    errors["legal_representative_eid"] = Reason("rule.main.not_your_eid")
            except ids.IdentifierError as exc:
                errors["legal_representative_eid"] = _identifier_reason(
                    "eid", request.legal_representative_eid, exc
                )
            try:
                if ids.validate_niss(request.legal_representative_niss) != c.actor.niss:
                    errors["legal_representative_niss"] = Reason("rule.main.not_your_niss")
            except ids.IdentifierError as exc:
                errors["legal_representative_niss"] = _identifier_reason(
                    "niss", request.legal_representative_niss, exc
                )
            own_phone = self._phone(
                errors, "legal_representative_phone", request.legal_representative_phone, required=True
            )
            phone = self._phone(errors, "designee_phone", request.designee_phone, required=True)
            email = self._email(errors, "designee_email", request.designee_email)
            designee = self._person_for(
                c,
                errors,
                "designee_niss",
                request.designee_niss,
                request.designee_first_name,
                request.designee_last_name,
                prefix="designee_",
            )
            if errors:
                raise ValidationFailed(errors)
            assert enterprise is not None and designee is not None
            current = c.session.exec(
                select(Designation).where(
                    Designation.enterprise_id == enterprise.id,
                    Designation.role == Role.MAIN_ACCESS_MANAGER,
                    Designation.status != DesignationStatus.ENDED,
                )
            ).first()
            before = None
            if current is not None:
                if current.person_id == designee.id:
                    raise ValidationFailed({"designee_niss": Reason("rule.main.already")})
                before = _dump(self._designations(c.session, [current])[0])
                current.status, current.ended_at, current.ended_by_id = (
                    DesignationStatus.ENDED,
                    utcnow(),
                    c.actor_id,
                )
                current.version += 1
                c.session.flush()
            if designee.phone is None:
                designee.phone = phone
            if email and designee.email is None:
                designee.email = email
            designation = Designation(
                enterprise_id=enterprise.id,  # type: ignore[arg-type]
                person_id=designee.id,  # type: ignore[arg-type]
                role=Role.MAIN_ACCESS_MANAGER,
                status=DesignationStatus.ACTIVE if designee.signed_in_at else DesignationStatus.PENDING,
                relation=request.designee_relation,
                contact_phone=phone,
                designated_by_id=c.actor_id,
            )
            c.session.add(designation)
            c.session.flush()
            result = self._designations(c.session, [designation])[0]
            c.record(
                "designation.replace_main" if current else "designation.designate_main",
                f"designation:{designation.id}",
                enterprise.id,
                before=before,
                after=_dump(result) | {"legal_representative_phone": own_phone},  # type: ignore[operator]
            )
            return result

        return await self._write(
            actor, "designation.designate_main", f"enterprise:{request.enterprise_ref}", work
        )

    async def designate(self, actor: int, request: dto.DesignationRequest) -> dto.DesignationPublic:
        def work(c: _Context) -> dto.DesignationPublic:
            enterprise = self._get_enterprise(c, request.enterprise_id)
            if request.role not in (Role.CO_MAIN_ACCESS_MANAGER, Role.ACCESS_MANAGER):
                raise ValidationFailed({"role": Reason("rule.managers.main_elsewhere")})
            c.require(
                bool(c.roles(request.enterprise_id) & MAIN_ROLES),
                Reason("rule.managers.main_only"),
            )
            errors: dict[str, str] = {}
            quality = None
            if request.role == Role.ACCESS_MANAGER:
                held = c.session.get(EnterpriseQuality, (request.enterprise_id, request.quality_code or ""))
                if not request.quality_code:
                    errors["quality_code"] = Reason("rule.managers.choose_quality")
                elif held is None or not held.active:
                    errors["quality_code"] = Reason("rule.managers.quality_not_held")
                quality = request.quality_code
            phone = self._phone(errors, "phone", request.phone, required=True)
            email = self._email(errors, "email", request.email)
            person = self._person_for(c, errors, "niss", request.niss, request.first_name, request.last_name)
            if errors:
                raise ValidationFailed(errors)
            assert person is not None
            duplicate = c.session.exec(
                select(Designation).where(
                    Designation.enterprise_id == enterprise.id,
                    Designation.person_id == person.id,
                    Designation.role == request.role,
                    Designation.quality_code == quality,
                    Designation.status != DesignationStatus.ENDED,
                )
            ).first()
            if duplicate is not None:
                raise ValidationFailed({"niss": Reason("rule.managers.already")})
            if person.phone is None:
                person.phone = phone
            if email and person.email is None:
                person.email = email
            designation = Designation(
                enterprise_id=enterprise.id,  # type: ignore[arg-type]
                person_id=person.id,  # type: ignore[arg-type]
                role=request.role,
                quality_code=quality,
                status=DesignationStatus.ACTIVE if person.signed_in_at else DesignationStatus.PENDING,
                contact_phone=phone,
                designated_by_id=c.actor_id,
            )
            c.session.add(designation)
            c.session.flush()
            result = self._designations(c.session, [designation])[0]
            c.record(
                "designation.designate", f"designation:{designation.id}", enterprise.id, after=_dump(result)
            )
            return result

        return await self._write(actor, "designation.designate", f"enterprise:{request.enterprise_id}", work)

    async def end_designation(
        self, actor: int, designation_id: int, expected_version: int
    ) -> dto.DesignationPublic:
        def work(c: _Context) -> dto.DesignationPublic:
            designation = c.session.get(Designation, designation_id)
            if designation is None:
                raise NotFound(Reason("rule.no_designation"))
            refusal = _why_not_end(c, designation)
            c.require(refusal is None, refusal or "")
            if designation.status == DesignationStatus.ENDED:
                raise ValidationFailed({"status": Reason("rule.end.already")})
            before = _dump(self._designations(c.session, [designation])[0])
            _check_version(designation, expected_version, "designation")
            designation.status, designation.ended_at, designation.ended_by_id = (
                DesignationStatus.ENDED,
                utcnow(),
                c.actor_id,
            )
            c.session.flush()
            result = self._designations(c.session, [designation])[0]
            c.record(
                "designation.end",
                f"designation:{designation_id}",
                designation.enterprise_id,
                before=before,
                after=_dump(result),
            )
            return result

        return await self._write(actor, "designation.end", f"designation:{designation_id}", work)

    async def list_designations(
        self,
        actor: int,
        enterprise_id: int,
        filter: dto.DesignationFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.DesignationPublic]:
        wanted = filter or dto.DesignationFilter()

        def work(c: _Context) -> dto.Page[dto.DesignationPublic]:
            self._get_enterprise(c, enterprise_id)
            c.require_read(enterprise_id)
            stmt = select(Designation).where(Designation.enterprise_id == enterprise_id)
            if not wanted.include_ended:
                stmt = stmt.where(Designation.status != DesignationStatus.ENDED)
            if wanted.role:
                stmt = stmt.where(Designation.role == wanted.role)
            rows, after, before = keyset_page(
                c.session, stmt, [col(Designation.id)], lambda d: (d.id,), _page(page), descending=True
            )
            items = self._designations(c.session, rows, ending_for=c)
            return dto.Page(items=items, next_cursor=after, prev_cursor=before)

        return await self._read(actor, work)

    # ------------------------------------------------------------------ users

    def _get_user(self, c: _Context, user_id: int) -> PortalUser:
        user = c.session.get(PortalUser, user_id)
        if user is None:
            raise NotFound(Reason("rule.no_user"))
        return user

    def _may_manage_users(self, c: _Context, enterprise_id: int) -> bool:
        return bool(c.roles(enterprise_id) & MANAGER_ROLES)

    async def list_users(
        self,
        actor: int,
        enterprise_id: int,
        filter: dto.UserFilter | None = None,
        page: PageRequest | None = None,
    ) -> dto.Page[dto.UserPublic]:
        wanted = filter or dto.UserFilter()

        def work(c: _Context) -> dto.Page[dto.UserPublic]:
            self._get_enterprise(c, enterprise_id)
            stmt = select(PortalUser).where(PortalUser.enterprise_id == enterprise_id)
            if not (c.support or self._may_manage_users(c, enterprise_id)):
                # A plain user sees their own record only: the contact data they may change.
                if not c.has_user_account(enterprise_id):
                    raise PermissionDenied(Reason("rule.users.managers_see"))
                stmt = stmt.where(PortalUser.person_id == c.actor_id)
            if wanted.status:
                stmt = stmt.where(PortalUser.status == wanted.status)
            else:
                stmt = stmt.where(PortalUser.status != UserStatus.REMOVED)
            if wanted.service:
                stmt = stmt.where(
                    col(PortalUser.id).in_(
                        select(AccessGrant.user_id).where(AccessGrant.service_code == wanted.service)
                    )
                )
            for word in search.words_of(wanted.text):  # each word, in either order ("anne peeters")
                stmt = stmt.where(search.contains(PortalUser.name_key, word))
            keys = {
                dto.UserSort.NAME: [col(PortalUser.name_key), col(PortalUser.id)],
                dto.UserSort.STATUS: [col(PortalUser.status), col(PortalUser.name_key), col(PortalUser.id)],
                dto.UserSort.CREATED: [col(PortalUser.id)],
            }[wanted.sort]
            rows, after, before = keyset_page(
                c.session,
                stmt,
                keys,
                lambda u: tuple(getattr(u, k.key) for k in keys),
                _page(page),
                descending=wanted.descending,
            )
            return dto.Page(items=self._users(c.session, rows), next_cursor=after, prev_cursor=before)

        return await self._read(actor, work)

    async def get_user(self, actor: int, user_id: int) -> dto.UserPublic:
        def work(c: _Context) -> dto.UserPublic:
            user = self._get_user(c, user_id)
            if not (
                c.support or user.person_id == c.actor_id or self._may_manage_users(c, user.enterprise_id)
            ):
                raise PermissionDenied(Reason("rule.users.managers_see"))
            return self._users(c.session, [user])[0]

        return await self._read(actor, work)

    async def create_user(self, actor: int, request: dto.UserCreate) -> dto.UserPublic:
        def work(c: _Context) -> dto.UserPublic:
            enterprise = self._get_enterprise(c, request.enterprise_id)
            c.require(
                self._may_manage_users(c, request.enterprise_id),
                Reason("rule.users.managers_create"),
            )
            errors: dict[str, str] = {}
            phone = self._phone(errors, "phone", request.phone, required=False)
            email = self._email(errors, "email", request.email)
            services = self._service_codes(c, errors, request.services, [enterprise.id])  # type: ignore[list-item]
            person = self._person_for(c, errors, "niss", request.niss, request.first_name, request.last_name)
            if errors:
                raise ValidationFailed(errors)
            assert person is not None
            c.session.flush()
            user = c.session.exec(
                select(PortalUser).where(
                    PortalUser.enterprise_id == enterprise.id, PortalUser.person_id == person.id
                )
            ).first()
            if user is not None and user.status != UserStatus.REMOVED:
                raise ValidationFailed({"niss": Reason("rule.users.already")})
            if phone and person.phone is None:
                person.phone = phone
            if email and person.email is None:
                person.email = email
            if user is None:
                user = PortalUser(
                    enterprise_id=enterprise.id,  # type: ignore[arg-type]
                    person_id=person.id,  # type: ignore[arg-type]
                    name_key=name_key(person.last_name, person.first_name),
                    status=UserStatus.ACTIVE,
                    created_by_id=c.actor_id,
                )
            else:
                user.status, user.created_by_id, user.created_at = UserStatus.ACTIVE, c.actor_id, utcnow()
                user.version += 1
            c.session.add(user)
            c.session.flush()
            for code in services:
                c.session.add(AccessGrant(user_id=user.id, service_code=code, granted_by_id=c.actor_id))  # type: ignore[arg-type]
            c.session.flush()
            result = self._users(c.session, [user])[0]
            c.record("user.create", f"user:{user.id}", enterprise.id, after=_dump(result))
            return result

        return await self._write(actor, "user.create", f"enterprise:{request.enterprise_id}", work)

    def _service_codes(
        self, c: _Context, errors: dict[str, str], codes: Iterable[str], granted_in: Iterable[int] = ()
    ) -> list[str]:
        """The known online services among `codes`; to be granted in the enterprises `granted_in`, each
        must be one the catalogue offers to their kind (DmfAPPL to local administrations, ...)."""
        wanted = sorted(set(codes))
        known = {
            o.code: o
            for o in c.session.exec(select(OnlineService).where(col(OnlineService.code).in_(wanted))).all()
        }
        unknown = [code for code in wanted if code not in known]
        enterprises = set(granted_in)
        kinds = (
            set(c.session.exec(select(Enterprise.category).where(col(Enterprise.id).in_(enterprises))))
            if enterprises
            else set()
        )
        elsewhere = [
            known[code]
            for code in wanted
            if code in known and not kinds <= set(known[code].enterprise_categories.split(","))
        ]
        if unknown:
            errors["services"] = Reason("rule.users.unknown_services", services=", ".join(unknown))
        elif elsewhere:
            errors["services"] = Reason(
                "rule.users.services_elsewhere",
                kind=_listed((f"category.{kind}" for kind in sorted(kinds)), joiner="rule.and"),
                services=_names(elsewhere),
            )
        return [code for code in wanted if code in known]

    async def update_user(self, actor: int, user_id: int, changes: dto.UserUpdate) -> dto.UserPublic:
        def work(c: _Context) -> dto.UserPublic:
            user = self._get_user(c, user_id)
            manager = self._may_manage_users(c, user.enterprise_id)
            own = user.person_id == c.actor_id
            c.require(
                manager or own,
                Reason("rule.users.managers_change"),
            )
            if not manager and (changes.first_name is not None or changes.last_name is not None):
                raise PermissionDenied(Reason("rule.users.own_contact_only"))
            if user.status == UserStatus.REMOVED:
                raise ValidationFailed({"status": Reason("rule.users.removed")})
            errors: dict[str, str] = {}
            person = c.session.get(Person, user.person_id)
            assert person is not None
            new: dict[str, str | None] = {}
            if changes.phone is not None:
                new["phone"] = self._phone(errors, "phone", changes.phone, required=False)
            if changes.email is not None:
                new["email"] = self._email(errors, "email", changes.email)
            for name in ("first_name", "last_name"):
                value = getattr(changes, name)
                if value is not None:
                    if not value.strip():
                        errors[name] = Reason("rule.users.name_empty")
                    new[name] = value.strip()
            if errors:
                raise ValidationFailed(errors)
            before = self._users(c.session, [user])[0]
            _check_version(user, changes.expected_version, "user")
            for name, value in new.items():
                setattr(person, name, value)
            person.version += 1
            person.name_key = user.name_key = name_key(person.last_name, person.first_name)
            c.session.flush()
            # Every user row of this person carries the name key.
            for other in c.session.exec(select(PortalUser).where(PortalUser.person_id == person.id)).all():
                other.name_key = user.name_key
            result = self._users(c.session, [user])[0]
            c.record(
                "user.update",
                f"user:{user_id}",
                user.enterprise_id,
                before=_dump(before),
                after=_dump(result),
            )
            return result

        return await self._write(actor, "user.update", f"user:{user_id}", work)

    async def set_user_status(
        self, actor: int, user_id: int, status: UserStatus, expected_version: int
    ) -> dto.UserPublic:
        status = UserStatus(status)

        def work(c: _Context) -> dto.UserPublic:
            user = self._get_user(c, user_id)
            c.require(
                self._may_manage_users(c, user.enterprise_id),
                Reason("rule.users.managers_status"),
            )
            current = UserStatus(user.status)
            if current == UserStatus.REMOVED:
                raise ValidationFailed({"status": Reason("rule.users.removed")})
            if current == status:
                raise ValidationFailed(
                    {
                        "status": Reason(
                            "rule.users.already_status",
                            status=in_every_language(f"users.status.{status.value}"),
                        )
                    }
                )
            before = self._users(c.session, [user])[0]
            _check_version(user, expected_version, "user")
            user.status = status
            if status == UserStatus.REMOVED:
                for grant in c.session.exec(select(AccessGrant).where(AccessGrant.user_id == user.id)).all():
                    c.session.delete(grant)
            c.session.flush()
            result = self._users(c.session, [user])[0]
            action = {
                UserStatus.ACTIVE: "user.reactivate",
                UserStatus.SUSPENDED: "user.suspend",
                UserStatus.REMOVED: "user.remove",
            }[status]
            c.record(action, f"user:{user_id}", user.enterprise_id, before=_dump(before), after=_dump(result))
            return result

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

        def work(c: _Context) -> list[dto.UserPublic]:
            if not user_ids:
                raise ValidationFailed({"users": Reason("rule.users.choose_users")})
            if not service_codes:
                raise ValidationFailed({"services": Reason("rule.users.choose_services")})
            users = c.session.exec(select(PortalUser).where(col(PortalUser.id).in_(set(user_ids)))).all()
            if len(users) != len(set(user_ids)):
                raise NotFound(Reason("rule.no_user"))
            for enterprise_id in {u.enterprise_id for u in users}:
                c.require(
                    self._may_manage_users(c, enterprise_id),
                    Reason("rule.users.managers_grant"),
                )
            errors: dict[str, str] = {}
            codes = self._service_codes(
                c, errors, service_codes, {u.enterprise_id for u in users} if grant else ()
            )
            if grant:
                inactive = [u.person_id for u in users if u.status != UserStatus.ACTIVE]
                if inactive:
                    names = self._names(c.session, inactive)
                    errors["users"] = Reason(
                        "rule.users.grant_inactive", names=", ".join(sorted(names[p] for p in inactive))
                    )
            if errors:
                raise ValidationFailed(errors)
            befores = {u.id: u for u in self._users(c.session, users)}
            for user in users:
                held = set(
                    c.session.exec(
                        select(AccessGrant.service_code).where(AccessGrant.user_id == user.id)
                    ).all()
                )
                changed = sorted(set(codes) - held) if grant else sorted(set(codes) & held)
                for code in changed:
                    if grant:
                        c.session.add(
                            AccessGrant(user_id=user.id, service_code=code, granted_by_id=c.actor_id)
                        )  # type: ignore[arg-type]
                    else:
                        existing = c.session.get(AccessGrant, (user.id, code))
                        c.session.delete(existing)
                if changed:
                    user.version += 1
            c.session.flush()
            results = self._users(c.session, users)
            for result in results:
                if result.services != befores[result.id].services:
                    c.record(
                        action,
                        f"user:{result.id}",
                        result.enterprise_id,
                        before={"services": befores[result.id].services},
                        after={"services": result.services},
                    )
            order = {uid: i for i, uid in enumerate(user_ids)}
            return sorted(results, key=lambda u: order[u.id])

        return await self._write(actor, action, "users:" + ",".join(map(str, user_ids)), work)

    # ------------------------------------------------------------------ mandates

    def _acts_for_mandatary(self, c: _Context, enterprise_id: int, *, manage: bool) -> bool:
        """Whether the actor acts for the mandatary whose enterprise this is (Mahis "manage mandates",
        or only "consult" when not `manage`)."""
        roles = c.roles(enterprise_id)
        if roles & (MAIN_ROLES | {Role.LEGAL_REPRESENTATIVE}):
            return True
        services = c.user_services(enterprise_id)
        return MAHIS_MANAGE in services or (not manage and MAHIS_CONSULT in services)

    def _mandate_scope(self, c: _Context) -> _PartyFilter | None:
        """The mandates the actor may see, or None for all (support staff)."""
        if c.support or c.actor is None:
            return None
        mine = c.enterprise_ids()
        providers = c.session.exec(select(Provider.id).where(col(Provider.enterprise_id).in_(mine))).all()
        return _PartyFilter(principals=mine, mandataries=list(providers))  # type: ignore[arg-type]

    async def list_providers(
        self, actor: int, query: str = "", page: PageRequest | None = None
    ) -> dto.Page[dto.ProviderPublic]:
        def work(c: _Context) -> dto.Page[dto.ProviderPublic]:
            stmt = select(Provider, Enterprise).join(Enterprise, col(Enterprise.id) == Provider.enterprise_id)
            if query.strip():
                digits = ids.compact_digits(query)
                if digits.isdigit():
                    stmt = stmt.where(
                        or_(
                            col(Enterprise.enterprise_number).startswith(digits),
                            Provider.secretariat_number == digits,
                        )
                    )
                else:
                    stmt = stmt.where(search.contains(Enterprise.name_key, name_key(query)))
            rows, after, before = keyset_page(
                c.session,
                stmt,
                [col(Enterprise.name_key), col(Provider.id)],  # type: ignore[arg-type]
                lambda row: (row[1].name_key, row[0].id),
                _page(page),
            )
            providers = self._providers(c.session, [p.id for p, _ in rows])  # type: ignore[misc]
            return dto.Page(items=[providers[p.id] for p, _ in rows], next_cursor=after, prev_cursor=before)  # type: ignore[index]

        return await self._read(actor, work)

    async def list_mandates(
        self, actor: int, filter: dto.MandateFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.MandatePublic]:
        wanted = filter or dto.MandateFilter()

        def work(c: _Context) -> dto.Page[dto.MandatePublic]:
            stmt = self._mandate_query(c, wanted)
            keys = {
                dto.MandateSort.PRINCIPAL: [col(Mandate.principal_key), col(Mandate.id)],
                dto.MandateSort.MANDATARY: [
                    col(Mandate.mandatary_key),
                    col(Mandate.principal_key),
                    col(Mandate.id),
                ],
                dto.MandateSort.START: [
                    col(Mandate.start_quarter),
                    col(Mandate.principal_key),
                    col(Mandate.id),
                ],
                dto.MandateSort.STATUS: [col(Mandate.status), col(Mandate.principal_key), col(Mandate.id)],
                dto.MandateSort.NEWEST: [col(Mandate.id)],
            }[wanted.sort]
            descending = wanted.descending != (wanted.sort == dto.MandateSort.NEWEST)
            rows, after, before = keyset_page(
                c.session.connection(),
                stmt,
                keys,
                lambda m: tuple(getattr(m, k.key) for k in keys),
                _page(page),
                descending=descending,
            )
            names = {m.created_by_id: m.created_by_name for m in rows if m.created_by_id}
            names.update((m.validated_by_id, m.validated_by_name) for m in rows if m.validated_by_id)
            items = self._mandates(c.session, rows, names, steps_for=c)
            return dto.Page(items=items, next_cursor=after, prev_cursor=before)

        return await self._read(actor, work)

    def _mandate_query(self, c: _Context, wanted: dto.MandateFilter) -> Any:
        """Rows of the mandate table that match the filter, planned by how many there are.

        Few matches (found by a probe through the filters' own indexes): fetched by id and sorted.
        Many: the ordered index of the sort is scanned, with filters no index is tempted to serve.
        """
        parties = [p for p in (self._mandate_scope(c), *self._party_filters(c, wanted)) if p is not None]
        # Each other filter as (form an index serves, form checked row by row during an ordered scan).
        others: list[tuple[Any, Any]] = []
        if wanted.status:
            sqlite = self.engine.dialect.name == "sqlite"
            shown = _shows_as(wanted.status, self.current_quarter(), sqlite=sqlite)
            others.append((shown, shown))
        if wanted.group:
            in_group = select(MandateGroup.mandate_id).where(MandateGroup.group_code == wanted.group)
            # The code in the comma-separated list, as patterns on the column itself: PostgreSQL then
            # estimates how many rows match from the column's statistics (a pattern on an expression
            # is guessed rare, and a sort of every match won over the ordered scan: 250 ms a page).
            code, groups = search.escape_like(wanted.group), col(Mandate.groups)
            listed = or_(
                groups == wanted.group,
                *(groups.like(p, escape="\\") for p in (f"{code},%", f"%,{code}", f"%,{code},%")),
            )
            others.append((col(Mandate.id).in_(in_group), listed))
        if wanted.quarter:
            try:
                quarter = Quarter.parse(wanted.quarter).code
            except QuarterError as exc:
                raise ValidationFailed({"quarter": quarter_reason(exc)}) from exc
            valid = and_(
                Mandate.start_quarter <= quarter,
                or_(col(Mandate.end_quarter).is_(None), col(Mandate.end_quarter) >= quarter),
            )
            others.append((valid, valid))
        rows = _MANDATE_ROWS
        if not parties and not others:
            return rows
        plan_key = (c.actor_id, wanted.model_dump_json(exclude={"sort", "descending"}))
        if plan_key not in self._dense_plans and all(p.scan is None for p in parties):
            probe = sa_select(Mandate.id).where(
                *(p.condition(indexed=True) for p in parties), *(indexed for indexed, _ in others)
            )
            found = c.session.execute(probe.limit(SPARSE_LIMIT)).scalars().all()
            if len(found) < SPARSE_LIMIT:
                return rows.where(col(Mandate.id).in_(found))
            if len(self._dense_plans) > 1000:
                self._dense_plans.clear()
            self._dense_plans.add(plan_key)
        return rows.where(*(p.condition(indexed=False) for p in parties), *(scan for _, scan in others))

    def _party_filters(self, c: _Context, wanted: dto.MandateFilter) -> list[_PartyFilter]:
        filters = []
        if wanted.enterprise_id is not None:
            providers = c.session.exec(
                select(Provider.id).where(Provider.enterprise_id == wanted.enterprise_id)
            ).all()
            filters.append(_PartyFilter(principals=[wanted.enterprise_id], mandataries=list(providers)))  # type: ignore[arg-type]
        for query, principal, mandatary in (
            (wanted.text, True, True),
            (wanted.principal, True, False),
            (wanted.mandatary, False, True),
        ):
            if not query.strip():
                continue
            key = name_key(query)
            party = _PartyFilter()
            if principal:
                matches = search.enterprise_ids(c.session, query, key)
                if matches is None:  # too many to list: dense, scan the ordered index
                    digits = search.digits_of(query)
                    party.scan = (
                        search.prefix_range(Mandate.principal_number, digits)
                        if digits is not None
                        else search.contains(Mandate.principal_key, key)
                    )
                else:
                    party.principals = matches
            if mandatary:
                party.mandataries = search.provider_ids(c.session, query, key)
            filters.append(party)
        return filters

    def _get_mandate(self, c: _Context, mandate_id: int) -> tuple[Mandate, Provider]:
        mandate = c.session.get(Mandate, mandate_id)
        if mandate is None:
            raise NotFound(Reason("rule.no_mandate"))
        provider = c.session.get(Provider, mandate.mandatary_id)
        assert provider is not None
        return mandate, provider

    async def get_mandate(self, actor: int, mandate_id: int) -> dto.MandatePublic:
        def work(c: _Context) -> dto.MandatePublic:
            mandate, provider = self._get_mandate(c, mandate_id)
            if not (c.may_read(mandate.principal_id) or c.may_read(provider.enterprise_id)):
                raise PermissionDenied(Reason("rule.mandate.not_yours"))
            return self._mandates(c.session, [mandate], steps_for=c)[0]

        return await self._read(actor, work)

    async def create_mandate(self, actor: int, request: dto.MandateCreate) -> dto.MandatePublic:
        def work(c: _Context) -> dto.MandatePublic:
            principal = self._get_enterprise(c, request.principal_id)
            c.require(
                Role.LEGAL_REPRESENTATIVE in c.roles(request.principal_id),
                Reason("rule.mandate.legal_only"),
            )
            errors: dict[str, str] = {}
            provider = c.session.get(Provider, request.mandatary_id) if request.mandatary_id > 0 else None
            if request.mandatary_id <= 0:
                errors["mandatary_id"] = Reason("rule.mandate.choose_mandatary")
            elif provider is None:
                errors["mandatary_id"] = Reason("rule.mandate.unknown_mandatary")
            elif provider.enterprise_id == principal.id:
                errors["mandatary_id"] = Reason("rule.mandate.self")
            groups = {g.code: g for g in c.session.exec(select(ServiceGroup)).all()}
            chosen = sorted(set(request.groups))
            if not chosen:
                errors["groups"] = Reason("rule.mandate.choose_groups")
            for code in chosen:
                group = groups.get(code)
                if group is None:
                    errors["groups"] = Reason("rule.mandate.unknown_group", code=code)
                elif principal.category not in group.principal_categories.split(","):
                    errors["groups"] = Reason(
                        "rule.mandate.group_elsewhere",
                        group=_names([group]),
                        kind=in_every_language(f"category.{principal.category}"),
                    )
                elif provider is not None and provider.kind not in group.mandatary_kinds.split(","):
                    kinds = (f"rule.kind.{kind.strip()}" for kind in group.mandatary_kinds.split(","))
                    errors["groups"] = Reason(
                        "rule.mandate.group_only_to", group=_names([group]), kinds=_listed(kinds)
                    )
            start = end = None
            try:
                start = Quarter.parse(request.start_quarter)
                now = self.current_quarter()
                if start < now:
                    errors["start_quarter"] = Reason("rule.mandate.start_past", now=str(now))
            except QuarterError as exc:
                errors["start_quarter"] = quarter_reason(exc)
            if request.end_quarter:
                try:
                    end = Quarter.parse(request.end_quarter)
                    if start and end < start:
                        errors["end_quarter"] = Reason("rule.mandate.end_before_start")
                except QuarterError as exc:
                    errors["end_quarter"] = quarter_reason(exc)
            branch = None
            if request.branch_number:
                try:
                    branch = ids.validate_secretariat_number(request.branch_number)
                except ids.IdentifierError as exc:
                    errors["branch_number"] = _identifier_reason("branch", request.branch_number, exc, "rule")
                if provider is not None and provider.kind != dto.ProviderKind.SOCIAL_SECRETARIAT:
                    errors["branch_number"] = Reason("rule.mandate.branch_ssa_only")
            if errors:
                raise ValidationFailed(errors)
            assert provider is not None and start is not None
            self._check_overlap(c, principal.id, provider, [groups[g] for g in chosen], start, end, None)  # type: ignore[arg-type]
            provider_enterprise = c.session.get(Enterprise, provider.enterprise_id)
            assert provider_enterprise is not None
            mandate = Mandate(
                principal_id=principal.id,  # type: ignore[arg-type]
                mandatary_id=provider.id,  # type: ignore[arg-type]
                principal_number=principal.enterprise_number,
                principal_name=principal.name,
                principal_key=principal.name_key,
                mandatary_number=provider_enterprise.enterprise_number,
                mandatary_name=provider_enterprise.name,
                mandatary_key=provider_enterprise.name_key,
                branch_number=branch,
                groups=",".join(chosen),
                start_quarter=start.code,
                end_quarter=end.code if end else None,
                status=MandateStatus.PENDING if request.submit else MandateStatus.TO_FINALISE,
                procuration_reference=(request.procuration_reference or "").strip() or None,
                created_by_id=c.actor_id,
            )
            c.session.add(mandate)
            c.session.flush()
            for code in chosen:
                c.session.add(MandateGroup(mandate_id=mandate.id, group_code=code))  # type: ignore[arg-type]
            c.session.flush()
            result = self._mandates(c.session, [mandate], steps_for=c)[0]
            c.record("mandate.create", f"mandate:{mandate.id}", principal.id, after=_dump(result))
            return result

        return await self._write(actor, "mandate.create", f"enterprise:{request.principal_id}", work)

    def _check_overlap(
        self,
        c: _Context,
        principal_id: int,
        provider: Provider,
        groups: list[ServiceGroup],
        start: Quarter,
        end: Quarter | None,
        exclude: int | None,
    ) -> None:
        """A group held by one mandatary passes to another only at a change of quarter."""
        for group in groups:
            clash = select(Mandate).where(
                Mandate.principal_id == principal_id,
                or_(
                    col(Mandate.status).in_(LIVE_MANDATE_STATUSES),
                    # A closed mandate that was active holds its groups until its end quarter.
                    and_(Mandate.status == MandateStatus.CLOSED, col(Mandate.end_quarter).is_not(None)),
                ),
                col(Mandate.id).in_(
                    select(MandateGroup.mandate_id).where(MandateGroup.group_code == group.code)
                ),
                or_(col(Mandate.end_quarter).is_(None), col(Mandate.end_quarter) >= start.code),
            )
            if end is not None:
                clash = clash.where(Mandate.start_quarter <= end.code)
            if exclude is not None:
                clash = clash.where(Mandate.id != exclude)
            if not group.single_mandatary:
                clash = clash.where(Mandate.mandatary_id == provider.id)
            other = c.session.exec(clash.order_by(Mandate.start_quarter).limit(1)).first()
            if other is None:
                continue
            said: dict[str, Said] = {"group": _names([group]), "mandatary": other.mandatary_name}
            if other.end_quarter:
                until = Quarter.from_code(other.end_quarter)
                said.update(end=str(until), free=str(until.next()))
            same = "same" if other.mandatary_id == provider.id else "other"
            how_long = "until" if other.end_quarter else "open"
            raise ValidationFailed({"start_quarter": Reason(f"rule.overlap.{same}_{how_long}", **said)})

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
        def work(c: _Context) -> dto.MandatePublic:
            mandate, provider = self._get_mandate(c, mandate_id)
            status = MandateStatus(mandate.status)
            try:
                new_status, party = next_mandate_status(status, action)
            except StepNotPossible as exc:
                c.require(
                    self._may_take(c, Party.EITHER, mandate.principal_id, provider.enterprise_id),
                    Reason("rule.mandate.not_acting"),
                )
                raise ValidationFailed({"status": _step_not_possible(exc)}) from exc
            allowed = self._may_take(c, party, mandate.principal_id, provider.enterprise_id)
            c.require(allowed, Reason(f"rule.step.{party.value}"))
            before = self._mandates(c.session, [mandate])[0]
            _check_version(mandate, expected_version, "mandate")
            if action in (MandateAction.SUBMIT, MandateAction.ACCEPT):
                groups = c.session.exec(
                    select(ServiceGroup).where(col(ServiceGroup.code).in_(mandate.groups.split(",")))
                ).all()
                end = Quarter.from_code(mandate.end_quarter) if mandate.end_quarter else None
                self._check_overlap(
                    c,
                    mandate.principal_id,
                    provider,
                    list(groups),
                    Quarter.from_code(mandate.start_quarter),
                    end,
                    mandate.id,
                )
                if action == MandateAction.ACCEPT:
                    mandate.validated_by_id = c.actor_id
            if new_status == MandateStatus.CLOSED and status == MandateStatus.ACTIVE:
                now = self.current_quarter().code
                if mandate.start_quarter <= now and (
                    mandate.end_quarter is None or mandate.end_quarter > now
                ):
                    mandate.end_quarter = now
            mandate.status = new_status
            mandate.updated_at = utcnow()
            c.session.flush()
            result = self._mandates(c.session, [mandate], steps_for=c)[0]
            c.record(
                f"mandate.{action.value}",
                f"mandate:{mandate_id}",
                mandate.principal_id,
                before=_dump(before),
                after=_dump(result),
            )
            return result

        return await self._write(actor, f"mandate.{action.value}", f"mandate:{mandate_id}", work)

    # ------------------------------------------------------------------ audit

    async def list_audit(
        self, actor: int, filter: dto.AuditFilter | None = None, page: PageRequest | None = None
    ) -> dto.Page[dto.AuditEntryPublic]:
        wanted = filter or dto.AuditFilter()

        def work(c: _Context) -> dto.Page[dto.AuditEntryPublic]:
            stmt = select(AuditEntry)
            if not c.support:
                managed = [
                    e
                    for e in c.enterprise_ids()
                    if c.roles(e) & (MANAGER_ROLES | {Role.LEGAL_REPRESENTATIVE})
                ]
                stmt = stmt.where(
                    or_(AuditEntry.actor_id == c.actor_id, col(AuditEntry.enterprise_id).in_(managed))
                )
            if wanted.actor_id is not None:
                stmt = stmt.where(AuditEntry.actor_id == wanted.actor_id)
            if wanted.enterprise_id is not None:
                stmt = stmt.where(AuditEntry.enterprise_id == wanted.enterprise_id)
            if wanted.action.strip():  # codes are lower case: "Mandate" finds "mandate.accept"
                stmt = stmt.where(search.prefix_range(AuditEntry.action, wanted.action.strip().lower()))
            rows, after, before = keyset_page(
                c.session, stmt, [col(AuditEntry.id)], lambda a: (a.id,), _page(page), descending=True
            )
            enterprises, labels = self._audit_names(c.session, rows)
            items = [
                self._audit_entry(a, enterprises.get(a.enterprise_id), labels.get(a.target)) for a in rows
            ]
            return dto.Page(items=items, next_cursor=after, prev_cursor=before)

        return await self._read(actor, work)

    def _audit_names(
        self, session: Session, entries: Sequence[AuditEntry]
    ) -> tuple[dict[int, tuple[str, str]], dict[str, str]]:
        """The number and name of each entry's enterprise, and what each target is, in words: a name for a
        person, a user or a designation (never a national register number), an enterprise's name, a
        mandate's principal and mandatary. One query per kind of target, one for every enterprise named; a
        target no longer found has no label."""
        ids: dict[str, set[int]] = {}
        for entry in entries:
            kind, _, number = entry.target.partition(":")
            if number.isdigit():
                ids.setdefault(kind, set()).add(int(number))
        person_of = {f"person:{i}": i for i in ids.get("person", ())}
        for kind, table in (("user", PortalUser), ("designation", Designation)):
            if kind in ids:
                found = session.execute(select(table.id, table.person_id).where(col(table.id).in_(ids[kind])))
                person_of.update({f"{kind}:{row.id}": row.person_id for row in found})
        mandates = (
            session.execute(
                select(Mandate.id, Mandate.principal_id, Provider.enterprise_id)
                .join(Provider, col(Provider.id) == Mandate.mandatary_id)
                .where(col(Mandate.id).in_(ids["mandate"]))
            ).all()
            if "mandate" in ids
            else []
        )
        enterprise_ids = (
            {e.enterprise_id for e in entries if e.enterprise_id is not None}
            | ids.get("enterprise", set())
            | {i for m in mandates for i in (m[1], m[2])}
        )
        enterprises: dict[int, tuple[str, str]] = {}
        if enterprise_ids:
            named = select(Enterprise.id, Enterprise.enterprise_number, Enterprise.name).where(
                col(Enterprise.id).in_(enterprise_ids)
            )
            enterprises = {row.id: (row.enterprise_number, row.name) for row in session.execute(named)}
        names = self._names(session, person_of.values())
        labels = {target: names[person] for target, person in person_of.items() if person in names}
        named_enterprises = [i for i in ids.get("enterprise", ()) if i in enterprises]
        labels |= {f"enterprise:{i}": enterprises[i][1] for i in named_enterprises}
        for mandate_id, principal, mandatary in mandates:
            labels[f"mandate:{mandate_id}"] = f"{enterprises[principal][1]} → {enterprises[mandatary][1]}"
        return enterprises, labels

    @staticmethod
    def _audit_entry(
        entry: AuditEntry, enterprise: tuple[str, str] | None, target_label: str | None
    ) -> dto.AuditEntryPublic:
        return dto.AuditEntryPublic(
            id=entry.id,  # type: ignore[arg-type]
            at=entry.at,
            actor=entry.actor_name,
            action=entry.action,
            target=entry.target,
            target_label=target_label,
            enterprise_id=entry.enterprise_id,
            enterprise_number=enterprise[0] if enterprise else None,
            enterprise_name=enterprise[1] if enterprise else None,
            outcome=entry.outcome,
            before=json.loads(entry.before_json) if entry.before_json else None,
            after=json.loads(entry.after_json) if entry.after_json else None,
        )

    async def verify_audit(self, actor: int) -> dto.AuditVerification:
        return await self._read(actor, lambda c: audit.verify(c.session))
