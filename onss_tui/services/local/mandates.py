"""Mandates an enterprise (the principal) gives a provider (the mandatary) for groups of services: the
providers to choose from, the list, one mandate, creating one, and the steps of its lifecycle."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import and_, col, false, or_, select

from onss_tui.domain import identifiers as ids
from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.domain.rules import (
    LIVE_MANDATE_STATUSES,
    StepNotPossible,
    binds_principal,
    next_mandate_status,
)
from onss_tui.services import dto
from onss_tui.services.dto import MandateAction, MandateStatus, PageRequest
from onss_tui.services.errors import (
    PermissionDenied,
    Reason,
    Said,
    ValidationFailed,
    in_every_language,
    quarter_in_every_language,
    quarter_reason,
)
from onss_tui.services.local import convert, fields, search
from onss_tui.services.local.context import Context
from onss_tui.services.local.enterprises import get_enterprise
from onss_tui.services.local.mandate_plan import mandate_query
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.rights import acts_for_mandates, why_not_take
from onss_tui.services.local.tables import (
    Enterprise,
    Mandate,
    MandateGroup,
    Provider,
    ServiceGroup,
    id_of,
    name_key,
    utcnow,
)


def list_providers(c: Context, query: str, page: PageRequest) -> dto.Page[dto.ProviderPublic]:
    """The mandataries to choose from, by name; `query` a number or a part of the name."""
    stmt = select(Provider, Enterprise).join(Enterprise, col(Enterprise.id) == Provider.enterprise_id)
    if search.finds_nothing(query):
        stmt = stmt.where(false())
    elif query.strip():
        digits = ids.compact_digits(query)
        if digits.isdigit():
            stmt = stmt.where(
                or_(
                    col(Enterprise.enterprise_number).startswith(digits),
                    col(Provider.secretariat_number) == digits,
                )
            )
        else:
            stmt = stmt.where(search.contains(Enterprise.name_key, name_key(query)))
    rows, after, before = keyset_page(
        c.session,
        stmt,
        [col(Enterprise.name_key), col(Provider.id)],
        lambda row: (row[1].name_key, row[0].id),
        page,
    )
    providers = convert.providers_by_id(c, [id_of(p) for p, _ in rows])
    return dto.Page(items=[providers[id_of(p)] for p, _ in rows], next_cursor=after, prev_cursor=before)


_MANDATE = inspect(Mandate).local_table.c
_BY_PRINCIPAL = [_MANDATE.principal_key, _MANDATE.id]
_SORTS = {
    dto.MandateSort.PRINCIPAL: _BY_PRINCIPAL,
    dto.MandateSort.MANDATARY: [_MANDATE.mandatary_key, *_BY_PRINCIPAL],
    dto.MandateSort.START: [_MANDATE.start_quarter, *_BY_PRINCIPAL],
    dto.MandateSort.STATUS: [_MANDATE.status, *_BY_PRINCIPAL],
    dto.MandateSort.NEWEST: [_MANDATE.id],
}
"""The columns of each sort (ties broken by principal), also the attributes of a mandate's cursor key."""


def list_mandates(c: Context, wanted: dto.MandateFilter, page: PageRequest) -> dto.Page[dto.MandatePublic]:
    """The mandates the actor may see that match the filter, with the steps they may take on each."""
    stmt = mandate_query(c, wanted)
    keys = _SORTS[wanted.sort]
    descending = wanted.descending != (wanted.sort == dto.MandateSort.NEWEST)
    rows, after, before = keyset_page(
        c.session.connection(),
        stmt,
        keys,
        lambda m: tuple(getattr(m, k.key) for k in keys),
        page,
        descending=descending,
    )
    names = {m.created_by_id: m.created_by_name for m in rows if m.created_by_id}
    names.update((m.validated_by_id, m.validated_by_name) for m in rows if m.validated_by_id)
    items = convert.mandates(c, rows, names, with_steps=True)
    return dto.Page(items=items, next_cursor=after, prev_cursor=before)


def _get_mandate(c: Context, mandate_id: int) -> tuple[Mandate, Provider]:
    mandate = c.get(Mandate, mandate_id, "rule.no_mandate")
    provider = c.session.get(Provider, mandate.mandatary_id)
    assert provider is not None
    return mandate, provider


def get_mandate(c: Context, mandate_id: int) -> dto.MandatePublic:
    mandate, provider = _get_mandate(c, mandate_id)
    readers = (mandate.principal_id, provider.enterprise_id)
    if not (c.support or any(acts_for_mandates(c, e, manage=False) for e in readers)):
        raise PermissionDenied(Reason("rule.mandate.not_yours"))
    return convert.mandate(c, mandate, with_steps=True)


def create_mandate(c: Context, request: dto.MandateCreate) -> dto.MandatePublic:
    """Someone who manages the principal's mandates (its legal representative, Main Access Manager, or a
    user holding Mahis "manage mandates") gives a mandatary groups of services from a quarter on: to
    finalise, or sent to the mandatary at once with `submit` when that binds the principal (the legal
    representative's validation, or a signed procuration)."""
    principal = get_enterprise(c, request.principal_id)
    c.require(acts_for_mandates(c, request.principal_id, manage=True), Reason("rule.mandate.manage_only"))
    errors: dict[str, str] = {}
    procuration = bool((request.procuration_reference or "").strip())
    if request.submit and not binds_principal(c.roles(request.principal_id), procuration=procuration):
        errors["procuration_reference"] = Reason("rule.mandate.binding")
    provider = c.session.get(Provider, request.mandatary_id)
    if provider is None:
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
                group=fields.catalogue_names([group]),
                kind=in_every_language(f"category.{principal.category}"),
            )
        elif provider is not None and provider.kind not in group.mandatary_kinds.split(","):
            kinds = (f"rule.kind.{kind.strip()}" for kind in group.mandatary_kinds.split(","))
            errors["groups"] = Reason(
                "rule.mandate.group_only_to",
                group=fields.catalogue_names([group]),
                kinds=fields.listed(kinds),
            )
    start = end = None
    try:
        start = Quarter.parse(request.start_quarter)
        now = c.now()
        if start < now:
            errors["start_quarter"] = Reason("rule.mandate.start_past", now=quarter_in_every_language(now))
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
            errors["branch_number"] = fields.identifier_reason("branch", request.branch_number, exc, "rule")
        if provider is not None and provider.kind != dto.ProviderKind.SOCIAL_SECRETARIAT:
            errors["branch_number"] = Reason("rule.mandate.branch_ssa_only")
    if errors:
        raise ValidationFailed(errors)
    assert provider is not None and start is not None
    _check_overlap(c, id_of(principal), provider, [groups[g] for g in chosen], start, end, None)
    provider_enterprise = c.session.get(Enterprise, provider.enterprise_id)
    assert provider_enterprise is not None
    mandate = Mandate(
        principal_id=id_of(principal),
        mandatary_id=id_of(provider),
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
        c.session.add(MandateGroup(mandate_id=id_of(mandate), group_code=code))
    c.session.flush()
    result = convert.mandate(c, mandate, with_steps=True)
    c.record("mandate.create", f"mandate:{mandate.id}", principal.id, after=convert.dump(result))
    return result


def _check_overlap(
    c: Context,
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
                and_(col(Mandate.status) == MandateStatus.CLOSED, col(Mandate.end_quarter).is_not(None)),
            ),
            col(Mandate.id).in_(select(MandateGroup.mandate_id).where(MandateGroup.group_code == group.code)),
            or_(col(Mandate.end_quarter).is_(None), col(Mandate.end_quarter) >= start.code),
        )
        if end is not None:
            clash = clash.where(Mandate.start_quarter <= end.code)
        if exclude is not None:
            clash = clash.where(Mandate.id != exclude)
        if not group.single_mandatary:
            clash = clash.where(Mandate.mandatary_id == provider.id)
        other = c.session.exec(clash.order_by(col(Mandate.start_quarter)).limit(1)).first()
        if other is None:
            continue
        said: dict[str, Said] = {"group": fields.catalogue_names([group]), "mandatary": other.mandatary_name}
        if other.end_quarter:
            until = Quarter.from_code(other.end_quarter)
            said.update(end=quarter_in_every_language(until), free=quarter_in_every_language(until.next()))
        same = "same" if other.mandatary_id == provider.id else "other"
        how_long = "until" if other.end_quarter else "open"
        raise ValidationFailed({"start_quarter": Reason(f"rule.overlap.{same}_{how_long}", **said)})


def _step_not_possible(error: StepNotPossible) -> Reason:
    """A step the mandate's status does not allow, and the steps it does allow (by their keys' names)."""
    status = in_every_language(f"mandate.status.{error.status.value}")
    done = in_every_language(f"rule.mandate.done.{error.action.value}")
    if not error.possible:
        return Reason("rule.mandate.final", status=status, done=done)
    possible = fields.listed(
        (f"mandates.key.{action.value}" for action in error.possible), joiner="rule.comma"
    )
    return Reason("rule.mandate.cannot", status=status, done=done, possible=possible)


def take_step(c: Context, mandate_id: int, action: MandateAction, expected_version: int) -> dto.MandatePublic:
    """Submit, accept, reject or close a mandate, as its lifecycle and the actor's side allow; accepting
    or submitting checks again that no other mandatary holds its groups then."""
    mandate, provider = _get_mandate(c, mandate_id)
    status = MandateStatus(mandate.status)
    try:
        new_status, party = next_mandate_status(status, action)
    except StepNotPossible as exc:
        acting = (mandate.principal_id, provider.enterprise_id)
        c.require(
            any(acts_for_mandates(c, e, manage=True) for e in acting), Reason("rule.mandate.not_acting")
        )
        raise ValidationFailed({"status": _step_not_possible(exc)}) from exc
    refusal = why_not_take(c, party, action, mandate, provider.enterprise_id)
    c.require(refusal is None, refusal or "")
    before = convert.mandate(c, mandate)
    fields.check_version(mandate, expected_version, "mandate")
    if action in (MandateAction.SUBMIT, MandateAction.ACCEPT):
        groups = c.session.exec(
            select(ServiceGroup).where(col(ServiceGroup.code).in_(mandate.groups.split(",")))
        ).all()
        end = Quarter.from_code(mandate.end_quarter) if mandate.end_quarter else None
        start = Quarter.from_code(mandate.start_quarter)
        _check_overlap(c, mandate.principal_id, provider, list(groups), start, end, mandate.id)
        if action == MandateAction.ACCEPT:
            mandate.validated_by_id = c.actor_id
    if new_status == MandateStatus.CLOSED and status == MandateStatus.ACTIVE:
        now = c.now().code
        if mandate.start_quarter <= now and (mandate.end_quarter is None or mandate.end_quarter > now):
            mandate.end_quarter = now
    mandate.status = new_status
    mandate.updated_at = utcnow()
    c.session.flush()
    result = convert.mandate(c, mandate, with_steps=True)
    c.record(
        f"mandate.{action.value}",
        f"mandate:{mandate_id}",
        mandate.principal_id,
        before=convert.dump(before),
        after=convert.dump(result),
    )
    return result
