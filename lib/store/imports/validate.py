"""Checking an import frame against its table spec in DuckDB, set-based: the frame is loaded as text
into a temp table, every column typed with TRY_CAST, and every problem (type, range, date,
reference, duplicate key, rule) comes from one query, with file, row, column, value and reason."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd

from lib.i18n import t
from lib.store.imports.read import match_headers
from lib.store.imports.report import REPORT_COLUMNS
from lib.store.tables import Col, TableSpec
from lib.store.tables import spec as get_spec


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(v) -> str:
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
        return f"CASE WHEN lower({v}) IN ({', '.join(literal(x) for x in c.choices)}) THEN lower({v}) END"
    if c.kind == "bool":
        return (f"CASE WHEN lower({v}) IN ({', '.join(literal(x) for x in _TRUE)}) THEN TRUE "
                f"WHEN lower({v}) IN ({', '.join(literal(x) for x in _FALSE)}) THEN FALSE END")
    raise ValueError(c.kind)


_SQL_TYPE = {"text": "VARCHAR", "num": "DOUBLE", "int": "BIGINT", "date": "DATE", "choice": "VARCHAR",
             "bool": "BOOLEAN"}


def _typed(c: Col, present: bool) -> str:
    if not present:
        return f"CAST({literal(c.default)} AS {_SQL_TYPE[c.kind]})"
    v = f"nullif(trim({qident('_v_' + c.name)}), '')"
    return f"CASE WHEN {v} IS NULL THEN CAST({literal(c.default)} AS {_SQL_TYPE[c.kind]}) ELSE {_parse(c, v)} END"


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


def prepare(spec: TableSpec, raw: pd.DataFrame, file: str, row_numbers=None) -> tuple[pd.DataFrame, list[str], dict]:
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
    cols = ", ".join(f"{_typed(c, c.name in present)} AS {qident(c.name)}" for c in spec.columns)
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
        v = f"nullif(trim(r.{qident('_v_' + c.name)}), '')"
        raw_v = f"r.{qident('_v_' + c.name)}"
        tv = f"t.{qident(c.name)}"
        name = literal(c.name)
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
                         f"(SELECT {qident(rc)} FROM {qident(rt)} WHERE {qident(rc)} IS NOT NULL)")
    if spec.line_ref and "order" in present and "line" in present:
        parts.append(f"SELECT t._row, 'order', concat(t.\"order\", ' / ', t.line), 'line_ref', NULL FROM {typed} t "
                     "WHERE t.\"order\" IS NOT NULL AND t.line IS NOT NULL AND NOT EXISTS (SELECT 1 FROM order_lines o "
                     "WHERE o.order_no = t.\"order\" AND o.line_no = t.line)")
        parts.append(f"SELECT t._row, 'line', CAST(t.line AS VARCHAR), 'line_pair', NULL FROM {typed} t "
                     "WHERE (t.\"order\" IS NULL) <> (t.line IS NULL)")
    if spec.id and spec.id in spec.names and spec.id in present:
        parts.append(f"SELECT t._row, {literal(spec.id)}, CAST(t.{qident(spec.id)} AS VARCHAR), 'unknown_id', NULL "
                     f"FROM {typed} t WHERE t.{qident(spec.id)} IS NOT NULL AND t.{qident(spec.id)} NOT IN "
                     f"(SELECT {qident(spec.id)} FROM {qident(spec.table)})")
    for rule in spec.rules:   # absent columns take their default, as an inserted row would
        parts.append(f"SELECT t._row, {literal(rule.column)}, CAST(t.{qident(rule.column)} AS VARCHAR), "
                     f"'rule.{rule.name}', NULL FROM {typed} t WHERE NOT coalesce(({rule.ok}), TRUE)")
    # duplicate keys within the file (on typed values, so 2026-01-05 and its Excel serial are one key)
    keys = [k for k in spec.key if k in present]
    if len(keys) == len(spec.key):
        kcols = ", ".join(f"t.{qident(k)}" for k in keys)
        notnull = " AND ".join(f"t.{qident(k)} IS NOT NULL" for k in keys)
        keytxt = "concat_ws(' / ', " + ", ".join(f"CAST(t.{qident(k)} AS VARCHAR)" for k in keys) + ")"
        parts.append(f"SELECT _row, {literal(keys[0])}, {keytxt}, 'dup_file', CAST(first AS VARCHAR) FROM ("
                     f"SELECT t._row, {kcols}, min(t._row) OVER (PARTITION BY {kcols}) AS first FROM {typed} t "
                     f"WHERE {notnull}) t WHERE _row > first")
        if mode == "insert":
            match = " AND ".join(f"o.{qident(spec.column(k).column)} = t.{qident(k)}" for k in keys)
            parts.append(f"SELECT t._row, {literal(keys[0])}, {keytxt}, 'exists', NULL FROM {typed} t "
                         f"WHERE EXISTS (SELECT 1 FROM {qident(spec.table)} o WHERE {match})")
    if spec.name == "purchase_orders" and "received_qty" in present:
        parts.append(f"SELECT t._row, 'received_qty', CAST(t.received_qty AS VARCHAR), 'received_less', "
                     f"CAST(r.qty AS VARCHAR) FROM {typed} t JOIN (SELECT po, sum(qty) AS qty FROM receipts "
                     f"GROUP BY po) r USING (po) WHERE t.received_qty < r.qty - 1e-9")
    if not parts:
        return ""
    # name the columns once: a UNION takes its names from its first SELECT, which need not alias them
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS p(_row, col, value, code, extra)"


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


def validate_frame(cur, spec: TableSpec, frame, present, headers, file, mode, tag) -> tuple[pd.DataFrame, pd.DataFrame]:
    _load(cur, spec, frame, present, tag)
    sql = _problem_sql(spec, present, tag, mode)
    raw_problems = cur.execute(sql).df() if sql else pd.DataFrame(columns=["_row", "col", "value", "code", "extra"])
    return raw_problems, _report(spec, raw_problems, file, headers)


def drop_stage(cur, tag: str) -> None:
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
    frame, present, headers = prepare(spec, raw, file, row_numbers)
    tag = uuid.uuid4().hex[:12]
    with db.cursor() as cur:
        try:
            raw_problems, report = validate_frame(cur, spec, frame, present, headers, file, mode, tag)
            preview = cur.execute(f"SELECT * FROM _typed_{tag} ORDER BY _row LIMIT {int(preview_rows)}").df()
        finally:
            drop_stage(cur, tag)
    preview = preview.rename(columns={"_row": "row"})[["row"] + present]
    return Checked(spec, file, len(frame), present, headers, report,
                   bad_rows=raw_problems["_row"].nunique() if len(raw_problems) else 0,
                   preview=preview, _raw=raw)
