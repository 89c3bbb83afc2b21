"""Contact lists repository: contact_lists rows and their list_members."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, func, insert, or_, select, union_all, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain.contacts import Contact
from ..domain.errors import DuplicateRequestId
from ..domain.lists import ACTIVE, DELETED, ContactList
from ..domain.paging import Page
from .contacts import chunks, lock_in_id_order
from .database import LIST_IMPORT_LOCKS, advisory_transaction_lock
from .list_bulk import bulk_writer, index_lookups
from .tables import PHONE_COLUMNS, contact_lists, contacts, dnc_numbers, list_members

# Size is the membership count, computed on read so that it can never drift.
_SIZE = (
    select(func.count())
    .select_from(list_members)
    .where(list_members.c.list_id == contact_lists.c.id)
    .scalar_subquery()
)
_LIST_COLUMNS = (contact_lists.c.id, contact_lists.c.name, _SIZE, contact_lists.c.created_at,
                 contact_lists.c.status)


def _contact_list(row) -> ContactList:
    return ContactList(id=row[0], name=row[1], size=row[2], created=row[3], status=row[4])


class ListRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- lists ---------------------------------------------------------------------------
    def create(self, account_id: int, name: str, request_id: str | None = None) -> int:
        """Insert an ACTIVE list. A RequestId already used by the account raises
        DuplicateRequestId (on PostgreSQL after the other transaction commits)."""
        try:
            return self.conn.execute(
                insert(contact_lists).returning(contact_lists.c.id),
                {
                    "account_id": account_id,
                    "name": name,
                    "status": ACTIVE,
                    "created_at": datetime.now(UTC),
                    "request_id": request_id,
                },
            ).scalar_one()
        except IntegrityError as exc:
            # (account_id, request_id) is the table's only unique key besides the id.
            if request_id is None:
                raise
            raise DuplicateRequestId(request_id) from exc

    def id_for_request(self, account_id: int, request_id: str) -> int | None:
        return self.conn.execute(
            select(contact_lists.c.id).where(
                contact_lists.c.account_id == account_id, contact_lists.c.request_id == request_id
            )
        ).scalar_one_or_none()

    def get(self, account_id: int, list_id: int) -> ContactList | None:
        """Any list of the account, deleted ones included (they read back as DELETED)."""
        row = self.conn.execute(
            select(*_LIST_COLUMNS).where(
                contact_lists.c.account_id == account_id, contact_lists.c.id == list_id
            )
        ).first()
        return _contact_list(row) if row is not None else None

    def lock_active(self, account_id: int, list_id: int) -> bool:
        """Whether the list exists, belongs to the account and is not deleted; the row stays
        locked until the transaction ends, so a concurrent delete waits for this change."""
        return self.conn.execute(
            select(contact_lists.c.id).where(
                contact_lists.c.account_id == account_id,
                contact_lists.c.id == list_id,
                contact_lists.c.deleted_at.is_(None),
            ).with_for_update()
        ).first() is not None

    def lock_account_imports(self, account_id: int) -> None:
        """Serialise list imports of one account until the transaction ends, so that the
        duplicate and merge checks of one import see the contacts another one created.
        SQLite needs nothing: its writers already hold the database write lock."""
        if self.conn.dialect.name == "postgresql":
            # Account ids that collide modulo 2**31 merely share a lock.
            advisory_transaction_lock(self.conn, LIST_IMPORT_LOCKS, account_id % 2**31)

    def query(self, account_id: int, page: Page) -> tuple[int, list[ContactList]]:
        """The account's lists that are not deleted, oldest first."""
        where = and_(contact_lists.c.account_id == account_id, contact_lists.c.deleted_at.is_(None))
        total = self.conn.execute(
            select(func.count()).select_from(contact_lists).where(where)
        ).scalar_one()
        rows = self.conn.execute(
            select(*_LIST_COLUMNS).where(where).order_by(contact_lists.c.id)
            .limit(page.limit).offset(page.offset)
        ).all()
        return total, [_contact_list(row) for row in rows]

    def mark_deleted(self, account_id: int, list_id: int) -> bool:
        """Soft delete: the row, its members and their contacts stay."""
        return self.conn.execute(
            update(contact_lists)
            .where(
                contact_lists.c.account_id == account_id,
                contact_lists.c.id == list_id,
                contact_lists.c.deleted_at.is_(None),
            )
            .values(status=DELETED, deleted_at=datetime.now(UTC))
        ).rowcount > 0

    # -- members -------------------------------------------------------------------------
    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        """Add memberships; contacts already on the list are skipped (by the database on
        SQLite and PostgreSQL, which also keeps concurrent adds of one contact apart)."""
        if contact_ids:
            # Ascending id order: each inserted row KEY SHARE-locks its contact, and every
            # writer of contacts locks them in this order (no deadlock between them).
            bulk_writer(self.conn).add_members(list_id, sorted(set(contact_ids)))

    def remove_members(self, list_id: int, contact_ids: Sequence[int]) -> int:
        return sum(self._remove_where(list_id, list_members.c.contact_id.in_(part))
                   for part in chunks(sorted(set(contact_ids))))

    def _remove_where(self, list_id: int, which) -> int:
        """Delete the list's memberships matching ``which``, locking them in ascending
        contact id order first (the one lock order of every writer of contacts)."""
        where = (list_members.c.list_id == list_id, which)
        lock_in_id_order(self.conn, select(list_members.c.contact_id).where(*where)
                         .order_by(list_members.c.contact_id))
        return self.conn.execute(list_members.delete().where(*where)).rowcount

    def remove_members_by_number(self, account_id: int, list_id: int, numbers: Sequence[str]) -> int:
        """Remove every member of the list that has one of the numbers in any phone field."""
        removed = 0
        with index_lookups(self.conn):
            for part in chunks(list(numbers)):
                # One branch per phone column so that each uses its (account_id, phone) index.
                holders = union_all(*(
                    select(contacts.c.id).where(contacts.c.account_id == account_id, column.in_(part))
                    for column in PHONE_COLUMNS
                ))
                removed += self._remove_where(list_id, list_members.c.contact_id.in_(holders))
        return removed

    # -- contacts, as list import needs them ------------------------------------------------
    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        """For each number, the lowest-id contact of the account holding it in any phone field."""
        return bulk_writer(self.conn).contact_ids_by_number(account_id, numbers)

    def all_contact_numbers(self, account_id: int, limit: int) -> dict[str, int] | None:
        """Every number the account's contacts hold, with its lowest-id holder; None when the
        account has more than ``limit`` contacts. Rows are read as they come (no list of
        them beside the dict)."""
        found: dict[str, int] = {}
        rows = self.conn.execute(
            select(contacts.c.id, *PHONE_COLUMNS).where(contacts.c.account_id == account_id)
            .order_by(contacts.c.id).limit(limit + 1)
        )
        for count, (contact_id, *phones) in enumerate(rows, 1):  # in id order: first holder is lowest
            if count > limit:
                rows.close()
                return None
            for number in phones:
                if number:
                    found.setdefault(number, contact_id)
        return found

    def all_blocked_numbers(self, account_id: int, limit: int) -> set[str] | None:
        """Every number the account's DNC lists block on a channel; None when there are more
        than ``limit`` such entries."""
        found: set[str] = set()
        rows = self.conn.execute(
            select(dnc_numbers.c.number)
            .where(dnc_numbers.c.account_id == account_id, or_(dnc_numbers.c.call_dnc, dnc_numbers.c.text_dnc))
            .limit(limit + 1)
        ).scalars()
        for count, number in enumerate(rows, 1):
            if count > limit:
                rows.close()
                return None
            found.add(number)
        return found

    def pause_number_indexes(self, candidates: int) -> bool:
        """See BulkWriter.pause_number_indexes; commit() rebuilds them."""
        return bulk_writer(self.conn).pause_number_indexes(candidates)

    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        """Insert contacts (ids always assigned here) and return their ids in input order."""
        return bulk_writer(self.conn).insert_contacts(account_id, new_contacts)

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        """Insert one contact per normalised number, held in the named phone column (the
        contact Contact(<column>=number) would be); their ids in input order."""
        return bulk_writer(self.conn).insert_numbers(account_id, column, numbers)

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """The numbers the account's DNC lists block (as DncRepository.blocked_numbers)."""
        return bulk_writer(self.conn).blocked_numbers(account_id, numbers)

    def phones_of(self, account_id: int, contact_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The account's contacts among the ids, each with its non-empty phone numbers."""
        found: dict[int, tuple[str, ...]] = {}
        with index_lookups(self.conn):
            for part in chunks(list(contact_ids)):
                for row in self.conn.execute(
                    select(contacts.c.id, contacts.c.home_phone, contacts.c.work_phone,
                           contacts.c.mobile_phone)
                    .where(contacts.c.account_id == account_id, contacts.c.id.in_(part))
                ):
                    phones = (row.home_phone, row.work_phone, row.mobile_phone)
                    found[row.id] = tuple(p for p in phones if p)
        return found
