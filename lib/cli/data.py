"""`python -m lib import TABLE FILE [--valid-only]` and `python -m lib export TABLE FILE`.

For the nightly ERP job: the same validation and messages as the Update data page. Exit code 0
when written, 1 when refused (nothing written; the problems are listed on stderr, and with
--report PATH written as a CSV).
"""
from __future__ import annotations

import sys
from pathlib import Path

from lib.cli.common import Group, open_db
from lib.errors import TandemError, ValidationError
from lib.people.auth import SYSTEM
from lib.store import tables

SHOWN_PROBLEMS = 20


group = Group()
command = group.command

def _import_args(p):
    p.add_argument("table", help="exchange table: " + ", ".join(tables.names()))
    p.add_argument("file", help="CSV (UTF-8, UTF-16, or GB18030/GBK, Big5, Shift-JIS when unambiguous) or XLSX file")
    p.add_argument("--valid-only", action="store_true",
                   help="import the valid rows and skip the refused ones (default: all or nothing)")
    p.add_argument("--new-only", action="store_true", help="refuse rows whose key already exists")
    p.add_argument("--accept-reformatted", action="store_true",
                   help="store text values that differ from the stored ones only in number formatting "
                        "(1.50 -> 1.5, 00123 -> 123, TRUE -> True) as they are in the file (default: refuse them)")
    p.add_argument("--report", help="write the problems (file, row, column, value, reason) to this CSV")


@command("import", "import a table from a CSV/XLSX file (all rows or none)", _import_args)
def cmd_import(args) -> int:
    from lib.store.exports import csv_bytes
    from lib.store.imports import ImportRejected, import_file
    tables.spec(args.table)
    path = Path(args.file)
    if not path.is_file():
        raise ValidationError(f"{path} does not exist.", title="Not imported")
    db = open_db(args)
    try:
        result = import_file(db, SYSTEM, args.table, path.read_bytes(), path.name,
                             valid_only=args.valid_only, mode="insert" if args.new_only else "upsert",
                             accept_reformatted=args.accept_reformatted)
    except ImportRejected as e:
        problems = e.problems
        print(f"{e.title}: {e.detail}", file=sys.stderr)
        if not problems.empty:
            print(problems.head(SHOWN_PROBLEMS).to_string(index=False), file=sys.stderr)
            if len(problems) > SHOWN_PROBLEMS:
                print(f"... and {len(problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
            if args.report:
                Path(args.report).write_bytes(csv_bytes(problems))
                print(f"problem report written to {args.report}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    print(result.summary())
    problems = result.extra.get("problems")
    if result.skipped and problems is not None and not problems.empty:
        print(problems.head(SHOWN_PROBLEMS).to_string(index=False), file=sys.stderr)
        if args.report:
            Path(args.report).write_bytes(csv_bytes(problems))
    return 0


def _export_args(p):
    p.add_argument("table", help="exchange table: " + ", ".join(tables.names()))
    p.add_argument("file", help="target .csv or .xlsx")


@command("export", "export a table to CSV or XLSX in the exchange format", _export_args)
def cmd_export(args) -> int:
    from lib.store.exports import export_bytes
    tables.spec(args.table)
    path = Path(args.file)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise TandemError(f"{path}: choose a .csv or .xlsx file name.", title="Not exported")
    db = open_db(args)
    with db.cursor() as cur:
        data = export_bytes(cur, args.table, fmt)
        rows = cur.execute(f"SELECT count(*) FROM {tables.spec(args.table).table}").fetchone()[0]
    path.write_bytes(data)
    print(f"{args.table}: {rows:,} rows written to {path}")
    return 0
