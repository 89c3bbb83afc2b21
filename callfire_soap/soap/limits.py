"""Limits on the shape of a SOAP message, checked before the expensive work (XSD validation,
decoding, the use case), so that a hostile or broken request costs time linear in its size
and is rejected with a BAD_REQUEST that names the limit. The values are in README.md."""
from __future__ import annotations

from lxml import etree

from ..domain.contacts import DECLARED_FIELDS, MAX_CUSTOM_FIELDS
from ..faults import ServiceFault
from ..namespaces import DATA

# Elements in one message. The largest legitimate requests are list imports: inline contacts
# cost one element each, and 20,000 of them is already a ~2 MB message; larger imports send
# a File or Numbers, one text node whatever their size.
MAX_ELEMENTS = 50_000
# Attributes on one element: a data:Contact's id, declared attributes and custom fields.
MAX_ATTRIBUTES = 1 + len(DECLARED_FIELDS) + MAX_CUSTOM_FIELDS
# This service defines no header blocks; WS-Security or WS-Addressing headers that clients
# add have a few blocks of a few elements each.
MAX_HEADER_ELEMENTS = 256
# Below this size a message cannot hold more than MAX_ELEMENTS elements' worth of memory that
# matters, and the plain parser is twice as fast as the counting one.
PLAIN_PARSE_BYTES = 64 * 1024
_CHUNK = 64 * 1024
_CONTACT = "{%s}Contact" % DATA
_DECLARED = frozenset(("id", *DECLARED_FIELDS))


def parse(payload: bytes, parser: etree.XMLParser, parser_options: dict) -> etree._Element:
    """The message's tree, refusing one with more than MAX_ELEMENTS elements while it is
    parsed (a 28 MB run of empty elements would take ~1 GB as a tree). Small messages go
    through ``parser``; large ones through a counting parser made with ``parser_options``."""
    if len(payload) <= PLAIN_PARSE_BYTES:
        return etree.fromstring(payload, parser)
    pull = etree.XMLPullParser(events=("start",), **parser_options)
    seen = 0
    view = memoryview(payload)
    for start in range(0, len(payload), _CHUNK):
        pull.feed(view[start:start + _CHUNK].tobytes())
        for _ in pull.read_events():
            seen += 1
        if seen > MAX_ELEMENTS + MAX_HEADER_ELEMENTS:
            raise too_many_elements()
    return pull.close()


def too_many_elements() -> ServiceFault:
    return ServiceFault.bad_request(f"A message may hold at most {MAX_ELEMENTS} elements")


def check(header: etree._Element | None, request: etree._Element) -> None:
    """One pass over the header and the request element."""
    if header is not None and sum(1 for _ in header.iter()) > MAX_HEADER_ELEMENTS:
        raise ServiceFault.bad_request(f"The Header may hold at most {MAX_HEADER_ELEMENTS} elements")
    count = 0
    for element in request.iter():
        count += 1
        attributes = len(element.attrib)
        if attributes > MAX_ATTRIBUTES:
            raise ServiceFault.bad_request(f"An element may carry at most {MAX_ATTRIBUTES} attributes")
        if attributes > MAX_CUSTOM_FIELDS and element.tag == _CONTACT and \
                sum(1 for name in element.attrib if name not in _DECLARED) > MAX_CUSTOM_FIELDS:
            raise ServiceFault.bad_request(f"A Contact may carry at most {MAX_CUSTOM_FIELDS} custom fields")
    if count > MAX_ELEMENTS:
        raise too_many_elements()
