"""A fast path for NANP numbers that gives exactly phonenumbers' answer.

Most numbers a list import sees are already in a canonical NANP form (``+1NXXNXXXXXX``,
``1NXXNXXXXXX`` or ten digits). Whether such a number is valid is decided by phonenumbers'
metadata regexes for the country-code-1 regions, and those regexes constrain only the first
``depth`` national digits (the rest are ``\\d``). ``depth`` is computed from the installed
metadata when this module loads, by walking the parsed regexes; validity is then memoised per
``depth``-digit prefix. The patterns are read by a small parser for the regex subset the
metadata uses (digits, ``\\d``, digit classes, groups, ``|``, ``?`` and bounded ``{m,n}``); if
any pattern has a shape it does not understand, the fast path is switched off and every
number goes through phonenumbers.
"""
from __future__ import annotations

import re
import threading

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

NANP_REGIONS = frozenset(COUNTRY_CODE_TO_REGION_CODE.get(1, ()))
NATIONAL_LENGTH = 10
_CACHE_LIMIT = 1_000_000


class _Unsupported(Exception):
    pass


# -- the regex subset of phonenumbers' metadata, parsed into (kind, argument) nodes ---------
_LITERAL, _DIGIT, _CLASS, _GROUP, _BRANCH, _REPEAT = range(6)
_DIGIT_CLASS = re.compile(r"(?:[0-9](?:-[0-9])?)+")
_BOUNDS = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")


def _parse(pattern: str) -> list:
    nodes, end = _alternation(pattern, 0)
    if end != len(pattern):
        raise _Unsupported(f"unexpected {pattern[end]!r} at {end}")
    return nodes


def _alternation(p: str, i: int):
    branches = []
    while True:
        items, i = _sequence(p, i)
        branches.append(items)
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return ([(_BRANCH, branches)] if len(branches) > 1 else branches[0]), i


def _sequence(p: str, i: int):
    items = []
    while i < len(p) and p[i] not in "|)":
        atom, i = _atom(p, i)
        atom, i = _quantified(p, i, atom)
        items.append(atom)
    return items, i


def _atom(p: str, i: int):
    c = p[i]
    if c == "(":
        if p.startswith("(?:", i):
            i += 3
        elif p.startswith("(?", i):
            raise _Unsupported("group extension")
        else:
            i += 1
        inner, i = _alternation(p, i)
        if i >= len(p) or p[i] != ")":
            raise _Unsupported("unbalanced group")
        return (_GROUP, inner), i + 1
    if c == "[":
        end = p.find("]", i + 1)
        body = p[i + 1:end]
        if body == "\\d":
            return (_DIGIT, None), end + 1
        if end < 0 or not _DIGIT_CLASS.fullmatch(body):
            raise _Unsupported(f"character class at {i}")
        return (_CLASS, body), end + 1
    if p.startswith("\\d", i):
        return (_DIGIT, None), i + 2
    if c in "0123456789":
        return (_LITERAL, c), i + 1
    raise _Unsupported(f"regex construct {c!r}")


def _quantified(p: str, i: int, atom):
    if i < len(p) and p[i] == "?":
        return (_REPEAT, (0, 1, [atom])), i + 1
    if i < len(p) and p[i] == "{":
        bounds = _BOUNDS.match(p, i)
        if bounds is None or (bounds.group(2) and not bounds.group(3)):
            raise _Unsupported("unbounded or malformed repeat")
        low = int(bounds.group(1))
        high = int(bounds.group(3)) if bounds.group(2) else low
        return (_REPEAT, (low, high, [atom])), bounds.end()
    if i < len(p) and p[i] in "*+":
        raise _Unsupported("unbounded repeat")
    return atom, i


def _combine(left, right):
    return {(w1 + w2, max(d1, w1 + d2) if d2 else d1) for w1, d1 in left for w2, d2 in right}


def _walk(sequence) -> set[tuple[int, int]]:
    """(width, depth) for every path through a parsed regex: how many digits it consumes and
    the position after the last digit it constrains (anything but a plain \\d)."""
    paths = {(0, 0)}
    for kind, arg in sequence:
        paths = _combine(paths, _walk_item(kind, arg))
        if len(paths) > 10_000:
            raise _Unsupported("pattern too branchy")
    return paths


def _walk_item(kind, arg):
    if kind == _LITERAL or kind == _CLASS:
        return {(1, 1)}
    if kind == _DIGIT:
        return {(1, 0)}
    if kind == _GROUP:
        return _walk(arg)
    if kind == _BRANCH:
        paths = set()
        for alternative in arg:
            paths |= _walk(alternative)
        return paths
    low, high, inner = arg  # _REPEAT
    if high > 20:
        raise _Unsupported("long repeat")
    once, paths = _walk(inner), set()
    for count in range(low, high + 1):
        repeated = {(0, 0)}
        for _ in range(count):
            repeated = _combine(repeated, once)
        paths |= repeated
    return paths


def constrained_depth() -> int | None:
    """How many leading national digits decide NANP validity, or None if unknown."""
    depth = 0
    try:
        for region in NANP_REGIONS:
            meta = PhoneMetadata.metadata_for_region(region)
            if meta is None:
                return None
            descs = (meta.general_desc, meta.fixed_line, meta.mobile, meta.toll_free, meta.premium_rate,
                     meta.shared_cost, meta.personal_number, meta.voip, meta.pager, meta.uan, meta.voicemail,
                     meta.no_international_dialling)
            for desc in descs:
                if desc is None or desc.national_number_pattern is None:
                    continue
                # Paths of another width (e.g. Canada's 7-digit UAN numbers) never match a
                # ten-digit national number, so they cannot change its answer.
                for width, d in _walk(_parse(desc.national_number_pattern)):
                    if width == NATIONAL_LENGTH:
                        depth = max(depth, d)
            if meta.leading_digits:
                depth = max(depth, max(width for width, _ in _walk(_parse(meta.leading_digits))))
    except _Unsupported:
        return None
    return depth if 0 < depth <= NATIONAL_LENGTH else None


DEPTH = constrained_depth()
_CANONICAL = re.compile(r"(\+1|1)?([2-9][0-9]{9})")
_valid_prefix: dict[str, bool] = {}
_lock = threading.Lock()


# What classify() says of a canonical NANP number that phonenumbers turns down.
INVALID = "invalid"            # parse_number() gives None
INVALID_AS_NANP = "retry"      # ten digits: only parse_number()'s "+" + digits retry is left


def fast_valid(raw: str, region: str) -> str | None:
    """The legacy form ("1" + ten digits) when ``raw`` is a canonical NANP number that
    phonenumbers accepts; None when the fast path cannot decide (the caller then asks
    phonenumbers, which also handles every invalid or non-canonical input)."""
    verdict = classify(raw, region)
    return verdict if verdict not in (None, INVALID, INVALID_AS_NANP) else None


def classify(raw: str, region: str) -> str | None:
    """For a canonical NANP number: its legacy form when valid, INVALID when parse_number()
    gives None, INVALID_AS_NANP when only the retry as an international number is left.
    None when ``raw`` is not canonical (or the fast path is off): phonenumbers decides.

    An invalid canonical number is invalid whichever way phonenumbers reads it as NANP:
    with or without "+1" or the leading "1" (country code or national prefix), the national
    number is the same ten digits or longer, and no NANP number is longer. parse_number()'s
    second chance, "+" + digits, reads "1..." as country code 1 again, so only a ten-digit
    token can still be an international number."""
    if DEPTH is None:
        return None
    # "1" + ten ASCII digits is what exports (and the legacy API) mostly send: skip the regex
    # for it. Same answer as _CANONICAL (which wants [2-9] after the "1", else no match).
    if len(raw) == 11 and raw[0] == "1" and raw.isascii() and raw.isdigit() and raw[1] > "1":
        if region not in NANP_REGIONS:
            return None
        national = raw[1:]
    else:
        match = _CANONICAL.fullmatch(raw)
        if match is None:
            return None
        if match.group(1) != "+1" and region not in NANP_REGIONS:
            return None  # without "+1" the digits mean something else in a non-NANP region
        national = match.group(2)
    if not _valid(national):
        return INVALID_AS_NANP if len(raw) == NATIONAL_LENGTH else INVALID
    return "1" + national


def _valid(national: str) -> bool:
    key = national[:DEPTH]
    valid = _valid_prefix.get(key)
    if valid is None:
        valid = phonenumbers.is_valid_number(PhoneNumber(country_code=1, national_number=int(national)))
        with _lock:
            if len(_valid_prefix) >= _CACHE_LIMIT:
                _valid_prefix.clear()
            _valid_prefix[key] = valid
    return valid


def fast_valid_all(raws: list[str], region: str) -> list[str | None]:
    """fast_valid for each of raws, answering "1" + ten ASCII digits from the prefix memo
    without a call per number (list imports see 100,000 of them). None where fast_valid
    would compute, as well as where it would say None: the caller asks normalize()."""
    if DEPTH is None or region not in NANP_REGIONS:
        return [None] * len(raws)
    known, depth = _valid_prefix.get, DEPTH + 1
    return [raw if len(raw) == 11 and raw[0] == "1" and raw.isascii() and raw.isdigit() and raw[1] > "1"
            and known(raw[1:depth]) else None for raw in raws]
