"""The FastAPI app: one thin route per `AccessService` method, over `LocalService`, which holds every rule.

The acting person is always the holder of the request's bearer token. Persons are addressed by id:
national register numbers travel in JSON bodies only, never in a URL. Typed service errors become
422/403/404/409/503 with an `ErrorBody`, and `RemoteService` maps them back.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from onss_tui import __version__
from onss_tui.api.auth import Authenticator, FailedAuthLimiter
from onss_tui.config import Settings
from onss_tui.services import dto
from onss_tui.services.errors import ServiceError
from onss_tui.services.local.service import LocalService
from onss_tui.services.wire import (
    ErrorBody,
    IdentityQuery,
    Me,
    QualityActivation,
    RevealedNiss,
    ServiceChange,
    StatusChange,
    VersionedStep,
)

MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in every store."""

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The body is not readable as JSON.",
        401: "No bearer token, or a token that is unknown or revoked.",
        403: "The token holder holds no role that allows this.",
        404: "No such object.",
        409: "Someone else changed the object since it was read.",
        422: "The input is wrong; `field_errors` says what is wrong with each field.",
        429: "Too many failed authentications from this address; see Retry-After.",
        503: "The store is unavailable; for a write, `outcome_unknown` tells whether it may have happened.",
    }.items()
}

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _json(value: BaseModel) -> Response:
    """The model as JSON, serialised once (FastAPI does not validate a returned `Response` again)."""
    return Response(content=value.model_dump_json(), media_type="application/json")


_USER_LIST = TypeAdapter(list[dto.UserPublic])
_IDENTITY_LIST = TypeAdapter(list[dto.Identity])


def query_model(model: type[dto.DTO]) -> Any:
    """A dependency that reads `model` from the query string, validated once as a whole (FastAPI's own
    parsing, parameter by parameter, cost about a tenth of the server's time for a page of mandates).
    Other query parameters are left to their own readers; `document_query_models` puts the fields in
    the schema."""
    names = frozenset(model.model_fields)

    async def read(request: Request) -> dto.DTO:  # async: FastAPI runs it inline, not in a worker thread
        return model.model_validate({k: v for k, v in request.query_params.items() if k in names})

    read.query_model = model  # type: ignore[attr-defined]
    return Depends(read)


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


def document_query_models(app: FastAPI) -> None:
    """Add the fields of the models read by `query_model` to each route's parameters in the schema."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            models = [
                d.call.query_model for d in route.dependant.dependencies if hasattr(d.call, "query_model")
            ]
            if models:
                route.openapi_extra = {"parameters": [p for m in models for p in query_parameters(m)]}


def _field_errors(errors: list[Any]) -> dict[str, str]:
    """Pydantic's error list as field -> message (the location without body/query/path)."""
    result: dict[str, str] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if len(location) > 1 and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        key = ".".join(location) or "request"
        message = str(error.get("msg", "invalid"))
        result[key] = f"{result[key]}; {message}" if key in result else message
    return result


def _error(status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(ErrorBody(detail=detail, **extra).model_dump(exclude_none=True), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(ErrorBody.of(exc).model_dump(exclude_none=True), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(list(exc.errors()))
        return _error(422, "; ".join(f"{k}: {v}" for k, v in fields.items()), field_errors=fields)

    @app.exception_handler(ValidationError)
    async def model_invalid(_request: Request, exc: ValidationError) -> JSONResponse:
        fields = _field_errors(list(exc.errors()))
        return _error(422, "; ".join(f"{k}: {v}" for k, v in fields.items()), field_errors=fields)


def create_app(service: LocalService, *, secret: str, limiter: FailedAuthLimiter | None = None) -> FastAPI:
    """The API over `service`; tokens are checked with `secret` (HMAC) against the store's token table."""
    app = FastAPI(
        title="onss-tui API",
        version=__version__,
        description="Secure access for Belgian employers (ONSS / RSZ): managers, users, mandates, audit. "
        "Every request acts as the person its bearer token was issued to.",
        responses=ERROR_RESPONSES,
    )
    _install_error_handlers(app)
    authenticate = Authenticator(
        service.engine, secret, limiter or FailedAuthLimiter(), inline=service.reads_inline
    )
    Holder = Annotated[int, Depends(authenticate)]
    Page = Annotated[dto.PageRequest, query_model(dto.PageRequest)]
    Search = Annotated[str, Query(description="Number or name.")]

    def route(method: str, path: str, model: Any, summary: str, *, tag: str) -> Callable[..., Any]:
        return app.api_route(path, methods=[method], response_model=model, summary=summary, tags=[tag])

    # -------------------------------------------------------------- identity and catalogues

    @route("GET", "/me", Me, "Who the token belongs to", tag="identity")
    async def me(holder: Holder) -> Response:
        found = await service.list_identities(limit=1, person_id=holder)
        return _json(Me(person_id=holder, identity=found[0] if found else None))

    @route(
        "POST", "/me/identities", list[dto.Identity], "The holder's identity, if it matches", tag="identity"
    )
    async def list_identities(holder: Holder, body: IdentityQuery) -> Response:
        found = await service.list_identities(body.query, body.limit, person_id=holder)
        return Response(_IDENTITY_LIST.dump_json(found), media_type="application/json")

    @route("POST", "/me/sign-in", dto.PersonPublic, "Record a sign-in", tag="identity")
    async def sign_in(holder: Holder) -> Response:
        return _json(await service.sign_in(holder))

    @route("GET", "/catalogue", dto.Catalogue, "Qualities, online services, groups", tag="identity")
    async def catalogue(holder: Holder) -> Response:
        return _json(await service.catalogue(holder))

    @route(
        "POST", "/persons/{person_id}/niss", RevealedNiss, "Reveal a national register number", tag="identity"
    )
    async def reveal_niss(holder: Holder, person_id: Id) -> Response:
        return _json(RevealedNiss(niss=await service.reveal_niss(holder, person_id)))

    # -------------------------------------------------------------- enterprises

    @route("GET", "/enterprises", dto.Page[dto.EnterpriseSummary], "Enterprises", tag="enterprises")
    async def list_enterprises(holder: Holder, page: Page, query: Search = "") -> Response:
        return _json(await service.list_enterprises(holder, query, page))

    @route("GET", "/enterprises/{enterprise_id}", dto.EnterpriseOverview, "Overview", tag="enterprises")
    async def get_overview(holder: Holder, enterprise_id: Id) -> Response:
        return _json(await service.get_overview(holder, enterprise_id))

    @route(
        "POST",
        "/enterprises/{enterprise_id}/qualities",
        dto.EnterpriseOverview,
        "Activate a quality",
        tag="enterprises",
    )
    async def activate_quality(holder: Holder, enterprise_id: Id, body: QualityActivation) -> Response:
        return _json(await service.activate_quality(holder, enterprise_id, body.quality_code))

    # -------------------------------------------------------------- designations

    @route(
        "POST",
        "/designations/main-access-manager",
        dto.DesignationPublic,
        "Designate or replace the Main Access Manager",
        tag="designations",
    )
    async def designate_main_access_manager(
        holder: Holder, body: dto.MainAccessManagerDesignation
    ) -> Response:
        return _json(await service.designate_main_access_manager(holder, body))

    @route("POST", "/designations", dto.DesignationPublic, "Designate a manager", tag="designations")
    async def designate(holder: Holder, body: dto.DesignationRequest) -> Response:
        return _json(await service.designate(holder, body))

    @route(
        "POST",
        "/designations/{designation_id}/end",
        dto.DesignationPublic,
        "End a designation",
        tag="designations",
    )
    async def end_designation(holder: Holder, designation_id: Id, body: VersionedStep) -> Response:
        return _json(await service.end_designation(holder, designation_id, body.expected_version))

    @route(
        "GET",
        "/enterprises/{enterprise_id}/designations",
        dto.Page[dto.DesignationPublic],
        "Designations of an enterprise",
        tag="designations",
    )
    async def list_designations(
        holder: Holder,
        enterprise_id: Id,
        page: Page,
        filter: Annotated[dto.DesignationFilter, query_model(dto.DesignationFilter)],
    ) -> Response:
        return _json(await service.list_designations(holder, enterprise_id, filter, page))

    # -------------------------------------------------------------- users

    @route(
        "GET",
        "/enterprises/{enterprise_id}/users",
        dto.Page[dto.UserPublic],
        "Users of an enterprise",
        tag="users",
    )
    async def list_users(
        holder: Holder,
        enterprise_id: Id,
        page: Page,
        filter: Annotated[dto.UserFilter, query_model(dto.UserFilter)],
    ) -> Response:
        return _json(await service.list_users(holder, enterprise_id, filter, page))

    @route("GET", "/users/{user_id}", dto.UserPublic, "A user", tag="users")
    async def get_user(holder: Holder, user_id: Id) -> Response:
        return _json(await service.get_user(holder, user_id))

    @route("POST", "/users", dto.UserPublic, "Create a user", tag="users")
    async def create_user(holder: Holder, body: dto.UserCreate) -> Response:
        return _json(await service.create_user(holder, body))

    @route("PATCH", "/users/{user_id}", dto.UserPublic, "Change a user's contact data", tag="users")
    async def update_user(holder: Holder, user_id: Id, body: dto.UserUpdate) -> Response:
        return _json(await service.update_user(holder, user_id, body))

    @route("PUT", "/users/{user_id}/status", dto.UserPublic, "Suspend, reactivate or remove", tag="users")
    async def set_user_status(holder: Holder, user_id: Id, body: StatusChange) -> Response:
        return _json(await service.set_user_status(holder, user_id, body.status, body.expected_version))

    @route("POST", "/users/services/grant", list[dto.UserPublic], "Grant online services", tag="users")
    async def grant_services(holder: Holder, body: ServiceChange) -> Response:
        users = await service.grant_services(holder, body.user_ids, body.service_codes)
        return Response(_USER_LIST.dump_json(users), media_type="application/json")

    @route("POST", "/users/services/withdraw", list[dto.UserPublic], "Withdraw online services", tag="users")
    async def withdraw_services(holder: Holder, body: ServiceChange) -> Response:
        users = await service.withdraw_services(holder, body.user_ids, body.service_codes)
        return Response(_USER_LIST.dump_json(users), media_type="application/json")

    # -------------------------------------------------------------- mandates

    @route("GET", "/providers", dto.Page[dto.ProviderPublic], "Secretariats and providers", tag="mandates")
    async def list_providers(holder: Holder, page: Page, query: Search = "") -> Response:
        return _json(await service.list_providers(holder, query, page))

    @route("GET", "/mandates", dto.Page[dto.MandatePublic], "Mandates", tag="mandates")
    async def list_mandates(
        holder: Holder, page: Page, filter: Annotated[dto.MandateFilter, query_model(dto.MandateFilter)]
    ) -> Response:
        return _json(await service.list_mandates(holder, filter, page))

    @route("GET", "/mandates/{mandate_id}", dto.MandatePublic, "A mandate", tag="mandates")
    async def get_mandate(holder: Holder, mandate_id: Id) -> Response:
        return _json(await service.get_mandate(holder, mandate_id))

    @route("POST", "/mandates", dto.MandatePublic, "Create a mandate", tag="mandates")
    async def create_mandate(holder: Holder, body: dto.MandateCreate) -> Response:
        return _json(await service.create_mandate(holder, body))

    @route(
        "POST", "/mandates/{mandate_id}/submit", dto.MandatePublic, "Send to the mandatary", tag="mandates"
    )
    async def submit_mandate(holder: Holder, mandate_id: Id, body: VersionedStep) -> Response:
        return _json(await service.submit_mandate(holder, mandate_id, body.expected_version))

    @route("POST", "/mandates/{mandate_id}/accept", dto.MandatePublic, "Accept", tag="mandates")
    async def accept_mandate(holder: Holder, mandate_id: Id, body: VersionedStep) -> Response:
        return _json(await service.accept_mandate(holder, mandate_id, body.expected_version))

    @route("POST", "/mandates/{mandate_id}/reject", dto.MandatePublic, "Reject", tag="mandates")
    async def reject_mandate(holder: Holder, mandate_id: Id, body: VersionedStep) -> Response:
        return _json(await service.reject_mandate(holder, mandate_id, body.expected_version))

    @route("POST", "/mandates/{mandate_id}/close", dto.MandatePublic, "Close", tag="mandates")
    async def close_mandate(holder: Holder, mandate_id: Id, body: VersionedStep) -> Response:
        return _json(await service.close_mandate(holder, mandate_id, body.expected_version))

    # -------------------------------------------------------------- audit

    @route("GET", "/audit", dto.Page[dto.AuditEntryPublic], "The audit trail", tag="audit")
    async def list_audit(
        holder: Holder, page: Page, filter: Annotated[dto.AuditFilter, query_model(dto.AuditFilter)]
    ) -> Response:
        return _json(await service.list_audit(holder, filter, page))

    @route("GET", "/audit/verification", dto.AuditVerification, "Check the hash chain", tag="audit")
    async def verify_audit(holder: Holder) -> Response:
        return _json(await service.verify_audit(holder))

    document_query_models(app)
    return app


def open_service(url: str, *, migrate: bool = True) -> LocalService:
    """The store as the server uses it: on SQLite, reads on the event loop (see `LocalService`)."""
    service = LocalService.open(url, migrate=migrate)
    service.reads_inline = service.engine.dialect.name == "sqlite"
    return service


def worker_app() -> FastAPI:
    """The app of one worker process (`--workers N`): its own connections to the store, which the server
    process names, with the secret, in the environment the workers inherit."""
    settings = Settings()
    assert settings.api_secret is not None
    return create_app(open_service(settings.database_url, migrate=False), secret=settings.api_secret)
