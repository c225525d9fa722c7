"""Each attack on the trail by someone who can write the database and has read the code, performed with
direct SQL on SQLite and PostgreSQL, is caught and named: a rewrite with recomputed hashes, a truncation
with the head moved back, a checkpoint removed from the store, a forged checkpoint."""

from __future__ import annotations

import base64

import pytest

from onss_tui.services.local.audit_keys import SigningKey
from onss_tui.services.local.checkpoints import Statement, read_checkpoint_file
from onss_tui.services.local.service import LocalService
from tests.audit.anchored import EVERY, Anchored, write
from tests.conftest import World


async def verify(store: Anchored, world: World, *, full: bool = True):  # type: ignore[no-untyped-def]
    return await store.service.verify_audit(world.support, full=full)


async def test_an_anchored_trail_verifies(anchored: Anchored, world: World) -> None:
    result = await verify(anchored, world)
    assert result.ok, result.reason
    assert result.entries == 48 and result.entries_checked == 48
    signed = anchored.checkpoint_entries()
    assert len(signed) >= 4 and signed[-1] <= 48 and 48 - signed[-1] < EVERY
    assert result.checkpoints_checked == len(signed) == result.outside_checkpoints
    assert result.key_id == anchored.key.id and result.last_checkpoint_entry == signed[-1]
    copied = read_checkpoint_file(anchored.checkpoints)
    assert [c.entry_id for c in copied] == signed


async def test_a_rewrite_with_recomputed_hashes_is_caught(anchored: Anchored, world: World) -> None:
    """The issue's attack: the actor of entry 25 of 48 changed, every later hash recomputed, the head
    set: the chain is consistent again, but a checkpoint signed another hash."""
    anchored.run("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = 25")
    anchored.rechain(25)
    result = await verify(anchored, world)
    signed = anchored.checkpoint_entries()
    after = min(e for e in signed if e >= 25)
    before = max((e for e in signed if e < 25), default=0)
    assert (result.ok, result.problem) == (False, "rewritten")
    assert (result.first_bad_id, result.last_id) == (before + 1, after)
    assert f"no longer has the hash checkpoint {result.checkpoint_seq} signed" in (result.reason or "")


async def test_a_rewrite_with_the_checkpoints_edited_too_is_caught(anchored: Anchored, world: World) -> None:
    anchored.run("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = 25")
    anchored.rechain(25)
    for entry_id, hash_ in anchored.rows("SELECT id, hash FROM audit_entry WHERE id >= 25"):
        anchored.run("UPDATE audit_checkpoint SET entry_hash = :h WHERE entry_id = :id", h=hash_, id=entry_id)
    result = await verify(anchored, world)
    assert (result.ok, result.problem) == (False, "checkpoint_forged")
    assert "does not match its content" in (result.reason or "")


async def test_a_truncation_with_the_head_moved_back_is_caught(anchored: Anchored, world: World) -> None:
    signed = anchored.checkpoint_entries()
    anchored.truncate_after(signed[-1] - 3)
    result = await verify(anchored, world)
    assert (result.ok, result.problem) == (False, "rolled_back")
    assert (result.first_bad_id, result.last_id) == (signed[-1] - 2, signed[-1])


async def test_a_truncation_that_also_removes_the_checkpoints_is_caught_by_the_outside_copy(
    anchored: Anchored, world: World
) -> None:
    signed = anchored.checkpoint_entries()
    end = signed[-2] + 1
    anchored.truncate_after(end)
    anchored.run("DELETE FROM audit_checkpoint WHERE entry_id > :id", id=end)
    result = await verify(anchored, world)
    assert (result.ok, result.problem) == (False, "rolled_back")
    assert "of the outside copy" in (result.reason or "")
    assert result.last_id == signed[-1]


@pytest.mark.parametrize("which", ["first", "middle", "last"])
async def test_a_checkpoint_removed_from_the_store_is_caught(
    anchored: Anchored, world: World, which: str
) -> None:
    seqs = [r[0] for r in anchored.rows("SELECT seq FROM audit_checkpoint ORDER BY seq")]
    removed = {"first": seqs[0], "middle": seqs[len(seqs) // 2], "last": seqs[-1]}[which]
    anchored.run("DELETE FROM audit_checkpoint WHERE seq = :seq", seq=removed)
    result = await verify(anchored, world)
    assert (result.ok, result.problem, result.checkpoint_seq) == (False, "checkpoint_removed", removed)
    assert f"checkpoint {removed}" in (result.reason or "") and "removed" in (result.reason or "")


def _insert(store: Anchored, statement: Statement) -> None:
    store.run(
        "INSERT INTO audit_checkpoint "
        "(seq, entry_id, entry_hash, entries, signed_at, key_id, prev, signature) "
        "VALUES (:seq, :entry_id, :entry_hash, :entries, :signed_at, :key_id, :prev, :signature)",
        **statement.__dict__,
    )


def _forge(store: Anchored, key: SigningKey, key_id: str) -> Statement:
    """A checkpoint of the store's head after the last one, signed with `key` under the id `key_id`."""
    (last,) = store.rows("SELECT * FROM audit_checkpoint ORDER BY seq DESC LIMIT 1")
    previous = Statement.of(last)
    head = store.rows("SELECT last_id, last_hash, entries FROM audit_head")[0]
    unsigned = Statement(
        previous.seq + 1, head[0], head[1], head[2], previous.signed_at, key_id, previous.digest(), ""
    )
    signature = base64.b64encode(key.sign(unsigned.message())).decode()
    return Statement(**{**unsigned.__dict__, "signature": signature})


async def test_a_checkpoint_signed_with_another_key_is_caught(anchored: Anchored, world: World) -> None:
    mallory = SigningKey.generate()
    _insert(anchored, _forge(anchored, mallory, mallory.id))
    result = await verify(anchored, world)
    assert (result.ok, result.problem, result.key_id) == (False, "unknown_key", mallory.id)
    assert "forged" in (result.reason or "")


async def test_a_checkpoint_forged_under_the_store_s_key_id_is_caught(
    anchored: Anchored, world: World
) -> None:
    mallory = SigningKey.generate()
    forged = _forge(anchored, mallory, anchored.key.id)
    _insert(anchored, forged)
    result = await verify(anchored, world)
    assert (result.ok, result.problem, result.checkpoint_seq) == (False, "checkpoint_forged", forged.seq)


async def test_a_forged_line_in_the_outside_copy_is_caught(anchored: Anchored, world: World) -> None:
    mallory = SigningKey.generate()
    forged = _forge(anchored, mallory, anchored.key.id)
    with anchored.checkpoints.open("a") as copy:
        copy.write(forged.line() + "\n")
    result = await verify(anchored, world)
    assert (result.ok, result.problem) == (False, "checkpoint_forged")
    assert "outside copy" in (result.reason or "")


async def test_a_store_restored_from_an_older_copy_that_signs_again_is_a_fork(
    anchored: Anchored, world: World
) -> None:
    """Entries removed at the end, then new writes signed by the service: the store's last checkpoint
    and the outside copy's differ for one sequence number."""
    signed = anchored.checkpoint_entries()
    anchored.truncate_after(signed[-1] - 1)
    anchored.run("DELETE FROM audit_checkpoint WHERE entry_id >= :id", id=signed[-1])
    await anchored.service.checkpoint_audit(world.support)  # the service signs the rolled-back head
    for _ in range(3):
        await write(anchored.service, world.lr)
    await anchored.service.checkpoint_audit(world.support)
    result = await verify(anchored, world)
    assert not result.ok and result.problem == "fork"


async def test_the_incremental_check_reads_the_tail_and_still_catches_a_rewrite(
    anchored: Anchored, world: World
) -> None:
    assert (await verify(anchored, world, full=False)).entries_checked == 48
    await write(anchored.service, world.lr)
    again = await verify(anchored, world, full=False)
    last_signed = anchored.checkpoint_entries()[-1]
    assert again.ok and again.since_entry == last_signed and again.entries_checked == 49 - last_signed
    anchored.run("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = 12")
    anchored.rechain(12)
    rewritten = await verify(anchored, world, full=False)
    assert (rewritten.ok, rewritten.problem) == (False, "rewritten")


async def test_only_support_staff_verify(local: LocalService, anchored: Anchored, world: World) -> None:
    from onss_tui.services.errors import PermissionDenied

    for person in (world.lr, world.outsider):
        with pytest.raises(PermissionDenied, match="support staff"):
            await local.verify_audit(person)
    assert (await local.verify_audit(None)).ok  # the store's operator
