"""Domain rules and the pure parts of the services (no unit of work at all)."""
from __future__ import annotations

import re

import pytest

from callfire_soap.domain import errors
from callfire_soap.domain.contacts import (
    DECLARED_FIELDS,
    MAX_CUSTOM_NAME,
    Contact,
    is_custom_field_name,
    to_custom_field_name,
)
from callfire_soap.domain.dnc import (
    Channels,
    Flags,
    channels_to_remove,
    check_list_name,
    flags_to_add,
    normalize_numbers,
    number_prefix,
)
from callfire_soap.domain.lists import ACTIVE, DELETED, STATUSES
from callfire_soap.domain.paging import MAX_RESULTS_LIMIT, Page
from callfire_soap.services.contacts import check_custom_fields, check_value
from callfire_soap.services.list_sources import (
    FileSource,
    NumbersSource,
    csv_contacts,
    number_tokens,
    parse_numbers_source,
    phone_attribute,
)


# -- paging ----------------------------------------------------------------------------------
@pytest.mark.parametrize("max_results, first_result, expected", [
    (None, None, Page(MAX_RESULTS_LIMIT, 0)),
    (10, 5, Page(10, 5)),
    (0, 0, Page(0, 0)),
    (5000, None, Page(MAX_RESULTS_LIMIT, 0)),
    (MAX_RESULTS_LIMIT, 7, Page(MAX_RESULTS_LIMIT, 7)),
])
def test_page_defaults_and_cap(max_results, first_result, expected):
    assert Page.from_request(max_results, first_result) == expected


@pytest.mark.parametrize("max_results, first_result", [(-1, None), (None, -1), (-5, -5)])
def test_negative_paging_is_bad_request(max_results, first_result):
    with pytest.raises(errors.BadRequest):
        Page.from_request(max_results, first_result)


# -- contacts --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, ok", [
    ("tier", True), ("_x", True), ("a.b-c_1", True), ("n" * MAX_CUSTOM_NAME, True),
    ("n" * (MAX_CUSTOM_NAME + 1), False), ("1abc", False), ("bad name", False), ("", False),
    ("xmlThing", False), ("XMLthing", False), ("id", False), ("firstName", False), ("a:b", False),
])
def test_custom_field_names_are_unprefixed_xml_names(name, ok):
    assert is_custom_field_name(name) is ok


@pytest.mark.parametrize("header, name", [
    ("custom data1", "custom_data1"), ("  F  ", "F"), ("2nd", "_2nd"), ("#", None), ("xml", None),
    ("Zip Code!", "Zip_Code"), ("firstName", None),
])
def test_csv_headers_become_attribute_safe_names(header, name):
    assert to_custom_field_name(header) == name


def test_contact_get_phones_and_search_text():
    contact = Contact(first_name="Ann", home_phone="1", mobile_phone="3", custom={"Tier": "GOLD"})
    assert contact.get("firstName") == "Ann" and contact.get("Tier") == "GOLD" and contact.get("x") is None
    assert contact.phones() == ["1", "3"]
    assert contact.search_text() == "ann\x1f1\x1f3\x1fgold"


def test_declared_fields_cover_every_contact_attribute():
    attributes = set(Contact.__dataclass_fields__) - {"id", "custom"}
    assert set(DECLARED_FIELDS.values()) == attributes


@pytest.mark.parametrize("name, value", [
    ("firstName", "x" * 1025), ("homePhone", "1" * 65), ("G", "a\x00b"),
])
def test_check_value_limits(name, value):
    with pytest.raises(errors.BadRequest):
        check_value(name, value)


def test_check_value_accepts_the_limits_and_none():
    check_value("firstName", "x" * 1024)
    check_value("homePhone", "1" * 64)
    check_value("firstName", None)


@pytest.mark.parametrize("custom", [{"bad name": "v"}, {"ok": "v" * 1025}, {"id": "1"}])
def test_check_custom_fields_rejects(custom):
    with pytest.raises(errors.BadRequest):
        check_custom_fields(custom)


# -- lists -----------------------------------------------------------------------------------
def test_list_statuses_are_the_2014_ones():
    assert ACTIVE in STATUSES and DELETED in STATUSES
    assert "IMPORTING" not in STATUSES and "IMPORT_FAILED" not in STATUSES


@pytest.mark.parametrize("name, cleaned", [("  A ", "A"), ("x" * 255, "x" * 255), ("Ünïcode", "Ünïcode")])
def test_list_names_are_trimmed(name, cleaned):
    assert check_list_name(name) == cleaned


# -- DNC -------------------------------------------------------------------------------------
def test_flag_rules():
    assert flags_to_add(None, None) == Flags(True, True)
    assert flags_to_add(False, None) == Flags(False, True)
    assert channels_to_remove(None, None) == Channels(True, True)
    assert channels_to_remove(True, None) == Channels(True, False)
    assert channels_to_remove(False, False).nothing and Channels(True, True).everything


def test_dnc_numbers_keep_first_seen_order():
    assert normalize_numbers(["2132212385", "12132212384", "+12132212385"]) == ["12132212385", "12132212384"]


@pytest.mark.parametrize("raw, digits", [("+1213", "1213"), (" 1 ", "1"), ("", None), (None, None)])
def test_number_prefix(raw, digits):
    assert number_prefix(raw) == digits


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("error, code, client", [
    (errors.BadRequest, "BAD_REQUEST", True), (errors.NotFound, "NOT_FOUND", True),
])
def test_service_errors_carry_their_fault_code(error, code, client):
    raised = error("message", detail="detail")
    assert (raised.fault_code, raised.client_fault, raised.message, raised.detail) == (
        code, client, "message", "detail")


@pytest.mark.parametrize("conflict", [errors.AccountExists, errors.DuplicateRequestId])
def test_conflicts_are_not_client_faults_of_their_own(conflict):
    assert issubclass(conflict, errors.Conflict)
    assert not issubclass(conflict, errors.ServiceError)


# -- Numbers tokens --------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    None, "", " 1,2\n3\t,, 4 ", "a\u00a0b\u2028c\u3000d", ",,,", "x", "1 ,2, 3,\r\n4",
])
def test_number_tokens_split_on_whitespace_and_commas(text):
    """The one tokeniser of PhoneNumberList values (the legacy docs allow commas too)."""
    assert list(number_tokens(text)) == [token for token in re.split(r"[\s,]+", text or "") if token]


@pytest.mark.parametrize("source, attribute, tokens", [
    (NumbersSource("1 2"), "home_phone", ["1", "2"]),
    (NumbersSource("workPhone:1,2", "homePhone"), "work_phone", ["1", "2"]),
    (NumbersSource("1", "mobilePhone"), "mobile_phone", ["1"]),
    (NumbersSource("", None), "home_phone", []),
])
def test_parse_numbers_source(source, attribute, tokens):
    parsed_attribute, parsed_tokens = parse_numbers_source(source)
    assert (parsed_attribute, list(parsed_tokens)) == (attribute, tokens)


@pytest.mark.parametrize("field_name", ["fax", "firstName", "HOMEPHONE"])
def test_phone_attribute_accepts_only_phone_fields(field_name):
    with pytest.raises(errors.BadRequest):
        phone_attribute(field_name)


@pytest.mark.parametrize("first_line, delimiter_field", [
    ("firstName;homePhone\n", "Ann;1"), ("firstName\thomePhone\n", "Ann\t1"), ("firstName,homePhone\n", "Ann,1"),
])
def test_csv_delimiter_is_the_most_frequent_of_the_first_line(first_line, delimiter_field):
    [contact] = csv_contacts(FileSource([(first_line + delimiter_field + "\n").encode()]))
    assert (contact.first_name, contact.home_phone) == ("Ann", "1")


def test_search_text_holds_every_declared_attribute_in_declared_order():
    """search_text spells the attributes out; a new declared attribute must be added there."""
    values = {attr: f"V{i}" for i, attr in enumerate(DECLARED_FIELDS.values())}
    contact = Contact(**values, custom={"b": "C2", "a": "C1"})
    assert contact.search_text() == "\x1f".join([*values.values(), "C2", "C1"]).lower()
    assert Contact(**{attr: "" for attr in values}).search_text() == ""
