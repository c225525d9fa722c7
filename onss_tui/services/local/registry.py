"""What the enterprise register (BCE/KBO) and ONSS provide: enterprises, legal representatives,
social service providers and support staff. Used by the seeder and by tests; audited as `system`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from onss_tui.domain import identifiers as ids
from onss_tui.services.dto import DesignationStatus, EnterpriseCategory, ProviderKind, Role
from onss_tui.services.local import audit
from onss_tui.services.local.tables import (
    Designation,
    Enterprise,
    EnterpriseQuality,
    Person,
    Provider,
    id_of,
    name_key,
    utcnow,
)


def register_person(
    session: Session,
    niss: str,
    first_name: str,
    last_name: str,
    *,
    eid_card: str | None = None,
    support_staff: bool = False,
) -> Person:
    person = Person(
        niss=ids.validate_niss(niss),
        first_name=first_name,
        last_name=last_name,
        name_key=name_key(last_name, first_name),
        eid_card=ids.validate_eid_card(eid_card) if eid_card else None,
        support_staff=support_staff,
    )
    session.add(person)
    session.flush()
    after = {
        "name": f"{first_name} {last_name}",
        "niss": ids.mask_niss(person.niss),
        "support_staff": support_staff,
    }
    audit.append_by_system(session, action="person.register", target=f"person:{person.id}", after=after)
    return person


def register_enterprise(
    session: Session,
    enterprise_number: str,
    name: str,
    category: EnterpriseCategory,
    *,
    onss_number: str | None = None,
    qualities: Iterable[str] = (),
    legal_representatives: Iterable[Person | tuple[Person, str]] = (),
) -> Enterprise:
    """An enterprise with its qualities (the first one active, held from registration) and its legal
    representatives, each with the phone number the register gives for them there, if any
    (`(person, phone)`)."""
    enterprise = Enterprise(
        enterprise_number=ids.validate_enterprise_number(enterprise_number),
        onss_number=ids.validate_onss_number(onss_number) if onss_number else None,
        name=name,
        name_key=name_key(name),
        category=EnterpriseCategory(category),
    )
    session.add(enterprise)
    session.flush()
    for position, code in enumerate(qualities):
        session.add(
            EnterpriseQuality(
                enterprise_id=id_of(enterprise),
                quality_code=code,
                active=position == 0,
                activated_at=utcnow() if position == 0 else None,
                from_registration=position == 0,
            )
        )
    for representative in legal_representatives:
        person, phone = representative if isinstance(representative, tuple) else (representative, None)
        session.add(
            Designation(
                enterprise_id=id_of(enterprise),
                person_id=id_of(person),
                role=Role.LEGAL_REPRESENTATIVE,
                status=DesignationStatus.ACTIVE,
                contact_phone=ids.validate_phone(phone) if phone else None,
            )
        )
    session.flush()
    after = {
        "number": enterprise.enterprise_number,
        "name": name,
        "category": str(category),
        "qualities": list(qualities),
    }
    target = f"enterprise:{enterprise.id}"
    audit.append_by_system(
        session, action="enterprise.register", target=target, enterprise_id=enterprise.id, after=after
    )
    return enterprise


def register_provider(
    session: Session, enterprise: Enterprise, kind: ProviderKind, secretariat_number: str | None = None
) -> Provider:
    """Make an enterprise a mandatary: an approved social secretariat (with its number) or a provider."""
    if (kind == ProviderKind.SOCIAL_SECRETARIAT) != (secretariat_number is not None):
        raise ValueError("an approved social secretariat, and only it, has a secretariat number")
    provider = Provider(
        enterprise_id=id_of(enterprise),
        kind=ProviderKind(kind),
        secretariat_number=ids.validate_secretariat_number(secretariat_number)
        if secretariat_number
        else None,
    )
    session.add(provider)
    session.flush()
    after = {"kind": str(kind), "secretariat_number": secretariat_number}
    target = f"provider:{provider.id}"
    audit.append_by_system(
        session, action="provider.register", target=target, enterprise_id=enterprise.id, after=after
    )
    return provider


def find_person(session: Session, niss: str) -> Person | None:
    return session.exec(select(Person).where(Person.niss == ids.validate_niss(niss))).first()
