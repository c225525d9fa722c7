"""The service speaks German too: the catalogue names its entries in German, and a refusal's reason,
names of the catalogue included, reads in German in the console's language."""

from __future__ import annotations

import pytest

from onss_tui.i18n import Messages
from onss_tui.services import dto
from onss_tui.services.errors import Reason, ValidationFailed
from tests.conftest import World
from tests.contract.conftest import mandate


def in_german(reason: str) -> str:
    assert isinstance(reason, Reason)
    return Messages().t("de", reason.key, **reason.values_in("de"))


async def test_the_catalogue_names_its_entries_in_german(service, world: World) -> None:  # type: ignore[no-untyped-def]
    catalogue = await service.catalogue(world.lr)
    german = {e.code: e.name_de for e in catalogue.qualities + catalogue.online_services}
    assert german["approved_social_secretariat"] == "Anerkanntes Sozialsekretariat"
    assert german["temporary_unemployment"] == "Zeitweilige Arbeitslosigkeit"
    assert german["mahis_manage"] == "Mahis – Vollmachten verwalten"
    assert all(e.name_de for e in catalogue.qualities + catalogue.online_services + catalogue.service_groups)


async def test_a_refusal_names_the_group_and_the_kinds_of_mandatary_in_german(service, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as refused:
        await service.create_mandate(
            world.lr, mandate(world, mandatary_id=world.provider, groups=["contributions"])
        )
    assert in_german(refused.value.field_errors["groups"]) == (
        "Einziehung der Beiträge kann nur einem anerkannten Sozialsekretariat anvertraut werden."
    )


async def test_a_refusal_names_the_kind_of_employer_in_german(service, world: World) -> None:  # type: ignore[no-untyped-def]
    townhall = mandate(world, principal_id=world.townhall, groups=["side_jobs"])
    with pytest.raises(ValidationFailed) as refused:
        await service.create_mandate(world.lr_town, townhall)
    assert in_german(refused.value.field_errors["groups"]) == (
        "Nebenjobs (Bijklussen) ist für diese Art von Arbeitgeber (Provinziale oder lokale Verwaltung) "
        "nicht verfügbar."
    )


async def test_a_person_s_console_remembers_german(service, world: World) -> None:  # type: ignore[no-untyped-def]
    await service.save_preferences(world.lr, dto.Preferences(lang="de"))
    assert (await service.get_preferences(world.lr)).lang == "de"
