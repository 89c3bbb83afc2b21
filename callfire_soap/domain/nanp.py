"""A fast path for NANP numbers that gives exactly phonenumbers' answer.

Most numbers a list import sees are already in a canonical NANP form (``+1NXXNXXXXXX``,
``1NXXNXXXXXX`` or ten digits). Whether such a number is valid is decided by phonenumbers'
metadata regexes for the country-code-1 regions, and those regexes constrain only the first
``depth`` national digits (the rest are ``\\d``). ``depth`` is computed from the installed
metadata when this module loads, by walking the parsed regexes; validity is then memoised per
``depth``-digit prefix. If any pattern has a shape the walk does not understand, the fast path
is switched off and every number goes through phonenumbers.
"""
from __future__ import annotations

import re
import threading

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

try:  # CPython 3.11+
    from re import _constants as _C, _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _C
    import sre_parse as _sre_parse

NANP_REGIONS = frozenset(COUNTRY_CODE_TO_REGION_CODE.get(1, ()))
NATIONAL_LENGTH = 10
_CACHE_LIMIT = 1_000_000


class _Unsupported(Exception):
    pass


def _combine(left, right):
    return {(w1 + w2, max(d1, w1 + d2) if d2 else d1) for w1, d1 in left for w2, d2 in right}


def _walk(sequence) -> set[tuple[int, int]]:
    """(width, depth) for every path through a parsed regex: how many digits it consumes and
    the position after the last digit it constrains (anything but a plain \\d)."""
    paths = {(0, 0)}
    for op, arg in sequence:
        paths = _combine(paths, _walk_item(op, arg))
        if len(paths) > 10_000:
            raise _Unsupported("pattern too branchy")
    return paths


def _walk_item(op, arg):
    if op is _C.LITERAL:
        return {(1, 1)}
    if op is _C.IN:
        return {(1, 0)} if arg == [(_C.CATEGORY, _C.CATEGORY_DIGIT)] else {(1, 1)}
    if op is _C.SUBPATTERN:
        return _walk(arg[-1])
    if op is _C.BRANCH:
        paths = set()
        for alternative in arg[1]:
            paths |= _walk(alternative)
        return paths
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        low, high, inner = arg
        if high is _C.MAXREPEAT or high > 20:
            raise _Unsupported("unbounded repeat")
        once, paths = _walk(inner), set()
        for count in range(low, high + 1):
            repeated = {(0, 0)}
            for _ in range(count):
                repeated = _combine(repeated, once)
            paths |= repeated
        return paths
    raise _Unsupported(f"regex construct {op}")


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
                for width, d in _walk(_sre_parse.parse(desc.national_number_pattern)):
                    if width == NATIONAL_LENGTH:
                        depth = max(depth, d)
            if meta.leading_digits:
                depth = max(depth, max(width for width, _ in _walk(_sre_parse.parse(meta.leading_digits))))
    except _Unsupported:
        return None
    return depth if 0 < depth <= NATIONAL_LENGTH else None


DEPTH = constrained_depth()
_CANONICAL = re.compile(r"(\+1|1)?([2-9][0-9]{9})")
_valid_prefix: dict[str, bool] = {}
_lock = threading.Lock()


def fast_valid(raw: str, region: str) -> str | None:
    """The legacy form ("1" + ten digits) when ``raw`` is a canonical NANP number that
    phonenumbers accepts; None when the fast path cannot decide (the caller then asks
    phonenumbers, which also handles every invalid or non-canonical input)."""
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
    key = national[:DEPTH]
    valid = _valid_prefix.get(key)
    if valid is None:
        valid = phonenumbers.is_valid_number(PhoneNumber(country_code=1, national_number=int(national)))
        with _lock:
            if len(_valid_prefix) >= _CACHE_LIMIT:
                _valid_prefix.clear()
            _valid_prefix[key] = valid
    return "1" + national if valid else None


def fast_valid_all(raws: list[str], region: str) -> list[str | None]:
    """fast_valid for each of raws, answering "1" + ten ASCII digits from the prefix memo
    without a call per number (list imports see 100,000 of them). None where fast_valid
    would compute, as well as where it would say None: the caller asks normalize()."""
    if DEPTH is None or region not in NANP_REGIONS:
        return [None] * len(raws)
    known, depth = _valid_prefix.get, DEPTH + 1
    return [raw if len(raw) == 11 and raw[0] == "1" and raw.isascii() and raw.isdigit() and raw[1] > "1"
            and known(raw[1:depth]) else None for raw in raws]
