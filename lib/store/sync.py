"""A folder of ERP exports brought into the database in one go: `python -m lib sync DIR`, the
nightly job.

Every file in the folder whose name says it is a table file (.csv, .txt, .tsv, .xlsx, and the
formats the importer refuses with advice: .xls, .ods, ...) is recognised as a table by its name
(`orders.csv`, `purchase_orders_2026-11-25.xlsx`, `客户.csv`: the table's exchange name, its
database name or its Chinese name, alone or followed by `_`, `-`, `.` or a space), else by its
headers (lib.store.imports.detect_table; several fitting tables are told apart by the name).
The files are imported in dependency order (lib.store.imports.IMPORT_ORDER: master data before
the orders, POs and records that refer to it), each all or nothing in its own transaction, with
the same checks and messages as the Update data page. Importing what is stored already changes
nothing: no row, no audit row, no freshness, no data version (lib.store.db.Tx.changed).

    >>> from lib.store.db import Database; from lib.people.auth import SYSTEM; import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "customers.csv").write_text("customer,name\\nC1,Acme\\n")
    >>> [(f.file, f.table, f.result) for f in sync_folder(Database(":memory:"), SYSTEM, folder).files]
    [('customers.csv', 'customers', 'imported')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lib.errors import ValidationError
from lib.i18n import t
from lib.store import tables
from lib.store.imports import (
    IMPORT_ORDER,
    ImportRejected,
    ImportResult,
    detect_table,
    read_file,
    write_frame,
)
from lib.store.imports.limits import MB
from lib.store.imports.limits import current as current_limits

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".et", ".ods", ".numbers")
REPORT_NAME = "tandem-sync-report.csv"
REPORT_COLUMNS = ["file", "table", "result", "added", "updated", "unchanged", "skipped",
                  "row", "column", "value", "reason"]
# results of a file
IMPORTED, UNCHANGED, PARTLY, REFUSED, UNKNOWN = "imported", "unchanged", "partly imported", "refused", "not recognised"


@dataclass
class FileResult:
    file: str                       # its name in the folder
    table: str | None               # the exchange table it was recognised as
    result: str                     # imported, unchanged, partly imported, refused, not recognised
    detail: str = ""                # the import's summary, or why it was refused
    counts: ImportResult | None = None
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "row", "column",
                                                                                 "value", "reason"]))


@dataclass
class SyncReport:
    folder: Path
    files: list[FileResult]
    ignored: list[str]              # other files (not table files: README.txt is a table file, notes.pdf not)

    @property
    def complete(self) -> bool:
        """Everything in the folder is in the database: no file refused, unknown or cut short."""
        return all(f.result in (IMPORTED, UNCHANGED) for f in self.files)

    def count(self, result: str) -> int:
        return sum(1 for f in self.files if f.result == result)

    def frame(self) -> pd.DataFrame:
        """The report file's rows: one per file (its result and counts), then one per problem."""
        rows = []
        for f in self.files:
            c = f.counts
            rows.append({"file": f.file, "table": f.table or "", "result": f.result,
                         "added": c.inserted if c else None, "updated": c.updated if c else None,
                         "unchanged": c.unchanged if c else None, "skipped": c.skipped if c else None,
                         "reason": "" if f.result in (IMPORTED, UNCHANGED) else f.detail})
            for p in f.problems.to_dict(orient="records"):
                rows.append({"file": f.file, "table": f.table or "", "result": "problem", "row": p.get("row"),
                             "column": p.get("column"), "value": p.get("value"), "reason": p.get("reason")})
        frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
        counts = ["added", "updated", "unchanged", "skipped", "row"]
        frame[counts] = frame[counts].astype("Int64")
        return frame


def table_files(folder: Path, skip: set[str] = frozenset()) -> tuple[list[Path], list[str]]:
    """The table files of `folder` by name, and the names of the others (hidden files, office lock
    files ~$x.xlsx and the names in `skip`, such as the report itself, are neither)."""
    files, ignored = [], []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.startswith((".", "~$")) or p.name in skip or not p.is_file():
            continue
        if p.suffix.lower() in SUFFIXES:
            files.append(p)
        else:
            ignored.append(p.name)
    return files, ignored


def _names() -> list[tuple[str, str]]:
    """(a name a file may start with, its exchange table), longest first."""
    out = []
    for s in tables.SPECS:
        for n in {s.name, s.table, s.zh.split()[0] if s.zh else ""} - {""}:
            out.append((n.lower(), s.name))
    return sorted(out, key=lambda x: -len(x[0]))


def table_by_name(file: str) -> str | None:
    """The table a file's name names: `orders.csv`, `purchase_orders_2026-11-25.xlsx`, `客户.csv`."""
    stem = Path(file).stem.lower()
    for name, table in _names():
        if stem == name or re.match(re.escape(name) + r"[_\-. ]", stem):
            return table
    return None


def file_bytes(path: Path) -> bytes:
    """A file's content, refused by its size before it is read when it is over the import limit."""
    limit = current_limits().max_bytes
    size = path.stat().st_size
    if size > limit:
        raise ImportRejected(t("io.file.too_large", mb=f"{size / MB:,.1f}", limit=f"{limit / MB:,.0f}"),
                             where=path.name)
    return path.read_bytes()


def _rank(table: str) -> int:
    return IMPORT_ORDER.index(table) if table in IMPORT_ORDER else len(IMPORT_ORDER)


def sync_folder(db, user, folder: Path, *, valid_only: bool = False, accept_reformatted: bool = False,
                skip: set[str] = frozenset()) -> SyncReport:
    """Import every table file of `folder` in dependency order, each all or nothing (see module doc)."""
    folder = Path(folder)
    if not folder.is_dir():
        why = "does not exist" if not folder.exists() else "is a file, not a folder"
        raise ValidationError(f"{folder} {why}.", title="Not synchronised")
    files, ignored = table_files(folder, set(skip) | {REPORT_NAME})
    unread: list[FileResult] = []                       # refused before a table could be told
    todo: list[tuple[str, Path, pd.DataFrame | None]] = []
    for path in files:
        table, raw = table_by_name(path.name), None
        if table is None:
            try:
                raw = read_file(file_bytes(path), path.name)
            except ImportRejected as e:
                unread.append(FileResult(path.name, None, REFUSED, e.detail, problems=e.problems))
                continue
            table = detect_table(raw, path.name, tables.names())
            if table is None:
                unread.append(FileResult(path.name, None, UNKNOWN, _unknown(path.name)))
                continue
        todo.append((table, path, raw))
    done = [_import(db, user, table, path, raw, valid_only, accept_reformatted)
            for table, path, raw in sorted(todo, key=lambda x: (_rank(x[0]), x[1].name))]
    return SyncReport(folder, done + unread, ignored)


def _unknown(file: str) -> str:
    return (f"{file}: neither its name nor its headers say which table it is; name it after the table "
            f"(e.g. orders.csv) or give it the table's headers. Tables: {', '.join(tables.names())}.")


def _import(db, user, table: str, path: Path, raw, valid_only: bool, accept_reformatted: bool) -> FileResult:
    try:
        if raw is None:
            raw = read_file(file_bytes(path), path.name)
        r = write_frame(db, user, table, raw, path.name, valid_only=valid_only, accept_reformatted=accept_reformatted)
    except ImportRejected as e:
        return FileResult(path.name, table, REFUSED, e.detail, problems=e.problems)
    changed = r.inserted or r.updated or r.extra.get("promises") or r.extra.get("receipts")
    result = PARTLY if r.skipped else IMPORTED if changed else UNCHANGED
    found = FileResult(path.name, table, result, r.summary(), counts=r)
    if r.skipped and r.extra.get("problems") is not None:
        found.problems = r.extra["problems"]
    return found
