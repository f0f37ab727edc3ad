"""Import of the exchange format (CSV / XLSX) — and the one bulk write path forms and the editor share.

    read_file(bytes, name) -> raw text frame     (encoding, delimiter, XLSX, empty files)
    check(con, spec, raw)  -> Checked            (headers, types, ranges, dates, references,
                                                  duplicate keys, rules: one report of problems)
    import_file(db, user, table, bytes, name)    (check, then all-or-nothing upsert by key with
                                                  audit rows of the changed columns only)

Validation is set-based: the file is loaded into a DuckDB temp table as text, each column is
typed with TRY_CAST, and every problem comes from one SQL query (anti-joins for references,
window counts for duplicate keys), so 100,000 rows take about a second.

    >>> from lib.store.db import Database; from lib.people.auth import SYSTEM
    >>> db = Database(":memory:")
    >>> r = import_file(db, SYSTEM, "customers", b"customer,name\\nC1,Acme\\n", "c.csv")
    >>> (r.inserted, r.updated, r.unchanged)
    (1, 0, 0)
    >>> import_file(db, SYSTEM, "customers", b"customer,name\\nC1,Acme\\n", "c.csv").unchanged
    1
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lib.errors import ValidationError
from lib.i18n import t
from lib.store.tables import Col, TableSpec
from lib.store.tables import spec as get_spec

DELIMITERS = (",", ";", "\t", "|")
REPORT_COLUMNS = ["file", "row", "column", "value", "reason"]
_XLSX_EXT = (".xlsx", ".xlsm")
try:   # calamine (Rust) reads 100,000 rows in ~2 s where openpyxl takes ~15 s
    import python_calamine  # noqa: F401
    _XLSX_ENGINE = "calamine"
except ImportError:
    _XLSX_ENGINE = "openpyxl"


class ImportRejected(ValidationError):
    """Nothing was written; `problems` lists file, row, column, value and reason."""
    title = "Not imported"

    def __init__(self, detail: str, problems: pd.DataFrame | None = None, *, where: str | None = None):
        super().__init__(detail, where=where, title=t("io.rejected.title"))
        self.problems = problems if problems is not None else pd.DataFrame(columns=REPORT_COLUMNS)


# ---------------------------------------------------------------------------- reading files

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


def _cell_text(v) -> str:
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
    df.columns = [_cell_text(c) for c in df.columns]
    return df.map(_cell_text) if len(df) else df.astype(str)


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


# ---------------------------------------------------------------------------- headers

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


# ---------------------------------------------------------------------------- typing and checks

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    return "'" + str(v).replace("'", "''") + "'"


_TRUE = ("true", "1", "yes", "y", "t", "是", "对", "合格")
_FALSE = ("false", "0", "no", "n", "f", "否", "不")


def _parse(c: Col, v: str) -> str:
    """SQL that turns the trimmed text `v` into the column's type, NULL when it cannot."""
    if c.kind == "text":
        return f"CASE WHEN regexp_matches({v}, '^''[=+@\\t\\r-]') THEN substr({v}, 2) ELSE {v} END"
    if c.kind in ("num", "int"):
        clean = (f"CASE WHEN regexp_full_match({v}, '-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d*)?') "
                 f"THEN replace({v}, ',', '') ELSE {v} END")
        n = f"TRY_CAST({clean} AS DOUBLE)"
        if c.kind == "num":
            return f"CASE WHEN isfinite({n}) THEN {n} END"
        return f"CASE WHEN isfinite({n}) AND abs({n}) < 1e15 AND {n} = round({n}) THEN CAST({n} AS BIGINT) END"
    if c.kind == "date":
        return (f"coalesce(TRY_CAST({v} AS DATE), "
                f"CAST(try_strptime({v}, ['%Y.%m.%d', '%Y%m%d', '%Y年%m月%d日']) AS DATE), "
                f"CASE WHEN regexp_full_match({v}, '\\d{{5}}(\\.0+)?') "
                f"THEN DATE '1899-12-30' + CAST(CAST({v} AS DOUBLE) AS INTEGER) END)")
    if c.kind == "choice":
        return f"CASE WHEN lower({v}) IN ({', '.join(_lit(x) for x in c.choices)}) THEN lower({v}) END"
    if c.kind == "bool":
        return (f"CASE WHEN lower({v}) IN ({', '.join(_lit(x) for x in _TRUE)}) THEN TRUE "
                f"WHEN lower({v}) IN ({', '.join(_lit(x) for x in _FALSE)}) THEN FALSE END")
    raise ValueError(c.kind)


_SQL_TYPE = {"text": "VARCHAR", "num": "DOUBLE", "int": "BIGINT", "date": "DATE", "choice": "VARCHAR",
             "bool": "BOOLEAN"}


def _typed(c: Col, present: bool) -> str:
    if not present:
        return f"CAST({_lit(c.default)} AS {_SQL_TYPE[c.kind]})"
    v = f"nullif(trim({_q('_v_' + c.name)}), '')"
    return f"CASE WHEN {v} IS NULL THEN CAST({_lit(c.default)} AS {_SQL_TYPE[c.kind]}) ELSE {_parse(c, v)} END"


@dataclass
class Checked:
    """A file read and validated, nothing written yet."""
    spec: TableSpec
    file: str
    rows: int
    present: list[str]                       # exchange columns the file has
    headers: dict[str, str]                  # exchange column -> the file's header
    problems: pd.DataFrame                   # file, row, column, value, reason
    bad_rows: int = 0
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    _raw: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return self.problems.empty

    @property
    def valid_rows(self) -> int:
        return self.rows - self.bad_rows


@dataclass
class ImportResult:
    table: str
    file: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    audit_rows: int = 0
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        return t("io.result", table=self.table, file=self.file, inserted=self.inserted, updated=self.updated,
                 unchanged=self.unchanged, skipped=self.skipped)


def _prepare(spec: TableSpec, raw: pd.DataFrame, file: str, row_numbers=None) -> tuple[pd.DataFrame, list[str], dict]:
    mapping = match_headers(spec, list(raw.columns), file)
    frame = pd.DataFrame({"_v_" + mapping[h]: raw[h].astype(str).to_numpy() for h in raw.columns})
    rows = row_numbers if row_numbers is not None else (raw.index.to_numpy() + 2)   # header is row 1
    frame.insert(0, "_row", pd.array(rows, dtype="int64"))
    present = [c.name for c in spec.columns if c.name in mapping.values()]
    return frame, present, {v: k for k, v in mapping.items()}


def _load(cur, spec: TableSpec, frame: pd.DataFrame, present: list[str], tag: str) -> str:
    """Create temp table _typed_<tag> (the typed exchange columns + _row) and return its name."""
    raw, typed = f"_raw_{tag}", f"_typed_{tag}"
    cur.register(f"_df_{tag}", frame)
    cur.execute(f"CREATE TEMP TABLE {raw} AS SELECT * FROM _df_{tag}")
    cur.unregister(f"_df_{tag}")
    cols = ", ".join(f"{_typed(c, c.name in present)} AS {_q(c.name)}" for c in spec.columns)
    cur.execute(f"CREATE TEMP TABLE {typed} AS SELECT _row, {cols} FROM {raw}")
    return typed


def _problem_sql(spec: TableSpec, present: list[str], tag: str, mode: str) -> str:
    """One query of every problem: _row, col, value, code, extra."""
    raw, typed = f"_raw_{tag}", f"_typed_{tag}"
    parts = []
    j = f"{typed} t JOIN {raw} r USING (_row)"
    for c in spec.columns:
        if c.name not in present:
            continue
        v = f"nullif(trim(r.{_q('_v_' + c.name)}), '')"
        raw_v = f"r.{_q('_v_' + c.name)}"
        tv = f"t.{_q(c.name)}"
        name = _lit(c.name)
        if c.required and c.default is None:
            parts.append(f"SELECT _row, {name} AS col, {raw_v} AS value, 'required' AS code, NULL AS extra "
                         f"FROM {j} WHERE {v} IS NULL")
        parts.append(f"SELECT _row, {name}, {raw_v}, 'bad_{c.kind}', NULL FROM {j} "
                     f"WHERE {v} IS NOT NULL AND {tv} IS NULL")
        if c.min is not None:
            op = "<=" if c.min_open else "<"
            parts.append(f"SELECT _row, {name}, {raw_v}, '{'min_open' if c.min_open else 'min'}', NULL "
                         f"FROM {j} WHERE {tv} {op} {c.min!r}")
        if c.max is not None:
            parts.append(f"SELECT _row, {name}, {raw_v}, 'max', NULL FROM {j} WHERE {tv} > {c.max!r}")
        if c.ref:
            rt, rc = c.ref
            parts.append(f"SELECT t._row, {name}, {raw_v}, 'ref', NULL FROM {j} "
                         f"WHERE {tv} IS NOT NULL AND {tv} <> '' AND {tv} NOT IN "
                         f"(SELECT {_q(rc)} FROM {_q(rt)} WHERE {_q(rc)} IS NOT NULL)")
    if spec.line_ref and "order" in present and "line" in present:
        parts.append(f"SELECT t._row, 'order', concat(t.\"order\", ' / ', t.line), 'line_ref', NULL FROM {typed} t "
                     "WHERE t.\"order\" IS NOT NULL AND t.line IS NOT NULL AND NOT EXISTS (SELECT 1 FROM order_lines o "
                     "WHERE o.order_no = t.\"order\" AND o.line_no = t.line)")
        parts.append(f"SELECT t._row, 'line', CAST(t.line AS VARCHAR), 'line_pair', NULL FROM {typed} t "
                     "WHERE (t.\"order\" IS NULL) <> (t.line IS NULL)")
    if spec.id and spec.id in spec.names and spec.id in present:
        parts.append(f"SELECT t._row, {_lit(spec.id)}, CAST(t.{_q(spec.id)} AS VARCHAR), 'unknown_id', NULL "
                     f"FROM {typed} t WHERE t.{_q(spec.id)} IS NOT NULL AND t.{_q(spec.id)} NOT IN "
                     f"(SELECT {_q(spec.id)} FROM {_q(spec.table)})")
    for rule in spec.rules:   # absent columns take their default, as an inserted row would
        parts.append(f"SELECT t._row, {_lit(rule.column)}, CAST(t.{_q(rule.column)} AS VARCHAR), "
                     f"'rule.{rule.name}', NULL FROM {typed} t WHERE NOT coalesce(({rule.ok}), TRUE)")
    # duplicate keys within the file (on typed values, so 2026-01-05 and its Excel serial are one key)
    keys = [k for k in spec.key if k in present]
    if len(keys) == len(spec.key):
        kcols = ", ".join(f"t.{_q(k)}" for k in keys)
        notnull = " AND ".join(f"t.{_q(k)} IS NOT NULL" for k in keys)
        keytxt = "concat_ws(' / ', " + ", ".join(f"CAST(t.{_q(k)} AS VARCHAR)" for k in keys) + ")"
        parts.append(f"SELECT _row, {_lit(keys[0])}, {keytxt}, 'dup_file', CAST(first AS VARCHAR) FROM ("
                     f"SELECT t._row, {kcols}, min(t._row) OVER (PARTITION BY {kcols}) AS first FROM {typed} t "
                     f"WHERE {notnull}) t WHERE _row > first")
        if mode == "insert":
            match = " AND ".join(f"o.{_q(spec.column(k).column)} = t.{_q(k)}" for k in keys)
            parts.append(f"SELECT t._row, {_lit(keys[0])}, {keytxt}, 'exists', NULL FROM {typed} t "
                         f"WHERE EXISTS (SELECT 1 FROM {_q(spec.table)} o WHERE {match})")
    if spec.name == "purchase_orders" and "received_qty" in present:
        parts.append(f"SELECT t._row, 'received_qty', CAST(t.received_qty AS VARCHAR), 'received_less', "
                     f"CAST(r.qty AS VARCHAR) FROM {typed} t JOIN (SELECT po, sum(qty) AS qty FROM receipts "
                     f"GROUP BY po) r USING (po) WHERE t.received_qty < r.qty - 1e-9")
    return " UNION ALL ".join(parts)


def _fmt_num(x) -> str:
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,}"


def _reason(spec: TableSpec, code: str, column: str, value, extra) -> str:
    c = spec.column(column) if column in spec.names else None
    value = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if code.startswith("rule."):
        return t(f"io.{code}")
    if code == "min":
        return t("io.reason.min", min=_fmt_num(c.min))
    if code == "min_open":
        return t("io.reason.min_open", min=_fmt_num(c.min))
    if code == "max":
        return t("io.reason.max", max=_fmt_num(c.max))
    if code == "bad_choice":
        return t("io.reason.bad_choice", value=value, choices=", ".join(c.choices))
    if code == "ref":
        return t("io.reason.ref", value=value, table=c.ref[0])
    if code == "dup_file":
        return t("io.reason.dup_file", value=value, row=extra)
    if code == "received_less":
        return t("io.reason.received_less", value=value, received=_fmt_num(extra))
    if code == "unknown_id":
        return t("io.reason.unknown_id", value=value, table=spec.table)
    return t(f"io.reason.{code}", value=value)


def _report(spec: TableSpec, df: pd.DataFrame, file: str, headers: dict[str, str]) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    df = df.sort_values(["_row", "col"], kind="stable").reset_index(drop=True)
    # report a whole-row problem only once per cell
    df = df.drop_duplicates(["_row", "col", "code"])
    reasons = [_reason(spec, code, col, val, ex) for code, col, val, ex in
               zip(df["code"], df["col"], df["value"], df["extra"])]
    return pd.DataFrame({"file": file, "row": df["_row"].astype("int64").to_numpy(),
                         "column": [headers.get(c, c) for c in df["col"]],
                         "value": df["value"].astype(object).where(df["value"].notna(), "").astype(str).to_numpy(),
                         "reason": reasons})


def _validate(cur, spec: TableSpec, frame, present, headers, file, mode, tag) -> tuple[pd.DataFrame, pd.DataFrame]:
    _load(cur, spec, frame, present, tag)
    sql = _problem_sql(spec, present, tag, mode)
    raw_problems = cur.execute(sql).df() if sql else pd.DataFrame(columns=["_row", "col", "value", "code", "extra"])
    return raw_problems, _report(spec, raw_problems, file, headers)


def _drop(cur, tag: str) -> None:
    """Drop the temp tables of one import (after a failed statement the rollback drops them)."""
    import duckdb
    try:
        for name in (f"_raw_{tag}", f"_typed_{tag}", f"_s1_{tag}", f"_stage_{tag}"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    except duckdb.Error:
        pass


def check(db, table: str, raw: pd.DataFrame, file: str, *, mode: str = "upsert",
          preview_rows: int = 20, row_numbers=None) -> Checked:
    """Validate a file's rows against the table spec and the database; write nothing."""
    spec = get_spec(table)
    frame, present, headers = _prepare(spec, raw, file, row_numbers)
    tag = uuid.uuid4().hex[:12]
    with db.cursor() as cur:
        try:
            raw_problems, report = _validate(cur, spec, frame, present, headers, file, mode, tag)
            preview = cur.execute(f"SELECT * FROM _typed_{tag} ORDER BY _row LIMIT {int(preview_rows)}").df()
        finally:
            _drop(cur, tag)
    preview = preview.rename(columns={"_row": "row"})[["row"] + present]
    return Checked(spec, file, len(frame), present, headers, report,
                   bad_rows=raw_problems["_row"].nunique() if len(raw_problems) else 0,
                   preview=preview, _raw=raw)


# ---------------------------------------------------------------------------- writing

def _text_sql(expr: str, kind: str) -> str:
    """SQL text of a value the way the audit log stores it (5.0 -> '5', dates ISO)."""
    if kind in ("num",):
        return (f"CASE WHEN {expr} = trunc({expr}) AND abs({expr}) < 1e15 "
                f"THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) ELSE CAST({expr} AS VARCHAR) END")
    if kind == "bool":
        return f"CASE WHEN {expr} THEN 'True' WHEN NOT {expr} THEN 'False' END"
    return f"CAST({expr} AS VARCHAR)"


def _apply(tx, spec: TableSpec, present: list[str], tag: str, file: str) -> ImportResult:
    """Upsert the rows of _typed_<tag> by key; audit only changed columns of changed rows."""
    from lib.store.db import KEYS
    cur = tx.cur
    table = spec.table
    tx.writing(table)
    typed, s1, stage = f"_typed_{tag}", f"_s1_{tag}", f"_stage_{tag}"
    id_col = spec.id
    id_in_file = bool(id_col and id_col in spec.names)
    # exchange -> database columns
    sel, write, kinds = ["t._row"], [], {}
    for c in spec.columns:
        if c.virtual or (spec.line_ref and c.name in ("order", "line")):
            continue
        sel.append(f"t.{_q(c.name)} AS {_q(c.column)}")
        if c.name in present or c.name in spec.key:
            write.append(c.column)
        kinds[c.column] = c.kind
    join = ""
    if spec.line_ref:
        sel.append("ol.line_id AS line_id")
        join = "LEFT JOIN order_lines ol ON ol.order_no = t.\"order\" AND ol.line_no = t.line"
        if "order" in present:
            write.append("line_id")
        kinds["line_id"] = "int"
    if spec.name == "purchase_orders":
        sel += ["t.received_qty AS _received_qty", "t.received_date AS _received_date"]
    cur.execute(f"CREATE TEMP TABLE {s1} AS SELECT {', '.join(sel)} FROM {typed} t {join}")
    # which stored row each file row is
    key_db = [spec.column(k).column for k in spec.key]
    if id_in_file:
        others = [c for c in write if c != id_col]
        same = " AND ".join(f"s.{_q(c)} IS NOT DISTINCT FROM m.{_q(c)}" for c in others) or "TRUE"
        cols = ", ".join(_q(c) for c in others)
        ident = (f"coalesce(s.{_q(id_col)}, m._mid, nextval('{spec.sequence}'))")
        resolve = (f"SELECT s.* REPLACE ({ident} AS {_q(id_col)}) FROM {s1} s LEFT JOIN "
                   f"(SELECT min({_q(id_col)}) AS _mid, {cols} FROM {_q(table)} GROUP BY ALL) m ON {same}")
        if id_col not in write:
            write.insert(0, id_col)
        match_cols = [id_col]
    elif id_col:   # orders: matched on order + line, the id is the stored one or a new one
        on = " AND ".join(f"o.{_q(k)} = s.{_q(k)}" for k in key_db)
        resolve = (f"SELECT s.*, coalesce(o.{_q(id_col)}, nextval('{spec.sequence}')) AS {_q(id_col)} "
                   f"FROM {s1} s LEFT JOIN {_q(table)} o ON {on}")
        write.insert(0, id_col)
        kinds[id_col] = "int"
        match_cols = [id_col]
    else:
        resolve = f"SELECT * FROM {s1}"
        match_cols = key_db
    on = " AND ".join(f"o.{_q(k)} = s.{_q(k)}" for k in match_cols)
    compare = [c for c in write if c not in match_cols and c not in key_db]
    olds = ", ".join(f"o.{_q(c)} AS {_q('_old_' + c)}" for c in compare)
    changed = " OR ".join(f"s.{_q(c)} IS DISTINCT FROM o.{_q(c)}" for c in compare) or "FALSE"
    cur.execute(f"CREATE TEMP TABLE {stage} AS SELECT s.*{', ' + olds if olds else ''}, "
                f"o.{_q(match_cols[0])} IS NULL AS _new, ({changed}) AS _changed "
                f"FROM ({resolve}) s LEFT JOIN {_q(table)} o ON {on}")
    counts = cur.execute(f"SELECT count(*) FILTER (WHERE _new), count(*) FILTER (WHERE NOT _new AND _changed), "
                         f"count(*) FILTER (WHERE NOT _new AND NOT _changed), count(*) FROM {stage}").fetchone()
    result = ImportResult(spec.name, file, int(counts[3]), int(counts[0]), int(counts[1]), int(counts[2]))
    # audit rows: every value of a new row, the changed columns of an updated row
    audit_key = KEYS.get(table, tuple(match_cols))
    key_sql = "concat_ws('|', " + ", ".join(
        f"coalesce({_text_sql('s.' + _q(k), kinds.get(k, 'text'))}, '')" for k in audit_key) + ")"
    parts = []
    for c in write:
        val = _text_sql(f"s.{_q(c)}", kinds.get(c, "text"))
        parts.append(f"SELECT 'insert' AS action, {_lit(table)} AS table_name, {key_sql} AS row_key, "
                     f"{_lit(c)} AS column_name, NULL AS old_value, {val} AS new_value FROM {stage} s "
                     f"WHERE _new AND s.{_q(c)} IS NOT NULL")
    for c in compare:
        old = _text_sql(f"s.{_q('_old_' + c)}", kinds.get(c, "text"))
        val = _text_sql(f"s.{_q(c)}", kinds.get(c, "text"))
        parts.append(f"SELECT 'update', {_lit(table)}, {key_sql}, {_lit(c)}, {old}, {val} FROM {stage} s "
                     f"WHERE NOT _new AND s.{_q(c)} IS DISTINCT FROM s.{_q('_old_' + c)}")
    result.audit_rows = tx.audit_select(" UNION ALL ".join(parts)) if (result.inserted or result.updated) else 0
    # the writes themselves
    if result.updated and compare:
        sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in compare)
        where = " AND ".join(f"{_q(table)}.{_q(k)} = s.{_q(k)}" for k in match_cols)
        cur.execute(f"UPDATE {_q(table)} SET {sets} FROM {stage} s WHERE {where} AND NOT s._new AND s._changed")
    if result.inserted:
        cols = ", ".join(_q(c) for c in write)
        cur.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {stage} WHERE _new")
    if spec.name == "orders" and "promised_date" in present:
        result.extra["promises"] = _promise_history(tx, stage, file)
    if spec.name == "purchase_orders" and "received_qty" in present:
        result.extra["receipts"] = _adjusting_receipts(tx, stage)
    return result


def _promise_history(tx, stage: str, file: str) -> int:
    """A new or changed promised date of an order line appends its promise history (source import)."""
    where = "s.promised_date IS NOT NULL AND (s._new OR s.promised_date IS DISTINCT FROM s._old_promised_date)"
    n = tx.cur.execute(f"SELECT count(*) FROM {stage} s WHERE {where}").fetchone()[0]
    if not n:
        return 0
    tx.writing("promise_history")
    tx.cur.execute(f"CREATE TEMP TABLE _ph_{stage} AS SELECT nextval('seq_promise') AS promise_id, s.line_id, "
                   f"s.promised_date FROM {stage} s WHERE {where}")
    tx.cur.execute(f"INSERT INTO promise_history (promise_id, line_id, promised_date, promised_at, promised_by, "
                   f"source, reason) SELECT promise_id, line_id, promised_date, current_timestamp, ?, 'import', ? "
                   f"FROM _ph_{stage}", [tx.user.username, file])
    tx.audit_select(f"SELECT 'insert' AS action, 'promise_history' AS table_name, CAST(promise_id AS VARCHAR) "
                    f"AS row_key, 'promised_date' AS column_name, NULL AS old_value, CAST(promised_date AS VARCHAR) "
                    f"AS new_value FROM _ph_{stage}")
    tx.cur.execute(f"DROP TABLE _ph_{stage}")
    return int(n)


def _adjusting_receipts(tx, stage: str) -> int:
    """received_qty above what the PO's receipts add up to: one receipt of the difference."""
    sql = (f"SELECT nextval('seq_receipt') AS receipt_id, s.po, s._received_date AS receipt_date, "
           f"s._received_qty - coalesce(r.qty, 0) AS qty FROM {stage} s LEFT JOIN (SELECT po, sum(qty) AS qty "
           f"FROM receipts GROUP BY po) r USING (po) WHERE s._received_qty > coalesce(r.qty, 0) + 1e-9")
    tx.cur.execute(f"CREATE TEMP TABLE _rc_{stage} AS {sql}")
    n = tx.cur.execute(f"SELECT count(*) FROM _rc_{stage}").fetchone()[0]
    if n:
        tx.writing("receipts")
        tx.cur.execute(f"INSERT INTO receipts (receipt_id, po, receipt_date, qty) "
                       f"SELECT receipt_id, po, receipt_date, qty FROM _rc_{stage}")
        parts = [f"SELECT 'insert' AS action, 'receipts' AS table_name, CAST(receipt_id AS VARCHAR) AS row_key, "
                 f"'{c}' AS column_name, NULL AS old_value, {_text_sql(c, k)} AS new_value FROM _rc_{stage}"
                 for c, k in (("receipt_id", "int"), ("po", "text"), ("receipt_date", "date"), ("qty", "num"))]
        tx.audit_select(" UNION ALL ".join(parts))
    tx.cur.execute(f"DROP TABLE _rc_{stage}")
    return int(n)


def _write(tx, table: str, raw: pd.DataFrame, file: str, *, mode: str, valid_only: bool,
           row_numbers=None) -> ImportResult:
    """Validate and upsert one file's rows inside the open transaction `tx`."""
    spec = get_spec(table)
    frame, present, headers = _prepare(spec, raw, file, row_numbers)
    tag = uuid.uuid4().hex[:12]
    try:
        raw_problems, report = _validate(tx.cur, spec, frame, present, headers, file, mode, tag)
        skipped = 0
        if not report.empty:
            if not valid_only:
                raise ImportRejected(_rejection_text(report, file), report)
            bad = sorted(set(int(r) for r in raw_problems["_row"]))
            skipped = len(bad)
            if skipped == len(frame):
                raise ImportRejected(t("io.rejected.no_valid", file=file, problems=len(report)), report)
            tx.cur.execute(f"DELETE FROM _typed_{tag} WHERE _row IN (SELECT UNNEST(?::BIGINT[]))", [bad])
        result = _apply(tx, spec, present, tag, file)
        result.skipped = skipped
        result.extra["problems"] = report
    finally:
        _drop(tx.cur, tag)
    return result


def write_frame(db, user, table: str, raw: pd.DataFrame, file: str, *, source: str | None = None,
                mode: str = "upsert", valid_only: bool = False, row_numbers=None,
                before=None) -> ImportResult:
    """Validate `raw` (text cells, exchange headers) and upsert it in one transaction.

    Any problem refuses the whole file (ImportRejected listing every problem) unless
    `valid_only`, which writes the valid rows and reports the refused ones as skipped.
    `before(tx)` runs first inside the transaction (the editor's conflict check).
    """
    with db.transaction(user, source=source or f"import:{file}") as tx:
        if before is not None:
            before(tx)
        return _write(tx, table, raw, file, mode=mode, valid_only=valid_only, row_numbers=row_numbers)


# master data before what refers to it, so one transaction can bring a whole section up to date
IMPORT_ORDER = ("work_centers", "products", "suppliers", "customers", "materials", "routings", "bom",
                "inventory", "calendar", "npi_projects", "npi_milestones", "drawings", "engineering_changes",
                "improvements", "purchase_orders", "receipts", "price_history", "orders", "order_changes",
                "shipments", "complaints", "production_plan", "production_actual", "variance_notes",
                "downtime", "inspections")


def detect_table(raw: pd.DataFrame, file: str, candidates: list[str]) -> str | None:
    """The table among `candidates` whose columns a file's headers are (by name, English or
    Chinese; every header known, every required column there). Ties: the file name decides."""
    fits = []
    for name in candidates:
        try:
            match_headers(get_spec(name), list(raw.columns), file)
        except ImportRejected:
            continue
        fits.append(name)
    if len(fits) > 1:
        stem = Path(file).stem.lower()
        named = [n for n in fits if n in stem or (get_spec(n).zh and get_spec(n).zh in stem)]
        fits = sorted(named, key=len, reverse=True)[:1] or fits
    return fits[0] if len(fits) == 1 else None


def import_many(db, user, files: list[tuple[str, bytes, str]], *, valid_only: bool = False,
                mode: str = "upsert", dry_run: bool = False) -> list[ImportResult]:
    """Import several files — (table, content, file name) — in ONE transaction, master data
    first: all of them or none. A refusal names every problem of every file."""
    order = {n: i for i, n in enumerate(IMPORT_ORDER)}
    files = sorted(files, key=lambda f: order.get(f[0], len(order)))
    raws, reports = [], []
    for table, data, name in files:
        try:
            raws.append((table, read_file(data, name), name))
        except ImportRejected as e:
            reports.append(e)
    results = []
    with db.transaction(user, source="import:" + ", ".join(n for _, _, n in files)) as tx:
        for table, raw, name in raws:
            tx.source = f"import:{name}"
            try:
                results.append(_write(tx, table, raw, name, mode=mode, valid_only=valid_only))
            except ImportRejected as e:
                reports.append(e)
        if reports:
            raise ImportRejected(" ".join(e.detail for e in reports) + " " + t("io.rejected.all_files"),
                                 _file_problems(reports))
        if dry_run:
            raise _DryRun(results)
    return results


class _DryRun(Exception):
    """Raised inside the transaction to roll a trial import back."""
    def __init__(self, results):
        super().__init__("dry run")
        self.results = results


def _file_problems(reports: list[ImportRejected]) -> pd.DataFrame:
    """Every problem of every refused file; a file refused as a whole gets one row (row 0)."""
    frames = [e.problems if not e.problems.empty else
              pd.DataFrame([{"file": e.where or "", "row": 0, "column": "", "value": "", "reason": e.detail}])
              for e in reports]
    return pd.concat(frames, ignore_index=True)[REPORT_COLUMNS]


def preview_many(db, user, files: list[tuple[str, bytes, str]], *, mode: str = "upsert"
                 ) -> tuple[list[ImportResult], pd.DataFrame]:
    """What import_many would do — results per file, or every problem — tried in a transaction
    that is then rolled back, so files that depend on each other are checked together."""
    try:
        import_many(db, user, files, mode=mode, dry_run=True)
    except _DryRun as d:
        return d.results, pd.DataFrame(columns=REPORT_COLUMNS)
    except ImportRejected as e:
        return [], e.problems
    raise AssertionError("unreachable")


def _rejection_text(report: pd.DataFrame, file: str) -> str:
    first = report.iloc[0]
    return t("io.rejected", file=file, problems=len(report), rows=report["row"].nunique(),
             row=int(first["row"]), column=first["column"], reason=first["reason"])


def import_file(db, user, table: str, data: bytes, file: str, *, valid_only: bool = False,
                mode: str = "upsert") -> ImportResult:
    """Read, validate and import a CSV/XLSX file into `table`: all rows or none (see module doc)."""
    raw = read_file(data, file)
    return write_frame(db, user, table, raw, file, valid_only=valid_only, mode=mode)


def add_record(db, user, table: str, values: dict, *, source: str = "form", mode: str = "insert") -> ImportResult:
    """One record from a form, validated by the same rules as an import (blank = not given).

    mode "insert" refuses a key that exists; "upsert" updates it (e.g. releasing a drawing).
    """
    spec = get_spec(table)
    row = {k: ("" if v is None else _cell_text(v)) for k, v in values.items() if k in spec.names}
    raw = pd.DataFrame([row], dtype=str)
    try:
        return write_frame(db, user, table, raw, "form", source=source, mode=mode, row_numbers=[1])
    except ImportRejected as e:
        if e.problems.empty:
            raise
        lines = [f"{spec.column(r.column).name if r.column in spec.names else r.column}: {r.reason}"
                 for r in e.problems.itertuples()]
        raise ImportRejected("; ".join(lines), e.problems) from None
