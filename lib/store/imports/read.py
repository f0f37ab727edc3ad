"""Reading an import file into a frame of text cells: encoding, delimiter, quoting, XLSX sheets,
and matching its headers (English or Chinese) to a table spec."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lib.i18n import t
from lib.store.imports.report import ImportRejected
from lib.store.tables import TableSpec

try:   # calamine (Rust) reads 100,000 rows in ~2 s where openpyxl takes ~15 s
    import python_calamine  # noqa: F401
    _XLSX_ENGINE = "calamine"
except ImportError:
    _XLSX_ENGINE = "openpyxl"


DELIMITERS = (",", ";", "\t", "|")


_XLSX_EXT = (".xlsx", ".xlsm")


def _decode(data: bytes, name: str) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030/GBK, else detected."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Chinese ERP exports are GBK/GB18030; accept that reading when it gives plausible text
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        enc = best.encoding if best else None
        if enc:
            return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        pass
    raise ImportRejected(t("io.file.encoding"), where=name)


def _plausible(text: str) -> bool:
    """Mostly ASCII, CJK and full-width punctuation: not a Latin-1 file misread as GB18030."""
    odd = sum(1 for ch in text if ord(ch) > 127 and not ("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                                                         or "\uff00" <= ch <= "\uffef"))
    return odd <= len(text) // 500


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(t("io.file.not_table"), where=name)
    text = _decode(data, name)
    if not text.strip():
        raise ImportRejected(t("io.file.empty"), where=name)
    first = text.lstrip("\ufeff").splitlines()[0]
    sep = _delimiter(first)
    import warnings
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops data) when the FIRST data row has one field too many
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, index_col=False,
                               na_filter=False, skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserWarning as e:
        width = len(next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep)))
        row = next((i for i, r in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep), 1)
                    if len(r) > width), "?")
        raise ImportRejected(t("io.file.ragged", row=row, sep=repr(sep)), where=name) from e
    except pd.errors.ParserError as e:
        m = re.search(r"line (\d+)", str(e))
        raise ImportRejected(t("io.file.ragged", row=m.group(1) if m else "?", sep=repr(sep)), where=name) from e
    except (pd.errors.EmptyDataError, ValueError) as e:
        raise ImportRejected(t("io.file.empty"), where=name) from e


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


def _read_xlsx(data: bytes, name: str) -> pd.DataFrame:
    try:
        df = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object, engine=_XLSX_ENGINE)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportRejected(t("io.file.bad_xlsx", error=str(e).splitlines()[0][:120]), where=name) from e
    df.columns = [cell_text(c) for c in df.columns]
    return df.map(cell_text) if len(df) else df.astype(str)


def read_file(data: bytes, name: str) -> pd.DataFrame:
    """The file's table as text cells ('' for blank), header row as column names.

    CSV: UTF-8 (BOM or not), UTF-16 with BOM, GB18030/GBK; delimiter , ; tab or |.
    XLSX: the first sheet; dates become YYYY-MM-DD. Anything else is refused with a message.
    """
    ext = Path(name).suffix.lower()
    if not data or not data.strip():
        raise ImportRejected(t("io.file.empty"), where=name)
    if data[:2] == b"PK" or ext in _XLSX_EXT:
        if data[:2] != b"PK":
            raise ImportRejected(t("io.file.not_table"), where=name)
        df = _read_xlsx(data, name)
    elif ext in (".csv", ".txt", ".tsv", ""):
        df = _read_csv(data, name)
    elif ext in (".xls", ".et", ".ods", ".numbers"):
        raise ImportRejected(t("io.file.old_excel", ext=ext), where=name)
    else:
        raise ImportRejected(t("io.file.not_table"), where=name)
    # drop columns with no header and no values (spreadsheet residue) and fully blank rows
    keep = [c for c in df.columns if not (str(c).strip() == "" or str(c).startswith("Unnamed:"))
            or (df[c].astype(str).str.strip() != "").any()]
    df = df[keep]
    if len(df.columns) == 0:
        raise ImportRejected(t("io.file.empty"), where=name)
    df = df[(df.astype(str).apply(lambda s: s.str.strip()) != "").any(axis=1)] if len(df) else df
    if df.empty:
        raise ImportRejected(t("io.file.no_rows"), where=name)
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
