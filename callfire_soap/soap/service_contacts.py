"""ContactService operations on contacts: QueryContacts, UpdateContacts, RemoveContacts,
GetContact, GetContactHistory."""
from spyne import ServiceBase

from ..services import contacts as contact_service
from . import convert, types, writers
from .namespaces import data, svc
from .operations import operation, scope


class ContactOperations(ServiceBase):
    @operation(types.QueryContacts, "QueryContacts", svc("ContactQueryResult"),
               types.ContactQueryResult, writers.write_contact_query_result)
    def QueryContacts(ctx, request):
        s = scope(ctx)
        return contact_service.query_contacts(
            s.backend.uow, s.account_id, convert.page(request),
            list_id=request.ContactListId, field_name=request.Field, text=request.String,
        )

    @operation(types.UpdateContacts, "UpdateContacts")
    def UpdateContacts(ctx, request):
        s = scope(ctx)
        changes = [
            contact_service.ContactChanges(
                id=wire.id,
                declared=convert.declared_attributes(wire),
                custom=convert.custom_attributes(wire),
            )
            for wire in (request.Contact or [])
            if wire.id is not None
        ]
        contact_service.update_contacts(s.backend.uow, s.account_id, changes, s.backend.region)

    @operation(types.RemoveContacts, "RemoveContacts")
    def RemoveContacts(ctx, request):
        s = scope(ctx)
        contact_service.remove_contacts(s.backend.uow, s.account_id, convert.id_list(request.ContactId))

    @operation(types.IdRequest, "GetContact", data("Contact"), types.Contact, writers.write_contact)
    def GetContact(ctx, request):
        s = scope(ctx)
        return contact_service.get_contact(s.backend.uow, s.account_id, request.Id)

    @operation(types.GetContactHistory, "GetContactHistory", data("ContactHistory"),
               types.ContactHistory, writers.write_contact_history)
    def GetContactHistory(ctx, request):
        s = scope(ctx)
        return contact_service.contact_history(
            s.backend.uow, s.account_id, request.ContactId, convert.page(request)
        )
