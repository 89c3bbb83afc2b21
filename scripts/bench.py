#!/usr/bin/env python3
"""Benchmarks of callfire-soap. Every figure is reported as a ratio against a baseline
measured in the same run on the same machine (absolute numbers vary between runs on
shared hosts; the ratios are what BENCHMARKS.md tracks).

    python scripts/bench.py                       # all figures on SQLite
    python scripts/bench.py --database postgresql+psycopg://postgres@127.0.0.1/test
    python scripts/bench.py --figure http --figure serialize
    python scripts/bench.py --figure rest          # REST GetContact vs SOAP GetContact
    python scripts/bench.py --figure csv           # contacts import of a 200,000-row CSV
    python scripts/bench.py --figure dnc-import    # dnc import of 1,000,000 numbers vs COPY/executemany
"""
from __future__ import annotations

import argparse
import logging
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.benchlib import common  # noqa: E402

FIGURES = ("http", "rest", "serialize", "import", "csv", "search", "memory", "jaxws", "dnc-import")


def _run(name: str, args) -> common.Figure:
    if name == "http":
        from scripts.benchlib import http_getcontact

        with common.scratch_database(args.database) as url:
            return http_getcontact.run(url, seconds=args.seconds)
    if name == "rest":
        from scripts.benchlib import rest_getcontact

        with common.scratch_database(args.database) as url:
            return rest_getcontact.run(url, seconds=args.seconds)
    if name == "jaxws":
        from scripts.benchlib import jaxws_peer

        with common.scratch_database(args.database) as url:
            return jaxws_peer.run(url, seconds=args.seconds)
    if name == "serialize":
        from scripts.benchlib import serialize

        return serialize.run()
    if name == "import":
        from scripts.benchlib import list_import

        with common.scratch_database(args.database) as url:
            return list_import.run(url)
    if name == "csv":
        from scripts.benchlib import csv_import

        with common.scratch_database(args.database) as url:
            return csv_import.run(url, rows=args.csv_rows)
    if name == "search":
        from scripts.benchlib import search

        with common.scratch_database(args.database) as url:
            return search.run(url, contacts_count=args.search_contacts)
    if name == "memory":
        from scripts.benchlib import memory

        with common.scratch_database(args.database) as url:
            return memory.run(url, server_rows=args.server_rows, cli_rows=args.cli_rows)
    if name == "dnc-import":
        from scripts.benchlib import dnc_import

        with common.scratch_database(args.database) as url:
            return dnc_import.run(url, rows=args.dnc_rows, before=not args.dnc_no_before)
    raise SystemExit(f"unknown figure {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="PostgreSQL URL to benchmark on (a scratch schema is used); default SQLite")
    parser.add_argument("--figure", action="append", choices=FIGURES, help="run only these figures")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each HTTP load run")
    parser.add_argument("--search-contacts", type=int, default=1_000_000)
    parser.add_argument("--csv-rows", type=int, default=200_000)
    parser.add_argument("--server-rows", type=int, default=200_000)
    parser.add_argument("--cli-rows", type=int, default=1_000_000)
    parser.add_argument("--dnc-rows", type=int, default=1_000_000)
    parser.add_argument("--dnc-no-before", action="store_true", help="dnc-import: skip the SOAP 'before' run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    print(f"machine: {platform.node()} {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, database: {args.database or 'SQLite (temporary file)'}")
    results = []
    for name in args.figure or FIGURES:
        figure = _run(name, args)
        results.append(figure)
        mark = "info" if figure.met is None else "ok " if figure.met else "MISS"
        print(f"[{mark}] {figure.name}: {figure.measured} vs {figure.baseline} -> ratio {figure.ratio:.3g} "
              f"(target {figure.target})", flush=True)
        for note in figure.notes:
            print(f"       {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
