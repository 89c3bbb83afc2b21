"""A streamed CSV import prepared by a child process (services/import_child.py) beside the
transaction: what it hands back equals the in-process preparing, and every way it can end
(the import fails, the file cannot be read, the child dies, a bad row) ends both the child
and the thread feeding it, with the right error and nothing written."""
from __future__ import annotations

import csv
import gc
import io
import os
import random
import signal
import subprocess
import sys
import threading
import uuid

import pytest
from sqlalchemy import func, select

from callfire_soap.domain.errors import BadRequest
from callfire_soap.services import import_child, import_prepare, list_import
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
def links(monkeypatch):
    """Every child started by the test; none may be left running, nor its feeding thread."""
    started = []
    original = import_child._Link.__init__

    def recorded(self, *args):
        started.append(self)  # before its feeding thread starts (it runs the test's chunks)
        original(self, *args)
    monkeypatch.setattr(import_child._Link, "__init__", recorded)
    yield started
    gc.collect()  # a dropped, never read result stops its child when collected
    for link in started:
        assert link.child.poll() is not None, "the child is still running"
        link.feeder.join(5)  # one left reading a stalled pipe finishes once the pipe moves
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


def test_a_child_that_dies_fails_the_import(app, links):
    account_id = _account(app)
    data = _file(3000, 5)

    def chunks():
        yield data[:4096]
        os.kill(links[0].child.pid, signal.SIGKILL)
        links[0].child.wait()
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


def test_a_unit_of_work_that_cannot_open_stops_the_child(app, links):
    """A failure before the import reads any batch (SQLite: the write lock not had in 30 s)."""
    account_id = _account(app)

    def locked(*args, **kwargs):
        raise RuntimeError("database is locked")
    big = _file(20_000, 7)  # more than the pipes hold: the child is blocked writing
    with pytest.raises(RuntimeError, match="locked") as failure:
        create_list_reporting(locked, account_id, "L", FileSource(iter(_chunks(big, 4096)), True),
                              child_process=True)
    # Stopped by the service, not by garbage collection (the traceback still holds the source).
    assert failure.traceback and links[0].child.poll() is not None


def test_a_result_never_read_stops_its_child_when_dropped(links):
    prepared = prepare_in_child(iter(_chunks(_file(20_000, 8), 4096)), True, True, "US")
    assert links[0].child.poll() is None
    del prepared
    assert links[0].child.poll() is not None  # at once: no cycle waits for the collector


def test_the_child_imports_what_the_parent_would_not_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "csv.py").write_text("raise ImportError('the csv.py of the data directory')\n")
    monkeypatch.chdir(tmp_path)
    prepared = prepare_in_child(iter([_file(20, 11)]), True, True, "US")
    assert sum(len(batch) for batch in prepared.batches) > 0


def test_output_on_the_childs_stdout_before_ours_is_a_clean_error(tmp_path, monkeypatch):
    (tmp_path / "sitecustomize.py").write_text("print('hello from sitecustomize')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="wrote something else on its stdout"):
        prepare_in_child(iter([_file(20, 12)]), True, True, "US")


def test_a_child_that_cannot_start_says_why(monkeypatch):
    monkeypatch.setattr(import_child, "_BOOT", "raise SystemExit('no such module, say')")
    with pytest.raises(RuntimeError, match=r"ended \(exit code 1\): no such module, say"):
        prepare_in_child(iter([_file(20, 13)]), True, True, "US")


def test_a_bad_header_does_not_wait_for_a_stalled_pipe(app, tmp_path):
    """The file is a FIFO whose writer stalls after a header without a phone column: the
    import fails on the header without waiting for the writer."""
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    release = threading.Event()
    waited_out = []

    def writer():
        with open(fifo, "wb") as out:
            out.write(b"First Name,Notes\n" + b"Ann,x\n" * 10_000)
            out.flush()
            waited_out.append(not release.wait(30))
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with open(fifo, "rb", buffering=0) as handle, pytest.raises(BadRequest, match="no phone column"):
            create_list_reporting(app.backend.uow, _account(app), "L",
                                  FileSource(iter(lambda: handle.read(4096), b""), True), child_process=True)
    finally:
        release.set()
        thread.join()
    assert waited_out == [False]  # the import was over before the writer's stall ended


def test_a_terminal_ctrl_c_reaches_the_parent_only(app, links):
    """The child runs in a session of its own, so the terminal's SIGINT (sent to the
    foreground process group) is the parent's to handle; once started, it ignores SIGINT."""
    account_id = _account(app)
    data = _file(3000, 9)
    answered = threading.Event()

    class Rejects:
        def header(self, cells):  # called once the child has answered: its handler is set
            answered.set()

        def __call__(self, line, reason, cells):
            pass

    def chunks():
        yield data[:4096]
        child = links[0].child.pid
        assert os.getpgid(child) != os.getpgid(0) and os.getsid(child) != os.getsid(0)
        assert answered.wait(30)
        os.kill(child, signal.SIGINT)
        yield from _chunks(data[4096:], 4096)
    _, report = create_list_reporting(app.backend.uow, account_id, "L", FileSource(chunks(), True),
                                      child_process=True, reject=Rejects())
    assert report.created > 0 and _lists(app, account_id) == 1


def test_a_wrapper_script_without_a_main_guard_imports_once(app, tmp_path, database_url):
    """The child is its own module, not a re-run of the parent's main script (the CLI uses
    the child on SQLite)."""
    if app.backend.engine.dialect.name != "sqlite":
        pytest.skip("contacts import prepares in a thread on PostgreSQL")
    wrapper = tmp_path / "import_wrapper.py"
    wrapper.write_text("from callfire_soap.cli import main\nraise SystemExit(main())\n")
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_bytes(_file(200, 10))
    login = "wrap-" + uuid.uuid4().hex[:8]
    create_account(app.backend.uow, login, "wrapper-password")
    done = subprocess.run([sys.executable, str(wrapper), "contacts", "import", str(csv_file), "--list", "wrapped",
                           "--account", login, "--database", database_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("list 'wrapped'") == 1 and "created" in done.stdout
