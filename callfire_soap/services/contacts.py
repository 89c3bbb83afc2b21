"""Contact use cases: query, update, remove, get, history."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..domain.contacts import (
    DECLARED_FIELDS,
    MAX_CUSTOM_FIELDS,
    MAX_VALUE,
    PHONE_FIELDS,
    Contact,
    check_search_text,
    is_custom_field_name,
)
from ..domain.errors import BadRequest, NotFound
from ..domain.history import Action
from ..domain.paging import Page
from ..domain.phone import DEFAULT_REGION, normalize_or_keep
from ..domain.phone import MAX_LENGTH as MAX_PHONE
from .ports import UnitOfWorkFactory
from .retry import rerun_on_conflict


@dataclass
class ContactChanges:
    """The attributes one UpdateContacts element carried for one contact id."""

    id: int
    declared: dict[str, str | None] = field(default_factory=dict)  # wire name -> value
    custom: dict[str, str] = field(default_factory=dict)


def check_value(name: str, value: str | None) -> None:
    limit = MAX_PHONE if name in PHONE_FIELDS else MAX_VALUE
    if value is not None and len(value) > limit:
        raise BadRequest(f"Attribute {name} is longer than {limit} characters")
    if value is not None and "\x00" in value:
        raise BadRequest(f"Attribute {name} contains a NUL character")


def too_many_custom_fields(count: int, what: str = "A contact") -> BadRequest:
    return BadRequest(f"{what} would have {count} custom fields; a contact may have at most "
                      f"{MAX_CUSTOM_FIELDS}")


def check_custom_fields(custom: Mapping[str, str | None]) -> None:
    """Names that can travel as XML attributes, values within the limits, at most
    MAX_CUSTOM_FIELDS of them (every response that lists the contact pays for each)."""
    if len(custom) > MAX_CUSTOM_FIELDS:
        raise too_many_custom_fields(len(custom))
    for name, value in custom.items():
        if not is_custom_field_name(name):
            raise BadRequest(f"{name!r} cannot be used as a custom field name")
        check_value(name, value)


def query_contacts(uow_factory: UnitOfWorkFactory, account_id: int, page: Page,
                   list_id: int | None = None, field_name: str | None = None,
                   text: str | None = None) -> tuple[int, list[Contact]]:
    """Field names the attribute that String is matched against (a declared attribute or
    a custom field); without String it selects contacts that have that attribute set."""
    if field_name is not None and field_name not in DECLARED_FIELDS and not is_custom_field_name(field_name):
        raise BadRequest(f"Field {field_name!r} is not a contact attribute")
    check_search_text("String", text)
    with uow_factory(write=False) as uow:
        return uow.contacts.query(account_id, page, list_id=list_id, field=field_name or None,
                                  text=text or None)


def get_contact(uow_factory: UnitOfWorkFactory, account_id: int, contact_id: int) -> Contact:
    contact = uow_factory.get_contact(account_id, contact_id)
    if contact is None:
        raise NotFound(f"Contact {contact_id} not found")
    return contact


@rerun_on_conflict
def update_contacts(uow_factory: UnitOfWorkFactory, account_id: int, changes: Sequence[ContactChanges],
                    region: str = DEFAULT_REGION) -> int:
    """Apply each element's attributes to the account's contact with that id. Unknown ids
    are ignored (legacy behaviour). An empty attribute clears the field; an empty custom
    attribute removes that custom field. Returns how many contacts were updated."""
    for change in changes:
        for name, value in change.declared.items():
            check_value(name, value)
        check_custom_fields(change.custom)
    updated = 0
    with uow_factory() as uow:
        # Locked: each update rewrites the whole contact, and another request may be
        # changing other attributes of the same contact at the same time.
        found = uow.contacts.get_many(account_id, [c.id for c in changes], for_update=True)
        for change in changes:
            contact = found.get(change.id)
            if contact is None:
                continue
            for wire, value in change.declared.items():
                if value is not None and wire in PHONE_FIELDS:
                    value = normalize_or_keep(value, region) if value.strip() else None
                setattr(contact, DECLARED_FIELDS[wire], value if value else None)
            for name, value in change.custom.items():
                if value:
                    contact.custom[name] = value
                else:
                    contact.custom.pop(name, None)
            # Checked on the result: fields the contact already has count too. Raising here
            # rolls the whole request back.
            if len(contact.custom) > MAX_CUSTOM_FIELDS:
                raise too_many_custom_fields(len(contact.custom), f"Contact {contact.id}")
            uow.contacts.save(contact)
            updated += 1
        uow.commit()
    return updated


@rerun_on_conflict
def remove_contacts(uow_factory: UnitOfWorkFactory, account_id: int, ids: Sequence[int]) -> int:
    with uow_factory() as uow:
        # A list import of the account may be about to add these contacts to a list:
        # deleting them under its feet would break its membership inserts.
        uow.lists.lock_account_imports(account_id)
        removed = uow.contacts.remove(account_id, ids)
        uow.commit()
    return removed


def contact_history(uow_factory: UnitOfWorkFactory, account_id: int, contact_id: int,
                    page: Page) -> list[Action]:
    """Calls then texts of the contact; an unknown (or another account's) id has none."""
    with uow_factory(write=False) as uow:
        return uow.history.for_contact(account_id, contact_id, page)
