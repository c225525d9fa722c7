"""Failed authentications in the store: `auth_failure`, one row per address and failing token.

The API's brake on failed sign-ins counted failures in each server process's memory, so that every
worker of `--workers N`, and every server on the same store, kept its own count. Kept in the store, the
count holds across all of them.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failure",
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_digest", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("failed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("address", "token_digest"),
    )
    op.create_index("ix_auth_failure_at", "auth_failure", ["failed_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_failure_at", table_name="auth_failure")
    op.drop_table("auth_failure")
