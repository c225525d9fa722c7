"""Mandates an enterprise gives to secretariats and providers: listed, created, and taken through their
steps (sent, accepted or rejected, closed); and the providers a principal may choose from."""

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from onss_tui.api.deps import MAX_ID, Holder, Id, MandateQuery, Page, Search, Service
from onss_tui.api.responses import json_response
from onss_tui.services import dto
from onss_tui.services.wire import ExportEnd, VersionedStep

router = APIRouter(tags=["mandates"])


@router.get("/providers", response_model=dto.Page[dto.ProviderPublic], summary="Secretariats and providers")
async def list_providers(holder: Holder, service: Service, page: Page, query: Search = "") -> Response:
    return json_response(await service.list_providers(holder, query, page))


@router.get("/mandates", response_model=dto.Page[dto.MandatePublic], summary="Mandates")
async def list_mandates(holder: Holder, service: Service, page: Page, filter: MandateQuery) -> Response:
    return json_response(await service.list_mandates(holder, filter, page))


class NdjsonResponse(StreamingResponse):
    media_type = "application/x-ndjson"


@router.get(
    "/mandates/export",
    summary="Every mandate matching the filter, as of one moment",
    responses={
        200: {
            "description": "One mandate (as `GET /mandates/{mandate_id}` gives it) a line, then a last "
            'line `{"exported": N}`; a stream without that line was cut short.',
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
async def export_mandates(holder: Holder, service: Service, filter: MandateQuery) -> Response:
    mandates = service.export_mandates(holder, filter)
    first = await anext(mandates, None)  # a refused filter is answered before the stream starts

    async def lines() -> AsyncIterator[str]:
        async with aclosing(mandates):
            exported = 0
            if first is not None:
                yield first.model_dump_json() + "\n"
                exported += 1
            async for mandate in mandates:
                yield mandate.model_dump_json() + "\n"
                exported += 1
            yield ExportEnd(exported=exported).model_dump_json() + "\n"

    return NdjsonResponse(lines())


@router.get("/mandates/figures", response_model=dto.MandateFigures, summary="Mandates at a glance")
async def mandate_figures(
    holder: Holder,
    service: Service,
    enterprise_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="The enterprise counted (default: every mandate, support staff)."),
    ] = None,
) -> Response:
    return json_response(await service.mandate_figures(holder, enterprise_id))


@router.get("/mandates/{mandate_id}", response_model=dto.MandatePublic, summary="A mandate")
async def get_mandate(holder: Holder, service: Service, mandate_id: Id) -> Response:
    return json_response(await service.get_mandate(holder, mandate_id))


@router.post("/mandates", response_model=dto.MandatePublic, summary="Create a mandate")
async def create_mandate(holder: Holder, service: Service, body: dto.MandateCreate) -> Response:
    return json_response(await service.create_mandate(holder, body))


@router.post(
    "/mandates/{mandate_id}/submit", response_model=dto.MandatePublic, summary="Send to the mandatary"
)
async def submit_mandate(holder: Holder, service: Service, mandate_id: Id, body: VersionedStep) -> Response:
    return json_response(await service.submit_mandate(holder, mandate_id, body.expected_version))


@router.post("/mandates/{mandate_id}/accept", response_model=dto.MandatePublic, summary="Accept")
async def accept_mandate(holder: Holder, service: Service, mandate_id: Id, body: VersionedStep) -> Response:
    return json_response(await service.accept_mandate(holder, mandate_id, body.expected_version))


@router.post("/mandates/{mandate_id}/reject", response_model=dto.MandatePublic, summary="Reject")
async def reject_mandate(holder: Holder, service: Service, mandate_id: Id, body: VersionedStep) -> Response:
    return json_response(await service.reject_mandate(holder, mandate_id, body.expected_version))


@router.post("/mandates/{mandate_id}/close", response_model=dto.MandatePublic, summary="Close")
async def close_mandate(holder: Holder, service: Service, mandate_id: Id, body: VersionedStep) -> Response:
    return json_response(await service.close_mandate(holder, mandate_id, body.expected_version))
