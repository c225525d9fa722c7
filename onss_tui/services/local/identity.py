"""Who may sign in and as whom: the identities offered, signing in (which activates pending
designations), the catalogues; a person's name, which is theirs; revealing a national register number,
and who revealed one's own.

Who reveals whose number: a person their own; support staff anyone's; a manager or legal representative of
an enterprise the number of anyone who holds or held an account there (a user, a designation). Anyone but
the person themselves states a reason, which the trail keeps. A refused reveal is recorded in the trail of
the first enterprise the actor and the person share, else of the first the person is part of now.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, or_, select

from onss_tui.domain import identifiers as ids
from onss_tui.services import dto
from onss_tui.services.dto import DesignationStatus, UserStatus
from onss_tui.services.errors import PermissionDenied, Reason, ValidationFailed
from onss_tui.services.local import convert, fields, rights, search
from onss_tui.services.local.context import Context
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.tables import (
    AuditEntry,
    CatalogueRow,
    Designation,
    Enterprise,
    OnlineService,
    Person,
    PortalUser,
    Quality,
    ServiceGroup,
    id_of,
    name_key,
    utcnow,
)


def list_identities(c: Context, query: str, limit: int, only: int | None) -> list[dto.Identity]:
    """People who may sign in (support staff first, then by name); `only` narrows it to one person."""
    s = c.session
    if search.finds_nothing(query):
        return []
    # Correlated EXISTS, served per person by the person indexes.
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
    # Support staff first, then everyone else, each a walk of the name index alone (people read once found).
    by_name = (col(Person.name_key), col(Person.id))
    staff = stmt.where(col(Person.support_staff) == True)  # noqa: E712  (an equality the index serves)
    found = list(s.exec(staff.order_by(*by_name).limit(limit)).all())
    if len(found) < limit:
        others = stmt.where(col(Person.support_staff) == False)  # noqa: E712
        found += s.exec(others.order_by(*by_name).limit(limit - len(found))).all()
    place = {person_id: position for position, person_id in enumerate(found)}
    people = sorted(s.exec(select(Person).where(col(Person.id).in_(found))).all(), key=lambda p: place[p.id])
    person_ids = [p.id for p in people]
    roles: dict[int, list[str]] = {}
    held = s.exec(
        select(Designation.id, Designation.person_id, Designation.role, Enterprise.name)
        .join(Enterprise, col(Enterprise.id) == Designation.enterprise_id)
        .where(col(Designation.person_id).in_(person_ids), Designation.status != DesignationStatus.ENDED)
    ).all()
    for _, person_id, role, name in sorted(held):  # sorted here: an ORDER BY would walk the whole table
        roles.setdefault(person_id, []).append(f"{role}@{name}")
    for person_id, name in s.exec(
        select(PortalUser.person_id, Enterprise.name)
        .join(Enterprise, col(Enterprise.id) == PortalUser.enterprise_id)
        .where(col(PortalUser.person_id).in_(person_ids), PortalUser.status == UserStatus.ACTIVE)
    ).all():
        roles.setdefault(person_id, []).append(f"user@{name}")
    return [
        dto.Identity(
            person=convert.person(p),
            roles=(["support_staff"] if p.support_staff else []) + roles.get(id_of(p), []),
        )
        for p in people
    ]


def sign_in(c: Context) -> dto.PersonPublic:
    """Sign the actor in: their pending designations become active."""
    me = c.acting_person()
    first = me.signed_in_at is None
    me.signed_in_at = utcnow()
    pending = c.session.exec(
        select(Designation).where(
            Designation.person_id == me.id, Designation.status == DesignationStatus.PENDING
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
        c.record("person.sign_in", f"person:{me.id}", None, after={"first": first})
    return convert.person(me)


def _entry(row: CatalogueRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_fr": row.name_fr,
        "name_nl": row.name_nl,
        "name_en": row.name_en,
        "name_de": row.name_de,
    }


def catalogue(c: Context) -> dto.Catalogue:
    """Qualities, online services and service groups, in the catalogue's order (lists of categories and
    kinds are held as comma-separated codes)."""
    s = c.session
    qualities = [
        dto.CatalogueEntry(**_entry(q))
        for q in s.exec(select(Quality).order_by(col(Quality.position), col(Quality.code))).all()
    ]
    services = [
        dto.OnlineServiceEntry.model_validate(
            _entry(o) | {"enterprise_categories": o.enterprise_categories.split(",")}
        )
        for o in s.exec(
            select(OnlineService).order_by(col(OnlineService.position), col(OnlineService.code))
        ).all()
    ]
    groups = [
        dto.ServiceGroupEntry.model_validate(
            _entry(g)
            | {
                "single_mandatary": g.single_mandatary,
                "principal_categories": g.principal_categories.split(","),
                "mandatary_kinds": g.mandatary_kinds.split(","),
            }
        )
        for g in s.exec(
            select(ServiceGroup).order_by(col(ServiceGroup.position), col(ServiceGroup.code))
        ).all()
    ]
    return dto.Catalogue(qualities=qualities, online_services=services, service_groups=groups)


REVEAL = "person.reveal_niss"
"""The action a reveal is recorded as; who saw a number is read back from the entries of this action."""


def reveal_niss(c: Context, person_id: int, reason: str) -> str:
    """A person's national register number in full, for who may see it (the module says who), with the
    reason they state; the trail records who saw it, as what, and why."""
    person = c.get(Person, person_id, "rule.no_person")
    own = person_id == c.actor_id
    target = f"person:{person_id}"
    granted = None if own or c.support else rights.reveal_grant(c, person_id)
    errors: dict[str, str] = {}
    stated = fields.stated_reason(errors, "reason", reason)
    if errors:  # a reason too long, or not one line of text: whoever sends it
        raise ValidationFailed(errors)
    if not (own or c.support or granted):
        c.concern(target, rights.enterprise_concerned(c, person_id), stated_reason=stated)
        raise PermissionDenied(Reason("rule.niss_hidden"))
    if stated is None and not own:
        raise ValidationFailed({"reason": Reason("rule.reason.required")})
    after: dict[str, Any] = {"stated_reason": stated}
    enterprise_id = None
    if granted is not None:
        enterprise_id, role = granted
        after["role"] = role.value
    elif not own:
        after["support_staff"] = True
    c.record(REVEAL, target, enterprise_id, after=after)
    return ids.format_niss(person.niss)


def update_person(c: Context, person_id: int, changes: dto.PersonUpdate) -> dto.PersonPublic:
    """Change a person's name: the person themselves or support staff; every user account of the person
    follows (they are listed by name). A change based on an older version of the person is refused."""
    person = c.get(Person, person_id, "rule.no_person")
    target = f"person:{person_id}"
    if not (c.support or person_id == c.actor_id):
        c.concern(target, rights.enterprise_concerned(c, person_id))
        raise PermissionDenied(Reason("rule.person.name_is_theirs"))
    errors: dict[str, str] = {}
    given = fields.names(errors, changes.first_name, changes.last_name)
    if errors:
        raise ValidationFailed(errors)
    before = convert.person(person)
    fields.check_version(person, changes.expected_version, "person")
    for name, value in given.items():
        setattr(person, name, value)
    person.name_key = name_key(person.last_name, person.first_name)
    for user in c.session.exec(select(PortalUser).where(PortalUser.person_id == person.id)).all():
        user.name_key = person.name_key
    c.session.flush()
    result = convert.person(person)
    c.record("person.rename", target, None, before=convert.dump(before), after=convert.dump(result))
    return result


def list_niss_reveals(c: Context, page: dto.PageRequest) -> dto.Page[dto.NissReveal]:
    """Who saw the actor's national register number (themselves aside), newest first, from the trail."""
    stmt = select(AuditEntry).where(
        AuditEntry.target == f"person:{c.actor_id}",
        AuditEntry.action == REVEAL,
        AuditEntry.outcome == "done",
        or_(col(AuditEntry.actor_id).is_(None), col(AuditEntry.actor_id) != c.actor_id),
    )
    rows, after, before = keyset_page(
        c.session, stmt, [col(AuditEntry.id)], lambda a: (a.id,), page, descending=True
    )
    named = {e.enterprise_id for e in rows if e.enterprise_id is not None}
    enterprises = (
        {
            row.id: (row.enterprise_number, row.name)
            for row in c.session.execute(
                select(Enterprise.id, Enterprise.enterprise_number, Enterprise.name).where(
                    col(Enterprise.id).in_(named)
                )
            )
        }
        if named
        else {}
    )
    return dto.Page(
        items=[convert.niss_reveal(entry, enterprises.get(entry.enterprise_id or 0)) for entry in rows],
        next_cursor=after,
        prev_cursor=before,
    )
