"""The lean decoders of soap/spyne_binding.py against spyne's decoding, over the operation
table: for every operation whose request message holds scalars only, every schema-valid
request element the lean decoder reads must give the message spyne gives."""
from __future__ import annotations

import dataclasses
import typing
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from callfire_soap.faults import ServiceFault
from callfire_soap.namespaces import SVC
from callfire_soap.operations import OPERATIONS, by_name
from callfire_soap.soap.endpoint import PARSER_OPTIONS
from callfire_soap.soap.spyne_binding import _DECLINE, SpyneBinding
from callfire_soap.soap.validation import RequestValidator

BINDING = SpyneBinding(OPERATIONS)
VALIDATOR = RequestValidator()
PARSER = etree.XMLParser(**PARSER_OPTIONS)
LEAN = [op for op in OPERATIONS if op.message in BINDING._lean]

# Lexical forms the schema accepts, and some it does not (those requests never reach decode).
LONGS = ["0", "7", "007", "+7", " 7", "7 ", "\n7\t", "-0", "-3", "9223372036854775807", "922337203685477580",
         "123456789012345678", "9223372036854775808", "1_0", "", "x", "٣"]
BOOLEANS = ["true", "false", "1", "0", " true", "false ", "TRUE", "yes", ""]
STRINGS = ["abc", " a b ", "", " ", "é", "a&amp;b", "&lt;x&gt;", "<![CDATA[c d]]>", "1213 1214", "\n", "x\r\ny"]


def _fields(message):
    hints = typing.get_type_hints(message)
    out = []
    for f in dataclasses.fields(message):
        kind = [a for a in typing.get_args(hints[f.name]) if a is not type(None)][0]
        out.append((f.name, kind))
    return out


def _values(kind):
    return st.sampled_from({int: LONGS, bool: BOOLEANS, str: STRINGS}[kind])


@st.composite
def request_elements(draw, operation):
    children = []
    for name, kind in _fields(operation.message):
        if draw(st.integers(0, 3)) == 0:
            continue  # absent
        raw = draw(_values(kind))
        raw = raw if raw.startswith(("<!", "&")) or "&" in raw else escape(raw)
        children.append(f"<s:{name}>{raw}</s:{name}>" if draw(st.booleans()) or raw else f"<s:{name}/>")
    tag = operation.request_element
    return f'<s:{tag} xmlns:s="{SVC}">{"".join(children)}</s:{tag}>'.encode()


def _validated(xml: bytes):
    element = etree.fromstring(xml, PARSER)
    try:
        VALIDATOR(element)
    except ServiceFault:
        return None
    return element


@pytest.mark.parametrize("operation", LEAN, ids=lambda op: op.name)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_the_lean_decoder_reads_is_what_spyne_reads(operation, data):
    element = _validated(data.draw(request_elements(operation)))
    if element is None:
        return  # the endpoint refuses it before decoding
    lean = BINDING._lean[operation.message](element)
    try:
        spyne = BINDING.decode_with_spyne(operation, element)
    except ServiceFault:
        assert lean is _DECLINE
        return
    if lean is not _DECLINE:
        assert lean == spyne


def test_the_hot_reads_have_lean_decoders():
    names = {op.name for op in LEAN}
    assert {"GetContact", "QueryContacts", "GetContactHistory", "GetContactList", "GetDncList", "QueryDncNumbers",
            "QueryDncLists"} <= names
    # Anything with a nested element or a file goes to spyne.
    assert not names & {"UpdateContacts", "CreateContactList", "AddContactsToList"}


@pytest.mark.parametrize("xml, expected", [
    (b"<s:GetContact xmlns:s='%s'><s:Id>42</s:Id></s:GetContact>", 42),
    (b"<s:GetContact xmlns:s='%s'><s:Id>0042</s:Id></s:GetContact>", 42),
])
def test_plain_requests_take_the_lean_path(xml, expected):
    element = _validated(xml.replace(b"%s", SVC.encode()))
    message = BINDING._lean[by_name("GetContact").message](element)
    assert message is not _DECLINE and message.Id == expected
    assert BINDING.decode(by_name("GetContact"), element) == BINDING.decode_with_spyne(by_name("GetContact"), element)


@pytest.mark.parametrize("xml", [
    b"<s:GetContact xmlns:s='%s'><s:Id> 42 </s:Id></s:GetContact>",
    b"<s:GetContact xmlns:s='%s'><s:Id>+42</s:Id></s:GetContact>",
    b"<s:GetContact xmlns:s='%s' xmlns:i='http://www.w3.org/2001/XMLSchema-instance'>"
    b"<s:Id i:type='s:x'>42</s:Id></s:GetContact>",
    b"<s:GetContact xmlns:s='%s'><s:Id>42</s:Id><s:Id>43</s:Id></s:GetContact>",
    b"<s:GetContact xmlns:s='%s'><s:Other>42</s:Other></s:GetContact>",
    b"<s:GetContact xmlns:s='%s' a='1'><s:Id>42</s:Id></s:GetContact>",
])
def test_other_forms_are_left_to_spyne(xml):
    element = etree.fromstring(xml.replace(b"%s", SVC.encode()), PARSER)
    assert BINDING._lean[by_name("GetContact").message](element) is _DECLINE
