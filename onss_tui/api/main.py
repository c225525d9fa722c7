"""The FastAPI app: one thin route per `AccessService` method, over `LocalService`, which holds every rule.

The acting person is always the holder of the request's bearer token. Persons are addressed by id:
national register numbers travel in JSON bodies only, never in a URL. Typed service errors become
422/403/404/409/503 with an `ErrorBody`, and `RemoteService` maps them back.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from onss_tui import __version__
from onss_tui.api.auth import Authenticator, FailedAuthLimiter
from onss_tui.api.deps import attach, document_query_models
from onss_tui.api.routes import audit, credentials, designations, enterprises, identity, mandates, users
from onss_tui.config import Settings
from onss_tui.services.errors import ServiceError, invalid_input
from onss_tui.services.local.anchoring import anchor_from_settings
from onss_tui.services.local.service import LocalService
from onss_tui.services.wire import ErrorBody

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


async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
    return JSONResponse(ErrorBody.of(exc).model_dump(exclude_none=True), status_code=exc.status_code)


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


def create_app(service: LocalService, *, secret: str, limiter: FailedAuthLimiter | None = None) -> FastAPI:
    """The API over `service`; tokens are checked with `secret` (HMAC) against the store's token table.
    While it serves, a timer signs the trail's head when it is due by time (if the store is anchored)."""
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
        },
    )
    authenticator = Authenticator(
        service.engine, secret, limiter or FailedAuthLimiter(), inline=service.reads_inline
    )
    attach(app, service, authenticator)
    for area in (identity, enterprises, designations, users, mandates, audit, credentials):
        document_query_models(area.router)
        app.include_router(area.router)
    return app


def open_service(url: str, *, migrate: bool = True) -> LocalService:
    """The store as the server uses it: on SQLite, reads on the event loop (see `LocalService`)."""
    service = LocalService.open(url, migrate=migrate)
    service.reads_inline = service.engine.dialect.name == "sqlite"
    return service


def worker_app() -> FastAPI:
    """The app of one worker process (`--workers N`): its own connections to the store, which the server
    process names, with the secret and the audit signing key, in the environment the workers inherit."""
    settings = Settings()
    assert settings.api_secret is not None
    service = open_service(settings.database_url, migrate=False)
    service.anchor_trail(anchor_from_settings(settings, settings.database_url))
    return create_app(service, secret=settings.api_secret)
