"""The prepared path of File and Contact list imports (services/import_prepare.py, then
ListImport._import_prepared; on PostgreSQL COPY) against the general path (ListImport
._import_batch over csv_contacts): the same contacts, custom fields, lists, memberships,
search index and report, for generated CSV files that exercise every rule (invalid,
duplicate, DNC with enabled and cleared entries, merge into the lowest id, Validate off,
custom columns, headerless files, batch boundaries).

Runs in process on the session database (SQLite, or PostgreSQL with
CALLFIRE_TEST_DATABASE=postgresql); each side imports into a fresh account seeded alike."""
from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from callfire_soap.domain.contacts import DECLARED_FIELDS, Contact
from callfire_soap.domain.paging import Page
from callfire_soap.services import import_prepare, list_import, number_lookups
from callfire_soap.services.accounts import create_account
from callfire_soap.services.import_prepare import Prepared, prepare
from callfire_soap.services.list_csv import read_csv, row_contacts
from callfire_soap.services.list_import import ListImport
from callfire_soap.services.list_sources import ContactsSource, FileSource
from callfire_soap.storage import list_bulk
from callfire_soap.storage.list_bulk import postgresql
from callfire_soap.storage.tables import contact_fields, contacts, list_members
from tests.list_helpers import add_dnc

NATIONAL = [f"213221{n:04d}" for n in range(2380, 2400)]
FORMS = [lambda d: "1" + d, lambda d: d, lambda d: "+1" + d, lambda d: f"({d[:3]}) {d[3:6]}-{d[6:]}"]
INVALID = ["111", "abc", "12130000000", "+", "n/a"]
CONTENT = (*DECLARED_FIELDS.values(), "search_text")
# number_lookups.PRELOAD_RATIO for the fast side (the general side always probes): 0 probes
# per batch, 1 reads the account once the import has as many candidates as it has rows
# (mid-import, after its own first inserts), 1000 reads it at the first batch.
PRELOAD_RATIOS = (0, 1, 1000)
HEADERS = ["First Name", "lastName", "Phone", "Mobile", "work", "Member Level", "Notes", "id"]


def _legacy(national: str) -> str:
    return "1" + national


phone = st.one_of(
    st.builds(lambda d, form: form(d), st.sampled_from(NATIONAL), st.sampled_from(FORMS)),
    st.sampled_from(INVALID), st.just(""),
)
text = st.sampled_from(["", "Ann", "Bob", "José", "gold", "a,b", 'say "hi"', "  padded  "])


@st.composite
def scenario(draw):
    headerless = draw(st.booleans())
    if headerless:
        rows = draw(st.lists(st.lists(phone.filter(lambda p: p not in ("", "abc", "n/a", "+")),
                                      min_size=1, max_size=3), min_size=1, max_size=15))
        header = None
    else:
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6, unique=True))
        if not any(h in ("Phone", "Mobile", "work") for h in header):
            header.append("Phone")
        cell = {"Phone": phone, "Mobile": phone, "work": phone}
        rows = draw(st.lists(st.tuples(*(cell.get(h, text) for h in header)).map(list), max_size=25))
    numbers = st.sampled_from([_legacy(d) for d in NATIONAL])
    existing = draw(st.lists(st.builds(
        lambda column, number: Contact(first_name="Old", **{column: number}),
        st.sampled_from(("home_phone", "work_phone", "mobile_phone")), numbers), max_size=6))
    dnc = draw(st.lists(st.tuples(numbers, st.booleans()), max_size=5))
    return SimpleNamespace(header=header, rows=rows, existing=existing, dnc=dnc,
                           validate=draw(st.booleans()), batch=draw(st.integers(1, 6)),
                           copy=draw(st.booleans()), chunk=draw(st.integers(1, 40)),
                           stream=draw(st.booleans()), preload_ratio=draw(st.sampled_from(PRELOAD_RATIOS)))


def _file(case) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if case.header:
        writer.writerow(case.header)
    writer.writerows(case.rows)
    return out.getvalue().encode()


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def _fresh_account(app, case) -> int:
    account_id = create_account(app.backend.uow, "prep-" + uuid.uuid4().hex[:12], "pw")
    with app.backend.uow() as uow:
        uow.contacts.add_many(account_id, [dataclasses.replace(c, custom=dict(c.custom)) for c in case.existing])
        uow.commit()
    for number, enabled in case.dnc:
        add_dnc(app, SimpleNamespace(id=account_id), [number], call_dnc=enabled, text_dnc=False)
    return account_id


def _run(app, account_id: int, source, validate: bool, preload_ratio: int = 0):
    with app.backend.uow() as uow, pytest.MonkeyPatch.context() as patch:
        patch.setattr(number_lookups, "PRELOAD_RATIO", preload_ratio)
        # Reading the account at the first batch: the SQLite writer also pauses its number
        # indexes, whatever the table's size (rebuilt before commit).
        patch.setattr(list_bulk.sqlite, "INDEX_REBUILD_RATIO", 10**9 if preload_ratio == 1000 else 1)
        list_id = uow.lists.create(account_id, "eq")
        report = ListImport(uow, account_id, list_id, validate).run(source)
        uow.commit()
    return list_id, report


def _state(app, account_id: int, list_id: int) -> dict:
    with app.backend.engine.connect() as conn:
        rows = conn.execute(select(contacts.c.id, *(contacts.c[c] for c in CONTENT))
                            .where(contacts.c.account_id == account_id).order_by(contacts.c.id)).all()
        position = {row[0]: i for i, row in enumerate(rows)}
        members = sorted(position[cid] for cid in conn.execute(
            select(list_members.c.contact_id).where(list_members.c.list_id == list_id)).scalars())
        fields = sorted((position[r[0]], r[1], r[2]) for r in conn.execute(
            select(contact_fields.c.contact_id, contact_fields.c.name, contact_fields.c.value)
            .join(contacts, contacts.c.id == contact_fields.c.contact_id)
            .where(contacts.c.account_id == account_id)))
    with app.backend.uow(write=False) as uow:
        found = {needle: uow.contacts.query(account_id, Page(1000, 0), text=needle)[0]
                 for needle in ("213221", "2384", "ann", "gold", "old")}
    return {"contacts": [tuple(row[1:]) for row in rows], "members": members, "fields": fields, "found": found}


class Rejects:
    def __init__(self):
        self.rows: list[tuple] = []
        self.columns = None

    def header(self, cells):
        self.columns = cells

    def __call__(self, line, reason, cells):
        self.rows.append((line, reason.split(":")[0], cells))


def _check_equivalence(app, case, monkeypatch):
    monkeypatch.setattr(import_prepare, "BATCH", case.batch)
    monkeypatch.setattr(list_import, "BATCH", case.batch)
    monkeypatch.setattr(postgresql, "COPY_FROM", 1 if case.copy else 10**9)
    data = _file(case)
    fast_account, general_account = _fresh_account(app, case), _fresh_account(app, case)

    general_calls = []
    original = ListImport._import_batch
    with monkeypatch.context() as spy:
        spy.setattr(ListImport, "_import_batch", lambda self, b: general_calls.append(b))
        rejects = Rejects()
        prepared = prepare(FileSource(_chunks(data, case.chunk)), case.validate, reject=rejects,
                           stream=case.stream)
        assert isinstance(prepared, Prepared)
        fast_list, fast_report = _run(app, fast_account, prepared, case.validate, case.preload_ratio)
    assert general_calls == []  # the prepared path took every candidate
    monkeypatch.setattr(ListImport, "_import_batch", original)
    general_list, general_report = _run(app, general_account, FileSource([data]), case.validate)

    columns = {"custom_columns": {}, "ignored_columns": []}
    assert dataclasses.replace(fast_report, **columns) == general_report
    assert _state(app, fast_account, fast_list) == _state(app, general_account, general_list)
    # Every dropped candidate is a reject, with its reason, line and the row's cells.
    reasons = [r[1] for r in rejects.rows]
    assert (reasons.count("invalid"), reasons.count("duplicate"), reasons.count("dnc")) == (
        fast_report.invalid, fast_report.duplicate, fast_report.dnc)
    first = 2 if case.header else 1
    for line, _, cells in rejects.rows:
        assert cells == case.rows[line - first] if case.header else [c.strip() for c in case.rows[line - first]].count(cells[0])  # noqa: E501 - headerless: the candidate's own cell
    return fast_report


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_prepared_path_equals_the_general_path(app, monkeypatch, case):
    with monkeypatch.context() as patch:
        _check_equivalence(app, case, patch)


def test_fixed_file_touches_every_rule(app, monkeypatch):
    a, b, c, d, e = (_legacy(n) for n in NATIONAL[:5])
    case = SimpleNamespace(
        header=["First Name", "Phone", "Mobile", "Member Level", "id"],
        rows=[["Ann", a, "", "gold", "1"], ["Bad", "111", "abc", "x", "2"], ["Dup", "+1" + a[1:], "", "", "3"],
              ["Blocked", c, "", "", "4"], ["Merge", d, b, "silver", "5"], ["New", e, "", "", "6"],
              ["Cleared", b[1:], "", "", "7"]],
        existing=[Contact(work_phone=d), Contact(home_phone=b)], dnc=[(c, True), (e, False)],
        validate=True, batch=2, copy=True, chunk=7, stream=True, preload_ratio=1000,
    )
    report = _check_equivalence(app, case, monkeypatch)
    assert (report.invalid, report.duplicate, report.dnc, report.merged, report.created) == (1, 2, 1, 1, 2)
    assert report.custom_columns == {"Member Level": "Member_Level"} and report.ignored_columns == ["id"]


def _contacts(data: bytes) -> list[Contact]:
    layout, rows = read_csv([data])
    return [contact for _, row in rows for contact in row_contacts(layout, row)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_prepared_inline_contacts_equal_the_general_path(app, monkeypatch, case):
    """Contact elements (SOAP, REST) take the prepared path too, before the transaction."""
    with monkeypatch.context() as patch:
        patch.setattr(import_prepare, "BATCH", case.batch)
        patch.setattr(list_import, "BATCH", case.batch)
        patch.setattr(postgresql, "COPY_FROM", 1 if case.copy else 10**9)
        data = _file(case)
        fast_account, general_account = _fresh_account(app, case), _fresh_account(app, case)
        prepared = prepare(ContactsSource(iter(_contacts(data))), case.validate)
        fast_list, fast_report = _run(app, fast_account, prepared, case.validate, case.preload_ratio)
        general_list, general_report = _run(app, general_account, ContactsSource(_contacts(data)), case.validate)
    assert fast_report == general_report
    assert _state(app, fast_account, fast_list) == _state(app, general_account, general_list)
