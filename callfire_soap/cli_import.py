"""`callfire-soap contacts import FILE.csv --list NAME`: a contact list from a CSV export, as
CreateContactList with a File would make it, with a report of what happened to every row."""
from __future__ import annotations

import argparse
import os
import sys
import threading

from .cli_support import CsvBesideDestination, account_id_for, check_output_path, fail


def add_import_arguments(load: argparse.ArgumentParser) -> None:
    load.add_argument("file")
    load.add_argument("--list", required=True, metavar="NAME", help="name of the new list")
    load.add_argument("--account", metavar="LOGIN", help="owner (default: the only account, if there is one)")
    load.add_argument("--no-validate", action="store_true",
                      help="store numbers as given (Validate=false): no scrubbing, no merging")
    load.add_argument("--rejects", metavar="FILE.csv",
                      help="write every dropped row there, with its line number and the reason")
    load.add_argument("--allow-empty", action="store_true",
                      help="import a file without a phone column (its rows are dropped as invalid "
                           "unless --no-validate) instead of failing")
    load.add_argument("--progress", action="store_true",
                      help="show the progress bar even when stderr is not a terminal")


class RejectsFile(CsvBesideDestination):
    """The rejects CSV: line, reason, then the row's cells under the file's own header.
    Renamed into place once the import committed, so a failed import leaves no file."""

    def __init__(self, path: str):
        super().__init__(path)
        self.count = 0
        self.unit = "rows"
        # Invalid and duplicate rows come from the thread preparing the file (a child
        # process's come through the writing thread), DNC rows from the one writing it.
        self.lock = threading.Lock()

    def header(self, cells: list[str]) -> None:
        # A headerless file (one number per cell): each reject is one number, not a row.
        self.unit = "rows" if cells else "numbers"
        self.writer.writerow(["line", "reason", *(cells or ["number"])])

    def __call__(self, line: int | None, reason: str, cells: list[str] | None) -> None:
        with self.lock:
            self.count += 1
            self.writer.writerow(["" if line is None else line, reason, *(cells or ())])



def report_lines(report, rejects: RejectsFile | None) -> list[str]:
    """The breakdown printed under the list's line."""
    lines = [f"  created {report.created:,}, merged {report.merged:,} (into existing contacts), "
             f"invalid {report.invalid:,}, duplicate {report.duplicate:,}, DNC-scrubbed {report.dnc:,}"]
    if report.custom_columns:
        lines.append("  unmapped columns, imported as custom fields: " + ", ".join(
            header if header == name else f"{header!r} as {name}" for header, name in report.custom_columns.items()))
    if report.ignored_columns:
        lines.append("  columns not imported: " + ", ".join(repr(cell) for cell in report.ignored_columns))
    if rejects is not None:
        lines.append(f"  {rejects.count:,} dropped {rejects.unit} written to {rejects.path}")
    return lines


def run_import(args, open_backend) -> int:
    from .domain.errors import BadRequest
    from .progress import ProgressReader
    from .services.list_sources import FileSource
    from .services.lists import create_list_reporting

    check_output_path(args.rejects, "--rejects", args.file)
    backend = open_backend(args.database)
    rename_error = None
    try:
        account_id = account_id_for(backend, args.account)
        try:
            reader = ProgressReader(args.file, label=f"importing {os.path.basename(args.file)}",
                                    show=True if args.progress else None)
        except OSError as exc:
            return fail(f"cannot read {args.file}: {exc.strerror}")
        rejects = None
        with reader:
            try:
                rejects = RejectsFile(args.rejects) if args.rejects else None
            except OSError as exc:
                reader.abandon()
                return fail(f"cannot write {args.rejects}: {exc.strerror}")
            try:
                source = FileSource(reader.chunks(), require_phone=not args.allow_empty)
                # An operator's bulk load: refresh the planner statistics whatever its size.
                list_id, report = create_list_reporting(
                    backend.uow, account_id, args.list, source, validate=not args.no_validate,
                    region=backend.region, analyze_after=0, reject=rejects, progress=reader.rows_done,
                    # SQLite writes in this process: preparing the file in a second one uses
                    # the other core (~10% faster). PostgreSQL's server process takes that
                    # core, and a third process made the load ~4% slower (BENCHMARKS.md).
                    child_process=backend.engine.dialect.name == "sqlite")
            except BadRequest as exc:
                reader.abandon()
                if rejects is not None:
                    rejects.discard()
                hint = None
                if "may have no header row" in exc.message:
                    hint = "add a header row naming the phone column (e.g. 'phone') as the first line"
                elif "no phone column" in exc.message:
                    hint = "or give --allow-empty to import it anyway"
                return fail(f"nothing imported: {exc.message}", hint)
            except BaseException:
                if rejects is not None:
                    rejects.discard()
                raise
        if rejects is not None:
            try:
                rejects.finish()
            except OSError as exc:
                rename_error = exc
        with backend.uow(write=False) as uow:
            created = uow.lists.get(account_id, list_id)
    finally:
        backend.close()
    print(f"list {created.name!r} (id {list_id}): {created.size} contacts, status {created.status}")
    if rename_error is not None:
        sys.stdout.flush()
        return fail(f"list {created.name!r} (id {list_id}) was created, but the rejects could not be "
                    f"moved to {rejects.path} ({rename_error.strerror}): they are in {rejects.partial}")
    for line in report_lines(report, rejects):
        print(line)
    sys.stdout.flush()
    return 0
