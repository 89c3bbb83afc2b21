"""Do Not Contact lists and numbers, and the rules of the DNC operations.

DNC data decides whether a person may be called or texted, so every rule here errs on
the side of blocking: an omitted flag never unblocks a channel, and a number that cannot
be parsed faults the whole request instead of being dropped silently.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import BadRequest
from .phone import DEFAULT_REGION, normalize

MAX_NAME_LENGTH = 255
# E.164 numbers have at most 15 digits, so no longer prefix can match anything.
MAX_PREFIX_DIGITS = 15
# How many offending tokens a BAD_REQUEST message quotes, and how much of each.
_QUOTED_TOKENS = 10
_QUOTED_CHARS = 40


@dataclass
class DncList:
    id: int
    name: str
    campaign_id: int | None
    size: int


@dataclass
class DncNumber:
    number: str
    dnc_list_id: int | None
    call_dnc: bool
    text_dnc: bool


@dataclass(frozen=True)
class Flags:
    """The CallDnc/TextDnc values stored for a number on a list."""

    call_dnc: bool
    text_dnc: bool


@dataclass(frozen=True)
class Channels:
    """Which channels RemoveNumbersFromDncList unblocks; both means "delete the entry"."""

    call: bool
    text: bool

    @property
    def everything(self) -> bool:
        return self.call and self.text

    @property
    def nothing(self) -> bool:
        return not self.call and not self.text


def flags_to_add(call_dnc: bool | None, text_dnc: bool | None) -> Flags:
    """CreateDncList/AddNumbersToDncList: an omitted flag blocks that channel (true)."""
    return Flags(call_dnc=True if call_dnc is None else call_dnc,
                 text_dnc=True if text_dnc is None else text_dnc)


def channels_to_remove(call_dnc: bool | None, text_dnc: bool | None) -> Channels:
    """RemoveNumbersFromDncList. Without either flag the numbers leave the list (the plain
    meaning of the operation). With flags, only the channels given as true are unblocked:
    a client that says CallDnc=true and nothing about texts keeps texts blocked."""
    if call_dnc is None and text_dnc is None:
        return Channels(call=True, text=True)
    return Channels(call=bool(call_dnc), text=bool(text_dnc))


def check_list_name(name: str | None) -> str:
    """The name to store (surrounding blanks removed); blank or overlong names fault."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise BadRequest("Name must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise BadRequest(f"Name is longer than {MAX_NAME_LENGTH} characters")
    if "\x00" in cleaned:
        raise BadRequest("Name contains a NUL character")
    return cleaned


def check_name_filter(label: str, text: str | None) -> None:
    """QueryDncLists/Name and QueryDncNumbers/DncListName match names by substring; a
    substring longer than any name can be matches nothing, so it is a client mistake (and
    unbounded, its LIKE pattern could exceed SQLite's limit: a server fault)."""
    if text is not None and len(text) > MAX_NAME_LENGTH:
        raise BadRequest(f"{label} is longer than {MAX_NAME_LENGTH} characters")


def normalize_numbers(tokens: Iterable[str], region: str = DEFAULT_REGION) -> list[str]:
    """Each token in the legacy 11-digit form, duplicates dropped, first-seen order kept.
    Any invalid token faults the request and the message names the offending tokens."""
    result: dict[str, None] = {}
    bad: list[str] = []
    for token in tokens:
        number = normalize(token, region)
        if number is None:
            bad.append(token)
        else:
            result[number] = None
    if bad:
        detail = " ".join(token[:_QUOTED_CHARS] for token in bad[:100])
        raise BadRequest(_invalid_numbers_message(bad), detail=detail)
    return list(result)


def _invalid_numbers_message(bad: list[str]) -> str:
    quoted = ", ".join(repr(token[:_QUOTED_CHARS]) for token in bad[:_QUOTED_TOKENS])
    more = f" and {len(bad) - _QUOTED_TOKENS} more" if len(bad) > _QUOTED_TOKENS else ""
    noun = "number" if len(bad) == 1 else "numbers"
    return f"Invalid phone {noun}: {quoted}{more}; nothing was changed"


def normalize_number(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """UpdateDncNumber/Number in the legacy form; a blank or invalid number faults."""
    if raw is None or not raw.strip():
        raise BadRequest("Number must not be empty")
    number = normalize(raw, region)
    if number is None:
        raise BadRequest(f"Invalid phone number: {raw.strip()[:_QUOTED_CHARS]!r}")
    return number


def number_prefix(raw: str | None) -> str | None:
    """QueryDncNumbers/Prefix as leading digits of the stored form. A leading '+' is
    accepted ("+1213" matches 12132212384); blank means no filter; anything else that is
    not digits faults rather than silently matching nothing."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    digits = text[1:] if text.startswith("+") else text
    if not digits.isascii() or not digits.isdigit():
        raise BadRequest(f"Prefix {text[:_QUOTED_CHARS]!r} must be digits, optionally after a '+'")
    if len(digits) > MAX_PREFIX_DIGITS:
        raise BadRequest(f"Prefix has more than {MAX_PREFIX_DIGITS} digits")
    return digits
