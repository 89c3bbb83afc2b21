"""QueryContacts/String: the digits form of a String is searched only when it has at least 4
digits and a separator or '+' before its last digit (on the session's database)."""
from __future__ import annotations

import uuid

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.paging import Page
from callfire_soap.services.accounts import create_account
from callfire_soap.services.contacts import query_contacts
from callfire_soap.storage.contacts import search_needles


@pytest.mark.parametrize("text, expected", [
    ("0)", ["0)"]),
    ("12.", ["12."]),
    ("1-2", ["1-2"]),
    (" 21 ", [" 21 "]),
    ("(213)", ["(213)"]),
    ("1234.", ["1234."]),
    ("555-1007", ["555-1007", "5551007"]),
    ("(213) 555", ["(213) 555", "213555"]),
    ("+1 213 555 1007", ["+1 213 555 1007", "12135551007"]),
    ("+1234", ["+1234", "1234"]),
    ("2135551007", ["2135551007"]),
    (" 2135551007 ", [" 2135551007 ", "2135551007"]),
])
def test_search_needles_need_four_digits_and_a_separator(text, expected):
    assert search_needles(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("0)", set()),
    ("12.", set()),
    ("1-2", set()),
    (" 21 ", set()),
    ("(213) 555-1007", {"Ann"}),
    ("555-1007", {"Ann"}),
    ("5551007", {"Ann"}),
    ("1007", {"Ann"}),
])
def test_short_digit_strings_do_not_match_every_number(app, text, expected):
    account_id = create_account(app.backend.uow, "digits-" + uuid.uuid4().hex[:12], "pw")
    with app.backend.uow() as uow:
        uow.contacts.add_many(account_id, [
            Contact(first_name="Ann", home_phone="12135551007"),
            Contact(first_name="Bob", work_phone="12135559999"),
            Contact(first_name="Cy", mobile_phone="13105550123"),
        ])
        uow.commit()
    total, found = query_contacts(app.backend.uow, account_id, Page(limit=10, offset=0), text=text)
    assert {c.first_name for c in found} == expected and total == len(expected)
