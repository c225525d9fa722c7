"""Mandates sorted by mandatary or by start quarter are then sorted by principal.

Many mandates share a mandatary or a start quarter. With the id right after such a key, SQLite serves a
page's cursor `(key, id) > (?, ?)` by the key alone and walks every tie before the page; with the
principal's name in between, the ties left to walk are the few mandates of one principal.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_mandate_mandatary_key", table_name="mandate")
    op.drop_index("ix_mandate_start", table_name="mandate")
    op.create_index("ix_mandate_mandatary_key", "mandate", ["mandatary_key", "principal_key", "id"])
    op.create_index("ix_mandate_start", "mandate", ["start_quarter", "principal_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_mandate_start", table_name="mandate")
    op.drop_index("ix_mandate_mandatary_key", table_name="mandate")
    op.create_index("ix_mandate_start", "mandate", ["start_quarter", "id"])
    op.create_index("ix_mandate_mandatary_key", "mandate", ["mandatary_key", "id"])
