"""What the services need from storage, as structural interfaces (typing.Protocol).

The SQLAlchemy adapters in storage/ and the in-memory fakes in tests/unit/fakes.py both
satisfy these without inheriting from them. Semantics every implementation keeps:
* Everything is scoped to an account: another account's ids read as unknown.
* Contact ids and list ids are never reused, not even after a delete.
* Nothing a unit of work writes is visible to another one before commit(); leaving the
  ``with`` block without commit() discards it.
* A write that would duplicate a unique key raises a domain.errors.Conflict subclass
  (AccountExists, DuplicateRequestId), never a storage exception.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from ..domain.contacts import Contact
from ..domain.dnc import Channels, DncList, DncNumber, Flags
from ..domain.history import Action
from ..domain.lists import ContactList
from ..domain.paging import Page


@runtime_checkable
class AccountRepository(Protocol):
    def by_login(self, login: str) -> tuple[int, str] | None:
        """(account id, password hash) of the login."""

    def id_of(self, login: str) -> int | None: ...

    def add(self, login: str, password_hash: str) -> int:
        """The new account's id; raises AccountExists when the login is taken."""

    def logins(self, limit: int) -> list[str]:
        """The first ``limit`` logins, oldest account first."""

    def auth_row(self, login: str) -> tuple[int, str, bool] | None:
        """(id, password hash, enabled): what a credential check needs, one indexed read."""

    def all(self) -> list:
        """Every account as a row of (id, login, enabled, created_at), oldest first."""

    def set_password(self, account_id: int, password_hash: str) -> None: ...

    def set_enabled(self, account_id: int, enabled: bool) -> None: ...

    def delete(self, account_id: int) -> None:
        """The account and everything it owns."""


@runtime_checkable
class ContactRepository(Protocol):
    def query(self, account_id: int, page: Page, list_id: int | None = None,
              field: str | None = None, text: str | None = None) -> tuple[int, list[Contact]]:
        """(total, one page by id). ``list_id``: members of that list only. ``field`` with
        ``text``: case-insensitive substring of that attribute; ``field`` alone: the
        attribute is set; ``text`` alone: substring of Contact.search_text()."""

    def get_many(self, account_id: int, ids: Sequence[int], for_update: bool = False) -> dict[int, Contact]:
        """The account's contacts among ``ids``; for_update locks them until the unit of
        work ends."""

    def existing_ids(self, account_id: int, ids: Sequence[int]) -> set[int]: ...

    def custom_field_names(self, account_id: int, list_id: int | None = None) -> list[str]:
        """The distinct custom field names of the account's contacts (of one list's members),
        sorted."""

    def iter_contacts(self, account_id: int, list_id: int | None = None) -> Iterator[Contact]:
        """Every contact of the account (of one list's members) by id, custom fields included,
        streamed (valid until the unit of work ends)."""

    def save(self, contact: Contact) -> None:
        """Write back every attribute and the complete set of custom fields."""

    def remove(self, account_id: int, ids: Sequence[int]) -> int:
        """Delete the account's contacts among ``ids`` with their memberships (history
        stays); returns how many were deleted."""


@runtime_checkable
class HistoryRepository(Protocol):
    def for_contact(self, account_id: int, contact_id: int, page: Page) -> list[Action]:
        """Calls first, then texts, each oldest first."""

    def add(self, account_id: int, new_actions: Sequence[Action]) -> None:
        """Store the actions with their records; assigns their ids."""


@runtime_checkable
class ListImportWriter(Protocol):
    """What a list import (services/list_import.py) reads and writes in bulk."""

    def lock_account_imports(self, account_id: int) -> None:
        """Serialise the account's imports until the unit of work ends, so that one import's
        duplicate and merge checks see the contacts another one created."""

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """The numbers that an entry of the account's DNC lists blocks on any channel."""

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        """For each number, the lowest-id contact of the account holding it in any phone field."""

    def all_blocked_numbers(self, account_id: int, limit: int) -> set[str] | None:
        """Every number that an entry of the account's DNC lists blocks on any channel, or None
        when the account has more than ``limit`` such entries."""

    def all_contact_numbers(self, account_id: int, limit: int) -> dict[str, int] | None:
        """Every number the account's contacts hold, each with its lowest-id holder, or None
        when the account has more than ``limit`` contacts."""

    def pause_number_indexes(self, candidates: int) -> bool:
        """Stop maintaining the storage's indexes of contacts by number until commit, when
        rebuilding them then is cheaper for an import of this many candidates so far; whether
        they are paused. Only while nothing looks contacts up by number in this unit of work."""

    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        """Insert the contacts, assigning (and setting) their ids; ids in input order."""

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        """Insert Contact(<column>=number) for each number; ids in input order."""

    def phones_of(self, account_id: int, contact_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The account's contacts among the ids, each with its non-empty phone numbers."""

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        """Put the contacts on the list; ones already on it stay once."""


@runtime_checkable
class ListRepository(ListImportWriter, Protocol):
    def create(self, account_id: int, name: str, request_id: str | None = None) -> int:
        """A new ACTIVE list; raises DuplicateRequestId when the account used request_id."""

    def id_for_request(self, account_id: int, request_id: str) -> int | None: ...

    def get(self, account_id: int, list_id: int) -> ContactList | None:
        """Any list of the account, a deleted one included (status DELETED)."""

    def lock_active(self, account_id: int, list_id: int) -> bool:
        """Whether the account has this list and it is not deleted; a concurrent delete
        waits until the unit of work ends."""

    def query(self, account_id: int, page: Page) -> tuple[int, list[ContactList]]:
        """The account's lists that are not deleted, oldest first."""

    def mark_deleted(self, account_id: int, list_id: int) -> bool:
        """Soft delete (members and contacts stay); False if there was nothing to delete."""

    def remove_members(self, list_id: int, contact_ids: Sequence[int]) -> int: ...

    def remove_members_by_number(self, account_id: int, list_id: int, numbers: Sequence[str]) -> int:
        """Remove every member holding one of the numbers in any phone field."""


@runtime_checkable
class DncRepository(Protocol):
    def create_list(self, account_id: int, name: str, campaign_id: int | None) -> int: ...

    def get_list(self, account_id: int, list_id: int) -> DncList | None: ...

    def lists_named(self, account_id: int, name: str) -> list[DncList]:
        """The account's lists with exactly this name, by id."""

    def lock_list_name(self, account_id: int, name: str) -> None:
        """In a writing unit of work: serialise, until it ends, the units of work that find
        or create the account's lists of this name, so that lists_named() after this call
        sees a list that a concurrent one created (find-or-create is then atomic)."""

    def lock_list(self, account_id: int, list_id: int) -> bool:
        """Whether the account owns the list; a concurrent delete waits until the unit of
        work ends."""

    def query_lists(self, account_id: int, page: Page, campaign_id: int | None = None,
                    name: str | None = None) -> tuple[int, list[DncList]]:
        """By id; campaign_id exact, name a case-insensitive substring."""

    def delete_list(self, account_id: int, list_id: int) -> bool:
        """Delete the list and its numbers; False for an unknown or foreign id."""

    def put_numbers(self, account_id: int, list_id: int, numbers: Sequence[str], flags: Flags) -> None:
        """Insert the (distinct) numbers, or give those already on the list the flags."""

    def merge_numbers(self, account_id: int, list_id: int,
                      entries: Iterable[tuple[int, str, bool, bool]]) -> tuple[int, int, int]:
        """Bulk put of (seq, normalised number, call_dnc, text_dnc) entries: new numbers are
        added, listed ones take the flags; of a number given twice the highest seq wins.
        Returns (added, updated: flags changed, unchanged) counts of distinct numbers."""

    def iter_numbers(self, account_id: int, list_id: int) -> Iterator[DncNumber]:
        """Every entry of the list by number, streamed (valid until the unit of work ends)."""

    def remove_numbers(self, list_id: int, numbers: Sequence[str], channels: Channels) -> None:
        """Unblock the channels; an entry left with none blocked leaves the list."""

    def query_numbers(self, account_id: int, page: Page, prefix: str | None = None,
                      list_id: int | None = None, list_name: str | None = None,
                      call_dnc: bool | None = None, text_dnc: bool | None = None,
                      ) -> tuple[int, list[DncNumber]]:
        """One entry per (number, list), ordered by number then list id."""

    def is_listed(self, account_id: int, number: str) -> bool: ...

    def set_flags(self, account_id: int, number: str, call_dnc: bool | None, text_dnc: bool | None) -> int:
        """Set the given flags on every entry of the number; returns entries changed."""


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction. Use as a context manager; only commit() makes writes visible."""

    accounts: AccountRepository
    contacts: ContactRepository
    history: HistoryRepository
    lists: ListRepository
    dnc: DncRepository

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@runtime_checkable
class UnitOfWorkFactory(Protocol):
    def __call__(self, write: bool = True) -> UnitOfWork:
        """A new unit of work; write=False promises it only reads."""

    def snapshot(self) -> UnitOfWork:
        """A new read-only unit of work whose every read sees one and the same state of the
        database (as of its first read), however many statements it runs and whatever
        other units of work commit meanwhile: for reads that must agree with each other,
        such as an export."""

    def get_contact(self, account_id: int, contact_id: int) -> Contact | None:
        """GetContact's lookup, outside any unit of work (it is one consistent read)."""

    def get_dnc_list(self, account_id: int, list_id: int) -> DncList | None:
        """GetDncList's lookup (the account's list with its size), outside any unit of work
        (it is one consistent read)."""

    def refresh_statistics(self) -> None:
        """Let the query planner see what a bulk import just committed (may be a no-op)."""
