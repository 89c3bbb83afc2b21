"""Figure: `callfire-soap contacts import` of a 200,000-row CSV (first/last name, two phone
columns, two custom columns; Validate on: normalise, dedupe, DNC scrub, merge, custom
fields, search index), against loading the same rows raw in the same run: on SQLite
`csv` + one `executemany` into a plain table, on PostgreSQL `COPY` of the same file."""
from __future__ import annotations

import csv
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from callfire_soap.backend import Backend
from callfire_soap.domain.contacts import Contact
from callfire_soap.services.accounts import create_account
from callfire_soap.services.dnc import create_dnc_list

from .common import Figure, python
from .numbers import unique_numbers

N = 200_000
HEADER = ("First Name", "Last Name", "Phone", "Mobile", "Member Level", "Notes")
RAW_COLUMNS = ("first_name", "last_name", "home_phone", "mobile_phone", "member_level", "notes")


def write_csv(path: Path, rows: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """The file, with what a real export carries: a few duplicate rows, invalid numbers,
    numbers on the DNC list and numbers of existing contacts. Returns (dnc, existing)."""
    rng = random.Random(seed)
    numbers = unique_numbers(2 * rows + 2_000)
    spare = numbers[2 * rows:]
    dnc, existing = spare[:1_000], spare[1_000:]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            home, mobile = numbers[2 * i], numbers[2 * i + 1]
            roll = rng.random()
            if roll < 0.002:
                home = rng.choice(("555", "12130000000", "n/a"))
            elif roll < 0.004:
                home = rng.choice(dnc)
            elif roll < 0.009:
                home = rng.choice(existing)
            elif roll < 0.011 and i:
                home = numbers[2 * rng.randrange(i)]  # a duplicate of an earlier row
            writer.writerow((f"First{i}", f"Last{rng.randint(0, 99_999)}", home, mobile,
                             rng.choice(("gold", "silver", "bronze")), f"customer since {2000 + i % 25}"))
    return dnc, existing


def _raw_load(database_url: str, path: Path) -> float:
    """The baseline: the same rows into a plain table (no indexes), one commit; median of 3."""
    backend = Backend.open(database_url, prepare=False)
    try:
        with backend.engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            with conn.begin():
                conn.exec_driver_sql("CREATE TABLE bench_csv (" + ", ".join(f"{c} TEXT" for c in RAW_COLUMNS) + ")")
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                with conn.begin():
                    if postgres:
                        cursor = conn.connection.driver_connection.cursor()
                        with path.open("rb") as data, cursor.copy(
                                f"COPY bench_csv ({', '.join(RAW_COLUMNS)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                        ) as copy:
                            while block := data.read(1 << 16):
                                copy.write(block)
                    else:
                        with path.open(newline="") as data:
                            rows = csv.reader(data)
                            next(rows)
                            conn.connection.driver_connection.executemany(
                                f"INSERT INTO bench_csv VALUES ({', '.join('?' for _ in RAW_COLUMNS)})", rows)
                runs.append(time.perf_counter() - start)
                with conn.begin():
                    conn.exec_driver_sql("DELETE FROM bench_csv")
            with conn.begin():
                conn.exec_driver_sql("DROP TABLE bench_csv")
    finally:
        backend.close()
    return statistics.median(runs)


def run(database_url: str, rows: int = N) -> Figure:
    backend = Backend.open(database_url)
    create_account(backend.uow, "bench", "bench-password")
    with tempfile.TemporaryDirectory(prefix="cf-csv-") as tmp:
        path = Path(tmp) / "export.csv"
        dnc, existing = write_csv(path, rows)
        with backend.uow() as uow:
            account_id = uow.accounts.id_of("bench")
            uow.contacts.add_many(account_id, [Contact(first_name="Existing", home_phone=n) for n in existing])
            uow.commit()
        create_dnc_list(backend.uow, account_id, "dnc", tokens=dnc)
        backend.close()

        start = time.perf_counter()
        child = subprocess.run([python(), "-m", "callfire_soap.cli", "contacts", "import", str(path),
                                "--list", "bench", "--account", "bench", "--database", database_url],
                               capture_output=True, text=True)
        import_time = time.perf_counter() - start
        assert child.returncode == 0, child.stderr[-2000:]
        baseline = _raw_load(database_url, path)
    ratio = baseline / import_time
    target = 0.05 if database_url.startswith("postgresql") else 0.2
    raw = "COPY" if database_url.startswith("postgresql") else "csv + executemany"
    summary = " | ".join(line.strip() for line in child.stdout.strip().splitlines()[:3])
    return Figure(
        name=f"{rows:,}-row CSV via `contacts import`, Validate on",
        measured=f"{import_time:.2f} s ({rows / import_time:,.0f} rows/s)",
        baseline=f"{baseline:.2f} s ({rows / baseline:,.0f} rows/s raw {raw}, median of 3)",
        ratio=ratio, target=f">= {target} of the baseline rate", met=ratio >= target,
        notes=[f"CLI: {summary}"],
    )
