"""The demo identities act through the real service on a freshly seeded store (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from onss_tui.domain import identifiers as ids
from onss_tui.services import dto
from onss_tui.services.local.seed import seed_store
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store


async def test_the_demo_identities_can_act(store_url: str) -> None:
    engine = open_store(store_url)
    report = seed_store(engine, enterprises=40, mandates=300, users=None, seed=5)
    service = LocalService(engine)

    def identity(role: str) -> int:
        (demo,) = [i for i in report.identities if i.role == role]
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT id FROM person WHERE niss = :niss"), {"niss": ids.validate_niss(demo.niss)}
            ).scalar_one()

    lr = identity("legal representative")
    main = identity("Main Access Manager")
    manager = identity("Access Manager")
    agent = identity("acting for a social secretariat")
    support = identity("support staff")

    employer = (await service.list_enterprises(lr)).items[0]
    overview = await service.get_overview(main, employer.id)
    assert dto.Role.MAIN_ACCESS_MANAGER in overview.my_roles
    assert overview.co_main_access_managers and overview.access_managers
    assert {m.status for m in (await service.list_mandates(lr)).items} == {
        dto.MandateStatus.ACTIVE,
        dto.MandateStatus.CLOSED,
        dto.MandateStatus.REJECTED,
        dto.MandateStatus.PENDING,
    }
    users = (await service.list_users(manager, employer.id)).items
    user = identity("user")
    assert any(u.person.id == user and "dimona" in u.services for u in users)

    # The secretariat's agent sees the mandates the secretariat received from the bulk, and may accept.
    received = await service.list_mandates(agent, dto.MandateFilter(status=dto.MandateStatus.PENDING))
    assert received.items
    accepted = await service.accept_mandate(agent, received.items[0].id, received.items[0].version)
    assert accepted.status == dto.MandateStatus.ACTIVE

    # Support staff read everything; new rows get fresh ids after the bulk ones.
    everything = await service.list_mandates(support, page=dto.PageRequest(size=5))
    assert len(everything.items) == 5
    created = await service.create_user(
        manager,
        dto.UserCreate(enterprise_id=employer.id, niss="85073003328", first_name="Anne", last_name="Nieuw"),
    )
    with engine.connect() as connection:
        before = connection.execute(
            text("SELECT max(id) FROM portal_user WHERE id != :id"), {"id": created.id}
        )
        assert created.id > before.scalar_one()
    await service.aclose()
