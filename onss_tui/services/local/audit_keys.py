"""The keys that sign the audit trail's checkpoints: Ed25519 (the `cryptography` library), kept in files,
never in the database.

A private key file is PEM (PKCS#8), created 0600 in a folder created 0700, and refused when others may
read it; its public key sits beside it as `<file>.pub` (PEM). A key is named by its id: the first 16 hex
digits of the SHA-256 of its raw public key, which every checkpoint carries, so that a verifier holding
several public keys (one per rotation) picks the right one.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_ID_LENGTH = 16


class AuditKeyError(ValueError):
    """A key file that cannot be used: the message says which file and why, in one line."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class PublicKey:
    """A public key a verifier trusts, with its id."""

    id: str
    key: Ed25519PublicKey

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            self.key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @classmethod
    def of(cls, key: Ed25519PublicKey) -> PublicKey:
        return cls(key_id(key), key)


@dataclass(frozen=True)
class SigningKey:
    """The service's private key and its public half."""

    private: Ed25519PrivateKey
    public: PublicKey

    @property
    def id(self) -> str:
        return self.public.id

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    @classmethod
    def generate(cls) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        return cls(private, PublicKey.of(private.public_key()))


def public_file(private_file: Path) -> Path:
    return private_file.with_name(private_file.name + ".pub")


def write_key_pair(path: Path) -> SigningKey:
    """A new key pair in `path` (0600) and `path.pub`; an existing file is never overwritten."""
    path = path.expanduser()
    for target in (path, public_file(path)):
        if target.exists():
            raise AuditKeyError(f"{target} already exists: choose another file (a key is never overwritten)")
    make_private_folder(path.parent)
    key = SigningKey.generate()
    pem = key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_new(path, pem, 0o600)
    _write_new(public_file(path), key.public.pem().encode(), 0o644)
    return key


def make_private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents, each readable only by this account; existing ones are left
    as they are."""
    missing = [f for f in (folder, *folder.parents) if not f.exists()]
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)
        each.chmod(0o700)  # whatever the umask


def _write_new(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(descriptor, mode)  # whatever the umask
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def load_signing_key(path: Path) -> SigningKey:
    """The private key in `path`; refused when the file is missing, unreadable, open to others or not an
    Ed25519 key."""
    path = path.expanduser()
    try:
        info = path.stat()
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise AuditKeyError(
            f"no audit signing key at {path}: create one with 'onss-tui audit keygen --output {path}'"
        ) from exc
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit signing key {path}: {exc.strerror or exc}") from exc
    if os.name == "posix" and info.st_mode & 0o077:
        raise AuditKeyError(
            f"the audit signing key {path} may be read by others (mode {stat.S_IMODE(info.st_mode):04o}): "
            f"chmod 600 {path}"
        )
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AuditKeyError(f"{path} is not a private key in PEM without a passphrase") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditKeyError(f"{path} is not an Ed25519 key")
    return SigningKey(private, PublicKey.of(private.public_key()))


def load_public_keys(path: Path) -> list[PublicKey]:
    """The public keys in `path`: one PEM block or more (a file may gather the keys of past rotations), or
    a private key file, whose public half is taken."""
    path = path.expanduser()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise AuditKeyError(f"no public key file at {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"cannot read the public key file {path}: {exc}") from exc
    if "PRIVATE KEY" in text:
        return [load_signing_key(path).public]
    end = "-----END PUBLIC KEY-----"
    blocks = [block.strip() + "\n" + end + "\n" for block in text.split(end) if block.strip()]
    keys = []
    for block in blocks:
        try:
            public = serialization.load_pem_public_key(block.encode())
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise AuditKeyError(f"{path} holds something that is not a public key in PEM") from exc
        if not isinstance(public, Ed25519PublicKey):
            raise AuditKeyError(f"{path} holds a public key that is not Ed25519")
        keys.append(PublicKey.of(public))
    if not keys:
        raise AuditKeyError(f"{path} holds no public key")
    return keys
