"""People listed by name: an index for the sign-in list, and one for support staff.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_person_name", "person", ["last_name", "first_name", "id"])
    op.create_index("ix_person_support", "person", ["support_staff", "id"])


def downgrade() -> None:
    op.drop_index("ix_person_support", table_name="person")
    op.drop_index("ix_person_name", table_name="person")
