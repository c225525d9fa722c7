"""Mandates at a glance: counted by shown status, start quarter and service group, the mandataries holding
the most, and the service groups no active mandate covers. Every figure is an aggregate query (GROUP BY,
COUNT): no mandate is read as a row.

The figures are kept by the store until the next write: every change of a mandate through the service
appends to the audit trail in its own transaction, and enterprises and mandates loaded in bulk (the
register, the seeder) add rows; so the trail's last entry and the last enterprise and mandate, read
before the figures are counted, tell whether they may have changed since (a write that lands while they
are counted only makes them be counted again)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.dto import MandateShownStatus, MandateStatus
from onss_tui.services.errors import PermissionDenied, Reason
from onss_tui.services.local.context import Context
from onss_tui.services.local.enterprises import get_enterprise
from onss_tui.services.local.mandate_plan import shows_as
from onss_tui.services.local.tables import (
    AuditEntry,
    Enterprise,
    Mandate,
    MandateGroup,
    Provider,
    ServiceGroup,
    id_of,
)

FIGURES_KEPT = 256
"""Figures kept at most (of as many enterprises); past it, all are forgotten."""


def mandate_figures(c: Context, enterprise_id: int | None) -> dto.MandateFigures:
    """The figures of one enterprise's mandates (as principal or mandatary), for its legal representatives
    and managers; of every mandate (`enterprise_id` None), for support staff."""
    now = c.now()
    scope: ColumnElement[bool] | None = None
    enterprise: Enterprise | None = None
    if enterprise_id is None:
        if not c.support and c.actor is not None:
            raise PermissionDenied(Reason("rule.figures.support_only"))
    else:
        enterprise = get_enterprise(c, enterprise_id)
        c.concern(f"enterprise:{enterprise_id}", enterprise_id)
        if not c.support and c.actor is not None and not c.roles(enterprise_id):
            raise PermissionDenied(Reason("rule.figures.managers_only"))
        provider = c.session.exec(select(Provider.id).where(Provider.enterprise_id == enterprise_id)).first()
        scope = col(Mandate.principal_id) == enterprise_id
        if provider is not None:
            scope = or_(scope, col(Mandate.mandatary_id) == provider)
    key = (enterprise_id, now.code, *_last_rows(c))
    kept = c.store.figures.get(key)
    if kept is not None:
        return kept
    groups = c.session.exec(
        select(ServiceGroup).order_by(col(ServiceGroup.position), col(ServiceGroup.code))
    ).all()
    statuses, quarters, total = _by_status_and_start(c, scope, now.code)
    figures = dto.MandateFigures(
        enterprise_id=enterprise_id,
        current_quarter=str(now),
        total=total,
        by_status=[dto.FigureCount(key=s.value, count=statuses.get(s, 0)) for s in MandateShownStatus],
        by_start_quarter=[dto.FigureCount(key=q, count=n) for q, n in sorted(quarters.items())],
        by_group=_by_group(c, scope, groups),
        top_mandataries=_top_mandataries(c, scope),
        uncovered=_uncovered(c, enterprise, groups, now),
    )
    if len(c.store.figures) >= FIGURES_KEPT:
        c.store.figures.clear()
    c.store.figures[key] = figures
    return figures


def _last_rows(c: Context) -> tuple[int, int, int]:
    """The ids of the trail's last entry, the last mandate and the last enterprise (each from its key)."""
    last = [
        select(func.max(column)).scalar_subquery() for column in (AuditEntry.id, Mandate.id, Enterprise.id)
    ]
    entry, mandate, enterprise = c.session.exec(select(*last)).one()
    return entry or 0, mandate or 0, enterprise or 0


def _where(stmt: Any, scope: ColumnElement[bool] | None) -> Any:
    return stmt if scope is None else stmt.where(scope)


def _by_status_and_start(
    c: Context, scope: ColumnElement[bool] | None, now: int
) -> tuple[dict[MandateShownStatus, int], dict[str, int], int]:
    """Counts by shown status and by start quarter, from one GROUP BY in the order of the index on
    (status, end quarter, start quarter): a few thousand groups at most, whatever the number of mandates."""
    stmt = select(Mandate.status, Mandate.end_quarter, Mandate.start_quarter, func.count()).group_by(
        col(Mandate.status), col(Mandate.end_quarter), col(Mandate.start_quarter)
    )
    statuses: dict[MandateShownStatus, int] = {}
    quarters: dict[str, int] = {}
    total = 0
    for status, end, start, count in c.session.exec(_where(stmt, scope)).all():
        expired = status == MandateStatus.ACTIVE and end is not None and end < now
        shown = MandateShownStatus.EXPIRED if expired else MandateShownStatus(status)
        statuses[shown] = statuses.get(shown, 0) + count
        quarter = str(Quarter.from_code(start))
        quarters[quarter] = quarters.get(quarter, 0) + count
        total += count
    return statuses, quarters, total


def _by_group(c: Context, scope: ColumnElement[bool] | None, groups: Any) -> list[dto.FigureCount]:
    stmt = select(MandateGroup.group_code, func.count()).group_by(col(MandateGroup.group_code))
    if scope is not None:
        stmt = stmt.join(Mandate, col(Mandate.id) == MandateGroup.mandate_id).where(scope)
    counts = dict(c.session.exec(stmt).all())
    return [dto.FigureCount(key=g.code, count=counts.get(g.code, 0)) for g in groups]


def _top_mandataries(c: Context, scope: ColumnElement[bool] | None) -> list[dto.MandataryFigure]:
    count = func.count().label("mandates")
    stmt = (
        select(Mandate.mandatary_id, count)
        .group_by(col(Mandate.mandatary_id))
        .order_by(count.desc(), col(Mandate.mandatary_id))
        .limit(dto.TOP_MANDATARIES)
    )
    top = c.session.exec(_where(stmt, scope)).all()
    names = {
        provider_id: (number, name)
        for provider_id, number, name in c.session.exec(
            select(Provider.id, Enterprise.enterprise_number, Enterprise.name)
            .join(Enterprise, col(Enterprise.id) == Provider.enterprise_id)
            .where(col(Provider.id).in_([provider_id for provider_id, _ in top]))
        ).all()
    }
    return [
        dto.MandataryFigure(
            provider_id=provider_id,
            enterprise_number=names[provider_id][0],
            name=names[provider_id][1],
            count=n,
        )
        for provider_id, n in top
    ]


def _uncovered(c: Context, enterprise: Enterprise | None, groups: Any, now: Quarter) -> list[dto.FigureCount]:
    """Per group, what no active mandate covers this quarter: the enterprise's own groups (1 or 0), or
    how many enterprises that may mandate the group have none covering it."""
    covering = and_(shows_as(MandateShownStatus.ACTIVE, now), col(Mandate.start_quarter) <= now.code)
    covered = select(MandateGroup.group_code, func.count(func.distinct(Mandate.principal_id))).join(
        Mandate, col(Mandate.id) == MandateGroup.mandate_id
    )
    if enterprise is not None:
        covered = covered.where(col(Mandate.principal_id) == id_of(enterprise))
    held = dict(c.session.exec(covered.where(covering).group_by(col(MandateGroup.group_code))).all())
    if enterprise is not None:
        return [
            dto.FigureCount(key=g.code, count=0 if held.get(g.code) else 1)
            for g in groups
            if enterprise.category in g.principal_categories.split(",")
        ]
    by_category = dict(
        c.session.exec(select(Enterprise.category, func.count()).group_by(col(Enterprise.category))).all()
    )
    return [
        dto.FigureCount(
            key=g.code,
            count=sum(by_category.get(k, 0) for k in g.principal_categories.split(",")) - held.get(g.code, 0),
        )
        for g in groups
    ]
