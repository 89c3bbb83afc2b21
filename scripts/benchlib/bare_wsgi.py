"""Baseline for the HTTP figure: a bare WSGI handler that parses the same GetContact request
with lxml and returns a fixed response, under the same server as the service."""
from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_NS = {"env": "http://www.w3.org/2003/05/soap-envelope", "svc": "http://api.callfire.com/service/xsd"}
_RESPONSE = (
    b"<?xml version='1.0' encoding='utf-8'?>\n"
    b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
    b'<data:Contact xmlns:data="http://api.callfire.com/data" id="1" firstName="Robert" '
    b'lastName="Shmidt" mobilePhone="12132212384" F="12132212384"/></env:Body></env:Envelope>'
)


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    root = etree.fromstring(environ["wsgi.input"].read(length), _PARSER)
    root.findtext("env:Body/svc:GetContact/svc:Id", namespaces=_NS)
    start_response("200 OK", [("Content-Type", "application/soap+xml; charset=utf-8"),
                              ("Content-Length", str(len(_RESPONSE)))])
    return [_RESPONSE]
