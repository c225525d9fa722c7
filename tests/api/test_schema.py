"""schemathesis against the API's OpenAPI schema, with a valid token: no 5xx, every answer as documented.

Examples per operation: ONSS_TUI_SCHEMATHESIS_EXAMPLES (default 50), sized for a CI run of a few minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from onss_tui.api.main import create_app
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tokens import issue_token
from tests.conftest import build_world

SECRET = "schemathesis-secret-0123456789abcdefghij"
EXAMPLES = int(os.environ.get("ONSS_TUI_SCHEMATHESIS_EXAMPLES", "50"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def api(store_url: str) -> Iterator[tuple[schemathesis.BaseSchema, str]]:
    """The schema of a live app over a store holding the small world (SQLite, then PostgreSQL), and a
    legal representative's token (the employer's: the role that may do the most)."""
    service = LocalService(open_store(store_url))
    world = build_world(service.engine)
    token = issue_token(service.engine, SECRET, world.lr).token
    app = create_app(service, secret=SECRET)
    yield schemathesis.openapi.from_asgi("/openapi.json", app), token
    service.engine.dispose()


@pytest.fixture
def api_schema(api) -> schemathesis.BaseSchema:  # type: ignore[no-untyped-def]
    return api[0]


@pytest.fixture
def token(api) -> str:  # type: ignore[no-untyped-def]
    return api[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_answers_as_documented(case, token: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_list_routes_document_the_fields_of_their_query_models(store_url: str) -> None:
    """The query models are read from the query string as a whole: the schema still lists every field."""
    service = LocalService(open_store(store_url))
    try:
        paths = create_app(service, secret=SECRET).openapi()["paths"]
    finally:
        service.engine.dispose()
    for path, models in {
        "/mandates": (dto.MandateFilter, dto.PageRequest),
        "/enterprises/{enterprise_id}/users": (dto.UserFilter, dto.PageRequest),
        "/audit": (dto.AuditFilter, dto.PageRequest),
    }.items():
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"] if p["in"] == "query"}
        assert set(parameters) >= {name for model in models for name in model.model_fields}, path
    status = parameters_of(paths["/mandates"], "status")["schema"]["anyOf"][0]
    assert status["enum"] == [s.value for s in dto.MandateShownStatus]
    assert "expired" in status["enum"]
    assert parameters_of(paths["/mandates"], "size")["schema"]["maximum"] == 500


def parameters_of(path: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in path["get"]["parameters"] if p["name"] == name)
