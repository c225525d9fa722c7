"""Designations: the Main Access Manager and Access Managers of an enterprise, designated and ended."""

from fastapi import APIRouter
from fastapi.responses import Response

from onss_tui.api.deps import DesignationQuery, Holder, Id, Page, Service
from onss_tui.api.responses import json_response
from onss_tui.services import dto
from onss_tui.services.wire import VersionedStep

router = APIRouter(tags=["designations"])


@router.post(
    "/designations/main-access-manager",
    response_model=dto.DesignationPublic,
    summary="Designate or replace the Main Access Manager",
)
async def designate_main_access_manager(
    holder: Holder, service: Service, body: dto.MainAccessManagerDesignation
) -> Response:
    return json_response(await service.designate_main_access_manager(holder, body))


@router.post("/designations", response_model=dto.DesignationPublic, summary="Designate a manager")
async def designate(holder: Holder, service: Service, body: dto.DesignationRequest) -> Response:
    return json_response(await service.designate(holder, body))


@router.post(
    "/designations/{designation_id}/end", response_model=dto.DesignationPublic, summary="End a designation"
)
async def end_designation(
    holder: Holder, service: Service, designation_id: Id, body: VersionedStep
) -> Response:
    return json_response(await service.end_designation(holder, designation_id, body.expected_version))


@router.get(
    "/enterprises/{enterprise_id}/designations",
    response_model=dto.Page[dto.DesignationPublic],
    summary="Designations of an enterprise",
)
async def list_designations(
    holder: Holder, service: Service, enterprise_id: Id, page: Page, filter: DesignationQuery
) -> Response:
    return json_response(await service.list_designations(holder, enterprise_id, filter, page))
