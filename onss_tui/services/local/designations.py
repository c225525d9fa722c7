"""Designations: who manages an enterprise's access. The Main Access Manager (designated or replaced by a
legal representative), co-main access managers and Access Managers, ending one, and listing them."""

from __future__ import annotations

from sqlmodel import col, select

from onss_tui.domain import identifiers as ids
from onss_tui.domain.rules import MAIN_ROLES
from onss_tui.services import dto
from onss_tui.services.dto import DesignationStatus, PageRequest, Relation, Role
from onss_tui.services.errors import Reason, ValidationFailed
from onss_tui.services.local import convert, fields, rights
from onss_tui.services.local.context import Context
from onss_tui.services.local.enterprises import get_enterprise
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.tables import Designation, EnterpriseQuality, Person, id_of, utcnow


def designate_main_access_manager(
    c: Context, request: dto.MainAccessManagerDesignation
) -> dto.DesignationPublic:
    """A legal representative designates the enterprise's Main Access Manager, or replaces the current
    one, proving who they are by their eID card and national register number. An attempt that fails that
    proof is recorded as refused, in the trail of the enterprise typed, as one by someone who is not its
    legal representative is; the phone number they give becomes that of their own designation there."""
    me = c.acting_person()
    errors: dict[str, str] = {}
    enterprise = fields.enterprise_by_ref(c, errors, request.enterprise_ref)
    if enterprise is not None:
        c.concern(f"enterprise:{enterprise.id}", enterprise.id)
        c.require(
            Role.LEGAL_REPRESENTATIVE in c.roles(id_of(enterprise)),
            Reason("rule.main.legal_only"),
        )
    not_yours: dict[str, Reason] = {}
    try:
        card = ids.validate_eid_card(request.legal_representative_eid)
        if me.eid_card and card != me.eid_card:
            not_yours["legal_representative_eid"] = Reason("rule.main.not_your_eid")
    except ids.IdentifierError as exc:
        errors["legal_representative_eid"] = fields.identifier_reason(
            "eid", request.legal_representative_eid, exc
        )
    try:
        if ids.validate_niss(request.legal_representative_niss) != me.niss:
            not_yours["legal_representative_niss"] = Reason("rule.main.not_your_niss")
    except ids.IdentifierError as exc:
        errors["legal_representative_niss"] = fields.identifier_reason(
            "niss", request.legal_representative_niss, exc
        )
    if not_yours:  # who is acting is not proven: said beside the fields, and recorded as refused
        errors.update(not_yours)
        c.refuse_quietly(next(iter(not_yours.values())), unproven=list(not_yours))
    own_phone = fields.phone(
        errors, "legal_representative_phone", request.legal_representative_phone, required=True
    )
    phone = fields.phone(errors, "designee_phone", request.designee_phone, required=True)
    email = fields.email(errors, "designee_email", request.designee_email)
    designee = fields.person_for(
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
        before = convert.dump(convert.designation(c, current))
        _end(c, current)
        current.version += 1
        c.session.flush()
    designation = _add(
        c,
        id_of(enterprise),
        designee,
        Role.MAIN_ACCESS_MANAGER,
        phone,
        email,
        relation=request.designee_relation,
    )
    _keep_own_phone(c, id_of(enterprise), own_phone)
    result = convert.designation(c, designation)
    c.record(
        "designation.replace_main" if current else "designation.designate_main",
        f"designation:{designation.id}",
        enterprise.id,
        before=before,
        after=convert.dump(result) | {"legal_representative_phone": own_phone},
    )
    return result


def designate(c: Context, request: dto.DesignationRequest) -> dto.DesignationPublic:
    """A main access manager designates a co-main access manager, or an Access Manager for a quality the
    enterprise holds."""
    enterprise = get_enterprise(c, request.enterprise_id)
    if request.role not in (Role.CO_MAIN_ACCESS_MANAGER, Role.ACCESS_MANAGER):
        raise ValidationFailed({"role": Reason("rule.managers.main_elsewhere")})
    c.require(bool(c.roles(request.enterprise_id) & MAIN_ROLES), Reason("rule.managers.main_only"))
    errors: dict[str, str] = {}
    quality = None
    if request.role == Role.ACCESS_MANAGER:
        held = c.session.get(EnterpriseQuality, (request.enterprise_id, request.quality_code or ""))
        if not request.quality_code:
            errors["quality_code"] = Reason("rule.managers.choose_quality")
        elif held is None or not held.active:
            errors["quality_code"] = Reason("rule.managers.quality_not_held")
        quality = request.quality_code
    phone = fields.phone(errors, "phone", request.phone, required=True)
    email = fields.email(errors, "email", request.email)
    person = fields.person_for(c, errors, "niss", request.niss, request.first_name, request.last_name)
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
    designation = _add(c, id_of(enterprise), person, request.role, phone, email, quality_code=quality)
    result = convert.designation(c, designation)
    c.record(
        "designation.designate", f"designation:{designation.id}", enterprise.id, after=convert.dump(result)
    )
    return result


def _add(
    c: Context,
    enterprise_id: int,
    person: Person,
    role: Role,
    phone: str | None,
    email: str | None,
    *,
    quality_code: str | None = None,
    relation: Relation | None = None,
) -> Designation:
    """A new designation of `person`, active at once when they have signed in before (else pending until
    they do), with the contact data given for it."""
    designation = Designation(
        enterprise_id=enterprise_id,
        person_id=id_of(person),
        role=role,
        quality_code=quality_code,
        status=DesignationStatus.ACTIVE if person.signed_in_at else DesignationStatus.PENDING,
        relation=relation,
        contact_phone=phone,
        contact_email=email,
        designated_by_id=c.actor_id,
    )
    c.session.add(designation)
    c.session.flush()
    return designation


def _keep_own_phone(c: Context, enterprise_id: int, phone: str | None) -> None:
    """The phone number a legal representative gives becomes that of their designation as the
    enterprise's legal representative (the console offers it the next time)."""
    own = c.session.exec(
        select(Designation).where(
            Designation.enterprise_id == enterprise_id,
            Designation.person_id == c.actor_id,
            Designation.role == Role.LEGAL_REPRESENTATIVE,
            Designation.status != DesignationStatus.ENDED,
        )
    ).first()
    if own is not None and phone and own.contact_phone != phone:
        own.contact_phone = phone
        own.version += 1


def _end(c: Context, designation: Designation) -> None:
    designation.status, designation.ended_at, designation.ended_by_id = (
        DesignationStatus.ENDED,
        utcnow(),
        c.actor_id,
    )


def end_designation(c: Context, designation_id: int, expected_version: int) -> dto.DesignationPublic:
    designation = c.get(Designation, designation_id, "rule.no_designation")
    refusal = rights.why_not_end(c, designation)
    c.require(refusal is None, refusal or "")
    if designation.status == DesignationStatus.ENDED:
        raise ValidationFailed({"status": Reason("rule.end.already")})
    before = convert.dump(convert.designation(c, designation))
    fields.check_version(designation, expected_version, "designation")
    _end(c, designation)
    c.session.flush()
    result = convert.designation(c, designation)
    c.record(
        "designation.end",
        f"designation:{designation_id}",
        designation.enterprise_id,
        before=before,
        after=convert.dump(result),
    )
    return result


def list_designations(
    c: Context, enterprise_id: int, wanted: dto.DesignationFilter, page: PageRequest
) -> dto.Page[dto.DesignationPublic]:
    """An enterprise's designations, newest first; with whether the actor may end each."""
    get_enterprise(c, enterprise_id)
    c.require_read(enterprise_id)
    stmt = select(Designation).where(Designation.enterprise_id == enterprise_id)
    if not wanted.include_ended:
        stmt = stmt.where(Designation.status != DesignationStatus.ENDED)
    if wanted.role:
        stmt = stmt.where(Designation.role == wanted.role)
    if wanted.status:
        stmt = stmt.where(Designation.status == wanted.status)
    rows, after, before = keyset_page(
        c.session, stmt, [col(Designation.id)], lambda d: (d.id,), page, descending=True
    )
    items = convert.designations(c, rows, may_end=True)
    return dto.Page(items=items, next_cursor=after, prev_cursor=before)
