"""The list queries are served by indexes: EXPLAIN on SQLite and PostgreSQL shows no table scan.

The statements are those the service really sends, captured while it answers; PostgreSQL is asked
with sequential scans disabled, so that a plan without an index shows up as a sequential scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from tests.contract.conftest import Staff, staff_enterprise

BIG_TABLES = ("mandate", "portal_user", "audit_entry", "enterprise", "person", "designation", "access_grant")


@contextmanager
def captured(local: LocalService) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(local.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(local.engine, "before_cursor_execute", remember)


def table_scans(local: LocalService, statements: list[tuple[str, object]]) -> list[str]:
    problems = []
    with local.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        if local.engine.dialect.name == "sqlite":
            for statement, parameters in statements:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                for row in cursor.fetchall():
                    detail = row[-1]
                    scan = re.match(rf"SCAN ({'|'.join(BIG_TABLES)})$", detail)
                    # Walking the table in id order is walking its primary-key index.
                    if scan and not re.search(rf"ORDER BY {scan.group(1)}\.id\b", statement):
                        problems.append(f"{detail} in: {statement}")
        else:
            cursor.execute("SET enable_seqscan = off")
            for statement, parameters in statements:
                cursor.execute("EXPLAIN " + statement, parameters)
                for (line,) in cursor.fetchall():
                    if re.search(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b", line):
                        problems.append(f"{line.strip()} in: {statement}")
            cursor.execute("RESET enable_seqscan")
        cursor.close()
    return problems


MANDATE_FILTERS = [
    dto.MandateFilter(),
    dto.MandateFilter(sort="mandatary"),
    dto.MandateFilter(sort="start", descending=True),
    dto.MandateFilter(sort="status"),
    dto.MandateFilter(sort="newest"),
    dto.MandateFilter(status="active"),
    dto.MandateFilter(status="expired", sort="start"),
    dto.MandateFilter(text="brasserie"),
    dto.MandateFilter(text="0403.170"),
    dto.MandateFilter(text="br"),
    dto.MandateFilter(mandatary="securex"),
    dto.MandateFilter(principal="dupont", status="pending"),
    dto.MandateFilter(quarter="2026Q4"),
    dto.MandateFilter(group="dmfa_dimona"),
]


@pytest.fixture
async def busy(local: LocalService, world) -> Staff:  # type: ignore[no-untyped-def]
    staff = await staff_enterprise(local, world)
    for groups in (["dmfa_dimona"], ["temporary_unemployment"], ["side_jobs"]):
        await local.create_mandate(
            world.lr,
            dto.MandateCreate(
                principal_id=world.employer,
                mandatary_id=world.secretariat,
                groups=groups,
                start_quarter="2030Q1",
            ),
        )
    return staff


@pytest.mark.parametrize("wanted", MANDATE_FILTERS, ids=lambda f: f.model_dump_json(exclude_defaults=True))
@pytest.mark.parametrize("who", ["support", "lr"])
async def test_mandate_lists_use_indexes(local: LocalService, busy: Staff, wanted, who: str) -> None:
    actor = getattr(busy.world, who)
    with captured(local) as statements:
        page = await local.list_mandates(actor, wanted, dto.PageRequest(size=2))
        if page.next_cursor:
            await local.list_mandates(actor, wanted, dto.PageRequest(size=2, cursor=page.next_cursor))
        await local.list_mandates(actor, wanted, dto.PageRequest(size=2, from_end=True))
    assert statements
    assert table_scans(local, statements) == []


async def test_other_lists_and_the_overview_use_indexes(local: LocalService, busy: Staff) -> None:
    world = busy.world
    with captured(local) as statements:
        await local.list_users(busy.am, world.employer, dto.UserFilter(text="jac"))
        await local.list_users(busy.am, world.employer, dto.UserFilter(sort="status", service="dimona"))
        await local.list_audit(world.support, dto.AuditFilter(enterprise_id=world.employer))
        await local.list_audit(busy.mam)
        await local.list_audit(world.support, dto.AuditFilter(action="user."))
        await local.list_designations(busy.mam, world.employer)
        await local.list_enterprises(world.support, "brass")
        await local.list_enterprises(busy.mam)
        await local.get_overview(busy.mam, world.employer)
        await local.list_identities()
        await local.list_identities("peet")
        await local.list_identities("85.07")
    assert table_scans(local, statements) == []


async def test_the_probe_sees_a_scan_when_there_is_one(local: LocalService, world) -> None:  # type: ignore[no-untyped-def]
    """The check itself can fail: an unindexed filter is reported."""
    statement = "SELECT id FROM mandate WHERE procuration_reference = 'x'"
    assert table_scans(local, [(statement, {} if local.engine.dialect.name == "sqlite" else None)])
    with local.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def enterprise_index_walks(local: LocalService, statements: list[tuple[str, object]]) -> list[str]:
    """Plan steps that read the enterprise table or one of its indexes from end to end (no condition
    bounds what they read); PostgreSQL is asked with sequential scans disabled, as in `table_scans`."""
    walks = []
    with local.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if local.engine.dialect.name != "sqlite":
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            if local.engine.dialect.name == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                walks += [row[-1] for row in cursor.fetchall() if re.match(r"SCAN enterprise\b", row[-1])]
            else:
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(line for (line,) in cursor.fetchall())
                for step in re.split(r"\n\s*->\s*", plan):
                    # A bitmap heap scan reads the rows its bitmap index scans (steps of their own) found.
                    walked = re.search(r"(?<!Bitmap Heap )Scan (using \S+ )?on enterprise\b", step)
                    if walked and "Cond:" not in step:
                        walks.append(step.splitlines()[0])
        cursor.close()
    return walks


async def test_an_enterprise_number_or_a_rare_name_is_looked_up_not_walked_to(
    local: LocalService, world
) -> None:  # type: ignore[no-untyped-def]
    """Support staff choose among every enterprise: a number, an old nine-digit number or a name few
    enterprises bear is found through the number and name indexes, not by reading every name in order."""
    with captured(local) as statements:
        for query in ("0403.170", "403170701", "130387", "brasserie dup"):
            found = await local.list_enterprises(world.support, query)
            assert [e.id for e in found.items] == [world.employer], query
    assert statements
    assert enterprise_index_walks(local, statements) == []


async def test_who_saw_a_number_is_read_through_the_trail_s_target_index(
    local: LocalService, busy: Staff
) -> None:
    """A person's reveals are looked up by target, however many reveals of others the trail holds: not a
    walk of the whole trail in id order."""
    for _ in range(3):
        await local.reveal_niss(busy.am, busy.mam, "someone else")
    await local.reveal_niss(busy.am, busy.user, "payroll")
    with captured(local) as statements:
        seen = await local.list_niss_reveals(busy.user, dto.PageRequest(size=1))
        await local.list_niss_reveals(
            busy.user, dto.PageRequest(size=1, cursor=seen.prev_cursor or seen.next_cursor)
        )
    reveals = [(s, p) for s, p in statements if "audit_entry.target" in s]
    assert reveals
    sqlite = local.engine.dialect.name == "sqlite"
    with local.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if not sqlite:  # as in `table_scans`: a tiny table is otherwise read whole
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in reveals:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            cursor.execute(explain + statement, parameters)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "ix_audit_target" in plan, plan
        cursor.close()
