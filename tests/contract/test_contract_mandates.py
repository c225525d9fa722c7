"""Mandates to social secretariats and service providers: who, what, when, and the lifecycle."""

from __future__ import annotations

import pytest

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.errors import Conflict, PermissionDenied, ValidationFailed
from onss_tui.services.local import mandate_plan
from onss_tui.services.local.service import LocalService
from tests.conftest import World
from tests.contract.conftest import Staff, fresh_niss, mandate

NOW = Quarter.current()
NEXT = NOW.next()


async def active_mandate(
    service, world: World, *, by: int | None = None, **fields: object
) -> dto.MandatePublic:
    """A mandate given by `by` (the employer's legal representative by default) and accepted."""
    created = await service.create_mandate(by or world.lr, mandate(world, submit=True, **fields))
    mandatary = world.lr_ssa if created.mandatary.id == world.secretariat else world.lr_sp
    return await service.accept_mandate(mandatary, created.id, created.version)


async def test_the_lifecycle_from_draft_to_closed(service, world: World) -> None:
    draft = await service.create_mandate(world.lr, mandate(world, procuration_reference="PROC-1"))
    assert (draft.status, draft.start_quarter, draft.end_quarter) == ("to_finalise", str(NOW), None)
    assert draft.mandatary.secretariat_number == "140"
    pending = await service.submit_mandate(world.lr, draft.id, draft.version)
    assert pending.status == "pending"
    active = await service.accept_mandate(world.lr_ssa, pending.id, pending.version)
    assert (active.status, active.validated_by) == ("active", "Marie Dubois")
    closed = await service.close_mandate(world.lr_ssa, active.id, active.version)  # either party may end it
    assert (closed.status, closed.end_quarter) == ("closed", str(NOW))


async def test_the_mandatary_may_reject(service, world: World) -> None:
    pending = await service.create_mandate(world.lr, mandate(world, submit=True))
    rejected = await service.reject_mandate(world.lr_ssa, pending.id, pending.version)
    assert rejected.status == "rejected"
    with pytest.raises(ValidationFailed) as refused:
        await service.accept_mandate(world.lr_ssa, rejected.id, rejected.version)
    assert "cannot be accepted" in refused.value.field_errors["status"]
    assert "final" in refused.value.field_errors["status"]


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("accept_mandate", "lr"),  # the principal cannot accept for the mandatary
        ("reject_mandate", "lr"),
        ("accept_mandate", "lr_sp"),  # another provider
        ("accept_mandate", "outsider"),
        ("close_mandate", "lr_town"),
        ("accept_mandate", "support"),
    ],
)
async def test_each_step_belongs_to_one_party(service, world: World, step: str, who: str) -> None:
    pending = await service.create_mandate(world.lr, mandate(world, submit=True))
    with pytest.raises(PermissionDenied):
        await getattr(service, step)(getattr(world, who), pending.id, pending.version)
    assert (await service.get_mandate(world.lr, pending.id)).status == "pending"


async def test_only_who_manages_the_principal_s_mandates_creates_one(service, world: World) -> None:
    for who in (world.lr_ssa, world.lr_town, world.outsider, world.support):
        with pytest.raises(PermissionDenied):
            await service.create_mandate(who, mandate(world))


async def test_the_employer_s_mahis_users_and_main_access_manager_act_for_it(service, staff: Staff) -> None:
    world = staff.world
    with pytest.raises(PermissionDenied) as refused:  # a plain user: no Mahis, no mandates
        await service.create_mandate(staff.user, mandate(world))
    assert "Mahis" in refused.value.message
    with pytest.raises(PermissionDenied):
        await service.create_mandate(staff.am, mandate(world))
    # The Main Access Manager creates one; sending it binds the employer: the legal representative does.
    draft = await service.create_mandate(staff.mam, mandate(world))
    assert draft.steps == ["close"]
    with pytest.raises(ValidationFailed) as unbound:
        await service.create_mandate(
            staff.mam, mandate(world, groups=["temporary_unemployment"], submit=True)
        )
    assert "binds the employer" in unbound.value.field_errors["procuration_reference"]
    with pytest.raises(PermissionDenied) as refused:
        await service.submit_mandate(staff.mam, draft.id, draft.version)
    assert "binds the employer" in refused.value.message
    assert (await service.get_mandate(world.lr, draft.id)).steps == ["submit", "close"]
    pending = await service.submit_mandate(world.lr, draft.id, draft.version)
    assert pending.status == "pending"

    # A user holding "consult mandates" reads them and nothing more; "manage mandates" stops them, and with
    # a signed procuration sends one.
    await service.grant_services(staff.am, [staff.user_id], ["mahis_consult"])
    assert (await service.get_mandate(staff.user, pending.id)).steps == []
    assert pending.id in [m.id for m in (await service.list_mandates(staff.user)).items]
    with pytest.raises(PermissionDenied):
        await service.close_mandate(staff.user, pending.id, pending.version)
    await service.grant_services(staff.am, [staff.user_id], ["mahis_manage"])
    closed = await service.close_mandate(staff.user, pending.id, pending.version)
    assert closed.status == "closed"
    signed = await service.create_mandate(
        staff.user, mandate(world, submit=True, procuration_reference="PROC-9")
    )
    assert signed.status == "pending"


async def test_a_plain_user_of_the_employer_does_not_see_its_mandates(service, staff: Staff) -> None:
    given = await service.create_mandate(staff.world.lr, mandate(staff.world))
    assert (await service.list_mandates(staff.user)).items == []
    with pytest.raises(PermissionDenied):
        await service.get_mandate(staff.user, given.id)
    assert [m.id for m in (await service.list_mandates(staff.am)).items] == [given.id]


async def test_a_user_with_mahis_manage_acts_for_the_mandatary(service, world: World) -> None:
    # The secretariat's legal representative designates a Main Access Manager, who creates a Mahis user.
    mam = await service.designate_main_access_manager(
        world.lr_ssa,
        dto.MainAccessManagerDesignation(
            enterprise_ref=str(
                (
                    await service.get_overview(world.lr_ssa, world.secretariat_enterprise)
                ).enterprise.enterprise_number
            ),
            legal_representative_eid="591-1917064-58",
            legal_representative_niss=await service.reveal_niss(world.lr_ssa, world.lr_ssa),
            legal_representative_phone="0473 00 02 22",
            designee_niss=fresh_niss(),
            designee_first_name="Paul",
            designee_last_name="Renard",
            designee_phone="0470 10 10 10",
            designee_relation="director",
        ),
    )
    await service.sign_in(mam.person.id)
    clerk = await service.create_user(
        mam.person.id,
        dto.UserCreate(
            enterprise_id=world.secretariat_enterprise,
            niss=fresh_niss(),
            first_name="Clara",
            last_name="Clerk",
            services=["mahis_consult"],
        ),
    )
    pending = await service.create_mandate(world.lr, mandate(world, submit=True))
    assert (await service.get_mandate(clerk.person.id, pending.id)).id == pending.id  # consult
    with pytest.raises(PermissionDenied):
        await service.accept_mandate(clerk.person.id, pending.id, pending.version)
    await service.grant_services(mam.person.id, [clerk.id], ["mahis_manage"])
    accepted = await service.accept_mandate(clerk.person.id, pending.id, pending.version)
    assert accepted.validated_by == "Clara Clerk"


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"start_quarter": str(NOW.previous())}, "start_quarter", "past"),
        ({"start_quarter": "2026Q5"}, "start_quarter", "not a quarter"),
        ({"start_quarter": str(NEXT), "end_quarter": str(NOW)}, "end_quarter", "before the start"),
        ({"groups": []}, "groups", "at least one"),
        ({"groups": ["astrology"]}, "groups", "Unknown group"),
        ({"groups": ["dmfappl_dimona"]}, "groups", "not available to this kind of employer"),
        (
            {"groups": ["contributions"], "mandatary_id": "provider"},
            "groups",
            "only be entrusted to an approved social secretariat.",
        ),
        ({"branch_number": "12"}, "branch_number", "3 digits"),
        ({"branch_number": "012", "mandatary_id": "provider"}, "branch_number", "Only an approved"),
        ({"mandatary_id": 999_999}, "mandatary_id", "No such"),
        ({"mandatary_id": 0}, "mandatary_id", "Choose the mandatary"),
    ],
)
async def test_what_a_mandate_may_cover(
    service, world: World, fields: dict, field: str, expected: str
) -> None:
    if fields.get("mandatary_id") == "provider":
        fields = fields | {"mandatary_id": world.provider}
    with pytest.raises(ValidationFailed) as refused:
        await service.create_mandate(world.lr, mandate(world, **fields))
    assert expected in refused.value.field_errors[field]


async def test_the_category_decides_the_groups(service, world: World) -> None:
    town = await service.create_mandate(
        world.lr_town,
        mandate(world, principal_id=world.townhall, groups=["dmfappl_dimona", "drs_unemployment"]),
    )
    assert town.groups == ["dmfappl_dimona", "drs_unemployment"]
    with pytest.raises(ValidationFailed, match="not available"):
        await service.create_mandate(world.lr_town, mandate(world, principal_id=world.townhall))


async def test_an_enterprise_cannot_mandate_itself(service, world: World) -> None:
    with pytest.raises(ValidationFailed, match="itself"):
        await service.create_mandate(world.lr_ssa, mandate(world, principal_id=world.secretariat_enterprise))


async def test_a_mandatary_is_replaced_only_at_a_change_of_quarter(service, world: World) -> None:
    current = await active_mandate(service, world)
    with pytest.raises(ValidationFailed) as refused:
        await service.create_mandate(
            world.lr, mandate(world, mandatary_id=world.provider, start_quarter=str(NEXT))
        )
    assert "change of quarter" in refused.value.field_errors["start_quarter"]
    closed = await service.close_mandate(world.lr, current.id, current.version)
    assert closed.end_quarter == str(NOW)
    with pytest.raises(ValidationFailed, match=f"start at {NEXT.written('en')}"):
        await service.create_mandate(world.lr, mandate(world, mandatary_id=world.provider))
    successor = await service.create_mandate(
        world.lr, mandate(world, mandatary_id=world.provider, start_quarter=str(NEXT), submit=True)
    )
    assert successor.start_quarter == str(NEXT)


async def test_the_same_group_twice_to_the_same_mandatary_is_refused(service, world: World) -> None:
    await active_mandate(service, world, groups=["temporary_unemployment"])
    with pytest.raises(ValidationFailed, match="already entrusted"):
        await service.create_mandate(world.lr, mandate(world, groups=["temporary_unemployment"], submit=True))
    # A group open to several mandataries takes another one alongside.
    other = await service.create_mandate(
        world.lr, mandate(world, groups=["temporary_unemployment"], mandatary_id=world.provider, submit=True)
    )
    assert other.status == "pending"


async def test_submitting_and_accepting_recheck_the_quarter_rule(service, world: World) -> None:
    first = await service.create_mandate(world.lr, mandate(world))
    second = await service.create_mandate(world.lr, mandate(world, mandatary_id=world.provider))
    # Two drafts may wait side by side, but only one mandatary may hold DmfA-Dimona.
    first = await service.submit_mandate(world.lr, first.id, first.version)
    await service.accept_mandate(world.lr_ssa, first.id, first.version)
    with pytest.raises(ValidationFailed, match="DmfA-Dimona"):
        await service.submit_mandate(world.lr, second.id, second.version)
    assert (await service.get_mandate(world.lr, second.id)).status == "to_finalise"


async def test_a_stale_step_is_a_conflict(service, world: World) -> None:
    pending = await service.create_mandate(world.lr, mandate(world, submit=True))
    await service.accept_mandate(world.lr_ssa, pending.id, pending.version)
    with pytest.raises(Conflict):
        await service.close_mandate(world.lr, pending.id, pending.version)


async def test_each_party_sees_its_mandates_and_nobody_else_does(service, world: World) -> None:
    made = await service.create_mandate(world.lr, mandate(world))
    for who in (world.lr, world.lr_ssa, world.support):
        assert made.id in {m.id for m in (await service.list_mandates(who)).items}
    for who in (world.lr_sp, world.outsider, world.lr_town):
        assert (await service.list_mandates(who)).items == []
        with pytest.raises(PermissionDenied):
            await service.get_mandate(who, made.id)


async def test_filters_and_sorts(service, world: World) -> None:
    a = await active_mandate(service, world, groups=["dmfa_dimona"])
    b = await service.create_mandate(
        world.lr, mandate(world, mandatary_id=world.provider, groups=["side_jobs"], start_quarter=str(NEXT))
    )
    c = await service.create_mandate(
        world.lr_town, mandate(world, principal_id=world.townhall, groups=["dmfappl_dimona"], submit=True)
    )

    async def ids(**wanted: object) -> list[int]:
        page = await service.list_mandates(world.support, dto.MandateFilter(**wanted))  # type: ignore[arg-type]
        return [m.id for m in page.items]

    assert await ids(text="namur") == [c.id]
    assert await ids(text="0403.170.701") == [a.id, b.id]
    assert await ids(mandatary="payroll") == [b.id]
    assert await ids(status="active") == [a.id]
    assert await ids(group="side_jobs") == [b.id]
    assert await ids(quarter=str(NOW)) == [a.id, c.id]
    assert await ids(enterprise_id=world.townhall) == [c.id]
    assert await ids(sort="newest") == [c.id, b.id, a.id]
    assert await ids(sort="mandatary") == [b.id, a.id, c.id]
    assert await ids(sort="start", descending=True) == [b.id, c.id, a.id]
    with pytest.raises(ValidationFailed):
        await ids(quarter="soon")
    overview = await service.get_overview(world.lr, world.employer)
    assert (overview.mandates_active, overview.mandates_waiting) == (1, 1)
    handled = {g.group_code: g.providers for g in overview.group_handling}
    assert handled["dmfa_dimona"] == ["Securex Secrétariat Social"]
    assert "dmfappl_dimona" not in handled


async def test_the_quarter_is_the_one_the_services_clock_tells(
    service, local: LocalService, world: World
) -> None:
    """The rules on quarters follow the service's clock (tests set it rather than wait for a quarter)."""
    local.current_quarter = lambda: NEXT
    with pytest.raises(ValidationFailed) as refused:
        await service.create_mandate(world.lr, mandate(world))  # from NOW, now past
    assert (
        f"cannot start in the past (now: {NEXT.written('en')})" in refused.value.field_errors["start_quarter"]
    )
    current = await active_mandate(service, world, start_quarter=str(NEXT))
    closed = await service.close_mandate(world.lr, current.id, current.version)
    assert closed.end_quarter == str(NEXT)


async def test_the_status_filter_goes_by_the_status_shown(
    service, local: LocalService, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Active lists the active mandates that cover the current quarter or a later one; an active mandate
    past its end quarter is listed as expired, and only once the quarter has changed."""
    lasting = await active_mandate(service, world)
    ending = await active_mandate(
        service, world, mandatary_id=world.provider, groups=["temporary_unemployment"], end_quarter=str(NOW)
    )
    later = await active_mandate(
        service,
        world,
        by=world.lr_town,
        principal_id=world.townhall,
        groups=["dmfappl_dimona"],
        start_quarter=str(NEXT),
    )
    waiting = await service.create_mandate(
        world.lr, mandate(world, groups=["side_jobs"], end_quarter=str(NOW), submit=True)
    )
    closed = await active_mandate(
        service,
        world,
        by=world.lr_town,
        principal_id=world.townhall,
        groups=["drs_unemployment"],
        end_quarter=str(NOW),
    )
    closed = await service.close_mandate(world.lr_town, closed.id, closed.version)

    async def ids(status: str, **wanted: object) -> list[int]:
        page = await service.list_mandates(world.support, dto.MandateFilter(status=status, **wanted))  # type: ignore[arg-type]
        return [m.id for m in page.items]

    assert await ids("active") == [lasting.id, ending.id, later.id]
    assert await ids("expired") == []
    assert (await service.get_mandate(world.support, ending.id)).ends_this_quarter

    local.current_quarter = lambda: NEXT  # the next quarter has come
    expected = {
        "active": [lasting.id, later.id],
        "expired": [ending.id],
        "pending": [waiting.id],
        "closed": [closed.id],
    }
    for status, found in expected.items():
        assert await ids(status) == found, status
    assert await ids("expired", enterprise_id=world.employer) == [ending.id]
    assert await ids("active", enterprise_id=world.employer) == [lasting.id]
    assert await ids("active", sort="start", descending=True) == [later.id, lasting.id]
    overview = await service.get_overview(world.lr, world.employer)
    assert overview.mandates_active == 1  # the overview counts what the filter lists
    # Many matches: the pages scan the sort's index, checking the same condition row by row.
    monkeypatch.setattr(mandate_plan, "SPARSE_LIMIT", 1)
    for status, found in expected.items():
        assert await ids(status) == found, status
    assert await ids("active", sort="status") == [lasting.id, later.id]
    # Each mandate says how it shows, by the same calendar (over HTTP too: the console asks no clock).
    shown = {m.id: m.shown_status for m in (await service.list_mandates(world.support)).items}
    assert shown[ending.id] == "expired" and shown[lasting.id] == "active" and shown[closed.id] == "closed"
    ended = await service.get_mandate(world.support, ending.id)
    assert (ended.shown_status, ended.ends_this_quarter) == ("expired", False)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_quarter_is_taken_as_the_console_writes_it(service, world: World, lang: str) -> None:
    """The console shows "T1 2027" (fr), "K1 2027" (nl), "2027 Q1" (en): typed back, the service reads it."""
    created = await service.create_mandate(
        world.lr,
        mandate(world, start_quarter=NEXT.written(lang), end_quarter=NEXT.next().written(lang)),
    )
    assert (created.start_quarter, created.end_quarter) == (str(NEXT), str(NEXT.next()))
    listed = await service.list_mandates(world.lr, dto.MandateFilter(quarter=NEXT.written(lang)))
    assert created.id in [m.id for m in listed.items]


async def test_the_mandates_waiting_for_an_enterprise_as_mandatary(service, world: World) -> None:
    given = await service.create_mandate(
        world.lr_ssa,
        mandate(world, principal_id=world.secretariat_enterprise, mandatary_id=world.provider, submit=True),
    )
    received = await service.create_mandate(world.lr, mandate(world, submit=True))
    assert {given.status, received.status} == {"pending"}
    waiting = dto.MandateFilter(
        enterprise_id=world.secretariat_enterprise, status=dto.MandateShownStatus.PENDING, as_mandatary=True
    )
    assert [m.id for m in (await service.list_mandates(world.lr_ssa, waiting)).items] == [received.id]
    both = waiting.model_copy(update={"as_mandatary": False})
    assert {m.id for m in (await service.list_mandates(world.lr_ssa, both)).items} == {given.id, received.id}
