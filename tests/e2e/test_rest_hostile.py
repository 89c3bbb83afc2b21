"""Broken and hostile REST requests: each gets a clear status with a ResourceException,
answers quickly, writes nothing, leaves no traceback in the response or the log, and the
service keeps answering."""
from __future__ import annotations

import logging
import time

import pytest
import requests

from callfire_soap.domain.contacts import Contact
from tests.e2e.rest_support import BASE, Reply, rest
from tests.e2e.test_hostile import _row_counts

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=XyZ"
HUGE = "9" * 2_000_000

# (id, method, path, query, body, content type, expected status)
CASES = [
    ("non-numeric-id", "GET", "contact/abc", "", b"", None, 404),
    ("negative-path-id", "GET", "contact/-1", "", b"", None, 404),
    ("overflowing-path-id", "GET", "contact/99999999999999999999", "", b"", None, 404),
    ("id-with-sql", "DELETE", "contact/list/1;DROP TABLE contacts", "", b"", None, 404),
    ("unknown-path", "GET", "contact/list/1/history", "", b"", None, 404),
    ("path-traversal", "GET", "contact/%2E%2E/%2E%2E/%2E%2E/etc/passwd", "", b"", None, 404),
    ("wrong-method", "PATCH", "contact", "", b"", None, 405),
    ("post-to-a-get", "POST", "contact/1", "", b"", None, 405),
    ("negative-id-param", "POST", "contact/list", "", b"Name=x&ContactId=-5", FORM, 400),
    ("negative-list-id", "GET", "contact", "ContactListId=-1", b"", None, 400),
    ("negative-contact-id", "PUT", "contact", "", b"Contact[0][id]=-3&Contact[0][firstName]=x", FORM, 400),
    ("non-numeric-param", "GET", "contact", "MaxResults=ten", b"", None, 400),
    ("overflowing-param", "GET", "contact", "FirstResult=" + "9" * 40, b"", None, 400),
    ("huge-parameter", "POST", "contact/list", "", b"Numbers=1&Name=" + HUGE.encode(), FORM, 400),
    ("huge-number-list", "POST", "contact/list/1/remove", "", b"ContactId=" + HUGE.encode(), FORM, 400),
    ("overlong-search-string", "GET", "contact", "String=" + "a%25*" * 1000, b"", None, 400),
    ("contact-201-custom-fields", "PUT", "contact", "",
     ("Contact[0][id]=1&" + "&".join(f"Contact[0][c{i}]=v" for i in range(201))).encode(), FORM, 400),
    ("bad-boolean", "POST", "contact/list", "", b"Name=x&Numbers=1&Validate=perhaps", FORM, 400),
    ("bad-phone", "PUT", "contact", "", b"Contact[0][id]=1&Contact[0][homePhone]=12-34", FORM, 400),
    ("bad-dnc-number", "PUT", "contact/dnc/12-34", "", b"CallDnc=true", FORM, 400),
    ("missing-name", "POST", "contact/list", "", b"Numbers=12132212384", FORM, 400),
    ("missing-source", "POST", "contact/list", "", b"Name=x", FORM, 400),
    ("missing-numbers", "POST", "contact/dnc/list/1/add", "", b"CallDnc=true", FORM, 400),
    ("invalid-utf8", "POST", "contact/list", "", b"Name=%FF%FE&Numbers=1", FORM, 400),
    ("invalid-utf8-query", "GET", "contact", "String=%C3%28", b"", None, 400),
    ("unknown-charset", "POST", "contact/list", "", b"Name=x&Numbers=1", FORM + "; charset=klingon", 400),
    ("json-body", "POST", "contact/list", "", b'{"Name": "x"}', "application/json", 415),
    ("xml-body", "POST", "contact/list", "", b"<Name>x</Name>", "text/xml", 415),
    ("multipart-no-boundary", "POST", "contact/list", "", b"--XyZ\r\n", "multipart/form-data", 400),
    ("multipart-unclosed", "POST", "contact/list", "",
     b'--XyZ\r\nContent-Disposition: form-data; name="Name"\r\n\r\nx\r\n', MULTIPART, 400),
    ("multipart-no-name", "POST", "contact/list", "",
     b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--\r\n", MULTIPART, 400),
    ("multipart-no-header-end", "POST", "contact/list", "",
     b'--XyZ\r\nContent-Disposition: form-data; name="Name"\r\n--XyZ--\r\n', MULTIPART, 400),
    ("multipart-garbage", "POST", "contact/list", "", b"\x00\xff" * 1000, MULTIPART, 400),
]


def _still_answers(server, account) -> None:
    assert requests.get(server + "/healthz", timeout=5).status_code == 200
    rest(server, account, "GET", "contact", params={"MaxResults": 1}, expect=200)


@pytest.mark.parametrize("case_id, method, path, query, body, content_type, status", CASES,
                         ids=[case[0] for case in CASES])
def test_hostile_rest_request(app, server, account, seed, caplog, case_id, method, path, query, body,
                              content_type, status):
    seed(account, [Contact(first_name="victim", home_phone="12132212384")])
    list_id = rest(server, account, "POST", "contact/list", data={"Name": "victim", "Numbers": "12132212385"},
                   expect=201).created_id
    path = path.replace("list/1", f"list/{list_id}")
    before = _row_counts(app)
    caplog.set_level(logging.INFO)
    caplog.clear()
    headers = {"Authorization": account.auth}
    if content_type:
        headers["Content-Type"] = content_type
    started = time.monotonic()
    response = requests.request(method, server + BASE + path + ("?" + query if query else ""), data=body,
                                headers=headers, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == status, response.content[:500]
    assert b"Traceback" not in response.content and b'File "' not in response.content
    assert b"root:" not in response.content
    reply = Reply(response)  # a schema-valid r:ResourceException
    assert reply.root.findtext("{http://api.callfire.com/resource}HttpStatus") == str(status)
    assert len(response.content) < 2000  # the message never echoes a huge parameter
    if status == 405:
        assert response.headers["Allow"]
    assert elapsed < 5, f"{case_id} took {elapsed:.1f}s"
    assert _row_counts(app) == before
    assert not [r for r in caplog.records if r.exc_info], "client mistakes are logged without traceback"
    _still_answers(server, account)


def test_unknown_parameters_are_ignored(server, account):
    reply = rest(server, account, "GET", "contact", params={"Unknown": "x", "Contact[0]]": "y", "[": "z",
                                                            "MaxResults[x]": "5"}, expect=200)
    assert reply.total == 0


def test_body_over_the_limit_is_413(app, server, account):
    limit = app.rest.max_body
    app.rest.max_body = 64 * 1024
    try:
        reply = requests.post(server + BASE + "contact/list", data={"Name": "x" * 100_000}, timeout=30,
                              auth=(account.login, account.password))
        assert reply.status_code == 413 and Reply(reply).root is not None

        def chunks():  # no Content-Length: read until one byte past the limit, then stop
            for _ in range(100):
                yield b"x" * 4096

        chunked = requests.post(server + BASE + "contact/list", data=chunks(), timeout=30,
                                headers={"Content-Type": FORM, "Authorization": account.auth})
        assert chunked.status_code == 413
    finally:
        app.rest.max_body = limit


def test_server_error_is_500_with_an_error_id_and_logged(server, account, caplog, monkeypatch):
    from callfire_soap.services import contacts

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(contacts, "query_contacts", broken)
    caplog.set_level(logging.ERROR)
    reply = rest(server, account, "GET", "contact.json", expect=500)
    message = reply.json["ResourceException"]["Message"]
    assert "error id" in message and "exploded" not in message
    assert [r for r in caplog.records if r.exc_info and "internal error" in r.getMessage()]
