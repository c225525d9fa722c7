"""The quality held since registration told apart: `from_registration` on `enterprise_quality`.

A main access manager may now withdraw a quality activated later, never the one the enterprise holds
since its registration. In a store written before, that one is, per enterprise, the active quality
activated first (ties: the first code). On SQLite the column keeps the default it is added with (SQLite
drops a default only by rebuilding the table); on PostgreSQL it is dropped, as the models declare none.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_FIRST_ACTIVE = sa.text(
    "UPDATE enterprise_quality SET from_registration = :registered "
    "WHERE quality_code = ("
    " SELECT q.quality_code FROM enterprise_quality q"
    " WHERE q.enterprise_id = enterprise_quality.enterprise_id AND q.active = :registered"
    " ORDER BY q.activated_at IS NULL, q.activated_at, q.quality_code LIMIT 1"
    ")"
).bindparams(registered=True)


def upgrade() -> None:
    op.add_column(
        "enterprise_quality",
        sa.Column("from_registration", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(_FIRST_ACTIVE)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("enterprise_quality", "from_registration", server_default=None)


def downgrade() -> None:
    op.drop_column("enterprise_quality", "from_registration")  # in place (SQLite 3.35 and later)
