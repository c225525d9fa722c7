"""Free-text search behind the list filters, served by indexes on both databases.

A name is looked up in the enterprise name index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) and
a number by range on the unique number columns; mandates are then filtered by party id. When a text
matches too many enterprises to list, the caller falls back to scanning its ordered index, which is
fast precisely because matches are then dense.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, and_, col, or_, select, true

from onss_tui.domain import text as text_rule
from onss_tui.domain.identifiers import compact_digits
from onss_tui.services.local.tables import Enterprise, Person, Provider, ids_of, name_key

MATCH_CAP = 500
"""Above this many matching enterprises, a text is treated as dense (scan the ordered index)."""
PEOPLE_CAP = 2000
"""Above this many matching people, a text is treated as dense. Higher than for enterprises: thousands of
people read by id and sorted stay quick, while walking the name index to the first fifty matches of a
text found in one name in a thousand ("erik ver") reads some fifty thousand entries (1 s on PostgreSQL)."""
MAX_WORDS = 8
"""A search looks for its first eight distinct words: each is one more condition, and SQLite refuses a
statement of over a thousand."""

TRIGRAM = 3
"""The shortest name fragment a trigram index can serve."""


def finds_nothing(*texts: str) -> bool:
    """A search holding a character the text rule refuses (a NUL, a control, an unpaired surrogate)
    matches nothing stored: it is answered at once, never sent to a database that might refuse it."""
    return not all(text_rule.searchable(text) for text in texts)


def escape_like(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, fragment: str) -> ColumnElement[bool]:
    """`column` holds `fragment` as it is (LIKE, its wildcards escaped)."""
    return column.like(f"%{escape_like(fragment)}%", escape="\\")


def digits_of(query: str) -> str | None:
    """The digits of a number typed with or without dots, dashes or spaces, else None."""
    digits = compact_digits(query)
    return digits if digits.isdigit() else None


def enterprise_number_prefix(digits: str) -> str:
    """What an enterprise number typed as digits starts with: nine digits are an old number, which the
    ten-digit form writes with a leading 0."""
    return digits.zfill(10) if len(digits) == 9 else digits


def prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as a range an index can serve (LIKE 'x%' often cannot)."""
    return col(column).between(prefix, prefix + "\uffff")


def enterprise_ids(session: Session, query: str, key: str) -> list[int] | None:
    """Ids of the enterprises whose number or name matches, or None when there are too many to list."""
    digits = digits_of(query)
    if digits is not None:
        statement = select(Enterprise.id).where(
            or_(
                prefix_range(Enterprise.enterprise_number, enterprise_number_prefix(digits)),
                prefix_range(Enterprise.onss_number, digits),
            )
        )
        ids = ids_of(session.exec(statement.limit(MATCH_CAP + 1)).all())
    elif len(key) < TRIGRAM:
        return None
    elif session.get_bind().dialect.name == "sqlite":
        # A phrase of the trigram index: the key as a substring (LIKE with an ESCAPE clause would not be
        # served by the index, and reads every name).
        phrase = '"' + key.replace('"', '""') + '"'
        ids = list(
            session.execute(
                text("SELECT rowid FROM enterprise_search WHERE enterprise_search MATCH :phrase LIMIT :cap"),
                {"phrase": phrase, "cap": MATCH_CAP + 1},
            ).scalars()
        )
    else:
        statement = select(Enterprise.id).where(contains(Enterprise.name_key, key))
        ids = ids_of(session.exec(statement.limit(MATCH_CAP + 1)).all())
    return None if len(ids) > MATCH_CAP else ids


def words_of(text: str) -> list[str]:
    """The distinct accent-free words of a search, at most `MAX_WORDS`."""
    return list(dict.fromkeys(name_key(text).split()))[:MAX_WORDS]


def person_condition(query: str) -> ColumnElement[bool]:
    """People whose national register number starts with the digits typed, or whose name holds each word
    typed, in either order and with or without accents ("stephanie bertrand")."""
    digits = digits_of(query)
    if digits is not None:
        return prefix_range(Person.niss, digits)
    return and_(true(), *(contains(Person.name_key, word) for word in words_of(query)))


def person_ids(session: Session, query: str) -> list[int] | None:
    """Ids of the people `person_condition` finds, or None when there are too many to list. No index
    serves a word inside a name: the table is read until enough are found (about 150 ms for a million
    people when none match)."""
    ids = ids_of(session.exec(select(Person.id).where(person_condition(query)).limit(PEOPLE_CAP + 1)).all())
    return None if len(ids) > PEOPLE_CAP else ids


def provider_ids(session: Session, query: str, key: str) -> list[int]:
    """Ids of the mandataries whose number, secretariat number or name matches. Their table is small: each
    is checked, its enterprise looked up by id (a join would let the planner scan every enterprise)."""

    def of_its_enterprise(column: Any) -> Any:
        return sa_select(column).where(col(Enterprise.id) == Provider.enterprise_id).scalar_subquery()

    digits = digits_of(query)
    if digits is not None:
        number = of_its_enterprise(Enterprise.enterprise_number)
        condition = or_(number.between(digits, digits + "\uffff"), col(Provider.secretariat_number) == digits)
    else:
        condition = contains(of_its_enterprise(Enterprise.name_key), key)
    return ids_of(session.exec(select(Provider.id).where(condition)).all())


def outside_the_models(name: str | None) -> bool:
    """Search structures built by migration 0003 by hand, which the models do not describe."""
    return name is not None and (name.startswith("enterprise_search") or name == "ix_enterprise_name_trgm")
