"""Mandates of one status in order of validity: an index on (status, start quarter).

Drafts and pending mandates start now or later. Sorted by validity, oldest first, a page of them was
found by walking the validity index past every older mandate (0.8 s at a million mandates on SQLite,
1.1 s on PostgreSQL); this index reads the page at once.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_mandate_status_start", "mandate", ["status", "start_quarter", "principal_key", "id"])
    bind = op.get_bind()
    analysed = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    if bind.dialect.name == "sqlite" and bind.execute(sa.text(analysed)).scalar():
        # SQLite's statistics must describe the new index too: without them it takes it for any status
        # filter and sorts every match (up to 2.3 s a page at a million mandates).
        op.execute("ANALYZE mandate")


def downgrade() -> None:
    op.drop_index("ix_mandate_status_start", table_name="mandate")
