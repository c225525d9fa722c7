"""The audit trail: its entries, filtered and paged, and the check of its hash chain."""

from fastapi import APIRouter
from fastapi.responses import Response

from onss_tui.api.deps import AuditQuery, Holder, Page, Service
from onss_tui.api.responses import json_response
from onss_tui.services import dto

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=dto.Page[dto.AuditEntryPublic], summary="The audit trail")
async def list_audit(holder: Holder, service: Service, page: Page, filter: AuditQuery) -> Response:
    return json_response(await service.list_audit(holder, filter, page))


@router.get("/audit/verification", response_model=dto.AuditVerification, summary="Check the hash chain")
async def verify_audit(holder: Holder, service: Service) -> Response:
    return json_response(await service.verify_audit(holder))
