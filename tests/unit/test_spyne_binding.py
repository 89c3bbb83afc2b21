"""Pins every spyne internal that soap/spyne_binding.py relies on, so that a spyne upgrade
that changes one fails here rather than on the wire."""
from __future__ import annotations

import base64
import inspect

import pytest
import spyne
from lxml import etree
from spyne.model.binary import ByteArray
from spyne.protocol.xml import XmlDocument

from callfire_soap.faults import ServiceFault
from callfire_soap.namespaces import DATA, SVC
from callfire_soap.operations import OPERATIONS, by_name
from callfire_soap.operations import messages as m
from callfire_soap.soap.spyne_binding import SPYNE_VERSION, SpyneBinding


@pytest.fixture(scope="module")
def binding():
    return SpyneBinding(OPERATIONS)


def _element(xml: str) -> etree._Element:
    return etree.fromstring(xml.replace("SVC", SVC).replace("DATA", DATA))


def test_spyne_is_the_pinned_release():
    assert spyne.__version__ == SPYNE_VERSION


def test_the_internals_the_binding_uses_exist_with_their_signatures():
    assert list(inspect.signature(XmlDocument.from_element).parameters) == ["self", "ctx", "cls", "element"]
    assert list(inspect.signature(XmlDocument.complex_from_element).parameters) == ["self", "ctx", "cls", "elt"]
    assert list(inspect.signature(XmlDocument.byte_array_from_element).parameters) == \
        ["self", "ctx", "cls", "element"]


def test_the_method_map_is_keyed_by_request_element(binding):
    assert binding.request_elements() == {"{%s}%s" % (SVC, op.request_element) for op in OPERATIONS}
    descriptors = binding.application.interface.service_method_map["{%s}GetContact" % SVC]
    assert len(descriptors) == 1 and descriptors[0].in_message is not None


def test_decode_contacts_with_custom_fields_and_cleared_attributes(binding):
    element = _element('<u:UpdateContacts xmlns:u="SVC" xmlns:d="DATA">'
                       '<d:Contact id="7" firstName="Ann" homePhone="" team="blue"/>'
                       '<d:Contact id="8" lastName="Lee"/></u:UpdateContacts>')
    message = binding.decode(by_name("UpdateContacts"), element)
    assert isinstance(message, m.UpdateContacts)
    first, second = message.Contact
    assert first.id == 7 and first.custom == {"team": "blue"}
    assert first.declared["firstName"] == "Ann" and "homePhone" in first.declared
    assert "lastName" not in first.declared
    assert second == m.WireContact(id=8, declared={"lastName": "Lee"}, custom={})


def test_decode_scalars_and_absent_fields(binding):
    element = _element('<q:QueryDncNumbersRequest xmlns:q="SVC"><q:MaxResults>5</q:MaxResults>'
                       '<q:CallDnc>false</q:CallDnc></q:QueryDncNumbersRequest>')
    message = binding.decode(by_name("QueryDncNumbers"), element)
    assert message == m.QueryDncNumbers(MaxResults=5, CallDnc=False)


def test_decode_a_contact_source_of_numbers_and_file(binding):
    numbers = _element('<c:CreateContactList xmlns:c="SVC"><c:Name>n</c:Name><c:ContactSource>'
                       '<c:Numbers fieldName="workPhone">1213 1214</c:Numbers></c:ContactSource>'
                       '</c:CreateContactList>')
    message = binding.decode(by_name("CreateContactList"), numbers)
    assert message.ContactSource.Numbers == m.SourceNumbers(value="1213 1214", fieldName="workPhone")
    assert message.ContactSource.Contact == [] and message.Validate is None
    csv = base64.b64encode(b"homePhone\n12132212384\n").decode()
    file = _element(f'<c:AddContactsToList xmlns:c="SVC"><c:ContactListId>3</c:ContactListId>'
                    f'<c:ContactSource><c:File>{csv}</c:File></c:ContactSource></c:AddContactsToList>')
    message = binding.decode(by_name("AddContactsToList"), file)
    assert message.ContactListId == 3 and message.ContactSource.File == b"homePhone\n12132212384\n"


@pytest.mark.parametrize("text", [None, "", "aGVsbG8=", "aGVs\nbG8=\n", "  aGVsbG8gd29ybGQ=  ", "QQ=="])
def test_file_base64_decoding_matches_spyne(binding, text):
    """The binding decodes svc:File itself (spyne's decoder needs ~8 bytes per base64
    character); both must give the same value."""
    element = etree.Element("{%s}File" % SVC)
    element.text = text
    ours = binding.application.in_protocol.byte_array_from_element(None, ByteArray, element)
    expected = None if element.text is None else ByteArray.from_base64(element.text)
    assert ours == expected


def test_a_value_spyne_cannot_read_is_a_bad_request(binding):
    element = _element('<g:GetContact xmlns:g="SVC"><g:Id>twelve</g:Id></g:GetContact>')
    with pytest.raises(ServiceFault) as excinfo:
        binding.decode(by_name("GetContact"), element)
    assert excinfo.value.fault_code == "BAD_REQUEST"
