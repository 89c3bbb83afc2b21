"""Everything spyne does for this service, and the only module that imports spyne.

spyne declares the service (a ServiceBase with one bare document/literal method per
operation of the table) and deserializes each request element into its spyne types, which
are derived here from the request messages (operations/messages.py). Envelope handling,
validation, dispatch, response writing and faults are the project's own (soap/envelope.py,
data_elements.py, soap/faults.py): spyne's generic serializer cannot write anyAttribute, and
its per-request machinery (MethodContext, events, WsgiApplication) costs more than the
database lookup of a GetContact.

The protocol is based on spyne's XmlDocument, which is what from_element lives on; its SOAP
subclasses add only envelope and fault handling that this project does itself (and import the
stdlib ``cgi`` module, which CPython 3.13 removed). ``tests/unit/test_spyne_binding.py`` pins
every spyne internal this module relies on.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import typing
from base64 import b64decode

from spyne import (
    Application,
    Boolean,
    ByteArray,
    ComplexModel,
    Long,
    ServiceBase,
    Unicode,
    XmlAttribute,
    XmlData,
    rpc,
)
from spyne.error import Fault
from spyne.protocol.xml import XmlDocument

from ..domain.contacts import DECLARED_FIELDS
from ..faults import ServiceFault
from ..namespaces import DATA, SVC, svc
from ..operations import messages

SPYNE_VERSION = "2.14.0"

# spyne logs every fault with a traceback; faults are logged once, by this project.
logging.getLogger("spyne.application").setLevel(logging.CRITICAL + 1)


class Contact(ComplexModel):
    """data:Contact. The protocol collects the undeclared attributes (anyAttribute) into
    ``custom_fields`` and the names of the declared ones the client sent into ``present``."""

    __namespace__ = DATA
    id = XmlAttribute(Long)
    firstName = XmlAttribute(Unicode)
    lastName = XmlAttribute(Unicode)
    zipcode = XmlAttribute(Unicode)
    homePhone = XmlAttribute(Unicode)
    workPhone = XmlAttribute(Unicode)
    mobilePhone = XmlAttribute(Unicode)
    externalId = XmlAttribute(Unicode)
    externalSystem = XmlAttribute(Unicode)


class Numbers(ComplexModel):
    """svc:ContactSource/Numbers: a PhoneNumberList with a fieldName attribute."""

    __namespace__ = SVC
    fieldName = XmlAttribute(Unicode)
    value = XmlData(Unicode)


_CONTACT_DECLARED = frozenset(Contact._type_info)
_SCALARS = {int: Long, str: Unicode, bool: Boolean, bytes: ByteArray}


def _field_type(hint):
    """The spyne type of one message field, from its type hint."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list:
        if args != [messages.WireContact]:
            raise TypeError(f"no spyne type for {hint!r}")
        return Contact.customize(max_occurs="unbounded", sub_ns=DATA)
    if args:  # X | None
        hint = args[0]
    if hint in _SCALARS:
        return _SCALARS[hint]
    if hint is messages.SourceNumbers:
        return Numbers
    if dataclasses.is_dataclass(hint):
        return spyne_type(hint)
    raise TypeError(f"no spyne type for {hint!r}")


_TYPES: dict[type, type] = {}


def spyne_type(message: type) -> type:
    """The spyne ComplexModel of a request message (one per message class)."""
    found = _TYPES.get(message)
    if found is None:
        hints = typing.get_type_hints(message)
        members = {"__namespace__": SVC}
        for f in dataclasses.fields(message):
            members[f.name] = _field_type(hints[f.name])
        found = _TYPES[message] = type(message.__name__, (ComplexModel,), members)
    return found


def to_message(message: type, value):
    """A spyne instance (or None) as the plain request message."""
    if value is None:
        return None
    return message(**{name: convert(getattr(value, name, None)) for name, convert in _converters(message)})


_CONVERTERS: dict[type, list] = {}


def _converters(message: type) -> list:
    """(field name, function from the spyne value to the message value) for each field;
    worked out once per message class (type hints are costly to evaluate)."""
    found = _CONVERTERS.get(message)
    if found is None:
        hints = typing.get_type_hints(message)
        found = _CONVERTERS[message] = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(message)]
    return found


def _converter(hint):
    if typing.get_origin(hint) is list:
        return lambda raw: [] if raw is None else [_wire_contact(item) for item in raw]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    target = args[0] if args else hint
    if target is bytes:
        return lambda raw: None if raw is None else b"".join(raw)
    if dataclasses.is_dataclass(target):
        return lambda raw: to_message(target, raw)
    return lambda raw: raw


def _wire_contact(wire) -> messages.WireContact:
    present = getattr(wire, "present", None) or ()
    return messages.WireContact(
        id=wire.id,
        declared={name: getattr(wire, name) for name in DECLARED_FIELDS if name in present},
        custom=dict(getattr(wire, "custom_fields", None) or {}),
    )


class _Deserializer(XmlDocument):
    """spyne's XML deserialization with the two things this contract needs beyond it."""

    def complex_from_element(self, ctx, cls, elt):
        inst = super().complex_from_element(ctx, cls, elt)
        if cls is Contact or getattr(cls, "__orig__", None) is Contact:
            attrib = elt.attrib
            inst.present = frozenset(k for k in attrib if k in _CONTACT_DECLARED)
            # anyAttribute: unqualified attributes beyond the declared ones are custom fields.
            inst.custom_fields = {
                k: v for k, v in attrib.items() if k not in _CONTACT_DECLARED and "}" not in k
            }
        return inst

    def byte_array_from_element(self, ctx, cls, element):
        """svc:File. spyne decodes base64 with ``"".join(text)``, which first makes a list of
        one pointer per character (~140 MB for the base64 of a 200,000-row CSV)."""
        text = element.text
        if text is None:
            return None
        return (b64decode(text),)


class _Context:
    """What from_element reads of spyne's MethodContext: the application (for xsi:type)."""

    __slots__ = ("app",)

    def __init__(self, app):
        self.app = app


def _declare(operation):
    request_type = spyne_type(operation.message)

    def method(ctx, request):  # pragma: no cover - the endpoint calls operation.call
        raise NotImplementedError(operation.name)

    method.__name__ = operation.name
    return rpc(
        request_type,
        _body_style="bare",
        _in_message_name=svc(operation.request_element),
        _returns=None,
        _out_message_name=svc(operation.name + "Response"),
    )(method)


# A digit string xs:long and Python's int() read alike (no sign, space or underscore; at most
# 18 digits, so always within xs:long).
_PLAIN_LONG = re.compile(r"[0-9]{1,18}")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_DECLINE = object()


class _LeanDecoder:
    """The request message of a request element whose fields are all scalars (long, string,
    boolean: GetContact, the Query* requests, the DNC reads), read with lxml directly. spyne's
    from_element costs ~20 µs of CPU for one Id; this reads the same values in ~2.

    It decodes only the plainest form of each value and declines (returns _DECLINE) anything
    else: attributes (xsi:type, xsi:nil), child elements, a repeated or unknown element, an
    entity reference, a long with a sign or spaces, an empty or spaced boolean, an empty
    string. spyne decodes what it declines. ``tests/unit/test_lean_decode.py`` checks over the
    operation table that every value it decodes is the one spyne decodes."""

    __slots__ = ("message", "fields")

    def __init__(self, message: type, fields: dict[str, tuple[str, type]]):
        self.message = message
        self.fields = fields  # "{svc}Name" -> (field name, int | str | bool)

    @classmethod
    def of(cls, message: type):
        """The decoder of ``message``, or None if a field is not a scalar."""
        hints = typing.get_type_hints(message)
        fields = {}
        for f in dataclasses.fields(message):
            args = [a for a in typing.get_args(hints[f.name]) if a is not type(None)]
            kind = args[0] if len(args) == 1 else hints[f.name]
            if kind not in (int, str, bool):
                return None
            fields["{%s}%s" % (SVC, f.name)] = (f.name, kind)
        return cls(message, fields)

    def __call__(self, element):
        if element.attrib:
            return _DECLINE
        values = {}
        fields = self.fields
        for child in element:
            found = fields.get(child.tag)  # a comment or entity node has a non-str tag: None
            if found is None or len(child) or child.attrib:
                return _DECLINE
            name, kind = found
            text = child.text
            if name in values or not text:
                return _DECLINE
            if kind is int:
                if _PLAIN_LONG.fullmatch(text) is None:
                    return _DECLINE
                values[name] = int(text)
            elif kind is bool:
                value = _BOOLEANS.get(text)
                if value is None:
                    return _DECLINE
                values[name] = value
            else:
                values[name] = text
        return self.message(**values)


class SpyneBinding:
    """The spyne Application of the operation table and a decoder of request elements."""

    def __init__(self, operations):
        service = type("ContactService", (ServiceBase,),
                       {op.name: _declare(op) for op in operations})
        self.application = Application(
            [service], tns=SVC, name="ContactService",
            in_protocol=_Deserializer(), out_protocol=_Deserializer(),
        )
        self._protocol = self.application.in_protocol
        self._context = _Context(self.application)
        # "{svc}RequestElement" -> the spyne type its element deserializes into
        self._in_types = {
            key: descriptors[0].in_message
            for key, descriptors in self.application.interface.service_method_map.items()
        }
        # message class -> its _LeanDecoder, for the messages of scalars only
        self._lean = {op.message: decoder for op in operations
                      if (decoder := _LeanDecoder.of(op.message)) is not None}

    def request_elements(self) -> set[str]:
        """The request elements ("{svc}Name") spyne's method map dispatches on."""
        return set(self._in_types)

    def decode(self, operation, element):
        """The request message of ``operation`` from its (validated) request element."""
        lean = self._lean.get(operation.message)
        if lean is not None:
            message = lean(element)
            if message is not _DECLINE:
                return message
        return self.decode_with_spyne(operation, element)

    def decode_with_spyne(self, operation, element):
        """decode() by spyne alone (what the lean decoders are checked against)."""
        try:
            value = self._protocol.from_element(self._context, self._in_types[element.tag], element)
        except Fault as error:
            raise ServiceFault.bad_request("Invalid request: %s" % (error.faultstring or error.faultcode)) from None
        return to_message(operation.message, value)
