"""The observing middleware in process: request ids, the error id of internal faults, the
fields of an access record, and routes as bounded metric labels."""
from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callfire_soap.accesslog import ObservedApp, entrypoint_of, operation_of
from callfire_soap.faults import ServiceFault
from callfire_soap.logconfig import JsonFormatter, TextFormatter
from callfire_soap.request_context import request_id_from


def environ(path="/", method="GET", **extra):
    return {"PATH_INFO": path, "REQUEST_METHOD": method, "QUERY_STRING": "", "REMOTE_ADDR": "192.0.2.7",
            "wsgi.input": io.BytesIO(b""), **extra}


def call(app, env):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], body


def test_internal_fault_names_the_request_id(caplog):
    def inner(env, start_response):
        fault = ServiceFault.internal(RuntimeError("boom"))
        env["callfire.log"]["fault"] = fault.fault_code
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [fault.message.encode()]

    with caplog.at_level(logging.INFO):
        status, headers, body = call(ObservedApp(inner), environ(HTTP_X_REQUEST_ID="req-77"))
    assert headers["X-Request-Id"] == "req-77"
    assert body.decode() == "The service could not complete the request (error id req-77)"
    traceback_record = next(r for r in caplog.records if r.name == "callfire_soap.faults")
    assert "req-77" in traceback_record.getMessage() and traceback_record.exc_info
    access = next(r for r in caplog.records if r.name == "callfire_soap.access")
    assert access.fields["request_id"] == "req-77" and access.fields["fault"] == "UNAVAILABLE"
    assert access.fields["client"] == "192.0.2.7" and access.fields["status"] == 500


@pytest.mark.parametrize("header, kept", [
    ("abc-123", True), ("a" * 128, True), ("a" * 129, False), ("with space", False),
    ("new\nline", False), ("", False), (None, False), ("ünï", False)])
def test_request_ids_are_bounded(header, kept):
    made = request_id_from(header)
    assert (made == header) is kept
    assert 1 <= len(made) <= 128


def test_routes_are_bounded_labels():
    assert entrypoint_of("POST", "/api/1.1/soap12/contact", "") == "soap12"
    assert entrypoint_of("POST", "/api/1.1/soap/contact", "") == "soap11"
    assert entrypoint_of("GET", "/api/1.1/soap/contact", "wsdl") == "wsdl"
    assert entrypoint_of("GET", "/api/1.1/wsdl/callfire-data.xsd", "") == "wsdl"
    assert entrypoint_of("GET", "/api/1.1/rest/contact/5", "") == "rest"
    assert entrypoint_of("GET", "/anything/else", "") == "other"
    assert operation_of("other", "/random/path/123", {}) == "other"
    assert operation_of("rest", "/api/1.1/rest/contact/5", {}) == "unknown"
    assert operation_of("rest", "/api/1.1/rest/contact/5", {"operation": "GetContact"}) == "GetContact"


def test_formatters_keep_client_text_on_one_line():
    record = logging.LogRecord("callfire_soap.access", logging.INFO, __file__, 1, "access", None, None)
    record.fields = {"login": 'eve\nstatus=200 x="', "status": 401, "fault": None}
    text = TextFormatter().format(record)
    assert "\n" not in text
    assert text.endswith('login="eve\\nstatus=200 x=\\"" status=401 fault=-')
    import json

    data = json.loads(JsonFormatter().format(record))
    assert data["login"] == 'eve\nstatus=200 x="' and data["status"] == 401


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_text_values_are_quoted_exactly_when_a_character_needs_it(text):
    """The one-regex fast path gives the character-by-character rule's answer."""
    from callfire_soap.logconfig import _text_value

    needs_quoting = any(ch.isspace() or ch in '"=\\' or not ch.isprintable() for ch in text)
    expected = "-" if text == "" else (json.dumps(text) if needs_quoting else text)
    assert _text_value(text) == expected
