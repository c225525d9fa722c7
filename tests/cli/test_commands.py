"""`onss-tui` as a user runs it: help, db upgrade, seed, export mandates, audit verify, and every expected
failure as one line on stderr with a non-zero exit and no traceback.

Failures and help run `python -m onss_tui` in a subprocess; the commands that work run in this process
(through the same `main`), which is several times faster.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from onss_tui.cli import build_parser, main
from onss_tui.domain.quarters import Quarter
from onss_tui.services.dto import MandateShownStatus
from onss_tui.services.local.store import HEAD_REVISION, make_engine


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def one_line_error(self) -> str:
        """The error line, after checking that it is the only thing on stderr and not a traceback."""
        assert self.code != 0, self.out
        assert "Traceback" not in self.err, self.err
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("onss-tui"), self.err
        return lines[0]


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ONSS_TUI_DATABASE_URL": f"sqlite:///{tmp_path / 'default.db'}",
    }


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Runs `python -m onss_tui ARGS` with a config and data directory of its own."""
    env = dict(os.environ) | _environment(tmp_path)

    def run(*args: str) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "onss_tui", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Runs `onss-tui ARGS` through `main` in this process, with the same environment as `cli`."""
    for name, value in _environment(tmp_path).items():
        monkeypatch.setenv(name, value)

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def seeded_file(command, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "seeded.db")
    run = command("seed", "--database", path, "--enterprises", "30", "--mandates", "200", "--seed", "4")
    assert run.code == 0, run.err
    return path


# ---------------------------------------------------------------------------------------------- success


def test_help_lists_the_commands(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("--help")
    assert run.code == 0
    for command in ("db", "seed", "export", "audit", "api", "token"):
        assert f"    {command} " in run.out
    seed_help = cli("seed", "--help")
    assert "--enterprises" in seed_help.out and "--mandates" in seed_help.out and "--seed" in seed_help.out


def test_db_upgrade_creates_then_keeps_the_schema(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "new.db")
    first = command("db", "upgrade", "--database", path)
    assert first.code == 0 and f"revision {HEAD_REVISION} (was empty)" in first.out
    again = command("db", "upgrade", "--database", path)
    assert again.code == 0 and f"(was {HEAD_REVISION})" in again.out


def test_the_database_given_before_the_command_is_the_one_it_works_on(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "named.db"
    run = command("--database", str(path), "db", "upgrade")
    assert run.code == 0 and "(was empty)" in run.out, run.err
    assert path.is_file() and not (tmp_path / "default.db").exists()  # not the configured store


def test_seed_prints_counts_time_and_one_identity_per_role(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = command("seed", "--database", str(tmp_path / "s.db"), "--enterprises", "12", "--mandates", "80")
    assert run.code == 0, run.err
    assert "80 mandates" in run.out and " s:" in run.out.splitlines()[0]
    identities = run.out.split("Demo identities", 1)[1].strip().splitlines()[1:]
    assert len(identities) == 7
    assert all("-" in line and "." in line for line in identities)  # formatted national register numbers
    assert run.err == ""  # no progress bar when stderr is not a terminal


def test_seed_uses_the_configured_database_by_default(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = command("seed", "--enterprises", "5", "--mandates", "20")
    assert run.code == 0, run.err
    assert (tmp_path / "default.db").is_file()


def test_export_writes_the_filtered_mandates(command, seeded_file: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(seeded_file)
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM mandate")).scalar_one()
    engine.dispose()

    out = tmp_path / "active.csv"
    run = command("export", "mandates", "--database", seeded_file, "--status", "active", "--output", str(out))
    assert run.code == 0, run.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert f"{len(rows)} mandates written" in run.err
    assert rows and {r["status"] for r in rows} == {"active"}
    assert all(len(r["principal_number"]) == 10 and r["groups"] for r in rows)

    everything = command("export", "mandates", "--database", seeded_file, "--format", "json")
    assert everything.code == 0, everything.err
    mandates = json.loads(everything.out)
    assert len(mandates) == total and len({m["id"] for m in mandates}) == total

    none = command("export", "mandates", "--database", seeded_file, "--text", "no such name at all")
    assert none.code == 0 and list(csv.reader(io.StringIO(none.out)))[1:] == []


def test_export_tells_active_mandates_from_expired_ones(command, seeded_file: str) -> None:  # type: ignore[no-untyped-def]
    """Active: those that cover the current quarter or a later one; expired: active, their end quarter
    past. Together they are every mandate whose stored status is active."""
    now = str(Quarter.current())
    exported = {}
    for status in ("active", "expired"):
        run = command("export", "mandates", "--database", seeded_file, "--status", status, "--format", "json")
        assert run.code == 0, run.err
        exported[status] = json.loads(run.out)
    everything = json.loads(command("export", "mandates", "--database", seeded_file, "--format", "json").out)
    stored_active = {m["id"] for m in everything if m["status"] in ("active", "expired")}
    assert exported["active"] and exported["expired"]
    # Each says its status as the browser shows it and as it was asked for.
    assert {m["status"] for m in exported["expired"]} == {"expired"}
    assert {m["status"] for m in exported["active"]} == {"active"}
    assert all(m["end_quarter"] is None or m["end_quarter"] >= now for m in exported["active"])
    assert all(m["end_quarter"] is not None and m["end_quarter"] < now for m in exported["expired"])
    assert {m["id"] for m in exported["active"] + exported["expired"]} == stored_active
    assert len(exported["active"]) + len(exported["expired"]) == len(stored_active)


def test_the_status_choices_are_the_statuses_shown() -> None:
    export = next(a for a in build_parser()._actions if a.dest == "command").choices["export"]  # type: ignore[union-attr]
    mandates = next(a for a in export._actions if a.dest == "export_what").choices["mandates"]  # type: ignore[union-attr]
    status = next(a for a in mandates._actions if a.dest == "status")
    assert status.choices == [s.value for s in MandateShownStatus]


def test_export_stops_quietly_when_its_reader_does(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = str(tmp_path / "larger.db")  # more mandates than a pipe holds
    assert command("seed", "--database", store, "--enterprises", "300", "--mandates", "2000").code == 0
    arguments = [sys.executable, "-m", "onss_tui", "export", "mandates", "--database", store]
    with subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as export:
        assert export.stdout is not None and export.stderr is not None
        assert export.stdout.readline().startswith("id,principal_number")
        export.stdout.close()  # like `| head -1`
        errors = export.stderr.read()
    assert export.returncode == 0 and errors == ""


def test_audit_verify_catches_an_edited_entry(cli, command, seeded_file: str) -> None:  # type: ignore[no-untyped-def]
    intact = command("audit", "verify", "--database", seeded_file)
    assert intact.code == 0 and "intact" in intact.out

    engine = make_engine(seeded_file)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET target = 'mandate:999999' WHERE id = 3"))
    engine.dispose()
    broken = cli("audit", "verify", "--database", seeded_file)
    assert "entry 3" in broken.one_line_error and "edited" in broken.one_line_error


def test_audit_verify_catches_a_removed_entry(cli, seeded_file: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(seeded_file)
    with engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM audit_entry")).scalar_one()
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": last})
    engine.dispose()
    assert "removed" in cli("audit", "verify", "--database", seeded_file).one_line_error


def test_seed_export_and_verify_on_each_store(command, store_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = command("seed", "--database", store_url, "--enterprises", "10", "--mandates", "60")
    assert run.code == 0, run.err
    out = tmp_path / "all.json"
    export = command("export", "mandates", "--database", store_url, "--format", "json", "-o", str(out))
    assert export.code == 0 and len(json.loads(out.read_text(encoding="utf-8"))) == 60
    assert command("audit", "verify", "--database", store_url).code == 0


# ---------------------------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bogus"], "invalid choice"),
        (["seed", "--enterprises", "many"], "invalid int value"),
        (["export", "mandates", "--format", "xml"], "invalid choice"),
        (["export", "mandates", "--status", "sleeping"], "invalid choice"),
        (["db"], "required"),
    ],
)
def test_bad_arguments(cli, args: list[str], expected: str) -> None:  # type: ignore[no-untyped-def]
    run = cli(*args)
    assert run.code == 2 and expected in run.one_line_error


def test_seed_refuses_too_few_enterprises_and_a_store_with_data(cli, seeded_file: str) -> None:  # type: ignore[no-untyped-def]
    assert "at least 2" in cli("seed", "--enterprises", "1").one_line_error
    assert "cannot be negative" in cli("seed", "--mandates", "-5").one_line_error
    assert "already holds" in cli("seed", "--database", seeded_file).one_line_error


@pytest.mark.parametrize(
    ("subcommand", "url", "expected"),
    [
        (["export", "mandates"], "mysql://somewhere/db", "unsupported database"),
        (["db", "upgrade"], "postgresql://postgres@127.0.0.1:1/test", "port 1"),
        (["seed"], "postgresql://postgres@127.0.0.1:1/test", "port 1"),
        (["export", "mandates"], "postgresql://postgres@127.0.0.1:1/test", "port 1"),
        (["audit", "verify"], "postgresql://postgres@127.0.0.1:1/test", "port 1"),
        (["audit", "verify"], "postgresql://postgres@no-such-host.invalid/test", "no-such-host.invalid"),
    ],
)
def test_bad_or_unreachable_databases(cli, subcommand: list[str], url: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert expected in cli(*subcommand, "--database", url).one_line_error


def test_a_missing_store_is_not_created_by_commands_that_need_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nowhere" / "missing.db"
    for subcommand in (["export", "mandates"], ["audit", "verify"], ["api"], ["token", "revoke", "x"]):
        assert "no store at" in cli(*subcommand, "--database", str(missing)).one_line_error
    assert not missing.exists()


def test_export_refuses_a_bad_filter_before_writing(cli, seeded_file: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "never.csv"
    run = cli("export", "mandates", "--database", seeded_file, "--quarter", "someday", "--output", str(out))
    assert "quarter" in run.one_line_error and run.out == ""
    assert not out.exists()
    unknown = cli("export", "mandates", "--database", seeded_file, "--as", "85.07.30-033.28")
    assert "85.07.30-***.**" in unknown.one_line_error  # the number stays masked
    assert "033.28" not in unknown.err


_IDENTITY = re.compile(
    r"^  (?P<role>\S.*?)  +\S.*?  +(?P<niss>\d\d\.\d\d\.\d\d-\d{3}\.\d\d)  \((?P<enterprise>.+)\)$"
)
"""A demo identity as `seed` prints it: role, name, national register number, (enterprise)."""


def seeded_identities(command, path: str) -> dict[str, tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    """Seed a store at `path`; each demo identity's role: their number, their enterprise's id and number."""
    run = command("seed", "--database", path, "--enterprises", "30", "--mandates", "200", "--seed", "4")
    assert run.code == 0, run.err
    engine = make_engine(path)
    identities = {}
    with engine.connect() as connection:
        for found in filter(None, map(_IDENTITY.match, run.out.splitlines())):
            enterprise = connection.execute(
                text("SELECT id, enterprise_number FROM enterprise WHERE name = :name"),
                {"name": found["enterprise"]},
            ).one()
            identities[found["role"]] = (found["niss"], enterprise.id, enterprise.enterprise_number)
    engine.dispose()
    return identities


def test_export_users_writes_one_row_per_user_and_service(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded_file = str(tmp_path / "seeded.db")
    mam, enterprise_id, enterprise_number = seeded_identities(command, seeded_file)["Main Access Manager"]
    engine = make_engine(seeded_file)
    with engine.connect() as connection:
        grants = connection.execute(
            text(
                "SELECT count(*) FROM access_grant g JOIN portal_user u ON u.id = g.user_id "
                "WHERE u.enterprise_id = :e AND u.status != 'removed'"
            ),
            {"e": enterprise_id},
        ).scalar_one()
    engine.dispose()

    out = tmp_path / "rights.csv"
    run = command(
        "export", "users", "--database", seeded_file, "--as", mam,
        "--enterprise", enterprise_number, "--output", str(out),
    )  # fmt: skip
    assert run.code == 0, run.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert f"{len(rows)} rows of users and services written" in run.err
    assert len([r for r in rows if r["service"]]) == grants
    assert all(r["niss_masked"].endswith("***.**") for r in rows)

    as_json = command(
        "export", "users", "--database", seeded_file, "--as", mam,
        "--enterprise", enterprise_number, "--format", "json",
    )  # fmt: skip
    assert as_json.code == 0, as_json.err
    assert [(r["user_id"], r["service"]) for r in json.loads(as_json.out)] == [
        (int(r["user_id"]), r["service"]) for r in rows
    ]


def test_export_users_is_refused_to_a_plain_user_with_the_reason(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = str(tmp_path / "store.db")
    user, _, enterprise = seeded_identities(command, store)["user"]  # sees their own record, not the rest
    out = tmp_path / "rights.csv"
    run = command(
        "export", "users", "--database", store, "--as", user, "--enterprise", enterprise, "-o", str(out)
    )
    assert run.code == 1
    assert run.one_line_error == (
        "onss-tui: Only the Access Managers of the enterprise and support staff export its users "
        "and their rights."
    )
    assert run.out == "" and not out.exists()
