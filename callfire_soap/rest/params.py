"""REST request parameters into request messages (REST-CONTRACT.md 3.5 and 6).

Parameters are read from the query string and from the body (form or multipart) on every
method, and merged: clients put them in either place whatever the verb. A decoder per
message class is built once from the message's fields (operations/messages.py): the type of
a field says how its parameter is parsed, and the ContactSource children (Contact, Numbers,
ContactId, File) are top-level parameters, as REST flattens them.
"""
from __future__ import annotations

import codecs
import dataclasses
import re
import typing
from urllib.parse import parse_qsl

from ..domain.contacts import DECLARED_FIELDS
from ..domain.errors import BadRequest
from ..operations import messages as m

_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\[\]]*\])*)")
_SUBSCRIPT = re.compile(r"\[([^\[\]]*)\]")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0", ""})
# Fields that are lists (svc:IdList, data:PhoneNumberList) when they are text.
_LIST_FIELDS = frozenset({"ContactId", "Numbers"})
_CONTACT_DECLARED = frozenset(DECLARED_FIELDS)

Pairs = list[tuple[str, "str | bytes"]]


class UnsupportedMediaType(Exception):
    """A request body in a format no client sends (XML, JSON...): 415."""


# -- collecting the (name, value) pairs ----------------------------------------------------------
def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    media, _, rest = content_type.partition(";")
    params = {}
    for item in rest.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _codec(charset: str | None) -> str:
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        raise BadRequest(f"Unknown charset {charset[:40]!r}") from None


def parse_form(text: str, encoding: str = "utf-8") -> Pairs:
    """application/x-www-form-urlencoded: percent-escapes decode in ``encoding``, '+' is a
    space; raw spaces and brackets (curl -d) pass through."""
    try:
        return parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(f"The parameters are not valid {encoding}") from None


def query_pairs(query_string: str) -> Pairs:
    """WSGI hands the query string over as latin-1 text of the raw bytes; clients send UTF-8."""
    if not query_string:
        return []
    try:
        text = query_string.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadRequest("The query string is not valid UTF-8") from None
    return parse_form(text)


def body_pairs(body: bytes, content_type: str) -> Pairs:
    if not body:
        return []
    media, params = _media_type(content_type)
    if media == "multipart/form-data":
        return parse_multipart(body, params.get("boundary"))
    if media in ("", "application/x-www-form-urlencoded"):
        encoding = _codec(params.get("charset"))
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            raise BadRequest(f"The request body is not valid {encoding}") from None
        return parse_form(text, encoding)
    raise UnsupportedMediaType(media)


_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


def parse_multipart(body: bytes, boundary: str | None) -> Pairs:
    """multipart/form-data: a part with a filename is a file (bytes); the other parts are
    text values, read literally (not percent-decoded) in the part's charset, else UTF-8."""
    if not boundary or len(boundary) > 200:
        raise BadRequest("Malformed multipart body: no boundary")
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise BadRequest("Malformed multipart body: the closing boundary is missing")
    pairs: Pairs = []
    for chunk in chunks[1:-1]:
        # Parts end in CRLF; bare LF line ends (hand-written bodies) are tolerated.
        newline = b"\r\n" if chunk.startswith(b"\r\n") else b"\n"
        if not chunk.startswith(newline) or not chunk.endswith(b"\n"):
            raise BadRequest("Malformed multipart body: a boundary is not on a line of its own")
        chunk = chunk[len(newline):-len(newline)] if chunk.endswith(newline) else chunk[len(newline):-1]
        head, sep, content = chunk.partition(newline * 2)
        if not sep:
            raise BadRequest("Malformed multipart body: a part has no header end")
        disposition, part_type = "", ""
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-disposition":
                disposition = value
            elif name.strip().lower() == "content-type":
                part_type = value
        fields = {k.lower(): quoted or plain for k, quoted, plain in _DISPOSITION_PARAM.findall(disposition)}
        name = fields.get("name")
        if not disposition.strip().lower().startswith("form-data") or not name:
            raise BadRequest("Malformed multipart body: a part has no form-data name")
        if "filename" in fields:
            pairs.append((name, content))
            continue
        encoding = _codec(_media_type(part_type)[1].get("charset"))
        try:
            pairs.append((name, content.decode(encoding)))
        except UnicodeDecodeError:
            raise BadRequest(f"Multipart part {name[:40]!r} is not valid {encoding}") from None
    return pairs


# -- values --------------------------------------------------------------------------------------
def _text(name: str, value: str | bytes) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"{name} is not valid UTF-8 text") from None
    return value


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")


def parse_long(name: str, value: str) -> int:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        raise BadRequest(f"{name} must be a number, not {_shown(text)}")
    number = int(text)
    if not _LONG_MIN <= number <= _LONG_MAX:
        raise BadRequest(f"{name} {_shown(text)} is out of range")
    return number


def parse_bool(name: str, value: str) -> bool:
    """true/1 and false/0/empty, in any case: every spelling a known client sends
    (PHP posts "1" and "", .NET "True"/"False")."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f"{name} must be true or false, not {_shown(value)}")


# -- decoding into a message ---------------------------------------------------------------------
_SOURCE = "ContactSource"


def _kind(field: str, hint) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list:
        return "contacts"
    target = args[0] if args else hint
    if target is m.SourceNumbers:
        return "numbers"
    if target is m.Source:
        return "source"
    if target is str:
        return "list" if field in _LIST_FIELDS else "str"
    return {int: "int", bool: "bool", bytes: "bytes"}[target]


def _slots(message: type) -> dict[str, tuple[str | None, str, str]]:
    """lowercase parameter name -> (ContactSource or None, field name, kind)."""
    slots = {}
    hints = typing.get_type_hints(message)
    for f in dataclasses.fields(message):
        kind = _kind(f.name, hints[f.name])
        if kind == "source":
            source_hints = typing.get_type_hints(m.Source)
            for sf in dataclasses.fields(m.Source):
                slots[sf.name.lower()] = (_SOURCE, sf.name, _kind(sf.name, source_hints[sf.name]))
        else:
            slots[f.name.lower()] = (None, f.name, kind)
    return slots


def _contact(fields: dict[str, str]) -> m.WireContact:
    wire = m.WireContact()
    for name, value in fields.items():
        if name == "id":
            wire.id = parse_long("Contact id", value) if value.strip() else None
        elif name in _CONTACT_DECLARED:
            wire.declared[name] = value
        else:
            wire.custom[name] = value
    return wire


def _legacy_contact(text: str) -> dict[str, str]:
    """The 2013 form contact=id:1;firstName:John;custom:value (REST-CONTRACT.md doubt D11)."""
    fields = {}
    for item in text.split(";"):
        name, sep, value = item.partition(":")
        if sep and name.strip():
            fields[name.strip()] = value
    return fields


def _index_key(index: str):
    return (0, int(index), "") if index.isdigit() else (1, 0, index)


class MessageDecoder:
    """Parameters (name, value) and path parameters -> one request message."""

    def __init__(self, message: type):
        self.message = message
        self.slots = _slots(message)
        self.has_source = any(target == _SOURCE for target, _, _ in self.slots.values())

    def __call__(self, pairs: Pairs, path_params: dict[str, str] | None = None):
        values: dict[tuple, list] = {}
        contacts: dict[tuple, dict[str, str]] = {}
        field_name: str | None = None
        legacy = 0
        for key, value in pairs:
            match = _KEY.fullmatch(key.strip())
            if match is None:
                continue  # unknown parameters are ignored (REST-CONTRACT.md 3.5 P9)
            slot = self.slots.get(match.group(1).lower())
            if slot is None:
                continue
            subscripts = _SUBSCRIPT.findall(match.group(2))
            target, name, kind = slot
            if kind == "contacts":
                if len(subscripts) == 2:
                    contacts.setdefault(_index_key(subscripts[0]), {})[subscripts[1]] = _text(key, value)
                elif not subscripts:
                    contacts[(2, legacy, "")] = _legacy_contact(_text(key, value))
                    legacy += 1
                continue
            if kind == "numbers" and len(subscripts) == 1 and subscripts[0].lower() == "fieldname":
                field_name = _text(key, value)
                continue
            # PHP's array form X[0]=a&X[1]=b (and X[]=a) is a repeated parameter.
            if subscripts and not all(s == "" or s.isdigit() for s in subscripts):
                continue
            values.setdefault((target, name, kind), []).append(value)

        fields: dict[str, object] = {}
        source: dict[str, object] = {}
        for (target, name, kind), raw in values.items():
            value = self._value(name, kind, raw)
            if value is not None:
                (source if target == _SOURCE else fields)[name] = value
        if contacts:
            wires = [_contact(contacts[key]) for key in sorted(contacts)]
            if self.has_source:
                source["Contact"] = wires
            else:
                fields["Contact"] = wires
        if field_name is not None and self.has_source:
            numbers = source.get("Numbers")
            source["Numbers"] = m.SourceNumbers(numbers.value if numbers else None, field_name or None)
        if source:
            fields[_SOURCE] = m.Source(**source)
        for name, value in (path_params or {}).items():
            # The path wins over a body or query parameter of the same name (P9).
            fields[name] = self._value(name, self.slots[name.lower()][2], [value])
        return self.message(**fields)

    @staticmethod
    def _value(name: str, kind: str, raw: list):
        if kind == "bytes":
            last = raw[-1]
            data = last if isinstance(last, bytes) else last.encode("utf-8")
            return data or None
        texts = [_text(name, v) for v in raw]
        if kind == "list":
            # Repeated parameters are one list; the separators are split by the services.
            joined = " ".join(t for t in texts if t.strip())
            return joined or None
        if kind == "numbers":
            joined = " ".join(t for t in texts if t.strip())
            return m.SourceNumbers(joined) if joined else None
        if kind == "bool":
            return parse_bool(name, texts[-1])
        present = [t for t in texts if t.strip()]
        if not present:
            return None  # an empty value means absent (P8)
        if kind == "int":
            return parse_long(name, present[-1])
        return present[-1]


_DECODERS: dict[type, MessageDecoder] = {}


def decoder(message: type) -> MessageDecoder:
    found = _DECODERS.get(message)
    if found is None:
        found = _DECODERS[message] = MessageDecoder(message)
    return found
