"""Figure 2: serializing a QueryContacts response of 1,000 contacts with custom fields,
the service's protocol against building the same XML directly with lxml."""
from __future__ import annotations

from lxml import etree

from callfire_soap.domain.contacts import Contact
from callfire_soap.operations import by_name
from callfire_soap.soap.endpoint import SOAP12, write_envelope

from .common import Figure, best_of

N = 1000


def _contacts() -> list[Contact]:
    return [
        Contact(id=1_000_000 + i, first_name=f"First{i}", last_name=f"Last{i}", zipcode="90210",
                home_phone=f"1213{i:07d}", mobile_phone=f"1310{i:07d}", external_id=f"ext-{i}",
                custom={"A": f"alpha {i}", "B": "beta", "C": str(i), "D": "delta value", "E": "e"})
        for i in range(N)
    ]


def _direct(contacts) -> bytes:
    """The baseline: the obvious lxml code for the same document."""
    env, svc, data = ("http://www.w3.org/2003/05/soap-envelope", "http://api.callfire.com/service/xsd",
                      "http://api.callfire.com/data")
    root = etree.Element("{%s}Envelope" % env, nsmap={"env": env, "svc": svc, "data": data})
    body = etree.SubElement(root, "{%s}Body" % env)
    result = etree.SubElement(body, "{%s}ContactQueryResult" % svc)
    etree.SubElement(result, "{%s}TotalResults" % svc).text = str(len(contacts))
    for c in contacts:
        attrib = {"id": str(c.id), "firstName": c.first_name, "lastName": c.last_name, "zipcode": c.zipcode,
                  "homePhone": c.home_phone, "mobilePhone": c.mobile_phone, "externalId": c.external_id}
        attrib.update(c.custom)
        etree.SubElement(result, "{%s}Contact" % data, attrib)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def run(repeat: int = 30) -> Figure:
    contacts = _contacts()
    shape = by_name("QueryContacts").result

    def service_path() -> bytes:
        return write_envelope(SOAP12, shape, (len(contacts), contacts))

    ours, direct = service_path(), _direct(contacts)
    assert etree.fromstring(ours).find(".//{http://api.callfire.com/data}Contact").attrib == \
        etree.fromstring(direct).find(".//{http://api.callfire.com/data}Contact").attrib
    service_time = best_of(service_path, repeat)
    direct_time = best_of(lambda: _direct(contacts), repeat)
    ratio = service_time / direct_time
    return Figure(
        name="QueryContacts, 1,000 contacts with custom fields: serialize",
        measured=f"{service_time * 1000:.2f} ms", baseline=f"{direct_time * 1000:.2f} ms (direct lxml)",
        ratio=ratio, target="<= 2x", met=ratio <= 2.0,
    )
