"""Enterprises: the list the holder may see, one enterprise's overview, and activating or withdrawing a
quality."""

from fastapi import APIRouter
from fastapi.responses import Response

from onss_tui.api.deps import Holder, Id, Page, Search, Service
from onss_tui.api.responses import json_response
from onss_tui.services import dto
from onss_tui.services.wire import QualityChoice

router = APIRouter(tags=["enterprises"])


@router.get("/enterprises", response_model=dto.Page[dto.EnterpriseSummary], summary="Enterprises")
async def list_enterprises(holder: Holder, service: Service, page: Page, query: Search = "") -> Response:
    return json_response(await service.list_enterprises(holder, query, page))


@router.get("/enterprises/{enterprise_id}", response_model=dto.EnterpriseOverview, summary="Overview")
async def get_overview(holder: Holder, service: Service, enterprise_id: Id) -> Response:
    return json_response(await service.get_overview(holder, enterprise_id))


@router.post(
    "/enterprises/{enterprise_id}/qualities",
    response_model=dto.EnterpriseOverview,
    summary="Activate a quality",
)
async def activate_quality(
    holder: Holder, service: Service, enterprise_id: Id, body: QualityChoice
) -> Response:
    return json_response(await service.activate_quality(holder, enterprise_id, body.quality_code))


@router.post(
    "/enterprises/{enterprise_id}/qualities/deactivate",
    response_model=dto.EnterpriseOverview,
    summary="Withdraw a quality activated after registration",
)
async def deactivate_quality(
    holder: Holder, service: Service, enterprise_id: Id, body: QualityChoice
) -> Response:
    return json_response(await service.deactivate_quality(holder, enterprise_id, body.quality_code))
