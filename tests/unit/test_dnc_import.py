"""dnc import (services/dnc_import.py) and the exports (services/export.py) on the fakes."""
from __future__ import annotations

import io

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.dnc import Flags
from callfire_soap.domain.errors import BadRequest, NotFound
from callfire_soap.services import dnc_import, export, text_lines
from callfire_soap.services.dnc import create_dnc_list
from callfire_soap.services.list_sources import FileSource
from callfire_soap.services.lists import create_list

A, B, C = "12132212384", "12132212385", "12132212386"


def _scan(text: str, chunk: int = 7, **options):
    """scan() over the text cut into small chunks (lines and characters straddle them)."""
    data = text.encode() if isinstance(text, str) else text
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    spool = io.StringIO()
    rejects = []
    found = dnc_import.scan(chunks, spool, on_reject=rejects.append, **options)
    entries = list(dnc_import.spooled_entries([spool.getvalue().encode()]))
    return found, entries, rejects


def _import(uow_factory, account_id, name, text, **options):
    existing = dnc_import.resolve_list(uow_factory, account_id, name)
    found, entries, _ = _scan(text, **options)
    return dnc_import.store(uow_factory, account_id, name, existing, entries, found)


def _entries(uow_factory, account_id, list_id):
    with uow_factory(write=False) as uow:
        return {e.number: Flags(e.call_dnc, e.text_dnc) for e in uow.dnc.iter_numbers(account_id, list_id)}


def test_one_number_per_line_with_separators_blank_lines_and_a_bom():
    found, entries, rejects = _scan("\ufeff(213) 221-2384\r\n\n+1 213 221 2385\n213.221.2386\n2132212384")
    assert [(seq, number) for seq, number, _, _ in entries] == [(1, A), (3, B), (4, C), (5, A)]
    assert all(call and text for _, _, call, text in entries)  # omitted flags block
    assert (found.read, found.invalid, found.valid, rejects) == (4, 0, 4, [])


def test_invalid_lines_are_reported_with_line_and_reason():
    found, entries, rejects = _scan("2132212384\nabc\n\n555\n2132212385\n")
    assert [(r.line, r.value, r.reason) for r in rejects] == [
        (2, "abc", "not a valid phone number"), (4, "555", "not a valid phone number")]
    assert (found.read, found.invalid, found.valid) == (4, 2, 2)
    message = dnc_import.invalid_message(found)
    assert "2 invalid lines" in message and "line 2: 'abc'" in message


def test_csv_with_number_and_flag_columns():
    text = ('Name;Phone Number;Call_DNC;text-dnc\n"x";2132212384;false;true\n'
            'y;2132212385;;0\nz;2132212386;maybe;1\nw;;true;true\n')
    found, entries, rejects = _scan(text)
    assert entries == [(2, A, False, True), (3, B, True, False)]  # an empty cell: the default
    assert [(r.line, r.reason) for r in rejects] == [(4, "call_dnc 'maybe' is not true or false"), (5, "no number")]


def test_csv_line_numbers_count_multiline_cells():
    found, entries, rejects = _scan('note,number\n"two\nlines",2132212384\nx,bad\n')
    assert entries[0][0] == 3 and rejects[0].line == 4


@pytest.mark.parametrize("text, options, message", [
    ("", {}, "empty"),
    ("\n\n  \n", {}, "empty"),
    ("name,zip\nann,90210\n", {}, "no number column"),
    (b"2132212384\n\x00\x01\x02", {}, "binary"),
    (b"2132212384\n\xff\xfe\n", {}, r"the file is not UTF-8 text \(line 2\)"),
    ("number,call_dnc\n2132212384,true\n", {"call_dnc": False}, "leave out --call-dnc"),
    ("number,text_dnc\n2132212384,true\n", {"text_dnc": True}, "leave out --text-dnc"),
    ('number\n"2132212384\n', {}, "not a valid CSV row"),
])
def test_bad_files_fault_before_anything_is_written(text, options, message):
    with pytest.raises(BadRequest, match=message):
        _scan(text, **options)


def test_a_line_without_end_faults_once_it_outgrows_the_limit(monkeypatch):
    monkeypatch.setattr(text_lines, "MAX_LINE", 100)
    with pytest.raises(BadRequest, match=r"a line longer than 100 characters \(line 2\)"):
        _scan("2132212384\n" + "1" * 500)
    _scan("2132212384\n" + "2" * 100)  # at the limit


def test_options_set_the_flags_of_a_plain_file():
    _, entries, _ = _scan("2132212384\n", call_dnc=False)
    assert entries == [(1, A, False, True)]


def test_store_creates_then_extends_and_counts(uow_factory, account_id):
    first = _import(uow_factory, account_id, " Suppress ", f"{A}\n{B}\n{A}\n")
    assert (first.name, first.created, first.read, first.added, first.duplicates, first.size) == \
        ("Suppress", True, 3, 2, 1, 2)
    second = _import(uow_factory, account_id, "Suppress", f"number,call_dnc,text_dnc\n{A},false,true\n"
                                                          f"{B},true,true\n{C},true,true\n")
    assert (second.list_id, second.created) == (first.list_id, False)
    assert (second.added, second.updated, second.unchanged, second.duplicates, second.size) == (1, 1, 1, 0, 3)
    assert _entries(uow_factory, account_id, first.list_id) == {
        A: Flags(False, True), B: Flags(True, True), C: Flags(True, True)}


def test_a_repeated_number_keeps_its_last_flags(uow_factory, account_id):
    report = _import(uow_factory, account_id, "Last", f"number,call_dnc\n{A},true\n{A},false\n")
    assert (report.added, report.duplicates) == (1, 1)
    assert _entries(uow_factory, account_id, report.list_id) == {A: Flags(False, True)}


def test_an_ambiguous_or_bad_name_faults(uow_factory, account_id, other_account):
    for _ in range(2):
        create_dnc_list(uow_factory, account_id, "Twice")
    with pytest.raises(BadRequest, match="2 DNC lists are named 'Twice'"):
        dnc_import.resolve_list(uow_factory, account_id, "Twice")
    with pytest.raises(BadRequest, match="Name must not be empty"):
        dnc_import.resolve_list(uow_factory, account_id, "  ")
    assert dnc_import.resolve_list(uow_factory, other_account, "Twice") is None  # other accounts' lists


def test_a_list_deleted_between_the_passes_is_not_found(uow_factory, account_id):
    list_id = create_dnc_list(uow_factory, account_id, "Gone")
    existing = dnc_import.resolve_list(uow_factory, account_id, "Gone")
    with uow_factory() as uow:
        uow.dnc.delete_list(account_id, list_id)
        uow.commit()
    found, entries, _ = _scan(f"{A}\n")
    with pytest.raises(NotFound):
        dnc_import.store(uow_factory, account_id, "Gone", existing, entries, found)


def test_dnc_export_then_import_gives_the_same_list(uow_factory, account_id):
    source = _import(uow_factory, account_id, "Source", f"number,call_dnc,text_dnc\n{A},false,true\n"
                                                        f"{B},true,false\n{C},true,true\n")
    out = io.StringIO()
    listed = export.find_dnc_list(uow_factory, account_id, "Source")
    assert export.export_dnc(uow_factory, account_id, out, list_id=listed.id)[1] == 3
    assert out.getvalue().splitlines()[0] == "number,call_dnc,text_dnc"
    copy = _import(uow_factory, account_id, "Copy", out.getvalue())
    assert _entries(uow_factory, account_id, copy.list_id) == _entries(uow_factory, account_id, source.list_id)
    with pytest.raises(NotFound):
        export.find_dnc_list(uow_factory, account_id, "Nope")


def _people(uow_factory, account_id, list_id):
    with uow_factory(write=False) as uow:
        found = list(uow.contacts.iter_contacts(account_id, list_id))
    return sorted((c.first_name, c.home_phone, c.work_phone, c.zipcode, tuple(sorted(c.custom.items())))
                  for c in found)


def test_contacts_export_then_import_gives_the_same_contacts(uow_factory, account_id, other_account):
    csv_text = ("first,last,phone,work,zip,Member Level,Notes\n"
                'Ann,Lee,2132212384,,90210,gold,"multi\nline, quoted"\n'
                "Bob,,2132212385,2132212386,,,x\n")
    list_id = create_list(uow_factory, account_id, "Source", FileSource([csv_text.encode()]))
    uow_factory.add_contacts(account_id, Contact(first_name="NotOnTheList", home_phone="12132212399"))
    out = io.StringIO()
    report = export.write_contacts(uow_factory, account_id, out, list_id=list_id)
    assert report.rows == 2 and report.not_reimportable == []
    assert out.getvalue().splitlines()[0] == ("firstName,lastName,zipcode,homePhone,workPhone,mobilePhone,"
                                              "externalId,externalSystem,Member_Level,Notes")
    copy_id = create_list(uow_factory, other_account, "Copy", FileSource([out.getvalue().encode()]))
    assert _people(uow_factory, other_account, copy_id) == _people(uow_factory, account_id, list_id)
    everything = io.StringIO()
    assert export.write_contacts(uow_factory, account_id, everything).rows == 3


def test_contacts_export_names_custom_fields_an_import_would_misread(uow_factory, account_id):
    uow_factory.add_contacts(account_id, Contact(first_name="A", custom={"Phone": "x", "contactId": "7", "ok": "1"}))
    report = export.write_contacts(uow_factory, account_id, io.StringIO())
    assert report.not_reimportable == ["Phone", "contactId"]


def test_find_contact_list_by_name_or_id(uow_factory, account_id):
    def find_contact_list(**given):
        with uow_factory.snapshot() as uow:
            return export.contact_list_in(uow, account_id, **given)

    first = create_list(uow_factory, account_id, "Same", FileSource([b"2132212384\n"]))
    assert find_contact_list(name="Same").id == first
    assert find_contact_list(list_id=first).id == first
    create_list(uow_factory, account_id, "Same", FileSource([b"2132212385\n"]))
    with pytest.raises(BadRequest, match="give --list-id"):
        find_contact_list(name="Same")
    with pytest.raises(NotFound):
        find_contact_list(list_id=first + 100)
    with pytest.raises(NotFound):
        find_contact_list(name="Other")


@pytest.mark.parametrize("region", ["US", "CA", "GB"])
def test_normalize_values_is_normalize(region):
    from callfire_soap.domain.phone import normalize

    values = ["(213) 555-1007", "213.555.1007", "213-555-1007", "+1 213 555 1007", "1 (213) 555-1007",
              "+1(213)555-1007", "1-213-555-1007", "(123) 555-1007", "(213) 155-1007", "(800) 555-1212",
              "(213)5551007", "+12135551007", "2135551007", "12135551007", "+44 20 7946 0958",
              "(416) 555-0100", "213 555 10077", "(213 555-1007", "+1 (999) 555-1007", "555-1007", "x"]
    assert dnc_import.normalize_values(values, region) == [normalize(value, region) for value in values]
