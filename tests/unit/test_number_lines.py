"""One rule for "this line is a phone number" in contacts import and dnc import: a leading
'(' counts, and a header that is really a number does not get the --allow-empty hint."""
from __future__ import annotations

import pytest

from callfire_soap.domain.errors import BadRequest
from callfire_soap.services.list_csv import read_csv, row_contacts


def _read(text: str, require_phone: bool = True):
    layout, rows = read_csv([text.encode()], require_phone)
    return layout, [(line, [c.home_phone for c in row_contacts(layout, row)]) for line, row in rows]


@pytest.mark.parametrize("first", ["(213) 555-1031", " (213) 555-1031 ", "+1 (213) 555-1031", "213.555.1031"])
def test_a_file_of_formatted_numbers_has_no_header(first):
    layout, rows = _read(f"{first}\n(213) 555-1032\n")
    assert layout.headerless
    assert rows == [(1, [first.strip()]), (2, ["(213) 555-1032"])]


def test_a_header_that_is_a_number_is_named_as_such():
    with pytest.raises(BadRequest) as caught:
        _read("(213) 555-1031,Ann\n(213) 555-1032,Bob\n")
    assert "may have no header row" in caught.value.message


def test_a_real_header_without_a_phone_column_is_not_called_data():
    with pytest.raises(BadRequest) as caught:
        _read("Name,Telephone\nAnn,(213) 555-1032\n")
    assert "no phone column" in caught.value.message
    assert "may have no header row" not in caught.value.message
