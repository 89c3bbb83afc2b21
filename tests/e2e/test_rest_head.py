"""HEAD on a REST resource: the GET answer's status and headers, no body."""
from __future__ import annotations

import requests

from callfire_soap.domain.contacts import Contact
from tests.e2e.rest_support import BASE


def test_head_is_get_without_a_body(server, account, seed):
    [contact_id] = seed(account, [Contact(first_name="h", home_phone="12132212384")])
    auth = (account.login, account.password)
    url = f"{server}{BASE}contact/{contact_id}"
    got = requests.get(url, auth=auth, timeout=10)
    head = requests.head(url, auth=auth, timeout=10)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(got.content) > 0


def test_allow_names_head_beside_get(server, account):
    reply = requests.patch(f"{server}{BASE}contact/1", auth=(account.login, account.password), timeout=10)
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET, HEAD"


def test_head_of_an_unknown_contact_is_its_404(server, account):
    head = requests.head(f"{server}{BASE}contact/987654321", auth=(account.login, account.password), timeout=10)
    assert head.status_code == 404 and head.content == b""
