"""One call to the local store: its session and actor, what the actor may do (read once per call), and
the runners that give each read or write its transaction and record a refusal in the trail.

A refusal is recorded once, in a transaction of its own, under the enterprise it concerns: the one its
target names (`enterprise:N`, a user's, a designation's, a mandate's principal), or the one the work said
it concerns (`Context.concern`) when its target names none as such (a designation typed by enterprise
number, a person's national register number). A check of who the actor is that fails while the answer is
a validation error (the legal representative's own eID card or number, said beside its field) is
recorded as a refusal too (`Context.refuse_quietly`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, Row, bindparam, inspect, text
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.dto import SYSTEM, DesignationStatus, Role, UserStatus
from onss_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Reason,
    ServiceError,
    ValidationFailed,
)
from onss_tui.services.local import audit
from onss_tui.services.local.anchoring import Verifier
from onss_tui.services.local.checkpoints import ANCHOR, Anchor
from onss_tui.services.local.store import STORE_FAILURES, store_failure
from onss_tui.services.local.tables import (
    AccessGrant,
    Designation,
    Enterprise,
    Mandate,
    Person,
    PortalUser,
)

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)

_PEOPLE = inspect(Person).local_table
_ACTOR_ROW = sa_select(_PEOPLE).where(_PEOPLE.c.id == bindparam("actor"))


class Store:
    """A local store as each call sees it: its engine, which quarter it is, and what the service
    remembers from one call to the next."""

    def __init__(self, engine: Engine, current_quarter: Callable[[], Quarter]) -> None:
        self.engine = engine
        self.writer = engine.execution_options(write=True)
        self.sqlite = engine.dialect.name == "sqlite"
        self.current_quarter = current_quarter
        self.providers: dict[int, dto.ProviderPublic] = {}
        """Providers by id, each read once: their registry only grows, and a row never changes."""
        self.dense_plans: set[tuple[int | None, str]] = set()
        """Mandate filters known to match many mandates: their pages skip the probe (`mandate_plan`)."""
        self.figures: dict[tuple[int | None, int, int, int, int], dto.MandateFigures] = {}
        """Mandate figures by (enterprise or None, quarter, last audit entry, mandate and enterprise):
        exact until the next write (`figures`)."""
        self.anchor: Anchor | None = None
        """Signs checkpoints of the audit trail as writes append to it (none: the trail is not anchored)."""
        self.verifier = Verifier()


class Context:
    """One call: its session, the acting person, and what that person may do (cached per call)."""

    def __init__(self, store: Store, session: Session, actor: Person | Row[Any] | None) -> None:
        self.store = store
        self.session = session
        self.actor = actor
        self._roles: dict[int, frozenset[Role]] | None = None
        self._services: dict[int, set[str]] | None = None
        self.concerned: tuple[str, int | None] | None = None
        """The target and enterprise a refusal of this call is recorded under, when `concern` said them."""
        self.refusal_facts: dict[str, Any] = {}
        """What a refusal's entry keeps beside its reason (bounded values the work gives, never input)."""
        self.quiet_refusal: Reason | None = None
        """A refusal to record although the call fails as a validation error (`refuse_quietly`)."""

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor else None

    @property
    def actor_name(self) -> str:
        return f"{self.actor.first_name} {self.actor.last_name}" if self.actor else SYSTEM

    @property
    def support(self) -> bool:
        return bool(self.actor and self.actor.support_staff)

    def acting_person(self) -> Person:
        """The actor as a row this call may change (a write's context holds the person itself)."""
        assert isinstance(self.actor, Person)
        return self.actor

    def get(self, model: type[M], key: Any, missing: str) -> M:
        """The row of `model` with this key, else `NotFound` for the reason of key `missing`."""
        row = self.session.get(model, key)
        if row is None:
            raise NotFound(Reason(missing))
        return row

    def now(self) -> Quarter:
        """The quarter it is now (the calendar's, unless the service was given another clock)."""
        return self.store.current_quarter()

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

    def concern(self, target: str, enterprise_id: int | None, **facts: Any) -> None:
        """Say what this call aims at, once the work knows it: a refusal is recorded as aimed at `target`,
        in the trail of `enterprise_id`, keeping `facts` (bounded values)."""
        self.concerned = (target, enterprise_id)
        self.refusal_facts.update(facts)

    def refuse_quietly(self, reason: Reason, **facts: Any) -> None:
        """A check of who the actor is failed: the call still fails as the validation error it raises,
        and the trail records the attempt as refused for `reason` (the first one), keeping `facts`."""
        if self.quiet_refusal is None:
            self.quiet_refusal = reason
        self.refusal_facts.update(facts)

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


def run_read(store: Store, actor: int | None, work: Callable[[Context], T]) -> T:
    """Run `work` in a session of its own. A refusal is the caller's to record (`record_refused_read`),
    in a thread: recording writes, and a read may run on the server's event loop."""
    try:
        with Session(store.engine) as session:
            person = None
            if actor is not None:  # a plain row: a read changes nothing of the actor's
                person = session.connection().execute(_ACTOR_ROW, {"actor": actor}).first()
                if person is None:
                    raise PermissionDenied(Reason("rule.signed_out"))
            return work(Context(store, session, person))
    except STORE_FAILURES as exc:
        raise store_failure(exc) from exc


class Snapshot:
    """Many reads as of one moment, for an export: one read transaction (SQLite's WAL keeps its snapshot;
    PostgreSQL's is REPEATABLE READ, read only), which never blocks a writer. `read` runs work in it,
    failures classified as `run_read` does; `close` ends it."""

    def __init__(self, store: Store, actor: int | None) -> None:
        self.session = Session(store.engine)
        try:
            if not store.sqlite:
                self.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            person = None
            if actor is not None:
                person = self.session.connection().execute(_ACTOR_ROW, {"actor": actor}).first()
                if person is None:
                    raise PermissionDenied(Reason("rule.signed_out"))
            self.context = Context(store, self.session, person)
        except STORE_FAILURES as exc:
            self.session.close()
            raise store_failure(exc) from exc
        except BaseException:
            self.session.close()
            raise

    def read(self, work: Callable[[Context], T]) -> T:
        try:
            return work(self.context)
        except STORE_FAILURES as exc:
            raise store_failure(exc) from exc

    def close(self) -> None:
        self.session.close()


def run_write(
    store: Store,
    actor: int | None,
    action: str,
    target: str,
    work: Callable[[Context], T],
    support_passes: bool,
) -> T:
    """Run `work` in one transaction that holds the audit chain's head (so writes are serial); a refusal
    rolls it back and is recorded as `action` on `target`. Support staff are refused at once, unless
    `support_passes` (an audited read, a person's name): then the work decides. A store that fails while
    the change is being committed leaves its outcome unknown; before, it was not made."""
    committing = False
    failure: ServiceError
    refusal: str
    try:
        with Session(store.writer, expire_on_commit=False, info={ANCHOR: store.anchor}) as session:
            audit.lock_head(session)
            context = Context(store, session, _acting(session, actor))
            actor_id, actor_name = context.actor_id, context.actor_name  # read before a rollback expires them
            try:
                if context.support and not support_passes:
                    context.require(False, "")
                result = work(context)
                committing = True
                session.commit()
                return result
            except PermissionDenied as exc:
                session.rollback()
                failure, refusal = exc, exc.message
            except ValidationFailed as exc:
                session.rollback()
                if context.quiet_refusal is None:
                    raise
                failure, refusal = exc, context.quiet_refusal
            except IntegrityError as exc:
                session.rollback()
                raise Conflict(Reason("rule.changed_meanwhile")) from exc
        _record_refusal(
            store,
            actor_id,
            actor_name,
            action,
            target,
            refusal,
            context.refusal_facts,
            context.concerned,
        )
    except STORE_FAILURES as exc:
        raise store_failure(exc, committing=committing) from exc
    raise failure


def record_refused_read(
    store: Store, actor: int, action: str, target: str, refusal: PermissionDenied
) -> None:
    """Record a refused read as `action` on `target`, in the trail of the enterprise the target names
    (nothing when the actor is no one the store knows: the refusal said they are signed out)."""
    try:
        with Session(store.engine) as session:
            row = session.connection().execute(_ACTOR_ROW, {"actor": actor}).first()
        if row is not None:
            name = f"{row.first_name} {row.last_name}"
            _record_refusal(store, actor, name, action, target, refusal.message, {})
    except STORE_FAILURES as exc:
        raise store_failure(exc) from exc


def _acting(session: Session, actor: int | None) -> Person | None:
    if actor is None:
        return None
    person = session.get(Person, actor)
    if person is None:
        raise PermissionDenied(Reason("rule.signed_out"))
    return person


def _record_refusal(
    store: Store,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target: str,
    refusal: str,
    facts: dict[str, Any],
    concerned: tuple[str, int | None] | None = None,
) -> None:
    """One entry, of a bounded size: the reason, its message key and values, and the work's `facts`; aimed
    at what the work said it concerns, else at `target` in the trail of the enterprise it names."""
    why: dict[str, Any] = {"reason": str(refusal), **facts}
    if isinstance(refusal, Reason):  # for the trail to say it in its reader's language
        why.update(reason_key=refusal.key, reason_params=refusal.params)
    with Session(store.writer, info={ANCHOR: store.anchor}) as session:
        target, enterprise_id = concerned or (target, _enterprise_of(session, target))
        audit.append(
            session,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            target=target,
            enterprise_id=enterprise_id,
            outcome="refused",
            after=why,
        )
        session.commit()


def _enterprise_of(session: Session, target: str) -> int | None:
    """The enterprise an action aimed at, from its target ("mandate:12": its principal), so that a
    refusal is found in that enterprise's trail; None when the target names none."""
    kind, _, number = target.partition(":")
    if kind == "users":  # several users, of one enterprise as a rule: the first one's
        kind, number = "user", number.partition(",")[0]
    key = target_id(number)
    if key is None:
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
    row = session.get(table, key)
    return getattr(row, column) if row is not None else None


def target_id(number: str) -> int | None:
    """The id a target names ("12" of "mandate:12"), else None: a target may hold what was typed (an
    enterprise number, a superscript digit), which is no id."""
    if not (number.isascii() and number.isdigit()) or int(number) > dto.MAX_ID:
        return None
    return int(number)
