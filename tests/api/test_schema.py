"""schemathesis against the API's OpenAPI schema, with a valid token, every check and every phase (the
schema's examples, the coverage phase's boundary and unexpected-method cases, fuzzing): no 5xx, every
answer as documented, invalid data refused, authentication enforced, 405 with its `Allow`.

One check is narrowed: schema-valid data may be refused with 422 when, and only when, every field named
carries the reason of the service's rule that refused it (`field_reasons`): check digits, catalogue codes
kept as data, quarters relative to today, page cursors, people known to the store or not. What a schema
can state it must state: a 422 from the request parser itself, on data the schema allows, still fails.

Examples per operation: ONSS_TUI_SCHEMATHESIS_EXAMPLES (default 50), sized for a CI run of a few minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onss_tui.api.main import create_app
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tokens import issue_token
from tests.conftest import build_world

SECRET = "schemathesis-secret-0123456789abcdefghij"
EXAMPLES = int(os.environ.get("ONSS_TUI_SCHEMATHESIS_EXAMPLES", "50"))


def refused_by_the_services_rules(response: Any) -> bool:
    """A 422 whose every field carries the reason of a rule of the service."""
    if response.status_code != 422:
        return False
    body = response.json()
    fields = body.get("field_errors") or {}
    return bool(fields) and set(fields) <= set(body.get("field_reasons") or {})


def schema_valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `positive_data_acceptance`, but for the refusals of the domain's rules."""
    if refused_by_the_services_rules(response):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


Answers = dict[str, set[int]]
"""The statuses each operation answered to its own method."""

REVOKE = "POST /me/tokens/{token_id}/revoke"

REFUSED_AT_THE_DOOR = {401, 429}


@pytest.fixture
def api(store_url: str) -> Iterator[tuple[schemathesis.BaseSchema, Answers, tuple[int, int]]]:
    """The schema of a live app over a store holding the small world (SQLite, then PostgreSQL), with a
    legal representative's token (the employer's: the role that may do the most) as the schema's bearer
    scheme, which schemathesis leaves out, or spoils, where it tests that authentication is enforced.

    The holder has a spare token: a case that would revoke the bearer token (its id as a number or as the
    coverage phase's text) revokes the spare instead, so the run goes on signed in. Once every operation
    ran: each was reached past authentication at least once (neither a failing token's brake, a revoked
    token nor anything else kept schemathesis at the door)."""
    service = LocalService(open_store(store_url))
    world = build_world(service.engine)
    bearer = issue_token(service.engine, SECRET, world.lr)
    spare = issue_token(service.engine, SECRET, world.lr, "spare")
    token = bearer.token
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"HTTPBearer": {"bearer": token}}}})
    app = create_app(service, secret=SECRET)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    answers: Answers = {}
    yield loaded, answers, (bearer.id, spare.id)
    service.engine.dispose()
    labels = [result.ok().label for result in loaded.get_all_operations()]
    assert len(labels) >= 27
    assert [label for label in labels if not answers.get(label, set()) - REFUSED_AT_THE_DOOR] == []


@pytest.fixture
def api_schema(api) -> schemathesis.BaseSchema:  # type: ignore[no-untyped-def]
    return api[0]


@pytest.fixture
def answers(api) -> Answers:  # type: ignore[no-untyped-def]
    return api[1]


@pytest.fixture
def bearer_and_spare(api) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return api[2]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_answers_as_documented(case, answers: Answers, bearer_and_spare: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    bearer, spare = bearer_and_spare
    if case.operation.label == REVOKE and str((case.path_parameters or {}).get("token_id")) == str(bearer):
        case.path_parameters["token_id"] = spare
    response = case.call_and_validate(
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_data_is_accepted],
    )
    if response.request.method == case.operation.method.upper():
        answers.setdefault(case.operation.label, set()).add(response.status_code)


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
