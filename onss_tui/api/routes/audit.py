"""The audit trail: its entries, filtered and paged; its signed checkpoints, which a witness copies; and
its verification (support staff only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from onss_tui.api.deps import AuditQuery, Holder, Page, QueryModel, Service
from onss_tui.api.responses import JSON, json_response
from onss_tui.services import dto

router = APIRouter(tags=["audit"])

CheckpointQuery = Annotated[dto.CheckpointQuery, Depends(QueryModel(dto.CheckpointQuery))]


@router.get("/audit", response_model=dto.Page[dto.AuditEntryPublic], summary="The audit trail")
async def list_audit(holder: Holder, service: Service, page: Page, filter: AuditQuery) -> Response:
    return json_response(await service.list_audit(holder, filter, page))


@router.get(
    "/audit/verification",
    response_model=dto.AuditVerification,
    summary="Verify the chain, the signed checkpoints and their outside copy (support staff)",
)
async def verify_audit(
    holder: Holder,
    service: Service,
    full: Annotated[
        bool, Query(description="Walk the whole chain, not only what came since the last check.")
    ] = (False),
) -> Response:
    return json_response(await service.verify_audit(holder, full=full))


@router.get(
    "/audit/checkpoints",
    response_model=dto.CheckpointPage,
    summary="Signed checkpoints after a sequence number, oldest first",
)
async def list_checkpoints(holder: Holder, service: Service, query: CheckpointQuery) -> Response:
    return json_response(await service.list_checkpoints(holder, query))


@router.post(
    "/audit/checkpoints",
    response_model=dto.AuditCheckpointPublic | None,
    summary="Sign the trail's head now (support staff)",
)
async def checkpoint_audit(holder: Holder, service: Service) -> Response:
    made = await service.checkpoint_audit(holder)
    return Response("null", media_type=JSON) if made is None else json_response(made)
