"""`onss-tui keys`, sshd's `keys authorized` on SQLite and PostgreSQL, `ssh-config`, `ssh-session`'s
refusals, and `token create|list` with lifetimes, as a user (or sshd) runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from onss_tui.cli import main
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tables import ApiToken, utcnow
from onss_tui.services.local.tokens import issue_token, resolve_token
from tests.cli.test_commands import Run
from tests.conftest import LR_NISS, build_world, niss
from tests.contract.test_contract_credentials import ED25519, FINGERPRINT

KEY_TYPE, KEY = ED25519.split()[:2]
ONSS_TUI = [sys.executable, "-m", "onss_tui"]
SECRET = "cli-secret-0123456789abcdef0123456789"


@pytest.fixture
def store(store_url: str) -> str:
    """A store holding the small world (a SQLite file, or PostgreSQL)."""
    engine = open_store(store_url)
    build_world(engine)
    engine.dispose()
    return store_url


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ONSS_TUI_API_SECRET", SECRET)

    def command(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return command


def authorized(store: str, *key: str, env: dict[str, str] | None = None) -> Run:
    """sshd's question, asked as sshd asks it: a process of its own, in a bare environment."""
    bare = {"PATH": os.environ["PATH"], "HOME": "/nonexistent"} | (env or {})
    done = subprocess.run(
        [*ONSS_TUI, "keys", "authorized", "--database", store, "onss", *key],
        capture_output=True,
        text=True,
        env=bare,
        timeout=60,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def test_keys_add_list_revoke_and_sshds_question_on_both_stores(run, store: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    public = tmp_path / "id_ed25519.pub"
    public.write_text(ED25519 + "\n")
    added = run("keys", "add", "--database", store, "--as", LR_NISS, str(public), "--label", "laptop")
    assert added.code == 0, added.err
    assert FINGERPRINT in added.out and "85.07.30-***.**" in added.out and LR_NISS not in added.out
    listed = run("keys", "list", "--database", store, "--as", LR_NISS)
    assert FINGERPRINT in listed.out and "Anne Peeters" in listed.out and "laptop" in listed.out

    answer = authorized(store, KEY_TYPE, KEY)
    assert answer.code == 0, answer.err
    line = answer.out.strip()
    assert line.count("\n") == 0
    assert line.startswith('restrict,pty,command="') and line.endswith(f'" {KEY_TYPE} {KEY}')
    assert f"ssh-session --person 1 --key {FINGERPRINT} --database" in line
    assert LR_NISS not in line and "85.07.30" not in line

    revoked = run("keys", "revoke", "--database", store, FINGERPRINT)
    assert revoked.code == 0 and "revoked" in revoked.out
    after = authorized(store, KEY_TYPE, KEY)
    assert (after.code, after.out) == (0, "")
    assert FINGERPRINT in run("keys", "list", "--database", store, "--all").out
    assert run("keys", "list", "--database", store).out == ""


def test_sshds_question_gets_nothing_for_another_key_type_or_a_malformed_key(
    run, store: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    public = tmp_path / "k.pub"
    public.write_text(ED25519)
    assert run("keys", "add", "--database", store, "--as", LR_NISS, str(public)).code == 0
    for key in (
        ("ssh-rsa", KEY),
        ("ssh-ed25519", "AAAA!!"),
        ("ssh-dss", KEY),
        ("ssh-ed25519", KEY[:-4] + "AAAA"),
    ):
        answer = authorized(store, *key)
        assert answer.out == "" and answer.code == 0


@pytest.mark.parametrize(
    "database",
    ["/nonexistent/store.db", "postgresql://nobody@127.0.0.1:1/none", "mysql://x@y/z"],
    ids=["missing file", "unreachable server", "unsupported"],
)
def test_sshds_question_fails_closed_in_one_line(database: str) -> None:
    answer = authorized(database, KEY_TYPE, KEY)
    assert answer.code != 0 and answer.out == ""
    assert answer.err.count("\n") == 1 and "key refused" in answer.err and "Traceback" not in answer.err


def test_sshds_question_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert authorized(str(missing), KEY_TYPE, KEY).out == ""
    assert not missing.exists()


def test_keys_add_refuses_in_one_line(run, store: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    private = tmp_path / "id_ed25519"
    private.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n")
    refused = run("keys", "add", "--database", store, "--as", LR_NISS, str(private))
    assert "private key" in refused.one_line_error and "b3Bl" not in refused.err
    missing = run("keys", "add", "--database", store, "--as", LR_NISS, str(tmp_path / "none.pub"))
    assert "cannot read" in missing.one_line_error
    stranger = niss("010101001")
    nobody = run("keys", "add", "--database", store, "--as", stranger, str(private))
    assert "01.01.01-***.**" in nobody.one_line_error and stranger not in nobody.err


def test_ssh_config_prints_the_match_block_and_refuses_a_password(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.db"
    block = run("ssh-config", "--user", "onss", "--keys-user", "onss-keys", "--database", str(store))
    assert block.code == 0
    lines = [line.strip() for line in block.out.splitlines()]
    assert "Match User onss" in lines
    for wanted in (
        "AuthorizedKeysFile none",
        "AuthorizedKeysCommandUser onss-keys",
        "DisableForwarding yes",
        "PermitTTY yes",
        "PermitUserRC no",
    ):
        assert wanted in lines
    command = next(line for line in lines if line.startswith("AuthorizedKeysCommand "))
    assert command.endswith(f"keys authorized --database {store} %u %t %k")
    refused = run("ssh-config", "--database", "postgresql://onss:secret@db/onss")
    assert "password" in refused.one_line_error and "secret" not in refused.err


def test_ssh_config_warns_of_a_program_sshd_would_refuse(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    program = tmp_path / "onss-tui"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o777)
    printed = run("ssh-config", "--command", str(program))
    assert printed.code == 0 and f"AuthorizedKeysCommand {program} keys authorized %u %t %k" in printed.out
    assert f"{program} is writable by others than its owner" in printed.err


def test_ssh_session_refuses_without_a_terminal_and_with_another_identity(tmp_path: Path) -> None:
    env = dict(os.environ) | {"XDG_CONFIG_HOME": str(tmp_path), "SSH_ORIGINAL_COMMAND": "id"}
    for extra in ([], ["--as", LR_NISS]):
        done = subprocess.run(
            [*ONSS_TUI, *extra, "ssh-session", "--person", "1", "--key", FINGERPRINT],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert done.returncode == 2 and done.stdout == ""
        assert "uid=" not in done.stderr and done.stderr.count("\n") == 1


def test_tokens_live_for_their_lifetime_and_are_listed_never_shown(run, store: str) -> None:  # type: ignore[no-untyped-def]
    created = run("token", "create", "--database", store, "--as", LR_NISS, "--label", "ci", "--days", "30")
    assert created.code == 0, created.err
    token = created.out.strip()
    assert "valid until" in created.err
    listed = run("token", "list", "--database", store, "--as", LR_NISS)
    assert "ci" in listed.out and token not in listed.out and "never" in listed.out  # not used yet
    engine = open_store(store)
    try:
        assert resolve_token(engine, SECRET, token) == 1
        assert "never" not in run("token", "list", "--database", store).out.splitlines()[1]
        with Session(engine) as session:
            row = session.exec(select(ApiToken)).one()
            assert 29 <= (row.expires_at - utcnow()).days <= 30  # type: ignore[operator]
            row.expires_at = utcnow()
            session.add(row)
            session.commit()
        assert resolve_token(engine, SECRET, token) is None
        assert run("token", "list", "--database", store).out.count("\n") == 1  # the header alone
        assert "ci" in run("token", "list", "--database", store, "--all").out
        wrong = run("token", "create", "--database", store, "--as", LR_NISS, "--days", "0")
        assert "1 to 3650 days" in wrong.one_line_error
        issued = issue_token(engine, SECRET, 1)
        assert 89 <= (issued.expires_at - utcnow()).days <= 90
    finally:
        engine.dispose()
