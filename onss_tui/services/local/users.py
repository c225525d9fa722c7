"""An enterprise's users of the portal: listing them, creating one, changing their contact data or their
status, and granting or withdrawing their online services (access managers do; a user sees themselves),
and exporting every user with their services (access managers and support staff).

A user is a person's account in one enterprise: its phone number and e-mail address are this enterprise's,
and nothing done here reads or changes what another enterprise holds about the person (their name is
theirs: `identity.update_person`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import inspect
from sqlmodel import col, false, select

from onss_tui.services import dto
from onss_tui.services.dto import PageRequest, UserStatus
from onss_tui.services.errors import NotFound, PermissionDenied, Reason, ValidationFailed, in_every_language
from onss_tui.services.local import convert, fields, search
from onss_tui.services.local.context import Context
from onss_tui.services.local.enterprises import get_enterprise
from onss_tui.services.local.paging import keyset_page
from onss_tui.services.local.rights import may_manage_users
from onss_tui.services.local.tables import (
    AccessGrant,
    Enterprise,
    OnlineService,
    PortalUser,
    id_of,
    name_key,
    utcnow,
)

_USER = inspect(PortalUser).local_table.c
_BY_NAME = [_USER.name_key, _USER.id]
_SORTS = {
    dto.UserSort.NAME: _BY_NAME,
    dto.UserSort.STATUS: [_USER.status, *_BY_NAME],
    dto.UserSort.CREATED: [_USER.id],
}
"""The columns of each sort (ties broken by name), also the attributes of a user's cursor key."""


def list_users(
    c: Context, enterprise_id: int, wanted: dto.UserFilter, page: PageRequest
) -> dto.Page[dto.UserPublic]:
    """An enterprise's users that match the filter (not removed ones, unless asked for by status)."""
    get_enterprise(c, enterprise_id)
    stmt = select(PortalUser).where(PortalUser.enterprise_id == enterprise_id)
    if search.finds_nothing(wanted.text):
        stmt = stmt.where(false())
    if not (c.support or may_manage_users(c, enterprise_id)):
        # A plain user sees their own record only: the contact data they may change.
        if not c.has_user_account(enterprise_id):
            raise PermissionDenied(Reason("rule.users.managers_see"))
        stmt = stmt.where(PortalUser.person_id == c.actor_id)
    if wanted.status:
        stmt = stmt.where(PortalUser.status == wanted.status)
    else:
        stmt = stmt.where(PortalUser.status != UserStatus.REMOVED)
    if wanted.service:
        stmt = stmt.where(
            col(PortalUser.id).in_(
                select(AccessGrant.user_id).where(AccessGrant.service_code == wanted.service)
            )
        )
    for word in search.words_of(wanted.text):  # each word, in either order ("anne peeters")
        stmt = stmt.where(search.contains(PortalUser.name_key, word))
    keys = _SORTS[wanted.sort]
    rows, after, before = keyset_page(
        c.session,
        stmt,
        keys,
        lambda u: tuple(getattr(u, k.key) for k in keys),
        page,
        descending=wanted.descending,
    )
    return dto.Page(items=convert.users(c, rows), next_cursor=after, prev_cursor=before)


def list_users_and_rights(c: Context, enterprise_id: int, page: PageRequest) -> dto.Page[dto.UserPublic]:
    """Every user of an enterprise (not removed ones) with their online services, for an export: a right
    of the enterprise's managers and of support staff (a plain user sees their own record, never a list)."""
    get_enterprise(c, enterprise_id)
    if not (c.support or may_manage_users(c, enterprise_id)):
        raise PermissionDenied(Reason("rule.users.export_managers"))
    return list_users(c, enterprise_id, dto.UserFilter(), page)


def _get_user(c: Context, user_id: int) -> PortalUser:
    return c.get(PortalUser, user_id, "rule.no_user")


def get_user(c: Context, user_id: int) -> dto.UserPublic:
    user = _get_user(c, user_id)
    if not (c.support or user.person_id == c.actor_id or may_manage_users(c, user.enterprise_id)):
        raise PermissionDenied(Reason("rule.users.managers_see"))
    return convert.user(c, user)


def create_user(c: Context, request: dto.UserCreate) -> dto.UserPublic:
    """Make a person a user of the enterprise (again, if they were removed), with online services."""
    enterprise = get_enterprise(c, request.enterprise_id)
    c.require(may_manage_users(c, request.enterprise_id), Reason("rule.users.managers_create"))
    errors: dict[str, str] = {}
    phone = fields.phone(errors, "phone", request.phone, required=False)
    email = fields.email(errors, "email", request.email)
    services = _service_codes(c, errors, request.services, [id_of(enterprise)])
    person = fields.person_for(c, errors, "niss", request.niss, request.first_name, request.last_name)
    if errors:
        raise ValidationFailed(errors)
    assert person is not None
    c.session.flush()
    user = c.session.exec(
        select(PortalUser).where(PortalUser.enterprise_id == enterprise.id, PortalUser.person_id == person.id)
    ).first()
    if user is not None and user.status != UserStatus.REMOVED:
        raise ValidationFailed({"niss": Reason("rule.users.already")})
    if user is None:
        user = PortalUser(
            enterprise_id=id_of(enterprise),
            person_id=id_of(person),
            name_key=name_key(person.last_name, person.first_name),
            status=UserStatus.ACTIVE,
            phone=phone,
            email=email,
            created_by_id=c.actor_id,
        )
    else:  # this enterprise's removed account, made active again: what is given replaces what it held
        user.status, user.created_by_id, user.created_at = UserStatus.ACTIVE, c.actor_id, utcnow()
        user.phone, user.email = phone or user.phone, email or user.email
        user.version += 1
    c.session.add(user)
    c.session.flush()
    for code in services:
        c.session.add(AccessGrant(user_id=id_of(user), service_code=code, granted_by_id=c.actor_id))
    c.session.flush()
    result = convert.user(c, user)
    c.record("user.create", f"user:{user.id}", enterprise.id, after=convert.dump(result))
    return result


def _service_codes(
    c: Context, errors: dict[str, str], codes: Iterable[str], granted_in: Iterable[int] = ()
) -> list[str]:
    """The known online services among `codes`; to be granted in the enterprises `granted_in`, each
    must be one the catalogue offers to their kind (DmfAPPL to local administrations, ...)."""
    wanted = sorted(set(codes))
    known = {
        o.code: o
        for o in c.session.exec(select(OnlineService).where(col(OnlineService.code).in_(wanted))).all()
    }
    unknown = [code for code in wanted if code not in known]
    enterprises = set(granted_in)
    kinds = (
        set(c.session.exec(select(Enterprise.category).where(col(Enterprise.id).in_(enterprises))))
        if enterprises
        else set()
    )
    elsewhere = [
        known[code]
        for code in wanted
        if code in known and not kinds <= set(known[code].enterprise_categories.split(","))
    ]
    if unknown:
        errors["services"] = Reason("rule.users.unknown_services", services=", ".join(unknown))
    elif elsewhere:
        errors["services"] = Reason(
            "rule.users.services_elsewhere",
            kind=fields.listed((f"category.{kind}" for kind in sorted(kinds)), joiner="rule.and"),
            services=fields.catalogue_names(elsewhere),
        )
    return [code for code in wanted if code in known]


def update_user(c: Context, user_id: int, changes: dto.UserUpdate) -> dto.UserPublic:
    """Change the contact data of a user's account (its enterprise's managers, or the user themselves);
    a change based on an older version of the account is refused."""
    user = _get_user(c, user_id)
    manager = may_manage_users(c, user.enterprise_id)
    own = user.person_id == c.actor_id
    c.require(manager or own, Reason("rule.users.managers_change"))
    if user.status == UserStatus.REMOVED:
        raise ValidationFailed({"status": Reason("rule.users.removed")})
    errors: dict[str, str] = {}
    new: dict[str, str | None] = {}
    if changes.phone is not None:
        new["phone"] = fields.phone(errors, "phone", changes.phone, required=False)
    if changes.email is not None:
        new["email"] = fields.email(errors, "email", changes.email)
    if errors:
        raise ValidationFailed(errors)
    before = convert.user(c, user)
    fields.check_version(user, changes.expected_version, "user")
    for name, value in new.items():
        setattr(user, name, value)
    c.session.flush()
    result = convert.user(c, user)
    c.record(
        "user.update",
        f"user:{user_id}",
        user.enterprise_id,
        before=convert.dump(before),
        after=convert.dump(result),
    )
    return result


_STATUS_ACTIONS = {
    UserStatus.ACTIVE: "user.reactivate",
    UserStatus.SUSPENDED: "user.suspend",
    UserStatus.REMOVED: "user.remove",
}


def set_user_status(c: Context, user_id: int, status: UserStatus, expected_version: int) -> dto.UserPublic:
    """Suspend, reactivate or remove a user (a removed user loses their online services)."""
    user = _get_user(c, user_id)
    c.require(may_manage_users(c, user.enterprise_id), Reason("rule.users.managers_status"))
    current = UserStatus(user.status)
    if current == UserStatus.REMOVED:
        raise ValidationFailed({"status": Reason("rule.users.removed")})
    if current == status:
        said = in_every_language(f"users.status.{status.value}")
        raise ValidationFailed({"status": Reason("rule.users.already_status", status=said)})
    before = convert.user(c, user)
    fields.check_version(user, expected_version, "user")
    user.status = status
    if status == UserStatus.REMOVED:
        for grant in c.session.exec(select(AccessGrant).where(AccessGrant.user_id == user.id)).all():
            c.session.delete(grant)
    c.session.flush()
    result = convert.user(c, user)
    c.record(
        _STATUS_ACTIONS[status],
        f"user:{user_id}",
        user.enterprise_id,
        before=convert.dump(before),
        after=convert.dump(result),
    )
    return result


def change_grants(
    c: Context, user_ids: list[int], service_codes: list[str], *, grant: bool, action: str
) -> list[dto.UserPublic]:
    """Grant online services to users (`grant`), or withdraw them; each user whose services change is
    recorded as `action`. The users come back in the order asked."""
    if not user_ids:
        raise ValidationFailed({"users": Reason("rule.users.choose_users")})
    if not service_codes:
        raise ValidationFailed({"services": Reason("rule.users.choose_services")})
    users = c.session.exec(select(PortalUser).where(col(PortalUser.id).in_(set(user_ids)))).all()
    if len(users) != len(set(user_ids)):
        raise NotFound(Reason("rule.no_user"))
    for enterprise_id in {u.enterprise_id for u in users}:
        c.require(may_manage_users(c, enterprise_id), Reason("rule.users.managers_grant"))
    errors: dict[str, str] = {}
    codes = _service_codes(c, errors, service_codes, {u.enterprise_id for u in users} if grant else ())
    if grant:
        inactive = [u.person_id for u in users if u.status != UserStatus.ACTIVE]
        if inactive:
            names = convert.names_of_people(c.session, inactive)
            errors["users"] = Reason(
                "rule.users.grant_inactive", names=", ".join(sorted(names[p] for p in inactive))
            )
    if errors:
        raise ValidationFailed(errors)
    befores = {u.id: u for u in convert.users(c, users)}
    for user in users:
        held = set(
            c.session.exec(select(AccessGrant.service_code).where(AccessGrant.user_id == user.id)).all()
        )
        changed = sorted(set(codes) - held) if grant else sorted(set(codes) & held)
        for code in changed:
            if grant:
                c.session.add(AccessGrant(user_id=id_of(user), service_code=code, granted_by_id=c.actor_id))
            else:
                c.session.delete(c.session.get(AccessGrant, (user.id, code)))
        if changed:
            user.version += 1
    c.session.flush()
    results = convert.users(c, users)
    for result in results:
        if result.services != befores[result.id].services:
            c.record(
                action,
                f"user:{result.id}",
                result.enterprise_id,
                before={"services": befores[result.id].services},
                after={"services": result.services},
            )
    order = {uid: i for i, uid in enumerate(user_ids)}
    return sorted(results, key=lambda u: order[u.id])
