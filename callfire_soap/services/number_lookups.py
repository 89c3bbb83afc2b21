"""The two lookups of a list import: which numbers the account's DNC lists block (the DNC
scrub) and which contact of the account already holds a number (the merge).

Each batch could ask the database about just its numbers. Instead, the account's blocked
numbers and its contacts' numbers are read once and every batch is answered from memory,
when there are few of them for the import's size: at most PRELOAD_RATIO per candidate seen
so far, and never more than PRELOAD_LIMIT. Reading one row costs about what probing one
number does on SQLite and a fraction of it on PostgreSQL, so this is never much dearer than
probing, and for an import into a small account it removes the per-batch statements that
were the larger part of a CSV import's time on PostgreSQL (BENCHMARKS.md, issue 15). An
account too large at first is tried again when the import has doubled.

Reading the contacts once is exact, not an approximation: within one import no kept candidate
shares a number with an earlier one (the duplicate scrub), and a merge reuses a contact
without changing it, so the contacts an import inserts never become merge targets of its
later batches, and nothing else writes the account's list imports meanwhile
(lock_account_imports). What a concurrent single-contact write or DNC change commits during
the import is seen as of the read, where per-batch statements would see it from the next
batch on: either way such a race has no defined winner.
"""
from __future__ import annotations

from collections.abc import Iterable

from .ports import UnitOfWork

# Rows read per candidate seen, at most, and rows held in memory, at most: 100,000 contacts
# (up to 300,000 numbers, about 30 MB) and 100,000 DNC entries (about 10 MB).
PRELOAD_RATIO = 4
PRELOAD_LIMIT = 100_000


class _Preloaded:
    """One of the two lookups: its answers for the whole account, once they are read."""

    def __init__(self, read):
        self._read = read  # limit -> the answers, or None when there are more rows than limit
        self.answers = None
        self._next_try = 1

    def batch(self, candidates: int) -> None:
        if self.answers is not None or candidates < self._next_try:
            return
        limit = min(PRELOAD_LIMIT, PRELOAD_RATIO * candidates)
        self.answers = self._read(limit)
        self._next_try = 2 * candidates if limit < PRELOAD_LIMIT else float("inf")


class NumberLookups:
    def __init__(self, uow: UnitOfWork, account_id: int):
        self.uow = uow
        self.account_id = account_id
        self._candidates = 0
        self._blocked = _Preloaded(lambda limit: uow.lists.all_blocked_numbers(account_id, limit))
        self._holders = _Preloaded(lambda limit: uow.lists.all_contact_numbers(account_id, limit))
        self.indexes_paused = False

    def batch(self, candidates: int, merges: bool = True) -> None:
        """A batch of this many candidates is about to be looked up; merges=False: only
        blocked() will be asked (existing contacts put on a list)."""
        self._candidates += candidates
        self._blocked.batch(self._candidates)
        if not merges:
            return
        self._holders.batch(self._candidates)
        # Nothing looks contacts up by number in the database any more: the storage may stop
        # maintaining those indexes for the rest of the import and rebuild them at commit.
        if self._holders.answers is not None and not self.indexes_paused:
            self.indexes_paused = self.uow.lists.pause_number_indexes(self._candidates)

    @property
    def preloaded(self) -> tuple[bool, bool]:
        """(DNC numbers, contacts' numbers): which of the two are answered from memory."""
        return self._blocked.answers is not None, self._holders.answers is not None

    def blocked(self, numbers: Iterable[str]) -> set[str]:
        """The numbers the account's DNC lists block on a channel."""
        blocked = self._blocked.answers
        if blocked is None:
            return self.uow.lists.blocked_numbers(self.account_id, list(numbers))
        return blocked.intersection(numbers)

    def holders(self, numbers: Iterable[str]) -> dict[str, int]:
        """For each number held by a contact of the account, its lowest-id holder."""
        held = self._holders.answers
        if held is None:
            return self.uow.lists.contact_ids_by_number(self.account_id, list(numbers))
        return {number: held[number] for number in numbers if number in held}
