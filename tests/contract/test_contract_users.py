"""Users of an enterprise and their access to online services."""

from __future__ import annotations

import pytest

from onss_tui.i18n import Messages
from onss_tui.services import dto
from onss_tui.services.errors import Conflict, NotFound, PermissionDenied, Reason, ValidationFailed
from tests.contract.conftest import Staff, fresh_niss


async def new_user(service, staff: Staff, **fields: object) -> dto.UserPublic:
    values: dict[str, object] = {
        "enterprise_id": staff.world.employer,
        "niss": fresh_niss(),
        "first_name": "Eva",
        "last_name": "Smet",
    }
    values.update(fields)
    return await service.create_user(staff.am, dto.UserCreate(**values))  # type: ignore[arg-type]


async def test_create_a_user_with_services(service, staff: Staff) -> None:
    user = await new_user(
        service, staff, services=["dimona", "dmfa"], phone="0470 12 34 56", email="eva@smet.be"
    )
    assert user.status == "active"
    assert user.services == ["dimona", "dmfa"]
    assert (user.phone, user.email) == ("+32470123456", "eva@smet.be")  # the account's
    assert (await service.get_user(staff.am, user.id)) == user


async def test_create_refuses_bad_input_field_by_field(service, staff: Staff) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await new_user(service, staff, niss="123", phone="abc", email="nope", services=["teleport"])
    assert set(refused.value.field_errors) == {"niss", "phone", "email", "services"}


async def test_a_person_is_a_user_of_an_enterprise_once(service, staff: Staff) -> None:
    user = await new_user(service, staff)
    with pytest.raises(ValidationFailed, match="is already a user"):
        await service.create_user(
            staff.am,
            dto.UserCreate(
                enterprise_id=staff.world.employer,
                niss=await service.reveal_niss(staff.am, user.person.id, "again"),
            ),
        )


async def test_suspend_reactivate_remove(service, staff: Staff) -> None:
    user = await new_user(service, staff, services=["dimona"])
    suspended = await service.set_user_status(staff.am, user.id, "suspended", user.version)
    assert suspended.status == "suspended"
    with pytest.raises(ValidationFailed, match="only to active users"):
        await service.grant_services(staff.am, [user.id], ["dmfa"])
    active = await service.set_user_status(staff.am, user.id, "active", suspended.version)
    removed = await service.set_user_status(staff.am, user.id, "removed", active.version)
    assert removed.status == "removed" and removed.services == []
    with pytest.raises(ValidationFailed, match="removed"):
        await service.set_user_status(staff.am, user.id, "active", removed.version)
    listed = await service.list_users(staff.am, staff.world.employer)
    assert user.id not in {u.id for u in listed.items}


async def test_a_removed_user_can_be_created_again(service, staff: Staff) -> None:
    user = await new_user(service, staff)
    niss = await service.reveal_niss(staff.am, user.person.id, "restoring them")
    await service.set_user_status(staff.am, user.id, "removed", user.version)
    again = await service.create_user(staff.am, dto.UserCreate(enterprise_id=staff.world.employer, niss=niss))
    assert again.id == user.id and again.status == "active"


async def test_grant_to_several_users_at_once_and_withdraw(service, staff: Staff) -> None:
    first, second = await new_user(service, staff), await new_user(service, staff, services=["dimona"])
    granted = await service.grant_services(staff.am, [first.id, second.id], ["dimona", "limosa"])
    assert [u.services for u in granted] == [["dimona", "limosa"], ["dimona", "limosa"]]
    withdrawn = await service.withdraw_services(staff.am, [second.id], ["dimona"])
    assert withdrawn[0].services == ["limosa"]
    with pytest.raises(ValidationFailed):
        await service.grant_services(staff.am, [first.id], [])
    with pytest.raises(NotFound):
        await service.grant_services(staff.am, [first.id, 999_999], ["dimona"])


async def test_a_plain_user_changes_only_their_own_contact_data(service, staff: Staff) -> None:
    await new_user(service, staff)  # a colleague, not listed to a plain user
    listed = await service.list_users(staff.user, staff.world.employer)
    assert [u.id for u in listed.items] == [staff.user_id]
    overview = await service.get_overview(staff.user, staff.world.employer)
    assert overview.my_roles == [] and overview.my_user_account  # the overview says they are a user
    assert not (await service.get_overview(staff.world.support, staff.world.employer)).my_user_account
    me = await service.get_user(staff.user, staff.user_id)
    changed = await service.update_user(
        staff.user,
        staff.user_id,
        dto.UserUpdate(expected_version=me.version, phone="0499 11 22 33", email="ilse@x.be"),
    )
    assert (changed.phone, changed.email) == ("+32499112233", "ilse@x.be")
    other = await new_user(service, staff)
    with pytest.raises(PermissionDenied):
        await service.update_user(
            staff.user, other.id, dto.UserUpdate(expected_version=other.version, phone="0499000000")
        )
    with pytest.raises(PermissionDenied):
        await service.grant_services(staff.user, [staff.user_id], ["dimona"])


async def test_a_person_renames_themselves_and_the_list_follows(service, staff: Staff) -> None:
    user = await new_user(service, staff, first_name="Aaron", last_name="Aerts")
    with pytest.raises(PermissionDenied):  # their name is theirs: not their manager's to change
        await service.update_person(
            staff.am, user.person.id, dto.PersonUpdate(expected_version=user.person.version, last_name="Z")
        )
    renamed = await service.update_person(
        user.person.id,
        user.person.id,
        dto.PersonUpdate(expected_version=user.person.version, last_name="Zeeman"),
    )
    assert renamed.last_name == "Zeeman" and renamed.version == user.person.version + 1
    assert (await service.get_user(staff.am, user.id)).person.last_name == "Zeeman"
    for text in ("zeem", "Aaron Zeeman", "zeeman aaron", "aar zee"):
        found = await service.list_users(staff.am, staff.world.employer, dto.UserFilter(text=text))
        assert [u.id for u in found.items] == [user.id], text
    found = await service.list_users(staff.am, staff.world.employer, dto.UserFilter(text="aaron aerts"))
    assert found.items == []


async def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(service, staff: Staff) -> None:
    user = await new_user(service, staff)
    await service.update_user(
        staff.am, user.id, dto.UserUpdate(expected_version=user.version, phone="0470 00 00 01")
    )
    with pytest.raises(Conflict):
        await service.update_user(
            staff.am, user.id, dto.UserUpdate(expected_version=user.version, phone="0470 00 00 02")
        )
    with pytest.raises(Conflict):
        await service.set_user_status(staff.am, user.id, "suspended", user.version)
    now = await service.get_user(staff.am, user.id)
    assert (now.phone, now.status) == ("+32470000001", "active")


async def test_users_are_filtered_and_sorted_in_pages(service, staff: Staff) -> None:
    names = ["Vos", "Aerts", "Claes", "Maes", "Dubois", "Wouters", "Lemaire"]
    for name in names:
        await new_user(service, staff, last_name=name, services=["dimona"] if name < "M" else [])
    seen: list[str] = []
    page = dto.PageRequest(size=3)
    while True:
        result = await service.list_users(staff.am, staff.world.employer, page=page)
        seen += [u.person.last_name for u in result.items]
        if result.next_cursor is None:
            break
        page = dto.PageRequest(size=3, cursor=result.next_cursor)
    assert seen == sorted(seen, key=str.lower) and len(seen) == len(names) + 1  # + Ilse Jacobs
    dimona = await service.list_users(
        staff.am, staff.world.employer, dto.UserFilter(service="dimona", sort="name", descending=True)
    )
    assert [u.person.last_name for u in dimona.items] == ["Lemaire", "Dubois", "Claes", "Aerts"]
    suspended = await service.list_users(staff.am, staff.world.employer, dto.UserFilter(status="suspended"))
    assert suspended.items == []


async def test_online_services_are_those_of_the_kind_of_employer(service, staff: Staff) -> None:
    """DmfA for employers, DmfAPPL for provincial and local administrations: as the catalogue says."""
    catalogue = {entry.code: entry for entry in (await service.catalogue(staff.am)).online_services}
    assert catalogue["dmfappl"].enterprise_categories == ["local_administration"]
    assert "local_administration" not in catalogue["dmfa"].enterprise_categories
    user = await new_user(service, staff, services=["dmfa"])
    with pytest.raises(
        ValidationFailed, match=r"Not available to this kind of employer \(Employer\): DmfAPPL"
    ):
        await service.grant_services(staff.am, [user.id], ["dimona", "dmfappl"])
    with pytest.raises(ValidationFailed, match="DmfAPPL"):
        await service.create_user(
            staff.am,
            dto.UserCreate(enterprise_id=staff.world.employer, niss=fresh_niss(), services=["dmfappl"]),
        )
    assert (await service.get_user(staff.am, user.id)).services == ["dmfa"]  # nothing granted
    await service.grant_services(staff.am, [user.id], ["dimona"])
    withdrawn = await service.withdraw_services(staff.am, [user.id], ["dmfa"])
    assert withdrawn[0].services == ["dimona"]


@pytest.mark.parametrize("address", ["eva@@smet.be", "eva@smet..be", "eva.@smet.be", "eva@.be"])
async def test_a_malformed_e_mail_address_is_refused_and_nothing_changes(
    service, staff: Staff, address
) -> None:  # type: ignore[no-untyped-def]
    me = await service.get_user(staff.user, staff.user_id)
    with pytest.raises(ValidationFailed) as refused:
        await service.update_user(
            staff.user, staff.user_id, dto.UserUpdate(expected_version=me.version, email=address)
        )
    assert set(refused.value.field_errors) == {"email"}
    assert (await service.get_user(staff.user, staff.user_id)).email == me.email


async def test_a_reason_carries_what_says_it_in_every_language(service, staff: Staff) -> None:
    """A field error is a `Reason`: English text, and the key and values that say it in French or Dutch,
    values that depend on the language (a status) given in each; over HTTP too."""
    user = await new_user(service, staff)
    suspended = await service.set_user_status(staff.am, user.id, "suspended", user.version)
    with pytest.raises(ValidationFailed) as refused:
        await service.set_user_status(staff.am, user.id, "suspended", suspended.version)
    reason = refused.value.field_errors["status"]
    assert reason == "This user is already suspended."
    assert isinstance(reason, Reason) and reason.key == "rule.users.already_status"
    messages = Messages()
    assert messages.t("fr", reason.key, **reason.values_in("fr")) == "Cet utilisateur est déjà suspendu."
    assert messages.t("nl", reason.key, **reason.values_in("nl")) == "Deze gebruiker is al geschorst."
