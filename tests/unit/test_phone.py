"""Phone numbers: the legacy E.164 form, and the NANP fast path proven against phonenumbers."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callfire_soap.domain import nanp
from callfire_soap.domain.phone import normalize, parse_number
from callfire_soap.services.list_sources import number_tokens


@pytest.mark.parametrize("raw, expected", [
    ("12132212384", "12132212384"),
    ("2132212384", "12132212384"),
    ("+12132212384", "12132212384"),
    ("+1 (213) 221-2384", "12132212384"),
    ("213-221-2384", "12132212384"),
    ("+447911123456", "447911123456"),
    ("447911123456", "447911123456"),   # legacy form of a non-NANP number, without '+'
    ("111", None),
    ("", None),
    ("not a number", None),
    ("12130000000", None),              # exchange 000 does not exist
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_number_tokens_accept_commas_and_whitespace():
    assert list(number_tokens(" 1,2\n3\t,, 4 ")) == ["1", "2", "3", "4"]
    assert list(number_tokens(None)) == [] and list(number_tokens("")) == []


def test_the_fast_path_is_on_and_knows_its_depth():
    assert nanp.DEPTH == 7  # if phonenumbers' metadata changes shape, look again at nanp.py


ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)
canonical = st.one_of(
    ten_digits,
    ten_digits.map(lambda d: "1" + d),
    ten_digits.map(lambda d: "+1" + d),
    # numbers around prefixes whose validity depends on the 7th digit (Barbados 246-521)
    st.integers(0, 9999).map(lambda n: f"1246521{n:04d}"),
    st.sampled_from(["1246", "1868", "1284", "1340", "1787", "1939", "1800", "1900", "1213"]).flatmap(
        lambda prefix: st.integers(0, 10**7 - 1).map(lambda n: f"{prefix}{n:07d}")),
)


@settings(max_examples=3000, deadline=None)
@given(canonical, st.sampled_from(["US", "CA", "BB", "GB", "DE"]))
def test_fast_path_equals_phonenumbers(raw, region):
    assert normalize(raw, region) == parse_number(raw, region)


def test_fast_path_on_a_prefix_that_depends_on_the_seventh_digit():
    for seventh in range(10):
        for last in ("000", "555", "999"):
            raw = f"1246521{seventh}{last}"
            assert normalize(raw) == parse_number(raw), raw


# -- fast rejection (phone.surely_invalid) against phonenumbers ---------------------------
import string  # noqa: E402

import phonenumbers  # noqa: E402
from phonenumbers import PhoneNumberType  # noqa: E402
from phonenumbers.phonenumberutil import SUPPORTED_REGIONS  # noqa: E402

from callfire_soap.domain.phone import surely_invalid  # noqa: E402

REGIONS = sorted(SUPPORTED_REGIONS) + ["ZZ", "us", "001", ""]
SEPARATORS = " -.()/#x,;*~"
digits = st.text(alphabet="0123456789", max_size=20)
tokens = st.one_of(
    digits,
    digits.map(lambda d: "+" + d),
    st.text(alphabet="0123456789" + SEPARATORS, max_size=20),
    st.text(alphabet="0123456789+" + SEPARATORS, max_size=20).map(lambda t: "+" + t),
    st.sampled_from(["011", "00", "0011", "810", "8~10", "119", "1", "0", "+1", "+"]).flatmap(
        lambda prefix: digits.map(lambda d: prefix + d)),
    st.text(alphabet=string.ascii_letters + "0123456789 -+", max_size=16),
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=10).map(lambda w: "1-800-" + w),
    st.text(alphabet=string.printable, max_size=12),
    st.text(alphabet="0123456789", min_size=240, max_size=260),
    st.text(alphabet="0123456789 ", min_size=245, max_size=255).map(lambda t: "+" + t),
    st.text(max_size=8),  # non-ASCII: left to phonenumbers
)


def _example_numbers():
    for region in sorted(SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
                     PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
                     PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN,
                     PhoneNumberType.VOICEMAIL):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                yield region, example


def _written_forms(example) -> set[str]:
    forms = {phonenumbers.format_number(example, fmt) for fmt in (
        phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.RFC3966)}
    forms.add(phonenumbers.national_significant_number(example))
    forms.add(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:])
    return forms


EXAMPLE_FORMS = sorted({form for _, example in _example_numbers() for form in _written_forms(example)})


@st.composite
def near_examples(draw) -> str:
    """Real numbers of every region in the forms people write, cut short, lengthened or with
    a digit changed: the tokens whose verdict is closest to the bounds."""
    form = draw(st.sampled_from(EXAMPLE_FORMS))
    cut = draw(st.integers(0, 4))
    if cut:
        form = form[:-cut]
    if draw(st.booleans()):
        form += draw(st.sampled_from("0123456789"))
    return form


def _reference(raw: str, region: str):
    candidate = raw.strip()
    return parse_number(candidate, region) if candidate else None


@settings(max_examples=2500, deadline=None)
@given(st.one_of(tokens, near_examples()), st.sampled_from(REGIONS))
def test_fast_rejection_equals_phonenumbers(raw, region):
    assert normalize(raw, region) == _reference(raw, region)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(REGIONS), st.integers(1, 12), st.data())
def test_fast_rejection_is_never_wrong_about_short_digit_strings(region, length, data):
    """Every length, in every region, with the region's own leading digits likely."""
    token = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    if surely_invalid(token, region):
        assert parse_number(token, region) is None


def test_fast_rejection_keeps_every_example_number_of_every_region():
    """phonenumbers' own example numbers (many regions' shortest) in the forms people write."""
    checked = 0
    for region, example in _example_numbers():
        for form in _written_forms(example):
            for default in (region, "US", "DE"):
                if surely_invalid(form, default):
                    assert parse_number(form, default) is None, (form, default)
                checked += 1
    assert checked > 3000


def test_fast_rejection_keeps_the_shortest_number_of_every_country_code_in_every_region():
    """A valid number written internationally (with '+', or as digits: parse_number's retry)
    is kept whatever the default region; the shortest example of each country code is the
    one closest to the bound."""
    shortest: dict[int, str] = {}
    for _, example in _example_numbers():
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        if len(e164) < len(shortest.get(example.country_code, "+" + "9" * 20)):
            shortest[example.country_code] = e164
    assert len(shortest) > 200
    for e164 in shortest.values():
        for form in (e164, e164[1:]):
            for region in REGIONS:
                if surely_invalid(form, region):
                    assert parse_number(form, region) is None, (form, region)


@pytest.mark.parametrize("raw, region", [
    ("4621234", "AG"),       # a 7-digit local number the AG transform rule completes to 268...
    ("3101234", "CA"),       # Canada's 7-digit UAN numbers
    ("7012", "NU"),          # Niue: 4-digit numbers
    ("+6837012", "US"),
    ("6837012", "US"),       # the legacy form without '+': parse_number's retry
    ("011 683 7012", "US"),  # through the US international prefix
    ("1-800-FLOWERS", "US"),
])
def test_fast_rejection_keeps_short_valid_numbers(raw, region):
    assert parse_number(raw, region) is not None, "example no longer valid; pick another"
    assert not surely_invalid(raw, region)
    assert normalize(raw, region) == parse_number(raw, region)


@pytest.mark.parametrize("raw", ["12", "123", "123456", "+12", "abc", "--", "()", "1" * 251, "+" + "1" * 260])
def test_fast_rejection_takes_short_and_overlong_tokens(raw):
    assert surely_invalid(raw, "US") and parse_number(raw, "US") is None
