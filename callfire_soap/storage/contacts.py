"""Contacts repository: contacts rows plus their custom fields."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine

from ..domain.contacts import DECLARED_FIELDS, PHONE_FIELDS, Contact
from ..domain.paging import Page
from ..domain.phone import looks_like_phone
from . import search
from .autocommit_read import AutocommitSelect
from .tables import contact_fields, contacts, list_members

_COLUMNS = [contacts.c.id] + [contacts.c[col] for col in DECLARED_FIELDS.values()]
# GetContact is the hottest read: one statement, built once (SQLAlchemy then reuses its
# compiled form), contact row and custom fields in one round trip.
_GET_ONE = (
    select(*_COLUMNS, contact_fields.c.name, contact_fields.c.value)
    .select_from(contacts.outerjoin(contact_fields, contact_fields.c.contact_id == contacts.c.id))
    .where(contacts.c.account_id == bindparam("account_id"), contacts.c.id == bindparam("contact_id"))
)
_N_DECLARED = len(_COLUMNS)
# Rows an export fetches per round trip (a server-side cursor on PostgreSQL).
_STREAM_ROWS = 5000
# Keep IN (...) parameter lists below every backend's limit.
CHUNK = 500


# The digits form of a QueryContacts/String is searched too only when it has this many
# digits: '0)', '1-2' or ' 21 ' would otherwise match nearly every stored number.
_MIN_SEARCH_DIGITS = 4
_NOT_DIGIT = re.compile(r"[^0-9]")
_LAST_DIGIT = re.compile(r"[0-9](?=[^0-9]*$)")


def search_needles(text: str) -> list[str]:
    """What a String search matches as a substring: the lower-cased text, and its digits too
    (the form numbers are stored in) when it looks like a phone number written with
    separators: at least 4 digits, and a separator or '+' before its last digit ('(213)
    555-1007' finds 12135551007, '555-1007' finds ...5551007...). Plain digits match as
    themselves (surrounding white space aside)."""
    needle = text.lower()
    if not looks_like_phone(text):
        return [needle]
    digits = _NOT_DIGIT.sub("", text)
    if digits == needle or len(digits) < _MIN_SEARCH_DIGITS:
        return [needle]
    if text.strip() == digits:  # plain digits with white space around them
        return [needle, digits]
    last = _LAST_DIGIT.search(text)
    separated = last is not None and _NOT_DIGIT.search(text, 0, last.start()) is not None
    return [needle, digits] if separated else [needle]


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contact_from_rows(rows: Sequence[Sequence]) -> Contact | None:
    """The contact of _GET_ONE's rows (one per custom field, or one with NULLs)."""
    if not rows:
        return None
    contact = Contact(*rows[0][:_N_DECLARED])
    for row in sorted(rows, key=lambda r: r[_N_DECLARED] or ""):
        if row[_N_DECLARED] is not None:
            contact.custom[row[_N_DECLARED]] = row[_N_DECLARED + 1]
    return contact


class ContactReads:
    """GetContact's lookup as an AutocommitSelect: one statement, no transaction."""

    def __init__(self, engine: Engine):
        self._get_one = AutocommitSelect(engine, _GET_ONE)

    def get(self, account_id: int, contact_id: int) -> Contact | None:
        return _contact_from_rows(self._get_one.rows({"account_id": account_id, "contact_id": contact_id}))


def lock_in_id_order(conn: Connection, query) -> None:
    """Run ``query`` (ordered by id) FOR UPDATE on PostgreSQL, so the rows are locked in
    ascending id order: the one lock order for contacts and their memberships that keeps
    concurrent writers from deadlocking. SQLite serialises writers and has no row locks."""
    if conn.dialect.name == "postgresql":
        conn.execute(query.with_for_update()).all()


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ContactRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- reads ---------------------------------------------------------------------------
    def get(self, account_id: int, contact_id: int) -> Contact | None:
        return _contact_from_rows(
            self.conn.execute(_GET_ONE, {"account_id": account_id, "contact_id": contact_id}).all()
        )

    def query(
        self,
        account_id: int,
        page: Page,
        list_id: int | None = None,
        field: str | None = None,
        text: str | None = None,
    ) -> tuple[int, list[Contact]]:
        conditions = [contacts.c.account_id == account_id]
        if list_id is not None:
            conditions.append(
                exists().where(list_members.c.list_id == list_id, list_members.c.contact_id == contacts.c.id)
            )
        conditions.extend(self._text_conditions(field, text))
        where = and_(*conditions)
        page_query = select(*_COLUMNS).where(where).order_by(contacts.c.id).limit(page.limit).offset(page.offset)
        count_query = select(func.count()).select_from(contacts).where(where)
        if not field and not text:
            # A plain listing: an index-only count and one page (a window count would read
            # every row of the account).
            total = self.conn.execute(count_query).scalar_one()
            return total, self._with_custom(self.conn.execute(page_query).all())
        # A search: the total rides along with the page (a window count over every match),
        # so that the matches are looked up once rather than once for the count and once for
        # the page (on PostgreSQL the trigram lookup is most of the query's cost).
        rows = self.conn.execute(page_query.add_columns(func.count().over().label("total"))).all()
        if rows:
            total = rows[0][-1]
        elif page.offset == 0 and page.limit > 0:
            total = 0
        else:  # no page to carry it (past the end, or MaxResults 0): count on its own
            total = self.conn.execute(count_query).scalar_one()
        return total, self._with_custom([row[:-1] for row in rows])

    def _text_conditions(self, field: str | None, text: str | None) -> list:
        if not field and not text:
            return []
        needle = (text or "").lower()
        if not field:
            return [or_(*(self._anywhere(item, n) for n, item in enumerate(search_needles(text))))]
        column = DECLARED_FIELDS.get(field)
        if column is not None:
            if text:
                needles = search_needles(text) if field in PHONE_FIELDS else [needle]
                return [or_(*(func.lower(contacts.c[column]).like(like_pattern(item), escape="\\")
                              for item in needles))]
            return [and_(contacts.c[column].is_not(None), contacts.c[column] != "")]
        match = [contact_fields.c.contact_id == contacts.c.id, contact_fields.c.name == field]
        if text:
            match.append(func.lower(contact_fields.c.value).like(like_pattern(needle), escape="\\"))
        return [exists().where(*match)]

    def _scope(self, account_id: int, list_id: int | None) -> list:
        where = [contacts.c.account_id == account_id]
        if list_id is not None:
            where.append(exists().where(list_members.c.list_id == list_id,
                                        list_members.c.contact_id == contacts.c.id))
        return where

    def custom_field_names(self, account_id: int, list_id: int | None = None) -> list[str]:
        return list(self.conn.execute(
            select(contact_fields.c.name).distinct()
            .select_from(contact_fields.join(contacts, contacts.c.id == contact_fields.c.contact_id))
            .where(*self._scope(account_id, list_id))
            .order_by(contact_fields.c.name)
        ).scalars())

    def iter_contacts(self, account_id: int, list_id: int | None = None) -> Iterator[Contact]:
        """One statement, streamed: each contact's row once per custom field, in id order."""
        result = self.conn.execution_options(yield_per=_STREAM_ROWS).execute(
            select(*_COLUMNS, contact_fields.c.name, contact_fields.c.value)
            .select_from(contacts.outerjoin(contact_fields, contact_fields.c.contact_id == contacts.c.id))
            .where(*self._scope(account_id, list_id))
            .order_by(contacts.c.id, contact_fields.c.name)
        )
        current: Contact | None = None
        for row in result:
            if current is None or current.id != row[0]:
                if current is not None:
                    yield current
                current = Contact(*row[:_N_DECLARED])
            if row[_N_DECLARED] is not None:
                current.custom[row[_N_DECLARED]] = row[_N_DECLARED + 1]
        if current is not None:
            yield current

    def _anywhere(self, needle: str, n: int):
        """search_text contains needle: through the trigram index where there is one."""
        if len(needle) >= search.MIN_INDEXED and self.conn.dialect.name == "sqlite" and search.has_fts(self.conn):
            if n == 0:
                return contacts.c.id.in_(search.FTS_MATCH.bindparams(pattern=search.glob_pattern(needle)))
            # Each needle of one String needs a bind name of its own.
            match = text(f"SELECT rowid FROM {search.FTS_TABLE} WHERE search_text GLOB :pattern{n}")
            return contacts.c.id.in_(match.bindparams(**{f"pattern{n}": search.glob_pattern(needle)}))
        # PostgreSQL's trigram index serves this LIKE directly.
        return contacts.c.search_text.like(like_pattern(needle), escape="\\")

    def existing_ids(self, account_id: int, ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for part in chunks(list(ids)):
            found.update(
                self.conn.execute(
                    select(contacts.c.id).where(contacts.c.account_id == account_id, contacts.c.id.in_(part))
                ).scalars()
            )
        return found

    def get_many(self, account_id: int, ids: Sequence[int], for_update: bool = False) -> dict[int, Contact]:
        """for_update: lock the rows until the transaction ends (PostgreSQL; SQLite writers are
        serialised anyway), in id order so that concurrent updaters cannot deadlock.
        FOR NO KEY UPDATE, the lock an UPDATE of non-key columns takes: it excludes other
        updaters but not the KEY SHARE lock that inserting a list_members row takes on its
        contact, so list additions do not wait for (or deadlock with) contact updates."""
        result: dict[int, Contact] = {}
        for part in chunks(sorted(set(ids))):
            query = select(*_COLUMNS).where(contacts.c.account_id == account_id, contacts.c.id.in_(part))
            if for_update:
                query = query.order_by(contacts.c.id).with_for_update(key_share=True)
            rows = self.conn.execute(query).all()
            for contact in self._with_custom(rows):
                result[contact.id] = contact
        return result

    def _with_custom(self, rows) -> list[Contact]:
        found = [Contact(*row) for row in rows]
        if not found:
            return found
        by_id = {c.id: c for c in found}
        for part in chunks(list(by_id)):
            for contact_id, name, value in self.conn.execute(
                select(contact_fields.c.contact_id, contact_fields.c.name, contact_fields.c.value)
                .where(contact_fields.c.contact_id.in_(part))
                .order_by(contact_fields.c.contact_id, contact_fields.c.name)
            ):
                by_id[contact_id].custom[name] = value
        return found

    # -- writes --------------------------------------------------------------------------
    def add_many(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        """Insert contacts (ids assigned by the database) and return their ids in order."""
        if not new_contacts:
            return []
        now = datetime.now(UTC)
        rows = [
            {
                "account_id": account_id,
                "search_text": contact.search_text(),
                "created_at": now,
                **{col: getattr(contact, col) for col in DECLARED_FIELDS.values()},
            }
            for contact in new_contacts
        ]
        # insertmanyvalues: one multi-row INSERT ... RETURNING per batch, ids in input order.
        ids = list(
            self.conn.execute(
                insert(contacts).returning(contacts.c.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        for contact, new_id in zip(new_contacts, ids, strict=True):
            contact.id = new_id
        self._insert_custom(new_contacts)
        return ids

    def _insert_custom(self, saved: Sequence[Contact]) -> None:
        rows = [
            {"contact_id": c.id, "name": name, "value": value}
            for c in saved
            for name, value in c.custom.items()
        ]
        if rows:
            self.conn.execute(insert(contact_fields), rows)

    def save(self, contact: Contact) -> None:
        """Write back every attribute and the complete set of custom fields of a loaded contact."""
        values = {col: getattr(contact, col) for col in DECLARED_FIELDS.values()}
        self.conn.execute(
            update(contacts)
            .where(contacts.c.id == contact.id)
            .values(search_text=contact.search_text(), **values)
        )
        self.conn.execute(delete(contact_fields).where(contact_fields.c.contact_id == contact.id))
        self._insert_custom([contact])

    def remove(self, account_id: int, ids: Sequence[int]) -> int:
        removed = 0
        for part in chunks(sorted(set(ids))):
            owned = select(contacts.c.id).where(contacts.c.account_id == account_id, contacts.c.id.in_(part))
            # Lock the contacts first, in ascending id order as every other writer does; the
            # deletes below then only touch rows this transaction holds, in no particular order.
            lock_in_id_order(self.conn, owned.order_by(contacts.c.id))
            # Explicit child deletes: SQLite only cascades with foreign_keys=ON, which
            # a database opened by another tool may lack.
            self.conn.execute(delete(contact_fields).where(contact_fields.c.contact_id.in_(owned)))
            self.conn.execute(delete(list_members).where(list_members.c.contact_id.in_(owned)))
            removed += self.conn.execute(
                delete(contacts).where(contacts.c.account_id == account_id, contacts.c.id.in_(part))
            ).rowcount
        return removed
