"""Rows of the store as the DTOs that cross the service boundary: people, designations, users,
enterprises, providers, mandates and audit entries."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from onss_tui.domain import identifiers as ids
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.dto import SYSTEM, DesignationStatus, MandateStatus, Relation, Role, UserStatus
from onss_tui.services.local import rights
from onss_tui.services.local.context import Context
from onss_tui.services.local.tables import (
    AccessGrant,
    AuditEntry,
    Designation,
    Enterprise,
    Mandate,
    Person,
    PortalUser,
    Provider,
    id_of,
)

_MANDATE_LIST = TypeAdapter(list[dto.MandatePublic])
"""Mandate DTOs validated a page at a time (one call into pydantic's core rather than one per object)."""


@functools.lru_cache(maxsize=512)
def _quarter_text(code: int) -> str:
    return str(Quarter.from_code(code))


def dump(model: dto.DTO) -> dict[str, Any]:
    """A record as the audit trail keeps it (what the asking person may do with it is not the record's)."""
    derived = {"steps", "may_end", "shown_status", "ends_this_quarter"}
    return model.model_dump(mode="json", exclude=derived & set(type(model).model_fields))


def person(row: Person) -> dto.PersonPublic:
    return dto.PersonPublic(
        id=id_of(row),
        niss_masked=ids.mask_niss(row.niss),
        first_name=row.first_name,
        last_name=row.last_name,
        support_staff=row.support_staff,
        version=row.version,
    )


def names_of_people(session: Session, person_ids: Iterable[int | None]) -> dict[int, str]:
    """People's full names by their id ("Anne Peeters")."""
    wanted = {i for i in person_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.id, Person.first_name, Person.last_name).where(col(Person.id).in_(wanted))
    ).all()
    return {row.id: f"{row.first_name} {row.last_name}" for row in rows}


def _people(session: Session, person_ids: set[int]) -> dict[int | None, Person]:
    return {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}


def designations(
    c: Context, rows: Sequence[Designation], *, may_end: bool = False
) -> list[dto.DesignationPublic]:
    """DTOs of designations; with `may_end`, whether the call's actor may end each."""
    people = _people(c.session, {d.person_id for d in rows})
    names = names_of_people(c.session, (d.designated_by_id for d in rows))
    return [
        dto.DesignationPublic(
            id=id_of(d),
            enterprise_id=d.enterprise_id,
            person=person(people[d.person_id]),
            role=Role(d.role),
            quality_code=d.quality_code,
            status=DesignationStatus(d.status),
            relation=None if d.relation is None else Relation(d.relation),
            designated_by=names.get(d.designated_by_id) if d.designated_by_id else SYSTEM,
            phone=d.contact_phone,
            email=d.contact_email,
            started_at=d.started_at,
            ended_at=d.ended_at,
            version=d.version,
            may_end=may_end and d.status != DesignationStatus.ENDED and rights.why_not_end(c, d) is None,
        )
        for d in rows
    ]


def designation(c: Context, row: Designation) -> dto.DesignationPublic:
    return designations(c, [row])[0]


def users(c: Context, rows: Sequence[PortalUser]) -> list[dto.UserPublic]:
    user_ids = [u.id for u in rows]
    people = _people(c.session, {u.person_id for u in rows})
    grants: dict[int, list[str]] = {}
    for user_id, code in c.session.exec(
        select(AccessGrant.user_id, AccessGrant.service_code)
        .where(col(AccessGrant.user_id).in_(user_ids))
        .order_by(col(AccessGrant.service_code))
    ).all():
        grants.setdefault(user_id, []).append(code)
    return [
        dto.UserPublic(
            id=id_of(u),
            enterprise_id=u.enterprise_id,
            person=person(people[u.person_id]),
            status=UserStatus(u.status),
            phone=u.phone,
            email=u.email,
            services=grants.get(id_of(u), []),
            created_at=u.created_at,
            version=u.version,
        )
        for u in rows
    ]


def user(c: Context, row: PortalUser) -> dto.UserPublic:
    return users(c, [row])[0]


def enterprise(row: Enterprise) -> dto.EnterpriseSummary:
    return dto.EnterpriseSummary(
        id=id_of(row),
        enterprise_number=row.enterprise_number,
        onss_number=row.onss_number,
        name=row.name,
        category=dto.EnterpriseCategory(row.category),
    )


def providers_by_id(c: Context, provider_ids: Iterable[int]) -> dict[int, dto.ProviderPublic]:
    """Providers by id, each read once per service (the registry of providers only grows, and a row
    never changes once written)."""
    known = c.store.providers
    missing = set(provider_ids) - known.keys()
    if missing:
        rows = c.session.execute(
            sa_select(
                col(Provider.id),
                col(Provider.enterprise_id),
                col(Provider.kind),
                col(Provider.secretariat_number),
                col(Enterprise.enterprise_number),
                col(Enterprise.name),
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


def mandates(
    c: Context, rows: Sequence[Any], names: dict[int, str] | None = None, *, with_steps: bool = False
) -> list[dto.MandatePublic]:
    """DTOs from mandate rows (ORM objects or plain rows of the mandate table); `names` of the people
    who created or validated them, when the rows came with them; `with_steps`, the steps the call's
    actor may take on each."""
    providers = providers_by_id(c, {m.mandatary_id for m in rows})
    if names is None:
        names = names_of_people(c.session, [i for m in rows for i in (m.created_by_id, m.validated_by_id)])
    now = c.now().code
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
                "steps": rights.steps(c, m, providers[m.mandatary_id].enterprise_id) if with_steps else [],
            }
            for m in rows
        ]
    )


def mandate(c: Context, row: Mandate, *, with_steps: bool = False) -> dto.MandatePublic:
    return mandates(c, [row], with_steps=with_steps)[0]


def niss_reveal(entry: AuditEntry, enterprise: tuple[str, str] | None) -> dto.NissReveal:
    """A reveal of a national register number, as its audit entry recorded it."""
    after = json.loads(entry.after_json) if entry.after_json else {}
    role, reason = after.get("role"), after.get("stated_reason")
    return dto.NissReveal(
        id=id_of(entry),
        at=entry.at,
        revealed_by=entry.actor_name,
        support_staff=after.get("support_staff") is True,
        role=Role(role) if isinstance(role, str) and role in _ROLES else None,
        enterprise_number=enterprise[0] if enterprise else None,
        enterprise_name=enterprise[1] if enterprise else None,
        reason=reason if isinstance(reason, str) else None,
    )


_ROLES = frozenset(role.value for role in Role)


def audit_entry(
    entry: AuditEntry, enterprise: tuple[str, str] | None, target_label: str | None
) -> dto.AuditEntryPublic:
    """An entry of the trail, with its enterprise's number and name and what its target is, in words."""
    return dto.AuditEntryPublic(
        id=id_of(entry),
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
