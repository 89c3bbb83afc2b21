"""Unit tests of the Do Not Contact rules (domain/dnc.py) and of the repository pieces that
are not reachable through a SOAP call (the list-import scrub lookup, the prefix range)."""
import pytest

from callfire_soap.domain.dnc import (
    MAX_NAME_LENGTH,
    Channels,
    Flags,
    channels_to_remove,
    check_list_name,
    flags_to_add,
    normalize_number,
    normalize_numbers,
    number_prefix,
)
from callfire_soap.domain.errors import BadRequest
from callfire_soap.storage.dnc import prefix_upper_bound


@pytest.mark.parametrize("call, text, expected", [
    (None, None, Flags(True, True)),
    (False, None, Flags(False, True)),
    (None, False, Flags(True, False)),
    (False, False, Flags(False, False)),
    (True, True, Flags(True, True)),
])
def test_omitted_flags_block_on_add(call, text, expected):
    assert flags_to_add(call, text) == expected


@pytest.mark.parametrize("call, text, expected", [
    (None, None, Channels(call=True, text=True)),     # plain remove: off the list
    (True, None, Channels(call=True, text=False)),    # an omitted flag keeps its channel blocked
    (None, True, Channels(call=False, text=True)),
    (True, True, Channels(call=True, text=True)),
    (False, None, Channels(call=False, text=False)),
    (False, False, Channels(call=False, text=False)),
])
def test_remove_unblocks_only_channels_given_as_true(call, text, expected):
    assert channels_to_remove(call, text) == expected


def test_channels_everything_and_nothing():
    assert Channels(True, True).everything and not Channels(True, True).nothing
    assert Channels(False, False).nothing and not Channels(False, False).everything
    assert not Channels(True, False).everything and not Channels(True, False).nothing


def test_normalize_numbers_keeps_first_seen_order_and_drops_duplicates():
    tokens = ["3105551213", "+13105551212", "13105551213", "1-310-555-1212", "+447911123456"]
    assert normalize_numbers(tokens, "US") == ["13105551213", "13105551212", "447911123456"]
    assert normalize_numbers([], "US") == []


def test_normalize_numbers_uses_the_region():
    assert normalize_numbers(["07911 123456".replace(" ", "")], "GB") == ["447911123456"]
    with pytest.raises(BadRequest):
        normalize_numbers(["07911123456"], "US")


def test_normalize_numbers_names_every_bad_token_and_caps_the_message():
    with pytest.raises(BadRequest) as one:
        normalize_numbers(["13105551212", "555"], "US")
    assert one.value.message == "Invalid phone number: '555'; nothing was changed"
    bad = [f"bad{i}" for i in range(14)] + ["x" * 100]
    with pytest.raises(BadRequest) as many:
        normalize_numbers(bad, "US")
    message = many.value.message
    assert message.startswith("Invalid phone numbers: 'bad0', 'bad1'")
    assert "'bad9'" in message and "'bad10'" not in message and message.count("'") == 20
    assert "and 5 more" in message
    assert many.value.detail.split() == bad[:14] + ["x" * 40]


@pytest.mark.parametrize("raw, expected", [
    ("13105551212", "13105551212"), ("+13105551212", "13105551212"), (" 3105551212 ", "13105551212"),
])
def test_normalize_number(raw, expected):
    assert normalize_number(raw, "US") == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "555", "letters"])
def test_normalize_number_rejects_blank_and_invalid(raw):
    with pytest.raises(BadRequest):
        normalize_number(raw, "US")


@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), ("  ", None), ("1213", "1213"), ("+1213", "1213"), (" +44 ", "44"),
    ("1" * 15, "1" * 15),
])
def test_number_prefix(raw, expected):
    assert number_prefix(raw) == expected


@pytest.mark.parametrize("raw", ["+", "++1", "1 213", "12a", "1-213", "１２", "1" * 16, "%", "1_"])
def test_number_prefix_rejects_non_digits(raw):
    with pytest.raises(BadRequest):
        number_prefix(raw)


def test_check_list_name():
    assert check_list_name("  Opt-outs ") == "Opt-outs"
    assert check_list_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH
    for bad in (None, "", " \t ", "x" * (MAX_NAME_LENGTH + 1), "a\x00b"):
        with pytest.raises(BadRequest):
            check_list_name(bad)


@pytest.mark.parametrize("prefix, upper", [
    ("1213", "1214"), ("129", "13"), ("1299", "13"), ("0", "1"), ("8", "9"), ("9", None), ("999", None),
])
def test_prefix_upper_bound(prefix, upper):
    assert prefix_upper_bound(prefix) == upper
    if upper is not None:  # every continuation of the prefix sorts below the bound
        assert prefix + "9" * 12 < upper and prefix <= prefix + "0" < upper


# -- the import scrub lookup ---------------------------------------------------------------------
def test_blocked_numbers_sees_only_the_accounts_entries_with_a_blocked_channel(app, make_account):
    F = Flags
    mine, theirs = make_account(), make_account()
    with app.backend.uow() as uow:
        both = uow.dnc.create_list(mine.id, "both", None)
        uow.dnc.put_numbers(mine.id, both, ["13105551212"], F(True, True))
        call_only = uow.dnc.create_list(mine.id, "call", None)
        uow.dnc.put_numbers(mine.id, call_only, ["13105551213"], F(True, False))
        text_only = uow.dnc.create_list(mine.id, "text", None)
        uow.dnc.put_numbers(mine.id, text_only, ["13105551214"], F(False, True))
        cleared = uow.dnc.create_list(mine.id, "cleared", None)
        uow.dnc.put_numbers(mine.id, cleared, ["13105551215", "13105551212"], F(False, False))
        foreign = uow.dnc.create_list(theirs.id, "theirs", None)
        uow.dnc.put_numbers(theirs.id, foreign, ["13105551216"], F(True, True))
        uow.commit()
    asked = ["13105551212", "13105551213", "13105551214", "13105551215", "13105551216",
             "13105551217", "13105551212"]
    with app.backend.uow(write=False) as uow:
        assert uow.dnc.blocked_numbers(mine.id, asked) == {"13105551212", "13105551213", "13105551214"}
        assert uow.dnc.blocked_numbers(theirs.id, asked) == {"13105551216"}
        assert uow.dnc.blocked_numbers(mine.id, []) == set()


def test_blocked_numbers_handles_more_numbers_than_one_in_list(app, make_account):
    acct = make_account()
    numbers = [f"1310555{i:04d}" for i in range(1200, 2400)]
    with app.backend.uow() as uow:
        list_id = uow.dnc.create_list(acct.id, "big", None)
        uow.dnc.put_numbers(acct.id, list_id, numbers[::2], Flags(True, True))
        uow.commit()
    with app.backend.uow(write=False) as uow:
        assert uow.dnc.blocked_numbers(acct.id, numbers) == set(numbers[::2])
        assert uow.dnc.get_list(acct.id, list_id).size == 600
