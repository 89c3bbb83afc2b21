"""Phone numbers: the legacy E.164 form, and the NANP fast path proven against phonenumbers."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callfire_soap.domain import nanp
from callfire_soap.domain.phone import normalize, parse_number, split_numbers


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


def test_split_numbers_accepts_commas_and_whitespace():
    assert split_numbers(" 1,2\n3\t,, 4 ") == ["1", "2", "3", "4"]
    assert split_numbers(None) == [] and split_numbers("") == []


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
