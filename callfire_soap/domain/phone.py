"""Phone number parsing and the legacy E.164 form.

The legacy API documents numbers as "E.164 11 digit number": E.164 digits without the
leading '+', so a NANP number is 1 + 10 digits (12132212384).
"""
from __future__ import annotations

import re

import phonenumbers

from . import nanp

DEFAULT_REGION = "US"

_SEPARATORS = re.compile(r"[\s,]+")


def split_numbers(text: str | None) -> list[str]:
    """Tokens of a PhoneNumberList; the legacy docs allow commas as well as whitespace."""
    if not text:
        return []
    return [token for token in _SEPARATORS.split(text) if token]


def normalize(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The legacy form of a valid number, or None when phonenumbers rejects it."""
    candidate = raw.strip()
    if not candidate:
        return None
    return nanp.fast_valid(candidate, region) or parse_number(candidate, region)


def normalize_all(raws: list[str], region: str = DEFAULT_REGION) -> list[str | None]:
    """[normalize(raw, region) for raw in raws], faster for a list import's many numbers."""
    return [number or normalize(raw, region) for raw, number in zip(raws, nanp.fast_valid_all(raws, region))]


def parse_number(candidate: str, region: str = DEFAULT_REGION) -> str | None:
    """normalize() through phonenumbers alone (the fast path's reference)."""
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        # A bare 11-digit international number without '+' (e.g. 447911123456) is how
        # the legacy API writes numbers; give it a second chance as E.164.
        if candidate.isdigit():
            return parse_number("+" + candidate, region)
        return None
    if not phonenumbers.is_valid_number(parsed):
        if candidate.isdigit() and not candidate.startswith("+"):
            try:
                retry = phonenumbers.parse("+" + candidate, None)
            except phonenumbers.NumberParseException:
                return None
            if phonenumbers.is_valid_number(retry):
                parsed = retry
            else:
                return None
        else:
            return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]


# data:PhoneNumber: what a phone attribute may hold on the wire.
WIRE_PATTERN = re.compile(r"([a-zA-Z_]+)|(\+?[0-9]+)")
_FORMATTING = re.compile(r"[\s().\-]+")
MAX_LENGTH = 64  # the phone columns


def wire_number(raw: str) -> str | None:
    """The value as given with formatting characters dropped, if that is a data:PhoneNumber
    this service can store (a legacy client can read it back); else None."""
    kept = _FORMATTING.sub("", raw)
    return kept if WIRE_PATTERN.fullmatch(kept) and len(kept) <= MAX_LENGTH else None


def normalize_or_keep(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Validate=false semantics: the normalised number when valid, else the value as given
    (e.g. 111) in its wire form (wire_number), or None when it has none."""
    return normalize(raw, region) or wire_number(raw)
