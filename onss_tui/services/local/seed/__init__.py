"""Synthetic demo and load-test data for a fresh store: `onss-tui seed` and the console's `--demo` mode.

Two parts. The *bulk* part (`bulk`) writes the mass of the store directly as rows drawn by the plan
(`plan`, `mandates`, from the word lists in `names`): enterprises from the register, people,
designations, users, grants, mandates, each table in large batches and recorded in the audit trail as one
`seed.bulk_*` entry; it keeps every invariant the service keeps (one Main Access Manager per enterprise, a
group held by a single mandatary at a time, the copied party names). Two processes share the load: on a
new SQLite file (written without the rollback journal), the second draws and writes the mandates into a
file of its own while the first writes the register, then they are moved in whole; on PostgreSQL, the
second turns the rows into COPY text while the first copies them in. The *showcase* part (`showcase`)
then plays the real rules through `LocalService` on a few reserved enterprises: a legal representative
designates the Main Access Manager, who designates a co-main access manager and Access Managers, who
create users and grant them online services; mandates pass through every status. Those people are the
demo identities printed at the end, one per role.

The same `seed` gives the same data (quarters are counted from the current quarter, so the same day gives
the same rows). National register numbers, enterprise, ONSS and eID card numbers carry valid check digits;
phone numbers are Belgian numbers in E.164 form.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from random import Random

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from onss_tui.services.local.seed.bulk import (
    DESIGNATIONS,
    ENTERPRISES,
    GRANTS,
    MANDATES,
    PERSONS,
    PROVIDERS,
    QUALITIES,
    USERS,
    BulkRows,
    bulk_load,
    table_of,
)
from onss_tui.services.local.seed.clock import Clock
from onss_tui.services.local.seed.mandates import MandatePlan
from onss_tui.services.local.seed.plan import Catalogue, Plan, mandatary_counts
from onss_tui.services.local.seed.progress import SeedProgress, Silent
from onss_tui.services.local.seed.report import DemoIdentity, SeedError, SeedReport
from onss_tui.services.local.seed.showcase import play_showcase
from onss_tui.services.local.tables import AuditEntry, Enterprise, OnlineService, ServiceGroup

__all__ = ["DemoIdentity", "SeedError", "SeedProgress", "SeedReport", "seed_store"]

SHOWCASE_MANDATES, SHOWCASE_USERS = 6, 4
"""What the showcase creates through the service; the bulk makes up the rest of what was asked."""


def seed_store(
    engine: Engine,
    *,
    enterprises: int,
    mandates: int,
    users: int | None = None,
    seed: int = 1,
    progress: SeedProgress | None = None,
) -> SeedReport:
    """Fill an empty store: `enterprises` employers (plus the secretariats and providers they need),
    `mandates` mandates, `users` users (default: two per employer). Same `seed`, same data. `progress`
    is shown the tasks as they go (none: silent)."""
    if enterprises < 2:
        raise ValueError(
            "seed at least 2 enterprises (the showcase needs an employer and a local administration)"
        )
    if mandates < 0 or (users is not None and users < 0):
        raise ValueError("the numbers of mandates and users cannot be negative")
    began, cpu = time.perf_counter(), _processor_time()
    phases: dict[str, float] = {}

    @contextmanager
    def timed(phase: str) -> Iterator[None]:
        tick = time.perf_counter()
        yield
        phases[phase] = time.perf_counter() - tick

    backend = engine.dialect.name
    catalogue = _catalogue(engine)
    rng = Random(seed)
    plan = Plan(rng, Clock(rng, date.today(), backend), catalogue)
    shown = Silent() if progress is None else progress
    with shown, _without_cycle_collection():
        with timed("drawing"):
            employers_and_mandataries = enterprises + sum(mandatary_counts(enterprises))
            plan.register(enterprises, shown.task("draw enterprises", employers_and_mandataries))
            plan.designate(shown.task("draw managers", len(plan.enterprises)))
            wanted_users = (2 * enterprises if users is None else users) - SHOWCASE_USERS
            plan.create_users(wanted_users, shown.task("draw users", len(plan.enterprises)))
            plan.people.number(first=catalogue.next_id[PERSONS.table.name])
            drawing = MandatePlan(plan)
        first_mandate = catalogue.next_id[MANDATES.table.name]
        rows = BulkRows(
            register=[
                (ENTERPRISES, plan.enterprise_rows),
                (QUALITIES, lambda: plan.qualities),
                (PROVIDERS, plan.provider_rows),
                (PERSONS, plan.people.rows),
                (DESIGNATIONS, plan.designation_rows),
                (USERS, plan.user_rows),
                (GRANTS, plan.grant_rows),
            ],
            mandates=lambda: drawing.rows(
                drawing.allocate(max(0, mandates - SHOWCASE_MANDATES)), first_mandate
            ),
            first_mandate=first_mandate,
            mandates_asked=mandates,
            seed=seed,
        )
        with engine.connect() as connection, bulk_load(connection, rows, shown) as load:
            with connection.execution_options(write=True).begin() as transaction:
                for phase, step in load.in_transaction():
                    with timed(phase):
                        step()
                with timed("commit"):
                    transaction.commit()
            for phase, step in load.after_commit():
                with timed(phase):
                    step()
        with timed("showcase"):
            showcase = play_showcase(engine, plan, shown)
    return SeedReport(
        counts=_counts(engine),
        seconds=time.perf_counter() - began,
        cpu_seconds=_processor_time() - cpu,
        identities=showcase.identities,
        seed=seed,
        backend="PostgreSQL" if backend == "postgresql" else "SQLite",
        phases=phases,
        steps=load.loader.steps,
        showcase=showcase.where,
    )


def _catalogue(engine: Engine) -> Catalogue:
    """What the store's catalogue offers, and the first free id of each table the plan numbers."""
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(Enterprise)):
            raise SeedError("the store already holds enterprises: seed an empty store")
        groups = list(session.scalars(select(ServiceGroup)))
        odd = [g.code for g in groups if not re.fullmatch(r"\w+", g.code)]
        if odd:  # the groups of the bulk mandates are split inside the database, which needs plain codes
            raise SeedError(f"group codes must be letters, digits and underscores: {', '.join(odd)}")
        services = sorted(session.scalars(select(col(OnlineService.code))))
        next_id = {
            bulk.table.name: (session.scalar(select(func.max(bulk.table.c.id))) or 0) + 1
            for bulk in (PERSONS, ENTERPRISES, PROVIDERS, DESIGNATIONS, USERS, MANDATES)
        }
        session.expunge_all()
    return Catalogue(groups=groups, services=services, next_id=next_id)


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


def _processor_time() -> float:
    """Processor seconds of this process and of those it waited for (the second seeding process)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _counts(engine: Engine) -> dict[str, int]:
    """How many rows the store holds, as the report shows them."""
    shown = (ENTERPRISES, PROVIDERS, PERSONS, DESIGNATIONS, USERS, GRANTS, MANDATES)
    counted = [(bulk.label, bulk.table) for bulk in shown] + [("audit entries", table_of(AuditEntry))]
    with engine.connect() as connection:
        return {
            label: connection.scalar(select(func.count()).select_from(table)) or 0 for label, table in counted
        }
