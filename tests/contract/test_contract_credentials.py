"""SSH keys, a person's own tokens and their preferences, through every backend on every store: a person
adds and revokes their own keys, support staff anyone's; keys are checked as OpenSSH reads them and
audited by fingerprint; a person lists and revokes their own tokens, never seeing one."""

from __future__ import annotations

import base64
import struct
import subprocess
from pathlib import Path

import pytest

from onss_tui.domain.ssh_keys import fingerprint_of
from onss_tui.services import dto
from onss_tui.services.errors import NotFound, PermissionDenied, ValidationFailed
from onss_tui.services.local.service import LocalService
from tests.conftest import World

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKBhz2OPRp2aAM7QRvCHxMO4QT/9Hq2/lOS7a/oKIFZ8 anne@laptop"
FINGERPRINT = "SHA256:yXkxrzMhp0QslQXXGFOe3opdFmPOCY+Vl6SGfNJhMNY"


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def rsa_key(bits: int) -> str:
    """An RSA public key of `bits` bits as a .pub file writes it (its numbers need not make a key pair)."""
    modulus = (1 << (bits - 1)) | 1
    blob = (
        _string(b"ssh-rsa") + _string(b"\x01\x00\x01") + _string(b"\x00" + modulus.to_bytes(bits // 8, "big"))
    )
    return f"ssh-rsa {base64.b64encode(blob).decode()} rsa@box"


def generated(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"key_{kind.replace(' ', '_')}"
    subprocess.run(["ssh-keygen", "-q", "-t", *kind.split(), "-N", "", "-f", str(path)], check=True)
    return path.with_name(path.name + ".pub").read_text()


async def test_a_person_adds_lists_and_revokes_their_own_key(service, world: World) -> None:  # type: ignore[no-untyped-def]
    added = await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519))
    assert (added.fingerprint, added.key_type, added.label) == (FINGERPRINT, "ssh-ed25519", "anne@laptop")
    assert added.person_name == "Anne Peeters" and added.added_by == "Anne Peeters"
    assert [k.fingerprint for k in await service.list_ssh_keys(world.lr, world.lr)] == [FINGERPRINT]
    revoked = await service.revoke_ssh_key(world.lr, FINGERPRINT)
    assert revoked.revoked_at is not None and revoked.revoked_by == "Anne Peeters"
    assert await service.list_ssh_keys(world.lr, world.lr) == []
    listed = await service.list_ssh_keys(world.lr, world.lr, include_revoked=True)
    assert [k.revoked_at is not None for k in listed] == [True]
    trail = await service.list_audit(world.support, dto.AuditFilter(action="ssh_key"))
    actions = {entry.action: entry.after for entry in trail.items}
    assert actions["ssh_key.add"]["fingerprint"] == FINGERPRINT
    assert actions["ssh_key.revoke"] == {"fingerprint": FINGERPRINT}
    assert "AAAAC3" not in str(actions)  # the key itself is not written in the trail


async def test_no_one_else_manages_a_persons_keys_but_support_staff(service, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        await service.add_ssh_key(world.outsider, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519))
    with pytest.raises(PermissionDenied):
        await service.list_ssh_keys(world.outsider, world.lr)
    await service.add_ssh_key(world.support, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519, label="x"))
    with pytest.raises(NotFound):  # another's key is not said to exist
        await service.revoke_ssh_key(world.outsider, FINGERPRINT)
    assert [k.added_by for k in await service.list_ssh_keys(world.support, world.lr)] == ["Sam Support"]
    await service.revoke_ssh_key(world.support, FINGERPRINT)
    refused = await service.list_audit(world.support, dto.AuditFilter(action="ssh_key.add"))
    assert any(entry.outcome == "refused" for entry in refused.items)


@pytest.mark.parametrize(
    ("text", "field_says"),
    [
        ("", "No key was given"),
        ("ssh-ed25519", "not an OpenSSH public key"),
        ("ssh-ed25519 AAAA!!!", "not an OpenSSH public key"),
        (ED25519.replace("AAAAIKBh", "AAAAIKBi")[:60], "cut short"),
        (ED25519.replace("ssh-ed25519 ", "ecdsa-sha2-nistp256 "), "holds another kind of key"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP== old", "DSA keys are not accepted"),
        ("ssh-ed25519-cert-v01@openssh.com AAAA x", "Certificates are not accepted"),
        ('command="/bin/sh" ' + ED25519, "not an OpenSSH public key"),
        (ED25519 + "\n" + ED25519, "one key, on one line"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----",
            "private",
        ),
        (rsa_key(2048), "at least 3072 bits (this one has 2048)"),
    ],
    ids=lambda value: value[:24],
)
async def test_what_is_not_an_acceptable_public_key_is_refused_saying_why(  # type: ignore[no-untyped-def]
    service, world: World, text: str, field_says: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=text))
    assert field_says in str(refused.value.field_errors)
    assert await service.list_ssh_keys(world.lr, world.lr, include_revoked=True) == []


async def test_keys_of_every_accepted_kind_are_taken_with_openssh_fingerprints(  # type: ignore[no-untyped-def]
    service, world: World, tmp_path: Path
) -> None:
    for kind in ("ed25519", "ecdsa -b 256", "ecdsa -b 384", "ecdsa -b 521", "rsa -b 3072"):
        text = generated(tmp_path, kind)
        listed = subprocess.run(["ssh-keygen", "-l", "-f", "-"], input=text, capture_output=True, text=True)
        added = await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=text))
        assert added.fingerprint == listed.stdout.split()[1]
    assert len(await service.list_ssh_keys(world.lr, world.lr)) == 5
    blob = base64.b64decode(rsa_key(4096).split()[1])
    added = await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=rsa_key(4096)))
    assert added.fingerprint == fingerprint_of(blob)


async def test_a_key_is_registered_once_and_a_revoked_one_never_again(service, world: World) -> None:  # type: ignore[no-untyped-def]
    await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519))
    with pytest.raises(ValidationFailed, match="already registered"):
        await service.add_ssh_key(world.support, dto.SshKeyAdd(person_id=world.lr_town, public_key=ED25519))
    await service.revoke_ssh_key(world.lr, FINGERPRINT)
    with pytest.raises(ValidationFailed, match="already revoked"):
        await service.revoke_ssh_key(world.lr, FINGERPRINT)
    with pytest.raises(ValidationFailed, match="cannot be registered again"):
        await service.add_ssh_key(world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519))
    with pytest.raises(ValidationFailed, match="fingerprint"):
        await service.revoke_ssh_key(world.lr, "SHA256:not-one")


async def test_a_label_is_plain_text(service, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match="label"):
        await service.add_ssh_key(
            world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519, label="laptop\x1b[31m")
        )
    added = await service.add_ssh_key(
        world.lr, dto.SshKeyAdd(person_id=world.lr, public_key=ED25519, label="[bold]laptop[/]")
    )
    assert added.label == "[bold]laptop[/]"


async def test_a_person_lists_and_revokes_their_own_tokens_only(
    service, local: LocalService, world: World
) -> None:  # type: ignore[no-untyped-def]
    from onss_tui.services.local.tokens import issue_token

    mine = issue_token(local.engine, "s" * 40, world.lr, "laptop")
    theirs = issue_token(local.engine, "s" * 40, world.lr_town, "desk")
    listed = await service.list_tokens(world.lr, world.lr)
    assert mine.id in [t.id for t in listed] and theirs.id not in [t.id for t in listed]
    assert all(t.person_id == world.lr for t in listed)
    assert mine.token not in str([t.model_dump() for t in listed])
    with pytest.raises(PermissionDenied):
        await service.list_tokens(world.lr, world.lr_town)
    with pytest.raises(NotFound):
        await service.revoke_token(world.lr, theirs.id)
    revoked = await service.revoke_token(world.lr, mine.id)
    assert revoked.revoked_at is not None
    assert mine.id not in [t.id for t in await service.list_tokens(world.lr, world.lr)]
    assert mine.id in [t.id for t in await service.list_tokens(world.lr, world.lr, include_ended=True)]


async def test_preferences_are_remembered_per_person(service, world: World) -> None:  # type: ignore[no-untyped-def]
    assert await service.get_preferences(world.lr) == dto.Preferences()
    await service.save_preferences(world.lr, dto.Preferences(lang="nl"))
    await service.save_preferences(world.lr, dto.Preferences(theme="textual-light"))
    assert await service.get_preferences(world.lr) == dto.Preferences(lang="nl", theme="textual-light")
    assert await service.get_preferences(world.support) == dto.Preferences()
