"""Values the storage cannot hold, or a legacy client could not read back, are refused or
normalised before anything is written (found by review: they used to end as UNAVAILABLE on
PostgreSQL, or as responses that fail the legacy XSD)."""
import pytest
import zeep

from callfire_soap.domain.contacts import Contact


def _code(excinfo):
    return excinfo.value.detail.findtext("{http://api.callfire.com/service/xsd}ServiceFaultInfo/"
                                         "{http://api.callfire.com/service/xsd}FaultCode")


def test_over_long_numbers_are_bad_requests(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="long")])
    C = service.client.get_element("{http://api.callfire.com/data}Contact")
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.UpdateContacts(Contact=[C(id=cid, workPhone="1" * 70)])
    assert _code(excinfo) == "BAD_REQUEST"
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.CreateContactList(Name="raw", Validate=False, ContactSource={
            "Numbers": {"_value_1": ["2" * 70], "fieldName": "homePhone"}})
    assert _code(excinfo) == "BAD_REQUEST"
    assert service.QueryContactLists().TotalResults == 0
    # with validation on, such a token is just an invalid number: scrubbed
    kept = service.CreateContactList(Name="validated", ContactSource={
        "Numbers": {"_value_1": ["2" * 70, "13105559001"], "fieldName": "homePhone"}})
    assert service.GetContactList(Id=kept).Size == 1


def test_request_id_is_limited_in_bytes(service):
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.CreateContactList(RequestId="urn:" + "é" * 1000, Name="x",
                                  ContactSource={"ContactId": []})
    assert _code(excinfo) == "BAD_REQUEST"


def test_validate_false_keeps_what_the_wire_type_can_carry(service):
    list_id = service.CreateContactList(Name="as given", Validate=False, ContactSource={
        "Numbers": {"_value_1": ["555-0100", "111", "(213)-x"], "fieldName": "homePhone"}})
    phones = sorted(c.homePhone or "" for c in service.QueryContacts(ContactListId=list_id).Contact)
    # formatting dropped; "(213)-x" cannot be a data:PhoneNumber at all: the contact has none
    assert phones == ["", "111", "5550100"]


def test_empty_phone_attribute_clears_the_number(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="clear", home_phone="12132212384", work_phone="12132212385")])
    C = service.client.get_element("{http://api.callfire.com/data}Contact")
    service.UpdateContacts(Contact=[C(id=cid, homePhone="")])
    contact = service.GetContact(Id=cid)
    assert contact.homePhone is None and contact.workPhone == "12132212385"
