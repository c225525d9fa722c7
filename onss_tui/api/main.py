"""The FastAPI app: one thin route per `AccessService` method, over `LocalService`, which holds every rule.

The acting person is always the holder of the request's bearer token. Persons are addressed by id:
national register numbers travel in JSON bodies only, never in a URL. Typed service errors become
422/403/404/409/503 with an `ErrorBody`, and `RemoteService` maps them back.
"""

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
from onss_tui.services.errors import ServiceError
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


async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
    return JSONResponse(ErrorBody.of(exc).model_dump(exclude_none=True), status_code=exc.status_code)


async def _invalid_input(_request: Request, exc: RequestValidationError | ValidationError) -> JSONResponse:
    """A request, or a model built from it, that is wrong: 422 with what is wrong with each field."""
    fields = _field_errors(list(exc.errors()))
    detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return JSONResponse(
        ErrorBody(detail=detail, field_errors=fields).model_dump(exclude_none=True), status_code=422
    )


def create_app(service: LocalService, *, secret: str, limiter: FailedAuthLimiter | None = None) -> FastAPI:
    """The API over `service`; tokens are checked with `secret` (HMAC) against the store's token table."""
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
    process names, with the secret, in the environment the workers inherit."""
    settings = Settings()
    assert settings.api_secret is not None
    return create_app(open_service(settings.database_url, migrate=False), secret=settings.api_secret)
