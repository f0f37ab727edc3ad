"""Reading an import file into a frame of text cells: limits, encoding, delimiter, quoting, XLSX
sheets, header names, and matching its headers (English or Chinese) to a table spec."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lib.i18n import t
from lib.store.imports.encoding import decode, utf16_without_bom
from lib.store.imports.limits import MB, Limits
from lib.store.imports.limits import current as current_limits
from lib.store.imports.report import ImportRejected
from lib.store.tables import TableSpec

DELIMITERS = (",", ";", "\t", "|")


_XLSX_EXT = (".xlsx", ".xlsm")
_OLD_EXT = (".xls", ".et", ".ods", ".numbers")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"     # an .xls, or an encrypted .xlsx


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _unterminated_line(text: str, sep: str, record: int) -> int:
    """The line on which record `record` (0 = the header) starts: where the open quote is."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    line = 1
    try:
        for _ in range(record):
            next(reader)
            line = reader.line_num + 1
    except (StopIteration, csv.Error):
        pass
    return line


def _read_csv(data: bytes, name: str, limits: Limits) -> tuple[list[str], pd.DataFrame, str]:
    """(header, rows as text, delimiter) of a CSV file."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and not utf16_without_bom(data):
        nul = data.find(b"\x00")
        if 0 <= nul < 4096:             # a binary file (a picture, a PDF, a zip) named .csv
            raise ImportRejected(t("io.file.not_table"), where=name)
        if nul >= 0:
            raise ImportRejected(t("io.file.nul", row=data.count(b"\n", 0, nul) + 1), where=name)
    text, _ = decode(data, name)
    text = text.lstrip("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        raise ImportRejected(t("io.file.nul", row=text.count("\n", 0, nul) + 1), where=name)
    if not text.strip():
        raise ImportRejected(t("io.file.empty"), where=name)
    lines = text.count("\n")
    if lines > limits.max_rows * 2 + 10:      # quoted values may hold line breaks: a bound, not the count
        raise ImportRejected(t("io.file.rows", rows=f"{lines:,}", limit=f"{limits.max_rows:,}"), where=name)
    sep = _delimiter(text.splitlines()[0] if text.splitlines() else "")
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep))
    except (csv.Error, StopIteration):
        header = []
    if len(header) > limits.max_columns:
        raise ImportRejected(t("io.file.columns", columns=f"{len(header):,}", limit=f"{limits.max_columns:,}"),
                             where=name)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                         na_filter=False, skip_blank_lines=False, index_col=False, quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as e:
        msg = str(e)
        m = re.search(r"EOF inside string starting at row (\d+)", msg)
        if m:
            line = _unterminated_line(text, sep, int(m.group(1)))
            raise ImportRejected(t("io.file.unterminated", line=line), where=name) from e
        m = re.search(r"line (\d+)", msg)
        raise ImportRejected(t("io.file.ragged", row=m.group(1) if m else "?", sep=repr(sep)), where=name) from e
    except (pd.errors.EmptyDataError, ValueError) as e:
        raise ImportRejected(t("io.file.empty"), where=name) from e
    df = df.fillna("")
    head = [str(h) for h in df.iloc[0].tolist()]
    body = df.iloc[1:]
    body.columns = range(len(head))
    body.index = body.index - 1          # index + 2 = the row as a spreadsheet numbers it (header = 1)
    return head, body, sep


def cell_text(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return ""
    if isinstance(v, (datetime, pd.Timestamp)):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _read_xlsx(data: bytes, name: str, limits: Limits) -> tuple[list[str], pd.DataFrame]:
    """(header, rows as text) of an .xlsx's first sheet, measured first, read in a child process."""
    from lib.store.imports import xlsx
    sheet = xlsx.measure(data, name, limits)
    rows = xlsx.read_cells(data, name, sheet, limits)
    first = next((i for i, r in enumerate(rows) if any(str(v).strip() for v in r)), None)
    if first is None:
        raise ImportRejected(t("io.file.empty"), where=name)
    width = max(len(r) for r in rows[first:])
    rows = [list(r) + [""] * (width - len(r)) for r in rows[first:]]
    body = pd.DataFrame(rows[1:], columns=range(width), dtype=object)
    body.index = range(first, first + len(rows) - 1)    # index + 2 = the sheet's own row number
    return [str(h) for h in rows[0]], body.astype(str) if len(body) else body


def _columns(head: list[str], body: pd.DataFrame, name: str) -> pd.DataFrame:
    """Header names on the rows: blank columns dropped, a value without a header or a header given
    twice refused by name."""
    keep, seen = [], {}
    for i, h in enumerate(head):
        blank = len(body) == 0 or not (body[i].astype(str).str.strip() != "").any()
        label = h.strip()
        if not label:
            if blank:
                continue
            raise ImportRejected(t("io.file.no_header", column=_letters(i + 1)), where=name)
        key = _norm(label)
        if key in seen:
            raise ImportRejected(t("io.file.same_header", header=label, a=_letters(seen[key] + 1),
                                   b=_letters(i + 1)), where=name)
        seen[key] = i
        keep.append(i)
    if not keep:
        raise ImportRejected(t("io.file.empty"), where=name)
    df = body[keep].copy()
    df.columns = [head[i].strip() for i in keep]
    return df


def _letters(n: int) -> str:
    """A column number as spreadsheet letters (1 = A, 28 = AB)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _check_cells(df: pd.DataFrame, name: str, limits: Limits) -> None:
    if len(df) > limits.max_rows:
        raise ImportRejected(t("io.file.rows", rows=f"{len(df):,}", limit=f"{limits.max_rows:,}"), where=name)
    if len(df.columns) > limits.max_columns:
        raise ImportRejected(t("io.file.columns", columns=f"{len(df.columns):,}", limit=f"{limits.max_columns:,}"),
                             where=name)
    for col in df.columns:
        lengths = df[col].str.len()
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            at = lengths.idxmax()
            raise ImportRejected(t("io.file.cell_too_long", row=int(at) + 2, column=col,
                                   chars=f"{int(lengths.max()):,}", limit=f"{limits.max_cell_chars:,}"), where=name)


def read_file(data: bytes, name: str, limits: Limits | None = None) -> pd.DataFrame:
    """The file's table as text cells ('' for blank), header row as column names.

    Measured before it is parsed (lib.store.imports.limits): size, rows, columns, cell length;
    an .xlsx also its unzipped size and its first sheet's extent, and its cells are read in a
    separate process. CSV: the encoding found with confidence (lib.store.imports.encoding);
    delimiter , ; tab or |, recorded in `attrs["delimiter"]` (None for .xlsx). The index + 2 is
    the row number a spreadsheet shows (the header is row 1). Anything else is refused with a message.
    """
    limits = limits or current_limits()
    ext = Path(name).suffix.lower()
    if not data or not data.strip():
        raise ImportRejected(t("io.file.empty"), where=name)
    if len(data) > limits.max_bytes:
        raise ImportRejected(t("io.file.too_large", mb=f"{len(data) / MB:,.1f}", limit=f"{limits.max_bytes / MB:,.0f}"),
                             where=name)
    sep = None
    if data[:2] == b"PK":
        head, body = _read_xlsx(data, name, limits)
    elif data.startswith(_OLE):
        key = "io.file.xlsx_ole" if ext in _XLSX_EXT else "io.file.old_excel"
        raise ImportRejected(t(key, ext=ext or ".xls"), where=name)
    elif ext in _XLSX_EXT:
        raise ImportRejected(t("io.file.not_table"), where=name)
    elif ext in (".csv", ".txt", ".tsv", ""):
        head, body, sep = _read_csv(data, name, limits)
    elif ext in _OLD_EXT:
        raise ImportRejected(t("io.file.old_excel", ext=ext), where=name)
    else:
        raise ImportRejected(t("io.file.not_table"), where=name)
    df = _columns(head, body, name)
    _check_cells(df, name, limits)
    df = df[(df.apply(lambda s: s.str.strip()) != "").any(axis=1)] if len(df) else df
    if df.empty:
        raise ImportRejected(t("io.file.no_rows"), where=name)
    df.attrs["delimiter"] = sep
    return df


def _norm(header: str) -> str:
    h = str(header).strip().lstrip("\ufeff").strip().lower()
    h = re.sub(r"[\s\-/]+", "_", h)
    return re.sub(r"[（(].*[)）]$", "", h).strip("_")   # 数量(pcs) -> 数量


def match_headers(spec: TableSpec, headers: list[str], file: str) -> dict[str, str]:
    """Map each file header to its exchange column; refuse unknown, duplicate and missing ones."""
    lookup = {}
    for c in spec.columns:
        for h in c.headers():
            lookup[_norm(h)] = c.name
    mapping, unknown, seen = {}, [], {}
    for h in headers:
        name = lookup.get(_norm(h))
        if name is None:
            unknown.append(str(h))
        elif name in seen:
            raise ImportRejected(t("io.file.dup_header", a=seen[name], b=h, column=name), where=file)
        else:
            seen[name] = h
            mapping[h] = name
    missing = [c for c in spec.required if c not in seen]
    problems = []
    if missing:
        problems.append(t("io.file.missing", columns=", ".join(missing)))
    if unknown:
        problems.append(t("io.file.unknown", columns=", ".join(unknown)))
    if problems:
        raise ImportRejected(" ".join(problems) + " " + t("io.file.expected", columns=", ".join(spec.names)),
                             where=file)
    return mapping
