"""A staffed enterprise for the contract suite: every role held by someone who has signed in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from tests.conftest import EMPLOYER_NUMBER, LR_EID, LR_NISS, World, niss

MAM_NISS = niss("950615334")  # the world's `newcomer`


def mandate(world: World, **fields: object) -> dto.MandateCreate:
    """The employer's mandate to the secretariat for DmfA-Dimona from this quarter, with `fields` changed."""
    values: dict[str, object] = {
        "principal_id": world.employer,
        "mandatary_id": world.secretariat,
        "groups": ["dmfa_dimona"],
        "start_quarter": str(Quarter.current()),
    }
    values.update(fields)
    return dto.MandateCreate(**values)  # type: ignore[arg-type]


def main_designation(designee_niss: str = MAM_NISS, **changes: object) -> dto.MainAccessManagerDesignation:
    """A complete, valid designation of the employer's Main Access Manager by its legal representative."""
    fields: dict[str, object] = {
        "enterprise_ref": EMPLOYER_NUMBER,
        "legal_representative_eid": LR_EID,
        "legal_representative_niss": LR_NISS,
        "legal_representative_phone": "0471 12 34 56",
        "designee_niss": designee_niss,
        "designee_phone": "02 555 12 12",
        "designee_relation": "employee",
    }
    fields.update(changes)
    return dto.MainAccessManagerDesignation(**fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Staff:
    world: World
    mam: int
    co_mam: int
    am: int
    user: int
    user_id: int
    am_designation: dto.DesignationPublic

    def actor(self, role: str) -> int:
        w = self.world
        return {
            "legal_representative": w.lr,
            "main_access_manager": self.mam,
            "co_main_access_manager": self.co_mam,
            "access_manager": self.am,
            "user": self.user,
            "support": w.support,
            "outsider": w.outsider,
        }[role]


ROLES = [
    "legal_representative",
    "main_access_manager",
    "co_main_access_manager",
    "access_manager",
    "user",
    "support",
    "outsider",
]

_counter = iter(range(100, 999))


def fresh_niss() -> str:
    """A new valid national register number for each call (born 1980-01-01, counters from 100)."""
    return niss(f"800101{next(_counter):03d}")


async def staff_enterprise(service, world: World) -> Staff:  # type: ignore[no-untyped-def]
    mam = (await service.designate_main_access_manager(world.lr, main_designation())).person.id
    await service.sign_in(mam)
    co = await service.designate(
        mam,
        dto.DesignationRequest(
            enterprise_id=world.employer,
            role="co_main_access_manager",
            niss=niss("820202202"),
            phone="0470 11 22 33",
            first_name="Chloé",
            last_name="Lambert",
        ),
    )
    am = await service.designate(
        mam,
        dto.DesignationRequest(
            enterprise_id=world.employer,
            role="access_manager",
            quality_code="onss_employer",
            niss=niss("830303303"),
            phone="0470 44 55 66",
            first_name="Bram",
            last_name="Claes",
        ),
    )
    await service.sign_in(co.person.id)
    await service.sign_in(am.person.id)
    am = (
        await service.list_designations(
            am.person.id, world.employer, dto.DesignationFilter(role="access_manager")
        )
    ).items[0]
    user = await service.create_user(
        am.person.id,
        dto.UserCreate(
            enterprise_id=world.employer, niss=niss("840404404"), first_name="Ilse", last_name="Jacobs"
        ),
    )
    await service.sign_in(user.person.id)
    return Staff(
        world=world,
        mam=mam,
        co_mam=co.person.id,
        am=am.person.id,
        user=user.person.id,
        user_id=user.id,
        am_designation=am,
    )


@pytest.fixture
async def staff(service, world: World) -> Staff:  # type: ignore[no-untyped-def]
    return await staff_enterprise(service, world)
