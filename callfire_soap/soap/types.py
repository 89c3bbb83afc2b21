"""spyne wire types of the request elements, in the legacy namespaces.

Only requests are deserialized by spyne. Responses are declared here so that each
operation names its output element, but they are written by writers.py.
"""
from spyne import Boolean, ByteArray, ComplexModel, Long, Unicode, XmlAttribute, XmlData

from .namespaces import DATA, SVC


class Contact(ComplexModel):
    """data:Contact. Custom fields (anyAttribute) are collected by the protocol into
    ``custom_fields``; ``present`` holds the names of the attributes the client sent."""

    __namespace__ = DATA
    id = XmlAttribute(Long)
    firstName = XmlAttribute(Unicode)
    lastName = XmlAttribute(Unicode)
    zipcode = XmlAttribute(Unicode)
    homePhone = XmlAttribute(Unicode)
    workPhone = XmlAttribute(Unicode)
    mobilePhone = XmlAttribute(Unicode)
    externalId = XmlAttribute(Unicode)
    externalSystem = XmlAttribute(Unicode)


def _contacts():
    return Contact.customize(max_occurs="unbounded", sub_ns=DATA)


class IdRequest(ComplexModel):
    __namespace__ = SVC
    Id = Long


class Query(ComplexModel):
    __namespace__ = SVC
    MaxResults = Long
    FirstResult = Long


class QueryContacts(ComplexModel):
    __namespace__ = SVC
    MaxResults = Long
    FirstResult = Long
    Field = Unicode
    ContactListId = Long
    String = Unicode


class UpdateContacts(ComplexModel):
    __namespace__ = SVC
    Contact = _contacts()


class RemoveContacts(ComplexModel):
    __namespace__ = SVC
    ContactId = Unicode  # svc:IdList


class GetContactHistory(ComplexModel):
    __namespace__ = SVC
    MaxResults = Long
    FirstResult = Long
    ContactId = Long


class Numbers(ComplexModel):
    """svc:ContactSource/Numbers: a PhoneNumberList with a fieldName attribute."""

    __namespace__ = SVC
    fieldName = XmlAttribute(Unicode)
    value = XmlData(Unicode)


class ContactSource(ComplexModel):
    __namespace__ = SVC
    Contact = _contacts()
    ContactId = Unicode  # svc:IdList
    File = ByteArray
    Numbers = Numbers


class CreateContactList(ComplexModel):
    __namespace__ = SVC
    RequestId = Unicode
    Name = Unicode
    Validate = Boolean
    ContactSource = ContactSource


class ContactListRequest(ComplexModel):
    __namespace__ = SVC
    ContactListId = Long
    Validate = Boolean
    ContactSource = ContactSource


class RemoveContactsFromList(ComplexModel):
    __namespace__ = SVC
    ContactListId = Long
    ContactId = Unicode
    Numbers = Unicode


class QueryDncNumbersRequest(ComplexModel):
    __namespace__ = SVC
    MaxResults = Long
    FirstResult = Long
    Prefix = Unicode
    DncListId = Long
    DncListName = Unicode
    CallDnc = Boolean
    TextDnc = Boolean


class UpdateDncNumberRequest(ComplexModel):
    __namespace__ = SVC
    Number = Unicode
    CallDnc = Boolean
    TextDnc = Boolean


class QueryDncListsRequest(ComplexModel):
    __namespace__ = SVC
    MaxResults = Long
    FirstResult = Long
    CampaignId = Long
    Name = Unicode


class CreateDncListRequest(ComplexModel):
    __namespace__ = SVC
    Name = Unicode
    CampaignId = Long
    CallDnc = Boolean
    TextDnc = Boolean
    Numbers = Unicode


class DncNumbersRequest(ComplexModel):
    __namespace__ = SVC
    Id = Long
    CallDnc = Boolean
    TextDnc = Boolean
    Numbers = Unicode


# -- response element types (names only; writers.py produces the XML) -------------------
class ContactQueryResult(ComplexModel):
    __namespace__ = SVC


class ContactHistory(ComplexModel):
    __namespace__ = DATA


class ContactList(ComplexModel):
    __namespace__ = DATA


class ContactListQueryResult(ComplexModel):
    __namespace__ = SVC


class DncList(ComplexModel):
    __namespace__ = DATA


class QueryDncNumbersResponse(ComplexModel):
    __namespace__ = SVC


class QueryDncListsResponse(ComplexModel):
    __namespace__ = SVC


CreatedId = Long
