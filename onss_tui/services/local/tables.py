"""SQLModel tables of the local store. Catalogues (qualities, services, groups) are rows, not code.

Times are aware UTC. Every mutable row carries `version` for optimistic concurrency.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def name_key(*parts: str | None) -> str:
    """Lower-case, accent-free text for sorting and searching ("Dupont Élise" -> "dupont elise")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class Identified(Protocol):
    id: int | None


def id_of(row: Identified) -> int:
    """The id of a row the store has written (added and flushed, or read): it has one by then."""
    assert row.id is not None
    return row.id


def ids_of(found: Iterable[int | None]) -> list[int]:
    """Primary keys read from the store: never NULL, whatever a model's `int | None` says of a new row."""
    return cast(list[int], list(found))


def _person_name_key(context: Any) -> str:
    """A new person's `name_key`, made from the names being inserted."""
    row = context.get_current_parameters()
    return name_key(row["last_name"], row["first_name"])


class CatalogueRow(SQLModel):
    code: str = Field(primary_key=True, max_length=40)
    name_fr: str
    name_nl: str
    name_en: str
    name_de: str = Field(default="", sa_column_kwargs={"server_default": ""})
    position: int = 0


class Quality(CatalogueRow, table=True):
    __tablename__ = "quality"


class OnlineService(CatalogueRow, table=True):
    __tablename__ = "online_service"
    enterprise_categories: str = Field(
        sa_column_kwargs={"server_default": "employer,local_administration,no_staff"},
        description="Comma-separated enterprise categories whose users may be granted the service.",
    )


class ServiceGroup(CatalogueRow, table=True):
    __tablename__ = "service_group"
    single_mandatary: bool = True
    principal_categories: str = Field(description="Comma-separated enterprise categories.")
    mandatary_kinds: str = Field(description="Comma-separated provider kinds.")


class Person(SQLModel, table=True):
    """One human, by national register number. Their name is theirs; contact data belongs to each of their
    accounts (a user, a designation) in one enterprise."""

    __tablename__ = "person"
    __table_args__ = (
        # Support staff, then everyone else, each by name: the sign-in list walks it, reading the names.
        Index("ix_person_by_name", "support_staff", "name_key", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    niss: str = Field(unique=True, max_length=11)
    first_name: str
    last_name: str
    name_key: str = Field(
        sa_column_kwargs={"default": _person_name_key},
        description="Lower-case, accent-free 'last first', for searching: made from the names when the "
        "person is added, and again when they are renamed.",
    )
    eid_card: str | None = Field(default=None, max_length=12)
    support_staff: bool = False
    signed_in_at: datetime | None = None
    version: int = 1


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"
    __table_args__ = (Index("ix_enterprise_name_key", "name_key", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_number: str = Field(unique=True, max_length=10)
    onss_number: str | None = Field(default=None, unique=True, max_length=10)
    name: str
    name_key: str = Field(description="Lower-case name, for sorting and searching.")
    category: str = Field(max_length=30)
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class EnterpriseQuality(SQLModel, table=True):
    __tablename__ = "enterprise_quality"
    enterprise_id: int = Field(foreign_key="enterprise.id", primary_key=True)
    quality_code: str = Field(foreign_key="quality.code", primary_key=True)
    active: bool = False
    activated_at: datetime | None = None
    from_registration: bool = Field(
        default=False,
        description="Held since the enterprise's registration, and never withdrawn; the others were "
        "activated later by its main access managers, who may withdraw them.",
    )


_CURRENT_MAIN = "role = 'main_access_manager' AND status != 'ended'"
ONE_MAIN_ACCESS_MANAGER = Index(
    "uq_designation_one_main_access_manager", "enterprise_id", unique=True, sqlite_where=text(_CURRENT_MAIN)
)
"""At most one current Main Access Manager per enterprise. Its condition on PostgreSQL is declared by
`declare_postgresql_options` when a PostgreSQL store is opened: declared here, it would make SQLAlchemy
import its PostgreSQL dialect on SQLite as well (about 40 ms and 2 MB). The migrations create it on both."""


def declare_postgresql_options() -> None:
    ONE_MAIN_ACCESS_MANAGER.dialect_options["postgresql"]["where"] = text(_CURRENT_MAIN)


class Designation(SQLModel, table=True):
    __tablename__ = "designation"
    __table_args__ = (
        Index("ix_designation_enterprise_role", "enterprise_id", "role", "status"),
        Index("ix_designation_person", "person_id", "status"),
        ONE_MAIN_ACCESS_MANAGER,
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    person_id: int = Field(foreign_key="person.id")
    role: str = Field(max_length=30)
    quality_code: str | None = Field(default=None, foreign_key="quality.code")
    status: str = Field(max_length=10)
    relation: str | None = Field(default=None, max_length=10)
    contact_phone: str | None = None
    contact_email: str | None = None
    designated_by_id: int | None = Field(default=None, foreign_key="person.id")
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ended_by_id: int | None = Field(default=None, foreign_key="person.id")
    version: int = 1


class PortalUser(SQLModel, table=True):
    """A person's access as a user of one enterprise, with the contact data given for it."""

    __tablename__ = "portal_user"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "person_id"),
        Index("ix_portal_user_name", "enterprise_id", "name_key", "id"),
        Index("ix_portal_user_person", "person_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    person_id: int = Field(foreign_key="person.id")
    name_key: str = Field(description="Lower-case 'last first', for sorting and searching.")
    status: str = Field(max_length=10)
    phone: str | None = None
    email: str | None = None
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class AccessGrant(SQLModel, table=True):
    __tablename__ = "access_grant"
    __table_args__ = (Index("ix_access_grant_service", "service_code", "user_id"),)
    user_id: int = Field(foreign_key="portal_user.id", primary_key=True)
    service_code: str = Field(foreign_key="online_service.code", primary_key=True)
    granted_by_id: int | None = Field(default=None, foreign_key="person.id")
    granted_at: datetime = Field(default_factory=utcnow)


class Provider(SQLModel, table=True):
    """A mandatary: an approved social secretariat (with its number) or a service provider."""

    __tablename__ = "provider"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", unique=True)
    kind: str = Field(max_length=20)
    secretariat_number: str | None = Field(default=None, max_length=3)


class Mandate(SQLModel, table=True):
    """Party numbers and names are copied here so that lists filter and sort on one table."""

    __tablename__ = "mandate"
    __table_args__ = (
        Index("ix_mandate_principal_key", "principal_key", "id"),
        Index("ix_mandate_mandatary_key", "mandatary_key", "principal_key", "id"),
        Index("ix_mandate_start", "start_quarter", "principal_key", "id"),
        Index("ix_mandate_status", "status", "principal_key", "id"),
        Index("ix_mandate_status_start", "status", "start_quarter", "principal_key", "id"),
        Index("ix_mandate_status_end", "status", "end_quarter", "start_quarter", "principal_id"),
        Index("ix_mandate_principal", "principal_id", "id"),
        Index("ix_mandate_mandatary", "mandatary_id", "id"),
        Index("ix_mandate_principal_number", "principal_number"),
        Index("ix_mandate_mandatary_number", "mandatary_number"),
    )
    id: int | None = Field(default=None, primary_key=True)
    principal_id: int = Field(foreign_key="enterprise.id")
    mandatary_id: int = Field(foreign_key="provider.id")
    principal_number: str = Field(max_length=10)
    principal_name: str
    principal_key: str
    mandatary_number: str = Field(max_length=10)
    mandatary_name: str
    mandatary_key: str
    branch_number: str | None = Field(default=None, max_length=3)
    groups: str = Field(description="Comma-separated group codes, sorted (for display).")
    start_quarter: int
    end_quarter: int | None = None
    status: str = Field(max_length=12)
    procuration_reference: str | None = None
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    validated_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class MandateGroup(SQLModel, table=True):
    __tablename__ = "mandate_group"
    __table_args__ = (Index("ix_mandate_group_code", "group_code", "mandate_id"),)
    mandate_id: int = Field(foreign_key="mandate.id", primary_key=True)
    group_code: str = Field(foreign_key="service_group.code", primary_key=True)


class AuditEntry(SQLModel, table=True):
    """One line of the trail; `hash` is SHA-256 over the previous hash and this entry's content."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_enterprise", "enterprise_id", "id"),
        Index("ix_audit_actor", "actor_id", "id"),
        Index("ix_audit_action", "action", "id"),
        Index("ix_audit_target", "target", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor_id: int | None = None
    actor_name: str
    action: str = Field(max_length=60)
    target: str
    enterprise_id: int | None = None
    outcome: str = Field(max_length=10)
    before_json: str | None = None
    after_json: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single row that points at the last entry: appends lock it, so the chain never forks."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    last_id: int = 0
    last_hash: str = Field(default="0" * 64, max_length=64)
    entries: int = 0


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement of the chain's head (`checkpoints`): the entry, its hash and the count, when,
    by which key, after which checkpoint; the same line is copied outside the database."""

    __tablename__ = "audit_checkpoint"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    entry_id: int = Field(index=True)
    entry_hash: str = Field(max_length=64)
    entries: int
    signed_at: str = Field(max_length=32)
    key_id: str = Field(max_length=16)
    prev: str = Field(max_length=64)
    signature: str = Field(max_length=100)


TOKEN_LIFETIME = timedelta(days=90)
"""How long a token lives unless it is issued for another time."""


class ApiToken(SQLModel, table=True):
    """A bearer token for the HTTP API, stored only as its SHA-256."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    label: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    expires_at: datetime | None = Field(
        default_factory=lambda: utcnow() + TOKEN_LIFETIME,
        description="From then on the token is refused (a token without one is refused too).",
    )
    last_used_at: datetime | None = Field(
        default=None, description="When a request last presented it (to the minute, not to the request)."
    )


class SshKey(SQLModel, table=True):
    """An OpenSSH public key registered to a person: logging in over SSH with it acts as that person."""

    __tablename__ = "ssh_key"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    key_type: str = Field(max_length=40)
    key_blob: str = Field(description="The key's blob in base64, as a .pub file and sshd write it.")
    fingerprint: str = Field(unique=True, max_length=50, description="OpenSSH's SHA256:... fingerprint.")
    label: str = Field(default="", max_length=100)
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="person.id")


class PersonPreference(SQLModel, table=True):
    """What a person's console remembers for them wherever they sign in from (an SSH session shares its
    account, and its config file, with everyone else's)."""

    __tablename__ = "person_preference"
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    lang: str | None = Field(default=None, max_length=2)
    theme: str | None = Field(default=None, max_length=40)


class AuthFailure(SQLModel, table=True):
    """A token that failed to authenticate from an address (an IPv6 address counts by its /64): the last
    time it did, as seconds since the epoch. Every server on the store reads the same failures; rows
    older than the brake's window are pruned as new ones come."""

    __tablename__ = "auth_failure"
    __table_args__ = (Index("ix_auth_failure_at", "failed_at"),)
    address: str = Field(primary_key=True, max_length=64)
    token_digest: str = Field(primary_key=True, max_length=16)
    failed_at: float
