"""Access log lines (text and JSON, one per request, failed logins included, never a
password), X-Request-Id, and a /metrics scrape after known calls, under `serve --workers 2`
(prometheus_client multiprocess mode) and the single-process server."""
from __future__ import annotations

import base64
import json
import re
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from callfire_soap.services.accounts import create_account
from tests.e2e.serving import Server
from tests.support import basic_auth, envelope

PASSWORD = "observed-password-1"
WRONG = "wrong-password-zz9"
GET_CONTACT = envelope("<svc:GetContact><svc:Id>999999999999</svc:Id></svc:GetContact>")
QUERY_CONTACTS = envelope("<svc:QueryContacts><svc:MaxResults>5</svc:MaxResults></svc:QueryContacts>")
CREATE_LIST = envelope("<svc:CreateContactList><svc:Name>m</svc:Name><svc:Validate>true</svc:Validate>"
                       "<svc:ContactSource><svc:Numbers>12132212384 12132212385 12132212386"
                       "</svc:Numbers></svc:ContactSource></svc:CreateContactList>")


def post(base, body, login, password, request_id=None):
    headers = {"Content-Type": "application/soap+xml", "Authorization": basic_auth(login, password),
               "Connection": "close"}
    if request_id:
        headers["X-Request-Id"] = request_id
    return requests.post(base + "/api/1.1/soap12/contact", data=body, headers=headers, timeout=60)


def known_calls(base, login):
    """3 NOT_FOUND faults, 2 queries, 1 list of 3 new contacts, 1 wrong password, 1 WSDL."""
    for _ in range(3):
        assert post(base, GET_CONTACT, login, PASSWORD).status_code == 500
    for _ in range(2):
        assert post(base, QUERY_CONTACTS, login, PASSWORD).status_code == 200
    assert post(base, CREATE_LIST, login, PASSWORD).status_code == 200
    assert post(base, GET_CONTACT, login, WRONG).status_code == 401
    assert requests.get(base + "/api/1.1/soap12/contact?wsdl", timeout=30).status_code == 200


def samples(base) -> dict:
    reply = requests.get(base + "/metrics", timeout=30)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


def fresh_login(app) -> str:
    """A new account in the session database the servers share (made in process: the
    account commands have tests of their own in test_account_commands.py and test_cli.py)."""
    login = "obs-" + uuid.uuid4().hex[:8]
    create_account(app.backend.uow, login, PASSWORD)
    return login


def access_lines(text: str, fmt: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if fmt == "json" and line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "callfire_soap.access":
                lines.append(record)
        elif fmt == "text" and " callfire_soap.access: " in line:
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO callfire_soap.access: ", line), line
            lines.append(dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line.split(": ", 1)[1])))
    return lines


@pytest.mark.parametrize("workers, fmt", [(["--workers", "2"], "json"), ([], "text")])
def test_metrics_and_access_log(tmp_path, app, db_url, workers, fmt):
    login = fresh_login(app)
    with Server(tmp_path, *workers, "--log-format", fmt, "--database", db_url) as server:
        known_calls(server.base, login)
        traced = post(server.base, GET_CONTACT, login, PASSWORD, request_id="trace-42.a:b")
        assert traced.headers["X-Request-Id"] == "trace-42.a:b"
        made_up = post(server.base, GET_CONTACT, login, PASSWORD, request_id="bad id\twith spaces")
        assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["X-Request-Id"])
        # Any worker answers for all of them: scrape a few times, expect the same counts.
        for _ in range(3 if workers else 1):
            found = samples(server.base)
            assert value(found, "callfire_requests_total", entrypoint="soap12", operation="GetContact",
                         status="500") == 5
            assert value(found, "callfire_faults_total", entrypoint="soap12", operation="GetContact",
                         fault_code="NOT_FOUND") == 5
            assert value(found, "callfire_requests_total", entrypoint="soap12", operation="QueryContacts",
                         status="200") == 2
            assert value(found, "callfire_request_duration_seconds_count", entrypoint="soap12",
                         operation="QueryContacts") == 2
            assert value(found, "callfire_requests_total", entrypoint="soap12", operation="CreateContactList",
                         status="200") == 1
            assert value(found, "callfire_imported_contacts_total") == 3
            assert value(found, "callfire_failed_logins_total", reason="invalid") == 1
            assert value(found, "callfire_requests_total", entrypoint="soap12", operation="unknown",
                         status="401") == 1
            assert value(found, "callfire_requests_total", entrypoint="wsdl", operation="wsdl", status="200") == 1
    log = server.stderr()
    assert PASSWORD not in log and WRONG not in log
    assert base64.b64encode(f"{login}:{PASSWORD}".encode()).decode() not in log
    lines = access_lines(log, fmt)
    soap = [line for line in lines if line["path"] == "/api/1.1/soap12/contact" and line["method"] == "POST"]
    assert len(soap) == 9  # one line per request
    failed = [line for line in soap if str(line["status"]) == "401"]
    assert len(failed) == 1 and failed[0]["login"] == login and failed[0]["auth"] == "invalid"
    faults = [line for line in soap if line["fault"] == "NOT_FOUND"]
    assert len(faults) == 5 and all(line["operation"] == "GetContact" for line in faults)
    assert any(line["request_id"] == "trace-42.a:b" for line in soap)
    for line in soap:
        assert set(line) >= {"request_id", "client", "login", "operation", "status", "fault",
                             "duration_ms", "bytes"}
        assert line["client"] == "127.0.0.1" and int(line["bytes"]) > 0


def test_metrics_token(tmp_path, db_url):
    with Server(tmp_path, "--database", db_url, env={"CALLFIRE_METRICS_TOKEN": "tok-123"}) as server:
        assert requests.get(server.base + "/metrics", timeout=30).status_code == 401
        ok = requests.get(server.base + "/metrics", headers={"Authorization": "Bearer tok-123"}, timeout=30)
        assert ok.status_code == 200 and "callfire_requests_total" in ok.text


def test_failed_logins_are_throttled(tmp_path, app, db_url):
    login = fresh_login(app)
    with Server(tmp_path, "--log-format", "json", "--database", db_url,
                env={"CALLFIRE_FAILED_LOGIN_BURST": "3"}) as server:
        assert post(server.base, GET_CONTACT, login, PASSWORD).status_code == 500  # cached now
        assert [post(server.base, GET_CONTACT, login, WRONG).status_code for _ in range(3)] == [401] * 3
        refused = post(server.base, GET_CONTACT, login, WRONG + "x")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        # Right password, not cached, same login: waits too; the cached client does not.
        other = post(server.base, GET_CONTACT, login, "never-cached-pw")
        assert other.status_code == 429
        assert post(server.base, GET_CONTACT, login, PASSWORD).status_code == 500
        rest = requests.get(server.base + "/api/1.1/rest/contact/999999999999", timeout=30,
                            headers={"Authorization": basic_auth(login, WRONG + "y")})
        assert rest.status_code == 429 and int(rest.headers["Retry-After"]) >= 1
        assert b"ResourceException" in rest.content
        found_rest = requests.get(server.base + "/api/1.1/rest/contact/999999999999.json", timeout=30,
                                  headers={"Authorization": basic_auth(login, PASSWORD)})
        assert found_rest.status_code == 404
        found = samples(server.base)
        assert value(found, "callfire_failed_logins_total", reason="invalid") == 3
        assert value(found, "callfire_failed_logins_total", reason="throttled") == 3
        assert value(found, "callfire_faults_total", entrypoint="rest", operation="GetContact",
                     fault_code="NOT_FOUND") == 1
    lines = access_lines(server.stderr(), "json")
    throttled = [line for line in lines if line["auth"] == "throttled"]
    assert len(throttled) == 3 and all(line["status"] == 429 and line["login"] == login for line in throttled)
    rest_lines = [line for line in lines if line["path"].startswith("/api/1.1/rest/") and line["status"] == 404]
    assert len(rest_lines) == 1 and rest_lines[0]["operation"] == "GetContact" and rest_lines[0]["fault"] == "NOT_FOUND"
