"""`seed_store`: valid identifiers, the service's invariants kept by the bulk rows, demo identities that can
act, the audit trail, determinism, and a store that stays fully usable afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, text
from sqlmodel import Session

from onss_tui.cli.progress import SeedProgressBars
from onss_tui.domain import identifiers as ids
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local import audit_verify, mandate_plan
from onss_tui.services.local.seed import SeedError, SeedReport, seed_store
from onss_tui.services.local.seed.bulk import FORKS, Aside
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tables import SQLModel, name_key
from tests.conftest import POSTGRES_URL, STORES, reset_postgres

ENTERPRISES, MANDATES, USERS = 300, 1500, 500
ROLES = {
    "legal representative",
    "Main Access Manager",
    "co-main access manager",
    "Access Manager",
    "user",
    "acting for a social secretariat",
    "support staff",
}


@dataclass
class Seeded:
    engine: Engine
    report: SeedReport

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def one(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()


@pytest.fixture(scope="module", params=STORES)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One seeded store per backend for the whole module: the tests here only read it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'store.db'}"
    elif POSTGRES_URL:
        url = reset_postgres(POSTGRES_URL)
    else:
        pytest.skip("PostgreSQL not configured: set ONSS_TUI_TEST_POSTGRES_URL to run these")
    engine = open_store(url)
    report = seed_store(engine, enterprises=ENTERPRISES, mandates=MANDATES, users=USERS, seed=7)
    yield Seeded(engine, report)
    engine.dispose()


def identity(seeded: Seeded, role: str) -> int:
    """The person id of the demo identity for a role."""
    found = [i for i in seeded.report.identities if i.role == role]
    assert len(found) == 1, role
    return seeded.one("SELECT id FROM person WHERE niss = :niss", niss=ids.validate_niss(found[0].niss))


# ---------------------------------------------------------------------------------------------- sizes


def test_it_writes_what_was_asked(seeded: Seeded) -> None:
    counts = seeded.report.counts
    assert counts["mandates"] == MANDATES
    assert counts["users"] == USERS
    employers = seeded.one(
        "SELECT count(*) FROM enterprise WHERE id NOT IN (SELECT enterprise_id FROM provider)"
    )
    assert employers == ENTERPRISES
    assert counts["enterprises"] == seeded.one("SELECT count(*) FROM enterprise") > ENTERPRISES
    assert seeded.report.seconds > 0 and "Demo identities" in seeded.report.summary()


def test_refuses_a_store_that_holds_data(seeded: Seeded) -> None:
    with pytest.raises(SeedError, match="already holds"):
        seed_store(seeded.engine, enterprises=10, mandates=10, users=None, seed=1)


# ---------------------------------------------------------------------------------------------- identifiers


def test_identifiers_carry_valid_check_digits(seeded: Seeded) -> None:
    for niss, eid in seeded.rows("SELECT niss, eid_card FROM person"):
        assert ids.validate_niss(niss) == niss
        if eid is not None:
            assert ids.validate_eid_card(eid) == eid
    phones = seeded.rows(
        "SELECT phone FROM portal_user WHERE phone IS NOT NULL "
        "UNION ALL SELECT contact_phone FROM designation WHERE contact_phone IS NOT NULL"
    )
    assert phones  # the contact data of accounts
    for (phone,) in phones:
        assert ids.validate_phone(phone) == phone and phone.startswith("+32")
    for number, onss in seeded.rows("SELECT enterprise_number, onss_number FROM enterprise"):
        assert ids.validate_enterprise_number(number) == number
        if onss is not None:
            assert ids.validate_onss_number(onss) == onss
    assert (
        seeded.one("SELECT count(*) FROM enterprise WHERE onss_number IS NULL") > 0
    )  # companies without staff
    for (number,) in seeded.rows("SELECT secretariat_number FROM provider WHERE kind = 'social_secretariat'"):
        assert ids.validate_secretariat_number(number) == number
    assert seeded.one("SELECT count(*) FROM provider WHERE kind = 'service_provider'") > 0


def test_names_are_belgian_and_keys_match_the_service(seeded: Seeded) -> None:
    names = seeded.rows("SELECT name, name_key, category FROM enterprise")
    assert all(key == name_key(name) for name, key, _category in names)
    categories = {category for _name, _key, category in names}
    assert categories == {"employer", "local_administration", "no_staff"}
    local = [name for name, _key, category in names if category == "local_administration"]
    assert all(n.split()[0] in {"Gemeente", "OCMW", "Stad", "Politiezone", "AGB", "Brandweerzone",
                                "Commune", "CPAS", "Ville", "Zone", "Régie"} for n in local)  # fmt: skip
    surnames = {last for (last,) in seeded.rows("SELECT last_name FROM person")}
    assert {"Peeters", "Dubois"} & surnames and len(surnames) > 40
    users = seeded.rows(
        "SELECT u.name_key, p.last_name, p.first_name FROM portal_user u JOIN person p ON p.id = u.person_id"
    )
    assert all(key == name_key(last, first) for key, last, first in users)


# ---------------------------------------------------------------------------------------------- mandates


def test_mandates_copy_their_parties_and_groups_as_the_service_does(seeded: Seeded) -> None:
    mismatches = seeded.rows(
        """
        SELECT m.id FROM mandate m
        JOIN enterprise p ON p.id = m.principal_id
        JOIN provider v ON v.id = m.mandatary_id
        JOIN enterprise q ON q.id = v.enterprise_id
        WHERE m.principal_number != p.enterprise_number OR m.principal_name != p.name
           OR m.principal_key != p.name_key OR m.mandatary_number != q.enterprise_number
           OR m.mandatary_name != q.name OR m.mandatary_key != q.name_key
        """
    )
    assert mismatches == []
    groups: dict[int, list[str]] = defaultdict(list)
    for mandate_id, code in seeded.rows(
        "SELECT mandate_id, group_code FROM mandate_group ORDER BY group_code"
    ):
        groups[mandate_id].append(code)
    for mandate_id, text_groups in seeded.rows("SELECT id, groups FROM mandate"):
        assert text_groups == ",".join(groups[mandate_id])


def test_groups_fit_the_catalogue(seeded: Seeded) -> None:
    catalogue = {
        code: (categories.split(","), kinds.split(","))
        for code, categories, kinds in seeded.rows(
            "SELECT code, principal_categories, mandatary_kinds FROM service_group"
        )
    }
    rows = seeded.rows(
        """
        SELECT g.group_code, e.category, v.kind FROM mandate_group g
        JOIN mandate m ON m.id = g.mandate_id
        JOIN enterprise e ON e.id = m.principal_id
        JOIN provider v ON v.id = m.mandatary_id
        """
    )
    for code, category, kind in rows:
        categories, kinds = catalogue[code]
        assert category in categories and kind in kinds, (code, category, kind)
    assert {code for code, _c, _k in rows} == set(catalogue)


def test_a_group_passes_between_mandataries_only_at_a_change_of_quarter(seeded: Seeded) -> None:
    """The service's rule: pending and active mandates hold their groups, and so does a closed one that
    was active (it has an end quarter); a single-mandatary group by one of them at a time, another group
    by at most one per mandatary."""
    single = {code for (code,) in seeded.rows("SELECT code FROM service_group WHERE single_mandatary")}
    held: dict[tuple[Any, ...], list[tuple[int, int]]] = defaultdict(list)
    for principal, mandatary, code, start, end in seeded.rows(
        """
        SELECT m.principal_id, m.mandatary_id, g.group_code, m.start_quarter, m.end_quarter
        FROM mandate m JOIN mandate_group g ON g.mandate_id = m.id
        WHERE m.status IN ('pending', 'active') OR (m.status = 'closed' AND m.end_quarter IS NOT NULL)
        """
    ):
        key = (principal, code) if code in single else (principal, code, mandatary)
        held[key].append((start, end or 99999))
    assert held
    for key, spans in held.items():
        spans.sort()
        for (_start, end), (next_start, _end) in itertools.pairwise(spans):
            assert end < next_start, key


def test_a_realistic_mix_of_statuses_and_quarters(seeded: Seeded) -> None:
    statuses = dict(seeded.rows("SELECT status, count(*) FROM mandate GROUP BY status"))
    assert set(statuses) == {s.value for s in dto.MandateStatus}
    assert statuses["active"] > MANDATES / 2
    assert statuses["active"] > max(v for k, v in statuses.items() if k != "active")
    starts = [q for (q,) in seeded.rows("SELECT start_quarter FROM mandate")]
    assert min(starts) == Quarter(2015, 1).code or min(starts) < Quarter(2016, 1).code
    assert max(starts) <= Quarter.current().next().code
    assert len(set(starts)) > 20
    ends = seeded.one("SELECT count(*) FROM mandate WHERE end_quarter IS NOT NULL")
    assert 0 < ends < MANDATES
    backwards = seeded.one("SELECT count(*) FROM mandate WHERE end_quarter < start_quarter")
    assert backwards == 0
    assert seeded.one("SELECT count(*) FROM mandate WHERE branch_number IS NOT NULL") > 0


# ---------------------------------------------------------------------------------------------- roles


def test_each_enterprise_holds_one_quality_since_registration(seeded: Seeded) -> None:
    """Active, as the register writes it: the others, active or not, may be withdrawn or activated."""
    held = seeded.rows(
        "SELECT enterprise_id, count(*) FROM enterprise_quality WHERE from_registration AND active "
        "GROUP BY enterprise_id"
    )
    assert len(held) == seeded.one("SELECT count(*) FROM enterprise") and {n for _, n in held} == {1}
    assert seeded.one("SELECT count(*) FROM enterprise_quality WHERE from_registration AND NOT active") == 0


def test_every_role_and_every_designation_status(seeded: Seeded) -> None:
    pairs = set(seeded.rows("SELECT role, status FROM designation"))
    for role in dto.Role:
        assert (role.value, "active") in pairs
    assert ("main_access_manager", "pending") in pairs
    assert ("main_access_manager", "ended") in pairs
    assert ("access_manager", "ended") in pairs
    doubled = seeded.rows(
        "SELECT enterprise_id FROM designation WHERE role = 'main_access_manager' AND status != 'ended' "
        "GROUP BY enterprise_id HAVING count(*) > 1"
    )
    assert doubled == []
    # A managing designation is active exactly when its holder has signed in.
    inconsistent = seeded.one(
        """
        SELECT count(*) FROM designation d JOIN person p ON p.id = d.person_id
        WHERE d.role != 'legal_representative' AND d.status != 'ended'
          AND (d.status = 'active') != (p.signed_in_at IS NOT NULL)
        """
    )
    assert inconsistent == 0
    statuses = {s for (s,) in seeded.rows("SELECT DISTINCT status FROM portal_user")}
    assert statuses == {s.value for s in dto.UserStatus}
    assert seeded.one("SELECT count(*) FROM person WHERE support_staff") >= 1
    removed_with_grants = seeded.one(
        "SELECT count(*) FROM access_grant g JOIN portal_user u ON u.id = g.user_id "
        "WHERE u.status = 'removed'"
    )
    assert removed_with_grants == 0


def test_one_demo_identity_per_role(seeded: Seeded) -> None:
    report = seeded.report
    assert {i.role for i in report.identities} == ROLES
    for demo in report.identities:
        assert ids.format_niss(ids.validate_niss(demo.niss)) == demo.niss
        first, last = seeded.rows(
            "SELECT first_name, last_name FROM person WHERE niss = :niss", niss=ids.validate_niss(demo.niss)
        )[0]
        assert demo.name == f"{first} {last}"
    summary = report.summary()
    assert all(demo.niss in summary and demo.role in summary for demo in report.identities)


# ---------------------------------------------------------------------------------------------- the store


def test_the_trail_holds_one_entry_per_bulk_table_and_verifies(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        assert audit_verify.verify(session, {}).result.ok
    bulk = {
        action: json.loads(after)
        for action, after in seeded.rows(
            "SELECT action, after_json FROM audit_entry WHERE action LIKE 'seed.%'"
        )
    }
    assert bulk["seed.bulk_mandates"] == {"count": MANDATES - 6, "seed": 7}
    assert bulk["seed.bulk_users"]["count"] + 4 == USERS
    actions = {a for (a,) in seeded.rows("SELECT DISTINCT action FROM audit_entry")}
    assert {"designation.designate_main", "user.create", "mandate.accept", "mandate.reject"} <= actions


def test_indexes_foreign_keys_and_search_are_all_back(seeded: Seeded) -> None:
    """The bulk load set them aside; every one the schema declares is there again, and checks out."""
    inspector = inspect(seeded.engine)
    for name, table in SQLModel.metadata.tables.items():
        present = {i["name"] for i in inspector.get_indexes(name)}
        assert {i.name for i in table.indexes} <= present, name
        assert len(inspector.get_foreign_keys(name)) == len(table.foreign_key_constraints), name
    if seeded.engine.dialect.name == "sqlite":
        assert seeded.one("PRAGMA journal_mode") == "wal"
        assert seeded.rows("PRAGMA foreign_key_check") == []
        assert seeded.one("SELECT count(*) FROM enterprise_search") == seeded.report.counts["enterprises"]
        triggers = {n for (n,) in seeded.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"enterprise_search_insert", "enterprise_search_update"} <= triggers
    else:
        assert "ix_enterprise_name_trgm" in {i["name"] for i in inspector.get_indexes("enterprise")}
        assert seeded.one("SELECT count(*) FROM pg_constraint WHERE NOT convalidated") == 0


async def test_enterprise_search_finds_bulk_enterprises(seeded: Seeded) -> None:
    service = LocalService(seeded.engine)
    support = identity(seeded, "support staff")
    name = seeded.one("SELECT name FROM enterprise ORDER BY id DESC LIMIT 1")
    word = max(name.split(), key=len)
    found = await service.list_enterprises(support, word)
    assert any(e.name == name for e in found.items)


async def test_the_overview_counts_the_active_mandates_not_ended(seeded: Seeded) -> None:
    """Mandates whose end quarter is past stay active in their history; the overview counts those in force
    or still to come."""
    now = Quarter.current().code
    principal = seeded.one(
        "SELECT principal_id FROM mandate WHERE status = 'active' AND end_quarter < :now "
        "ORDER BY principal_id LIMIT 1",
        now=now,
    )
    active = seeded.one(
        "SELECT count(*) FROM mandate WHERE status = 'active' AND principal_id = :p", p=principal
    )
    not_ended = seeded.one(
        "SELECT count(*) FROM mandate WHERE status = 'active' AND principal_id = :p "
        "AND (end_quarter IS NULL OR end_quarter >= :now)",
        p=principal,
        now=now,
    )
    overview = await LocalService(seeded.engine).get_overview(identity(seeded, "support staff"), principal)
    assert overview.mandates_active == not_ended < active


@pytest.mark.parametrize("forks", [True, False])
def test_work_done_aside_comes_back_as_yielded(monkeypatch: pytest.MonkeyPatch, forks: bool) -> None:
    """In a second process where processes fork, here otherwise; a failure there is raised here."""
    monkeypatch.setattr("onss_tui.services.local.seed.bulk.FORKS", forks and FORKS)

    def work() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("no third")

    aside = Aside(work)
    results = aside.results()
    assert [next(results), next(results)] == [1, 2]
    with pytest.raises((RuntimeError, ValueError), match="no third"):
        next(results)
    aside.stop()


@pytest.mark.parametrize("seed", range(1, 7))
def test_a_small_store_gets_every_mandate_asked_for(tmp_path, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Beside the showcase's, the mandates asked for are given by the other employers, even where each of
    them would have handled everything itself (the draw depends on the seed and on today's date)."""
    engine = open_store(f"sqlite:///{tmp_path / 'small.db'}")
    assert seed_store(engine, enterprises=3, mandates=12, seed=seed).counts["mandates"] == 12
    engine.dispose()


async def test_seeding_from_a_running_event_loop(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'loop.db'}")
    report = seed_store(engine, enterprises=3, mandates=10, users=None, seed=3)
    assert report.counts["mandates"] == 10 and len(report.identities) == len(ROLES)
    engine.dispose()


# ---------------------------------------------------------------------------------------------- determinism


def _contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in key order, without timestamps (and without what hashes or dumps them)."""
    left_out = {"before_json", "after_json", "hash", "prev_hash", "last_hash"}
    inspector = inspect(engine)
    contents = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            if table.startswith("enterprise_search") or table == "alembic_version":
                continue
            columns = [
                c["name"]
                for c in inspector.get_columns(table)
                if "DATE" not in str(c["type"]).upper() and c["name"] not in left_out
            ]
            keys = inspector.get_pk_constraint(table)["constrained_columns"]
            rows = connection.execute(
                text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(keys)}")
            )
            contents[table] = [tuple(row) for row in rows]
    return contents


def test_the_same_seed_gives_the_same_store(tmp_path) -> None:
    """Also when another connection holds the file: the load then keeps the journal and writes the
    mandates in place, where a new file gets them from a second process."""
    stores = {}
    for name, seed in (("first", 11), ("again", 11), ("other", 12)):
        engine = open_store(f"sqlite:///{tmp_path / name}.db")
        with ExitStack() as held:
            if name == "again":
                held.enter_context(engine.connect())
            report = seed_store(engine, enterprises=40, mandates=300, users=None, seed=seed)
        assert ("mandate transfer" in report.steps) == (name != "again")
        stores[name] = _contents(engine)
        engine.dispose()
    assert stores["first"] == stores["again"]
    assert stores["first"]["mandate"] and stores["first"]["mandate"] != stores["other"]["mandate"]
    assert stores["first"]["person"] != stores["other"]["person"]


def test_the_progress_bar_goes_to_stderr(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'bar.db'}")
    seed_store(engine, enterprises=5, mandates=40, users=None, seed=2, progress=SeedProgressBars())
    engine.dispose()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "write mandates" in captured.err and "showcase" in captured.err


async def test_postgres_estimates_a_dense_group_filter_from_the_column_statistics(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group held by most mandates is filtered during the ordered scan of the sort's index; PostgreSQL
    must see how many rows pass, or it sorts every match instead (a pattern on an expression is guessed
    to match half a percent of the rows)."""
    if seeded.engine.dialect.name != "postgresql":
        pytest.skip("these row estimates are PostgreSQL's")
    monkeypatch.setattr(mandate_plan, "SPARSE_LIMIT", 100)  # this store is small: make the filter dense
    group = seeded.one("SELECT group_code FROM mandate_group GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    holding = seeded.one("SELECT count(*) FROM mandate_group WHERE group_code = :g", g=group)
    assert holding > MANDATES // 2
    statements: list[tuple[str, Any]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    service = LocalService(seeded.engine)
    event.listen(seeded.engine, "before_cursor_execute", remember)
    try:
        page = await service.list_mandates(identity(seeded, "support staff"), dto.MandateFilter(group=group))
    finally:
        event.remove(seeded.engine, "before_cursor_execute", remember)
    assert len(page.items) == 50
    statement, parameters = next((s, p) for s, p in statements if "ORDER BY mandate.principal_key" in s)
    with seeded.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]["Plan"]

    def mandate_rows(node: dict[str, Any]) -> list[float]:
        own = [node["Plan Rows"]] if node.get("Relation Name") == "mandate" else []
        return own + [rows for child in node.get("Plans", []) for rows in mandate_rows(child)]

    (estimate,) = mandate_rows(plan)
    assert holding / 3 <= estimate <= holding * 3, (estimate, holding)


def test_the_planner_has_statistics_of_what_was_written(seeded: Seeded) -> None:
    """Without them SQLite serves a status filter by the status index and sorts every match (up to 1.7 s a
    page at a million mandates) where scanning the index of the sort finds a page at once."""
    if seeded.engine.dialect.name == "sqlite":
        described = seeded.one("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'mandate'")
    else:
        described = seeded.one("SELECT count(*) FROM pg_stats WHERE tablename = 'mandate'")
    assert described > 0


async def test_a_sqlite_store_closed_gets_the_statistics_it_lacks_or_has_outgrown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A store grown by use, never seeded: closing it analyses it when it has no statistics, or when its
    mandates are more than twice (or less than half) as many as they describe."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    seed_store(engine, enterprises=20, mandates=400, users=None, seed=3)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE sqlite_stat1")
    engine.dispose()
    described = "SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_mandate_status'"

    async def close_after_use() -> str:
        service = LocalService.open(url)
        await service.list_mandates(None, dto.MandateFilter(status=dto.MandateShownStatus.PENDING))
        await service.aclose()
        with service.engine.connect() as connection:
            stat = connection.exec_driver_sql(described).scalar()
        service.engine.dispose()
        return stat

    first = await close_after_use()
    assert first.split()[0] == "400"
    as_if_smaller = (
        "UPDATE sqlite_stat1 SET stat = '150' || substr(stat, instr(stat, ' ')) WHERE tbl = 'mandate'"
    )
    engine = open_store(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(as_if_smaller)
    engine.dispose()
    assert (await close_after_use()).split()[0] == "400"  # 400 is more than twice 150: analysed again
    assert (await close_after_use()).split()[0] == "400"  # and now left as it is
