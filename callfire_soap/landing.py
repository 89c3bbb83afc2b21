"""The page at ``/``: what this service is, where its endpoints and WSDLs are, and which
operations it offers. Plain HTML, no scripts, built once from the operations table."""
from __future__ import annotations

from html import escape

from . import __version__
from .operations import OPERATIONS
from .soap.wsdl import CONCRETE_WSDL, CONCRETE_WSDL_11, SOAP11_PATH, SOAP12_PATH, WSDL_DIR

REST_PREFIX = "/api/1.1/rest/"
TITLE = "CallFire API 1.1 ContactService"


def _link(href: str, text: str | None = None) -> str:
    return f'<a href="{escape(href)}">{escape(text or href)}</a>'


def _operation_row(op) -> str:
    rest = f"{op.rest.method} {REST_PREFIX}{op.rest.path}" if op.rest is not None else ""
    return f"<tr><td>{escape(op.name)}</td><td><code>{escape(rest)}</code></td></tr>"


def render() -> bytes:
    endpoints = [
        ("SOAP 1.2", f"POST {SOAP12_PATH}", "Content-Type: application/soap+xml; HTTP Basic",
         [f"{SOAP12_PATH}?wsdl", WSDL_DIR + CONCRETE_WSDL]),
        ("SOAP 1.1", f"POST {SOAP11_PATH}", "Content-Type: text/xml and SOAPAction; HTTP Basic",
         [f"{SOAP11_PATH}?wsdl", WSDL_DIR + CONCRETE_WSDL_11]),
        ("REST", REST_PREFIX, "JSON; HTTP Basic", []),
        ("Health", "GET /healthz", "200 ok once the database answers", []),
        ("Metrics", "GET /metrics", "Prometheus text format", []),
    ]
    rows = "\n".join(
        f"<tr><td>{escape(name)}</td><td><code>{escape(where)}</code></td><td>{escape(how)}</td>"
        f"<td>{' '.join(_link(w) for w in wsdls)}</td></tr>"
        for name, where, how, wsdls in endpoints)
    operations = "\n".join(_operation_row(op) for op in OPERATIONS)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{TITLE}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 60em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; }}
</style>
</head>
<body>
<h1>{TITLE}</h1>
<p>callfire-soap <span id="version">{escape(__version__)}</span>: the legacy CallFire SOAP
contract, self-hosted. Point a client generated from the WSDL at an endpoint below.</p>
<h2>Endpoints</h2>
<table id="endpoints">
<tr><th>entrypoint</th><th>address</th><th>how</th><th>WSDL</th></tr>
{rows}
</table>
<h2>Operations ({len(OPERATIONS)})</h2>
<table id="operations">
<tr><th>SOAP operation</th><th>REST route</th></tr>
{operations}
</table>
<p>Health: {_link("/healthz")}</p>
</body>
</html>
"""
    return page.encode("utf-8")


_PAGE = render()


def respond(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(_PAGE)))])
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [_PAGE]
