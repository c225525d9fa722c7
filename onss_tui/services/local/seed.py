"""Synthetic demo and load-test data for a fresh store: `onss-tui seed` and the console's `--demo` mode.

Two parts. The *bulk* part writes the mass of the store directly as rows (enterprises from the
register, people, designations, users, grants, mandates), each table in large batches and recorded in the
audit trail as one `seed.bulk_*` entry; it keeps every invariant the service keeps (one Main Access
Manager per enterprise, a group held by a single mandatary at a time, the copied party names). Two
processes share the load: on a new SQLite file (written without the rollback journal), the second draws
and writes the mandates into a file of its own while the first writes the register, then they are moved
in whole; on PostgreSQL, the second turns the rows into COPY text while the first copies them in. The
*showcase* part then plays the real rules through `LocalService` on a few reserved enterprises: a legal
representative designates the Main Access Manager, who designates a co-main access manager and Access
Managers, who create users and grant them online services; mandates pass through every status. Those
people are the demo identities printed at the end, one per role.

The same `seed` gives the same data (quarters are counted from the current quarter, so the same day gives
the same rows). National register numbers, enterprise, ONSS and eID card numbers carry valid check digits;
phone numbers are Belgian numbers in E.164 form.
"""

from __future__ import annotations

import asyncio
import bisect
import concurrent.futures
import gc
import itertools
import multiprocessing
import os
import re
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import Session, col

from onss_tui.domain import identifiers as ids
from onss_tui.domain.quarters import Quarter
from onss_tui.domain.rules import MAHIS_CONSULT, MAHIS_MANAGE
from onss_tui.services import dto
from onss_tui.services.dto import (
    SYSTEM,
    EnterpriseCategory,
    MandateStatus,
    ProviderKind,
    Relation,
    Role,
    UserStatus,
)
from onss_tui.services.local import audit, registry
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import Enterprise, OnlineService, ServiceGroup, name_key

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------- people


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


FLEMISH_MEN = _words(
    "Jan Pieter Koen Bart Tom Wim Dirk Luc Marc Peter Kris Stijn Jeroen Wout Lars Arne Jens Thomas "
    "Robbe Seppe Lukas Milan Vincent Bram Jonas Maarten Joris Sander Ruben Tim Kevin Steven Geert "
    "Filip Johan Hans Erik Wouter Dries Ward Senne Kobe Mathias Niels Simon Brecht Gert Rik Frank "
    "Jef Lowie"
)
FLEMISH_WOMEN = _words(
    "An Els Katrien Sofie Lien Lotte Emma Marie Sarah Eva Hanne Lore Nele Ine Kaat Griet Inge Veerle "
    "Annelies Evelien Charlotte Elke Leen Liesbeth Marleen Nathalie Tine Femke Jolien Fien Noor "
    "Ellen Hilde Karolien Lieve Mieke Sien Nina Ann Joke Kim Linde Saskia Ilse Marthe Jana"
)
WALLOON_MEN = _words(
    "Jean Luc Pierre Michel Philippe Olivier Nicolas Julien Thomas Antoine Maxime François Laurent "
    "Christophe Benoît Damien Sébastien Vincent Cédric Arnaud Romain Grégory Quentin Guillaume Alain "
    "Jacques Didier Thierry Pascal Frédéric Jérôme Hugo Louis Nathan Arthur Victor Martin Mathieu "
    "Xavier Yves Loïc"
)
WALLOON_WOMEN = _words(
    "Marie Sophie Julie Isabelle Nathalie Catherine Anne Valérie Christine Aurélie Céline Camille "
    "Laura Pauline Charlotte Manon Léa Chloé Émilie Sandrine Véronique Caroline Stéphanie Florence "
    "Virginie Delphine Martine Françoise Jacqueline Mélanie Justine Élise Louise Alice Clara "
    "Juliette Amandine Géraldine Annick Murielle"
)
BRUSSELS_MEN = _words(
    "Mohamed Youssef Mehdi Karim Ayoub Hamza Ibrahim Omar Rachid Samir Bilal Adam Amine Ilyas "
    "Yassine Mustafa Emre Mehmet Burak Kemal Tomasz Piotr Marco Luca Alessandro João Diego Carlos "
    "Alexandru Andrei Ahmed Ismaël Moussa Mamadou Nikos Dimitri Stefan Jakub Pablo Sami"
)
BRUSSELS_WOMEN = _words(
    "Fatima Yasmina Nadia Samira Leila Salma Imane Aïcha Khadija Sara Ines Lina Meryem Elif Zeynep "
    "Ayşe Ana Maria Giulia Francesca Agnieszka Katarzyna Elena Ioana Sofia Carmen Aminata Fatou Awa "
    "Rania Hajar Nour Yasmine Soraya Malika Hind Dounia Amal Selma Hanna"
)
FLEMISH_SURNAMES = _words(
    "Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|Vermeulen|Hermans|Aerts|"
    "Pauwels|Michiels|Verhoeven|Smets|Stevens|Lemmens|Verstraete|Martens|Declercq|Desmet|Bogaert|"
    "Hendrickx|Coppens|Geerts|Cools|Claeys|Leemans|Segers|Wuyts|Verbruggen|Baert|Devos|Thys|Vos|"
    "Mahieu|Verschueren|Vervoort|Huysmans|Moens|Maenhout|Vandenbussche|Nijs|Bosmans|Daems|Beckers|"
    "Roels|Dewulf|Mattheeuws|Vanhoutte|Verlinden|Cornelis|Boeckx|Luyten|Timmermans|Verbeke|Vandamme|"
    "Goethals|Ceulemans|Heylen|De Smet|Van Damme|Van den Broeck|De Backer|De Clercq|Vandenberghe|"
    "Van de Velde|Van Dyck|De Vos|De Wilde|Van Hecke|Van Acker|D'Hondt|Van Hoof|De Coninck|Van Looy",
    "|",
)
WALLOON_SURNAMES = _words(
    "Dubois|Lambert|Martin|Dupont|Simon|Laurent|Leclercq|Lejeune|Renard|Dumont|François|Lefebvre|"
    "Leroy|Gérard|Mathieu|Henry|Denis|Lemaire|Collard|Fontaine|Dumoulin|Jacquet|Charlier|Thiry|"
    "Delvaux|Gilson|Noël|Piette|Masson|Lecomte|Rousseau|Marchal|Bodart|Hubert|Michaux|Remy|Wilmotte|"
    "Hardy|Gillet|Servais|Delhaye|Dethier|Lhoest|Pirard|Mathy|Bertrand|Colin|Legrand|Baudoin|Dufour|"
    "Lallemand|Delcourt|Parmentier|Georges|André|Closset|Massart|Pirotte|Leonard|Rigaux|Hennuy|"
    "Defourny|de Lannoy|Van Cauwenberghe|Dupuis",
    "|",
)
BRUSSELS_SURNAMES = _words(
    "Benali|Bouzid|Ouali|Tahiri|Yilmaz|Kaya|Demir|Şahin|Öztürk|Çelik|Nowak|Kowalski|Wiśniewski|Rossi|"
    "Russo|Bianchi|Esposito|García|Fernández|Martínez|Silva|Santos|Pereira|Popescu|Ionescu|Diallo|"
    "Traoré|Kabongo|Mukendi|Tshibangu|Nguyen|Papadopoulos|Haddad|Mansouri|Chakir|Amrani|Bakkali|"
    "Azzouzi|Benhaddou|Cherkaoui|El Amrani|El Idrissi|Aït Ali|El Khattabi|El Ouardi",
    "|",
)

# ---------------------------------------------------------------------------------------------- places

FLEMISH_TOWNS = _words(
    "Gent Antwerpen Brugge Leuven Mechelen Aalst Kortrijk Hasselt Genk Sint-Niklaas Oostende "
    "Roeselare Turnhout Lier Geel Dendermonde Ieper Tienen Lokeren Waregem Beveren Herentals Mol "
    "Tielt Diest Ninove Zottegem Aarschot Bilzen Tongeren Lommel Maasmechelen Beringen Deinze Eeklo "
    "Vilvoorde Halle Zaventem Asse Boom Brasschaat Kapellen Knokke-Heist Poperinge Menen Harelbeke "
    "Wetteren Ronse Izegem Torhout"
)
WALLOON_TOWNS = _words(
    "Namur Liège Charleroi Mons Tournai Verviers Seraing Mouscron Wavre Arlon Huy Dinant Nivelles "
    "Waterloo Spa Bastogne Ath Soignies Binche Gembloux Durbuy Ciney Malmedy Eupen Jodoigne Fleurus "
    "Herstal Ottignies Tubize Waremme Marche-en-Famenne Andenne Châtelet Braine-l'Alleud Rixensart "
    "Hannut Virton Chimay Couvin Philippeville Stavelot Visé Ans Flémalle Frameries Quaregnon "
    "Péruwelz Enghien Lessines"
)
BRUSSELS_TOWNS = _words(
    "Bruxelles Ixelles Schaerbeek Anderlecht Molenbeek Uccle Forest Etterbeek Jette Saint-Gilles "
    "Evere Auderghem Ganshoren Koekelberg Woluwe-Saint-Lambert Woluwe-Saint-Pierre "
    "Watermael-Boitsfort Berchem-Sainte-Agathe Saint-Josse"
)


def _landline_prefixes(areas: str) -> tuple[str, ...]:
    """Area codes followed by a first subscriber digit that the numbering plan uses there."""
    leading = {"4": "23", "9": "234"}
    return tuple(area + digit for area in areas.split() for digit in leading.get(area, "2345678"))


FLEMISH_AREAS = _landline_prefixes("3 9 50 16 11 15 56 59 14 53 52 54 57 51 13 89")
WALLOON_AREAS = _landline_prefixes("4 81 71 65 10 67 87 63 69 85 82 84 61 64 80 83")
BRUSSELS_AREAS = _landline_prefixes("2")
MOBILE_PREFIXES = _words(
    "460 465 466 467 468 470 471 472 473 474 475 476 477 478 479 483 484 485 486 487 488 489 490 491 "
    "492 493 494 495 496 497 498 499"
)
FLEMISH_TRADES = _words(
    "Bakkerij {last}|Garage {last}|Schrijnwerkerij {last}|Transport {last}|{last} & Zonen|"
    "Bouwbedrijf {last}|Brouwerij {last}|Apotheek {last}|Dakwerken {last}|Tandartspraktijk {last}|"
    "{town} Logistics|{last} Consult|Elektro {last}|Immo {last}|Kapsalon {first}|Slagerij {last}|"
    "Frituur {first}|{last} Installaties|Tuinaanleg {last}|Drukkerij {last}|Schoonmaak {town}|"
    "Verzekeringen {last}|Architectenbureau {last}|{last}-{last2}",
    "|",
)
WALLOON_TRADES = _words(
    "Boulangerie {last}|Garage {last}|Menuiserie {last}|Transports {last}|{last} & Fils|"
    "Constructions {last}|Brasserie {last}|Pharmacie {last}|Toitures {last}|Cabinet dentaire {last}|"
    "{town} Logistique|{last} Conseil|Électricité {last}|Immobilière {last}|Salon {first}|"
    "Boucherie {last}|Friterie {first}|Chauffage {last}|Jardins {last}|Imprimerie {last}|"
    "Nettoyage {town}|Assurances {last}|Bureau d'architecture {last}|{last}-{last2}",
    "|",
)
BRUSSELS_TRADES = _words(
    "{last} Partners|{town} Digital|{last} Trading|{last} Solutions|Café {first}|Épicerie {last}|"
    "Restaurant {first}|{last} Import-Export|Cleaning {town}|Taxi {last}",
    "|",
)
WITHOUT_STAFF = _words(
    "{last} Holding|{last} Management|Immo {last}|{first} {last} Beheer|Patrimoine {last}|{last} Invest", "|"
)
FLEMISH_FORMS = _words("BV BV BV NV CV VZW CommV")
WALLOON_FORMS = _words("SRL SRL SRL SA SC ASBL SComm")
FLEMISH_LOCAL = _words(
    "Gemeente {town}|OCMW {town}|Stad {town}|Politiezone {town}|AGB {town}|Brandweerzone {town}", "|"
)
WALLOON_LOCAL = _words(
    "Commune {de}{town}|CPAS {de}{town}|Ville {de}{town}|Zone de police {town}|"
    "Régie communale autonome {de}{town}|Zone de secours {town}",
    "|",
)
FLEMISH_SOCIAL = _words(
    "Sociaal Secretariaat {town}|Erkend Sociaal Secretariaat {last}|{last} Sociaal Secretariaat|"
    "Sociaal Secretariaat Ondernemers {town}",
    "|",
)
WALLOON_SOCIAL = _words(
    "Secrétariat social {town}|Secrétariat social agréé {last}|Secrétariat social des employeurs {town}|"
    "{last} Secrétariat social",
    "|",
)
FLEMISH_SERVICES = _words(
    "Accountantskantoor {last}|Sociale Dienstverlening {last}|{last} Payroll|Loonbureau {town}", "|"
)
WALLOON_SERVICES = _words(
    "Fiduciaire {last}|Bureau social {last}|{last} Payroll|Gestion salariale {town}", "|"
)


@dataclass(frozen=True)
class Region:
    """Where an enterprise sits: its people's names, its towns, its phone areas and its trade names."""

    men: Sequence[str]
    women: Sequence[str]
    surnames: Sequence[str]
    towns: Sequence[str]
    areas: Sequence[str]
    trades: Sequence[str]
    forms: Sequence[str]
    local: Sequence[str]
    secretariats: Sequence[str]
    providers: Sequence[str]
    nonprofit: str


FLANDERS = Region(
    FLEMISH_MEN,
    FLEMISH_WOMEN,
    FLEMISH_SURNAMES,
    FLEMISH_TOWNS,
    FLEMISH_AREAS,
    FLEMISH_TRADES,
    FLEMISH_FORMS,
    FLEMISH_LOCAL,
    FLEMISH_SOCIAL,
    FLEMISH_SERVICES,
    "VZW",
)
WALLONIA = Region(
    WALLOON_MEN,
    WALLOON_WOMEN,
    WALLOON_SURNAMES,
    WALLOON_TOWNS,
    WALLOON_AREAS,
    WALLOON_TRADES,
    WALLOON_FORMS,
    WALLOON_LOCAL,
    WALLOON_SOCIAL,
    WALLOON_SERVICES,
    "ASBL",
)
BRUSSELS = Region(
    BRUSSELS_MEN + WALLOON_MEN[:20] + FLEMISH_MEN[:12],
    BRUSSELS_WOMEN + WALLOON_WOMEN[:20] + FLEMISH_WOMEN[:12],
    BRUSSELS_SURNAMES + WALLOON_SURNAMES[:30] + FLEMISH_SURNAMES[:15],
    BRUSSELS_TOWNS,
    BRUSSELS_AREAS,
    BRUSSELS_TRADES + WALLOON_TRADES[:12] + FLEMISH_TRADES[:8],
    WALLOON_FORMS[:4] + FLEMISH_FORMS[:3],
    WALLOON_LOCAL[:3],
    WALLOON_SOCIAL + FLEMISH_SOCIAL[:1],
    WALLOON_SERVICES + FLEMISH_SERVICES[:2] + ("{last} Social Services", "HR Services {town}"),
    "ASBL",
)
REGIONS = (FLANDERS, WALLONIA, BRUSSELS)
REGION_WEIGHTS = (58, 32, 10)

# ---------------------------------------------------------------------------------------------- mixes

MANDATE_STATUS_MIX = (
    (MandateStatus.ACTIVE, 74),
    (MandateStatus.CLOSED, 11),
    (MandateStatus.PENDING, 6),
    (MandateStatus.TO_FINALISE, 5),
    (MandateStatus.REJECTED, 4),
)
GROUP_LIKELIHOOD = {
    "dmfa_dimona": 0.9,
    "dmfappl_dimona": 0.9,
    "drs_unemployment": 0.6,
    "contributions": 0.55,
    "temporary_unemployment": 0.3,
    "side_jobs": 0.15,
}
"""How often a mandate covers each group it may cover; a group not listed here: 0.3."""
SERVICE_LIKELIHOOD: dict[str, dict[str, float]] = {
    EnterpriseCategory.EMPLOYER: {
        "dimona": 0.7,
        "dmfa": 0.6,
        "drs": 0.3,
        "temporary_unemployment": 0.2,
        "limosa": 0.1,
        "checkinatwork": 0.08,
        "wide": 0.05,
        "mahis_consult": 0.1,
        "ebox_enterprise": 0.4,
        "chaman": 0.02,
    },
    EnterpriseCategory.LOCAL_ADMINISTRATION: {
        "dimona": 0.7,
        "dmfappl": 0.7,
        "drs": 0.3,
        "temporary_unemployment": 0.1,
        "mahis_consult": 0.1,
        "ebox_enterprise": 0.5,
    },
    EnterpriseCategory.NO_STAFF: {"ebox_enterprise": 0.8, "mahis_consult": 0.3},
    "provider": {
        "dimona": 0.8,
        "dmfa": 0.8,
        "drs": 0.5,
        "mahis_manage": 0.5,
        "mahis_consult": 0.3,
        "ebox_enterprise": 0.3,
        "chaman": 0.1,
    },
}
"""How often a user of each kind of enterprise holds each online service (providers: secretariats too)."""

FIRST_QUARTER = Quarter(2015, 1)
BATCH = 20_000
SHOWCASE_MANDATES, SHOWCASE_USERS = 6, 4
"""What the showcase creates through the service; the bulk makes up the rest of what was asked."""


# ---------------------------------------------------------------------------------------------- report


class DemoIdentity(NamedTuple):
    """Someone to sign in as, to try one role."""

    role: str
    name: str
    niss: str


class SeedError(Exception):
    """The store cannot be seeded (it already holds data)."""


@dataclass
class SeedReport:
    """What `seed_store` wrote, how long it took, and whom to sign in as."""

    counts: dict[str, int]
    seconds: float
    identities: list[DemoIdentity]
    cpu_seconds: float
    """Processor time of the seeding processes (not of a database server): on a busy machine, beside
    `seconds`."""
    seed: int
    backend: str
    phases: dict[str, float] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    """Seconds per table: writing its rows, rebuilding its indexes (for benchmarks)."""
    showcase: dict[str, str] = field(default_factory=dict)
    """Role label -> the enterprise the demo identity acts for."""

    @property
    def mandate_seconds(self) -> float:
        """Time spent writing the bulk mandates and their groups (rows, indexes, moving them in), in
        whichever process wrote them."""
        return sum(seconds for step, seconds in self.steps.items() if step.startswith("mandate"))

    def summary(self) -> str:
        lines = [f"Seeded a {self.backend} store (seed {self.seed}) in {self.seconds:.1f} s:"]
        lines.append("  " + ", ".join(f"{count:,} {what}" for what, count in self.counts.items()))
        if self.phases:
            lines.append(
                "  time: " + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in self.phases.items())
            )
        lines.append("Demo identities (sign in with --as NISS):")
        width = max(len(i.role) for i in self.identities) if self.identities else 0
        name_width = max(len(i.name) for i in self.identities) if self.identities else 0
        for identity in self.identities:
            where = self.showcase.get(identity.role)
            lines.append(
                f"  {identity.role:<{width}}  {identity.name:<{name_width}}  {identity.niss}"
                + (f"  ({where})" if where else "")
            )
        return "\n".join(lines)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days per month, February always 28 (so that any year will do)."""


# ---------------------------------------------------------------------------------------------- helpers


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _quarter_index(quarter: Quarter) -> int:
    return quarter.year * 4 + quarter.number - 1


def _quarter_code(index: int) -> int:
    return (index // 4) * 10 + index % 4 + 1


def _quarter_start(index: int) -> datetime:
    return datetime(index // 4, (index % 4) * 3 + 1, 1, tzinfo=UTC)


class _Clock:
    """Timestamps as the backend's column text, drawn from fixed pools so that they cost little."""

    def __init__(self, rng: Random, today: date, backend: str) -> None:
        self.suffix = "+00" if backend == "postgresql" else ""
        self.midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        start = datetime(2012, 1, 1, tzinfo=UTC)
        span = int((self.midnight - start).total_seconds())
        moments = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(4096))
        self.pool = [self.text(m) for m in moments]
        self.rng = rng

    def text(self, moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + self.suffix

    def any_after(self, index: int) -> int:
        """A pool index not before `index` (pool entries are in time order)."""
        return index + int(self.rng.random() * (len(self.pool) - index))

    def before_quarter(self, quarter: int, rng: Random) -> list[str]:
        """Sixteen moments, in order, in the two months before a quarter starts (never after today)."""
        start = _quarter_start(quarter) - timedelta(days=60)
        moments = [start + timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(16)]
        latest = self.midnight - timedelta(seconds=1)
        return sorted(self.text(min(m, latest)) for m in moments)


class _Progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description:<18}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        """A new line on the bar; the returned function advances it. Without a total, the line shows
        activity until the first advance, which completes it."""
        if self._bar is None:
            return lambda _n: None
        bar = self._bar
        if total is None:
            task_id = bar.add_task(description, total=None)
            return lambda n: bar.update(task_id, total=n, completed=n)
        task_id = bar.add_task(description, total=max(total, 1))
        return lambda n: bar.advance(task_id, n)


def _mandatary_counts(employers: int) -> tuple[int, int]:
    """How many approved social secretariats (a few dozen at most) and service providers there are."""
    return min(24, 3 + employers // 2500), max(3, employers // 400)


def _ticking(items: Iterable[T], advance: Callable[[int], None], every: int = 2000) -> Iterator[T]:
    """The items, telling `advance` how many went by every `every` of them (and the rest at the end)."""
    count = 0
    for item in items:
        yield item
        count += 1
        if count == every:
            advance(count)
            count = 0
    advance(count)


def _unseen(_count: int) -> None:
    """Progress that nobody watches."""


# ---------------------------------------------------------------------------------------------- bulk loading


def _driver(connection: Connection) -> Any:
    """The database driver's own connection (sqlite3 or psycopg) under a SQLAlchemy connection."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def _batches(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _copy_text(rows: Iterable[tuple], path: str) -> int:
    """Write the rows to a file as PostgreSQL COPY text (the generated values hold no tab, newline or
    backslash); how many there were."""
    count = 0
    with open(path, "w", encoding="utf-8") as file:
        for batch in _batches(rows):
            lines = ("\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in batch)
            file.write("".join(lines))
            count += len(batch)
    return count


class _Loader:
    """Writes rows in bulk on one connection, inside the caller's transaction.

    An empty table is filled without its secondary indexes (and, on PostgreSQL, without its foreign
    keys), which are rebuilt from their own definitions afterwards: several times faster than keeping
    them up to date row by row, and rebuilding a unique index or a foreign key checks the rows written.
    """

    def __init__(self, driver: Any, *, postgres: bool) -> None:
        self.driver = driver
        self.postgres = postgres
        self.steps: dict[str, float] = {}
        """Seconds spent per table on its rows and on rebuilding its indexes."""

    def load(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple], advance: Callable[[int], None]
    ) -> int:
        """SQLite: insert the rows."""
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

        def insert() -> int:
            return self.driver.executemany(statement, _ticking(rows, advance, BATCH)).rowcount

        return self._fill(table, columns, insert)

    def copy(self, table: str, columns: Sequence[str], path: str, count: int) -> None:
        """PostgreSQL: copy the rows from a file of COPY text."""

        def copy() -> int:
            with (
                open(path, "rb") as file,
                self.driver.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
            return count

        self._fill(table, columns, copy)

    def derive(self, table: str, columns: Sequence[str], query: str) -> int:
        """SQLite: fill the table from a query over rows already written, inside the database, with its
        indexes in place (the rows reach them at their end, which is cheaper than rebuilding them)."""
        statement = f"INSERT INTO {table} ({', '.join(columns)}) {query}"
        return self._fill(table, columns, lambda: self.driver.execute(statement).rowcount, rebuild=False)

    def _fill(
        self, table: str, columns: Sequence[str], fill: Callable[[], int], *, rebuild: bool = True
    ) -> int:
        began = time.perf_counter()
        restore = self._set_aside(table) if rebuild and self._empty(table) else []
        count = fill()
        written = time.perf_counter()
        self.steps[f"{table} rows"] = written - began
        for statement in restore:
            self.execute(statement)
        self.steps[f"{table} indexes"] = time.perf_counter() - written
        if self.postgres and count and "id" in columns:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        return count

    def transfer(self, tables: Sequence[str], source: str) -> None:
        """Copy whole tables from an attached SQLite database that declares them and their indexes as
        this one does, into these empty tables: SQLite then copies records and index entries as they are,
        without decoding or sorting them again."""
        for table in tables:
            began = time.perf_counter()
            self.execute(f"INSERT INTO main.{table} SELECT * FROM {source}.{table}")
            self.steps[f"{table} transfer"] = time.perf_counter() - began

    def execute(self, statement: str) -> list[Any]:
        if self.postgres:
            with self.driver.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else []
        return self.driver.execute(statement).fetchall()

    def _empty(self, table: str) -> bool:
        return not self.execute(f"SELECT 1 FROM {table} LIMIT 1")

    def _set_aside(self, table: str) -> list[str]:
        """Drop what the table's rows keep up to date one by one (secondary indexes, triggers, on
        PostgreSQL foreign keys); return the statements that restore it, with everything it derived."""
        if not self.postgres:
            derived = self.execute(
                "SELECT type, name, sql FROM sqlite_master "
                f"WHERE type IN ('index', 'trigger') AND tbl_name = '{table}' AND sql IS NOT NULL"
            )
            for kind, name, _sql in derived:
                self.execute(f'DROP {kind.upper()} "{name}"')
            # Full-text tables over this table's rows are rebuilt in one pass, then their triggers return.
            searches = [
                f"INSERT INTO {name}({name}) VALUES ('rebuild')"
                for name, sql in self.execute(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
                )
                if re.search(rf"content\s*=\s*'?{table}'?\s*[,)]", sql)
            ]
            rebuilt = [sql for kind, _name, sql in derived if kind == "index"]
            triggers = [sql for kind, _name, sql in derived if kind == "trigger"]
            return rebuilt + searches + triggers
        secondary = self.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) "
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            f"WHERE x.indrelid = '{table}'::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
        )
        keys = self.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE conrelid = '{table}'::regclass AND contype = 'f'"
        )
        for name, _definition in keys:
            self.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in secondary:
            self.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in secondary] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in keys
        ]


class _Aside:
    """`work` done by a forked process while this one goes on: what it yields comes over as soon as
    yielded. The fork hands over everything drawn so far without copying it; the other process touches
    none of this one's connections. Where processes cannot fork, `work` runs here as its results are read.
    """

    def __init__(self, work: Callable[[], Iterable[Any]]) -> None:
        self._work = work
        self._process: Any = None
        if FORKS:
            context = multiprocessing.get_context("fork")
            self._results, sender = context.Pipe(duplex=False)

            def run() -> None:
                try:
                    for item in work():
                        sender.send(("item", item))
                    sender.send(("done", None))
                except BaseException:
                    sender.send(("failed", traceback.format_exc()))

            self._process = context.Process(target=run, name="onss-seed-aside", daemon=True)
            self._process.start()
            sender.close()

    def results(self) -> Iterator[Any]:
        if self._process is None:
            yield from self._work()
            return
        while True:
            try:
                kind, value = self._results.recv()
            except EOFError:
                kind, value = "failed", "it ended without a word"
            if kind != "item":
                break
            yield value
        self._process.join()
        if kind == "failed":
            raise RuntimeError(f"the second seeding process failed: {value}")

    def stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()


FORKS = "fork" in multiprocessing.get_all_start_methods()


def _unjournaled(loader: _Loader) -> bool:
    """On a new SQLite file (nothing but its catalogue) that no other connection holds, turn off the
    rollback journal and syncing for the load: every page is then written once, straight to the file. A
    load that fails leaves the file unusable, as it leaves a file that a crash interrupts."""
    if loader.execute("SELECT 1 FROM person LIMIT 1"):
        return False
    try:
        if loader.execute("PRAGMA journal_mode = OFF") != [("off",)]:
            return False
    except sqlite3.OperationalError:  # "database is locked": another connection holds it
        return False
    loader.execute("PRAGMA synchronous = OFF")
    return True


def _write_aside(
    path: str, schema: Sequence[str], write: Callable[[_Loader], dict[str, int]]
) -> Iterator[tuple[dict[str, int], dict[str, float]]]:
    """Create these tables (and their indexes) in a new SQLite file and let `write` fill them; yields what
    it wrote and the time per step."""
    driver = sqlite3.connect(path, isolation_level=None)
    for pragma in (*SQLITE_BULK, "journal_mode = OFF", "synchronous = OFF"):
        driver.execute(f"PRAGMA {pragma}")
    for statement in schema:
        driver.execute(statement)
    loader = _Loader(driver, postgres=False)
    driver.execute("BEGIN")
    written = write(loader)
    driver.execute("COMMIT")
    driver.close()
    yield written, loader.steps


def _copy_texts(
    directory: str, tables: Iterable[tuple[str, Callable[[], Iterable[tuple]]]]
) -> Iterator[tuple[str, str, int]]:
    """Each table's rows in a file of COPY text of its own: (table, path, rows) as soon as written."""
    for table, rows in tables:
        path = os.path.join(directory, f"{table}.copy")
        yield table, path, _copy_text(rows(), path)


SQLITE_BULK = ("foreign_keys = OFF", "cache_size = -262144", "temp_store = MEMORY")
"""Pragmas of a SQLite connection that loads in bulk (its own: it is closed afterwards)."""
ASIDE = ("mandate", "mandate_group")
"""On a new SQLite file, the tables a second process fills in a file of its own, moved in whole after."""

COLUMNS = {
    "person": "id niss first_name last_name name_key phone email eid_card support_staff signed_in_at version",
    "enterprise": "id enterprise_number onss_number name name_key category created_at version",
    "enterprise_quality": "enterprise_id quality_code active activated_at",
    "provider": "id enterprise_id kind secretariat_number",
    "designation": "id enterprise_id person_id role quality_code status relation contact_phone "
    "designated_by_id started_at ended_at ended_by_id version",
    "portal_user": "id enterprise_id person_id name_key status created_by_id created_at version",
    "access_grant": "user_id service_code granted_by_id granted_at",
    "mandate": "id principal_id mandatary_id principal_number principal_name principal_key "
    "mandatary_number mandatary_name mandatary_key branch_number groups start_quarter end_quarter status "
    "procuration_reference created_by_id validated_by_id created_at updated_at version",
    "mandate_group": "mandate_id group_code",
}
LABELS = {
    "person": "people",
    "enterprise": "enterprises",
    "enterprise_quality": "qualities",
    "provider": "mandataries",
    "designation": "designations",
    "portal_user": "users",
    "access_grant": "grants",
    "mandate": "mandates",
    "mandate_group": "groups",
}
"""What the progress bar calls each table."""
AUDIT_ACTIONS = {
    "person": "seed.bulk_persons",
    "enterprise": "seed.bulk_enterprises",
    "enterprise_quality": "seed.bulk_qualities",
    "provider": "seed.bulk_providers",
    "designation": "seed.bulk_designations",
    "portal_user": "seed.bulk_users",
    "access_grant": "seed.bulk_grants",
    "mandate": "seed.bulk_mandates",
    "mandate_group": "seed.bulk_mandate_groups",
}


# ---------------------------------------------------------------------------------------------- the plan


@dataclass(slots=True, eq=False)
class _Person:
    id: int
    """Given by `_Plan.number_people` once everyone is drawn; rows refer to the person until then."""
    niss: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    eid_card: str | None
    signed_in: int | None
    """Pool index of the first sign-in, or None: never signed in (their designations are pending)."""


@dataclass(slots=True)
class _Enterprise:
    id: int
    number: str
    onss: str | None
    name: str
    key: str
    category: str
    region: Region
    created: int
    qualities: list[str]
    legal_representatives: list[_Person] = field(default_factory=list)
    managers: list[_Person] = field(default_factory=list)
    """People with an active managing designation: they create users and validate mandates."""
    provider: int | None = None
    kind: str | None = None
    branches: list[str] = field(default_factory=list)
    secretariat_number: str | None = None


@dataclass
class _Catalogue:
    groups: list[ServiceGroup]
    services: list[str]
    next_id: dict[str, int]


class _Plan:
    """The bulk rows, drawn from one seeded random generator; the showcase's enterprises are reserved."""

    def __init__(self, rng: Random, clock: _Clock, catalogue: _Catalogue) -> None:
        self.rng = rng
        self.clock = clock
        self.catalogue = catalogue
        self.next_id = dict(catalogue.next_id)
        self.used_niss: set[str] = set()
        self.persons: list[_Person] = []
        self.enterprises: list[_Enterprise] = []
        self.employers: list[_Enterprise] = []
        self.secretariats: list[_Enterprise] = []
        self.providers: list[_Enterprise] = []
        self.reserved: list[_Enterprise] = []
        self.qualities: list[tuple] = []
        self.designations: list[tuple] = []
        self.users: list[tuple] = []
        self.grants: list[tuple] = []
        self._name_keys: dict[tuple[str, str], str] = {}
        self._ascii_names: dict[str, str] = {}
        self.random = rng.random

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # -- people

    def niss(self, male: bool) -> str:
        random = self.random
        while True:
            year = 1955 + int(random() * 51)
            month = 1 + int(random() * 12)
            day = 1 + int(random() * _MONTH_DAYS[month])
            number = ids.niss_for(date(year, month, day), int(random() * 499) * 2 + (1 if male else 2))
            if number not in self.used_niss:
                self.used_niss.add(number)
                return number

    def phone(self, region: Region, mobile: bool = True) -> str:
        random = self.random
        if mobile:
            return (
                f"+32{MOBILE_PREFIXES[int(random() * len(MOBILE_PREFIXES))]}{int(random() * 1_000_000):06d}"
            )
        area = region.areas[int(random() * len(region.areas))]
        digits = 8 - len(area)
        return f"+32{area}{int(random() * 10**digits):0{digits}d}"

    def person(self, region: Region, *, eid: bool = False, record: bool = True) -> _Person:
        """Someone from this region; `record=False` for someone the showcase will bring in through the
        service (they get no row here)."""
        random = self.random
        male = random() < 0.5
        firsts = region.men if male else region.women
        first = firsts[int(random() * len(firsts))]
        last = region.surnames[int(random() * len(region.surnames))]
        phone = self.phone(region, mobile=random() < 0.85) if random() < 0.9 else None
        email = f"{self._ascii(first)}.{self._ascii(last)}@example.com" if random() < 0.5 else None
        person = _Person(
            id=0,
            niss=self.niss(male),
            first_name=first,
            last_name=last,
            phone=phone,
            email=email,
            eid_card=ids.eid_card_for(5_900_000_000 + int(random() * 100_000_000)) if eid else None,
            signed_in=int(random() * len(self.clock.pool)) if random() < 0.9 else None,
        )
        if record:
            self.persons.append(person)
        return person

    def _ascii(self, name: str) -> str:
        """A name as it may appear in an e-mail address ("Françoise" -> "francoise")."""
        text = self._ascii_names.get(name)
        if text is None:
            text = self._ascii_names[name] = "".join(c for c in name_key(name) if c.isalnum())
        return text

    def number_people(self) -> None:
        """Give everyone an id, in the order of their national register numbers: the unique index on
        them then grows at its end, which is much faster to load than in random order."""
        first = self.next_id["person"]
        self.persons.sort(key=lambda p: p.niss)
        for position, person in enumerate(self.persons):
            person.id = first + position

    def key_of(self, person: _Person) -> str:
        """A person's `name_key`, which their users carry too."""
        pair = (person.last_name, person.first_name)
        key = self._name_keys.get(pair)
        if key is None:
            key = self._name_keys[pair] = _key(f"{pair[0]} {pair[1]}")
        return key

    # -- the register

    def register(self, employers: int, advance: Callable[[int], None] = _unseen) -> None:
        """Employers (some local administrations, some companies without staff), approved social
        secretariats and service providers, each with its legal representatives.

        Reserved for the showcase: the first local administration, the first employer, the largest
        secretariat and the first provider.
        """
        rng = self.rng
        secretariats, providers = _mandatary_counts(employers)
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
        for position in _ticking(range(total), advance):
            region = REGIONS[bisect.bisect(_REGION_CUMULATIVE, rng.random() * 100)]
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
            enterprise = _Enterprise(
                id=0,
                number=ids.enterprise_number_for(numbers[position]),
                onss=onss_number,
                name=name,
                key=_key(name),
                category=str(category),
                region=region,
                created=int(rng.random() * (len(self.clock.pool) // 2)),
                qualities=qualities,
                kind=str(kind) if kind else None,
            )
            count = 2 if rng.random() < 0.15 else 1
            enterprise.legal_representatives = [self.person(region, eid=True) for _ in range(count)]
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
                self.qualities.append((enterprise.id, code, int(active), since if active else None))

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
        e: _Enterprise,
        person: _Person,
        role: Role,
        status: str,
        since: int,
        *,
        quality: str | None = None,
        relation: Relation | None = None,
        by: _Person | None = None,
        ended: int | None = None,
    ) -> None:
        """One designation (people as objects: see `designation_rows`); managers leave a contact phone."""
        pool = self.clock.pool
        phone = None if role == Role.LEGAL_REPRESENTATIVE else person.phone or self.phone(e.region)
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
                by,
                pool[since],
                None if ended is None else pool[ended],
                None if ended is None else by,
                version,
            )
        )

    def designate(self, advance: Callable[[int], None] = _unseen) -> None:
        """Legal representatives everywhere; Main Access Managers (some replaced), co-main access
        managers and Access Managers for most enterprises, none for the reserved ones."""
        rng, clock = self.rng, self.clock
        reserved = {id(e) for e in self.reserved}
        for e in _ticking(self.enterprises, advance):
            for lr in e.legal_representatives:
                self._designation(e, lr, Role.LEGAL_REPRESENTATIVE, "active", e.created)
            if id(e) in reserved or (e.provider is None and rng.random() < 0.15):
                continue
            lr = e.legal_representatives[0]
            start = clock.any_after(e.created)
            if rng.random() < 0.08:
                former, ended = self.person(e.region), clock.any_after(start)
                self._designation(
                    e, former, Role.MAIN_ACCESS_MANAGER, "ended", start,
                    relation=Relation.EMPLOYEE, by=lr, ended=ended,
                )  # fmt: skip
                start = ended
            if rng.random() < 0.4:
                main, relation = lr, Relation.DIRECTOR
            else:
                main = self.person(e.region)
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
                manager, since = self.person(e.region), clock.any_after(start)
                if rng.random() < 0.05:
                    ended = clock.any_after(since)
                    self._designation(e, manager, role, "ended", since, quality=quality, by=main, ended=ended)
                elif manager.signed_in is None:
                    self._designation(e, manager, role, "pending", since, quality=quality, by=main)
                else:
                    self._designation(e, manager, role, "active", since, quality=quality, by=main)
                    e.managers.append(manager)

    # -- users and their online services

    def create_users(self, count: int, advance: Callable[[int], None] = _unseen) -> None:
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
        for position in rng.choices(range(len(hosts)), cum_weights=_cumulative(weights), k=count):
            per_host[position] += 1
        users_of = {id(e): users for e, users in zip(hosts, per_host, strict=True) if users}
        bundles = {kind: self._bundles(table) for kind, table in SERVICE_LIKELIHOOD.items()}
        recent: list[_Person] = []
        for e in _ticking(self.enterprises, advance):
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
                    person = self.person(e.region)
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
                    (user_id, e.id, person, self.key_of(person), status, created_by, created,
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
        return bundles, _cumulative(weights[b] for b in bundles)

    # -- rows of the register (booleans as 0 and 1: sqlite3 binds an exact int without looking for an
    # adapter, and PostgreSQL reads 0 and 1 as booleans)

    def person_rows(self) -> Iterator[tuple]:
        pool = self.clock.pool
        for p in self.persons:
            yield (
                p.id, p.niss, p.first_name, p.last_name, self.key_of(p), p.phone, p.email, p.eid_card, 0,
                None if p.signed_in is None else pool[p.signed_in], 1,
            )  # fmt: skip

    def designation_rows(self) -> Iterator[tuple]:
        for d in self.designations:
            by, ended_by = d[8], d[11]
            yield (
                *d[:2], d[2].id, *d[3:8], by and by.id, *d[9:11], ended_by and ended_by.id, d[12]
            )  # fmt: skip

    def user_rows(self) -> Iterator[tuple]:
        for u in self.users:
            yield (u[0], u[1], u[2].id, u[3], u[4], u[5].id, u[6], u[7])

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


# ---------------------------------------------------------------------------------------------- mandates


class _MandatePlan:
    """Mandates per principal along a timeline from 2015Q1 to next quarter, written principal after
    principal (in the order of their names, which is also the order of their ids).

    A group entrusted to a single mandatary is held by at most one pending or active mandate of a
    principal at any quarter, and a group open to several mandataries by at most one per mandatary: the
    rule the service applies when a mandate is created or accepted.
    """

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.rng = Random(plan.rng.getrandbits(64))
        """A stream of its own: the mandates may be drawn in another process, the showcase goes on."""
        self.current = _quarter_index(Quarter.of(plan.clock.midnight.date()))
        self.mandataries = plan.secretariats + plan.providers
        weights = [
            min(self.rng.paretovariate(1.1), 200.0) * (8 if e.kind == ProviderKind.SOCIAL_SECRETARIAT else 1)
            for e in self.mandataries
        ]
        weights[0] = max(weights) * 1.5  # the showcase's secretariat is the largest
        self.weights = weights
        self._choices: dict[str, tuple[list[int], list[float], list[Any]]] = {}

    def _options(self, category: str, kind: str) -> tuple[list[tuple[str, tuple[Any, ...]]], list[float]]:
        """Every non-empty set of the groups a principal of this category may entrust to this kind of
        mandatary, with its likelihood: (comma-joined codes, ((code, single_mandatary), ...))."""
        eligible = sorted(
            (g for g in self.plan.catalogue.groups
             if category in g.principal_categories.split(",") and kind in g.mandatary_kinds.split(",")),
            key=lambda g: g.code,
        )  # fmt: skip
        options: list[tuple[str, tuple[Any, ...]]] = []
        weights: list[float] = []
        for mask in range(1, 2 ** len(eligible)):
            chosen = [g for bit, g in enumerate(eligible) if mask >> bit & 1]
            weight = 1.0
            for bit, g in enumerate(eligible):
                p = GROUP_LIKELIHOOD.get(g.code, 0.3)
                weight *= p if mask >> bit & 1 else 1 - p
            options.append(
                (",".join(g.code for g in chosen), tuple((g.code, g.single_mandatary) for g in chosen))
            )
            weights.append(weight)
        return options, _cumulative(weights)

    def choices(self, category: str) -> tuple[list[int], list[float], list[Any]]:
        """The mandataries a principal of this category may choose (with their weights), and for each of
        them the sets of groups it may entrust to it."""
        found = self._choices.get(category)
        if found is None:
            by_kind = {
                kind: self._options(category, kind)
                for kind in sorted({e.kind for e in self.mandataries if e.kind})
            }
            allowed = [m for m, e in enumerate(self.mandataries) if e.kind and by_kind[e.kind][0]]
            found = self._choices[category] = (
                allowed,
                _cumulative(self.weights[m] for m in allowed),
                [by_kind[self.mandataries[m].kind or ""] for m in allowed],
            )
        return found

    def allocate(self, count: int) -> list[tuple[_Enterprise, int]]:
        """How many mandates each principal gives; about a quarter of them handle everything themselves."""
        rng = self.rng
        reserved = {id(e) for e in self.plan.reserved}
        principals = []
        weights = []
        for e in sorted(self.plan.employers, key=lambda e: e.id):
            if id(e) in reserved or not self.choices(e.category)[0]:
                continue
            alone = 0.5 if e.category == EnterpriseCategory.LOCAL_ADMINISTRATION else 0.25
            if rng.random() < alone:
                continue
            principals.append(e)
            weights.append(min(rng.paretovariate(1.6), 30.0))
        if not principals or count <= 0:
            return []
        per_principal = [0] * len(principals)
        if count >= len(principals):
            per_principal = [1] * len(principals)
            count -= len(principals)
        for i in rng.choices(range(len(principals)), cum_weights=_cumulative(weights), k=count):
            per_principal[i] += 1
        return [(e, k) for e, k in zip(principals, per_principal, strict=True) if k]

    def rows(self, allocation: list[tuple[_Enterprise, int]], first_id: int) -> Iterator[tuple]:
        """Draw and yield every mandate row (its groups are written from its `groups` column).

        A principal's mandates are drawn along its timeline. When a new mandate takes a group that an
        earlier one still holds (pending, active, or closed after having been active), the earlier one
        ends the quarter before: a group passes to a new mandatary at a change of quarter. When the
        earlier one does not start before it, the new one is drawn as withdrawn (closed, no end) instead.
        """
        random = self.rng.random
        clock = self.plan.clock
        current = self.current
        latest = current + 1
        first = _quarter_index(FIRST_QUARTER)
        mandataries = self.mandataries
        validators = [(e.managers or e.legal_representatives)[0].id for e in mandataries]
        statuses = [s.value for s, _w in MANDATE_STATUS_MIX]
        status_cumulative = _cumulative(w for _s, w in MANDATE_STATUS_MIX)
        status_total = status_cumulative[-1]
        versions = {"to_finalise": 1, "pending": 1, "active": 2, "rejected": 2, "closed": 3}
        quarters = range(first, latest + 13)
        code_of = {q: _quarter_code(q) for q in quarters}
        moments_of = {q: clock.before_quarter(q, self.rng) for q in quarters}
        parties = [(e.provider, e.number, e.name, e.key, e.branches) for e in mandataries]
        mandate_id = first_id
        for principal, k in allocation:
            allowed, cumulative, options_of = self.choices(principal.category)
            total = cumulative[-1]
            home = bisect.bisect(cumulative, random() * total)
            cursor = first + int(random() * max(1, current - first))
            spread = max(1, (latest - cursor) * 2 // k - 1)
            holders: dict[Any, list[Any]] = {}
            drafts: list[list[Any]] = []
            drawn = [statuses[bisect.bisect(status_cumulative, random() * status_total)] for _ in range(k)]
            drawn.sort(key=lambda s: s == "pending" or s == "to_finalise")  # the waiting ones are recent
            for status in drawn:
                choice = home if random() < 0.7 else bisect.bisect(cumulative, random() * total)
                m = allowed[choice]
                options, option_cumulative = options_of[choice]
                text, codes = options[bisect.bisect(option_cumulative, random() * option_cumulative[-1])]
                start = cursor
                if status == "pending":
                    start = max(cursor, current)
                elif status == "to_finalise":
                    start = current + (random() < 0.5)
                draft = [m, text, codes, start, None, status]
                drafts.append(draft)
                cursor = min(latest, cursor + 1 + int(random() * spread))
                if status == "rejected":
                    draft[4] = start + 2 + int(random() * 10) if random() < 0.2 else None
                # Pending and active mandates hold their groups, and so does a closed one that was active.
                if (
                    status == "rejected"
                    or status == "to_finalise"
                    or (status == "closed" and start > current)
                ):
                    continue
                keys = [code if single else (code, m) for code, single in codes]
                earlier = [
                    e for e in (holders.get(key) for key in keys) if e and (e[4] is None or e[4] >= start)
                ]
                if earlier and max(e[3] for e in earlier) >= start:
                    draft[5] = "closed"  # withdrawn before it was accepted: it holds nothing
                    continue
                for e in earlier:
                    e[4] = start - 1
                if status == "pending":
                    draft[4] = start + 4 + int(random() * 8) if random() < 0.2 else None
                elif status == "active":
                    draft[4] = (
                        start + 1 + int(random() * 11) if start < current - 2 and random() < 0.3 else None
                    )
                else:
                    draft[4] = min(start + int(random() * 12), current)
                for key in keys:
                    holders[key] = draft
            creator = principal.legal_representatives[0].id
            principal_id, number, name, key = principal.id, principal.number, principal.name, principal.key
            for m, text, _codes, start, end, status in drafts:
                provider, mandatary_number, mandatary_name, mandatary_key, branches = parties[m]
                branch = None
                if branches and random() < 0.4:
                    branch = branches[int(random() * len(branches))]
                reference = f"PRO-{start // 4}-{int(random() * 1_000_000):06d}" if random() < 0.3 else None
                moments = moments_of[start]
                moment = int(random() * 16)
                waiting = status == "to_finalise" or status == "pending"
                yield (
                    mandate_id, principal_id, provider, number, name, key,
                    mandatary_number, mandatary_name, mandatary_key,
                    branch, text, code_of[start], None if end is None else code_of[end], status, reference,
                    creator,
                    validators[m] if status == "active" or (status == "closed" and end is not None) else None,
                    moments[moment], moments[moment if waiting else moment + (15 - moment) // 2],
                    versions[status],
                )  # fmt: skip
                mandate_id += 1


def _key(text: str) -> str:
    """`name_key` of the service, with a short way for plain ASCII (the same result)."""
    return text.casefold().strip() if text.isascii() else name_key(text)


_REGION_CUMULATIVE = _cumulative(REGION_WEIGHTS)


# ---------------------------------------------------------------------------------------------- showcase


def _run(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end, also when the caller already runs an event loop (the console)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine()).result()


class _Showcase:
    """The reserved enterprises brought to life through `LocalService`, so that every role exists and
    every step went through the real rules; its people are the demo identities."""

    def __init__(self, service: LocalService, plan: _Plan) -> None:
        self.service = service
        self.plan = plan
        self.identities: list[DemoIdentity] = []
        self.where: dict[str, str] = {}

    def _identity(self, role: str, person: _Person, enterprise: _Enterprise | None) -> None:
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
        self, actor: int, enterprise: _Enterprise, role: Role, quality: str | None = None
    ) -> tuple[dto.DesignationPublic, _Person]:
        someone = self.plan.person(enterprise.region, record=False)
        designation = await self.service.designate(
            actor,
            dto.DesignationRequest(
                enterprise_id=enterprise.id,
                role=role,
                quality_code=quality,
                niss=someone.niss,
                phone=someone.phone or self.plan.phone(enterprise.region),
                first_name=someone.first_name,
                last_name=someone.last_name,
                email=someone.email,
            ),
        )
        return designation, someone

    async def _main_access_manager(
        self, enterprise: _Enterprise, designee: _Person | None, relation: Relation
    ) -> tuple[int, _Person]:
        """The legal representative signs in and designates the Main Access Manager, who signs in."""
        lr = enterprise.legal_representatives[0]
        await self.service.sign_in(lr.id)
        someone = designee or self.plan.person(enterprise.region, record=False)
        designation = await self.service.designate_main_access_manager(
            lr.id,
            dto.MainAccessManagerDesignation(
                enterprise_ref=enterprise.number,
                legal_representative_eid=lr.eid_card or "",
                legal_representative_niss=lr.niss,
                legal_representative_phone=lr.phone or self.plan.phone(enterprise.region),
                designee_niss=someone.niss,
                designee_phone=someone.phone or self.plan.phone(enterprise.region),
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
        self, actor: int, enterprise: _Enterprise, services: list[str]
    ) -> tuple[dto.UserPublic, _Person]:
        someone = self.plan.person(enterprise.region, record=False)
        user = await self.service.create_user(
            actor,
            dto.UserCreate(
                enterprise_id=enterprise.id,
                niss=someone.niss,
                first_name=someone.first_name,
                last_name=someone.last_name,
                phone=someone.phone,
                email=someone.email,
                services=[code for code in services if code in self.plan.catalogue.services],
            ),
        )
        return user, someone

    async def play(self, support: list[_Person]) -> None:
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
            principal: _Enterprise,
            mandatary: _Enterprise,
            groups: list[str],
            start: Quarter,
            submit: bool,
        ) -> dto.MandatePublic:
            return await s.create_mandate(
                actor,
                dto.MandateCreate(
                    principal_id=principal.id,
                    mandatary_id=mandatary.provider,  # type: ignore[arg-type]
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


# ---------------------------------------------------------------------------------------------- seeding


def _catalogue(engine: Engine) -> _Catalogue:
    from onss_tui.services.local import tables

    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(Enterprise)):
            raise SeedError("the store already holds enterprises: seed an empty store")
        groups = list(session.scalars(select(ServiceGroup)))
        odd = [g.code for g in groups if not re.fullmatch(r"\w+", g.code)]
        if odd:  # the groups of the bulk mandates are split inside the database, which needs plain codes
            raise SeedError(f"group codes must be letters, digits and underscores: {', '.join(odd)}")
        services = sorted(session.scalars(select(col(OnlineService.code))))
        next_id = {}
        for table in ("person", "enterprise", "provider", "designation", "portal_user", "mandate"):
            model = tables.SQLModel.metadata.tables[table]
            next_id[table] = (session.scalar(select(func.max(model.c.id))) or 0) + 1
        session.expunge_all()
    return _Catalogue(groups=groups, services=services, next_id=next_id)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Millions of small rows alive at once make each full pass of the cycle collector longer; none of
    them forms a cycle, so the collector rests while they are drawn and written."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def seed_store(
    engine: Engine,
    *,
    enterprises: int,
    mandates: int,
    users: int | None = None,
    seed: int = 1,
    progress: bool = False,
) -> SeedReport:
    """Fill an empty store: `enterprises` employers (plus the secretariats and providers they need),
    `mandates` mandates, `users` users (default: two per employer). Same `seed`, same data."""
    if enterprises < 2:
        raise ValueError(
            "seed at least 2 enterprises (the showcase needs an employer and a local administration)"
        )
    if mandates < 0 or (users is not None and users < 0):
        raise ValueError("the numbers of mandates and users cannot be negative")
    began, cpu = time.perf_counter(), _processor_time()
    phases: dict[str, float] = {}
    backend = engine.dialect.name
    catalogue = _catalogue(engine)
    rng = Random(seed)
    clock = _Clock(rng, date.today(), backend)
    plan = _Plan(rng, clock, catalogue)
    with _Progress(progress) as bar, _without_cycle_collection():
        tick = time.perf_counter()
        plan.register(
            enterprises, bar.task("draw enterprises", enterprises + sum(_mandatary_counts(enterprises)))
        )
        plan.designate(bar.task("draw managers", len(plan.enterprises)))
        wanted_users = (2 * enterprises if users is None else users) - SHOWCASE_USERS
        plan.create_users(wanted_users, bar.task("draw users", len(plan.enterprises)))
        plan.number_people()
        drawing = _MandatePlan(plan)
        phases["drawing"] = time.perf_counter() - tick
        sqlite = backend == "sqlite"
        first_mandate = catalogue.next_id["mandate"]
        register: dict[str, Callable[[], Iterable[tuple]]] = {
            "enterprise": plan.enterprise_rows,
            "enterprise_quality": lambda: plan.qualities,
            "provider": plan.provider_rows,
            "person": plan.person_rows,
            "designation": plan.designation_rows,
            "portal_user": plan.user_rows,
            "access_grant": plan.grant_rows,
        }
        """The rows of the register, table by table, in the order written (a table after those it refers
        to)."""
        written: dict[str, int] = {}

        def mandate_rows() -> Iterator[tuple]:
            return drawing.rows(drawing.allocate(max(0, mandates - SHOWCASE_MANDATES)), first_mandate)

        def write_mandates(loader: _Loader, advance: Callable[[int], None] = _unseen) -> dict[str, int]:
            """SQLite: the mandates, then their groups split from their comma-joined `groups` inside the
            database, in the order of the ids (the group index keeps up with rows in that order)."""
            count = loader.load("mandate", COLUMNS["mandate"].split(), mandate_rows(), advance)
            groups = loader.derive(
                "mandate_group",
                COLUMNS["mandate_group"].split(),
                "SELECT m.id, j.value FROM mandate m, "
                "json_each('[\"' || replace(m.groups, ',', '\",\"') || '\"]') j "
                f"WHERE m.id >= {first_mandate}",
            )
            return {"mandate": count, "mandate_group": groups}

        def record(connection: Connection) -> None:
            """One entry in the trail for each table written in bulk."""
            session = Session(bind=connection)
            for table, count in written.items():
                audit.append(
                    session,
                    actor_id=None,
                    actor_name=SYSTEM,
                    action=AUDIT_ACTIONS[table],
                    target=table,
                    after={"count": count, "seed": seed},
                )
            session.flush()
            session.close()

        with engine.connect() as connection, ExitStack() as cleanup:
            driver = _driver(connection)
            loader = _Loader(driver, postgres=not sqlite)
            directory = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="onss-seed-"))
            if sqlite:
                cleanup.callback(connection.invalidate)  # its pragmas stay with it
                for pragma in SQLITE_BULK:
                    driver.execute(f"PRAGMA {pragma}")
                unjournaled = _unjournaled(loader)
                aside = None
                if unjournaled and FORKS:  # the mandates written aside by a second process
                    names = ", ".join(f"'{table}'" for table in ASIDE)
                    schema = [
                        sql
                        for (sql,) in loader.execute(
                            "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') "
                            f"AND tbl_name IN ({names}) AND sql IS NOT NULL ORDER BY type DESC"
                        )
                    ]
                    path = os.path.join(directory, "aside.db")
                    aside = _Aside(lambda: _write_aside(path, schema, write_mandates))
                    cleanup.callback(aside.stop)
                with connection.execution_options(write=True).begin():
                    tick = time.perf_counter()
                    for table, rows in register.items():
                        advance = bar.task(f"write {LABELS[table]}", None)
                        written[table] = loader.load(table, COLUMNS[table].split(), rows(), advance)
                    phases["register rows"] = time.perf_counter() - tick
                    if aside is None:
                        tick = time.perf_counter()
                        written.update(write_mandates(loader, bar.task("write mandates", mandates)))
                        phases["mandates"] = time.perf_counter() - tick
                        record(connection)
                    tick = time.perf_counter()
                phases["commit"] = time.perf_counter() - tick
                if aside is not None:
                    tick = time.perf_counter()
                    done = bar.task("write mandates", None)
                    [(aside_written, aside_steps)] = aside.results()
                    written.update(aside_written)
                    loader.steps.update(aside_steps)
                    driver.execute("ATTACH DATABASE ? AS aside", (path,))
                    with connection.execution_options(write=True).begin():
                        loader.transfer(ASIDE, "aside")
                        record(connection)
                    driver.execute("DETACH DATABASE aside")
                    done(aside_written["mandate"])
                    phases["mandates"] = time.perf_counter() - tick
                if unjournaled:
                    driver.execute("PRAGMA journal_mode = WAL")
                # Statistics for the planner: without them SQLite takes an index that serves a filter
                # over one that serves the sort, and sorts every match (0.2-1.7 s a page for a status
                # sorted by validity at a million mandates; a few ms with them).
                tick = time.perf_counter()
                driver.execute("ANALYZE")
                phases["analyse"] = time.perf_counter() - tick
            else:  # a second process writes the rows as COPY text while this one copies them in
                groups: list[tuple[int, str]] = []

                def mandates_and_groups() -> Iterator[tuple]:
                    for row in mandate_rows():
                        groups.extend(zip(itertools.repeat(row[0]), row[10].split(",")))
                        yield row

                texts = [
                    *register.items(),
                    ("mandate", mandates_and_groups),
                    ("mandate_group", lambda: groups),
                ]
                aside = _Aside(lambda: _copy_texts(directory, texts))
                cleanup.callback(aside.stop)
                with connection.execution_options(write=True).begin():
                    loader.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
                    tick = time.perf_counter()
                    for table, path, count in aside.results():
                        if table == "mandate":
                            phases["register rows"] = time.perf_counter() - tick
                            tick = time.perf_counter()
                        done = bar.task(f"write {LABELS[table]}", count)
                        loader.copy(table, COLUMNS[table].split(), path, count)
                        os.remove(path)
                        written[table] = count
                        done(count)
                    phases["mandates"] = time.perf_counter() - tick
                    record(connection)
                    tick = time.perf_counter()
                    for table in COLUMNS:
                        loader.execute(f"ANALYZE {table}")
                    phases["analyse"] = time.perf_counter() - tick
                    tick = time.perf_counter()
                phases["commit"] = time.perf_counter() - tick
        tick = time.perf_counter()
        support = [plan.person(REGIONS[position % 3], record=False) for position in range(3)]
        with Session(engine) as session:
            for person in support:
                person.id = registry.register_person(
                    session, person.niss, person.first_name, person.last_name, phone=person.phone,
                    email=person.email, support_staff=True,
                ).id  # type: ignore[assignment]  # fmt: skip
            session.commit()
        showcase = _Showcase(LocalService(engine), plan)
        done = bar.task("showcase", 1)
        _run(lambda: showcase.play(support))
        done(1)
        phases["showcase"] = time.perf_counter() - tick
    counts = _counts(engine)
    return SeedReport(
        counts=counts,
        seconds=time.perf_counter() - began,
        cpu_seconds=_processor_time() - cpu,
        identities=showcase.identities,
        seed=seed,
        backend="PostgreSQL" if backend == "postgresql" else "SQLite",
        phases=phases,
        steps=loader.steps,
        showcase=showcase.where,
    )


def _processor_time() -> float:
    """Processor seconds of this process and of those it waited for (the second seeding process)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _counts(engine: Engine) -> dict[str, int]:
    from onss_tui.services.local import tables

    labels = {
        "enterprise": "enterprises",
        "provider": "mandataries",
        "person": "people",
        "designation": "designations",
        "portal_user": "users",
        "access_grant": "grants",
        "mandate": "mandates",
        "audit_entry": "audit entries",
    }
    with engine.connect() as connection:
        return {
            label: connection.scalar(select(func.count()).select_from(tables.SQLModel.metadata.tables[table]))
            or 0
            for table, label in labels.items()
        }
