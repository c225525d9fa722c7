"""The FastAPI app: one thin route per `AccessService` method, over `LocalService`, which holds every rule.

The acting person is always the holder of the request's bearer token. Persons are addressed by id:
national register numbers travel in JSON bodies only, never in a URL. Typed service errors become
422/403/404/409/503 with an `ErrorBody`, and `RemoteService` maps them back.

Before a route is reached, a request passes, in this order: the deadline to serve it (`limits`), the
bound on its declared body, the check of its token (`auth`), and the bounded reading of its body, so that
a request without a valid token, or with too large a body, is answered before any of its body is read.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from onss_tui import __version__
from onss_tui.api.auth import Authentication, Authenticator, FailedAuthBrake
from onss_tui.api.deps import attach, document_query_models
from onss_tui.api.limits import BodyLimit, BodyReader, RequestLimits, ServeDeadline
from onss_tui.api.routes import audit, designations, enterprises, identity, mandates, users
from onss_tui.config import Settings
from onss_tui.services.errors import ServiceError
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine, open_store
from onss_tui.services.wire import ErrorBody

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The body is not readable as JSON.",
        401: "No bearer token, or a token that is unknown or revoked.",
        403: "The token holder holds no role that allows this.",
        404: "No such object.",
        408: "The request did not arrive in time (`api_receive_timeout`).",
        409: "Someone else changed the object since it was read.",
        413: "The body is larger than the server accepts (`api_max_body`, 1 MiB by default).",
        422: "The input is wrong; `field_errors` says what is wrong with each field.",
        429: "This address presented too many failing tokens, and this token fails too; see Retry-After.",
        503: "The store is unavailable or the request was not served in time; see Retry-After. For a write, "
        "`outcome_unknown` tells whether it may have happened.",
    }.items()
}


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


def _retry_after(request: Request) -> dict[str, str]:
    limits: RequestLimits = request.app.state.limits
    return {"Retry-After": str(limits.retry_after)}


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    headers = _retry_after(request) if exc.status_code == 503 else None
    return JSONResponse(
        ErrorBody.of(exc).model_dump(exclude_none=True), status_code=exc.status_code, headers=headers
    )


async def _store_busy(request: Request, _exc: PoolTimeout) -> JSONResponse:
    """Every connection to the store stayed taken for the store's timeout: nothing was done."""
    body = ErrorBody(detail="The store is busy: try again later.")
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers=_retry_after(request))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """FastAPI's answer, with every method of the path in `Allow` on 405 (the router names only those of
    the first route it found for the path)."""
    if exc.status_code == 405:
        routes: list[BaseRoute] = request.app.state.routes
        allowed = {
            method
            for route in routes
            if route.matches(request.scope)[0] != Match.NONE
            for method in getattr(route, "methods", None) or ()
        }
        headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
        exc = HTTPException(405, exc.detail, headers=headers)
    return await http_exception_handler(request, exc)


async def _invalid_input(_request: Request, exc: RequestValidationError | ValidationError) -> JSONResponse:
    """A request, or a model built from it, that is wrong: 422 with what is wrong with each field."""
    fields = _field_errors(list(exc.errors()))
    detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return JSONResponse(
        ErrorBody(detail=detail, field_errors=fields).model_dump(exclude_none=True), status_code=422
    )


AREAS = (identity, enterprises, designations, users, mandates, audit)


def create_app(
    service: LocalService,
    *,
    secret: str,
    limits: RequestLimits | None = None,
    brake: FailedAuthBrake | None = None,
) -> FastAPI:
    """The API over `service`; tokens are checked with `secret` (HMAC) against the store's token table,
    requests bounded by `limits`, failing tokens braked by `brake` (both by default as the defaults of the
    settings)."""
    limits = limits or RequestLimits()
    app = FastAPI(
        title="onss-tui API",
        version=__version__,
        description="Secure access for Belgian employers (ONSS / RSZ): managers, users, mandates, audit. "
        "Every request acts as the person its bearer token was issued to.",
        responses=ERROR_RESPONSES,
        exception_handlers={
            ServiceError: _service_error,
            RequestValidationError: _invalid_input,
            ValidationError: _invalid_input,
            HTTPException: _http_error,
            PoolTimeout: _store_busy,
        },
    )
    app.state.limits = limits
    authenticator = Authenticator(
        service.engine, secret, brake or FailedAuthBrake(service.engine), limits, inline=service.reads_inline
    )
    schema_pages = (app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    open_paths = frozenset(path for path in schema_pages if path)
    # Each middleware added wraps the ones before it: the last added sees the request first.
    app.add_middleware(BodyReader, limits=limits)
    app.add_middleware(Authentication, authenticator=authenticator, open_paths=open_paths)
    app.add_middleware(BodyLimit, limits=limits)
    app.add_middleware(ServeDeadline, limits=limits)
    attach(app, service)
    for area in AREAS:
        document_query_models(area.router)
        app.include_router(area.router)
    # Every route, the included routers' too, for the methods a path allows.
    app.state.routes = [*app.router.routes, *(route for area in AREAS for route in area.router.routes)]
    return app


def open_service(url: str, *, migrate: bool = True, timeout: float | None = None) -> LocalService:
    """The store as the server uses it: migrated first (without a timeout: a migration may rightly take
    long), then with no statement running or waiting longer than `timeout`, and on SQLite with its reads
    on the event loop (see `LocalService`)."""
    open_store(url, migrate=migrate).dispose()
    service = LocalService(make_engine(url, timeout=timeout))
    service.reads_inline = service.engine.dialect.name == "sqlite"
    return service


def app_from_settings(service: LocalService, settings: Settings) -> FastAPI:
    """The API over `service` with the secret, bounds and brake of `settings`."""
    assert settings.api_secret is not None
    brake = FailedAuthBrake(service.engine, settings.api_failed_auth_allowed, settings.api_failed_auth_window)
    return create_app(
        service, secret=settings.api_secret, limits=RequestLimits.from_settings(settings), brake=brake
    )


def worker_app() -> FastAPI:
    """The app of one worker process (`--workers N`): its own connections to the store, which the server
    process names, with the secret, in the environment the workers inherit (the bounds come from the
    settings, as the server process's do)."""
    settings = Settings()
    service = open_service(settings.database_url, migrate=False, timeout=settings.api_database_timeout)
    return app_from_settings(service, settings)
