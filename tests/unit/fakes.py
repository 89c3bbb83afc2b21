"""In-memory implementations of the ports (callfire_soap/services/ports.py).

State is plain dicts in a Store. A unit of work works on a deep copy of the committed
Store and hands it back on commit(), so that nothing is visible to another unit of work
(or to get_contact) before commit, and rollback or leaving the block discards it. What
the SQL adapters do with locks (for_update, lock_active, lock_account_imports) needs no
counterpart here: one test runs one unit of work at a time.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from callfire_soap.domain.contacts import DECLARED_FIELDS, Contact
from callfire_soap.domain.dnc import Channels, DncList, DncNumber, Flags
from callfire_soap.domain.errors import AccountExists, DuplicateRequestId
from callfire_soap.domain.history import CALL, Action
from callfire_soap.domain.lists import ACTIVE, DELETED, ContactList
from callfire_soap.domain.paging import Page


@dataclass
class ListRow:
    account_id: int
    name: str
    request_id: str | None
    created: datetime
    deleted: bool = False
    members: dict[int, None] = field(default_factory=dict)  # contact ids, insertion order


@dataclass
class DncRow:
    account_id: int
    name: str
    campaign_id: int | None
    numbers: dict[str, Flags] = field(default_factory=dict)


@dataclass
class Store:
    accounts: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (login, hash)
    contacts: dict[int, tuple[int, Contact]] = field(default_factory=dict)  # id -> (account, contact)
    lists: dict[int, ListRow] = field(default_factory=dict)
    dnc_lists: dict[int, DncRow] = field(default_factory=dict)
    history: dict[int, tuple[int, Action]] = field(default_factory=dict)
    disabled: set[int] = field(default_factory=set)  # account ids
    # Ids come from counters that only go up: a deleted row's id is never handed out again.
    last_id: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        self.last_id[kind] = self.last_id.get(kind, 0) + 1
        return self.last_id[kind]


def _page(items: list, page: Page) -> list:
    return items[page.offset:page.offset + page.limit]


class FakeAccountRepository:
    def __init__(self, store: Store, committed: Callable[[], Store]):
        self.store = store
        self.committed = committed

    def by_login(self, login: str) -> tuple[int, str] | None:
        for account_id, (known, password_hash) in self.store.accounts.items():
            if known == login:
                return account_id, password_hash
        return None

    def id_of(self, login: str) -> int | None:
        found = self.by_login(login)
        return found[0] if found else None

    def add(self, login: str, password_hash: str) -> int:
        # The unique key also sees what other units of work committed meanwhile.
        taken = (known for known, _ in self.committed().accounts.values())
        if self.by_login(login) is not None or login in taken:
            raise AccountExists(login)
        account_id = self.store.next_id("account")
        self.store.accounts[account_id] = (login, password_hash)
        return account_id

    def logins(self, limit: int) -> list[str]:
        return [login for _, (login, _) in sorted(self.store.accounts.items())][:limit]

    def auth_row(self, login: str) -> tuple[int, str, bool] | None:
        found = self.by_login(login)
        return (*found, found[0] not in self.store.disabled) if found else None

    def all(self) -> list:
        return [AccountRow(account_id, login, account_id not in self.store.disabled, None)
                for account_id, (login, _) in sorted(self.store.accounts.items())]

    def set_password(self, account_id: int, password_hash: str) -> None:
        login, _ = self.store.accounts[account_id]
        self.store.accounts[account_id] = (login, password_hash)

    def set_enabled(self, account_id: int, enabled: bool) -> None:
        (self.store.disabled.discard if enabled else self.store.disabled.add)(account_id)

    def delete(self, account_id: int) -> None:
        """The account and what it owns, as the foreign keys cascade."""
        self.store.accounts.pop(account_id, None)
        self.store.disabled.discard(account_id)
        for table in (self.store.contacts, self.store.history):
            for key in [key for key, (owner, _) in table.items() if owner == account_id]:
                del table[key]
        for table in (self.store.lists, self.store.dnc_lists):
            for key in [key for key, row in table.items() if row.account_id == account_id]:
                del table[key]


class AccountRow(NamedTuple):
    id: int
    login: str
    enabled: bool
    created_at: object


class FakeContactRepository:
    def __init__(self, store: Store):
        self.store = store

    def _owned(self, account_id: int) -> list[Contact]:
        return [c for _, (owner, c) in sorted(self.store.contacts.items()) if owner == account_id]

    def query(self, account_id: int, page: Page, list_id: int | None = None,
              field: str | None = None, text: str | None = None) -> tuple[int, list[Contact]]:
        found = self._owned(account_id)
        if list_id is not None:
            members = self.store.lists[list_id].members if list_id in self.store.lists else {}
            found = [c for c in found if c.id in members]
        needle = (text or "").lower()
        if field:
            def value(c: Contact) -> str | None:
                return c.get(field)
            found = [c for c in found if value(c) and needle in value(c).lower()]
        elif needle:
            found = [c for c in found if needle in c.search_text()]
        return len(found), [copy.deepcopy(c) for c in _page(found, page)]

    def get_many(self, account_id: int, ids: Sequence[int], for_update: bool = False) -> dict[int, Contact]:
        return {c.id: copy.deepcopy(c) for c in self._owned(account_id) if c.id in set(ids)}

    def custom_field_names(self, account_id: int, list_id: int | None = None) -> list[str]:
        return sorted({name for c in self.iter_contacts(account_id, list_id) for name in c.custom})

    def iter_contacts(self, account_id: int, list_id: int | None = None) -> Iterator[Contact]:
        members = self.store.lists[list_id].members if list_id in self.store.lists else {}
        for contact in self._owned(account_id):
            if list_id is None or contact.id in members:
                yield copy.deepcopy(contact)

    def existing_ids(self, account_id: int, ids: Sequence[int]) -> set[int]:
        return {c.id for c in self._owned(account_id) if c.id in set(ids)}

    def save(self, contact: Contact) -> None:
        owner, _ = self.store.contacts[contact.id]
        self.store.contacts[contact.id] = (owner, copy.deepcopy(contact))

    def remove(self, account_id: int, ids: Sequence[int]) -> int:
        gone = self.existing_ids(account_id, ids)
        for contact_id in gone:
            del self.store.contacts[contact_id]
        for row in self.store.lists.values():
            for contact_id in gone:
                row.members.pop(contact_id, None)
        return len(gone)


class FakeHistoryRepository:
    def __init__(self, store: Store):
        self.store = store

    def for_contact(self, account_id: int, contact_id: int, page: Page) -> list[Action]:
        found = [a for owner, a in self.store.history.values()
                 if owner == account_id and a.contact_id == contact_id]
        found.sort(key=lambda a: (a.kind != CALL, a.created, a.id))
        return copy.deepcopy(_page(found, page))

    def add(self, account_id: int, new_actions: Sequence[Action]) -> None:
        for action in new_actions:
            action.id = self.store.next_id("action")
            self.store.history[action.id] = (account_id, copy.deepcopy(action))


class FakeListRepository:
    def __init__(self, store: Store, committed: Callable[[], Store], import_locks: list[int]):
        self.store = store
        self.committed = committed
        self.import_locks = import_locks
        self.paused_at: list[int] = []  # candidates, per pause_number_indexes call

    # -- lists -------------------------------------------------------------------------------
    def create(self, account_id: int, name: str, request_id: str | None = None) -> int:
        if request_id is not None:
            for store in (self.store, self.committed()):
                if any(r.account_id == account_id and r.request_id == request_id for r in store.lists.values()):
                    raise DuplicateRequestId(request_id)
        list_id = self.store.next_id("list")
        self.store.lists[list_id] = ListRow(account_id, name, request_id, datetime.now(UTC))
        return list_id

    def id_for_request(self, account_id: int, request_id: str) -> int | None:
        return next((list_id for list_id, r in self.store.lists.items()
                     if r.account_id == account_id and r.request_id == request_id), None)

    def _row(self, account_id: int, list_id: int) -> ListRow | None:
        row = self.store.lists.get(list_id)
        return row if row is not None and row.account_id == account_id else None

    def get(self, account_id: int, list_id: int) -> ContactList | None:
        row = self._row(account_id, list_id)
        if row is None:
            return None
        return ContactList(id=list_id, name=row.name, size=len(row.members), created=row.created,
                           status=DELETED if row.deleted else ACTIVE)

    def lock_active(self, account_id: int, list_id: int) -> bool:
        row = self._row(account_id, list_id)
        return row is not None and not row.deleted

    def query(self, account_id: int, page: Page) -> tuple[int, list[ContactList]]:
        ids = [i for i, r in sorted(self.store.lists.items()) if r.account_id == account_id and not r.deleted]
        return len(ids), [self.get(account_id, i) for i in _page(ids, page)]

    def mark_deleted(self, account_id: int, list_id: int) -> bool:
        if not self.lock_active(account_id, list_id):
            return False
        self.store.lists[list_id].deleted = True
        return True

    # -- members -----------------------------------------------------------------------------
    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        members = self.store.lists[list_id].members
        for contact_id in contact_ids:
            members[contact_id] = None

    def remove_members(self, list_id: int, contact_ids: Sequence[int]) -> int:
        members = self.store.lists[list_id].members
        present = set(contact_ids).intersection(members)
        for contact_id in present:
            del members[contact_id]
        return len(present)

    def remove_members_by_number(self, account_id: int, list_id: int, numbers: Sequence[str]) -> int:
        holders = [c.id for owner, c in self.store.contacts.values()
                   if owner == account_id and set(c.phones()) & set(numbers)]
        return self.remove_members(list_id, holders)

    # -- list import -------------------------------------------------------------------------
    def lock_account_imports(self, account_id: int) -> None:
        self.import_locks.append(account_id)

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        blocked = {number for row in self.store.dnc_lists.values() if row.account_id == account_id
                   for number, flags in row.numbers.items() if flags.call_dnc or flags.text_dnc}
        return blocked.intersection(numbers)

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        wanted = set(numbers)
        for contact_id, (owner, contact) in sorted(self.store.contacts.items()):
            if owner == account_id:
                for number in wanted.intersection(contact.phones()):
                    found.setdefault(number, contact_id)
        return found

    def pause_number_indexes(self, candidates: int) -> bool:
        self.paused_at.append(candidates)
        return True

    def all_blocked_numbers(self, account_id: int, limit: int) -> set[str] | None:
        entries = [number for row in self.store.dnc_lists.values() if row.account_id == account_id
                   for number, flags in row.numbers.items() if flags.call_dnc or flags.text_dnc]
        return None if len(entries) > limit else set(entries)

    def all_contact_numbers(self, account_id: int, limit: int) -> dict[str, int] | None:
        owned = [(contact_id, contact) for contact_id, (owner, contact) in sorted(self.store.contacts.items())
                 if owner == account_id]
        if len(owned) > limit:
            return None
        found: dict[str, int] = {}
        for contact_id, contact in owned:
            for number in contact.phones():
                found.setdefault(number, contact_id)
        return found

    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        for contact in new_contacts:
            contact.id = self.store.next_id("contact")
            self.store.contacts[contact.id] = (account_id, copy.deepcopy(contact))
        return [c.id for c in new_contacts]

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        if column not in DECLARED_FIELDS.values():
            raise ValueError(f"{column!r} is not a contact column")
        return self.insert_contacts(account_id, [Contact(**{column: n}) for n in numbers])

    def phones_of(self, account_id: int, contact_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        return {cid: tuple(contact.phones()) for cid, (owner, contact) in self.store.contacts.items()
                if owner == account_id and cid in set(contact_ids)}


class FakeDncRepository:
    def __init__(self, store: Store):
        self.store = store

    def _row(self, account_id: int, list_id: int) -> DncRow | None:
        row = self.store.dnc_lists.get(list_id)
        return row if row is not None and row.account_id == account_id else None

    def create_list(self, account_id: int, name: str, campaign_id: int | None) -> int:
        list_id = self.store.next_id("dnc_list")
        self.store.dnc_lists[list_id] = DncRow(account_id, name, campaign_id)
        return list_id

    def get_list(self, account_id: int, list_id: int) -> DncList | None:
        row = self._row(account_id, list_id)
        return DncList(list_id, row.name, row.campaign_id, len(row.numbers)) if row else None

    def lists_named(self, account_id: int, name: str) -> list[DncList]:
        return [self.get_list(account_id, i) for i, r in sorted(self.store.dnc_lists.items())
                if r.account_id == account_id and r.name == name]

    def lock_list_name(self, account_id: int, name: str) -> None:
        """Nothing to do: the fakes model no concurrent units of work."""

    def lock_list(self, account_id: int, list_id: int) -> bool:
        return self._row(account_id, list_id) is not None

    def query_lists(self, account_id: int, page: Page, campaign_id: int | None = None,
                    name: str | None = None) -> tuple[int, list[DncList]]:
        found = [self.get_list(account_id, i) for i, r in sorted(self.store.dnc_lists.items())
                 if r.account_id == account_id
                 and (campaign_id is None or r.campaign_id == campaign_id)
                 and (not name or name.lower() in r.name.lower())]
        return len(found), _page(found, page)

    def delete_list(self, account_id: int, list_id: int) -> bool:
        if self._row(account_id, list_id) is None:
            return False
        del self.store.dnc_lists[list_id]
        return True

    def put_numbers(self, account_id: int, list_id: int, numbers: Sequence[str], flags: Flags) -> None:
        assert len(set(numbers)) == len(numbers), "the SQL upsert refuses a number twice"
        for number in numbers:
            self.store.dnc_lists[list_id].numbers[number] = flags

    def merge_numbers(self, account_id: int, list_id: int,
                      entries: Iterable[tuple[int, str, bool, bool]]) -> tuple[int, int, int]:
        latest: dict[str, tuple[int, Flags]] = {}
        for seq, number, call, text in entries:
            if number not in latest or seq > latest[number][0]:
                latest[number] = (seq, Flags(call, text))
        numbers = self.store.dnc_lists[list_id].numbers
        added = sum(1 for n in latest if n not in numbers)
        updated = sum(1 for n, (_, flags) in latest.items() if n in numbers and numbers[n] != flags)
        for number, (_, flags) in sorted(latest.items()):
            numbers[number] = flags
        return added, updated, len(latest) - added - updated

    def iter_numbers(self, account_id: int, list_id: int) -> Iterator[DncNumber]:
        row = self._row(account_id, list_id)
        for number, flags in sorted(row.numbers.items() if row else ()):
            yield DncNumber(number, list_id, flags.call_dnc, flags.text_dnc)

    def remove_numbers(self, list_id: int, numbers: Sequence[str], channels: Channels) -> None:
        if channels.nothing:
            return
        entries = self.store.dnc_lists[list_id].numbers
        for number in set(numbers).intersection(entries):
            flags = entries[number]
            left = Flags(call_dnc=flags.call_dnc and not channels.call,
                         text_dnc=flags.text_dnc and not channels.text)
            if left.call_dnc or left.text_dnc:
                entries[number] = left
            else:
                del entries[number]

    def query_numbers(self, account_id: int, page: Page, prefix: str | None = None,
                      list_id: int | None = None, list_name: str | None = None,
                      call_dnc: bool | None = None, text_dnc: bool | None = None,
                      ) -> tuple[int, list[DncNumber]]:
        found = sorted(
            (DncNumber(number, i, flags.call_dnc, flags.text_dnc)
             for i, row in self.store.dnc_lists.items() if row.account_id == account_id
             and (list_id is None or i == list_id)
             and (not list_name or list_name.lower() in row.name.lower())
             for number, flags in row.numbers.items()
             if (not prefix or number.startswith(prefix))
             and (call_dnc is None or flags.call_dnc == call_dnc)
             and (text_dnc is None or flags.text_dnc == text_dnc)),
            key=lambda n: (n.number, n.dnc_list_id),
        )
        return len(found), _page(found, page)

    def is_listed(self, account_id: int, number: str) -> bool:
        return any(number in row.numbers for row in self.store.dnc_lists.values() if row.account_id == account_id)

    def set_flags(self, account_id: int, number: str, call_dnc: bool | None, text_dnc: bool | None) -> int:
        if call_dnc is None and text_dnc is None:
            return 0
        changed = 0
        for row in self.store.dnc_lists.values():
            if row.account_id == account_id and number in row.numbers:
                old = row.numbers[number]
                row.numbers[number] = Flags(old.call_dnc if call_dnc is None else call_dnc,
                                            old.text_dnc if text_dnc is None else text_dnc)
                changed += 1
        return changed


class FakeUnitOfWork:
    def __init__(self, factory: FakeUnitOfWorkFactory, write: bool = True):
        self.factory = factory
        self.write = write
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self._begin()
        hooks, self.factory.on_begin = self.factory.on_begin, []
        for hook in hooks:
            hook()
        return self

    def _begin(self) -> None:
        self.store = copy.deepcopy(self.factory.store)
        committed = lambda: self.factory.store  # noqa: E731 - read at call time
        self.accounts = FakeAccountRepository(self.store, committed)
        self.contacts = FakeContactRepository(self.store)
        self.history = FakeHistoryRepository(self.store)
        self.lists = FakeListRepository(self.store, committed, self.factory.import_locks)
        self.dnc = FakeDncRepository(self.store)

    def commit(self) -> None:
        if not self.write:
            raise RuntimeError("commit() in a read-only unit of work")
        self.factory.store = self.store
        self.factory.commits += 1
        self.committed = True
        self._begin()

    def rollback(self) -> None:
        self._begin()

    def __exit__(self, *exc) -> None:
        self.rollback()


class FakeUnitOfWorkFactory:
    def __init__(self):
        self.store = Store()
        self.commits = 0
        self.statistics_refreshes = 0
        self.units: list[FakeUnitOfWork] = []
        self.import_locks: list[int] = []  # account ids, one per lock_account_imports
        # Called once by the next unit of work right after it begins: a test's way to have
        # another request commit between a service's reads and its writes.
        self.on_begin: list[Callable[[], None]] = []

    def __call__(self, write: bool = True) -> FakeUnitOfWork:
        unit = FakeUnitOfWork(self, write)
        self.units.append(unit)
        return unit

    def snapshot(self) -> FakeUnitOfWork:
        """A read-only unit of work: it reads the copy of the store taken when it began."""
        return self(write=False)

    def get_contact(self, account_id: int, contact_id: int) -> Contact | None:
        owner, contact = self.store.contacts.get(contact_id, (None, None))
        return copy.deepcopy(contact) if owner == account_id else None

    def get_dnc_list(self, account_id: int, list_id: int) -> DncList | None:
        return FakeDncRepository(self.store).get_list(account_id, list_id)

    def refresh_statistics(self) -> None:
        self.statistics_refreshes += 1

    # -- test setup, committed at once -------------------------------------------------------
    def add_account(self, login: str | None = None) -> int:
        account_id = self.store.next_id("account")
        self.store.accounts[account_id] = (login or f"user{account_id}", "not-a-hash")
        return account_id

    def add_contacts(self, account_id: int, *contacts: Contact) -> list[int]:
        with self() as uow:
            ids = uow.lists.insert_contacts(account_id, list(contacts))
            uow.commit()
        return ids

