"""Migrations: an empty store upgrades to the head, and the models match what the migrations build."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

from onss_tui.services.local import tables
from onss_tui.services.local.search import outside_the_models
from onss_tui.services.local.store import HEAD_REVISION, MIGRATIONS, current_revision, make_engine, open_store


def migrations(connection: Connection | None = None) -> Config:
    """Alembic's view of the store's migrations, run on `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def test_head_revision_constant_matches_the_scripts() -> None:
    assert ScriptDirectory.from_config(migrations()).get_current_head() == HEAD_REVISION


def test_an_empty_store_is_upgraded_on_open(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(
                    text(
                        f"DROP TABLE IF EXISTS {table.name} CASCADE"
                        if engine.dialect.name == "postgresql"
                        else f"DROP TABLE IF EXISTS {table.name}"
                    )
                )
        assert current_revision(engine) is None
    finally:
        engine.dispose()
    upgraded = open_store(store_url)
    try:
        assert current_revision(upgraded) == HEAD_REVISION
        names = set(inspect(upgraded).get_table_names())
        assert {"mandate", "audit_entry", "designation", "portal_user"} <= names
        with upgraded.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM online_service")).scalar() >= 10
    finally:
        upgraded.dispose()


def test_models_match_the_migrations(store_url: str) -> None:
    engine = open_store(store_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, _type, _parent: not outside_the_models(name),
                },
            )
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_opening_says_when_it_migrates_and_only_then(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'store.db'}"
    said: list[str] = []
    open_store(url, migrating=lambda: said.append("migrating")).dispose()
    assert said == ["migrating"]
    open_store(url, migrating=lambda: said.append("again")).dispose()
    assert said == ["migrating"]


def test_a_new_index_of_an_analysed_sqlite_store_is_analysed_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Statistics that miss an index lead SQLite to take it for every status filter (2.3 s a page)."""
    from alembic import command

    from onss_tui.services.local.seed import seed_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    seed_store(engine, enterprises=20, mandates=400, users=None, seed=3)
    with engine.begin() as connection:
        command.downgrade(migrations(connection), "0006")
    engine.dispose()
    upgraded = open_store(url)
    try:
        with upgraded.connect() as connection:
            described = "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_mandate_status_start'"
            assert connection.execute(text(described)).scalar() == 1
    finally:
        upgraded.dispose()


def test_a_sqlite_store_opens_without_the_postgresql_dialect(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLAlchemy imports a dialect to check the options given for it: the PostgreSQL condition of the
    partial index is declared only when a PostgreSQL store is opened (40 ms and 2 MB saved on SQLite)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).dispose()  # migrated here: Alembic's own operations import every dialect
    code = (
        "import sys\n"
        "from onss_tui.services.local.service import LocalService\n"
        "LocalService.open(sys.argv[1]).engine.dispose()\n"
        "print('sqlalchemy.dialects.postgresql' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_the_one_main_access_manager_index_keeps_its_condition_on_postgresql() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/nowhere")  # never connected
    index = CreateIndex(tables.ONE_MAIN_ACCESS_MANAGER).compile(dialect=engine.dialect)
    assert str(index).endswith("WHERE role = 'main_access_manager' AND status != 'ended'")


def test_people_of_an_earlier_store_get_their_name_keys(store_url: str) -> None:
    """Migration 0008 keys everyone already there, accents and all, on either database."""
    from alembic import command

    from onss_tui.services.local.seed import seed_store

    engine = open_store(store_url)
    try:
        seed_store(engine, enterprises=20, mandates=100, users=None, seed=5)
        with engine.begin() as connection:
            config = migrations(connection)
            command.downgrade(config, "0007")
            assert "name_key" not in {c["name"] for c in inspect(connection).get_columns("person")}
            command.upgrade(config, "head")
        with engine.connect() as connection:
            people = connection.execute(text("SELECT last_name, first_name, name_key FROM person")).all()
    finally:
        engine.dispose()
    assert any(not (last + first).isascii() for last, first, _ in people)
    assert [key for *_, key in people] == [tables.name_key(last, first) for last, first, _ in people]


def test_contact_data_of_an_earlier_store_moves_onto_each_account(store_url: str) -> None:
    """Migration 0009 copies what a person held onto each of their users and designations (a designation
    keeps its own phone), then drops it from the person; going back gives the person one account's."""
    from alembic import command

    from onss_tui.services.local.seed import seed_store

    engine = open_store(store_url)
    try:
        seed_store(engine, enterprises=20, mandates=100, users=60, seed=5)
        with engine.begin() as connection:
            config = migrations(connection)
            command.downgrade(config, "0008")
            assert {"phone", "email"} <= {c["name"] for c in inspect(connection).get_columns("person")}
            connection.execute(text("UPDATE person SET phone = '+32470000001', email = 'p' || id || '@x.be'"))
            connection.execute(text("UPDATE designation SET contact_phone = NULL WHERE id % 2 = 0"))
            kept = dict(
                connection.execute(text("SELECT id, contact_phone FROM designation WHERE id % 2 = 1")).all()
            )
            command.upgrade(config, "head")
            people = {c["name"] for c in inspect(connection).get_columns("person")}
            users = connection.execute(text("SELECT person_id, phone, email FROM portal_user")).all()
            designations = connection.execute(
                text("SELECT id, person_id, contact_phone, contact_email FROM designation")
            ).all()
    finally:
        engine.dispose()
    assert not {"phone", "email"} & people
    assert users and all(
        (phone, email) == ("+32470000001", f"p{person}@x.be") for person, phone, email in users
    )
    assert designations
    for designation, person, phone, email in designations:
        assert email == f"p{person}@x.be"
        assert phone == (kept[designation] or "+32470000001" if designation % 2 else "+32470000001")


def test_the_quality_of_an_earlier_store_held_since_registration_is_told_apart(store_url: str) -> None:
    """Migration 0016 marks, per enterprise, the active quality activated first: not one activated later,
    even one whose code comes first, nor an inactive one."""
    from datetime import timedelta

    from alembic import command
    from sqlmodel import Session, select

    from tests.conftest import build_world

    engine = open_store(store_url)
    try:
        world = build_world(engine)
        with Session(engine) as session:
            later = tables.utcnow() + timedelta(days=30)
            secretariat_employer = session.get(
                tables.EnterpriseQuality, (world.secretariat_enterprise, "onss_employer")
            )
            assert secretariat_employer is not None and not secretariat_employer.active
            secretariat_employer.active, secretariat_employer.activated_at = True, later
            session.add(secretariat_employer)
            # "onss_employer" sorts before "social_service_provider", the provider's registration quality.
            session.add(
                tables.EnterpriseQuality(
                    enterprise_id=world.provider_enterprise,
                    quality_code="onss_employer",
                    active=True,
                    activated_at=later,
                )
            )
            session.commit()
        with engine.begin() as connection:
            config = migrations(connection)
            command.downgrade(config, "0015")
            columns = {c["name"] for c in inspect(connection).get_columns("enterprise_quality")}
            assert "from_registration" not in columns
            command.upgrade(config, "head")
        with Session(engine) as session:
            marked = {
                (q.enterprise_id, q.quality_code)
                for q in session.exec(select(tables.EnterpriseQuality)).all()
                if q.from_registration
            }
    finally:
        engine.dispose()
    assert marked == {
        (world.employer, "onss_employer"),
        (world.townhall, "local_administration_employer"),
        (world.secretariat_enterprise, "approved_social_secretariat"),
        (world.provider_enterprise, "social_service_provider"),
    }
