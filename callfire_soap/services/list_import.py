"""Putting contacts on a list, with the API's list-validation defaults.

With Validate=true (the default) every candidate goes through the safeguards with the
resolutions the legacy API used:
  LIST_HAS_INVALID_NUMBERS    SCRUB  (an invalid number is dropped from its contact)
  LIST_HAS_DUPLICATE_NUMBERS  SCRUB  (a contact reusing a number seen earlier in the request)
  LIST_HAS_DNC_CONTACTS       SCRUB  (a contact with a number on the account's DNC lists)
  LIST_HAS_CONTACT_CONFLICTS  MERGE  (a number the account already has reuses that contact)
  LIST_COLUMNS_UNMAPPED       USE_DEFAULT_COLUMNS (see list_sources.csv_contacts)
Candidates are handled in batches: set-based lookups per batch, bulk inserts, and all of
it in the caller's unit of work, so a failure anywhere leaves nothing behind.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..domain.contacts import DECLARED_FIELDS, PHONE_FIELDS, Contact
from ..domain.phone import DEFAULT_REGION, normalize, normalize_all
from .contacts import check_custom_fields, check_value
from .import_prepare import Candidate, Prepared, numbers_as_given
from .list_sources import (
    ContactIdsSource,
    ListSource,
    NumbersSource,
    ValidatedNumbers,
    parse_numbers_source,
    source_contacts,
)
from .number_lookups import NumberLookups
from .ports import UnitOfWork

BATCH = 2000
# A Numbers candidate is a string, not a Contact: bigger batches cost little memory and
# save statements (10,000 rather than 2,000: ~15% faster on SQLite).
NUMBERS_BATCH = 10_000
_PHONE_ATTRS = tuple(DECLARED_FIELDS[name] for name in PHONE_FIELDS)


@dataclass
class ImportReport:
    """What happened to the candidates of one request (for logs and tests)."""

    added: int = 0          # memberships created or confirmed
    created: int = 0        # new contacts
    merged: int = 0         # candidates that reused an existing contact
    invalid: int = 0        # candidates scrubbed because no valid number was left
    duplicate: int = 0      # candidates scrubbed as duplicates within the request
    dnc: int = 0            # candidates scrubbed because of a DNC number
    ignored_ids: int = 0    # ContactId source: unknown or other accounts' ids
    # File source: header cell -> the custom field it became; header cells not imported.
    custom_columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)


def _batches(items: Iterable, size: int | None = None) -> Iterator[list]:
    size = size or BATCH  # read per call, so that tests can make batches small
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _check_contact(contact: Contact, phones: bool) -> None:
    """phones=False: numbers are not checked here, validation normalises or scrubs them."""
    for wire, attr in DECLARED_FIELDS.items():
        if phones or wire not in PHONE_FIELDS:
            check_value(wire, getattr(contact, attr))
    check_custom_fields(contact.custom)


class ListImport:
    """One request's import into one list, inside an open unit of work."""

    def __init__(self, uow: UnitOfWork, account_id: int, list_id: int, validate: bool = True,
                 region: str = DEFAULT_REGION):
        self.uow = uow
        self.account_id = account_id
        self.list_id = list_id
        self.validate = validate
        self.region = region
        self.report = ImportReport()
        # Normalised numbers kept so far in this request: the duplicate check.
        self._seen_numbers: set[str] = set()
        # Existing contacts put on the list by this request (merges can repeat one); the
        # contacts it creates are each added once, and not kept here (a million ids: ~60 MB).
        self._members: set[int] = set()
        self.lookups = NumberLookups(uow, account_id)

    def run(self, source: ListSource) -> ImportReport:
        self.uow.lists.lock_account_imports(self.account_id)
        if isinstance(source, Prepared):
            self._import_prepared(source)
        elif isinstance(source, ContactIdsSource):
            self._import_ids(source.ids)
        elif isinstance(source, ValidatedNumbers):
            for batch in _batches(source.numbers, NUMBERS_BATCH):
                self._import_number_batch(source.attribute, batch)
        elif isinstance(source, NumbersSource) and self.validate:
            self._import_numbers(source)
        else:
            for batch in _batches(source_contacts(source)):
                self._import_batch(batch)
        return self.report

    # -- new contacts ----------------------------------------------------------------------
    def _import_batch(self, batch: list[Contact]) -> None:
        for contact in batch:
            _check_contact(contact, phones=not self.validate)  # ids are always assigned anew
        if self.validate:
            self._import_validated(batch)
        else:
            self._import_as_given(batch)

    def _import_as_given(self, batch: list[Contact]) -> None:
        """Validation off: no scrub, no merge. Valid numbers are still written in the
        legacy 11-digit form, anything else ("111") exactly as given."""
        for contact in batch:
            numbers_as_given(contact, self.region)
        self._add_members((), self.uow.lists.insert_contacts(self.account_id, batch))
        self.report.created += len(batch)

    def _import_validated(self, batch: list[Contact]) -> None:
        kept = [contact for contact in batch if self._keep(contact)]
        self.lookups.batch(len(kept))
        blocked = self.lookups.blocked([n for c in kept for n in c.phones()])
        if blocked:
            before = len(kept)
            kept = [c for c in kept if not blocked.intersection(c.phones())]
            self.report.dnc += before - len(kept)
        self._merge_or_insert(kept)

    def _merge_or_insert(self, kept: list[Contact], phones: list[list[str]] | None = None) -> None:
        """Candidates that passed the scrubs: a candidate holding a number the account
        already has reuses that contact (MERGE); the others are inserted. phones: each
        candidate's numbers, when the caller has them."""
        if phones is None:
            phones = [contact.phones() for contact in kept]
        existing = self.lookups.holders([n for numbers in phones for n in numbers])
        new_contacts: list[Contact] = [] if existing else kept
        ids: list[int] = []
        if existing:
            for contact, numbers in zip(kept, phones, strict=True):
                match = next((existing[n] for n in numbers if n in existing), None)
                if match is None:
                    new_contacts.append(contact)
                else:
                    ids.append(match)
        self.report.merged += len(ids)
        self.report.created += len(new_contacts)
        self._add_members(ids, self.uow.lists.insert_contacts(self.account_id, new_contacts))

    def _keep(self, contact: Contact) -> bool:
        """Normalise the contact's numbers in place; False when it is scrubbed as invalid
        (no valid number left) or as a duplicate of an earlier candidate."""
        for attr in _PHONE_ATTRS:
            value = getattr(contact, attr)
            if value is not None:
                setattr(contact, attr, normalize(value, self.region))
        numbers = contact.phones()
        if not numbers:
            self.report.invalid += 1
            return False
        if not self._seen_numbers.isdisjoint(numbers):
            self.report.duplicate += 1
            return False
        self._seen_numbers.update(numbers)
        return True

    # -- File and Contact sources, prepared (import_prepare.py) -------------------------------
    # The general path above, less what was done before the transaction (checks, numbers,
    # invalid and duplicate scrubs). Equivalence with it (same contacts, fields, members,
    # search index and report) is tested in tests/integration/test_list_import_prepared.py.
    def _import_prepared(self, prepared: Prepared) -> None:
        batches = iter(prepared.batches)
        try:
            for batch in batches:
                if prepared.validate:
                    self._import_prepared_batch(batch, prepared)
                else:
                    contacts = [contact for _, contact, _ in batch]
                    self._add_members((), self.uow.lists.insert_contacts(self.account_id, contacts))
                    self.report.created += len(contacts)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:  # a failed import stops the thread preparing a streamed file
                close()
        self.report.invalid += prepared.invalid
        self.report.duplicate += prepared.duplicate
        self.report.custom_columns = dict(prepared.custom_columns)
        self.report.ignored_columns = list(prepared.ignored_columns)

    def _import_prepared_batch(self, batch: list[Candidate], prepared: Prepared) -> None:
        self.lookups.batch(len(batch))
        phones = [contact.phones() for _, contact, _ in batch]
        blocked = self.lookups.blocked([n for numbers in phones for n in numbers])
        if blocked:
            kept, kept_phones = [], []
            for candidate, numbers in zip(batch, phones, strict=True):
                hit = next((n for n in numbers if n in blocked), None)
                if hit is None:
                    kept.append(candidate)
                    kept_phones.append(numbers)
                    continue
                self.report.dnc += 1
                if prepared.reject:
                    prepared.reject(candidate[0], f"dnc: {hit} is on a Do Not Contact list", candidate[2])
            batch, phones = kept, kept_phones
        self._merge_or_insert([contact for _, contact, _ in batch], phones)

    # -- Numbers, validated ------------------------------------------------------------------
    # Every candidate of a Numbers source is a contact with one number, so the general path's
    # work is done here on plain strings. Equivalence with that path (same contacts, members
    # and report) is tested in tests/test_list_import_numbers.py.
    def _import_numbers(self, source: NumbersSource) -> None:
        attribute, tokens = parse_numbers_source(source)
        for batch in _batches(tokens, NUMBERS_BATCH):
            self._import_number_batch(attribute, normalize_all(batch, self.region))

    def _import_number_batch(self, attribute: str, normalised: list[str | None]) -> None:
        """normalised: per token its legacy form, None for an invalid one."""
        # As _keep: invalid first, then the first occurrence of a number in the request wins.
        valid = [number for number in normalised if number is not None]
        kept = [number for number in dict.fromkeys(valid) if number not in self._seen_numbers]
        self._seen_numbers.update(kept)
        self.report.invalid += len(normalised) - len(valid)
        self.report.duplicate += len(valid) - len(kept)
        self.lookups.batch(len(kept))
        blocked = self.lookups.blocked(kept)
        if blocked:
            before = len(kept)
            kept = [number for number in kept if number not in blocked]
            self.report.dnc += before - len(kept)
        existing = self.lookups.holders(kept)
        ids = [existing[number] for number in kept if number in existing]
        new_numbers = [number for number in kept if number not in existing]
        self.report.merged += len(ids)
        self.report.created += len(new_numbers)
        self._add_members(ids, self.uow.lists.insert_numbers(self.account_id, attribute, new_numbers))

    # -- existing contacts -----------------------------------------------------------------
    def _import_ids(self, ids: Sequence[int]) -> None:
        unique = list(dict.fromkeys(ids))
        for batch in _batches(unique):
            phones = self.uow.lists.phones_of(self.account_id, batch)
            self.report.ignored_ids += len(batch) - len(phones)
            owned = [cid for cid in batch if cid in phones]
            if self.validate:
                self.lookups.batch(len(owned), merges=False)
                blocked = self.lookups.blocked([n for cid in owned for n in phones[cid]])
                if blocked:
                    before = len(owned)
                    owned = [cid for cid in owned if blocked.isdisjoint(phones[cid])]
                    self.report.dnc += before - len(owned)
            self._add_members(owned)

    def _add_members(self, existing: Iterable[int], created: Sequence[int] = ()) -> None:
        """existing: contacts that were there before this request; created: the ones it
        inserted (new ids, so neither repeated nor among the existing)."""
        fresh = [cid for cid in dict.fromkeys(existing) if cid not in self._members]
        self._members.update(fresh)
        fresh.extend(created)
        self.uow.lists.add_members(self.list_id, fresh)
        self.report.added += len(fresh)
