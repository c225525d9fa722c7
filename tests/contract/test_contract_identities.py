"""Finding a person to sign in as, or to filter the audit trail by: each word of their name, in either
order and with or without accents, or the start of their national register number."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from onss_tui.services import dto
from onss_tui.services.errors import ValidationFailed
from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService
from tests.conftest import World, niss
from tests.contract.test_contract_users import new_user

STEPHANIE_NISS = niss("910304123")


@pytest.fixture
def stephanie(local: LocalService, world: World) -> int:
    with Session(local.engine) as session:
        person = registry.register_person(
            session, STEPHANIE_NISS, "Stéphanie", "Bertrand-Lefèvre", support_staff=True
        )
        session.commit()
        assert person.id is not None
        return person.id


@pytest.mark.parametrize(
    "typed",
    ["Stéphanie", "stephanie", "STÉPHANIE", "lefevre steph", "Bertrand-Lefèvre Stéphanie", "910304"],
)
async def test_a_person_is_found_by_any_word_of_their_name_accents_or_not(service, stephanie, typed) -> None:  # type: ignore[no-untyped-def]
    assert [identity.person.id for identity in await service.list_identities(typed)] == [stephanie]


async def test_every_word_typed_must_be_in_the_name(service, stephanie) -> None:  # type: ignore[no-untyped-def]
    assert await service.list_identities("stephanie peeters") == []


async def test_support_staff_come_first_then_everyone_else_each_by_name_accents_aside(  # type: ignore[no-untyped-def]
    service, local, stephanie
) -> None:
    with Session(local.engine) as session:
        registry.register_person(session, niss("870102123"), "Élise", "Éloi", support_staff=True)
        session.commit()
    names = [identity.person.full_name for identity in await service.list_identities()]
    # "Éloi" among the e, not after "Support" as its first byte would put it.
    assert names[:3] == ["Stéphanie Bertrand-Lefèvre", "Élise Éloi", "Sam Support"]
    others = [name.split()[-1] for name in names[3:]]
    assert others == sorted(others, key=str.casefold) and "Peeters" in others


async def test_a_renamed_person_is_found_by_their_new_name_only(service, staff) -> None:  # type: ignore[no-untyped-def]
    user = await new_user(service, staff, first_name="Aaron", last_name="Aerts")
    await service.update_person(  # support staff change a person's name, when asked
        staff.world.support,
        user.person.id,
        dto.PersonUpdate(expected_version=user.person.version, last_name="Zéeman"),
    )
    found = await service.list_identities("zeeman aaron")
    assert [identity.person.id for identity in found] == [user.person.id]
    assert await service.list_identities("aaron aerts") == []


async def test_a_search_of_many_words_looks_for_the_first_few(service, stephanie) -> None:  # type: ignore[no-untyped-def]
    """Each word is a condition; a thousand of them made SQLite refuse the statement. A search is 200
    characters at most: past that it is refused."""
    typed = "stephanie " + " ".join(["lefevre"] * 20)
    assert [identity.person.id for identity in await service.list_identities(typed)] == [stephanie]
    with pytest.raises(ValidationFailed):
        await service.list_identities("stephanie " + " ".join(["lefevre"] * 1200))


async def test_one_person_s_answer_holds_only_them(local, stephanie, world) -> None:  # type: ignore[no-untyped-def]
    """What the API lists for a token's holder: themselves, when the words typed are in their name."""
    found = await local.list_identities("steph", person_id=stephanie)
    assert [identity.person.id for identity in found] == [stephanie]
    assert await local.list_identities("peeters", person_id=stephanie) == []
