"""The PHP SDK's REST transport (curl, http_build_query, a form body on every other verb) and
its XML parsing (the root by the literal nodeName of firstChild) against the server."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import STRICT

PHP = shutil.which("php")
SCRIPT = Path(__file__).resolve().parents[1] / "php" / "rest_session.php"


def _php_has_curl_and_dom() -> bool:
    if PHP is None:
        return False
    check = "exit(function_exists('curl_init') && class_exists('DOMDocument') ? 0 : 1);"
    return subprocess.run([PHP, "-r", check]).returncode == 0


if STRICT and not _php_has_curl_and_dom():
    raise RuntimeError("CALLFIRE_STRICT=1 but php-cli with php-curl and php-xml is not installed")

pytestmark = pytest.mark.skipif(not _php_has_curl_and_dom(), reason="php-cli with php-curl and php-xml "
                                "is not installed (.ci/run installs them)")


def test_php_sdk_session(server, account):
    result = subprocess.run([PHP, str(SCRIPT), server, account.login, account.password],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    out = json.loads(result.stdout)

    create = out["create"]
    assert create["status"] == 201 and create["response"]["type"] == "ResourceReference"
    list_id = create["response"]["id"]
    assert create["response"]["location"] == f"{server}/api/1.1/rest/contact/list/{list_id}"
    lists = out["query_lists"]["response"]
    assert lists["type"] == "ResourceList" and lists["totalResults"] == 1
    assert [(i["node"], i["@id"], i["Name"]) for i in lists["items"]] == [("ContactList", list_id, "PHP friends")]
    got = out["get_list"]["response"]
    assert got["type"] == "Resource" and got["item"]["node"] == "ContactList"
    # Validate was sent as "" ((string)false): 555000 is kept as given.
    assert got["item"]["Size"] == "3" and got["item"]["Status"] == "ACTIVE"
    contacts = out["query_contacts"]["response"]
    assert contacts["totalResults"] == 3 and {i["node"] for i in contacts["items"]} == {"Contact"}
    assert out["get_contact"]["response"]["item"]["@id"] == contacts["items"][0]["@id"]
    # An array parameter, joined by spaces in the POST body.
    assert out["remove_from_list"] == {"status": 204, "response": True}
    assert out["get_list_after"]["response"]["item"]["Size"] == "1"
    fault = out["fault"]
    assert fault["status"] == 404 and fault["response"]["type"] == "ResourceException"
    assert fault["response"]["status"] == 404 and "not found" in fault["response"]["message"]
    assert out["bad_request"]["status"] == 400 and out["bad_request"]["response"]["status"] == 400
