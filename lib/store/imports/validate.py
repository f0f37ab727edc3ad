"""Checking an import frame against its table spec in DuckDB, set-based: the frame is loaded as text
into a temp table, every column typed with TRY_CAST, and every problem (type, range, date,
reference, duplicate key, rule) comes from one query, with file, row, column, value and reason."""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from lib.i18n import get_lang, t
from lib.store.imports.read import match_headers
from lib.store.imports.report import REPORT_COLUMNS
from lib.store.tables import Col, TableSpec, choice_label, choice_spellings
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


@dataclass(frozen=True)
class Rules:
    """What a file's own conventions allow: thousands separators (not in a file whose delimiter
    says its numbers may use a decimal comma) and the Excel serial numbers taken as dates."""
    thousands: bool = True
    serials: tuple[int, int] = (32874, 73415)      # 1990-01-01 .. 2100-12-31

    @classmethod
    def of(cls, delimiter: str | None) -> Rules:
        from lib.store.imports.limits import current
        return cls(thousands=delimiter in (None, ","), serials=current().serial_range)


NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"          # what a number is; DuckDB's cast takes more (1_000)
THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"
COMMA_NUMBER = r"[+-]?\d[\d,]*(\.\d+)?"                      # digits with a comma: 1,500 or 1,5
ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}([ T]00:00(:00(\.0+)?)?)?"
SLASH_DATE = r"\d{4}/\d{1,2}/\d{1,2}([ T]00:00(:00(\.0+)?)?)?"
ZH_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
SERIAL = r"\d{1,7}(\.0+)?"
# control characters, zero-width and bidirectional marks, and spaces that look like none or like one
INVISIBLE = (r"[\x00-\x1f\x7f-\x9f\x{00a0}\x{00ad}\x{2000}-\x{200f}\x{2028}-\x{202f}\x{205f}-\x{2064}"
             r"\x{2066}-\x{2069}\x{3000}\x{feff}]")
KEY_MAX = 64
EXCEL_DAY0 = date(1899, 12, 30)


def _sql_re(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def _parse(c: Col, v: str, rules: Rules = Rules()) -> str:
    """SQL that turns the trimmed text `v` into the column's type, NULL when it cannot."""
    if c.kind == "text":
        return f"CASE WHEN regexp_matches({v}, '^''[=+@\\t\\r-]') THEN substr({v}, 2) ELSE {v} END"
    if c.kind in ("num", "int"):
        clean = (f"CASE WHEN regexp_full_match({v}, {_sql_re(THOUSANDS)}) THEN replace({v}, ',', '') ELSE {v} END"
                 if rules.thousands else v)
        n = f"CASE WHEN regexp_full_match({clean}, {_sql_re(NUMBER)}) THEN TRY_CAST({clean} AS DOUBLE) END"
        if c.kind == "num":
            return f"CASE WHEN isfinite({n}) THEN {n} END"
        return f"CASE WHEN isfinite({n}) AND abs({n}) < 1e15 AND {n} = round({n}) THEN CAST({n} AS BIGINT) END"
    if c.kind == "date":
        lo, hi = rules.serials
        return (f"CASE WHEN regexp_full_match({v}, {_sql_re(ISO_DATE)}) OR regexp_full_match({v}, {_sql_re(SLASH_DATE)}) "
                f"THEN TRY_CAST(replace(regexp_extract({v}, '^[0-9/-]+'), '/', '-') AS DATE) "
                f"WHEN regexp_full_match({v}, {_sql_re(ZH_DATE)}) "
                f"THEN TRY_CAST(replace(replace(replace({v}, '年', '-'), '月', '-'), '日', '') AS DATE) "
                f"WHEN regexp_full_match({v}, {_sql_re(SERIAL)}) AND CAST({v} AS DOUBLE) BETWEEN {lo} AND {hi} "
                f"THEN DATE '1899-12-30' + CAST(CAST({v} AS DOUBLE) AS INTEGER) END")
    if c.kind == "choice":     # the code or its words in either language (tables.choice_spellings)
        spellings = choice_spellings(c)
        return (f"CASE lower({v}) " + " ".join(f"WHEN {literal(w)} THEN {literal(code)}" for w, code in spellings.items())
                + " END")
    if c.kind == "bool":
        return (f"CASE WHEN lower({v}) IN ({', '.join(literal(x) for x in _TRUE)}) THEN TRUE "
                f"WHEN lower({v}) IN ({', '.join(literal(x) for x in _FALSE)}) THEN FALSE END")
    raise ValueError(c.kind)


_SQL_TYPE = {"text": "VARCHAR", "num": "DOUBLE", "int": "BIGINT", "date": "DATE", "choice": "VARCHAR",
             "bool": "BOOLEAN"}


def _typed(c: Col, present: bool, rules: Rules) -> str:
    if not present:
        return f"CAST({literal(c.default)} AS {_SQL_TYPE[c.kind]})"
    v = f"nullif(trim({qident('_v_' + c.name)}), '')"
    return f"CASE WHEN {v} IS NULL THEN CAST({literal(c.default)} AS {_SQL_TYPE[c.kind]}) ELSE {_parse(c, v, rules)} END"


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
    reformatted: int = 0                     # cells differing from the stored ones only in number format

    @property
    def only_reformatted(self) -> bool:
        """Every problem is a reformatted cell: confirming them makes the file importable."""
        return not self.ok and self.reformatted == len(self.problems)

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
    frame.attrs["delimiter"] = raw.attrs.get("delimiter")
    return frame, present, {v: k for k, v in mapping.items()}


def _load(cur, spec: TableSpec, frame: pd.DataFrame, present: list[str], tag: str, rules: Rules) -> str:
    """Create temp table _typed_<tag> (the typed exchange columns + _row) and return its name."""
    raw, typed = f"_raw_{tag}", f"_typed_{tag}"
    cur.register(f"_df_{tag}", frame)
    cur.execute(f"CREATE TEMP TABLE {raw} AS SELECT * FROM _df_{tag}")
    cur.unregister(f"_df_{tag}")
    cols = ", ".join(f"{_typed(c, c.name in present, rules)} AS {qident(c.name)}" for c in spec.columns)
    cur.execute(f"CREATE TEMP TABLE {typed} AS SELECT _row, {cols} FROM {raw}")
    return typed


def _digits_norm(x: str) -> str:
    """A code as a spreadsheet would keep it: all-digit text without its leading zeros."""
    return f"CASE WHEN regexp_full_match({x}, '[0-9]+') THEN ltrim({x}, '0') ELSE {x} END"


def _code_columns(spec: TableSpec) -> list[Col]:
    """Text columns that identify something: the key's and the references'."""
    return [c for c in spec.columns if c.kind == "text" and (c.name in spec.key or c.ref
                                                             or (spec.line_ref and c.name == "order"))]


def _column_problems(c: Col, spec: TableSpec, j: str, rules: Rules) -> list[str]:
    """The problems of one column's values on their own: required, type, date forms, codes."""
    v = f"nullif(trim(r.{qident('_v_' + c.name)}), '')"
    raw_v = f"r.{qident('_v_' + c.name)}"
    tv = f"t.{qident(c.name)}"
    name = literal(c.name)
    parts, not_typed = [], f"{v} IS NOT NULL AND {tv} IS NULL"
    if c.required and c.default is None:
        parts.append(f"SELECT _row, {name}, {raw_v}, 'required', NULL FROM {j} WHERE {v} IS NULL")
    special = "FALSE"
    if c.kind in ("num", "int"):
        special = f"regexp_full_match({v}, {_sql_re(COMMA_NUMBER)}) AND contains({v}, ',')"
        parts.append(f"SELECT _row, {name}, {raw_v}, 'ambiguous_num', NULL FROM {j} WHERE {not_typed} AND {special}")
    if c.kind == "date":
        special = f"regexp_full_match({v}, {_sql_re(SERIAL)})"
        parts.append(f"SELECT _row, {name}, {raw_v}, 'serial_range', NULL FROM {j} WHERE {not_typed} AND {special}")
    parts.append(f"SELECT _row, {name}, {raw_v}, 'bad_{c.kind}', NULL FROM {j} "
                 f"WHERE {not_typed} AND NOT coalesce({special}, FALSE)")
    if c in _code_columns(spec):
        parts.append(f"SELECT _row, {name}, {raw_v}, 'invisible', NULL FROM {j} "
                     f"WHERE regexp_matches({v}, {_sql_re(INVISIBLE)})")
        if c.name in spec.key:
            parts.append(f"SELECT _row, {name}, {raw_v}, 'key_long', NULL FROM {j} WHERE length({v}) > {KEY_MAX}")
    return parts


def _zero_problems(spec: TableSpec, present: list[str], typed: str) -> list[str]:
    """A new key that is a stored key without its leading zeros (or with more): a spreadsheet's doing."""
    if spec.id and spec.id in spec.names:
        return []
    if spec.line_ref and "order" in spec.key:
        return []        # order + line are stored as the line's id: an unknown line is reported as such
    keys = [spec.column(k) for k in spec.key]
    texts = [k for k in keys if k.kind == "text"]
    if not texts or any(k.name not in present for k in keys):
        return []
    table = qident(spec.table)
    exact = " AND ".join(f"o.{qident(k.column)} = t.{qident(k.name)}" for k in keys)
    near = " AND ".join(f"{_digits_norm('o.' + qident(k.column))} = {_digits_norm('t.' + qident(k.name))}"
                        if k.kind == "text" else f"o.{qident(k.column)} = t.{qident(k.name)}" for k in keys)
    stored = "concat_ws(' / ', " + ", ".join(f"CAST(o.{qident(k.column)} AS VARCHAR)" for k in keys) + ")"
    keytxt = "concat_ws(' / ', " + ", ".join(f"CAST(t.{qident(k.name)} AS VARCHAR)" for k in keys) + ")"
    first = texts[0].name
    return [f"SELECT t._row, {literal(first)}, {keytxt}, 'zeros', min({stored}) FROM {typed} t JOIN {table} o ON {near} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE {exact}) GROUP BY t._row, {keytxt}"]


def _reformatted_problems(spec: TableSpec, present: list[str], j: str) -> list[str]:
    """Text cells of a stored row that differ from it only in number formatting (1.50 -> 1.5,
    1E5 -> 100000, 0012 -> 12, TRUE -> True): what a spreadsheet does to text that looks like a
    number. Updates like these need the importer's confirmation."""
    if spec.id and spec.id in spec.names:
        if spec.id not in present:
            return []
        on = f"o.{qident(spec.id)} = t.{qident(spec.id)}"
    elif all(k in present for k in spec.key):
        on = " AND ".join(f"o.{qident(spec.column(k).column)} = t.{qident(k)}" for k in spec.key)
    else:
        return []
    parts = []
    for c in spec.columns:
        if c.kind != "text" or c.name not in present or c.name in spec.key or c.virtual \
                or (spec.line_ref and c.name in ("order", "line")):
            continue
        new, old = f"t.{qident(c.name)}", f"o.{qident(c.column)}"
        same_number = (f"regexp_full_match({new}, {_sql_re(NUMBER)}) AND regexp_full_match({old}, {_sql_re(NUMBER)}) "
                       f"AND TRY_CAST({new} AS DOUBLE) = TRY_CAST({old} AS DOUBLE)")
        same_bool = f"lower({new}) IN ('true', 'false') AND lower({new}) = lower({old})"
        parts.append(f"SELECT t._row, {literal(c.name)}, r.{qident('_v_' + c.name)}, 'reformatted', {old} "
                     f"FROM {j} JOIN {qident(spec.table)} o ON {on} "
                     f"WHERE {new} <> {old} AND (({same_number}) OR ({same_bool}))")
    return parts


def _problem_sql(spec: TableSpec, present: list[str], tag: str, mode: str, rules: Rules = Rules()) -> str:
    """One query of every problem: _row, col, value, code, extra."""
    raw, typed = f"_raw_{tag}", f"_typed_{tag}"
    parts = []
    j = f"{typed} t JOIN {raw} r USING (_row)"
    parts += _zero_problems(spec, present, typed)
    if mode == "upsert":
        parts += _reformatted_problems(spec, present, j)
    for c in spec.columns:
        if c.name not in present:
            continue
        raw_v = f"r.{qident('_v_' + c.name)}"
        tv = f"t.{qident(c.name)}"
        name = literal(c.name)
        parts += _column_problems(c, spec, j, rules)
        if c.min is not None:
            op = "<=" if c.min_open else "<"
            parts.append(f"SELECT _row, {name}, {raw_v}, '{'min_open' if c.min_open else 'min'}', NULL "
                         f"FROM {j} WHERE {tv} {op} {c.min!r}")
        if c.max is not None:
            parts.append(f"SELECT _row, {name}, {raw_v}, 'max', NULL FROM {j} WHERE {tv} > {c.max!r}")
        if c.ref:
            rt, rc = c.ref
            # a reference that is a stored code without its leading zeros says so
            zeros = (f"(SELECT {_digits_norm(qident(rc))} AS n, min({qident(rc)}) AS stored FROM {qident(rt)} "
                     f"WHERE regexp_full_match({qident(rc)}, '[0-9]+') GROUP BY 1)")
            parts.append(f"SELECT t._row, {name}, {raw_v}, CASE WHEN z.stored IS NULL THEN 'ref' ELSE 'ref_zeros' END, "
                         f"z.stored FROM {j} LEFT JOIN {zeros} z ON regexp_full_match({tv}, '[0-9]+') "
                         f"AND z.n = ltrim({tv}, '0') "
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


_INVISIBLE_PY = re.compile("[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u205f-\u2064"
                          "\u2066-\u2069\u3000\ufeff]")


def _invisible(value: str) -> str:
    """The first invisible character of `value`, as U+XXXX and its name."""
    m = _INVISIBLE_PY.search(value)
    if not m:
        return "?"
    ch = m.group(0)
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'CONTROL')}".strip()


def _serial_date(value: str) -> str:
    try:
        return (EXCEL_DAY0 + timedelta(days=int(float(value)))).isoformat()
    except (ValueError, OverflowError):
        return "?"


def _table_title(table: str) -> str:
    """A table named as the user reads it: its Chinese title in zh, its exchange name in en."""
    return get_spec(table).title(get_lang())


def _choices_text(c: Col) -> str:
    """The values a choice column offers as the user writes them: the codes in English, the words
    in Chinese (a file may hold either)."""
    if get_lang() != "zh":
        return ", ".join(c.choices)
    return "、".join(choice_label(c, x) for x in c.choices)


def _reason(spec: TableSpec, code: str, column: str, value, extra, rules: Rules = Rules()) -> str:
    c = spec.column(column) if column in spec.names else None
    value = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    extra = "" if extra is None or (isinstance(extra, float) and pd.isna(extra)) else extra
    if code.startswith("rule."):
        return t(f"io.{code}")
    if code == "serial_range":
        lo, hi = (EXCEL_DAY0 + timedelta(days=d) for d in rules.serials)
        return t("io.reason.serial_range", value=value.strip(), date=_serial_date(value), lo=lo.isoformat(),
                 hi=hi.isoformat())
    if code == "invisible":
        return t("io.reason.invisible", char=_invisible(value))
    if code == "key_long":
        return t("io.reason.key_long", chars=len(value.strip()), limit=KEY_MAX)
    if code in ("zeros", "reformatted"):
        return t(f"io.reason.{code}", value=value.strip(), stored=extra)
    if code == "ref_zeros":
        return t("io.reason.ref_zeros", value=value.strip(), table=_table_title(c.ref[0]), stored=extra)
    if code == "min":
        return t("io.reason.min", min=_fmt_num(c.min))
    if code == "min_open":
        return t("io.reason.min_open", min=_fmt_num(c.min))
    if code == "max":
        return t("io.reason.max", max=_fmt_num(c.max))
    if code == "bad_choice":
        return t("io.reason.bad_choice", value=value, choices=_choices_text(c))
    if code == "ref":
        return t("io.reason.ref", value=value, table=_table_title(c.ref[0]))
    if code == "dup_file":
        return t("io.reason.dup_file", value=value, row=extra)
    if code == "received_less":
        return t("io.reason.received_less", value=value, received=_fmt_num(extra))
    if code == "unknown_id":
        return t("io.reason.unknown_id", value=value, table=_table_title(spec.table))
    return t(f"io.reason.{code}", value=value)


def _report(spec: TableSpec, df: pd.DataFrame, file: str, headers: dict[str, str], rules: Rules = Rules()
            ) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    df = df.sort_values(["_row", "col"], kind="stable").reset_index(drop=True)
    # report a whole-row problem only once per cell
    df = df.drop_duplicates(["_row", "col", "code"])
    reasons = [_reason(spec, code, col, val, ex, rules) for code, col, val, ex in
               zip(df["code"], df["col"], df["value"], df["extra"])]
    return pd.DataFrame({"file": file, "row": df["_row"].astype("int64").to_numpy(),
                         "column": [headers.get(c) or (spec.column(c).label(get_lang()) if c in spec.names else c)
                                    for c in df["col"]],
                         "value": df["value"].astype(object).where(df["value"].notna(), "").astype(str).to_numpy(),
                         "reason": reasons})


@dataclass
class Found:
    """What validation found: the raw problems (_row, col, value, code, extra), the report, and
    how many cells differ from the stored ones only in number formatting."""
    raw: pd.DataFrame
    report: pd.DataFrame
    reformatted: int = 0


def validate_frame(cur, spec: TableSpec, frame, present, headers, file, mode, tag, *,
                   accept_reformatted: bool = False) -> Found:
    """Load `frame` as _typed_<tag> and find every problem. Reformatted cells (1.50 -> 1.5) are
    problems unless `accept_reformatted`; either way they are counted."""
    rules = Rules.of(frame.attrs.get("delimiter"))
    _load(cur, spec, frame, present, tag, rules)
    sql = _problem_sql(spec, present, tag, mode, rules)
    raw = cur.execute(sql).df() if sql else pd.DataFrame(columns=["_row", "col", "value", "code", "extra"])
    reformatted = int((raw["code"] == "reformatted").sum()) if len(raw) else 0
    if accept_reformatted and reformatted:
        raw = raw[raw["code"] != "reformatted"].reset_index(drop=True)
    return Found(raw, _report(spec, raw, file, headers, rules), reformatted)


def drop_stage(cur, tag: str) -> None:
    """Drop the temp tables of one import (after a failed statement the rollback drops them)."""
    import duckdb
    try:
        for name in (f"_raw_{tag}", f"_typed_{tag}", f"_s1_{tag}", f"_stage_{tag}"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    except duckdb.Error:
        pass


def check(db, table: str, raw: pd.DataFrame, file: str, *, mode: str = "upsert",
          preview_rows: int = 20, row_numbers=None, accept_reformatted: bool = False) -> Checked:
    """Validate a file's rows against the table spec and the database; write nothing."""
    spec = get_spec(table)
    frame, present, headers = prepare(spec, raw, file, row_numbers)
    tag = uuid.uuid4().hex[:12]
    with db.cursor() as cur:
        try:
            found = validate_frame(cur, spec, frame, present, headers, file, mode, tag,
                                   accept_reformatted=accept_reformatted)
            preview = cur.execute(f"SELECT * FROM _typed_{tag} ORDER BY _row LIMIT {int(preview_rows)}").df()
        finally:
            drop_stage(cur, tag)
    preview = preview.rename(columns={"_row": "row"})[["row"] + present]
    return Checked(spec, file, len(frame), present, headers, found.report,
                   bad_rows=found.raw["_row"].nunique() if len(found.raw) else 0,
                   preview=preview, _raw=raw, reformatted=found.reformatted)
