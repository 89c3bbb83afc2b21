"""Two `dnc import --list NAME` of a name the account has no list of yet, at the same time
(services/dnc_import.py as the CLI runs it): one list of that name, holding both files'
numbers; the second import extends what the first created. On the session's database
(SQLite, or PostgreSQL with CALLFIRE_TEST_DATABASE=postgresql)."""
from __future__ import annotations

import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from callfire_soap.domain.errors import BadRequest
from callfire_soap.services import dnc_import
from callfire_soap.services.accounts import create_account
from callfire_soap.services.dnc import create_dnc_list

NUMBERS = [f"1213221{n:04d}" for n in range(3000)]
FIRST, SECOND = NUMBERS[:2000], NUMBERS[1000:]  # 1,000 in both files


def test_concurrent_imports_into_one_new_list_name_make_one_list(app):
    uow = app.backend.uow
    account_id = create_account(uow, "dncrace-" + uuid.uuid4().hex[:12], "pw")
    name = "race " + uuid.uuid4().hex[:8]
    both_looked = threading.Barrier(2)

    def load(numbers: list[str]):
        # What `callfire-soap dnc import FILE --list NAME` does: look the name up, read and
        # check the file, then write. Both imports look before either writes.
        existing = dnc_import.resolve_list(uow, account_id, name)
        spool = io.StringIO()
        found = dnc_import.scan([("\n".join(numbers) + "\n").encode()], spool)
        both_looked.wait(timeout=60)
        entries = dnc_import.spooled_entries([spool.getvalue().encode()])
        return dnc_import.store(uow, account_id, name, existing, entries, found)

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(load, [FIRST, SECOND]))

    with uow(write=False) as unit:
        lists = unit.dnc.lists_named(account_id, name)
        assert len(lists) == 1, f"{len(lists)} DNC lists named {name!r}: {lists}"
        stored = {entry.number for entry in unit.dnc.iter_numbers(account_id, lists[0].id)}
    assert stored == set(NUMBERS)
    assert sorted(report.created for report in reports) == [False, True]
    assert {report.list_id for report in reports} == {lists[0].id}
    assert sorted(report.added for report in reports) in ([1000, 2000], [2000, 1000])
    assert sum(report.added for report in reports) == 3000
    assert max(report.size for report in reports) == 3000


def test_a_list_created_after_the_lookup_is_extended_not_duplicated(app):
    """The same rule without threads: a list of the name that appears between the import's
    first lookup and its write (a CreateDncList, another import) is the one extended."""
    uow = app.backend.uow
    account_id = create_account(uow, "dncrace-" + uuid.uuid4().hex[:12], "pw")
    name = "late " + uuid.uuid4().hex[:8]
    assert dnc_import.resolve_list(uow, account_id, name) is None
    spool = io.StringIO()
    found = dnc_import.scan([b"12132212384\n12132212385\n"], spool)
    list_id = create_dnc_list(uow, account_id, name, tokens=["12132212385"])
    report = dnc_import.store(uow, account_id, name, None,
                              dnc_import.spooled_entries([spool.getvalue().encode()]), found)
    assert (report.list_id, report.created, report.added, report.unchanged, report.size) == (list_id, False, 1, 1, 2)
    create_dnc_list(uow, account_id, name)  # now two lists share the name: refused, as by resolve_list
    with pytest.raises(BadRequest, match="2 DNC lists are named"):
        dnc_import.store(uow, account_id, name, None, iter([(1, "12132212386", True, True)]), found)
