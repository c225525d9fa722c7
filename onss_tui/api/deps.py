"""What the routes ask of a request, in one place: the service (held on the app's state by `attach`), the
token's holder (found by `auth.Authentication` before the route is reached), ids in paths, the search
text, and the page and filter models read from the query."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onss_tui.api.auth import HOLDER
from onss_tui.domain import text
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService

MAX_ID = dto.MAX_ID

bearer_scheme = HTTPBearer(auto_error=False, description="A token from `onss-tui token create`.")


def attach(app: FastAPI, service: LocalService) -> None:
    """Hand `service` to every route of `app`."""
    app.state.service = service


async def _service(request: Request) -> LocalService:  # async: FastAPI runs it inline, not in a thread
    service: LocalService = request.app.state.service
    return service


async def _holder(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> int:
    """The holder `auth.Authentication` found (the bearer scheme is named here for the schema's sake)."""
    holder: int = request.scope["state"][HOLDER]
    return holder


class QueryModel:
    """A dependency that reads `model` from the query string, validated once as a whole (FastAPI's own
    parsing, parameter by parameter, cost about a tenth of the server's time for a page of mandates).
    Other query parameters are left to their own readers; `document_query_models` puts the fields in
    the schema."""

    def __init__(self, model: type[dto.DTO]) -> None:
        self.model = model
        self.names = frozenset(model.model_fields)

    async def __call__(self, request: Request) -> dto.DTO:  # async: FastAPI runs it inline, not in a thread
        return self.model.model_validate({k: v for k, v in request.query_params.items() if k in self.names})


def query_parameters(model: type[dto.DTO]) -> list[dict[str, Any]]:
    """The fields of `model` as OpenAPI query parameters (enumerations written out in place)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def written_out(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**definitions[node["$ref"].rsplit("/", 1)[1]], **rest}
            return {k: written_out(v) for k, v in node.items()}
        if isinstance(node, list):
            return [written_out(v) for v in node]
        return node

    parameters = []
    for name, field in model.model_fields.items():
        parameter = {"name": name, "in": "query", "required": False}
        parameter["schema"] = written_out(schema["properties"][name])
        if field.description:
            parameter["description"] = field.description
        parameters.append(parameter)
    return parameters


def document_query_models(router: APIRouter) -> None:
    """Add the fields of the models read by `QueryModel` to each route's parameters in the schema."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            models = [d.call.model for d in route.dependant.dependencies if isinstance(d.call, QueryModel)]
            if models:
                route.openapi_extra = {"parameters": [p for m in models for p in query_parameters(m)]}


Service = Annotated[LocalService, Depends(_service)]
Holder = Annotated[int, Depends(_holder)]
"""The id of the person the request's bearer token was issued to: every request acts as them."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(description="Number or name.", max_length=text.SEARCH_MAX)]
Page = Annotated[dto.PageRequest, Depends(QueryModel(dto.PageRequest))]
DesignationQuery = Annotated[dto.DesignationFilter, Depends(QueryModel(dto.DesignationFilter))]
UserQuery = Annotated[dto.UserFilter, Depends(QueryModel(dto.UserFilter))]
MandateQuery = Annotated[dto.MandateFilter, Depends(QueryModel(dto.MandateFilter))]
AuditQuery = Annotated[dto.AuditFilter, Depends(QueryModel(dto.AuditFilter))]
