"""Signed checkpoints of the audit trail: `audit_checkpoint`, one row per statement of the chain's head.

Each row is signed with an Ed25519 key kept outside the database; the same statement is appended to a
file outside it. Existing trails get their first checkpoint when a service with a key next writes (or
with `onss-tui audit checkpoint`).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
    )
    op.create_index("ix_audit_checkpoint_entry_id", "audit_checkpoint", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_checkpoint_entry_id", table_name="audit_checkpoint")
    op.drop_table("audit_checkpoint")
