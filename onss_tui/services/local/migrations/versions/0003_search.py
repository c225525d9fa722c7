"""Free-text search on enterprise names: FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE enterprise_search USING fts5("
    "name_key, content='enterprise', content_rowid='id', tokenize='trigram')",
    "INSERT INTO enterprise_search(enterprise_search) VALUES ('rebuild')",
    "CREATE TRIGGER enterprise_search_insert AFTER INSERT ON enterprise BEGIN "
    "INSERT INTO enterprise_search(rowid, name_key) VALUES (new.id, new.name_key); END",
    "CREATE TRIGGER enterprise_search_delete AFTER DELETE ON enterprise BEGIN "
    "INSERT INTO enterprise_search(enterprise_search, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); END",
    "CREATE TRIGGER enterprise_search_update AFTER UPDATE OF name_key ON enterprise BEGIN "
    "INSERT INTO enterprise_search(enterprise_search, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); "
    "INSERT INTO enterprise_search(rowid, name_key) VALUES (new.id, new.name_key); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER enterprise_search_update",
    "DROP TRIGGER enterprise_search_delete",
    "DROP TRIGGER enterprise_search_insert",
    "DROP TABLE enterprise_search",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    # The extension lives in one schema for the whole database; reference its operator class there.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    schema = bind.execute(
        sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar_one()
    op.execute(
        f"CREATE INDEX ix_enterprise_name_trgm ON enterprise USING gin (name_key {schema}.gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX ix_enterprise_name_trgm")
