"""Users of an enterprise: listed, created, changed, suspended or removed, and their online services."""

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import TypeAdapter

from onss_tui.api.deps import Holder, Id, Page, Service, UserQuery
from onss_tui.api.responses import json_list_response, json_response
from onss_tui.services import dto
from onss_tui.services.wire import ServiceChange, StatusChange

router = APIRouter(tags=["users"])

_USER_LIST = TypeAdapter(list[dto.UserPublic])


@router.get(
    "/enterprises/{enterprise_id}/users",
    response_model=dto.Page[dto.UserPublic],
    summary="Users of an enterprise",
)
async def list_users(
    holder: Holder, service: Service, enterprise_id: Id, page: Page, filter: UserQuery
) -> Response:
    return json_response(await service.list_users(holder, enterprise_id, filter, page))


@router.get(
    "/enterprises/{enterprise_id}/users/rights",
    response_model=dto.Page[dto.UserPublic],
    summary="Every user of an enterprise with their online services, for an export",
    description="For the enterprise's managers and support staff; anyone else is refused (403).",
)
async def list_users_and_rights(holder: Holder, service: Service, enterprise_id: Id, page: Page) -> Response:
    return json_response(await service.list_users_and_rights(holder, enterprise_id, page))


@router.get("/users/{user_id}", response_model=dto.UserPublic, summary="A user")
async def get_user(holder: Holder, service: Service, user_id: Id) -> Response:
    return json_response(await service.get_user(holder, user_id))


@router.post("/users", response_model=dto.UserPublic, summary="Create a user")
async def create_user(holder: Holder, service: Service, body: dto.UserCreate) -> Response:
    return json_response(await service.create_user(holder, body))


@router.patch(
    "/users/{user_id}", response_model=dto.UserPublic, summary="Change the contact data of a user's account"
)
async def update_user(holder: Holder, service: Service, user_id: Id, body: dto.UserUpdate) -> Response:
    return json_response(await service.update_user(holder, user_id, body))


@router.put("/users/{user_id}/status", response_model=dto.UserPublic, summary="Suspend, reactivate or remove")
async def set_user_status(holder: Holder, service: Service, user_id: Id, body: StatusChange) -> Response:
    return json_response(await service.set_user_status(holder, user_id, body.status, body.expected_version))


@router.post("/users/services/grant", response_model=list[dto.UserPublic], summary="Grant online services")
async def grant_services(holder: Holder, service: Service, body: ServiceChange) -> Response:
    users = await service.grant_services(holder, body.user_ids, body.service_codes)
    return json_list_response(_USER_LIST, users)


@router.post(
    "/users/services/withdraw", response_model=list[dto.UserPublic], summary="Withdraw online services"
)
async def withdraw_services(holder: Holder, service: Service, body: ServiceChange) -> Response:
    users = await service.withdraw_services(holder, body.user_ids, body.service_codes)
    return json_list_response(_USER_LIST, users)
