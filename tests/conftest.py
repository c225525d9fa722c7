"""Shared fixtures: stores (a SQLite file, PostgreSQL when configured), a small world, the service."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine, open_store
from onss_tui.services.local.tables import ApiToken, Person, name_key
from onss_tui.services.local.tokens import token_hash

POSTGRES_URL = os.environ.get("ONSS_TUI_TEST_POSTGRES_URL")
STORES = ["sqlite", "postgres"]


def niss(base: str, *, born_2000: bool = False) -> str:
    """A valid national register number from its first nine digits."""
    number = int(("2" if born_2000 else "") + base)
    return f"{base}{97 - number % 97:02d}"


def enterprise_number(base: str) -> str:
    """A valid enterprise number from its first eight digits."""
    return f"{base}{97 - int(base) % 97:02d}"


CATALOGUE_TABLES = {"quality", "online_service", "service_group", "alembic_version"}
SCHEMA = f"onss_test_{os.getpid()}"
"""Each test process works in a schema of its own, so that parallel runs never meet."""


def postgres_test_url(base: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{SCHEMA}"


_migrated: set[str] = set()


def reset_postgres(base: str) -> str:
    """An empty store in this process's schema: migrated once a run, then truncated for each test."""
    url = postgres_test_url(base)
    if url not in _migrated:
        engine = make_engine(base)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        open_store(url).dispose()
        _migrated.add(url)
        return url
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"), {"schema": SCHEMA}
        ).scalars()
        data = sorted(set(tables) - CATALOGUE_TABLES)
        connection.execute(text(f"TRUNCATE {', '.join(data)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema() -> Iterator[None]:
    yield
    if POSTGRES_URL and _migrated:
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty store: a SQLite file, or a clean PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not POSTGRES_URL:
        if os.environ.get("ONSS_TUI_REQUIRE_POSTGRES"):
            pytest.fail("ONSS_TUI_REQUIRE_POSTGRES is set but ONSS_TUI_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL not configured: set ONSS_TUI_TEST_POSTGRES_URL to run these")
    yield reset_postgres(POSTGRES_URL)


@dataclass(frozen=True)
class World:
    """A few enterprises and people, each holding one role, for the contract suite.

    employer (ordinary employer, ONSS employer quality): legal representative `lr`; no managers yet.
    townhall (local administration): legal representative `lr_town`.
    secretariat (approved social secretariat 140): legal representative `lr_ssa`.
    provider (service provider): legal representative `lr_sp`.
    `support` is support staff; `outsider` holds no role anywhere; `newcomer` is a known person.
    """

    employer: int
    townhall: int
    secretariat_enterprise: int
    provider_enterprise: int
    secretariat: int
    provider: int
    lr: int
    lr_town: int
    lr_ssa: int
    lr_sp: int
    support: int
    outsider: int
    newcomer: int


LR_NISS = niss("850730033")
LR_EID = "591191706458"
EMPLOYER_NUMBER = "0403170701"
EMPLOYER_ONSS = "130387593"


def build_world(engine) -> World:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        person = registry.register_person
        lr = person(s, LR_NISS, "Anne", "Peeters", eid_card=LR_EID)
        lr_town = person(s, niss("780312145"), "Luc", "Maes")
        lr_ssa = person(s, niss("700101123"), "Marie", "Dubois")
        lr_sp = person(s, niss("690505087"), "Koen", "Wouters")
        support = person(s, niss("900201997"), "Sam", "Support", support_staff=True)
        outsider = person(s, niss("880808222"), "Olivier", "Outsider")
        newcomer = person(s, niss("950615334"), "Nina", "Nieuw")
        employer = registry.register_enterprise(
            s,
            EMPLOYER_NUMBER,
            "Brasserie Dupont",
            "employer",
            onss_number=EMPLOYER_ONSS,
            qualities=["onss_employer"],
            legal_representatives=[(lr, "0471123456")],
        )
        townhall = registry.register_enterprise(
            s,
            enterprise_number("02070001"),
            "Commune de Namur",
            "local_administration",
            qualities=["local_administration_employer"],
            legal_representatives=[(lr_town, "0472000111")],
        )
        ssa = registry.register_enterprise(
            s,
            enterprise_number("04100002"),
            "Securex Secrétariat Social",
            "employer",
            qualities=["approved_social_secretariat", "onss_employer"],
            legal_representatives=[(lr_ssa, "0473000222")],
        )
        sp = registry.register_enterprise(
            s,
            enterprise_number("08200003"),
            "Payroll Partners",
            "employer",
            qualities=["social_service_provider"],
            legal_representatives=[(lr_sp, "0474000333")],
        )
        secretariat = registry.register_provider(s, ssa, "social_secretariat", "140")
        provider = registry.register_provider(s, sp, "service_provider")
        s.commit()
        return World(
            employer=employer.id,
            townhall=townhall.id,
            secretariat_enterprise=ssa.id,
            provider_enterprise=sp.id,
            secretariat=secretariat.id,
            provider=provider.id,
            lr=lr.id,
            lr_town=lr_town.id,
            lr_ssa=lr_ssa.id,
            lr_sp=lr_sp.id,
            support=support.id,
            outsider=outsider.id,
            newcomer=newcomer.id,
        )  # type: ignore[arg-type]


@pytest.fixture
def local(store_url: str) -> Iterator[LocalService]:
    service = LocalService(open_store(store_url))
    yield service
    service.engine.dispose()


@pytest.fixture
def world(local: LocalService) -> World:
    return build_world(local.engine)


BACKENDS = ["local", "remote"]
"""The contract suite runs once per backend over each store."""

TEST_API_SECRET = "contract-suite-secret-0123456789abcdef"


class RemoteByActor:
    """The API seen by everyone at once: each call goes to a `RemoteService` holding its actor's token.

    The API acts only as a token's holder, while the contract suite names a different actor call by call.
    Tokens are written straight into the token table (not audited), so the trail matches the local one.
    """

    def __init__(self, local: LocalService, app: object) -> None:
        from onss_tui.services.remote import RemoteService

        self._local = local
        self._transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self._connect = lambda token: RemoteService("http://api.test", token, transport=self._transport)
        self._remotes: dict[int, object] = {}

    def _person_ids(self) -> list[int]:
        with Session(self._local.engine) as session:
            return list(session.exec(select(Person.id).order_by(Person.id)).all())  # type: ignore[arg-type]

    def _remote(self, actor: int) -> Any:
        if actor not in self._remotes:
            known = self._person_ids()
            if actor not in known:  # an unknown person: a connection held by someone else refuses it
                return self._remote(known[0])
            token = secrets.token_urlsafe(16)
            with Session(self._local.engine) as session:
                session.add(ApiToken(person_id=actor, token_hash=token_hash(TEST_API_SECRET, token)))
                session.commit()
            self._remotes[actor] = self._connect(token)
        return self._remotes[actor]

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            actor = kwargs["actor"] if "actor" in kwargs else args[0]
            return await getattr(self._remote(actor), name)(*args, **kwargs)

        return call

    def export_mandates(self, actor: int, filter: Any = None) -> Any:
        """A stream, not a coroutine: handed on as it is."""
        return self._remote(actor).export_mandates(actor, filter)

    async def list_identities(self, query: str = "", limit: int = 50) -> list[Any]:
        """What each person's connection lists (only themselves), merged in the local order."""
        found = [
            identity
            for person_id in self._person_ids()
            for identity in await self._remote(person_id).list_identities(query, limit)
        ]
        found.sort(
            key=lambda i: (
                not i.person.support_staff,
                name_key(i.person.last_name, i.person.first_name),
                i.person.id,
            )
        )
        return found[:limit]

    async def aclose(self) -> None:
        for remote in self._remotes.values():
            await remote.aclose()  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
async def service(request: pytest.FixtureRequest, local: LocalService, world: World) -> AsyncIterator[object]:
    """The `AccessService` under test, on a store holding `world`: local, or the real API app over
    `httpx.ASGITransport` with a `RemoteService` per actor."""
    if request.param == "local":
        yield local
        return
    if request.param == "remote":
        from onss_tui.api.main import create_app

        remote = RemoteByActor(local, create_app(local, secret=TEST_API_SECRET))
        yield remote
        await remote.aclose()
        return
    raise AssertionError(f"unknown backend {request.param}")
