"""The domain's enumerations: roles, statuses, kinds and lifecycle steps, as stored and as sent."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    MAIN_ACCESS_MANAGER = "main_access_manager"
    CO_MAIN_ACCESS_MANAGER = "co_main_access_manager"
    ACCESS_MANAGER = "access_manager"


class DesignationStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class MandateStatus(StrEnum):
    TO_FINALISE = "to_finalise"
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    CLOSED = "closed"


class MandateShownStatus(StrEnum):
    """A mandate's status as the lists show it, to filter on; never stored. It is the stored status, but
    an active mandate whose end quarter is past shows as expired: it no longer covers anything."""

    TO_FINALISE = "to_finalise"
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    REJECTED = "rejected"
    CLOSED = "closed"


class MandateAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    CLOSE = "close"


class EnterpriseCategory(StrEnum):
    EMPLOYER = "employer"
    LOCAL_ADMINISTRATION = "local_administration"
    NO_STAFF = "no_staff"


class ProviderKind(StrEnum):
    SOCIAL_SECRETARIAT = "social_secretariat"
    SERVICE_PROVIDER = "service_provider"


class Relation(StrEnum):
    """How a Main Access Manager is bound to the enterprise (DOMAIN.md)."""

    EMPLOYEE = "employee"
    DIRECTOR = "director"
