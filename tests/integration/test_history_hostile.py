"""Hostile history files: each is rejected with one line naming the bad line, no traceback,
nothing written, and GetContactHistory keeps answering. Run through the command operators
use (a subprocess) and through import_history_csv itself."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import BadRequest
from callfire_soap.services.history import KNOWN, import_history_csv
from callfire_soap.storage import tables
from tests.conftest import zeep_client

SCRIPT = shutil.which("callfire-soap", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "callfire_soap.cli"]
HISTORY_TABLES = (tables.history_actions, tables.history_labels, tables.history_records,
                  tables.history_question_responses, tables.history_recordings)

HEADER = b"type,contact_id,from_number,to_number,state,created,message,result,billed_amount,duration,batch_id\n"


def _good(cid: int) -> bytes:
    return f"call,{cid},12132212384,12132212385,FINISHED,2024-06-01T10:00:00Z,,LA,1.5,12,7\n".encode()


def _bad(cid: int, **values) -> bytes:
    row = {"type": "text", "contact_id": str(cid), "from_number": "67076", "to_number": "12132212384",
           "state": "FINISHED", "created": "2024-06-02T10:00:00Z", "message": "hi", "result": "SENT",
           "billed_amount": "0.5", "duration": "", "batch_id": ""}
    row.update(values)
    return ",".join(row[name] for name in HEADER.decode().strip().split(",")).encode() + b"\n"


# (name, the third line given the contact id, what the message must say). Line 2 is valid:
# the import is all-or-nothing, so it must not be written either.
CASES = [
    ("offset beyond 24 hours", lambda c: _bad(c, created="2024-06-01T10:00:00+25:00"), "not an ISO 8601"),
    ("year 10000 in UTC", lambda c: _bad(c, created="9999-12-31T23:00:00-05:00"), "is outside 1000-01-01"),
    ("year 1 with a positive offset", lambda c: _bad(c, created="0001-01-01T00:00:00+05:00"), "is outside"),
    ("year 1", lambda c: _bad(c, created="0001-01-01T00:00:00Z"), "is outside"),
    ("year 999", lambda c: _bad(c, created="0999-12-31T23:59:59Z"), "is outside"),
    ("finer than milliseconds", lambda c: _bad(c, created="2024-06-01T10:00:00.123456Z"), "more precise"),
    ("Duration 2**31", lambda c: _bad(c, type="call", duration=str(2**31)), "duration 2147483648 is outside"),
    ("Duration 1e29", lambda c: _bad(c, type="call", duration="1e29"), "duration '1e29' is not a whole number"),
    ("BatchId beyond xs:long", lambda c: _bad(c, batch_id=str(2**63)), "batch_id 9223372036854775808 is outside"),
    ("contact id 1e29 digits", lambda c: _bad(c, contact_id="1" + "0" * 29), "contact_id 1000"),
    ("BilledAmount beyond xs:float", lambda c: _bad(c, billed_amount="1e39"), "beyond the range of xs:float"),
    ("BilledAmount NaN", lambda c: _bad(c, billed_amount="NaN"), "billed_amount 'NaN' is not a finite"),
    ("BilledAmount inf", lambda c: _bad(c, billed_amount="-inf"), "billed_amount '-inf' is not a finite"),
    ("invalid UTF-8", lambda c: _bad(c, message="caf")[:-1] + b"\xe9 au lait\n",
     "not UTF-8 text (byte 0xE9 at byte offset"),
    ("a 128 KB field", lambda c: _bad(c, message="x" * 131072), "message is longer than 4096 characters"),
    ("a 128 KB quoted field", lambda c: _bad(c, message='"' + "y" * 140000 + '"'), "longer than 4096 characters"),
    ("a 5000-character field", lambda c: _bad(c, message="z" * 5000), "message is longer than 4096 characters"),
    ("a bell", lambda c: _bad(c, message="ding\x07"), "message contains a control character"),
    ("NUL", lambda c: _bad(c, message="a\x00b"), "control character"),
    ("U+FFFF", lambda c: _bad(c, message="a\uffffb"), "control character"),
    ("a value beyond the header", lambda c: _bad(c)[:-1] + b",surplus\n", "no name in the header"),
]


@pytest.fixture
def served(served_wsdl_url, account):
    return zeep_client(served_wsdl_url, account)


def _counts(app) -> list[int]:
    with app.backend.engine.connect() as conn:
        return [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in HISTORY_TABLES]


def _run_cli(tmp_path, database_url, login, content: bytes) -> subprocess.CompletedProcess:
    path = tmp_path / "history.csv"
    path.write_bytes(content)
    return subprocess.run([*COMMAND, "history", "import", str(path), "--account", login, "--database", database_url],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _rejected(via, app, tmp_path, database_url, account, content: bytes) -> str:
    """The one-line message the import gave (asserting it failed cleanly)."""
    if via == "cli":
        done = _run_cli(tmp_path, database_url, account.login, content)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        # One line for the error; the CLI then names the database it used, on a line of its own.
        error, *rest = done.stderr.splitlines()
        assert error.startswith("callfire-soap: ") and len(rest) <= 1, done.stderr
        assert all(line.startswith("callfire-soap: database ") for line in rest), done.stderr
        return error[len("callfire-soap: "):]
    with pytest.raises(BadRequest) as excinfo:  # any other exception fails the test
        import_history_csv(app.backend.uow, io.BytesIO(content), default_login=account.login)
    assert "\n" not in excinfo.value.message
    return excinfo.value.message


# A subprocess costs seconds: the command runs the cases whose error paths differ there.
THROUGH_CLI = {"year 10000 in UTC", "year 1 with a positive offset", "Duration 1e29", "contact id 1e29 digits",
               "BilledAmount NaN", "invalid UTF-8", "a 128 KB field", "a bell"}
RUNS = [pytest.param(via, *case, id=f"{via}-{case[0]}") for case in CASES
        for via in ("function", "cli") if via == "function" or case[0] in THROUGH_CLI]


@pytest.mark.parametrize("via, name, third_line, expected", RUNS)
def test_a_hostile_row_is_rejected_cleanly(app, served, account, seed, tmp_path, database_url,
                                           via, name, third_line, expected):
    (cid,) = seed(account, [Contact(first_name="Hostile")])
    import_history_csv(app.backend.uow, io.BytesIO(HEADER + _good(cid)), default_login=account.login)
    before = _counts(app)

    message = _rejected(via, app, tmp_path, database_url, account, HEADER + _good(cid) + third_line(cid))

    assert message.startswith("line 3: ") and expected in message, message
    assert _counts(app) == before
    (item,) = served.GetContactHistory(ContactId=cid)  # still answers, with what was there
    assert item["Call"].CallRecord[0].Duration == 12


def test_invalid_utf8_names_the_line_and_byte(app, account, seed, tmp_path, database_url):
    (cid,) = seed(account, [Contact(first_name="Bytes")])
    content = b"\xef\xbb\xbf" + HEADER + _good(cid) + _good(cid) + b"call,\xff\n"
    offset = len(content) - 2
    expected = f"line 4: the file is not UTF-8 text (byte 0xFF at byte offset {offset})"
    assert _rejected("cli", app, tmp_path, database_url, account, content) == expected  # text stream
    assert _rejected("function", app, tmp_path, database_url, account, content) == expected  # bytes


@pytest.mark.parametrize("via", ["cli", "function"])
def test_an_unknown_column_is_rejected_with_the_known_ones(app, account, seed, tmp_path, database_url, via):
    (cid,) = seed(account, [Contact(first_name="Columns")])
    before = _counts(app)
    content = HEADER.replace(b"message", b"mesage") + _good(cid)
    message = _rejected(via, app, tmp_path, database_url, account, content)
    assert message.startswith("line 1: unknown column(s) 'mesage'; the known columns are type, contact_id")
    assert all(name in message for name in KNOWN)
    assert _counts(app) == before


@pytest.mark.parametrize("header, expected", [
    (HEADER.replace(b"batch_id", b"message"), "line 1: repeated column(s) message"),
    (b"", "the file is empty"),
    (HEADER.replace(b"created,", b""), "lacks the column(s) created"),
])
def test_a_bad_header_is_rejected(app, account, tmp_path, database_url, header, expected):
    assert expected in _rejected("function", app, tmp_path, database_url, account, header)


def test_a_text_stream_with_offsets_and_a_bom_is_accepted(app, served, account, seed):
    (cid,) = seed(account, [Contact(first_name="Text")])
    content = "\ufeff" + HEADER.decode() + _bad(cid, created="2024-06-01T10:00:00+05:00").decode()
    assert import_history_csv(app.backend.uow, io.StringIO(content), default_login=account.login) == 1
    (item,) = served.GetContactHistory(ContactId=cid)
    assert item["Text"].Created.isoformat() == "2024-06-01T05:00:00+00:00"
