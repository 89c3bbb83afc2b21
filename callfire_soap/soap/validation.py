"""Request bodies: the documented leniencies, then validation against the project's XSD.
Rules beyond the schema apply to the decoded message, for every entrypoint
(operations/checks.py)."""
from __future__ import annotations

from importlib import resources

from lxml import etree

from ..faults import ServiceFault
from ..namespaces import DATA, SVC

_S = "{%s}" % SVC
_D = "{%s}" % DATA
XS = "http://www.w3.org/2001/XMLSchema"

# Documented precedence when a lenient client sends several ContactSource branches:
# contacts, then numbers, then contact ids, then the CSV file (CONTRACT.md quirk 4).
SOURCE_PRECEDENCE = (_D + "Contact", _S + "Numbers", _S + "ContactId", _S + "File")
_DNC_NUMBER_REQUESTS = {_S + "AddNumbersToDncListRequest", _S + "RemoveNumbersFromDncListRequest"}


def wsdl_files():
    return resources.files("callfire_soap.wsdl")


class _PackageResolver(etree.Resolver):
    def __init__(self, documents: dict[str, bytes]):
        super().__init__()
        self.documents = documents

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        if name in self.documents:
            return self.resolve_string(self.documents[name], context)
        return None


def load_schema() -> etree.XMLSchema:
    """The served schema, with two relaxations: PhoneNumberList items are plain strings,
    because number tokens are judged by list validation (SCRUB) rather than rejected (the
    legacy docs also allow comma-separated numbers, which the pattern forbids); and a
    PhoneNumber may be empty (UpdateContacts clears a number with homePhone="")."""
    files = wsdl_files()
    data_doc = etree.fromstring(files.joinpath("callfire-data.xsd").read_bytes())
    for item in data_doc.iterfind(
        "{%s}simpleType[@name='PhoneNumberList']/{%s}list" % (XS, XS)
    ):
        item.set("itemType", "xs:string")
    # An empty phone attribute clears the field in UpdateContacts (responses never carry one).
    for pattern in data_doc.iterfind(
        "{%s}simpleType[@name='PhoneNumber']/{%s}restriction/{%s}pattern" % (XS, XS, XS)
    ):
        pattern.set("value", pattern.get("value") + "|")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_PackageResolver({"callfire-data.xsd": etree.tostring(data_doc)}))
    service_doc = etree.fromstring(files.joinpath("callfire-service.xsd").read_bytes(), parser,
                                   base_url="callfire-service.xsd")
    return etree.XMLSchema(service_doc)


def apply_leniencies(body: etree._Element) -> None:
    """Rewrite accepted legacy wire shapes into the schema's canonical shape, in place."""
    for source in body.iter(_S + "ContactSource"):
        _merge_repeated(source, _S + "ContactId")
        present = [tag for tag in SOURCE_PRECEDENCE if source.find(tag) is not None]
        for tag in present[1:]:
            for extra in source.findall(tag):
                source.remove(extra)
    if body.tag == _S + "RemoveContactsFromList" or body.tag == _S + "RemoveContacts":
        _merge_repeated(body, _S + "ContactId")
    if body.tag in _DNC_NUMBER_REQUESTS:
        # SDK builds of December 2014 sent DncListId where later ones send Id.
        alias = body.find(_S + "DncListId")
        if alias is not None and body.find(_S + "Id") is None:
            alias.tag = _S + "Id"


def _merge_repeated(parent: etree._Element, tag: str) -> None:
    """.NET proxies send an IdList as repeated elements; fold them into one list."""
    found = parent.findall(tag)
    if len(found) > 1:
        found[0].text = " ".join((el.text or "").strip() for el in found)
        for extra in found[1:]:
            parent.remove(extra)


class RequestValidator:
    def __init__(self):
        self.schema = load_schema()

    def __call__(self, body: etree._Element) -> None:
        apply_leniencies(body)
        if not self.schema.validate(body):
            error = self.schema.error_log.last_error
            message = error.message if error is not None else "request does not match the schema"
            raise ServiceFault.bad_request("Invalid request: " + _short(message))


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
