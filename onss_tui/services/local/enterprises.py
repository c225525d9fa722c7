"""Enterprises: the list a person may open, an enterprise's overview (its managers, users, mandates and
next steps), and the qualities it holds: activated by its main access managers, who may withdraw those
activated after its registration."""

from __future__ import annotations

from sqlmodel import col, false, func, or_, select

from onss_tui.domain.rules import MAIN_ROLES, manages_mandates
from onss_tui.services import dto
from onss_tui.services.dto import DesignationStatus, MandateStatus, PageRequest, Role, UserStatus
from onss_tui.services.errors import Reason, ValidationFailed
from onss_tui.services.local import convert, search
from onss_tui.services.local.context import Context
from onss_tui.services.local.mandate_plan import shows_as
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.tables import (
    Designation,
    Enterprise,
    EnterpriseQuality,
    Mandate,
    MandateGroup,
    PortalUser,
    Provider,
    Quality,
    ServiceGroup,
    id_of,
    name_key,
    utcnow,
)


def get_enterprise(c: Context, enterprise_id: int) -> Enterprise:
    return c.get(Enterprise, enterprise_id, "rule.no_enterprise")


def list_enterprises(c: Context, query: str, page: PageRequest) -> dto.Page[dto.EnterpriseSummary]:
    """The enterprises the actor holds a role in (support staff: all), by name; `query` a number or a
    part of the name."""
    stmt = select(Enterprise)
    if not c.support:
        stmt = stmt.where(col(Enterprise.id).in_(c.enterprise_ids()))
    if search.finds_nothing(query):
        stmt = stmt.where(false())
    elif query.strip():
        key = name_key(query)
        matches = search.enterprise_ids(c.session, query, key)
        digits = search.digits_of(query)
        if matches is not None:  # few: looked up by id, then sorted
            stmt = stmt.where(col(Enterprise.id).in_(matches))
        elif digits is not None:  # many: the ordered name index is scanned, matches are dense
            stmt = stmt.where(
                or_(
                    col(Enterprise.enterprise_number).startswith(search.enterprise_number_prefix(digits)),
                    col(Enterprise.onss_number).startswith(digits),
                )
            )
        else:
            stmt = stmt.where(search.contains(Enterprise.name_key, key))
    rows, after, before = keyset_page(
        c.session, stmt, [col(Enterprise.name_key), col(Enterprise.id)], lambda e: (e.name_key, e.id), page
    )
    return dto.Page(items=[convert.enterprise(e) for e in rows], next_cursor=after, prev_cursor=before)


def get_overview(c: Context, enterprise_id: int) -> dto.EnterpriseOverview:
    enterprise = get_enterprise(c, enterprise_id)
    c.require_read(enterprise_id)
    return overview(c, enterprise)


def overview(c: Context, enterprise: Enterprise) -> dto.EnterpriseOverview:
    """What an enterprise looks like to the actor: its qualities and managers, counts of its users and
    mandates, how each group of services is handled, and the next steps to take."""
    s, eid = c.session, id_of(enterprise)
    qualities = [
        dto.QualityHeld(
            code=q.quality_code,
            active=q.active,
            activated_at=q.activated_at,
            from_registration=q.from_registration,
        )
        for q in s.exec(select(EnterpriseQuality).where(EnterpriseQuality.enterprise_id == eid)).all()
    ]
    current = convert.designations(
        c,
        s.exec(
            select(Designation)
            .where(Designation.enterprise_id == eid, Designation.status != DesignationStatus.ENDED)
            .order_by(col(Designation.id))
        ).all(),
    )
    by_role = {role: [d for d in current if d.role == role] for role in Role}
    main = {d.person.id for d in by_role[Role.MAIN_ACCESS_MANAGER]}
    # A co-main promoted to Main Access Manager is listed once, as Main.
    by_role[Role.CO_MAIN_ACCESS_MANAGER] = [
        d for d in by_role[Role.CO_MAIN_ACCESS_MANAGER] if d.person.id not in main
    ]
    user_counts = dict(
        s.exec(
            select(PortalUser.status, func.count())
            .where(PortalUser.enterprise_id == eid)
            .group_by(col(PortalUser.status))
        ).all()
    )
    now = c.now()
    this_quarter = now.code
    principal = col(Mandate.principal_id) == eid
    provider = s.exec(select(Provider).where(Provider.enterprise_id == eid)).first()
    counts = dict(
        s.exec(select(Mandate.status, func.count()).where(principal).group_by(col(Mandate.status))).all()
    )
    in_force = shows_as(dto.MandateShownStatus.ACTIVE, now)
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
    groups = s.exec(select(ServiceGroup).order_by(col(ServiceGroup.position), col(ServiceGroup.code))).all()
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
    uncovered = any(not h.providers and not h.self_handled for h in handling)
    if uncovered and c.actor and manages_mandates(c.roles(eid), c.user_services(eid)):
        steps.append("give_mandate")  # the other way: a provider handles those groups
    covered = {d.quality_code for d in by_role[Role.ACCESS_MANAGER]}
    if has_main and any(q.active and q.code not in covered for q in qualities):  # each quality its own
        steps.append("designate_access_manager")
    if has_main and not user_counts:
        steps.append("create_users")
    if any(d.status == DesignationStatus.PENDING for d in current):
        steps.append("pending_designations")
    if counts.get(MandateStatus.TO_FINALISE):
        steps.append("finalise_mandates")
    if to_accept:
        steps.append("accept_mandates")
    return dto.EnterpriseOverview(
        enterprise=convert.enterprise(enterprise),
        qualities=qualities,
        main_access_manager=next(iter(by_role[Role.MAIN_ACCESS_MANAGER]), None),
        co_main_access_managers=by_role[Role.CO_MAIN_ACCESS_MANAGER],
        access_managers=by_role[Role.ACCESS_MANAGER],
        legal_representatives=by_role[Role.LEGAL_REPRESENTATIVE],
        group_handling=handling,
        users_active=user_counts.get(UserStatus.ACTIVE, 0),
        users_suspended=user_counts.get(UserStatus.SUSPENDED, 0),
        mandates_active=active,
        mandates_waiting=counts.get(MandateStatus.TO_FINALISE, 0) + counts.get(MandateStatus.PENDING, 0),
        mandates_ending_this_quarter=ending,
        current_quarter=str(now),
        next_steps=steps,
        my_roles=sorted(c.roles(eid)) if c.actor else [],
        my_user_account=c.has_user_account(eid),
        my_services=sorted(c.user_services(eid)),
        is_mandatary=provider is not None,
        version=enterprise.version,
    )


def activate_quality(c: Context, enterprise_id: int, quality_code: str) -> dto.EnterpriseOverview:
    """Activate a quality of the enterprise (its main access managers only)."""
    enterprise, held = _quality(c, enterprise_id, quality_code, "rule.quality.main_only")
    if held is not None and held.active:
        raise ValidationFailed({"quality_code": Reason("rule.quality.active")})
    held = held or EnterpriseQuality(enterprise_id=enterprise_id, quality_code=quality_code)
    held.active, held.activated_at = True, utcnow()
    return _changed(c, enterprise, held, "quality.activate", after={"quality": quality_code})


def deactivate_quality(c: Context, enterprise_id: int, quality_code: str) -> dto.EnterpriseOverview:
    """Withdraw a quality the enterprise activated after its registration (its main access managers only),
    once none of its Access Manager designations for it is current (active or pending)."""
    enterprise, held = _quality(c, enterprise_id, quality_code, "rule.quality.withdraw_main_only")
    if held is None or not held.active:
        raise ValidationFailed({"quality_code": Reason("rule.quality.not_active")})
    if held.from_registration:
        raise ValidationFailed({"quality_code": Reason("rule.quality.from_registration")})
    designated = c.session.exec(
        select(func.count()).where(
            Designation.enterprise_id == enterprise_id,
            Designation.role == Role.ACCESS_MANAGER,
            Designation.quality_code == quality_code,
            Designation.status != DesignationStatus.ENDED,
        )
    ).one()
    if designated:
        raise ValidationFailed({"quality_code": Reason("rule.quality.designated", count=str(designated))})
    held.active, held.activated_at = False, None
    return _changed(c, enterprise, held, "quality.deactivate", before={"quality": quality_code})


def _quality(
    c: Context, enterprise_id: int, quality_code: str, main_only: str
) -> tuple[Enterprise, EnterpriseQuality | None]:
    """The enterprise and its hold of a known quality, for one of its main access managers (else refused
    with `main_only`)."""
    enterprise = get_enterprise(c, enterprise_id)
    c.require(bool(c.roles(enterprise_id) & MAIN_ROLES), Reason(main_only))
    if c.session.get(Quality, quality_code) is None:
        raise ValidationFailed({"quality_code": Reason("rule.quality.unknown", code=quality_code)})
    return enterprise, c.session.get(EnterpriseQuality, (enterprise_id, quality_code))


def _changed(
    c: Context, enterprise: Enterprise, held: EnterpriseQuality, action: str, **change: dict[str, str]
) -> dto.EnterpriseOverview:
    """Save a quality's new state, as a new version of the enterprise and an entry of the trail."""
    c.session.add(held)
    enterprise.version += 1
    eid = id_of(enterprise)
    c.record(action, f"enterprise:{eid}", eid, **change)
    c.session.flush()
    return overview(c, enterprise)
