"""The Numbers fast path of list import (ListImport._import_numbers) against the general path
that every other source takes: the same contacts, members, search index and ImportReport.

Runs in process on the session database (SQLite, or PostgreSQL with
CALLFIRE_TEST_DATABASE=postgresql). Each example imports into two fresh accounts seeded
identically: everything an import reads or writes is scoped to its account."""
from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from callfire_soap.domain import nanp
from callfire_soap.domain.contacts import DECLARED_FIELDS, Contact
from callfire_soap.domain.paging import Page
from callfire_soap.domain.phone import normalize, normalize_all
from callfire_soap.services import list_import, number_lookups
from callfire_soap.services.accounts import create_account
from callfire_soap.services.list_import import ListImport
from callfire_soap.services.list_sources import (
    ContactsSource,
    NumbersSource,
    number_tokens,
    parse_numbers_source,
)
from callfire_soap.storage import list_bulk
from callfire_soap.storage.dnc import DncRepository
from callfire_soap.storage.tables import contact_fields, contacts, list_members
from tests.list_helpers import add_dnc

# National numbers of exchanges that exist (213-221) and one that does not (213-000).
NATIONAL = [f"213221{n:04d}" for n in range(2380, 2410)]
FORMS = [
    lambda d: "1" + d, lambda d: d, lambda d: "+1" + d, lambda d: f"({d[:3]}){d[3:6]}-{d[6:]}",
    lambda d: f"1.{d[:3]}.{d[3:6]}.{d[6:]}",
    lambda d: "".join(chr(0x660 + int(c)) for c in "1" + d),  # Arabic-Indic digits
]
INVALID = ["111", "abc", "12130000000", "+", "0", "1213221238", "+1213", "12132212384x", "-"]
FOREIGN = ["+447911123456", "447911123456"]  # valid, not NANP
COLUMNS = ("home_phone", "work_phone", "mobile_phone")
CONTENT = (*DECLARED_FIELDS.values(), "search_text")
SOURCES = {  # (text prefix, fieldName attribute) -> the Contact attribute the numbers go to
    ("", None): "home_phone",
    ("", "homePhone"): "home_phone",
    ("", "workPhone"): "work_phone",
    ("", " mobilePhone "): "mobile_phone",
    ("workPhone:", None): "work_phone",
    (" mobilePhone :", "homePhone"): "mobile_phone",
}


def _legacy(national: str) -> str:
    return "1" + national


token = st.one_of(
    st.builds(lambda d, form: form(d), st.sampled_from(NATIONAL), st.sampled_from(FORMS)),
    st.sampled_from(INVALID + FOREIGN),
)
separator = st.sampled_from([" ", ",", "\n", "\t", ", ", " ,\r\n", "\u00a0", "\u2028"])


@st.composite
def scenario(draw):
    tokens = draw(st.lists(token, max_size=40))
    numbers = st.sampled_from([_legacy(d) for d in NATIONAL] + ["447911123456"])
    # Existing contacts: a number in any phone column, sometimes two numbers, sometimes a
    # number two contacts share (the lower id must win), sometimes not in legacy form.
    existing = draw(st.lists(st.builds(
        lambda column, number, extra: Contact(first_name="Old", **{**extra, column: number}),
        st.sampled_from(COLUMNS), numbers | st.sampled_from(NATIONAL),
        st.sampled_from([{}, {"mobile_phone": _legacy(NATIONAL[0])}, {"work_phone": _legacy(NATIONAL[1])}]),
    ), max_size=8))
    # DNC entries, some with both channels cleared (they block nothing).
    dnc = draw(st.lists(st.tuples(numbers, st.booleans()), max_size=6))
    separators = draw(st.lists(separator, min_size=len(tokens) + 1, max_size=len(tokens) + 1))
    source = draw(st.sampled_from(sorted(SOURCES, key=repr)))
    batch = draw(st.integers(1, 7))
    numbers_batch = draw(st.integers(1, 7))
    return SimpleNamespace(tokens=tokens, existing=existing, dnc=dnc, separators=separators,
                           source=source, batch=batch, numbers_batch=numbers_batch,
                           preload_ratio=draw(st.sampled_from((0, 1, 1000))))


def _text(case) -> str:
    prefix, _ = case.source
    # One separator more than tokens (the last one follows the prefix): not strict.
    return prefix + case.separators[-1] + "".join(s + t for s, t in zip(case.separators, case.tokens, strict=False))


def _fresh_account(app, case) -> int:
    account_id = create_account(app.backend.uow, "eq-" + uuid.uuid4().hex[:12], "pw")
    with app.backend.uow() as uow:
        uow.contacts.add_many(account_id, [Contact(**{k: v for k, v in vars(c).items() if k != "id"})
                                           for c in case.existing])
        uow.commit()
    for number, enabled in case.dnc:
        add_dnc(app, SimpleNamespace(id=account_id), [number], call_dnc=enabled, text_dnc=False)
    return account_id


def _run(app, account_id: int, source, preload_ratio: int = 0):
    """preload_ratio: number_lookups.PRELOAD_RATIO (0: the lookups probe per batch; 1: they
    read the account once the import has as many candidates; 1000: at the first batch)."""
    with app.backend.uow() as uow, pytest.MonkeyPatch.context() as patch:
        patch.setattr(number_lookups, "PRELOAD_RATIO", preload_ratio)
        # Reading the account at the first batch: the SQLite writer also pauses its number
        # indexes, whatever the table's size (rebuilt before commit).
        patch.setattr(list_bulk.sqlite, "INDEX_REBUILD_RATIO", 10**9 if preload_ratio == 1000 else 1)
        list_id = uow.lists.create(account_id, "eq")
        report = ListImport(uow, account_id, list_id).run(source)
        uow.commit()
    return list_id, report


def _state(app, account_id: int, list_id: int) -> dict:
    """The account's contacts in id order without ids and dates, the list's members, and
    what the search index finds (on SQLite the FTS table, written apart from the rows)."""
    with app.backend.engine.connect() as conn:
        rows = conn.execute(select(contacts.c.id, *(contacts.c[c] for c in CONTENT))
                            .where(contacts.c.account_id == account_id).order_by(contacts.c.id)).all()
        members = set(conn.execute(select(list_members.c.contact_id)
                                   .where(list_members.c.list_id == list_id)).scalars())
        fields = conn.execute(select(contact_fields.c.name).join(contacts, contacts.c.id == contact_fields.c.contact_id)
                              .where(contacts.c.account_id == account_id)).all()
    with app.backend.uow(write=False) as uow:
        found = {needle: uow.contacts.query(account_id, Page(1000, 0), text=needle)[0]
                 for needle in ("213221", "2384", "2399", "4479")}
    return {
        "contacts": [tuple(row[1:]) for row in rows],
        "members": [tuple(row[1:]) for row in rows if row[0] in members],
        "fields": fields,
        "found": found,
    }


def _check_equivalence(app, case, monkeypatch):
    monkeypatch.setattr(list_import, "BATCH", case.batch)
    monkeypatch.setattr(list_import, "NUMBERS_BATCH", case.numbers_batch)
    prefix, field_name = case.source
    fast_account, general_account = _fresh_account(app, case), _fresh_account(app, case)

    calls = []
    with monkeypatch.context() as spy:
        spy.setattr(ListImport, "_import_batch", lambda self, batch: calls.append(batch))
        fast_list, fast_report = _run(app, fast_account, NumbersSource(_text(case), field_name),
                                      case.preload_ratio)
    assert calls == []  # the fast path took every candidate

    attribute = SOURCES[case.source]
    general = ContactsSource([Contact(**{attribute: t}) for t in case.tokens])
    general_list, general_report = _run(app, general_account, general)

    assert fast_report == general_report
    assert _state(app, fast_account, fast_list) == _state(app, general_account, general_list)
    return fast_report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_numbers_fast_path_equals_the_general_path(app, monkeypatch, case):
    with monkeypatch.context() as patch:
        _check_equivalence(app, case, patch)


@pytest.mark.parametrize("preload_ratio", [0, 1, 1000])
@pytest.mark.parametrize("source", sorted(SOURCES, key=repr))
def test_numbers_fast_path_fixed_case_touches_every_rule(app, monkeypatch, source, preload_ratio):
    """A case that certainly scrubs, merges (lowest id), blocks and creates, in every
    fieldName form and across batch boundaries."""
    a, b, c, d, e = (_legacy(n) for n in NATIONAL[:5])
    case = SimpleNamespace(
        tokens=[a, "111", "+1" + a[1:], b, c, NATIONAL[3], e, "abc", d, "+447911123456", c, b],
        existing=[Contact(work_phone=d), Contact(mobile_phone=b, home_phone=e), Contact(home_phone=b)],
        dnc=[(c, True), (a, False)], separators=[" "] * 13, source=source, batch=2, numbers_batch=3,
        preload_ratio=preload_ratio,
    )
    report = _check_equivalence(app, case, monkeypatch)
    assert (report.invalid, report.duplicate, report.dnc, report.merged, report.created) == (2, 4, 1, 3, 2)
    assert report.added == 4  # b and e merge into one contact


def test_fast_path_uses_the_lowest_id_and_keeps_members_once(app):
    a, b = (_legacy(n) for n in NATIONAL[:2])
    case = SimpleNamespace(existing=[Contact(home_phone=b), Contact(work_phone=a, mobile_phone=b)], dnc=[])
    account_id = _fresh_account(app, case)
    with app.backend.uow(write=False) as uow:
        low, high = sorted(uow.contacts.query(account_id, Page(10, 0))[1], key=lambda c: c.id)
    list_id, report = _run(app, account_id, NumbersSource(f"{a} {b}"))
    assert (report.merged, report.created, report.added) == (2, 0, 2)
    with app.backend.engine.connect() as conn:
        members = set(conn.execute(
            select(list_members.c.contact_id).where(list_members.c.list_id == list_id)).scalars())
    assert members == {low.id, high.id}


def test_equivalence_without_sqlite_json(app, monkeypatch):
    """SQLite builds without JSON1 use the multi-row statements; same answers."""
    if app.backend.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setattr(list_bulk.sqlite, "has_json", lambda dbapi: False)
    with app.backend.engine.connect() as conn:
        assert not list_bulk.bulk_writer(conn).json
    a, b, c = (_legacy(n) for n in NATIONAL[:3])
    case = SimpleNamespace(tokens=[a, b, "x", a, c, "+1" + c[1:]], existing=[Contact(mobile_phone=b)],
                           dnc=[(a, True)], separators=[","] * 7, source=("workPhone:", None),
                           batch=2, numbers_batch=2, preload_ratio=0)  # the statements probe
    report = _check_equivalence(app, case, monkeypatch)
    assert (report.invalid, report.duplicate, report.dnc, report.merged, report.created) == (1, 2, 1, 1, 1)


# -- the bulk lookups against a model of their rule --------------------------------------------
@settings(max_examples=25, deadline=None)
@given(entries=st.lists(st.tuples(st.sampled_from(NATIONAL[:12]), st.booleans(), st.booleans()), max_size=12),
       asked=st.lists(st.sampled_from(NATIONAL[:15] + ["x'y", "\u00e9\U0001f600"]), max_size=20))
def test_blocked_numbers_equals_the_dnc_repository(app, entries, asked):
    account_id = create_account(app.backend.uow, "dnc-" + uuid.uuid4().hex[:12], "pw")
    for number, call_dnc, text_dnc in entries:
        add_dnc(app, SimpleNamespace(id=account_id), [number], call_dnc=call_dnc, text_dnc=text_dnc)
    with app.backend.uow(write=False) as uow:
        expected = DncRepository(uow.conn).blocked_numbers(account_id, asked)
        assert uow.lists.blocked_numbers(account_id, asked) == expected
    assert expected == {n for n, call_dnc, text_dnc in entries if n in asked and (call_dnc or text_dnc)}


@settings(max_examples=25, deadline=None)
@given(holders=st.lists(st.tuples(st.sampled_from(COLUMNS), st.sampled_from(NATIONAL[:10])), max_size=12),
       asked=st.lists(st.sampled_from(NATIONAL[:14] + ["\u00e9"]), max_size=20))
def test_contact_ids_by_number_finds_the_lowest_id_holder(app, holders, asked):
    account_id = create_account(app.backend.uow, "ids-" + uuid.uuid4().hex[:12], "pw")
    with app.backend.uow() as uow:
        ids = uow.contacts.add_many(account_id, [Contact(**{column: n}) for column, n in holders])
        uow.commit()
    expected: dict[str, int] = {}
    for contact_id, (_, number) in zip(ids, holders, strict=True):
        if number in asked:
            expected[number] = min(contact_id, expected.get(number, contact_id))
    with app.backend.uow(write=False) as uow:
        assert uow.lists.contact_ids_by_number(account_id, asked) == expected


# -- tokens and normalisation ------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.sampled_from(" ,\t\n\r\x0b\x1c\x85\u00a0\u2028\u3000ab1+") | st.characters(), max_size=80),
       start=st.integers(0, 5), slice_size=st.integers(1, 6))
def test_number_tokens_are_the_regex_tokens(monkeypatch, text, start, slice_size):
    from callfire_soap.services import list_sources

    with monkeypatch.context() as patch:
        patch.setattr(list_sources, "_SLICE", slice_size)
        assert list(number_tokens(text, start)) == re.findall(r"[^\s,]+", text[start:])


def test_numbers_tokens_checks_the_field_up_front():
    from callfire_soap.domain.errors import BadRequest

    for source in (NumbersSource("1", "fax"), NumbersSource("faxPhone: 1"),
                   NumbersSource("workPhone:1", "mobilePhone")):
        with pytest.raises(BadRequest):
            parse_numbers_source(source)
    assert parse_numbers_source(NumbersSource("workPhone:1,2", "homePhone"))[0] == "work_phone"


canonical = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=12),
    st.integers(0, 10**10 - 1).map(lambda n: f"1{n:010d}"),
    st.sampled_from(["1246521", "1868", "1213221", "1800", "1900"]).flatmap(
        lambda p: st.integers(0, 10 ** (11 - len(p)) - 1).map(lambda n: f"{p}{n:0{11 - len(p)}d}")),
    st.text(max_size=14),
)


@settings(max_examples=2000, deadline=None)
@given(raws=st.lists(canonical, max_size=8), region=st.sampled_from(["US", "CA", "BB", "GB", "DE"]))
def test_normalize_all_equals_normalize(raws, region):
    expected = [normalize(raw, region) for raw in raws]
    assert normalize_all(raws, region) == expected
    # Whatever the memo holds, the batch answer never disagrees with the single one.
    assert all(got is None or got == one
               for one, got in zip(expected, nanp.fast_valid_all(raws, region), strict=True))
