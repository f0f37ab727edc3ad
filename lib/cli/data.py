"""`python -m lib import TABLE FILE`, `export TABLE FILE` and `sync DIR`.

For the nightly ERP job: the same validation and messages as the Update data page. Exit code 0
when written, 1 when refused (nothing written; the problems are listed on stderr, and with
--report PATH written as a CSV). `sync` imports a whole folder (lib.store.sync) and exits 0 only
when everything in it is in the database.
"""
from __future__ import annotations

import os
from pathlib import Path

from lib.cli.common import Group, open_db, say, table_name, where
from lib.errors import TandemError, ValidationError
from lib.store import tables

SHOWN_PROBLEMS = 20


group = Group()
command = group.command


def _report(problems, path: str | None, shown: int = SHOWN_PROBLEMS) -> None:
    """The first problems on stderr, all of them in the --report CSV."""
    from lib.store.exports import csv_bytes
    say(problems.head(shown).to_string(index=False), error=True)
    if len(problems) > shown:
        say(f"... and {len(problems) - shown} more", error=True)
    if path:
        where(path).write_bytes(csv_bytes(problems))
        say(f"problem report written to {path}", error=True)


def _import_args(p):
    p.add_argument("table", type=table_name, metavar="TABLE",
                   help="exchange table: " + ", ".join(tables.names()) + " (orders is also order_lines)")
    p.add_argument("file", metavar="FILE",
                   help="CSV (UTF-8, UTF-16, or GB18030/GBK, Big5, Shift-JIS when unambiguous) or XLSX file")
    p.add_argument("--valid-only", action="store_true",
                   help="import the valid rows and skip the refused ones (default: all or nothing)")
    p.add_argument("--new-only", action="store_true", help="refuse rows whose key already exists")
    p.add_argument("--accept-reformatted", action="store_true",
                   help="store text values that differ from the stored ones only in number formatting "
                        "(1.50 -> 1.5, 00123 -> 123, TRUE -> True) as they are in the file (default: refuse them)")
    p.add_argument("--report", metavar="PROBLEMS.csv",
                   help="write the problems (file, row, column, value, reason) to this CSV")


def _input_file(text: str) -> Path:
    path = where(text)
    if path.is_dir():
        raise ValidationError(f"{text} is a folder, not a file. To import every file in it, run "
                              f"`python -m lib sync {text}`.", title="Not imported")
    if not path.is_file():
        raise ValidationError(f"{text} does not exist." if not path.exists() else f"{text} is not a file.",
                              title="Not imported")
    return path


@command("import", "import a table from a CSV/XLSX file (all rows or none)", _import_args)
def cmd_import(args) -> int:
    from lib.people.auth import SYSTEM
    from lib.store.imports import ImportRejected, read_file, write_frame
    from lib.store.sync import file_bytes
    path = _input_file(args.file)
    db = open_db(args)
    try:
        raw = read_file(file_bytes(path), path.name)
        result = write_frame(db, SYSTEM, args.table, raw, path.name, valid_only=args.valid_only,
                             mode="insert" if args.new_only else "upsert", accept_reformatted=args.accept_reformatted)
    except ImportRejected as e:
        say(f"{e.title}: {e.detail}", error=True)
        if not e.problems.empty:
            _report(e.problems, args.report)
        say("Nothing was written.", error=True)
        return 1
    say(result.summary())
    problems = result.extra.get("problems")
    if result.skipped and problems is not None and not problems.empty:
        _report(problems, args.report)
    return 0


def _export_args(p):
    p.add_argument("table", type=table_name, metavar="TABLE", help="exchange table: " + ", ".join(tables.names()))
    p.add_argument("file", metavar="FILE", help="target .csv or .xlsx")


@command("export", "export a table to CSV or XLSX in the exchange format", _export_args)
def cmd_export(args) -> int:
    from lib.store.exports import export_bytes
    path = where(args.file)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise TandemError(f"{args.file}: choose a .csv or .xlsx file name.", title="Not exported")
    if not path.parent.is_dir():
        raise TandemError(f"{args.file}: the folder {path.parent} does not exist; create it first or "
                          "choose another.", title="Not exported")
    if path.is_dir():
        raise TandemError(f"{args.file} is a folder; give a file name.", title="Not exported")
    db = open_db(args)
    with db.cursor() as cur:
        data = export_bytes(cur, args.table, fmt)
        rows = cur.execute(f"SELECT count(*) FROM {tables.spec(args.table).table}").fetchone()[0]
    path.write_bytes(data)
    say(f"{args.table}: {rows:,} rows written to {args.file}")
    return 0


# ---------------------------------------------------------------------------- sync

def _sync_args(p):
    p.add_argument("folder", metavar="DIR", help="the folder the ERP exports into (one file per table)")
    p.add_argument("--report", metavar="REPORT.csv",
                   help="where to write the report: a row per file (result and counts) and per problem "
                        "(default: DIR/tandem-sync-report.csv)")
    p.add_argument("--valid-only", action="store_true",
                   help="import each file's valid rows and skip the refused ones (default: each file all or nothing)")
    p.add_argument("--accept-reformatted", action="store_true",
                   help="store text values that differ from the stored ones only in number formatting")


@command("sync", "import every table file of a folder in dependency order, each all or nothing, with a report",
         _sync_args)
def cmd_sync(args) -> int:
    from lib.people.auth import SYSTEM
    from lib.store.exports import csv_bytes
    from lib.store.sync import REPORT_NAME, sync_folder
    folder = where(args.folder)
    if not folder.is_dir():
        why = "does not exist" if not folder.exists() else "is a file, not a folder"
        raise ValidationError(f"{args.folder} {why}.", title="Not synchronised")
    report = where(args.report) if args.report else folder / REPORT_NAME
    if not report.parent.is_dir() or not os.access(report.parent, os.W_OK):
        raise ValidationError(f"the report cannot be written to {report} (no such folder, or not writable); "
                              "choose another with --report PATH. Nothing was imported.", title="Not synchronised")
    db = open_db(args)
    result = sync_folder(db, SYSTEM, folder, valid_only=args.valid_only, accept_reformatted=args.accept_reformatted,
                         skip={report.name} if report.parent.resolve() == folder.resolve() else set())
    for f in result.files:
        if f.result in ("imported", "unchanged", "partly imported"):
            say(f.detail)
        else:
            say(f.detail, error=True)
            if not f.problems.empty:
                say(f.problems.head(5).to_string(index=False), error=True)
    report.write_bytes(csv_bytes(result.frame()))
    counts = ", ".join(f"{n} {what}" for what in ("imported", "unchanged", "partly imported", "refused",
                                                   "not recognised") if (n := result.count(what)))
    say(f"{args.folder}: {len(result.files)} table file{'s' if len(result.files) != 1 else ''}"
        f"{' (' + counts + ')' if counts else ''}"
        f"{f', {len(result.ignored)} other file(s) left alone' if result.ignored else ''}; report in {report}")
    return 0 if result.complete else 1
