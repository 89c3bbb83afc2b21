"""Helpers shared by the contact-list tests (test_lists.py, test_list_import.py)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import zeep
from sqlalchemy import insert, select

from callfire_soap.storage.tables import (
    contact_fields,
    contact_lists,
    contacts,
    dnc_lists,
    dnc_numbers,
    list_members,
)

SVC_NS = "{http://api.callfire.com/service/xsd}"


def fault_code_of(excinfo) -> str:
    return excinfo.value.detail.findtext(f"{SVC_NS}ServiceFaultInfo/{SVC_NS}FaultCode")


def expect_fault(code: str, call, *args, **kwargs) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        call(*args, **kwargs)
    assert fault_code_of(excinfo) == code, excinfo.value.message
    return excinfo.value


def numbers_source(numbers, field_name: str | None = None) -> dict:
    value = {"_value_1": list(numbers)}
    if field_name is not None:
        value["fieldName"] = field_name
    return {"Numbers": value}


def list_contacts(service, list_id: int) -> list:
    """Every contact on the list, via QueryContacts(ContactListId=...)."""
    result = service.QueryContacts(ContactListId=list_id)
    return list(result.Contact or [])


def list_numbers(service, list_id: int, field: str = "homePhone") -> list[str]:
    return sorted(getattr(c, field) for c in list_contacts(service, list_id))


def add_dnc(app, account, numbers, call_dnc: bool = True, text_dnc: bool = True) -> int:
    """Put numbers on a new DNC list of the account, straight into the tables (the DNC
    operations are developed separately)."""
    with app.backend.engine.begin() as conn:
        dnc_list_id = conn.execute(
            insert(dnc_lists).returning(dnc_lists.c.id),
            {"account_id": account.id, "name": "test dnc", "created_at": datetime.now(UTC)},
        ).scalar_one()
        conn.execute(insert(dnc_numbers), [
            {"dnc_list_id": dnc_list_id, "account_id": account.id, "number": n,
             "call_dnc": call_dnc, "text_dnc": text_dnc}
            for n in numbers
        ])
    return dnc_list_id


def account_state(app, account) -> dict:
    """Everything the account has in lists and contacts, for before/after comparisons."""
    with app.backend.engine.connect() as conn:
        lists = conn.execute(
            select(contact_lists).where(contact_lists.c.account_id == account.id).order_by(contact_lists.c.id)
        ).all()
        people = conn.execute(
            select(contacts).where(contacts.c.account_id == account.id).order_by(contacts.c.id)
        ).all()
        owned = select(contacts.c.id).where(contacts.c.account_id == account.id)
        fields = conn.execute(
            select(contact_fields).where(contact_fields.c.contact_id.in_(owned))
            .order_by(contact_fields.c.contact_id, contact_fields.c.name)
        ).all()
        members = conn.execute(
            select(list_members).where(list_members.c.contact_id.in_(owned))
            .order_by(list_members.c.list_id, list_members.c.contact_id)
        ).all()
    return {"lists": lists, "contacts": people, "fields": fields, "members": members}


def count_lists(app, account) -> int:
    return len(account_state(app, account)["lists"])
