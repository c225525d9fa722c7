"""The Dutch name of the provincial or local administration employer's quality, as the portal words it:
"plaatselijk bestuur" (as the enterprise category says), without the French-looking abbreviation.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CODE = "local_administration_employer"
OLD = "Werkgever provinciaal of lokaal bestuur (PLO)"
NEW = "Werkgever provinciaal of plaatselijk bestuur"

_QUALITY = sa.table("quality", sa.column("code"), sa.column("name_nl"))


def _rename(before: str, after: str) -> None:
    op.execute(
        _QUALITY.update().where(_QUALITY.c.code == CODE, _QUALITY.c.name_nl == before).values(name_nl=after)
    )


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)
