"""The numbers-per-request limit (list_sources.MAX_NUMBERS) on the wire: a Numbers source and
the DNC number operations fault BAD_REQUEST naming the limit, and change nothing."""
from __future__ import annotations

import pytest

from callfire_soap.services.list_sources import MAX_NUMBERS
from tests.support import NS, envelope, soap_post

# Short invalid tokens: cheap to send, and the limit must fault before any is normalised.
TOO_MANY = " ".join(["1"] * (MAX_NUMBERS + 1))
AT_LIMIT = " ".join(["1"] * MAX_NUMBERS)


def _message(reply) -> str:
    return reply.root.findtext("env:Body/env:Fault/env:Detail/svc:ServiceFaultInfo/svc:Message", namespaces=NS)


@pytest.mark.parametrize("operation, body", [
    ("CreateContactList", "<svc:CreateContactList><svc:Name>big</svc:Name><svc:ContactSource>"
                          "<svc:Numbers>%s</svc:Numbers></svc:ContactSource></svc:CreateContactList>"),
    ("CreateDncList", "<svc:CreateDncListRequest><svc:Name>big</svc:Name><svc:Numbers>%s</svc:Numbers>"
                      "</svc:CreateDncListRequest>"),
])
def test_more_numbers_than_the_limit_is_bad_request_naming_it(endpoint, account, service, operation, body):
    reply = soap_post(endpoint, envelope(body % TOO_MANY), account.auth, operation, timeout=120)
    assert reply.status == 500 and reply.fault_code == "BAD_REQUEST"
    assert f"{MAX_NUMBERS:,}" in _message(reply)
    assert service.QueryContactLists().TotalResults == 0
    assert service.QueryDncLists().TotalResults == 0


def test_add_numbers_to_a_dnc_list_beyond_the_limit_is_bad_request(endpoint, account):
    created = soap_post(endpoint, envelope("<svc:CreateDncListRequest><svc:Name>d</svc:Name>"
                                           "</svc:CreateDncListRequest>"), account.auth, "CreateDncList")
    list_id = created.body_child.text
    reply = soap_post(endpoint, envelope(f"<svc:AddNumbersToDncListRequest><svc:Id>{list_id}</svc:Id>"
                                         f"<svc:Numbers>{TOO_MANY}</svc:Numbers></svc:AddNumbersToDncListRequest>"),
                      account.auth, "AddNumbersToDncList", timeout=120)
    assert reply.fault_code == "BAD_REQUEST" and f"{MAX_NUMBERS:,}" in _message(reply)


def test_exactly_the_limit_is_accepted(endpoint, account):
    reply = soap_post(endpoint, envelope("<svc:CreateContactList><svc:Name>edge</svc:Name><svc:ContactSource>"
                                         f"<svc:Numbers>{AT_LIMIT}</svc:Numbers></svc:ContactSource>"
                                         "</svc:CreateContactList>"), account.auth, "CreateContactList", timeout=300)
    assert reply.status == 200, reply.response.text[:300]
