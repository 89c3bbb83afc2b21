"""Phone number parsing and the legacy E.164 form.

The legacy API documents numbers as "E.164 11 digit number": E.164 digits without the
leading '+', so a NANP number is 1 + 10 digits (12132212384).
"""
from __future__ import annotations

import re
import threading

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

from . import nanp

DEFAULT_REGION = "US"

def normalize(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The legacy form of a valid number, or None when phonenumbers rejects it."""
    candidate = raw.strip()
    if not candidate:
        return None
    verdict = nanp.classify(candidate, region)
    if verdict == nanp.INVALID:
        return None
    if verdict == nanp.INVALID_AS_NANP:
        return _as_international(candidate)
    if verdict is not None:
        return verdict
    if surely_invalid(candidate, region):
        return None
    return parse_number(candidate, region)


def normalize_all(raws: list[str], region: str = DEFAULT_REGION) -> list[str | None]:
    """[normalize(raw, region) for raw in raws], faster for a list import's many numbers."""
    fast = nanp.fast_valid_all(raws, region)
    return [number or normalize(raw, region) for raw, number in zip(raws, fast, strict=True)]


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
        return _as_international(candidate) if candidate.isdigit() else None
    return _legacy_form(parsed)


def _as_international(digits: str) -> str | None:
    """parse_number()'s second chance for digits that are not a valid national number:
    the digits as an E.164 number (country code first)."""
    try:
        retry = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return _legacy_form(retry) if phonenumbers.is_valid_number(retry) else None


def _legacy_form(parsed) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]


# -- fast rejection ------------------------------------------------------------------------
# phonenumbers needs 100-500 us to turn down a token such as "12". surely_invalid() answers
# "parse_number() returns None" for tokens that have too few characters that could become
# digits to make any valid number, from bounds computed from phonenumbers' own metadata:
#
# * A valid number's national significant number (NSN) has one of its region's possible
#   lengths (general_desc.possible_length, which is_valid_number checks first); so at least
#   _min_nsn(cc) digits for country code cc (the minimum over the regions sharing cc).
# * Parsing only drops characters (separators, an extension, a national or international
#   prefix, a carrier code, the country code), except that a national-prefix transform rule
#   (e.g. AG: 7-digit local numbers get "268" in front) adds at most its literal digits.
# * The country code is the default region's, unless the token has a '+', or starts with the
#   region's international prefix (checked on its digits; a token with letters may have its
#   letters read as digits, so it counts as possibly international), or parse_number's retry
#   as "+" + token applies (tokens of digits only); then it comes from the token's digits,
#   which must also hold the country code.
#
# Only ASCII tokens and known regions take this path; anything else goes to phonenumbers.
# tests/test_phone.py proves the verdicts equal phonenumbers' over generated tokens.
_MAX_INPUT = 250  # phonenumbers' _MAX_INPUT_STRING_LENGTH: longer input is never a number
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_bounds_lock = threading.Lock()
_min_nsn_cache: dict[int, int] = {}
_region_bounds: dict[str, tuple[int, re.Pattern | None]] = {}
_global_min: list[int] = []
_international_need: dict[int, int] = {}


def _metadata(cc: int, region: str):
    if region == "001":
        return PhoneMetadata.metadata_for_nongeo_region(cc)
    return PhoneMetadata.metadata_for_region(region)


def _added_digits(meta) -> int:
    """Digits a national-prefix transform rule can add (its literal digits; \\1 refers to
    digits of the number itself)."""
    rule = meta.national_prefix_transform_rule if meta is not None else None
    return sum(c.isdigit() for c in re.sub(r"\\\d", "", rule)) if rule else 0


def _min_nsn(cc: int) -> int:
    """Fewest NSN digits of a valid number with country code cc."""
    cached = _min_nsn_cache.get(cc)
    if cached is None:
        lengths = []
        for region in COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
            meta = _metadata(cc, region)
            possible = [n for n in meta.general_desc.possible_length if n > 0] if meta is not None else []
            lengths.append(min(possible) if possible else 0)
        cached = min(lengths, default=0)
        _min_nsn_cache[cc] = cached
    return cached


def _main_metadata(cc: int):
    regions = COUNTRY_CODE_TO_REGION_CODE.get(cc, ())
    return _metadata(cc, regions[0]) if regions else None


def _national_after(cc: int) -> int:
    """Fewest digits after country code cc, read from the token, of a valid number (the
    national prefix is stripped with the metadata of cc's main region)."""
    need = _international_need.get(cc)
    if need is None:
        need = _min_nsn(cc) - _added_digits(_main_metadata(cc))
        _international_need[cc] = need
    return need


def _international_min() -> int:
    """Fewest alphanumeric characters of a token that gives a valid number with a country
    code read from the token."""
    if not _global_min:
        with _bounds_lock:
            if not _global_min:
                _global_min.append(min(len(str(cc)) + _national_after(cc) for cc in COUNTRY_CODE_TO_REGION_CODE))
    return _global_min[0]


def _bounds(region: str) -> tuple[int, re.Pattern | None]:
    """(fewest characters of a valid number in the region's national format, the region's
    international prefix pattern or None when any token may start with it)."""
    bounds = _region_bounds.get(region)
    if bounds is None:
        meta = PhoneMetadata.metadata_for_region(region)
        national = _min_nsn(meta.country_code) - _added_digits(meta)
        idd = meta.international_prefix
        # A match on a prefix of the digits implies one on all of them unless the pattern
        # looks at what follows it; treat such a pattern as always matching.
        idd_pattern = re.compile(idd) if idd and "$" not in idd and "(?" not in idd else None
        bounds = (national, idd_pattern)
        _region_bounds[region] = bounds
    return bounds


def _retry_possible(digits: str) -> bool:
    """Whether parse_number's second chance, "+" + digits, could be valid by length."""
    if digits[0] == "0":
        return False  # phonenumbers reads no country code there
    for size in (1, 2, 3):
        cc = int(digits[:size])
        if cc in COUNTRY_CODE_TO_REGION_CODE:
            return len(digits) - size >= _national_after(cc)
    return False


def surely_invalid(candidate: str, region: str = DEFAULT_REGION) -> bool:
    """True when parse_number(candidate, region) is certainly None (see above); False when
    only phonenumbers can tell. candidate is stripped, as normalize() passes it."""
    if not candidate.isascii() or region not in SUPPORTED_REGIONS:
        return False
    if len(candidate) > _MAX_INPUT:
        return True  # parse() raises TOO_LONG, and so does the "+" retry
    alnum = _NOT_ALNUM.sub("", candidate)
    national, idd = _bounds(region)
    need = national
    if ("+" in candidate or idd is None or _HAS_LETTER.search(alnum)
            or (alnum and idd.match(alnum))):
        need = min(need, _international_min())
    if len(alnum) >= need:
        return False
    return not (candidate.isdigit() and _retry_possible(candidate))


# data:PhoneNumber: what a phone attribute may hold on the wire.
# Text that looks like a phone number written with the usual separators: digits, spaces,
# dashes, dots, parentheses, an optional leading '+' ("(213) 555-1007", "+1 213.555.1007").
# One rule for every reader that must tell a number from a header or a word (dnc import,
# the CSV File source, QueryContacts' String).
PHONE_LIKE = re.compile(r"^\+?[0-9 ().\-]*[0-9][0-9 ().\-]*$")


def looks_like_phone(text: str) -> bool:
    """PHONE_LIKE, after stripping surrounding white space."""
    return PHONE_LIKE.match(text.strip()) is not None


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
