"""``callfire-soap dnc import|export`` and ``contacts export``: bulk loads and exports for
operators (services/dnc_import.py, services/export.py). Every failure is one short message
and exit code 1 (cli_support.py); a failed import writes nothing, a failed export leaves no
file behind."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import contextmanager

from .cli_support import CliError, CsvBesideDestination, account_id_for, check_output_path


def add_bulk_commands(commands, contacts_commands, add_database) -> None:
    dnc = commands.add_parser("dnc", help="Do Not Contact lists")
    dnc_commands = dnc.add_subparsers(dest="dnc_command", required=True)
    load = dnc_commands.add_parser(
        "import", help="create or extend a DNC list from a file (one number per line, or a CSV "
                       "with a number column)")
    load.add_argument("file")
    target = load.add_mutually_exclusive_group(required=True)
    target.add_argument("--list", metavar="NAME", help="DNC list to create or extend")
    target.add_argument("--list-id", type=int, metavar="N",
                        help="extend the existing DNC list with this id (when several share a name)")
    _add_account(load)
    load.add_argument("--call-dnc", action=argparse.BooleanOptionalAction, default=None,
                      help="block calls (default: yes, unless the file has a call_dnc column)")
    load.add_argument("--text-dnc", action=argparse.BooleanOptionalAction, default=None,
                      help="block texts (default: yes, unless the file has a text_dnc column)")
    load.add_argument("--skip-invalid", action="store_true",
                      help="import the valid numbers of a file with invalid lines (default: import nothing)")
    load.add_argument("--rejects", metavar="FILE.csv", help="write the invalid lines here (line,value,reason)")
    load.add_argument("--progress", action="store_true", default=None,
                      help="show progress even when stderr is not a terminal")
    add_database(load)

    export = dnc_commands.add_parser("export", help="a DNC list as CSV (number,call_dnc,text_dnc)")
    exported = export.add_mutually_exclusive_group(required=True)
    exported.add_argument("--list", metavar="NAME")
    exported.add_argument("--list-id", type=int, metavar="N", help="the DNC list with this id")
    _add_account(export)
    export.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    add_database(export)

    contacts = contacts_commands.add_parser(
        "export", help="contacts as CSV with the columns contacts import reads")
    which = contacts.add_mutually_exclusive_group()
    which.add_argument("--list", metavar="NAME", help="only the members of this list (default: all contacts)")
    which.add_argument("--list-id", type=int, metavar="N", help="only the members of the list with this id")
    _add_account(contacts)
    contacts.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    contacts.add_argument("--all-custom-fields", action="store_true",
                          help="export even when there are more than 200 custom field names (a column "
                               "each on every row; contacts import takes at most 200)")
    add_database(contacts)


def _add_account(parser) -> None:
    parser.add_argument("--account", metavar="LOGIN", help="owner (default: the only account, if there is one)")


def run_bulk_command(args, open_backend) -> int:
    from .domain.errors import BadRequest, NotFound

    backend = open_backend(args.database)
    try:
        account_id = account_id_for(backend, args.account)
        if args.command == "dnc" and args.dnc_command == "import":
            return _dnc_import(args, backend, account_id)
        if args.command == "dnc":
            return _dnc_export(args, backend, account_id)
        return _contacts_export(args, backend, account_id)
    except (BadRequest, NotFound) as exc:
        raise CliError(exc.message) from None
    except BrokenPipeError:
        # The reader of standard output went away (`| head`): say so once, and keep the
        # interpreter's final flush from failing again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise CliError("the export stopped: its output was closed") from None
    finally:
        backend.close()



class _DncRejects(CsvBesideDestination):
    """The rejects CSV of `dnc import` (line,value,reason): renamed into place only when it
    says something (the import succeeded, or was refused for its invalid lines), so the
    destination is never a half-written or header-only file."""

    def __init__(self, path: str):
        try:
            super().__init__(path, lineterminator="\n")
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror}") from None
        self.writer.writerow(("line", "value", "reason"))

    def __call__(self, reject) -> None:
        self.writer.writerow((reject.line, reject.value, reject.reason))

    def finish(self) -> None:
        try:
            super().finish()
        except OSError as exc:
            raise CliError(f"cannot write {self.path}: {exc.strerror}; the rejects are in {self.partial}") from None


def _dnc_import(args, backend, account_id: int) -> int:
    from .domain.errors import BadRequest
    from .progress import ProgressReader
    from .services import dnc_import

    check_output_path(args.rejects, "--rejects", args.file)
    existing = dnc_import.resolve_list(backend.uow, account_id, args.list, args.list_id)
    name = existing.name if existing is not None else args.list
    try:
        reader = ProgressReader(args.file, label=f"reading {os.path.basename(args.file)}", show=args.progress)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    rejects = _DncRejects(args.rejects) if args.rejects else None
    try:
        with tempfile.TemporaryDirectory(prefix="callfire-dnc-") as tmp:
            spool_path = os.path.join(tmp, "entries")
            with reader, open(spool_path, "w", encoding="ascii") as spool:
                try:
                    found = dnc_import.scan(reader.chunks(), spool, call_dnc=args.call_dnc, text_dnc=args.text_dnc,
                                            region=backend.region, on_reject=rejects, rows_done=reader.rows_done)
                except BadRequest as exc:
                    reader.abandon()
                    raise CliError(f"nothing imported: {exc.message}") from None
            if found.invalid and not args.skip_invalid:
                hint = f"the invalid lines are in {args.rejects}" if args.rejects else \
                    "--rejects FILE.csv lists them all; --skip-invalid imports the valid ones"
                if rejects is not None:
                    rejects.finish()
                    rejects = None
                raise CliError(f"nothing imported: {dnc_import.invalid_message(found)}", hint)
            with ProgressReader(spool_path, label=f"writing to {name!r}", show=args.progress) as writing:
                report = dnc_import.store(backend.uow, account_id, name, existing,
                                          _counted(dnc_import.spooled_entries(writing.chunks()), writing), found)
    except BaseException:
        if rejects is not None:
            rejects.discard()
        raise
    verb = "created" if report.created else "extended"
    summary = (f"DNC list {report.name!r} (id {report.list_id}) {verb}: read {report.read:,}, "
               f"added {report.added:,}, updated {report.updated:,}, unchanged {report.unchanged:,}, "
               f"duplicates {report.duplicates:,}, invalid {report.invalid:,}; size {report.size:,}")
    if rejects is not None:
        try:
            rejects.finish()
        except CliError as exc:
            print(summary)
            raise CliError(f"the import committed, but {exc.message}") from None
    print(summary)
    return 0


def _counted(entries, progress):
    """Pass the entries on, telling the progress bar every 10,000."""
    count = 0
    for entry in entries:
        yield entry
        count += 1
        if count == 10_000:
            progress.rows_done(count)
            count = 0
    progress.rows_done(count)


@contextmanager
def _output(path: str | None):
    """Standard output, or a file that appears only when the export has succeeded (written
    beside it under a temporary name, then renamed)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, partial = tempfile.mkstemp(prefix=".callfire-export-", dir=directory)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dnc_export(args, backend, account_id: int) -> int:
    from .services import export

    check_output_path(args.output, "-o")
    with _output(args.output) as out:
        # One snapshot for finding the list and reading its numbers.
        found, rows = export.export_dnc(backend.uow, account_id, out, name=args.list, list_id=args.list_id)
    print(f"callfire-soap: exported {rows:,} numbers of DNC list {found.name!r} (id {found.id})"
          + (f" to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def _contacts_export(args, backend, account_id: int) -> int:
    from .services import export

    check_output_path(args.output, "-o")
    with _output(args.output) as out:
        # One snapshot for finding the list, its custom field names and its contacts.
        report = export.write_contacts(backend.uow, account_id, out, list_id=args.list_id,
                                       list_name=args.list, all_custom_fields=args.all_custom_fields)
    contact_list = report.contact_list
    what = f"of list {contact_list.name!r} (id {contact_list.id})" if contact_list else ""
    print(f"callfire-soap: exported {report.rows:,} contacts {what}".rstrip()
          + (f" to {args.output}" if args.output else ""), file=sys.stderr)
    if report.not_reimportable:
        print("callfire-soap: warning: contacts import reads these custom field columns as other "
              f"columns and will not bring them back: {', '.join(report.not_reimportable[:10])}", file=sys.stderr)
    if report.too_many_custom:
        print(f"callfire-soap: warning: {report.custom_columns} custom field columns; contacts import "
              "takes at most 200 (export one list at a time)", file=sys.stderr)
    return 0
