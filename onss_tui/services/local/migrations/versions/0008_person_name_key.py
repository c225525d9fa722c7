"""People found by name with or without accents: an accent-free name key on `person`.

The sign-in list and the audit trail's person filter compared the accent-free words typed with the
stored names lower-cased, which keep their accents: "Stéphanie", typed with or without its accent, found
nobody. People are now matched on `name_key` ("bertrand stephanie"), as users and enterprises are; a new
person gets it from their names (the column's default), and a renamed one again from the service.

The sign-in list's index becomes (support staff, name key, id): each of its two parts, staff and
everyone else, is then one walk of it that reads the names in the index (the list took 1 to 3 s at a
million people, walking names through the table). On SQLite the column keeps the empty default it is
added with (SQLite drops a default only by rebuilding the table); on PostgreSQL it is dropped.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from onss_tui.services.local.tables import name_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHUNK = 50_000
"""People keyed per statement (a million people: about 20 statements, a few seconds)."""


def upgrade() -> None:
    op.add_column(
        "person",
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""),
    )
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    after = 0
    while True:
        people = bind.execute(
            sa.text("SELECT id, last_name, first_name FROM person WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": CHUNK},
        ).all()
        if not people:
            break
        after = people[-1].id
        keys = [name_key(last, first) for _, last, first in people]
        if postgres:
            bind.execute(
                sa.text(
                    "UPDATE person SET name_key = keyed.key "
                    "FROM unnest(CAST(:ids AS integer[]), CAST(:keys AS text[])) AS keyed(id, key) "
                    "WHERE person.id = keyed.id"
                ),
                {"ids": [person.id for person in people], "keys": keys},
            )
        else:
            bind.execute(
                sa.text("UPDATE person SET name_key = :key WHERE id = :id"),
                [{"id": person.id, "key": key} for person, key in zip(people, keys, strict=True)],
            )
    if postgres:
        op.alter_column("person", "name_key", server_default=None)
    op.drop_index("ix_person_name", table_name="person")
    op.drop_index("ix_person_support", table_name="person")
    op.create_index("ix_person_by_name", "person", ["support_staff", "name_key", "id"])
    analysed = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    if postgres or bind.execute(sa.text(analysed)).scalar():
        op.execute("ANALYZE person")  # the planner's figures for the new column and index


def downgrade() -> None:
    op.drop_index("ix_person_by_name", table_name="person")
    op.create_index("ix_person_support", "person", ["support_staff", "id"])
    op.create_index("ix_person_name", "person", ["last_name", "first_name", "id"])
    op.drop_column("person", "name_key")  # in place (SQLite 3.35 and later): others refer to person
