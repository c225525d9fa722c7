"""The showcase: the reserved enterprises brought to life through `LocalService` (designations, users,
mandates in every status), so that every role exists and went through the real rules; its people are the
demo identities."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from onss_tui.domain import identifiers as ids
from onss_tui.domain.enums import ProviderKind, Relation, Role, UserStatus
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local import registry
from onss_tui.services.local.seed.names import REGIONS
from onss_tui.services.local.seed.people import PlannedPerson
from onss_tui.services.local.seed.plan import Plan, PlannedEnterprise
from onss_tui.services.local.seed.progress import SeedProgress
from onss_tui.services.local.seed.report import DemoIdentity
from onss_tui.services.local.service import LocalService

T = TypeVar("T")


def _run_to_end(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end, also when the caller already runs an event loop (the console)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine()).result()


def _named(someone: PlannedPerson) -> dict[str, Any]:
    """Who someone is, as a request names a person the store may not know yet."""
    return {
        "niss": someone.niss,
        "first_name": someone.first_name,
        "last_name": someone.last_name,
        "email": someone.email,
    }


class Showcase:
    """The reserved enterprises brought to life through `LocalService`, so that every role exists and
    every step went through the real rules; its people are the demo identities."""

    def __init__(self, service: LocalService, plan: Plan) -> None:
        self.service = service
        self.plan = plan
        self.identities: list[DemoIdentity] = []
        self.where: dict[str, str] = {}

    def _identity(self, role: str, person: PlannedPerson, enterprise: PlannedEnterprise | None) -> None:
        name = f"{person.first_name} {person.last_name}"
        self.identities.append(DemoIdentity(role, name, ids.format_niss(person.niss)))
        if enterprise is not None:
            self.where[role] = enterprise.name

    def _groups(self, category: str, kind: str, *, single: bool) -> list[str]:
        return [
            g.code
            for g in sorted(self.plan.catalogue.groups, key=lambda g: (g.position, g.code))
            if category in g.principal_categories.split(",")
            and kind in g.mandatary_kinds.split(",")
            and g.single_mandatary == single
        ]

    async def _designate(
        self, actor: int, enterprise: PlannedEnterprise, role: Role, quality: str | None = None
    ) -> tuple[dto.DesignationPublic, PlannedPerson]:
        someone = self.plan.people.person(enterprise.region, record=False)
        phone = someone.phone or self.plan.people.phone(enterprise.region)
        request = dto.DesignationRequest(
            enterprise_id=enterprise.id, role=role, quality_code=quality, phone=phone, **_named(someone)
        )
        return await self.service.designate(actor, request), someone

    async def _main_access_manager(
        self, enterprise: PlannedEnterprise, designee: PlannedPerson | None, relation: Relation
    ) -> tuple[int, PlannedPerson]:
        """The legal representative signs in and designates the Main Access Manager, who signs in."""
        lr = enterprise.legal_representatives[0]
        await self.service.sign_in(lr.id)
        someone = designee or self.plan.people.person(enterprise.region, record=False)
        designation = await self.service.designate_main_access_manager(
            lr.id,
            dto.MainAccessManagerDesignation(
                enterprise_ref=enterprise.number,
                legal_representative_eid=lr.eid_card or "",
                legal_representative_niss=lr.niss,
                legal_representative_phone=lr.phone or self.plan.people.phone(enterprise.region),
                designee_niss=someone.niss,
                designee_phone=someone.phone or self.plan.people.phone(enterprise.region),
                designee_relation=relation,
                designee_first_name=someone.first_name,
                designee_last_name=someone.last_name,
                designee_email=someone.email,
            ),
        )
        if someone is not lr:
            await self.service.sign_in(designation.person.id)
        return designation.person.id, someone

    async def _user(
        self, actor: int, enterprise: PlannedEnterprise, services: list[str]
    ) -> tuple[dto.UserPublic, PlannedPerson]:
        someone = self.plan.people.person(enterprise.region, record=False)
        offered = [code for code in services if code in self.plan.catalogue.services]
        request = dto.UserCreate(
            enterprise_id=enterprise.id, phone=someone.phone, services=offered, **_named(someone)
        )
        return await self.service.create_user(actor, request), someone

    async def play(self, support: list[PlannedPerson]) -> None:
        s = self.service
        town, employer, secretariat, provider = self.plan.reserved
        lr = employer.legal_representatives[0]
        self._identity("legal representative", lr, employer)

        main, main_person = await self._main_access_manager(employer, None, Relation.EMPLOYEE)
        self._identity("Main Access Manager", main_person, employer)
        co, co_person = await self._designate(main, employer, Role.CO_MAIN_ACCESS_MANAGER)
        await self.service.sign_in(co.person.id)
        self._identity("co-main access manager", co_person, employer)
        manager, manager_person = await self._designate(
            main, employer, Role.ACCESS_MANAGER, employer.qualities[0]
        )
        await self.service.sign_in(manager.person.id)
        self._identity("Access Manager", manager_person, employer)
        await self._designate(main, employer, Role.ACCESS_MANAGER, employer.qualities[0])  # stays pending
        leaving, _ = await self._designate(main, employer, Role.ACCESS_MANAGER, employer.qualities[0])
        await s.end_designation(main, leaving.id, leaving.version)

        am = manager.person.id
        user, user_person = await self._user(am, employer, ["dimona", "dmfa"])
        await s.grant_services(
            am, [user.id], [c for c in ("ebox_enterprise",) if c in self.plan.catalogue.services]
        )
        self._identity("user", user_person, employer)
        suspended, _ = await self._user(am, employer, ["dimona"])
        await s.set_user_status(am, suspended.id, UserStatus.SUSPENDED, suspended.version)
        removed, _ = await self._user(am, employer, ["dmfa"])
        await s.set_user_status(am, removed.id, UserStatus.REMOVED, removed.version)

        town_lr = town.legal_representatives[0]
        await self._main_access_manager(town, town_lr, Relation.DIRECTOR)

        secretariat_main, _ = await self._main_access_manager(secretariat, None, Relation.EMPLOYEE)
        secretariat_manager, _ = await self._designate(
            secretariat_main, secretariat, Role.ACCESS_MANAGER, secretariat.qualities[0]
        )
        await self.service.sign_in(secretariat_manager.person.id)
        agent, agent_person = await self._user(
            secretariat_manager.person.id, secretariat, ["mahis_manage", "dimona", "dmfa"]
        )
        self._identity("acting for a social secretariat", agent_person, secretariat)
        provider_lr = provider.legal_representatives[0]

        now, next_quarter = Quarter.current(), Quarter.current().next()
        ssa, sp = ProviderKind.SOCIAL_SECRETARIAT.value, ProviderKind.SERVICE_PROVIDER.value
        employer_category, town_category = employer.category, town.category

        async def mandate(
            actor: int,
            principal: PlannedEnterprise,
            mandatary: PlannedEnterprise,
            groups: list[str],
            start: Quarter,
            submit: bool,
        ) -> dto.MandatePublic:
            assert mandatary.provider is not None
            return await s.create_mandate(
                actor,
                dto.MandateCreate(
                    principal_id=principal.id,
                    mandatary_id=mandatary.provider,
                    groups=groups,
                    start_quarter=str(start),
                    branch_number=mandatary.branches[0] if mandatary.branches else None,
                    submit=submit,
                ),
            )

        shared = self._groups(employer_category, sp, single=False)
        entrusted = await mandate(
            lr.id, employer, secretariat, self._groups(employer_category, ssa, single=True), now, True
        )
        await s.accept_mandate(agent.person.id, entrusted.id, entrusted.version)
        if shared:
            ended = await mandate(lr.id, employer, provider, shared[:1], now, True)
            ended = await s.accept_mandate(provider_lr.id, ended.id, ended.version)
            await s.close_mandate(lr.id, ended.id, ended.version)
            refused = await mandate(lr.id, employer, provider, shared[-1:], now, True)
            await s.reject_mandate(provider_lr.id, refused.id, refused.version)
            await mandate(lr.id, employer, provider, shared[:1], next_quarter, True)
        town_single = self._groups(town_category, ssa, single=True)
        if town_single:
            await mandate(town_lr.id, town, secretariat, town_single, next_quarter, False)
        town_shared = self._groups(town_category, ssa, single=False)
        if town_shared:
            await mandate(town_lr.id, town, secretariat, town_shared[:1], now, True)
        for person in support[:1]:
            self._identity("support staff", person, None)


def play_showcase(engine: Engine, plan: Plan, progress: SeedProgress) -> Showcase:
    """Register three support staff (one per region: nobody designates them), then play the showcase."""
    support = [plan.people.person(REGIONS[position % 3], record=False) for position in range(3)]
    with Session(engine) as session:
        for person in support:
            row = registry.register_person(
                session, person.niss, person.first_name, person.last_name, support_staff=True
            )
            assert row.id is not None
            person.id = row.id
        session.commit()
    showcase = Showcase(LocalService(engine), plan)
    done = progress.task("showcase", 1)
    _run_to_end(lambda: showcase.play(support))
    done(1)
    return showcase
