"""Figure: `callfire-soap dnc import` of a 1,000,000-line DNC file (a new list, then the same
file again onto it), time and peak RSS of the command, against loading the same normalised
numbers into a plain table the fastest raw way the database has: COPY on PostgreSQL, one
executemany on SQLite. "Before" (no dnc import command): the only way in was one
CreateDncList request carrying every number, measured on a server with its peak RSS."""
from __future__ import annotations

import io
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from callfire_soap.backend import Backend
from callfire_soap.services.accounts import create_account

from .common import Figure, python
from .memory import _peak_rss_mb, post_to_a_server
from .numbers import unique_numbers

LIMIT_MB = 300
TARGET_RATIO = 0.1


def _write_file(path: Path, numbers: list[str]) -> None:
    """One number per line, as operators' suppression files come: mostly 10 digits, every
    fourth written (213) 555-1007, every tenth with +1."""
    with path.open("w") as out:
        for i, number in enumerate(numbers):
            national = number[1:]
            if i % 10 == 0:
                out.write(f"+{number}\n")
            elif i % 4 == 0:
                out.write(f"({national[:3]}) {national[3:6]}-{national[6:]}\n")
            else:
                out.write(national + "\n")


def _baseline(database_url: str, numbers: list[str], table: str = "bench_dnc") -> float:
    """Seconds to load the normalised numbers raw and commit: into a plain table (no indexes,
    no foreign keys), or with table="dnc_numbers" into the real table (its indexes and
    foreign keys) for a list made for it, rolled back afterwards."""
    backend = Backend.open(database_url, prepare=False)
    try:
        with backend.engine.connect() as conn:
            plain = table == "bench_dnc"
            with conn.begin():
                if plain:
                    conn.exec_driver_sql("CREATE TABLE bench_dnc (dnc_list_id BIGINT, account_id BIGINT, "
                                         "number VARCHAR(64), call_dnc BOOLEAN, text_dnc BOOLEAN)")
                    account_id, list_id = 1, 1
            raw = conn.connection.driver_connection
            transaction = conn.begin()
            if not plain:
                account_id = conn.exec_driver_sql("SELECT id FROM accounts WHERE login = 'dnc'").scalar_one()
                list_id = conn.exec_driver_sql(
                    "INSERT INTO dnc_lists (account_id, name, created_at) VALUES "
                    f"({account_id}, 'baseline', CURRENT_TIMESTAMP) RETURNING id").scalar_one()
            columns = "(dnc_list_id, account_id, number, call_dnc, text_dnc)"
            start = time.perf_counter()
            if conn.dialect.name == "postgresql":
                with raw.cursor() as cursor, cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for number in numbers:
                        buffer.write(f"{list_id}\t{account_id}\t{number}\tt\tt\n")
                    copy.write(buffer.getvalue())
            else:
                cursor = raw.cursor()
                cursor.executemany(f"INSERT INTO {table} {columns} VALUES ({list_id}, {account_id}, ?, 1, 1)",
                                   [(n,) for n in numbers])
                cursor.close()
            if plain:
                transaction.commit()
            else:
                conn.exec_driver_sql("SELECT 1").all()  # constraint checks have run by now
            elapsed = time.perf_counter() - start
            if not plain:
                transaction.rollback()
            with conn.begin():
                conn.exec_driver_sql("DROP TABLE IF EXISTS bench_dnc")
    finally:
        backend.close()
    return elapsed


def _soap_before(database_url: str, numbers: list[str]) -> str:
    """CreateDncList with every number in one request: seconds and the server's peak RSS."""
    body = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
            '<svc:CreateDncListRequest xmlns:svc="http://api.callfire.com/service/xsd"><svc:Name>soap</svc:Name>'
            f'<svc:Numbers>{" ".join(n[1:] for n in numbers)}</svc:Numbers></svc:CreateDncListRequest>'
            "</env:Body></env:Envelope>").encode()
    reply, seconds, idle, peak = post_to_a_server(database_url, body, ("dnc", "dnc-password"), timeout=1800,
                                                  server_args=("--server", "waitress"))
    if reply.status_code != 200:
        return f"before (one CreateDncList request, {len(body) / 1e6:.0f} MB): HTTP {reply.status_code}"
    return (f"before (one CreateDncList request, {len(body) / 1e6:.0f} MB body): {seconds:.2f} s, "
            f"server peak RSS {peak:.0f} MB (idle {idle:.0f} MB)")


def _run_cli(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one command.

    The peak is the child's VmHWM, sampled every 20 ms until it exits (VmHWM only grows, so
    only a peak in its last 20 ms could be missed). Not wait4's ru_maxrss: Linux carries the
    high-water mark of the memory the process had before exec into it, and that is this
    benchmark process, which holds the million numbers."""
    start = time.perf_counter()
    child = subprocess.Popen([python(), "-m", "callfire_soap.cli", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while child.poll() is None:
            try:
                peak[0] = max(peak[0], _peak_rss_mb(child.pid))
            except (OSError, RuntimeError):  # exited between poll() and the read
                break
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, errors = child.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    assert child.returncode == 0, errors[-2000:]
    return seconds, peak[0], output.strip()


def run(database_url: str, rows: int = 1_000_000, before: bool = True) -> Figure:
    numbers = unique_numbers(rows)
    backend = Backend.open(database_url)
    create_account(backend.uow, "dnc", "dnc-password")
    backend.close()
    with tempfile.TemporaryDirectory(prefix="cf-dnc-") as tmp:
        source = Path(tmp) / "suppress.txt"
        _write_file(source, numbers)
        size_mb = source.stat().st_size / 1e6
        command = ["dnc", "import", str(source), "--list", "national", "--account", "dnc",
                   "--database", database_url]
        first_s, first_mb, first_out = _run_cli(command)
        again_s, again_mb, again_out = _run_cli(command)
        export_s, export_mb, _ = _run_cli(["dnc", "export", "--list", "national", "--account", "dnc",
                                           "-o", str(Path(tmp) / "out.csv"), "--database", database_url])
    assert f"added {rows:,}" in first_out, first_out
    baseline_s = _baseline(database_url, sorted(numbers))
    real_table_s = _baseline(database_url, sorted(numbers), table="dnc_numbers")
    before_note = _soap_before(database_url, numbers) if before else "before: not measured (--dnc-no-before)"
    ratio = baseline_s / first_s
    peak = max(first_mb, again_mb, export_mb)
    raw_way = "COPY" if database_url.startswith("postgresql") else "raw executemany"
    return Figure(
        name=f"dnc import of a {rows:,}-line file onto a new list (one command, end to end)",
        measured=f"{first_s:.2f} s ({rows / first_s:,.0f} numbers/s), peak RSS {first_mb:.0f} MB",
        baseline=f"{baseline_s:.2f} s ({rows / baseline_s:,.0f} rows/s {raw_way} into a plain table)",
        ratio=ratio, target=f">= {TARGET_RATIO} of the baseline rate, peak RSS <= {LIMIT_MB} MB",
        met=ratio >= TARGET_RATIO and peak <= LIMIT_MB,
        notes=[f"file {size_mb:.0f} MB: {first_out}",
               f"the same file again onto the list: {again_s:.2f} s, peak RSS {again_mb:.0f} MB: {again_out}",
               f"dnc export of the list: {export_s:.2f} s, peak RSS {export_mb:.0f} MB",
               f"{raw_way} of the same rows straight into dnc_numbers (its indexes and foreign keys, no "
               f"merge): {real_table_s:.2f} s",
               before_note],
    )
