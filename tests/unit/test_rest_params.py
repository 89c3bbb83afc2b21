"""The REST parameter decoder on its own: encodings in, request messages out (no server)."""
from __future__ import annotations

import pytest

from callfire_soap.domain.errors import BadRequest
from callfire_soap.operations import messages as m
from callfire_soap.operations.checks import check_message, check_schema_rules
from callfire_soap.rest.params import (
    UnsupportedMediaType,
    body_pairs,
    decoder,
    parse_bool,
    parse_long,
    parse_multipart,
    query_pairs,
)

FORM = "application/x-www-form-urlencoded"


def decode(message, body: bytes = b"", query: str = "", content_type: str = FORM, path=None):
    return decoder(message)(query_pairs(query) + body_pairs(body, content_type), path)


def test_scalars_by_field_type():
    got = decode(m.QueryContacts, b"MaxResults=5&FirstResult=+2&Field=homePhone&String=555", "ContactListId=7")
    assert got == m.QueryContacts(MaxResults=5, FirstResult=2, Field="homePhone", ContactListId=7, String="555")


def test_names_are_case_insensitive_and_unknown_ones_ignored():
    got = decode(m.QueryContacts, query="maxresults=3&CONTACTLISTID=4&Bogus=1&[x]=2&MaxResults[a]=9")
    assert (got.MaxResults, got.ContactListId) == (3, 4)


def test_empty_values_mean_absent_except_booleans():
    got = decode(m.CreateContactList, b"Name=&RequestId=&Validate=&Numbers=")
    assert got.Name is None and got.RequestId is None and got.ContactSource is None
    assert got.Validate is False


@pytest.mark.parametrize("text, value", [("true", True), ("True", True), ("TRUE", True), ("1", True),
                                         ("false", False), ("False", False), ("0", False), ("", False),
                                         (" true ", True)])
def test_boolean_spellings(text, value):
    assert parse_bool("Validate", text) is value


@pytest.mark.parametrize("text", ["yes", "2", "on", "t"])
def test_other_boolean_spellings_are_bad_requests(text):
    with pytest.raises(BadRequest):
        parse_bool("Validate", text)


@pytest.mark.parametrize("text", ["abc", "1.5", "", "9223372036854775808", "0x10", "1e3"])
def test_longs_must_be_decimal_and_in_range(text):
    with pytest.raises(BadRequest):
        parse_long("Id", text)
    assert parse_long("Id", "-9223372036854775808") == -(2**63)


@pytest.mark.parametrize("body", [
    b"ContactId=1+2+3",  # PHP / C#: spaces
    b"ContactId=1%2C2,3",  # R5: commas
    b"ContactId=1&ContactId=2&ContactId=3",  # Java / Node: repeated
    b"ContactId%5B0%5D=1&ContactId%5B1%5D=2&ContactId[2]=3",  # PHP arrays
    b"ContactId[]=1&ContactId[]=2 3",
])
def test_id_lists_in_every_form(body):
    got = decode(m.RemoveContacts, body)
    assert got.ContactId.replace(",", " ").split() == ["1", "2", "3"]


def test_contact_groups_with_custom_fields_in_index_order():
    body = (b"Contact%5B1%5D%5Bid%5D=2&Contact%5B1%5D%5BC%5D=data+3&Contact[0][id]=1&Contact[0][firstName]=Al"
            b"&Contact[0][homePhone]=&Contact[0][A]=x&Contact[10][id]=3")
    got = decode(m.UpdateContacts, body)
    assert [c.id for c in got.Contact] == [1, 2, 3]
    first = got.Contact[0]
    assert first.declared == {"firstName": "Al", "homePhone": ""}  # empty: clears the field
    assert first.custom == {"A": "x"} and got.Contact[1].custom == {"C": "data 3"}


def test_the_2013_contact_syntax():
    got = decode(m.UpdateContacts, b"contact=id%3A1%3BfirstName%3AJohn%3Bcolour%3Ablue&contact=id%3A2%3BlastName%3ADoe")
    assert [(c.id, c.declared, c.custom) for c in got.Contact] == [
        (1, {"firstName": "John"}, {"colour": "blue"}), (2, {"lastName": "Doe"}, {})]


def test_source_parameters_are_flattened():
    got = decode(m.ContactListRequest, b"Numbers=1+2&Numbers%5BfieldName%5D=mobilePhone&Validate=True",
                 path={"ContactListId": "9"})
    assert got.ContactListId == 9 and got.Validate is True
    assert got.ContactSource == m.Source(Numbers=m.SourceNumbers("1 2", "mobilePhone"))


def test_the_path_wins_over_a_parameter_of_the_same_name():
    got = decode(m.ContactListRequest, b"ContactListId=1&ContactId=5", path={"ContactListId": "2"})
    assert got.ContactListId == 2


def test_source_precedence_contact_numbers_contactid_file():
    got = decode(m.CreateContactList, b"Name=n&File=a,b&ContactId=-1&Numbers=1&Contact[0][firstName]=x")
    check_message(got)  # the losing ContactId is dropped before ids are checked
    assert got.ContactSource.Contact and got.ContactSource.Numbers is None
    assert got.ContactSource.ContactId is None and got.ContactSource.File is None
    only_ids = decode(m.CreateContactList, b"Name=n&File=a&ContactId=4")
    check_message(only_ids)
    assert only_ids.ContactSource == m.Source(ContactId="4")


def test_charset_parameter_and_utf8_default():
    assert decode(m.CreateDncList, b"Name=Caf%E9", content_type=FORM + "; charset=ISO-8859-1").Name == "Café"
    assert decode(m.CreateDncList, b"Name=Caf%C3%A9").Name == "Café"
    assert decode(m.CreateDncList, "Name=Café".encode()).Name == "Café"
    assert decode(m.CreateDncList, query="Name=Caf%C3%A9").Name == "Café"
    with pytest.raises(BadRequest):
        decode(m.CreateDncList, b"Name=Caf%E9")


def test_foreign_media_types_are_refused():
    with pytest.raises(UnsupportedMediaType):
        body_pairs(b"{}", "application/json")
    assert body_pairs(b"", "application/json") == []  # no body, nothing to refuse


def test_multipart_file_and_literal_text_parts():
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"File\"; filename=\"c.csv\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\nhomePhone\r\n12132212384\r\n\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"Name\"\r\n"
            b"Content-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n\r\nApi+list%20\xe9\r\n"
            b"--XyZ--\r\n")
    assert parse_multipart(body, "XyZ") == [("File", b"homePhone\r\n12132212384\r\n"), ("Name", "Api+list%20é")]
    got = decode(m.CreateContactList, body, content_type="multipart/form-data; boundary=XyZ")
    assert got.Name == "Api+list%20é" and got.ContactSource.File == b"homePhone\r\n12132212384\r\n"


@pytest.mark.parametrize("body, boundary", [
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n", "XyZ"),  # unclosed
    (b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", "XyZ"),  # no name
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--", "XyZ"),  # no header end
    (b"garbage", "XyZ"),
    (b"--XyZ--", None),
])
def test_malformed_multipart_is_a_bad_request(body, boundary):
    with pytest.raises(BadRequest):
        parse_multipart(body, boundary)


def test_file_as_a_plain_form_field():
    got = decode(m.CreateContactList, b"Name=n&File=System.Byte%5b%5d")
    assert got.ContactSource.File == b"System.Byte[]"


@pytest.mark.parametrize("message, body, path", [
    (m.CreateContactList, b"Numbers=1", None),
    (m.CreateContactList, b"Name=x", None),
    (m.RemoveContactsFromList, b"", {"ContactListId": "1"}),
    (m.DncNumbersRequest, b"CallDnc=true", {"Id": "1"}),
    (m.CreateDncList, b"Numbers=1", None),
    (m.UpdateContacts, b"Contact[0][id]=1&Contact[0][homePhone]=12-34", None),
])
def test_schema_rules_required_fields_and_phone_patterns(message, body, path):
    with pytest.raises(BadRequest):
        check_schema_rules(decode(message, body, path=path))


def test_an_empty_remove_contacts_is_allowed():
    got = decode(m.RemoveContacts, b"")
    check_schema_rules(got)
    assert got.ContactId is None
