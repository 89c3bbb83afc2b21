"""A streamed CSV import prepared by a child process (services/import_child.py) beside the
transaction: what it hands back equals the in-process preparing, and every way it can end
(the import fails, the file cannot be read, the child dies, a bad row) ends both the child
and the thread feeding it, with the right error and nothing written."""
from __future__ import annotations

import csv
import io
import multiprocessing
import os
import random
import signal
import threading
import uuid

import pytest
from sqlalchemy import func, select

from callfire_soap.domain.errors import BadRequest
from callfire_soap.services import import_prepare, list_import
from callfire_soap.services.accounts import create_account
from callfire_soap.services.import_child import prepare_in_child
from callfire_soap.services.import_prepare import prepare
from callfire_soap.services.list_sources import FileSource
from callfire_soap.services.lists import create_list_reporting
from callfire_soap.storage.tables import contact_lists

NATIONAL = [f"213221{n:04d}" for n in range(2000, 2600)]


def _file(rows: int, seed: int) -> bytes:
    """Names, two phone columns in several forms with invalid and repeated numbers, custom
    columns, blank cells, quoted commas."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Phone", "Mobile", "Member Level", "Notes", "id"])
    for i in range(rows):
        phone = rng.choice([rng.choice(NATIONAL), "+1" + rng.choice(NATIONAL), "111", "", "n/a"])
        mobile = rng.choice(["", rng.choice(NATIONAL), "(213) 221-2001"])
        writer.writerow([f"Name{i}", phone, mobile, rng.choice(["gold", "", "a,b"]), f"n{i}", str(i)])
    return out.getvalue().encode()


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


class Rejects:
    def __init__(self):
        self.rows = []

    def header(self, cells):
        self.rows.append(("header", cells))

    def __call__(self, line, reason, cells):
        self.rows.append((line, reason, cells))


def _drained(prepared):
    batches = [[(line, contact, cells) for line, contact, cells in batch] for batch in prepared.batches]
    return batches, prepared.invalid, prepared.duplicate, prepared.custom_columns, prepared.ignored_columns


@pytest.fixture(autouse=True)
def no_child_left():
    yield
    assert multiprocessing.active_children() == []
    assert not [t for t in threading.enumerate() if t.name == "import-feed"]


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize("rows", [300, 11_000])  # the child's batches are 5,000 rows
def test_the_child_prepares_what_the_thread_prepares(monkeypatch, rows, validate):
    monkeypatch.setattr(import_prepare, "BATCH", 7)  # in this process only
    data = _file(rows, rows)
    progress_child, progress_thread = [], []
    rejects_child, rejects_thread = Rejects(), Rejects()
    child = prepare_in_child(iter(_chunks(data, 101)), True, validate, "US", rejects_child, progress_child.append)
    thread = prepare(FileSource(iter(_chunks(data, 101)), True), validate, "US", rejects_thread,
                     progress_thread.append, stream=True)
    child_batches, *child_rest = _drained(child)
    thread_batches, *thread_rest = _drained(thread)
    flatten = lambda batches: [c for batch in batches for c in batch]  # noqa: E731
    assert flatten(child_batches) == flatten(thread_batches) and child_rest == thread_rest
    assert rejects_child.rows == rejects_thread.rows and (len(rejects_child.rows) > 1) == validate
    assert sum(progress_child) == sum(progress_thread) == rows
    assert child.streamed


def _account(app) -> int:
    return create_account(app.backend.uow, "child-" + uuid.uuid4().hex[:12], "pw")


def _lists(app, account_id) -> int:
    with app.backend.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(contact_lists)
                            .where(contact_lists.c.account_id == account_id)).scalar_one()


def test_a_failed_import_stops_the_child_and_writes_nothing(app, monkeypatch):
    account_id = _account(app)
    monkeypatch.setattr(import_prepare, "BATCH", 10)
    calls = []
    original = list_import.ListImport._import_prepared_batch

    def failing(self, batch, prepared):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("the database failed")
        return original(self, batch, prepared)
    monkeypatch.setattr(list_import.ListImport, "_import_prepared_batch", failing)
    big = _file(20_000, 3)  # more than the pipes hold: the child is blocked sending when stopped
    with pytest.raises(RuntimeError, match="the database failed"):
        create_list_reporting(app.backend.uow, account_id, "L", FileSource(iter(_chunks(big, 4096)), True),
                              child_process=True)
    assert len(calls) == 2 and _lists(app, account_id) == 0


def test_a_file_that_cannot_be_read_fails_with_its_error(app):
    account_id = _account(app)

    def chunks():
        yield _file(50, 4)
        raise OSError(5, "Input/output error")
    with pytest.raises(OSError, match="Input/output error"):
        create_list_reporting(app.backend.uow, account_id, "L", FileSource(chunks(), True), child_process=True)
    assert _lists(app, account_id) == 0


def test_a_child_that_dies_fails_the_import(app):
    account_id = _account(app)
    data = _file(3000, 5)

    def chunks():
        yield data[:4096]
        for child in multiprocessing.active_children():
            if child.name == "callfire-import-prepare":
                os.kill(child.pid, signal.SIGKILL)
                child.join()
        yield from _chunks(data[4096:], 4096)
    with pytest.raises(RuntimeError, match="preparing process ended"):
        create_list_reporting(app.backend.uow, account_id, "L", FileSource(chunks(), True), child_process=True)
    assert _lists(app, account_id) == 0


def test_a_bad_row_names_its_line_and_a_bad_header_fails_before_the_transaction(app):
    account_id = _account(app)
    bad_row = _file(40, 6) + b'x,"unterminated\n'
    with pytest.raises(BadRequest, match="line 42"):
        create_list_reporting(app.backend.uow, account_id, "L", FileSource(iter(_chunks(bad_row, 64)), True),
                              child_process=True)
    opened = []
    factory = lambda *a, **k: opened.append(1) or app.backend.uow(*a, **k)  # noqa: E731
    with pytest.raises(BadRequest, match="no phone column"):
        create_list_reporting(factory, account_id, "L", FileSource(iter([b"First Name,Notes\nAnn,x\n"]), True),
                              child_process=True)
    assert opened == [] and _lists(app, account_id) == 0
