"""Database errors classified honestly in the service layer, from real errors of SQLite and PostgreSQL:
input the database refuses is `ValidationFailed`; a database unreachable, busy or too slow is
`Unavailable`, naming no host, port or user, with a delay worth waiting; only a write whose commit was
under way has an unknown outcome."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from onss_tui.services.errors import Unavailable, ValidationFailed
from onss_tui.services.local import context
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine, store_failure
from tests.conftest import World


def _failure(local: LocalService, statement: str, **values: object) -> BaseException:
    with pytest.raises((DBAPIError, OverflowError, UnicodeEncodeError)) as raised, Session(local.engine) as s:
        s.execute(text(statement), values)
    return raised.value


async def test_input_the_database_refuses_is_422(local: LocalService, world: World) -> None:
    postgres = local.engine.dialect.name == "postgresql"
    refused = [
        _failure(local, "UPDATE person SET version = :v WHERE id = 1", v=2**70),
        _failure(local, "UPDATE person SET first_name = :v WHERE id = 1", v="\ud800"),
    ]
    if postgres:
        refused += [
            _failure(local, "UPDATE person SET version = :v WHERE id = 1", v=2**40),
            _failure(local, "UPDATE person SET niss = :v WHERE id = 1", v="1" * 20),
            _failure(local, "UPDATE person SET first_name = :v WHERE id = 1", v="a\x00"),
            _failure(local, "UPDATE enterprise SET name_key = :v WHERE id = 1", v="x" * 1_000_000),
        ]
        with pytest.raises(OperationalError) as many, Session(local.engine) as s:
            query = text("SELECT id FROM person WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            s.execute(query, {"ids": list(range(70_000))})
        refused.append(many.value)
    else:
        refused.append(_failure(local, "SELECT length(:v)", v="x" * 1_100_000_000))
    for error in refused:
        failure = store_failure(error)
        assert isinstance(failure, ValidationFailed), (error, failure)
        assert failure.field_errors["input"].key == "rule.unstorable"  # type: ignore[attr-defined]


def _lost(statement: str) -> OperationalError:
    return OperationalError(
        statement, {}, Exception('connection to server at "db.internal" (10.0.0.7), port 5432 failed')
    )


async def test_a_failure_before_the_commit_leaves_no_doubt(local: LocalService, world: World) -> None:
    def work(_c: context.Context) -> None:
        raise _lost("UPDATE person")

    for run in (
        lambda: context.run_read(local.store, world.lr, work),
        lambda: context.run_write(local.store, world.lr, "person.update", "person:1", work, False),
    ):
        with pytest.raises(Unavailable) as failed:
            run()
        assert failed.value.outcome_unknown is False
        assert failed.value.retry_after
        for secret in ("db.internal", "10.0.0.7", "5432"):
            assert secret not in str(failed.value.message)


async def test_only_a_failure_while_committing_leaves_the_outcome_unknown(
    local: LocalService, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def commit(_session: Session) -> None:
        raise _lost("COMMIT")

    monkeypatch.setattr(Session, "commit", commit)
    with pytest.raises(Unavailable) as failed:
        context.run_write(local.store, world.lr, "person.sign_in", "person:1", lambda _c: None, False)
    assert failed.value.outcome_unknown is True
    assert failed.value.message.key == "rule.store.outcome_unknown"  # type: ignore[attr-defined]


def test_a_database_that_cannot_be_reached_is_unavailable_without_its_address() -> None:
    engine = make_engine("postgresql://onss_operator@127.0.0.1:1/nowhere")
    with pytest.raises(OperationalError) as refused, engine.connect():
        pass
    failure = store_failure(refused.value)
    assert isinstance(failure, Unavailable) and not failure.outcome_unknown
    assert failure.message.key == "rule.store.unavailable"  # type: ignore[attr-defined]
    assert "127.0.0.1" not in str(failure.message) and "onss_operator" not in str(failure.message)
