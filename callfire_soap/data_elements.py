"""Writers of the data-namespace elements (data:Contact, data:ContactList, ...): domain
objects straight to lxml elements, exactly as callfire-data.xsd declares them, in schema
order. SOAP responses and REST resources carry the same elements, so both entrypoints use
these (they differ only in the wrappers around them and in the prefix, which the parent's
nsmap decides: lxml reuses the prefix the enclosing element declares for the namespace).

Writing with lxml directly, not through spyne's serializer: that cannot write anyAttribute
(custom fields on data:Contact).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from lxml import etree

from .domain.contacts import DECLARED_FIELDS, Contact
from .domain.dnc import DncList, DncNumber
from .domain.history import CALL, Action, ActionRecord
from .domain.lists import ContactList
from .namespaces import DATA

_D = "{%s}" % DATA
_SubElement = etree.SubElement

_CONTACT_ATTRS = tuple(DECLARED_FIELDS.items())


def xs_datetime(value: datetime) -> str:
    """xs:dateTime in UTC with a Z suffix; naive values (SQLite) are UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    # Not strftime: it writes year 1 as "1-01-01", which is no xs:dateTime.
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (value.year, value.month, value.day,
                                             value.hour, value.minute, value.second)
    if value.microsecond:
        text += ".%03d" % (value.microsecond // 1000)
    return text + "Z"


def xs_bool(value: bool) -> str:
    return "true" if value else "false"


def _text(parent, tag: str, value) -> None:
    _SubElement(parent, tag).text = value if isinstance(value, str) else str(value)


# -- contacts ------------------------------------------------------------------------------
def write_contact(parent, contact: Contact) -> None:
    attrib = {"id": str(contact.id)}
    for wire, attr in _CONTACT_ATTRS:
        value = getattr(contact, attr)
        if value is not None:
            attrib[wire] = value
    attrib.update(contact.custom)
    _SubElement(parent, _D + "Contact", attrib)


# -- history -------------------------------------------------------------------------------
def _write_record_base(el, record: ActionRecord) -> None:
    _text(el, _D + "Result", record.result)
    _text(el, _D + "FinishTime", xs_datetime(record.finish_time))
    _text(el, _D + "BilledAmount", repr(float(record.billed_amount)))
    for qr in record.questions:
        q = _SubElement(el, _D + "QuestionResponse")
        _text(q, _D + "Question", qr.question)
        _text(q, _D + "Response", qr.response)


def _write_action(parent, action: Action) -> None:
    is_call = action.kind == CALL
    el = _SubElement(parent, _D + ("Call" if is_call else "Text"), id=str(action.id))
    _text(el, _D + "FromNumber", action.from_number)
    to = _SubElement(el, _D + "ToNumber")
    to.text = action.to_number
    if action.to_client_data is not None:
        to.set("ClientData", action.to_client_data)
    _text(el, _D + "State", action.state)
    if action.batch_id is not None:
        _text(el, _D + "BatchId", action.batch_id)
    if action.broadcast_id is not None:
        _text(el, _D + "BroadcastId", action.broadcast_id)
    _text(el, _D + "ContactId", action.contact_id)
    _text(el, _D + "Inbound", xs_bool(action.inbound))
    _text(el, _D + "Created", xs_datetime(action.created))
    _text(el, _D + "Modified", xs_datetime(action.modified))
    if action.final_result is not None:
        _text(el, _D + "FinalResult", action.final_result)
    for label in action.labels:
        _text(_SubElement(el, _D + "Label"), _D + "Name", label)
    if is_call:
        for record in action.records:
            rec = _SubElement(el, _D + "CallRecord", id=str(record.id))
            _write_record_base(rec, record)
            if record.originate_time is not None:
                _text(rec, _D + "OriginateTime", xs_datetime(record.originate_time))
            if record.answer_time is not None:
                _text(rec, _D + "AnswerTime", xs_datetime(record.answer_time))
            _text(rec, _D + "Duration", record.duration or 0)
            for meta in record.recordings:
                m = _SubElement(rec, _D + "RecordingMeta", id=str(meta.id))
                _text(m, _D + "Name", meta.name)
                _text(m, _D + "Created", xs_datetime(meta.created))
                if meta.length_seconds is not None:
                    _text(m, _D + "LengthInSeconds", meta.length_seconds)
                if meta.link is not None:
                    _text(m, _D + "Link", meta.link)
    else:
        if action.message is not None:
            _text(el, _D + "Message", action.message)
        for record in action.records:
            rec = _SubElement(el, _D + "TextRecord", id=str(record.id))
            _write_record_base(rec, record)
            _text(rec, _D + "Message", record.message or "")


def write_contact_history(parent, actions: Sequence[Action]) -> None:
    el = _SubElement(parent, _D + "ContactHistory")
    for action in actions:
        _write_action(el, action)


# -- contact lists -------------------------------------------------------------------------
def write_contact_list(parent, contact_list: ContactList) -> None:
    el = _SubElement(parent, _D + "ContactList", id=str(contact_list.id))
    _text(el, _D + "Name", contact_list.name)
    _text(el, _D + "Size", contact_list.size)
    _text(el, _D + "Created", xs_datetime(contact_list.created))
    _text(el, _D + "Status", contact_list.status)


# -- do not contact ------------------------------------------------------------------------
def write_dnc_list(parent, dnc_list: DncList) -> None:
    el = _SubElement(parent, _D + "DncList", id=str(dnc_list.id))
    if dnc_list.campaign_id is not None:
        _text(el, _D + "CampaignId", dnc_list.campaign_id)
    _text(el, _D + "Name", dnc_list.name)
    _text(el, _D + "Size", dnc_list.size)


def write_dnc_number(parent, number: DncNumber) -> None:
    el = _SubElement(parent, _D + "DncNumber")
    _text(el, _D + "Number", number.number)
    if number.dnc_list_id is not None:
        _text(el, _D + "DncListId", number.dnc_list_id)
    _text(el, _D + "CallDnc", xs_bool(number.call_dnc))
    _text(el, _D + "TextDnc", xs_bool(number.text_dnc))


Writer = Callable[[etree._Element, object], None]

# data element name -> its writer
WRITERS: dict[str, Writer] = {
    "Contact": write_contact,
    "ContactHistory": write_contact_history,
    "ContactList": write_contact_list,
    "DncList": write_dnc_list,
    "DncNumber": write_dnc_number,
}
