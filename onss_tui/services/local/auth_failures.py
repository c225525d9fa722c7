"""Failed authentications kept in the store, so that the API's brake on them holds across every server
process on the store: recorded per address and failing token, read back per address, and pruned once
older than the brake's window."""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from onss_tui.services.local.tables import AuthFailure

_failed_at = col(AuthFailure.failed_at)
_SINCE = (
    select(_failed_at)
    .where(col(AuthFailure.address) == bindparam("address"), _failed_at > bindparam("since"))
    .order_by(_failed_at)
)


def recent_failures(engine: Engine, address: str, since: float) -> list[float]:
    """When each distinct token that failed from `address` after `since` last failed, oldest first."""
    with engine.connect() as connection:
        return list(connection.execute(_SINCE, {"address": address, "since": since}).scalars())


def record_failure(engine: Engine, address: str, token_digest: str, at: float, forget_before: float) -> None:
    """Remember that the token of `token_digest` failed from `address` at `at`, and forget every failure
    from before `forget_before`."""
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    upsert = insert(AuthFailure).values(address=address, token_digest=token_digest, failed_at=at)
    upsert = upsert.on_conflict_do_update(index_elements=["address", "token_digest"], set_={"failed_at": at})
    with engine.execution_options(write=True).begin() as connection:
        connection.execute(delete(AuthFailure).where(_failed_at < forget_before))
        connection.execute(upsert)
