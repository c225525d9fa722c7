"""The FastAPI app: one thin route per `AccessService` method, over `LocalService`, which holds every rule.

The acting person is always the holder of the request's bearer token. Persons are addressed by id:
national register numbers travel in JSON bodies only, never in a URL. Typed service errors become
422/403/404/409/503 with an `ErrorBody`, and `RemoteService` maps them back.

Before a route is reached, a request passes, in this order: the deadline to serve it (`limits`), the
bound on its declared body, the check of its token (`auth`), and the bounded reading of its body, so that
a request without a valid token, or with too large a body, is answered before any of its body is read.
"""

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
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
from onss_tui.api.routes import audit, credentials, designations, enterprises, identity, mandates, users
from onss_tui.config import Settings
from onss_tui.services.errors import Reason, ServiceError, Unavailable, invalid_input
from onss_tui.services.local.anchoring import anchor_from_settings
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine, open_store
from onss_tui.services.wire import ErrorBody, ReasonBody

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


def _retry_after(request: Request, seconds: float | None = None) -> dict[str, str]:
    """Retry-After: what the failure said is worth waiting, else the server's own delay."""
    limits: RequestLimits = request.app.state.limits
    return {"Retry-After": str(math.ceil(seconds) if seconds else limits.retry_after)}


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    waited = exc.retry_after if isinstance(exc, Unavailable) else None
    headers = _retry_after(request, waited) if exc.status_code == 503 else None
    return JSONResponse(
        ErrorBody.of(exc).model_dump(exclude_none=True), status_code=exc.status_code, headers=headers
    )


async def _store_busy(request: Request, _exc: PoolTimeout) -> JSONResponse:
    """Every connection to the store stayed taken for the store's timeout: nothing was done."""
    busy = Reason("rule.store.busy")
    body = ErrorBody(detail=busy, reason=ReasonBody.of(busy))
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
    """A request, or a model built from it, that is wrong: 422 with what is wrong with each field, in
    English and as a reason (a message key and its values)."""
    failed = invalid_input(list(exc.errors()))
    return JSONResponse(ErrorBody.of(failed).model_dump(exclude_none=True), status_code=422)


CHECKPOINT_TIMER = 60.0
"""Seconds between two looks at whether the trail's head is due for a checkpoint by time."""


async def _sign_when_due(service: LocalService) -> None:
    """Sign the trail's head every M minutes of activity, also when no write comes to do it."""
    while True:
        await asyncio.sleep(CHECKPOINT_TIMER)
        try:
            await service.checkpoint_if_due()
        except Exception:  # the next look tries again; a write signs it meanwhile
            logging.getLogger(__name__).exception("cannot sign a checkpoint of the audit trail")


def _lifespan(service: LocalService) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        timer = asyncio.create_task(_sign_when_due(service)) if service.store.anchor is not None else None
        try:
            yield
        finally:
            if timer is not None:
                timer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await timer

    return lifespan


AREAS = (identity, enterprises, designations, users, mandates, audit, credentials)


def create_app(
    service: LocalService,
    *,
    secret: str,
    limits: RequestLimits | None = None,
    brake: FailedAuthBrake | None = None,
) -> FastAPI:
    """The API over `service`; tokens are checked with `secret` (HMAC) against the store's token table,
    requests bounded by `limits`, failing tokens braked by `brake` (both by default as the defaults of the
    settings). While it serves, a timer signs the trail's head when it is due by time (if the store is
    anchored)."""
    limits = limits or RequestLimits()
    app = FastAPI(
        lifespan=_lifespan(service),
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
    process names, with the secret and the audit signing key, in the environment the workers inherit (the
    bounds come from the settings, as the server process's do)."""
    settings = Settings()
    service = open_service(settings.database_url, migrate=False, timeout=settings.api_database_timeout)
    service.anchor_trail(anchor_from_settings(settings, settings.database_url))
    return app_from_settings(service, settings)
