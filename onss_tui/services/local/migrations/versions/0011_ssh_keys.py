"""SSH keys, token lifetimes, and what a person's console remembers for them.

`ssh_key` holds the OpenSSH public keys registered to people (sshd asks it at every login through
`onss-tui keys authorized`); its fingerprint is unique, a revoked key stays for the record. Bearer
tokens get `expires_at` and `last_used_at`: tokens issued before have never expired, and now expire
`LIFETIME` after this migration, so that none stops working the day it runs. `person_preference`
remembers a person's language and theme in the store, as every SSH session shares one account.

Revision ID: 0011
Revises: 0010
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LIFETIME = timedelta(days=90)


def upgrade() -> None:
    op.add_column("api_token", sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("api_token", sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    tokens = sa.table("api_token", sa.column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + LIFETIME))

    op.create_table(
        "ssh_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key_blob", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_index("ix_ssh_key_person_id", "ssh_key", ["person_id"], unique=False)

    op.create_table(
        "person_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("person_preference")
    op.drop_index("ix_ssh_key_person_id", table_name="ssh_key")
    op.drop_table("ssh_key")
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
