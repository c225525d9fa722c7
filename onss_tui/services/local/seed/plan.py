"""The register the seeder draws, from one seeded random generator: enterprises (employers, social
secretariats, service providers), the people who represent and manage them, their users and the online
services those hold, as rows in the order of their tables' columns."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import TypeVar

from onss_tui.domain import identifiers as ids
from onss_tui.domain.enums import EnterpriseCategory, ProviderKind, Relation, Role
from onss_tui.domain.rules import MAHIS_CONSULT, MAHIS_MANAGE
from onss_tui.services.local.seed.clock import Clock
from onss_tui.services.local.seed.names import (
    REGION_WEIGHTS,
    REGIONS,
    SERVICE_LIKELIHOOD,
    WITHOUT_STAFF,
    Region,
)
from onss_tui.services.local.seed.people import People, PlannedPerson, fast_name_key
from onss_tui.services.local.seed.progress import Advance, ticking, unseen
from onss_tui.services.local.tables import ServiceGroup

T = TypeVar("T")


def cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def mandatary_counts(employers: int) -> tuple[int, int]:
    """How many approved social secretariats (a few dozen at most) and service providers there are."""
    return min(24, 3 + employers // 2500), max(3, employers // 400)


@dataclass(slots=True)
class PlannedEnterprise:
    """An enterprise in the plan: its row's values, its people, and as a mandatary its provider row."""

    id: int
    number: str
    onss: str | None
    name: str
    key: str
    category: str
    region: Region
    created: int
    qualities: list[str]
    legal_representatives: list[PlannedPerson] = field(default_factory=list)
    managers: list[PlannedPerson] = field(default_factory=list)
    """People with an active managing designation: they create users and validate mandates."""
    provider: int | None = None
    kind: str | None = None
    branches: list[str] = field(default_factory=list)
    secretariat_number: str | None = None


@dataclass
class Catalogue:
    """What the store offers (mandate groups, online services) and the first free id of each table."""

    groups: list[ServiceGroup]
    services: list[str]
    next_id: dict[str, int]


class Plan:
    """The bulk rows, drawn from one seeded random generator; the showcase's enterprises are reserved."""

    def __init__(self, rng: Random, clock: Clock, catalogue: Catalogue) -> None:
        self.rng = rng
        self.clock = clock
        self.catalogue = catalogue
        self.next_id = dict(catalogue.next_id)
        self.people = People(rng, clock)
        self.enterprises: list[PlannedEnterprise] = []
        self.employers: list[PlannedEnterprise] = []
        self.secretariats: list[PlannedEnterprise] = []
        self.providers: list[PlannedEnterprise] = []
        self.reserved: list[PlannedEnterprise] = []
        self.qualities: list[tuple] = []
        self.designations: list[tuple] = []
        self.users: list[tuple] = []
        self.grants: list[tuple] = []
        self.random = rng.random

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # -- the register

    def register(self, employers: int, advance: Advance = unseen) -> None:
        """Employers (some local administrations, some companies without staff), approved social
        secretariats and service providers, each with its legal representatives.

        Reserved for the showcase: the first local administration, the first employer, the largest
        secretariat and the first provider.
        """
        rng = self.rng
        secretariats, providers = mandatary_counts(employers)
        total = employers + secretariats + providers
        numbers = rng.sample(range(2_000_000, 20_000_000), total)
        onss = rng.sample(range(1_000_000, 1_999_999), total)
        local_names = self._local_names()
        categories = [EnterpriseCategory.LOCAL_ADMINISTRATION, EnterpriseCategory.EMPLOYER]
        local_left = len(local_names) - 1
        for _ in range(employers - 2):
            r = rng.random()
            if r < 0.01 and local_left:
                categories.append(EnterpriseCategory.LOCAL_ADMINISTRATION)
                local_left -= 1
            else:
                categories.append(EnterpriseCategory.NO_STAFF if r < 0.11 else EnterpriseCategory.EMPLOYER)
        for position in ticking(range(total), advance):
            region = REGIONS[bisect.bisect(REGION_CUMULATIVE, rng.random() * 100)]
            kind = None
            if position < employers:
                category = categories[position]
                if category == EnterpriseCategory.LOCAL_ADMINISTRATION:
                    name, region = local_names.pop(int(rng.random() * len(local_names)))
                    qualities = ["local_administration_employer"]
                elif category == EnterpriseCategory.NO_STAFF:
                    name = self._company(region, WITHOUT_STAFF)
                    qualities = ["company_without_staff"]
                else:
                    name = self._company(region, region.trades)
                    qualities = ["onss_employer"]
            elif position < employers + secretariats:
                category, kind = EnterpriseCategory.EMPLOYER, ProviderKind.SOCIAL_SECRETARIAT
                name = f"{self._fill(self.pick(region.secretariats), region)} {region.nonprofit}"
                qualities = ["approved_social_secretariat", "onss_employer"]
            else:
                category, kind = EnterpriseCategory.EMPLOYER, ProviderKind.SERVICE_PROVIDER
                name = f"{self._fill(self.pick(region.providers), region)} {self.pick(region.forms[:3])}"
                qualities = ["social_service_provider"] + (["onss_employer"] if rng.random() < 0.5 else [])
            onss_number = None
            if category != EnterpriseCategory.NO_STAFF:
                onss_number = (
                    str(5_000_000_120 + int(rng.random() * 999_999_000))
                    if rng.random() < 0.01
                    else ids.onss_number_for(onss[position])
                )
            enterprise = PlannedEnterprise(
                id=0,
                number=ids.enterprise_number_for(numbers[position]),
                onss=onss_number,
                name=name,
                key=fast_name_key(name),
                category=str(category),
                region=region,
                created=int(rng.random() * (len(self.clock.pool) // 2)),
                qualities=qualities,
                kind=str(kind) if kind else None,
            )
            count = 2 if rng.random() < 0.15 else 1
            enterprise.legal_representatives = [self.people.person(region, eid=True) for _ in range(count)]
            self.enterprises.append(enterprise)
        # Ids follow the names: the lists sorted by name (enterprises, then mandates by principal) are
        # then already in the order of their indexes, which the bulk load builds several times faster.
        for enterprise in sorted(self.enterprises, key=lambda e: (e.key, e.number)):
            enterprise.id = self.take_id("enterprise")
        self.employers = self.enterprises[:employers]
        self.secretariats = self.enterprises[employers : employers + secretariats]
        self.providers = self.enterprises[employers + secretariats :]
        self.enterprises.sort(key=lambda e: e.id)  # rows per enterprise then come in index order
        secretariat_numbers = rng.sample(range(100, 1000), secretariats)
        for enterprise, number in zip(self.secretariats, secretariat_numbers, strict=True):
            enterprise.secretariat_number = f"{number:03d}"
            enterprise.branches = [
                f"{b:03d}" for b in sorted(rng.sample(range(1, 1000), rng.randrange(1, 7)))
            ]
        for enterprise in self.secretariats + self.providers:
            enterprise.provider = self.take_id("provider")
        self.reserved = [self.employers[0], self.employers[1], self.secretariats[0], self.providers[0]]
        for enterprise in self.enterprises:
            since = self.clock.pool[enterprise.created]
            for position, code in enumerate(enterprise.qualities):
                active = position == 0 or rng.random() < 0.6
                held = (enterprise.id, code, int(active), since if active else None)
                self.qualities.append((*held, int(position == 0)))  # the first: from registration

    def _local_names(self) -> list[tuple[str, Region]]:
        names = []
        for region in REGIONS:
            for pattern in region.local:
                for town in region.towns:
                    names.append(
                        (pattern.format(town=town, de="d'" if town[0] in "AEIOUÉ" else "de "), region)
                    )
        return names

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def _fill(self, pattern: str, region: Region) -> str:
        pick = self.pick
        return pattern.format(
            last=pick(region.surnames),
            last2=pick(region.surnames),
            first=pick(region.men if self.random() < 0.5 else region.women),
            town=pick(region.towns),
        )

    def _company(self, region: Region, trades: Sequence[str]) -> str:
        name = self._fill(self.pick(trades), region)
        if self.random() < 0.3:
            name = f"{name} {self.pick(region.towns)}"
        return f"{name} {self.pick(region.forms)}"

    # -- designations

    def _designation(
        self,
        e: PlannedEnterprise,
        person: PlannedPerson,
        role: Role,
        status: str,
        since: int,
        *,
        quality: str | None = None,
        relation: Relation | None = None,
        by: PlannedPerson | None = None,
        ended: int | None = None,
    ) -> None:
        """One designation (people as objects: see `designation_rows`); managers leave a contact phone, and
        the e-mail address they have, if any."""
        pool = self.clock.pool
        manager = role != Role.LEGAL_REPRESENTATIVE
        phone = person.phone or self.people.phone(e.region) if manager else None
        email = person.email if manager else None
        version = 1 if status == "pending" or role == Role.LEGAL_REPRESENTATIVE else 2
        self.designations.append(
            (
                self.take_id("designation"),
                e.id,
                person,
                role.value,
                quality,
                status,
                relation.value if relation else None,
                phone,
                email,
                by,
                pool[since],
                None if ended is None else pool[ended],
                None if ended is None else by,
                version,
            )
        )

    def designate(self, advance: Advance = unseen) -> None:
        """Legal representatives everywhere; Main Access Managers (some replaced), co-main access
        managers and Access Managers for most enterprises, none for the reserved ones."""
        rng, clock = self.rng, self.clock
        reserved = {id(e) for e in self.reserved}
        for e in ticking(self.enterprises, advance):
            for lr in e.legal_representatives:
                self._designation(e, lr, Role.LEGAL_REPRESENTATIVE, "active", e.created)
            if id(e) in reserved or (e.provider is None and rng.random() < 0.15):
                continue
            lr = e.legal_representatives[0]
            start = clock.any_after(e.created)
            if rng.random() < 0.08:
                former, ended = self.people.person(e.region), clock.any_after(start)
                self._designation(
                    e, former, Role.MAIN_ACCESS_MANAGER, "ended", start,
                    relation=Relation.EMPLOYEE, by=lr, ended=ended,
                )  # fmt: skip
                start = ended
            if rng.random() < 0.4:
                main, relation = lr, Relation.DIRECTOR
            else:
                main = self.people.person(e.region)
                relation = Relation.EMPLOYEE if rng.random() < 0.8 else Relation.DIRECTOR
            if main.signed_in is None:
                self._designation(
                    e, main, Role.MAIN_ACCESS_MANAGER, "pending", start, relation=relation, by=lr
                )
                continue
            self._designation(e, main, Role.MAIN_ACCESS_MANAGER, "active", start, relation=relation, by=lr)
            e.managers.append(main)
            roles: list[tuple[Role, str | None]] = []
            if rng.random() < 0.1:
                roles.append((Role.CO_MAIN_ACCESS_MANAGER, None))
            if e.provider is not None or rng.random() < 0.45:
                roles += [(Role.ACCESS_MANAGER, e.qualities[0])] * (1, 1, 1, 2, 3)[int(rng.random() * 5)]
            for role, quality in roles:
                manager, since = self.people.person(e.region), clock.any_after(start)
                if rng.random() < 0.05:
                    ended = clock.any_after(since)
                    self._designation(e, manager, role, "ended", since, quality=quality, by=main, ended=ended)
                elif manager.signed_in is None:
                    self._designation(e, manager, role, "pending", since, quality=quality, by=main)
                else:
                    self._designation(e, manager, role, "active", since, quality=quality, by=main)
                    e.managers.append(manager)

    # -- users and their online services

    def create_users(self, count: int, advance: Advance = unseen) -> None:
        """Users spread over the enterprises that have active managers, a few in several enterprises."""
        rng, clock = self.rng, self.clock
        pool = clock.pool
        reserved = {id(e) for e in self.reserved}
        hosts = [e for e in self.enterprises if e.managers and id(e) not in reserved]
        if not hosts or count <= 0:
            advance(len(self.enterprises))
            return
        weights = []
        for e in hosts:
            weight = min(rng.paretovariate(1.3), 400.0)
            if e.kind == ProviderKind.SOCIAL_SECRETARIAT:
                weight *= 60
            elif e.kind == ProviderKind.SERVICE_PROVIDER:
                weight *= 6
            elif e.category == EnterpriseCategory.NO_STAFF:
                weight *= 0.2
            weights.append(weight)
        per_host = [0] * len(hosts)
        for position in rng.choices(range(len(hosts)), cum_weights=cumulative(weights), k=count):
            per_host[position] += 1
        users_of = {id(e): users for e, users in zip(hosts, per_host, strict=True) if users}
        bundles = {kind: self._bundles(table) for kind, table in SERVICE_LIKELIHOOD.items()}
        recent: list[PlannedPerson] = []
        for e in ticking(self.enterprises, advance):
            users = users_of.get(id(e), 0)
            if not users:
                continue
            offered, offered_cumulative = bundles["provider" if e.provider is not None else e.category]
            offered_total = offered_cumulative[-1]
            members: set[int] = set()  # identities of the people already users here
            for _ in range(users):
                person = None
                if recent and rng.random() < 0.04:
                    candidate = recent[int(rng.random() * len(recent))]
                    if id(candidate) not in members:
                        person = candidate
                if person is None:
                    person = self.people.person(e.region)
                    if len(recent) < 1000:
                        recent.append(person)
                    else:
                        recent[int(rng.random() * 1000)] = person
                members.add(id(person))
                r = rng.random()
                status = "active" if r < 0.88 else "suspended" if r < 0.96 else "removed"
                user_id = self.take_id("portal_user")
                created_by = e.managers[int(rng.random() * len(e.managers))]
                created = pool[clock.any_after(e.created)]
                self.users.append(
                    (user_id, e.id, person, self.people.key_of(person), status, created_by, created,
                     1 if status == "active" else 2)
                )  # fmt: skip
                if status != "removed":
                    bundle = offered[bisect.bisect(offered_cumulative, rng.random() * offered_total)]
                    self.grants.extend((user_id, code, created_by, created) for code in bundle)

    def _bundles(self, likelihood: dict[str, float]) -> tuple[list[tuple[str, ...]], list[float]]:
        """Every set of online services a user may hold, with its likelihood (each service drawn on
        its own; who may manage mandates does not also get the right to consult them)."""
        offered = [(code, p) for code, p in likelihood.items() if code in self.catalogue.services]
        weights: dict[tuple[str, ...], float] = {}
        for mask in range(2 ** len(offered)):
            weight = 1.0
            chosen = []
            for bit, (code, p) in enumerate(offered):
                if mask >> bit & 1:
                    weight *= p
                    chosen.append(code)
                else:
                    weight *= 1 - p
            if MAHIS_MANAGE in chosen and MAHIS_CONSULT in chosen:
                chosen.remove(MAHIS_CONSULT)
            bundle = tuple(chosen)
            weights[bundle] = weights.get(bundle, 0.0) + weight
        bundles = list(weights)
        return bundles, cumulative(weights[b] for b in bundles)

    # -- rows of the register (booleans as 0 and 1: sqlite3 binds an exact int without looking for an
    # adapter, and PostgreSQL reads 0 and 1 as booleans)

    def designation_rows(self) -> Iterator[tuple]:
        for d in self.designations:
            by, ended_by = d[9], d[12]
            yield (
                *d[:2], d[2].id, *d[3:9], by and by.id, *d[10:12], ended_by and ended_by.id, d[13]
            )  # fmt: skip

    def user_rows(self) -> Iterator[tuple]:
        """Each user with the contact data its person gave this enterprise."""
        for u in self.users:
            person = u[2]
            yield (u[0], u[1], person.id, u[3], u[4], person.phone, person.email, u[5].id, u[6], u[7])

    def grant_rows(self) -> Iterator[tuple]:
        for user_id, code, by, at in self.grants:
            yield (user_id, code, by.id, at)

    def enterprise_rows(self) -> Iterator[tuple]:
        pool = self.clock.pool
        for e in self.enterprises:
            yield (e.id, e.number, e.onss, e.name, e.key, e.category, pool[e.created], 1)

    def provider_rows(self) -> Iterator[tuple]:
        for e in self.secretariats + self.providers:
            yield (e.provider, e.id, e.kind, e.secretariat_number)


REGION_CUMULATIVE = cumulative(REGION_WEIGHTS)
