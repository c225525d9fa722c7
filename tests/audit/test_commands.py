"""`onss-tui audit keygen | checkpoint | verify` as an operator runs them, on SQLite and PostgreSQL: a
seeded store signed with the settings' key verifies; each attack is named by a code with exit 3; a wrong
or missing public key is a usage error (exit 2) that says so."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from onss_tui.services.local.audit import row_hash
from onss_tui.services.local.store import make_engine
from onss_tui.services.local.tables import AuditEntry

ENTRIES = inspect(AuditEntry).local_table


@pytest.fixture
def signed_store(command, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    key = tmp_path / "keys" / "audit.key"
    made = command("audit", "keygen", "--output", str(key))
    assert made.code == 0 and str(key) in made.out
    monkeypatch.setenv("ONSS_TUI_AUDIT_KEY_FILE", str(key))
    monkeypatch.setenv("ONSS_TUI_AUDIT_CHECKPOINT_FILE", str(tmp_path / "outside" / "store.checkpoints"))
    run = command("seed", "--database", store_url, "--enterprises", "6", "--mandates", "20")
    assert run.code == 0, run.err
    return store_url


def test_keygen_writes_a_private_key_and_never_overwrites_one(command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "new" / "audit.key"
    made = command("audit", "keygen", "--output", str(key))
    assert made.code == 0 and made.out.startswith("audit signing key ")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert Path(f"{key}.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    again = command("audit", "keygen", "--output", str(key))
    assert again.code == 1 and "already exists" in again.err


def test_a_signed_store_verifies_incrementally(command, signed_store: str) -> None:  # type: ignore[no-untyped-def]
    first = command("audit", "verify", "--database", signed_store)
    assert first.code == 0, first.err
    assert "intact" in first.out and "1 signed checkpoints" in first.out and "1 of them in" in first.out
    signed = command("audit", "checkpoint", "--database", signed_store)
    assert signed.code == 0 and signed.out.startswith("checkpoint 1:")  # the head did not move
    again = command("audit", "verify", "--database", signed_store)
    assert again.code == 0 and "(0 read since entry" in again.out
    full = command("audit", "verify", "--database", signed_store, "--full")
    assert full.code == 0 and "read since" not in full.out


def _rewrite(url: str, entry_id: int) -> None:
    """The issue's attack: an entry's actor changed, every later hash recomputed, the head moved."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = :id"), {"id": entry_id}
        )
        previous = connection.execute(select(ENTRIES.c.hash).where(ENTRIES.c.id == entry_id - 1)).scalar_one()
        for row in list(
            connection.execute(select(ENTRIES).where(ENTRIES.c.id >= entry_id).order_by("id")).mappings()
        ):
            new_hash = row_hash(dict(row) | {"prev_hash": previous})
            connection.execute(
                ENTRIES.update().where(ENTRIES.c.id == row["id"]).values(prev_hash=previous, hash=new_hash)
            )
            previous = new_hash
        connection.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": previous})
    engine.dispose()


def test_a_rewrite_is_named_with_a_code(command, signed_store: str) -> None:  # type: ignore[no-untyped-def]
    _rewrite(signed_store, 3)
    broken = command("audit", "verify", "--database", signed_store)
    assert broken.code == 3 and broken.out == ""
    assert broken.err.startswith("onss-tui: audit trail broken at entry 1 [rewritten]: ")


def test_a_truncation_with_the_head_moved_back_is_named_with_a_code(command, signed_store: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(signed_store)
    with engine.begin() as connection:
        signed = connection.execute(text("SELECT entry_id FROM audit_checkpoint")).scalar_one()
        connection.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": signed - 5})
        kept = connection.execute(select(ENTRIES.c.hash).where(ENTRIES.c.id == signed - 5)).scalar_one()
        connection.execute(
            text("UPDATE audit_head SET last_id = :id, last_hash = :h, entries = :id"),
            {"id": signed - 5, "h": kept},
        )
    engine.dispose()
    broken = command("audit", "verify", "--database", signed_store)
    assert broken.code == 3 and f"at entry {signed - 4} [rolled_back]" in broken.err


def test_a_forged_checkpoint_is_named_with_a_code(command, signed_store: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(signed_store)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoint SET entries = entries + 1"))
    engine.dispose()
    broken = command("audit", "verify", "--database", signed_store)
    assert broken.code == 3 and "[checkpoint_forged]" in broken.err


def test_a_removed_checkpoint_is_named_with_a_code(command, signed_store: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(signed_store)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_checkpoint"))
    engine.dispose()
    broken = command("audit", "verify", "--database", signed_store)
    assert broken.code == 3 and "[checkpoint_removed]" in broken.err


def test_a_wrong_or_missing_public_key_is_a_usage_error(  # type: ignore[no-untyped-def]
    command, signed_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.key"
    assert command("audit", "keygen", "--output", str(other)).code == 0
    wrong = command("audit", "verify", "--database", signed_store, "--public-key", f"{other}.pub")
    assert wrong.code == 2 and "[wrong_key]: no checkpoint is signed by the public key given" in wrong.err
    absent = command("audit", "verify", "--database", signed_store, "--public-key", str(tmp_path / "x.pub"))
    assert absent.code == 1 and absent.err == f"onss-tui: no public key file at {tmp_path / 'x.pub'}\n"
    monkeypatch.delenv("ONSS_TUI_AUDIT_KEY_FILE")
    missing = command("audit", "verify", "--database", signed_store)
    assert missing.code == 2 and "[no_public_key]" in missing.err and "no public key was given" in missing.err


def test_an_unsigned_store_verifies_with_a_warning(command, store_url: str) -> None:  # type: ignore[no-untyped-def]
    assert command("seed", "--database", store_url, "--enterprises", "4", "--mandates", "5").code == 0
    run = command("audit", "verify", "--database", store_url)
    assert run.code == 0 and "intact" in run.out
    assert "warning: no signed checkpoint" in run.err


def test_checkpoint_needs_a_key(command, store_url: str) -> None:  # type: ignore[no-untyped-def]
    assert command("db", "upgrade", "--database", store_url).code == 0
    run = command("audit", "checkpoint", "--database", store_url)
    assert run.code == 1 and "no audit signing key" in run.err


def test_an_unreadable_copy_is_named(command, signed_store: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "outside" / "store.checkpoints"
    with copy.open("a") as lines:
        lines.write("{not json\n")
    broken = command("audit", "verify", "--database", signed_store)
    assert broken.code == 3 and "[outside_unreadable]" in broken.err and "line 2" in broken.err
    witness = command("audit", "witness", "--api", "http://127.0.0.1:9", "--token=t", "--output", str(copy))
    assert witness.code == 1 and "line 2" in witness.err and "Traceback" not in witness.err
