"""Which mandates match a list's filter, and how to fetch a page of them: few matches are found through
the filters' own indexes and sorted; many are read by scanning the ordered index of the sort."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, inspect, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.services import dto
from onss_tui.services.dto import MandateStatus
from onss_tui.services.errors import ValidationFailed, quarter_reason
from onss_tui.services.local import search
from onss_tui.services.local.context import Context
from onss_tui.services.local.rights import acts_for_mandates
from onss_tui.services.local.tables import Mandate, MandateGroup, Person, Provider, ids_of, name_key

SPARSE_LIMIT = 2000
"""Below this many matching mandates, lists are fetched through the party indexes and sorted."""

_PEOPLE = inspect(Person).local_table


def _full_name_of(person_id: Any) -> Any:
    full_name = _PEOPLE.c.first_name + " " + _PEOPLE.c.last_name
    return sa_select(full_name).where(_PEOPLE.c.id == person_id).scalar_subquery()


MANDATE_ROWS = sa_select(
    inspect(Mandate).local_table,
    _full_name_of(Mandate.created_by_id).label("created_by_name"),
    _full_name_of(Mandate.validated_by_id).label("validated_by_name"),
)
"""A page of mandates: plain rows (no ORM objects), with the names of who created and validated each."""


def shows_as(status: dto.MandateShownStatus, now: Quarter, *, sqlite: bool = False) -> ColumnElement[bool]:
    """Mandates whose status shows as `status` in quarter `now`: the stored status, except that an active
    mandate whose end quarter is before `now` shows as expired."""
    active = col(Mandate.status) == MandateStatus.ACTIVE
    end = col(Mandate.end_quarter)
    if status == dto.MandateShownStatus.ACTIVE:
        return and_(active, or_(end.is_(None), end >= now.code))
    if status == dto.MandateShownStatus.EXPIRED:
        # An expired mandate started before `now`: a bound for the index scan (on SQLite, checked per row).
        started = col(Mandate.start_quarter) + 0 if sqlite else col(Mandate.start_quarter)
        return and_(active, end < now.code, started < now.code)
    return col(Mandate.status) == MandateStatus(status.value)


@dataclass
class PartyFilter:
    """Mandates whose principal or mandatary is among given ids, or matching a scanned condition.

    Indexed, the ids are looked up in the party indexes (few matches); otherwise the condition is
    written so that no index serves it, and the ordered index of the sort is scanned (many matches).
    """

    principals: list[int] = field(default_factory=list)
    mandataries: list[int] = field(default_factory=list)
    scan: Any = None

    def condition(self, *, indexed: bool) -> ColumnElement[bool]:
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


def mandate_query(c: Context, wanted: dto.MandateFilter) -> Select[Any]:
    """Rows of the mandate table that match the filter, planned by how many there are.

    Few matches (found by a probe through the filters' own indexes): fetched by id and sorted.
    Many: the ordered index of the sort is scanned, with filters no index is tempted to serve.
    """
    parties = [p for p in (_scope(c), *_party_filters(c, wanted)) if p is not None]
    # Each other filter as (form an index serves, form checked row by row during an ordered scan).
    others: list[tuple[Any, Any]] = []
    if wanted.status:
        shown = shows_as(wanted.status, c.now(), sqlite=c.store.sqlite)
        others.append((shown, shown))
    if wanted.group:
        in_group = select(MandateGroup.mandate_id).where(MandateGroup.group_code == wanted.group)
        # Patterns on the column itself, so that PostgreSQL estimates from its statistics how many match.
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
            col(Mandate.start_quarter) <= quarter,
            or_(col(Mandate.end_quarter).is_(None), col(Mandate.end_quarter) >= quarter),
        )
        others.append((valid, valid))
    if wanted.start_quarter:
        try:
            start = Quarter.parse(wanted.start_quarter).code
        except QuarterError as exc:
            raise ValidationFailed({"start_quarter": quarter_reason(exc)}) from exc
        starts = col(Mandate.start_quarter) == start
        others.append((starts, starts))
    rows = MANDATE_ROWS
    if not parties and not others:
        return rows
    dense = c.store.dense_plans
    plan_key = (c.actor_id, wanted.model_dump_json(exclude={"sort", "descending"}))
    if plan_key not in dense and all(p.scan is None for p in parties):
        probe = sa_select(col(Mandate.id)).where(
            *(p.condition(indexed=True) for p in parties), *(indexed for indexed, _ in others)
        )
        found = c.session.execute(probe.limit(SPARSE_LIMIT)).scalars().all()
        if len(found) < SPARSE_LIMIT:
            return rows.where(col(Mandate.id).in_(found))
        if len(dense) > 1000:
            dense.clear()
        dense.add(plan_key)
    return rows.where(*(p.condition(indexed=False) for p in parties), *(scan for _, scan in others))


def _scope(c: Context) -> PartyFilter | None:
    """The mandates the actor may see, or None for all (support staff)."""
    if c.support or c.actor is None:
        return None
    mine = [e for e in c.enterprise_ids() if acts_for_mandates(c, e, manage=False)]
    providers = c.session.exec(select(Provider.id).where(col(Provider.enterprise_id).in_(mine))).all()
    return PartyFilter(principals=mine, mandataries=ids_of(providers))


def _party_filters(c: Context, wanted: dto.MandateFilter) -> list[PartyFilter]:
    filters = []
    if wanted.enterprise_id is not None:
        its_providers = select(Provider.id).where(Provider.enterprise_id == wanted.enterprise_id)
        providers = ids_of(c.session.exec(its_providers).all())
        principals = [] if wanted.as_mandatary else [wanted.enterprise_id]
        filters.append(PartyFilter(principals=principals, mandataries=providers))
    for query, principal, mandatary in (
        (wanted.text, True, True),
        (wanted.principal, True, False),
        (wanted.mandatary, False, True),
    ):
        if not query.strip():
            continue
        key = name_key(query)
        party = PartyFilter()
        if search.finds_nothing(query):
            filters.append(party)
            continue
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
