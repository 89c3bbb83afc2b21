"""String search finds contacts however they arrived: bulk list import, update, seed."""
from callfire_soap.domain.contacts import Contact


def test_imported_contacts_are_searchable_and_single_inserts_still_index(service, account, seed):
    list_id = service.CreateContactList(Name="searchable", ContactSource={
        "Numbers": {"_value_1": ["13105557001", "13105557002", "13105557003"], "fieldName": "homePhone"}})
    members = service.QueryContacts(ContactListId=list_id)
    assert members.TotalResults == 3
    found = service.QueryContacts(String="5557002")
    assert [c.homePhone for c in found.Contact] == ["13105557002"]
    (later,) = seed(account, [Contact(first_name="Zanzibar")])  # the row trigger is active again
    assert [c.id for c in service.QueryContacts(String="nzib").Contact] == [later]
    csv = b"firstName,homePhone,Team\nQuilla,13105557010,Falcons\n"
    service.CreateContactList(Name="csv", ContactSource={"File": csv})
    assert [c.firstName for c in service.QueryContacts(String="falcon").Contact] == ["Quilla"]
