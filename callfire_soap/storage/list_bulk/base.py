"""What every backend's bulk writer does, and the helpers they share."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ...domain.contacts import DECLARED_FIELDS, Contact
from ..tables import PHONE_COLUMNS

DECLARED_COLUMNS = tuple(DECLARED_FIELDS.values())
PHONE_COLUMN_NAMES = tuple(column.name for column in PHONE_COLUMNS)


class BulkWriter(Protocol):
    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        """Insert contacts (ids assigned here, also set on each Contact); their ids in
        input order."""

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        """Insert one contact per (normalised) number, held in the phone column named;
        their ids in input order. The contacts are those insert_contacts would write for
        Contact(<column>=number)."""

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        """Add memberships; those that exist already are skipped by the database."""

    def pause_number_indexes(self, candidates: int) -> bool:
        """Stop maintaining the contacts' phone-number indexes for the rest of the transaction,
        when rebuilding them before commit is cheaper for an import that has had this many
        candidates so far; whether they are paused. Only while nothing looks contacts up
        by number in the database; the unit of work rebuilds them before it commits."""

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        """For each number, the lowest-id contact of the account holding it in any phone
        field (numbers nobody holds are left out)."""

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """The given (normalised) numbers that are on any of the account's DNC lists with
        at least one channel blocked. An entry whose CallDnc and TextDnc are both false
        (e.g. after UpdateDncNumber cleared both) blocks nothing."""


def phone_column(name: str) -> str:
    """``name`` if it is a phone column: it is written into statement texts."""
    if name not in PHONE_COLUMN_NAMES:
        raise ValueError(f"{name!r} is not a phone column")
    return name


def keep_lowest(found: dict[str, int], rows: Iterable[tuple[int, str]]) -> None:
    """Fold (contact id, number) rows into ``found``: each number's lowest contact id."""
    for contact_id, number in rows:
        if number not in found or contact_id < found[number]:
            found[number] = contact_id
