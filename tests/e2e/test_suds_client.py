"""suds (suds-community), the SOAP client of many older Python integrations, across all 19
operations. suds speaks SOAP 1.1 only, so it uses the SOAP 1.1 WSDL (/api/1.1/soap/contact?wsdl);
the messages and types are the legacy ones."""
import uuid

import pytest

suds_client = pytest.importorskip("suds.client")
from suds import WebFault  # noqa: E402


def _items(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _fault_code(call) -> str | None:
    try:
        call()
    except WebFault as fault:
        return fault.fault.detail.ServiceFaultInfo.FaultCode
    return None


@pytest.fixture
def suds(server, account):
    client = suds_client.Client(server + "/api/1.1/soap/contact?wsdl", username=account.login,
                                password=account.password, cache=None)
    return client


def test_suds_session_over_all_operations(suds):
    s = suds.service
    tag = uuid.uuid4().hex[:8]
    assert len(suds.wsdl.services[0].ports[0].methods) == 19

    # suds cannot fill the fieldName attribute of Numbers (simple content with an attribute
    # inside an xs:choice); the default, homePhone, is what suds users get.
    list_id = s.CreateContactList(RequestId=f"urn:suds:{tag}", Name=f"suds {tag}", Validate=True,
                                  ContactSource={"Numbers": "12132212384 12132212385"})
    assert list_id > 0
    assert s.CreateContactList(RequestId=f"urn:suds:{tag}", Name="again",
                               ContactSource={"Numbers": "12132212399"}) == list_id
    info = s.GetContactList(Id=list_id)
    assert (info.Name, int(info.Size), info.Status) == (f"suds {tag}", 2, "ACTIVE")
    assert list_id in [item._id for item in _items(s.QueryContactLists(MaxResults=100).ContactList)]

    members = _items(s.QueryContacts(ContactListId=list_id).Contact)
    assert sorted(m._homePhone for m in members) == ["12132212384", "12132212385"]
    first, second = members[0]._id, members[1]._id
    s.UpdateContacts(Contact=[{"_id": first, "_firstName": "Suds"}])
    # suds's unmarshaller drops the attributes of a reply whose part element has attributes
    # only (data:Contact): the message carries them, so read them from the message.
    s.GetContact(Id=first)
    contact = suds.last_received().getChild("Envelope").getChild("Body").getChild("Contact")
    assert contact.get("firstName") == "Suds" and contact.get("id") == str(first)
    assert [c._firstName for c in _items(s.QueryContacts(Field="firstName", String="Suds").Contact)] == ["Suds"]
    assert not _items(getattr(s.GetContactHistory(ContactId=first), "Call", None))

    s.AddContactsToList(ContactListId=list_id, ContactSource={"Numbers": "12132212386"})
    assert int(s.GetContactList(Id=list_id).Size) == 3
    s.RemoveContactsFromList(ContactListId=list_id, ContactId=str(second))
    assert int(s.GetContactList(Id=list_id).Size) == 2
    s.DeleteContactList(Id=list_id)
    assert s.GetContactList(Id=list_id).Status == "DELETED"
    s.RemoveContacts(ContactId=str(second))
    assert _fault_code(lambda: s.GetContact(Id=second)) == "NOT_FOUND"

    dnc = s.CreateDncList(Name=f"dnc {tag}", Numbers="12135550100 12135550101")
    assert s.GetDncList(Id=dnc).Size == 2
    assert [d._id for d in _items(s.QueryDncLists(Name=f"dnc {tag}").DncList)] == [dnc]
    s.AddNumbersToDncList(Id=dnc, CallDnc=True, TextDnc=True, Numbers="12135550102")
    assert s.QueryDncNumbers(DncListId=dnc, Prefix="1213555").TotalResults == 3
    s.UpdateDncNumber(Number="12135550100", TextDnc=False)
    updated = _items(s.QueryDncNumbers(DncListId=dnc, TextDnc=False).DncNumber)
    assert [n.Number for n in updated] == ["12135550100"]
    s.RemoveNumbersFromDncList(Id=dnc, Numbers="12135550101")
    assert s.GetDncList(Id=dnc).Size == 2
    s.DeleteDncList(Id=dnc)
    assert _fault_code(lambda: s.GetDncList(Id=dnc)) == "NOT_FOUND"
    assert _fault_code(lambda: s.GetContact(Id=987654321)) == "NOT_FOUND"
