"""Keys: made 0600 in a 0700 folder and never overwritten, refused when others may read them; a rotation
keeps old checkpoints valid; a wrong or missing public key is said clearly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from onss_tui.services.local.anchoring import public_keys
from onss_tui.services.local.audit_keys import (
    AuditKeyError,
    load_public_keys,
    load_signing_key,
    write_key_pair,
)
from tests.audit.anchored import Anchored, new_key, write, write_until
from tests.conftest import World


def test_a_key_pair_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "nested" / "audit.key"
    key = write_key_pair(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert load_signing_key(path).id == key.id == load_public_keys(Path(f"{path}.pub"))[0].id
    before = path.read_bytes()
    with pytest.raises(AuditKeyError, match="already exists"):
        write_key_pair(path)
    assert path.read_bytes() == before


def test_a_key_others_may_read_is_refused(tmp_path: Path) -> None:
    _, path = new_key(tmp_path)
    path.chmod(0o644)
    with pytest.raises(AuditKeyError, match=r"may be read by others \(mode 0644\): chmod 600"):
        load_signing_key(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no audit signing key at"),
        (b"not a key", "is not a private key in PEM"),
    ],
)
def test_a_missing_or_broken_key_is_said_clearly(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "audit.key"
    if content is not None:
        path.write_bytes(content)
        path.chmod(0o600)
    with pytest.raises(AuditKeyError, match=message):
        load_signing_key(path)
    with pytest.raises(AuditKeyError):
        load_public_keys(tmp_path / "none.pub")


async def test_a_rotation_keeps_old_checkpoints_valid(
    anchored: Anchored, world: World, tmp_path: Path
) -> None:
    first = anchored.key
    second, second_file = new_key(tmp_path, "second.key")
    anchored.service.anchor_trail(anchored.anchor(second, earlier=(first,)))
    await write(anchored.service, world.lr)  # a new key anchors the head at once
    await write_until(anchored.service, world.lr, 70)
    signers = [r[0] for r in anchored.rows("SELECT key_id FROM audit_checkpoint ORDER BY seq")]
    assert signers[0] == first.id and signers[-1] == second.id
    assert signers == sorted(signers, key=lambda k: k == second.id)  # old key first, then the new one
    result = await anchored.service.verify_audit(world.support, full=True)
    assert result.ok and result.key_id == second.id, result.reason
    # A verifier holding both public keys (one file each, or one file with both) agrees.
    both = tmp_path / "both.pub"
    both.write_text(Path(f"{anchored.key_file}.pub").read_text() + Path(f"{second_file}.pub").read_text())
    assert set(public_keys([both])) == {first.id, second.id}


async def test_a_missing_old_public_key_names_the_key(
    anchored: Anchored, world: World, tmp_path: Path
) -> None:
    second, _ = new_key(tmp_path, "second.key")
    anchored.service.anchor_trail(anchored.anchor(second))  # the first key's public half forgotten
    await write(anchored.service, world.lr)
    result = await anchored.service.verify_audit(world.support, full=True)
    assert (result.ok, result.problem, result.key_id) == (False, "unknown_key", anchored.key.id)
    assert "the public key of an earlier key is missing" in (result.reason or "")


async def test_a_wrong_or_missing_public_key_is_said_clearly(
    anchored: Anchored, world: World, tmp_path: Path
) -> None:
    other, _ = new_key(tmp_path, "other.key")
    service = anchored.service
    service.anchor_trail(None, public_keys={other.id: other.public}, checkpoint_copy=anchored.checkpoints)
    wrong = await service.verify_audit(world.support, full=True)
    assert (wrong.ok, wrong.problem) == (False, "wrong_key")
    assert f"no checkpoint is signed by the public key given ({other.id})" in (wrong.reason or "")
    assert anchored.key.id in (wrong.reason or "")
    service.anchor_trail(None, checkpoint_copy=anchored.checkpoints)
    missing = await service.verify_audit(world.support, full=True)
    assert (missing.ok, missing.problem) == (False, "no_public_key")
    assert "no public key was given" in (missing.reason or "")
