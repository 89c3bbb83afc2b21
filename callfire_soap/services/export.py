"""`contacts export` and `dnc export`: an account's data as CSV files that `contacts import`
and `dnc import` read back. Rows are streamed from one query, so memory does not grow with
the number of rows.

Each export (finding the list it names included) reads inside one snapshot unit of work
(UnitOfWorkFactory.snapshot(): on PostgreSQL REPEATABLE READ, READ ONLY), so its statements
all see the same state of the database: a write committed while it runs is wholly absent
from the file, never half in it (contacts from after the custom field names were read, a
list's numbers after the list was deleted).

Contacts: the declared attributes under their own names (which `contacts import` recognises),
then one column per custom field name that any exported contact has, found by a first query
(SELECT DISTINCT over the custom fields), sorted by name; a contact without that field gets
an empty cell, which an import reads as "not set".
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from ..domain.contacts import DECLARED_FIELDS, MAX_CUSTOM_FIELDS
from ..domain.dnc import DncList, check_list_name
from ..domain.errors import BadRequest, NotFound
from ..domain.lists import ContactList
from ..domain.paging import Page
from .list_sources import COLUMN_ALIASES
from .ports import UnitOfWork, UnitOfWorkFactory

DNC_COLUMNS = ("number", "call_dnc", "text_dnc")
# Header cells `contacts import` drops (ids are always assigned there).
_IGNORED_ON_IMPORT = {"id", "contactid"}
_NOISE = re.compile(r"[\s_.\-]+")
_PAGE = 1000


@dataclass
class ExportReport:
    rows: int = 0
    # Custom field names that `contacts import` would read as something else (an alias of a
    # declared attribute, or an ignored id column), and so not bring back.
    not_reimportable: list[str] = field(default_factory=list)
    custom_columns: int = 0
    # The list whose members were exported (None: all the account's contacts).
    contact_list: ContactList | None = None

    @property
    def too_many_custom(self) -> bool:
        return self.custom_columns > MAX_CUSTOM_FIELDS


def contact_list_in(uow: UnitOfWork, account_id: int, name: str | None = None,
                    list_id: int | None = None) -> ContactList:
    """The list an export names: by id (a deleted list too: its members stay), or by exact
    name among the lists that are not deleted (one of them: names need not be unique)."""
    if list_id is not None:
        found = uow.lists.get(account_id, list_id)
        if found is None:
            raise NotFound(f"contact list {list_id} not found")
        return found
    matches: list[ContactList] = []
    offset = 0
    while True:
        total, page = uow.lists.query(account_id, Page(limit=_PAGE, offset=offset))
        matches.extend(item for item in page if item.name == name)
        offset += _PAGE
        if offset >= total or not page:
            break
    return _only_one(matches, "contact list", name, "give --list-id")


def _only_one(found: list, kind: str, name: str, remedy: str):
    """The one list of that name; NotFound for none, BadRequest naming the ids for several."""
    if not found:
        raise NotFound(f"no {kind} named {name!r}")
    if len(found) > 1:
        ids = ", ".join(str(item.id) for item in found[:10])
        raise BadRequest(f"{len(found)} {kind}s are named {name!r} (ids {ids}): {remedy}")
    return found[0]


def _reads_back_as_other(name: str) -> bool:
    key = _NOISE.sub("", name).lower()
    return key in COLUMN_ALIASES or key in _IGNORED_ON_IMPORT


def write_contacts(uow_factory: UnitOfWorkFactory, account_id: int, out: IO[str],
                   list_id: int | None = None, rows_done: Callable[[int], None] | None = None,
                   all_custom_fields: bool = False, list_name: str | None = None) -> ExportReport:
    """The account's contacts (or the members of the list ``list_id`` or ``list_name``, found
    as contact_list_in() does), by id, as CSV on ``out``, all read from one snapshot.
    Every row has a cell for every custom field name, so more than MAX_CUSTOM_FIELDS names
    (what contacts import takes) is refused before anything is written unless
    ``all_custom_fields``."""
    report = ExportReport()
    declared = list(DECLARED_FIELDS.items())  # (wire name, attribute)
    writer = csv.writer(out, lineterminator="\n")
    with uow_factory.snapshot() as uow:
        if list_name is not None or list_id is not None:
            report.contact_list = contact_list_in(uow, account_id, list_name, list_id)
            list_id = report.contact_list.id
        names = uow.contacts.custom_field_names(account_id, list_id)
        report.custom_columns = len(names)
        if report.too_many_custom and not all_custom_fields:
            raise BadRequest(f"nothing exported: the contacts have {len(names):,} custom field names, one "
                             f"column each on every row; contacts import takes at most {MAX_CUSTOM_FIELDS} "
                             "(export one list at a time, or give --all-custom-fields)")
        report.not_reimportable = [name for name in names if _reads_back_as_other(name)]
        writer.writerow([wire for wire, _ in declared] + names)
        batch = []
        # The same snapshot as the names: every custom field read below has its column.
        for contact in uow.contacts.iter_contacts(account_id, list_id):
            batch.append([getattr(contact, attribute) or "" for _, attribute in declared]
                         + [contact.custom.get(name, "") for name in names])
            if len(batch) >= _PAGE:
                report.rows += _flush(writer, batch, rows_done)
        report.rows += _flush(writer, batch, rows_done)
    return report


def _flush(writer, batch: list, rows_done: Callable[[int], None] | None) -> int:
    count = len(batch)
    writer.writerows(batch)
    batch.clear()
    if rows_done is not None and count:
        rows_done(count)
    return count


def find_dnc_list(uow_factory: UnitOfWorkFactory, account_id: int, name: str | None,
                  list_id: int | None = None, missing_ok: bool = False) -> DncList | None:
    """The DNC list a command names: by id (it must exist), or by exact name: one of them,
    or with ``missing_ok`` None when there is none (dnc import then creates it). Names need
    not be unique, and a command must not guess between lists."""
    with uow_factory(write=False) as uow:
        return dnc_list_in(uow, account_id, name, list_id, missing_ok)


def dnc_list_in(uow: UnitOfWork, account_id: int, name: str | None, list_id: int | None = None,
                missing_ok: bool = False) -> DncList | None:
    """find_dnc_list() inside a unit of work the caller holds."""
    if list_id is not None:
        found_list = uow.dnc.get_list(account_id, list_id)
        if found_list is None:
            raise NotFound(f"DNC list {list_id} not found")
        return found_list
    name = check_list_name(name)
    found = uow.dnc.lists_named(account_id, name)
    if missing_ok and not found:
        return None
    return _only_one(found, "DNC list", name, "give --list-id N instead of --list")


def export_dnc(uow_factory: UnitOfWorkFactory, account_id: int, out: IO[str], name: str | None = None,
               list_id: int | None = None, rows_done: Callable[[int], None] | None = None,
               ) -> tuple[DncList, int]:
    """The DNC list ``list_id`` or ``name`` (found as find_dnc_list() does) and its entries
    by number as CSV (number, call_dnc, text_dnc), all read from one snapshot; returns the
    list and the count. Nothing is written when there is no such list."""
    writer = csv.writer(out, lineterminator="\n")
    rows = 0
    batch = []
    with uow_factory.snapshot() as uow:
        found = dnc_list_in(uow, account_id, name, list_id)
        list_id = found.id
        writer.writerow(DNC_COLUMNS)
        for entry in uow.dnc.iter_numbers(account_id, list_id):
            batch.append((entry.number, "true" if entry.call_dnc else "false",
                          "true" if entry.text_dnc else "false"))
            if len(batch) >= _PAGE:
                rows += _flush(writer, batch, rows_done)
        rows += _flush(writer, batch, rows_done)
    return found, rows
