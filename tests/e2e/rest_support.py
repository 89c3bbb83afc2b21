"""Helpers of the REST tests: calls, and the checks every XML response body passes (the
reconstructed r: schema with the data XSD, and the PHP SDK's literal-prefix rules)."""
from __future__ import annotations

import json as jsonlib
from functools import lru_cache

import pytest
import requests
from lxml import etree

from tests.support import LEGACY, STRICT

REST_XSD = LEGACY / "rest" / "callfire-resource.RECONSTRUCTED.xsd"
HAVE_REST_CONTRACT = REST_XSD.exists()
NO_REST_CONTRACT = f"the REST contract is not at {REST_XSD.parent} (set CALLFIRE_SHARED)"
if STRICT and not HAVE_REST_CONTRACT:
    raise RuntimeError(NO_REST_CONTRACT)

R = "http://api.callfire.com/resource"
DATA = "http://api.callfire.com/data"
NS = {"r": R, "d": DATA}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
BASE = "/api/1.1/rest/"


@lru_cache(maxsize=1)
def rest_schema() -> etree.XMLSchema:
    # Imports ../full/callfire-data-dnc.xsd, which includes the verbatim data XSD.
    return etree.XMLSchema(etree.parse(str(REST_XSD)))


def check_xml(content: bytes) -> etree._Element:
    """The body as the PHP SDK and the schema need it; returns the root."""
    assert content.startswith(DECLARATION + b"<r:"), content[:120]
    root = etree.fromstring(content)
    assert root.prefix == "r" and root.nsmap.get(None) == DATA, root.nsmap
    for child in root.iter():
        if isinstance(child.tag, str) and etree.QName(child).namespace == DATA:
            assert child.prefix is None, "data elements are unprefixed"
    if not HAVE_REST_CONTRACT:  # CALLFIRE_STRICT=1 has refused to run without it
        pytest.skip(NO_REST_CONTRACT)
    schema = rest_schema()
    assert schema.validate(root), f"{schema.error_log}\n{content[:1500]!r}"
    return root


class Reply:
    def __init__(self, response: requests.Response):
        self.response = response
        self.status = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.root = None
        self.json = None
        if response.content:
            if response.headers.get("Content-Type", "").startswith("application/json"):
                self.json = jsonlib.loads(response.content)
            else:
                assert response.headers.get("Content-Type") == "application/xml; charset=UTF-8"
                self.root = check_xml(response.content)

    @property
    def message(self) -> str | None:
        if self.json is not None:
            return self.json["ResourceException"]["Message"]
        return self.root.findtext("r:Message", namespaces=NS)

    def items(self, name: str) -> list[etree._Element]:
        assert self.root.tag == "{%s}ResourceList" % R
        return self.root.findall("d:" + name, NS)

    @property
    def total(self) -> int:
        return int(self.root.get("totalResults"))

    @property
    def resource(self) -> etree._Element:
        assert self.root.tag == "{%s}Resource" % R, self.content[:300]
        (child,) = list(self.root)
        return child

    @property
    def created_id(self) -> int:
        if self.json is not None:
            return self.json["ResourceReference"]["Id"]
        return int(self.root.findtext("r:Id", namespaces=NS))


def rest(server: str, account, method: str, path: str, params=None, data=None, files=None,
         headers=None, auth: bool = True, expect: int | None = None, **kwargs) -> Reply:
    """One REST call as `account` (pre-emptive Basic, as curl and the Java client do)."""
    reply = Reply(requests.request(
        method, server + BASE + path, params=params, data=data, files=files, headers=headers,
        auth=(account.login, account.password) if auth and account is not None else None,
        timeout=60, **kwargs))
    if expect is not None:
        assert reply.status == expect, (reply.status, reply.content[:500])
    return reply
