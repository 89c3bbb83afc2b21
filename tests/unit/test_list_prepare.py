"""Where a File or Contact import does its CPU work (issue 12): before the unit of work opens
for a request's source, in a child process beside it (batch by batch) for a streamed file;
and the report's column breakdown."""
from __future__ import annotations

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import BadRequest
from callfire_soap.domain.phone import normalize
from callfire_soap.services import import_prepare
from callfire_soap.services import lists as service
from callfire_soap.services.list_sources import ContactsSource, FileSource
from tests.unit.test_lists import members

A, B = "12132212384", "12132212385"
CSV = f"First Name,Phone,Member Level,id\nAnn,{A},gold,1\nBob,{B},silver,2\nBad,111,x,3\n".encode()


class CountingFactory:
    """The fake factory, counting the units of work opened."""

    def __init__(self, inner):
        self.inner = inner
        self.opened = 0

    def __call__(self, *args, **kwargs):
        self.opened += 1
        return self.inner(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def spied(uow_factory, monkeypatch):
    factory = CountingFactory(uow_factory)
    seen = []

    def normalize_all(raws, region):
        seen.append(factory.opened)
        return [normalize(raw, region) for raw in raws]

    monkeypatch.setattr(import_prepare, "normalize_all", normalize_all)
    return factory, seen


@pytest.mark.parametrize("source", [
    lambda: FileSource([CSV]),
    lambda: ContactsSource(iter([Contact(first_name="Ann", home_phone=A), Contact(home_phone="111")])),
], ids=["file in memory", "inline contacts"])
def test_a_requests_numbers_are_normalised_before_the_unit_of_work(spied, account_id, source):
    factory, seen = spied
    _, report = service.create_list_reporting(factory, account_id, "L", source())
    assert seen and set(seen) == {0}
    assert report.invalid == 1 and report.created >= 1


def test_a_streamed_file_prepared_by_a_child_process_imports_alike(uow_factory, account_id, other_account, monkeypatch):
    """A streamed file (the CLI) is prepared beside its transaction by a child process
    (services/import_child.py) when asked: the same report and members as one prepared in
    memory."""
    children = []
    original = service.prepare_in_child
    monkeypatch.setattr(service, "prepare_in_child", lambda *a, **k: children.append(a) or original(*a, **k))
    streamed_source = FileSource(iter([CSV[:9], CSV[9:]]))
    streamed_id, streamed = service.create_list_reporting(uow_factory, account_id, "S", streamed_source,
                                                          child_process=True)
    in_memory_id, in_memory = service.create_list_reporting(uow_factory, other_account, "M", FileSource([CSV]))
    assert len(children) == 1
    assert streamed == in_memory and (streamed.created, streamed.invalid) == (2, 1)
    assert ([c.home_phone for c in members(uow_factory, account_id, streamed_id)]
            == [c.home_phone for c in members(uow_factory, other_account, in_memory_id)] == [A, B])


def test_a_bad_row_of_a_request_fails_before_the_unit_of_work(spied, account_id):
    factory, _ = spied
    bad = FileSource([CSV + b"Long," + A.encode() + b"," + b"x" * 2000 + b",4\n"])
    with pytest.raises(BadRequest, match="line 5"):
        service.create_list(factory, account_id, "L", bad)
    assert factory.opened == 0


def test_report_names_unmapped_and_ignored_columns(uow_factory, account_id):
    _, report = service.create_list_reporting(uow_factory, account_id, "L", FileSource([CSV]))
    assert report.custom_columns == {"Member Level": "Member_Level"}
    assert report.ignored_columns == ["id"]
    assert (report.created, report.invalid) == (2, 1)


def test_rejects_get_the_header_then_each_dropped_row(uow_factory, account_id):
    got = []

    class Sink:
        def header(self, cells):
            got.append(("header", cells))

        def __call__(self, line, reason, cells):
            got.append((line, reason, cells))

    service.create_list_reporting(uow_factory, account_id, "L", FileSource([CSV + f"Dup,{A},x,4\n".encode()]),
                                  reject=Sink())
    assert got == [("header", ["First Name", "Phone", "Member Level", "id"]),
                   (4, "invalid: no valid phone number", ["Bad", "111", "x", "3"]),
                   (5, f"duplicate: {A} is on an earlier row", ["Dup", A, "x", "4"])]


def test_a_file_without_a_phone_column_is_refused_only_when_asked(uow_factory, account_id):
    text = b"Name,Telephone\nAnn,2132212384\n"
    with pytest.raises(BadRequest, match="no phone column: its columns are 'Name', 'Telephone'"):
        service.create_list(uow_factory, account_id, "L", FileSource([text], require_phone=True))
    _, report = service.create_list_reporting(uow_factory, account_id, "L", FileSource([text]))
    assert report.invalid == 1 and report.custom_columns == {"Name": "Name", "Telephone": "Telephone"}


def test_a_streamed_file_is_prepared_in_a_thread_by_default(spied, account_id, monkeypatch):
    monkeypatch.setattr(service, "prepare_in_child", None)  # never called
    factory, seen = spied
    service.create_list_reporting(factory, account_id, "L", FileSource(iter([CSV])))
    assert seen and set(seen) == {1}  # inside its unit of work, batch by batch


def test_a_packed_candidate_comes_back_whole():
    """What crosses marshal (the in-memory batches, the child process's answers)."""
    import marshal

    from callfire_soap.domain.contacts import DECLARED_FIELDS
    contact = Contact(**{attr: f"v-{attr}" for attr in DECLARED_FIELDS.values()}, custom={"b": "2", "a": "1"})
    line, back, cells = import_prepare.unpacked(marshal.loads(marshal.dumps(
        import_prepare.packed((7, contact, ["x", "y"])))))
    assert (line, back, cells) == (7, contact, ["x", "y"]) and list(back.custom) == ["b", "a"]
    assert import_prepare.unpacked(import_prepare.packed((None, Contact(home_phone=A), None))) == (
        None, Contact(home_phone=A), None)
