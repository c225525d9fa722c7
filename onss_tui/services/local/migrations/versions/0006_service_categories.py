"""Online services by kind of enterprise: DmfA for employers, DmfAPPL for provincial and local
administrations; the other services for every kind (data, as the rest of the catalogue).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

EVERY_KIND = "employer,local_administration,no_staff"
SOME_KINDS = {"dmfa": "employer,no_staff", "dmfappl": "local_administration"}


def upgrade() -> None:
    with op.batch_alter_table("online_service") as batch_op:
        batch_op.add_column(
            sa.Column("enterprise_categories", sa.String(), nullable=False, server_default=EVERY_KIND)
        )
    services = sa.table("online_service", sa.column("code"), sa.column("enterprise_categories"))
    for code, categories in SOME_KINDS.items():
        op.execute(services.update().where(services.c.code == code).values(enterprise_categories=categories))


def downgrade() -> None:
    with op.batch_alter_table("online_service") as batch_op:
        batch_op.drop_column("enterprise_categories")
