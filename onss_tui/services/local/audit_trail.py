"""Reading the audit trail: the entries a person may see, each with its enterprise and what its target
is in words; its signed checkpoints; and its verification, which only support staff and the store's
operator may ask for (it reads the whole trail of every enterprise)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, false, or_, select

from onss_tui.domain.rules import MANAGER_ROLES
from onss_tui.services import dto
from onss_tui.services.dto import PageRequest, Role
from onss_tui.services.errors import PermissionDenied, Reason, ValidationFailed
from onss_tui.services.local import audit, convert, search
from onss_tui.services.local.checkpoints import Statement
from onss_tui.services.local.context import Context, target_id
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.tables import (
    AuditCheckpoint,
    AuditEntry,
    Designation,
    Enterprise,
    Mandate,
    PortalUser,
    Provider,
)


def list_audit(c: Context, wanted: dto.AuditFilter, page: PageRequest) -> dto.Page[dto.AuditEntryPublic]:
    """Entries newest first: the actor's own, and those of the enterprises they manage or represent
    (support staff: all)."""
    stmt = select(AuditEntry)
    if not c.support:
        managed = [
            e for e in c.enterprise_ids() if c.roles(e) & (MANAGER_ROLES | {Role.LEGAL_REPRESENTATIVE})
        ]
        stmt = stmt.where(
            or_(col(AuditEntry.actor_id) == c.actor_id, col(AuditEntry.enterprise_id).in_(managed))
        )
    if wanted.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == wanted.actor_id)
    if wanted.enterprise_id is not None:
        stmt = stmt.where(AuditEntry.enterprise_id == wanted.enterprise_id)
    if search.finds_nothing(wanted.action):
        stmt = stmt.where(false())
    elif wanted.action.strip():  # codes are lower case: "Mandate" finds "mandate.accept"
        stmt = stmt.where(search.prefix_range(AuditEntry.action, wanted.action.strip().lower()))
    rows, after, before = keyset_page(
        c.session, stmt, [col(AuditEntry.id)], lambda a: (a.id,), page, descending=True
    )
    enterprises, labels = _describe(c.session, rows)
    items = [
        convert.audit_entry(
            a, enterprises.get(a.enterprise_id) if a.enterprise_id is not None else None, labels.get(a.target)
        )
        for a in rows
    ]
    return dto.Page(items=items, next_cursor=after, prev_cursor=before)


def _describe(
    session: Session, entries: Sequence[AuditEntry]
) -> tuple[dict[int, tuple[str, str]], dict[str, str]]:
    """The number and name of each entry's enterprise, and what each target is, in words: a name for a
    person, a user or a designation (never a national register number), an enterprise's name, a
    mandate's principal and mandatary. One query per kind of target, one for every enterprise named; a
    target no longer found has no label."""
    numbers: dict[str, set[int]] = {}
    for entry in entries:
        kind, _, number = entry.target.partition(":")
        key = target_id(number)
        if key is not None:
            numbers.setdefault(kind, set()).add(key)
    person_of = {f"person:{i}": i for i in numbers.get("person", ())}
    for kind, table in (("user", PortalUser), ("designation", Designation)):
        if kind in numbers:
            found = session.execute(select(table.id, table.person_id).where(col(table.id).in_(numbers[kind])))
            person_of.update({f"{kind}:{row.id}": row.person_id for row in found})
    mandates = (
        session.execute(
            select(Mandate.id, Mandate.principal_id, Provider.enterprise_id)
            .join(Provider, col(Provider.id) == Mandate.mandatary_id)
            .where(col(Mandate.id).in_(numbers["mandate"]))
        ).all()
        if "mandate" in numbers
        else []
    )
    enterprise_ids = (
        {e.enterprise_id for e in entries if e.enterprise_id is not None}
        | numbers.get("enterprise", set())
        | {i for m in mandates for i in (m[1], m[2])}
    )
    enterprises: dict[int, tuple[str, str]] = {}
    if enterprise_ids:
        named = select(Enterprise.id, Enterprise.enterprise_number, Enterprise.name).where(
            col(Enterprise.id).in_(enterprise_ids)
        )
        enterprises = {row.id: (row.enterprise_number, row.name) for row in session.execute(named)}
    names = convert.names_of_people(session, person_of.values())
    labels = {target: names[person] for target, person in person_of.items() if person in names}
    named_enterprises = [i for i in numbers.get("enterprise", ()) if i in enterprises]
    labels |= {f"enterprise:{i}": enterprises[i][1] for i in named_enterprises}
    for mandate_id, principal, mandatary in mandates:
        labels[f"mandate:{mandate_id}"] = f"{enterprises[principal][1]} → {enterprises[mandatary][1]}"
    return enterprises, labels


def may_verify(c: Context) -> None:
    """Verifying is for support staff and the store's operator (no actor)."""
    if c.actor is not None and not c.support:
        raise PermissionDenied(Reason("rule.audit.verify_support_only"))


def list_checkpoints(c: Context, wanted: dto.CheckpointQuery) -> dto.CheckpointPage:
    """Checkpoints after `wanted.after`, oldest first: what a witness copies (any signed-in person may)."""
    rows = c.session.exec(
        select(AuditCheckpoint)
        .where(col(AuditCheckpoint.seq) > wanted.after)
        .order_by(col(AuditCheckpoint.seq))
        .limit(wanted.limit + 1)
    ).all()
    items = [checkpoint_public(Statement.of(row)) for row in rows[: wanted.limit]]
    return dto.CheckpointPage(items=items, more=len(rows) > wanted.limit)


def checkpoint_audit(c: Context) -> dto.AuditCheckpointPublic | None:
    """Sign the head now (support staff, the operator); None while the trail is empty."""
    may_verify(c)
    anchor = c.store.anchor
    if anchor is None:
        raise ValidationFailed({"key": Reason("rule.audit.no_key")})
    statement = audit.checkpoint_now(c.session, anchor)
    return None if statement is None else checkpoint_public(statement)


def checkpoint_public(statement: Statement) -> dto.AuditCheckpointPublic:
    return dto.AuditCheckpointPublic.model_validate(statement, from_attributes=True)
