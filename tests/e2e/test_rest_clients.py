"""REST-CONTRACT.md section 8, "What the known clients send": one test per row of the
matrix, each sending every client's variant of that row the way that client does (raw
bodies where a client's exact bytes matter)."""
from __future__ import annotations

import requests

from callfire_soap.domain.contacts import Contact
from tests.e2e.rest_support import BASE, NS, R, Reply, rest

A, B, C = "12132212384", "12132212385", "12132212386"
FORM = "application/x-www-form-urlencoded"
JAVA_FORM = "application/x-www-form-urlencoded; charset=ISO-8859-1"


def raw(server, account, method, path, body: bytes | str = b"", content_type: str | None = FORM,
        headers=None, auth=True, params=None) -> Reply:
    """A request with exactly these body bytes (no client library re-encoding)."""
    all_headers = dict(headers or {})
    if content_type:
        all_headers["Content-Type"] = content_type
    if auth:
        all_headers["Authorization"] = account.auth
    if isinstance(body, str):
        body = body.encode()
    return Reply(requests.request(method, server + BASE + path, data=body, headers=all_headers,
                                  params=params, timeout=60))


def _list_size(server, account, list_id) -> int:
    reply = rest(server, account, "GET", f"contact/list/{list_id}", expect=200)
    return int(reply.resource.findtext("d:Size", namespaces=NS))


def _contacts_of(server, account, list_id) -> list:
    return rest(server, account, "GET", "contact", params={"ContactListId": list_id}, expect=200).items("Contact")


# -- auth --------------------------------------------------------------------------------------
def test_auth_preemptive_basic_and_the_csharp_challenge_handshake(server, account, seed):
    (cid,) = seed(account, [Contact(first_name="Auth", home_phone=A)])
    # PHP (curl USERPWD), Java, Node, curl -u: the header on the first request.
    assert raw(server, account, "GET", f"contact/{cid}", content_type=None).status == 200
    # C#: first without credentials, then again after the challenge.
    first = raw(server, account, "GET", f"contact/{cid}", auth=False)
    assert first.status == 401
    challenge = first.headers["WWW-Authenticate"]
    assert challenge.startswith("Basic ") and 'realm="CallFire API"' in challenge
    assert first.root.tag == "{%s}ResourceException" % R
    assert first.root.findtext("r:HttpStatus", namespaces=NS) == "401"
    second = raw(server, account, "GET", f"contact/{cid}", headers={"Accept": "text/xml"})
    assert second.status == 200 and second.resource.get("firstName") == "Auth"


# -- format --------------------------------------------------------------------------------------
def test_format_xml_by_default_json_by_suffix_only(server, account, seed):
    (cid,) = seed(account, [Contact(first_name="Fmt", home_phone=A)])
    php = raw(server, account, "GET", f"contact/{cid}", content_type=None)  # PHP, Node: XML, no Accept
    csharp = raw(server, account, "GET", f"contact/{cid}", headers={"Accept": "text/xml"})
    assert php.root is not None and csharp.root is not None
    java = raw(server, account, "GET", f"contact/{cid}.json", content_type=None,
               headers={"Accept": "application/json"})
    assert java.json["Resource"]["Contact"]["@firstName"] == "Fmt"
    # Accept alone does not select JSON (D14); an explicit .xml suffix is XML.
    accept_only = raw(server, account, "GET", f"contact/{cid}", headers={"Accept": "application/json"})
    assert accept_only.root is not None
    assert raw(server, account, "GET", f"contact/{cid}.xml").root is not None
    # Java's POST: .json with Accept: application/json and a form body.
    created = raw(server, account, "POST", "contact/list.json", "Name=j&Numbers=" + A, JAVA_FORM,
                  headers={"Accept": "application/json"})
    assert created.status == 201 and created.json["ResourceReference"]["Id"] > 0


# -- GET parameters -----------------------------------------------------------------------------
def test_get_params_in_query_string_or_form_body(server, account, seed):
    seed(account, [Contact(first_name=f"g{i}", home_phone=f"1213221238{i}") for i in range(5)])
    # PHP http_build_query, Node querystring, Java: the query string.
    assert len(rest(server, account, "GET", "contact", params={"MaxResults": 2, "FirstResult": 0},
                    expect=200).items("Contact")) == 2
    # C#: the query string, with a form Content-Type header and no body.
    assert len(raw(server, account, "GET", "contact", content_type=FORM, params="MaxResults=3").items(
        "Contact")) == 3
    # curl docs (-X GET -d ...) and the Scala client: a form body on GET.
    body_only = raw(server, account, "GET", "contact", "MaxResults=1&FirstResult=4")
    assert body_only.total == 5 and [c.get("firstName") for c in body_only.items("Contact")] == ["g4"]
    # Both at once are merged.
    merged = raw(server, account, "GET", "contact", "FirstResult=1", params="MaxResults=1")
    assert [c.get("firstName") for c in merged.items("Contact")] == ["g1"]


# -- DELETE parameters ---------------------------------------------------------------------------
def test_delete_params_in_form_body_or_query_string(server, account, seed):
    ids = seed(account, [Contact(first_name=f"d{i}", home_phone=A) for i in range(4)])
    # PHP, C#, Node, Ruby: a form body on DELETE.
    assert raw(server, account, "DELETE", "contact", f"ContactId={ids[0]}+{ids[1]}").status == 204
    # Java: the query string (repeated ContactId).
    assert raw(server, account, "DELETE", "contact", content_type=None,
               params=[("ContactId", ids[2]), ("ContactId", ids[3])]).status == 204
    assert rest(server, account, "GET", "contact", expect=200).total == 0
    # C# with a null list: an empty DELETE is a no-op.
    assert raw(server, account, "DELETE", "contact").status == 204


# -- lists ---------------------------------------------------------------------------------------
def test_lists_spaces_commas_repeated_and_php_arrays(server, account, seed):
    ids = seed(account, [Contact(first_name=f"l{i}", home_phone=f"1213221239{i}") for i in range(8)])
    list_id = rest(server, account, "POST", "contact/list", data={"Name": "l", "ContactId": " ".join(
        map(str, ids))}, expect=201).created_id
    assert _list_size(server, account, list_id) == 8
    path = f"contact/list/{list_id}/remove"
    raw(server, account, "POST", path, f"ContactId={ids[0]}+{ids[1]}")  # PHP / C#: spaces
    raw(server, account, "POST", path, f"ContactId={ids[2]}%2C{ids[3]}")  # R5 docs: commas
    raw(server, account, "POST", path, f"ContactId={ids[4]}&ContactId={ids[5]}")  # Java / Node: repeated
    raw(server, account, "POST", path, f"ContactId%5B0%5D={ids[6]}&ContactId%5B1%5D={ids[7]}")  # PHP arrays
    assert _list_size(server, account, list_id) == 0
    # Java's Numbers: one space-joined value; Node: repeated Numbers keys.
    java = raw(server, account, "POST", "contact/list", f"Name=n&Validate=false&Numbers={A}+{B}", JAVA_FORM)
    node = raw(server, account, "POST", "contact/list", f"Name=n2&Numbers={A}&Numbers={B}&Numbers={C}")
    assert _list_size(server, account, java.created_id) == 2
    assert _list_size(server, account, node.created_id) == 3


# -- booleans ------------------------------------------------------------------------------------
def test_booleans_every_client_spelling(server, account):
    def size_with(validate: str) -> int:
        reply = raw(server, account, "POST", "contact/list", f"Name=b&Numbers=111+{A}&Validate={validate}")
        assert reply.status == 201, reply.content
        return _list_size(server, account, reply.created_id)

    # Validate=false keeps the unparsable 111 as given; true drops it.
    assert size_with("") == 2  # PHP POST: (string)false
    assert size_with("1") == 1  # PHP POST: (string)true
    assert size_with("False") == 2 and size_with("True") == 1  # C#
    assert size_with("false") == 2 and size_with("true") == 1  # Java, Node, curl
    assert size_with("0") == 2 and size_with("TRUE") == 1
    assert raw(server, account, "POST", "contact/list", "Name=b&Numbers=1&Validate=maybe").status == 400
    # PHP GET: http_build_query writes 1 / 0.
    dnc_id = rest(server, account, "POST", "contact/dnc/list", data={"Name": "d", "Numbers": A},
                  expect=201).created_id
    rest(server, account, "POST", f"contact/dnc/list/{dnc_id}/add", data={"Numbers": B, "TextDnc": ""},
         expect=204)
    text_off = rest(server, account, "GET", "contact/dnc", params="DncListId=%d&TextDnc=0" % dnc_id, expect=200)
    text_on = rest(server, account, "GET", "contact/dnc", params="DncListId=%d&TextDnc=1" % dnc_id, expect=200)
    assert [n.findtext("d:Number", namespaces=NS) for n in text_off.items("DncNumber")] == [B]
    assert [n.findtext("d:Number", namespaces=NS) for n in text_on.items("DncNumber")] == [A]


# -- Contact objects -----------------------------------------------------------------------------
def test_contact_objects_raw_or_encoded_brackets_with_custom_fields(server, account, seed):
    ids = seed(account, [Contact(first_name="One", home_phone=A), Contact(first_name="Two", home_phone=B)])
    # Java: keys percent-encoded, custom fields A/B/C, ISO-8859-1 form.
    java = ("Contact%5B0%5D%5Bid%5D={}&Contact%5B0%5D%5BfirstName%5D=Alice&Contact%5B0%5D%5BA%5D=data1"
            "&Contact%5B0%5D%5BB%5D=data2&Contact%5B1%5D%5Bid%5D={}&Contact%5B1%5D%5BC%5D=data+3").format(*ids)
    assert raw(server, account, "PUT", "contact.json", java, JAVA_FORM).status == 204
    first = rest(server, account, "GET", f"contact/{ids[0]}.json", expect=200).json["Resource"]["Contact"]
    assert (first["@firstName"], first["A"], first["B"]) == ("Alice", "data1", "data2")
    assert rest(server, account, "GET", f"contact/{ids[1]}", expect=200).resource.get("C") == "data 3"
    # C#: raw brackets, values url-encoded (+ as %2b), no custom fields.
    csharp = f"Contact[0][id]={ids[1]}&Contact[0][lastName]=Rest&Contact[0][workPhone]=%2b15712655344"
    assert raw(server, account, "PUT", "contact", csharp).status == 204
    second = rest(server, account, "GET", f"contact/{ids[1]}", expect=200).resource
    assert second.get("lastName") == "Rest" and second.get("workPhone") == "15712655344"
    # curl -d with raw brackets and spaces: a new list from Contact objects (R6 adds the same way).
    curl = "Name=Api contact list 1&Contact[0][firstName]=Carol&Contact[0][homePhone]=" + C
    list_id = raw(server, account, "POST", "contact/list", curl).created_id
    assert [c.get("firstName") for c in _contacts_of(server, account, list_id)] == ["Carol"]
    # The 2013 syntax (doubt D11): contact=id:1;firstName:John;custom:value
    legacy = f"contact=id%3A{ids[0]}%3BfirstName%3AJohn%3Bcolour%3Ablue"
    assert raw(server, account, "PUT", "contact", legacy).status == 204
    legacy_contact = rest(server, account, "GET", f"contact/{ids[0]}", expect=200).resource
    assert legacy_contact.get("firstName") == "John" and legacy_contact.get("colour") == "blue"


# -- File ----------------------------------------------------------------------------------------
CSV = (b"firstName,lastName,homePhone,workPhone,custom data1, custom data2\r\n"
       b"Alice,Moore,12345678901,12345678900,test value1, test value2\r\n"
       b"Bob,Schmidt,12345678999,12345678888,test value3, test value4\r\n")


def test_file_as_multipart_part_or_text_field(server, account):
    # Java: multipart, the binary part File plus text parts labelled form-urlencoded, read literally.
    boundary = "XyZ"
    parts = [(b'Content-Disposition: form-data; name="File"; filename="contacts.csv"\r\n'
              b"Content-Type: application/octet-stream\r\n\r\n" + CSV)]
    for name, value in (("Validate", "false"), ("Name", "Api contact list")):
        parts.append(f'Content-Disposition: form-data; name="{name}"\r\n'
                     f"Content-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n\r\n"
                     f"{value}".encode())
    body = b"".join(b"--XyZ\r\n" + part + b"\r\n" for part in parts) + b"--XyZ--\r\n"
    java = raw(server, account, "POST", "contact/list.json", body, f"multipart/form-data; boundary={boundary}")
    assert java.status == 201, java.content
    got = rest(server, account, "GET", f"contact/list/{java.created_id}.json", expect=200).json
    assert got["Resource"]["ContactList"]["Name"] == "Api contact list"  # not percent-decoded
    assert got["Resource"]["ContactList"]["Size"] == 2
    contacts = rest(server, account, "GET", "contact.json", params={"ContactListId": java.created_id},
                    expect=200).json["ResourceList"]["Contact"]
    assert contacts[0]["custom_data1"] == "test value1"  # D12: the stored, NCName-safe name
    # Node (a caller-set text field): the CSV text as a form value.
    node = rest(server, account, "POST", "contact/list", data={"Name": "csv text", "File": CSV.decode()},
                expect=201)
    assert _list_size(server, account, node.created_id) == 2
    # C#: the text "System.Byte[]" for a byte[]: the list is still created (REST-CONTRACT.md 3.7).
    csharp = raw(server, account, "POST", "contact/list", "Name=cs&Validate=True&File=System.Byte%5b%5d")
    assert csharp.status == 201 and _list_size(server, account, csharp.created_id) == 0


# -- extra parameters ----------------------------------------------------------------------------
def test_extra_params_are_ignored_and_the_path_wins(server, account, seed):
    ids = seed(account, [Contact(first_name="x", home_phone=A)])
    list_id = rest(server, account, "POST", "contact/list", data={"Name": "e", "Numbers": B}, expect=201).created_id
    # C#: ContactListId repeated in the bodies of Add/Remove (here a wrong one: the path wins).
    raw(server, account, "POST", f"contact/list/{list_id}/add", f"ContactListId=999999&ContactId={ids[0]}")
    assert _list_size(server, account, list_id) == 2
    raw(server, account, "POST", f"contact/list/{list_id}/remove", f"ContactListId=999999&ContactId={ids[0]}")
    assert _list_size(server, account, list_id) == 1
    # C#: ContactId in the query of GetContactHistory; unknown names too.
    assert raw(server, account, "GET", f"contact/{ids[0]}/history", params={"ContactId": 5, "Foo": "bar"}).status == 200
    # Java sends FirstResult/MaxResults always; Ruby MaxResults=10000 (clamped to 1000, D9).
    assert rest(server, account, "GET", "contact/list", params={"FirstResult": 0, "MaxResults": 10000},
                expect=200).total == 1
    # Node's lowerCamel names match case-insensitively (D13).
    assert len(rest(server, account, "GET", "contact", params={"maxResults": 1}, expect=200).items("Contact")) == 1


# -- success check -------------------------------------------------------------------------------
def test_void_calls_answer_204_without_an_entity(server, account, seed):
    (cid,) = seed(account, [Contact(first_name="v", home_phone=A)])
    for method, path, body in (("PUT", "contact", f"Contact[0][id]={cid}&Contact[0][lastName]=L"),
                               ("PUT", "contact.json", f"Contact[0][id]={cid}&Contact[0][lastName]=M")):
        response = requests.request(method, server + BASE + path, data=body, timeout=30,
                                    headers={"Content-Type": FORM, "Authorization": account.auth})
        # R3 (Apache HttpClient) sees "no entity" only for a 204; PHP/C# treat "" as success.
        assert response.status_code == 204 and response.content == b""
        assert "Content-Type" not in response.headers


# -- error handling ------------------------------------------------------------------------------
def test_errors_are_resource_exceptions_in_the_request_format(server, account):
    xml = raw(server, account, "POST", "contact/list/1/remove")  # R5: no ContactId -> 400
    assert xml.status == 400
    # PHP / Node: XPaths r:HttpStatus and r:Message on the r:ResourceException root.
    assert xml.content.split(b"?>", 1)[1].startswith(b"<r:ResourceException")
    assert xml.root.xpath("string(r:HttpStatus)", namespaces={"r": R}) == "400"
    assert xml.root.xpath("string(r:Message)", namespaces={"r": R})
    # Java: a JSON ResourceException for a .json URL.
    js = raw(server, account, "GET", "contact/999999999.json", content_type=None)
    assert js.status == 404 and js.json["ResourceException"]["HttpStatus"] == 404
    # C#: any error status throws; the status is meaningful on its own.
    assert raw(server, account, "GET", "contact/list/999999999").status == 404


# -- charset -------------------------------------------------------------------------------------
def test_charset_parameter_is_honoured_else_utf8(server, account):
    java = raw(server, account, "POST", "contact/list", "Name=Caf%E9&Numbers=" + A, JAVA_FORM)
    dotnet = raw(server, account, "POST", "contact/list", "Name=Caf%C3%A9&Numbers=" + A)
    curl = raw(server, account, "POST", "contact/list", "Name=Café&Numbers=" + A)  # raw UTF-8 bytes
    for reply in (java, dotnet, curl):
        assert reply.status == 201, reply.content
        name = rest(server, account, "GET", f"contact/list/{reply.created_id}", expect=200).resource.findtext(
            "d:Name", namespaces=NS)
        assert name == "Café"
