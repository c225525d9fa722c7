"""OpenSSH public keys: reading one as a person hands it in, checking its type and size, its fingerprint.

A key is accepted in the one-line OpenSSH form (`ssh-ed25519 AAAA... comment`, as in a `.pub` file) or
in the RFC 4716 form (`---- BEGIN SSH2 PUBLIC KEY ----`). Its blob is decoded and read as the SSH wire
format, so that a key whose named type does not match its content, or that is cut, is refused. Accepted:
Ed25519, ECDSA on the NIST curves, their security-key (FIDO) variants, and RSA of at least
`MIN_RSA_BITS`; DSA, certificates and key options are not. The fingerprint is OpenSSH's own
(`ssh-keygen -l`): `SHA256:` and the unpadded base64 of the blob's SHA-256.

>>> key = parse_public_key(
...     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKBhz2OPRp2aAM7QRvCHxMO4QT/9Hq2/lOS7a/oKIFZ8 anne@laptop")
>>> key.key_type, key.comment, key.bits
('ssh-ed25519', 'anne@laptop', 256)
>>> key.fingerprint
'SHA256:yXkxrzMhp0QslQXXGFOe3opdFmPOCY+Vl6SGfNJhMNY'
>>> try:
...     parse_public_key("ssh-dss AAAAB3NzaC1kc3M= old@box")
... except PublicKeyError as refused:
...     print(refused)
DSA keys are not accepted: make an Ed25519 key (ssh-keygen -t ed25519)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

MIN_RSA_BITS = 3072
MAX_RSA_BITS = 16384
MAX_KEY_TEXT = 16_384
"""The longest key text read (an RSA key of 16384 bits takes about 2,800 characters)."""

ECDSA_CURVES = {
    "ecdsa-sha2-nistp256": ("nistp256", 256),
    "ecdsa-sha2-nistp384": ("nistp384", 384),
    "ecdsa-sha2-nistp521": ("nistp521", 521),
    "sk-ecdsa-sha2-nistp256@openssh.com": ("nistp256", 256),
}
ED25519_TYPES = ("ssh-ed25519", "sk-ssh-ed25519@openssh.com")
ACCEPTED_TYPES = (*ED25519_TYPES, *ECDSA_CURVES, "ssh-rsa")
"""Key types a person may register, as OpenSSH names them (and sshd hands them to `keys authorized`)."""


class PublicKeyError(ValueError):
    """The text is not an acceptable OpenSSH public key: the message says why in one line; `code` and
    `params` say it for a user interface to choose its own words."""

    def __init__(self, code: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class PublicKey:
    key_type: str
    blob: bytes
    comment: str
    bits: int

    @property
    def blob_base64(self) -> str:
        """The blob as a `.pub` file and sshd's `%k` write it."""
        return base64.b64encode(self.blob).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.blob)

    @property
    def openssh(self) -> str:
        """The key as one line of an `authorized_keys` file, without its comment."""
        return f"{self.key_type} {self.blob_base64}"


def fingerprint_of(blob: bytes) -> str:
    """OpenSSH's SHA-256 fingerprint of a key blob."""
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def is_fingerprint(text: str) -> bool:
    """Looks like an OpenSSH SHA-256 fingerprint (`SHA256:` and 43 base64 characters)."""
    if not text.startswith("SHA256:") or len(text) != 50:
        return False
    try:
        return len(base64.b64decode(text[7:] + "=", validate=True)) == 32
    except binascii.Error:
        return False


class _Reader:
    """The SSH wire format (RFC 4251): length-prefixed strings."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def string(self) -> bytes:
        if self.at + 4 > len(self.data):
            raise PublicKeyError("truncated", "the key is cut short")
        (length,) = struct.unpack_from(">I", self.data, self.at)
        start, self.at = self.at + 4, self.at + 4 + length
        if self.at > len(self.data):
            raise PublicKeyError("truncated", "the key is cut short")
        return self.data[start : self.at]

    def done(self) -> bool:
        return self.at == len(self.data)


def _mpint_bits(value: bytes) -> int:
    return int.from_bytes(value, "big").bit_length()


def read_blob(key_type: str, blob: bytes) -> int:
    """Check that `blob` is a key of `key_type`; its size in bits."""
    reader = _Reader(blob)
    inner = reader.string().decode("ascii", "replace")
    if inner != key_type:
        raise PublicKeyError(
            "mismatch", f"the key says it is {key_type} but holds another kind of key", key_type=key_type
        )
    if key_type in ED25519_TYPES:
        if len(reader.string()) != 32:
            raise PublicKeyError("malformed", "the key's content is malformed")
        bits = 256
    elif key_type in ECDSA_CURVES:
        curve, bits = ECDSA_CURVES[key_type]
        if reader.string().decode("ascii", "replace") != curve:
            raise PublicKeyError(
                "mismatch", f"the key says it is {key_type} but holds another kind of key", key_type=key_type
            )
        point = reader.string()
        if not point or point[0] != 4 or len(point) != 1 + 2 * ((bits + 7) // 8):
            raise PublicKeyError("malformed", "the key's content is malformed")
    else:  # ssh-rsa
        exponent, modulus = reader.string(), reader.string()
        bits = _mpint_bits(modulus)
        if _mpint_bits(exponent) < 2 or not int.from_bytes(exponent, "big") & 1:
            raise PublicKeyError("malformed", "the key's content is malformed")
        if bits < MIN_RSA_BITS:
            raise PublicKeyError(
                "too_small",
                f"an RSA key needs at least {MIN_RSA_BITS} bits (this one has {bits}): "
                "make an Ed25519 key (ssh-keygen -t ed25519)",
                bits=str(bits),
                minimum=str(MIN_RSA_BITS),
            )
        if bits > MAX_RSA_BITS:
            raise PublicKeyError(
                "too_large",
                f"an RSA key of more than {MAX_RSA_BITS} bits is not accepted",
                maximum=str(MAX_RSA_BITS),
            )
    if key_type.startswith("sk-"):
        reader.string()  # the application (e.g. "ssh:")
    if not reader.done():
        raise PublicKeyError("malformed", "the key's content is malformed")
    return bits


def _from_rfc4716(lines: list[str]) -> tuple[str, str]:
    """The base64 body and the comment of a key in the RFC 4716 form."""
    body: list[str] = []
    comment = ""
    continued = False
    for line in lines[1:]:
        if line.startswith("---- END SSH2 PUBLIC KEY ----"):
            return "".join(body), comment
        if continued or ":" in line:
            header = line.rstrip("\\")
            if not continued and header.lower().startswith("comment:"):
                comment = header.split(":", 1)[1].strip().strip('"')
            continued = line.endswith("\\")
            continue
        body.append(line.strip())
    raise PublicKeyError("truncated", "the key is cut short")


def parse_public_key(text: str) -> PublicKey:
    """The public key written in `text`; `PublicKeyError` says why it is refused."""
    if len(text) > MAX_KEY_TEXT:
        raise PublicKeyError("too_long", "this is too long to be a public key")
    if "PRIVATE KEY" in text:
        raise PublicKeyError("private", "this is a private key: give the public one (the .pub file)")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise PublicKeyError("empty", "no key was given")
    if lines[0].startswith("---- BEGIN SSH2 PUBLIC KEY ----"):
        encoded, comment = _from_rfc4716(lines)
        key_type = ""
    else:
        if len(lines) != 1:
            raise PublicKeyError("several", "give one key, on one line")
        fields = lines[0].split(None, 2)
        if len(fields) < 2:
            raise PublicKeyError("malformed", "a public key reads 'TYPE BASE64 [COMMENT]'")
        key_type, encoded = fields[0], fields[1]
        comment = fields[2] if len(fields) > 2 else ""
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PublicKeyError("malformed", "the key's content is malformed") from exc
    if not key_type:
        key_type = _Reader(blob).string().decode("ascii", "replace")
    check_type(key_type)
    return PublicKey(key_type, blob, comment, read_blob(key_type, blob))


def check_type(key_type: str) -> None:
    """Refuse a key type that is not accepted, saying why."""
    if key_type in ACCEPTED_TYPES:
        return
    if key_type == "ssh-dss":
        raise PublicKeyError("dsa", "DSA keys are not accepted: make an Ed25519 key (ssh-keygen -t ed25519)")
    if "-cert-" in key_type:
        raise PublicKeyError("certificate", "certificates are not accepted: give the public key itself")
    if key_type.isascii() and key_type.isprintable() and len(key_type) <= 60 and "=" not in key_type:
        accepted = ", ".join(ACCEPTED_TYPES)
        raise PublicKeyError(
            "type",
            f"keys of type {key_type} are not accepted (accepted: {accepted})",
            key_type=key_type,
            accepted=accepted,
        )
    raise PublicKeyError("malformed", "a public key reads 'TYPE BASE64 [COMMENT]'")
