"""Alembic environment: runs on the connection handed over by `store.upgrade` (batch mode on SQLite)."""

from alembic import context
from sqlmodel import SQLModel

from onss_tui.services.local import tables  # noqa: F401  (registers the tables)
from onss_tui.services.local.search import outside_the_models

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=lambda name, _type, _parent: not outside_the_models(name),
)
with context.begin_transaction():
    context.run_migrations()
