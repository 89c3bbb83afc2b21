"""The landing page in a real headless browser (Debian chromium): it loads, names the
service, version, endpoints and every operation, its WSDL link resolves, and a screenshot
is written."""
from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import urljoin

import pytest
import requests
from lxml import etree, html

from callfire_soap import __version__
from callfire_soap.operations import OPERATIONS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CALLFIRE_STRICT") == "1":
            pytest.fail("chromium is not installed (CALLFIRE_STRICT=1)")
        pytest.skip("chromium is not installed")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", *args],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})

    return run


def test_landing_page_in_a_browser(server, browser, tmp_path):
    page = server + "/"
    dumped = browser("--dump-dom", page)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = html.fromstring(dumped.stdout)
    assert dom.findtext(".//title") == "CallFire API 1.1 ContactService"
    assert dom.findtext(".//*[@id='version']") == __version__
    assert not dom.xpath("//script")
    text = dom.text_content()
    for address in ("/api/1.1/soap12/contact", "/api/1.1/soap/contact", "/api/1.1/rest/", "/healthz"):
        assert address in text
    listed = [row.findtext("td") for row in dom.xpath("//table[@id='operations']//tr[td]")]
    assert listed == [op.name for op in OPERATIONS]

    hrefs = [a.get("href") for a in dom.xpath("//a[contains(@href, 'wsdl')]")]
    assert "/api/1.1/wsdl/callfire-service-http-soap12.wsdl" in hrefs
    for href in hrefs:
        reply = requests.get(urljoin(page, href), timeout=30)
        assert reply.status_code == 200, href
        root = etree.fromstring(reply.content)
        assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions", href
    health = dom.xpath("//a[@href='/healthz']/@href")[0]
    assert requests.get(urljoin(page, health), timeout=30).text.strip() == "ok"

    shot = tmp_path / "landing.png"
    taken = browser(f"--screenshot={shot}", "--window-size=1200,1400", page)
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_head_and_unknown_method(server):
    assert requests.head(server + "/", timeout=30).status_code == 200
    assert requests.post(server + "/", timeout=30).status_code == 404
