"""Contact data belongs to an account, not to the person: a phone number and an e-mail address on each
user (`portal_user`) and each designation (which had `contact_phone` and gains `contact_email`), and none
on `person`, whose name alone stays shared by every enterprise that knows them.

What a person held is copied onto each of their accounts first (a designation keeps its own phone number
where it had one), so nothing stored is lost. The trail gets an index by target: a person's "who saw my
number" reads the reveals of their number, newest first, without walking every reveal of the store.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.add_column("portal_user", sa.Column("phone", _text(), nullable=True))
    op.add_column("portal_user", sa.Column("email", _text(), nullable=True))
    op.add_column("designation", sa.Column("contact_email", _text(), nullable=True))
    has_contact = "(person.phone IS NOT NULL OR person.email IS NOT NULL)"
    op.execute(
        "UPDATE portal_user SET phone = person.phone, email = person.email FROM person "
        f"WHERE person.id = portal_user.person_id AND {has_contact}"
    )
    op.execute(
        "UPDATE designation SET contact_phone = COALESCE(designation.contact_phone, person.phone), "
        f"contact_email = person.email FROM person WHERE person.id = designation.person_id AND {has_contact}"
    )
    # In place (SQLite 3.35 and later): other tables refer to person, a copy of it would break them.
    op.drop_column("person", "email")
    op.drop_column("person", "phone")
    op.create_index("ix_audit_target", "audit_entry", ["target", "id"])
    bind = op.get_bind()
    analysed = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    if bind.dialect.name == "postgresql" or bind.execute(sa.text(analysed)).scalar():
        op.execute("ANALYZE audit_entry")  # the planner's figures for the new index


def downgrade() -> None:
    """A person gets back the contact data of one of their accounts: their latest user account's, else
    their latest designation's."""
    op.drop_index("ix_audit_target", table_name="audit_entry")
    op.add_column("person", sa.Column("phone", _text(), nullable=True))
    op.add_column("person", sa.Column("email", _text(), nullable=True))
    for column, user_column, designation_column in (
        ("phone", "phone", "contact_phone"),
        ("email", "email", "contact_email"),
    ):
        op.execute(
            f"UPDATE person SET {column} = COALESCE("
            f"(SELECT {user_column} FROM portal_user WHERE portal_user.person_id = person.id "
            f"AND {user_column} IS NOT NULL ORDER BY portal_user.id DESC LIMIT 1), "
            f"(SELECT {designation_column} FROM designation WHERE designation.person_id = person.id "
            f"AND {designation_column} IS NOT NULL ORDER BY designation.id DESC LIMIT 1))"
        )
    op.drop_column("designation", "contact_email")
    op.drop_column("portal_user", "email")
    op.drop_column("portal_user", "phone")
