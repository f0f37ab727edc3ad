"""Applying a checked import: the all-or-nothing upsert by key with audit rows of the changed
columns only (the one bulk write path that forms and the table editor share too), several files
in dependency order, and the dry run behind the Update-data preview."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lib.i18n import get_lang, t
from lib.store.imports.read import cell_text, match_headers, read_file
from lib.store.imports.report import REPORT_COLUMNS, ImportRejected
from lib.store.imports.validate import (
    drop_stage,
    literal,
    prepare,
    qident,
    validate_frame,
)
from lib.store.tables import TableSpec
from lib.store.tables import spec as get_spec


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
        text = t("io.result", table=get_spec(self.table).title(get_lang()), file=self.file, inserted=self.inserted, updated=self.updated,
                 unchanged=self.unchanged, skipped=self.skipped)
        n = self.extra.get("reformatted", 0)
        return text + (" " + t("io.result.reformatted", n=n) if n else "")


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
        sel.append(f"t.{qident(c.name)} AS {qident(c.column)}")
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
    # order + line of a line_ref table are its line_id in the database (operations: order, line, step)
    key_db = list(dict.fromkeys("line_id" if spec.line_ref and k in ("order", "line") else spec.column(k).column
                                for k in spec.key))
    if id_in_file:
        others = [c for c in write if c != id_col]
        same = " AND ".join(f"s.{qident(c)} IS NOT DISTINCT FROM m.{qident(c)}" for c in others) or "TRUE"
        cols = ", ".join(qident(c) for c in others)
        ident = (f"coalesce(s.{qident(id_col)}, m._mid, nextval('{spec.sequence}'))")
        resolve = (f"SELECT s.* REPLACE ({ident} AS {qident(id_col)}) FROM {s1} s LEFT JOIN "
                   f"(SELECT min({qident(id_col)}) AS _mid, {cols} FROM {qident(table)} GROUP BY ALL) m ON {same}")
        if id_col not in write:
            write.insert(0, id_col)
        match_cols = [id_col]
    elif id_col:   # orders: matched on order + line, the id is the stored one or a new one
        on = " AND ".join(f"o.{qident(k)} = s.{qident(k)}" for k in key_db)
        resolve = (f"SELECT s.*, coalesce(o.{qident(id_col)}, nextval('{spec.sequence}')) AS {qident(id_col)} "
                   f"FROM {s1} s LEFT JOIN {qident(table)} o ON {on}")
        write.insert(0, id_col)
        kinds[id_col] = "int"
        match_cols = [id_col]
    else:
        resolve = f"SELECT * FROM {s1}"
        match_cols = key_db
    on = " AND ".join(f"o.{qident(k)} = s.{qident(k)}" for k in match_cols)
    compare = [c for c in write if c not in match_cols and c not in key_db]
    olds = ", ".join(f"o.{qident(c)} AS {qident('_old_' + c)}" for c in compare)
    changed = " OR ".join(f"s.{qident(c)} IS DISTINCT FROM o.{qident(c)}" for c in compare) or "FALSE"
    cur.execute(f"CREATE TEMP TABLE {stage} AS SELECT s.*{', ' + olds if olds else ''}, "
                f"o.{qident(match_cols[0])} IS NULL AS _new, ({changed}) AS _changed "
                f"FROM ({resolve}) s LEFT JOIN {qident(table)} o ON {on}")
    counts = cur.execute(f"SELECT count(*) FILTER (WHERE _new), count(*) FILTER (WHERE NOT _new AND _changed), "
                         f"count(*) FILTER (WHERE NOT _new AND NOT _changed), count(*) FROM {stage}").fetchone()
    result = ImportResult(spec.name, file, int(counts[3]), int(counts[0]), int(counts[1]), int(counts[2]))
    # audit rows: every value of a new row, the changed columns of an updated row
    audit_key = KEYS.get(table, tuple(match_cols))
    key_sql = "concat_ws('|', " + ", ".join(
        f"coalesce({_text_sql('s.' + qident(k), kinds.get(k, 'text'))}, '')" for k in audit_key) + ")"
    parts = []
    for c in write:
        val = _text_sql(f"s.{qident(c)}", kinds.get(c, "text"))
        parts.append(f"SELECT 'insert' AS action, {literal(table)} AS table_name, {key_sql} AS row_key, "
                     f"{literal(c)} AS column_name, NULL AS old_value, {val} AS new_value FROM {stage} s "
                     f"WHERE _new AND s.{qident(c)} IS NOT NULL")
    for c in compare:
        old = _text_sql(f"s.{qident('_old_' + c)}", kinds.get(c, "text"))
        val = _text_sql(f"s.{qident(c)}", kinds.get(c, "text"))
        parts.append(f"SELECT 'update', {literal(table)}, {key_sql}, {literal(c)}, {old}, {val} FROM {stage} s "
                     f"WHERE NOT _new AND s.{qident(c)} IS DISTINCT FROM s.{qident('_old_' + c)}")
    result.audit_rows = tx.audit_select(" UNION ALL ".join(parts)) if (result.inserted or result.updated) else 0
    # the writes themselves
    if result.updated and compare:
        sets = ", ".join(f"{qident(c)} = s.{qident(c)}" for c in compare)
        where = " AND ".join(f"{qident(table)}.{qident(k)} = s.{qident(k)}" for k in match_cols)
        cur.execute(f"UPDATE {qident(table)} SET {sets} FROM {stage} s WHERE {where} AND NOT s._new AND s._changed")
    if result.inserted:
        cols = ", ".join(qident(c) for c in write)
        cur.execute(f"INSERT INTO {qident(table)} ({cols}) SELECT {cols} FROM {stage} WHERE _new")
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
           row_numbers=None, accept_reformatted: bool = False) -> ImportResult:
    """Validate and upsert one file's rows inside the open transaction `tx`."""
    spec = get_spec(table)
    frame, present, headers = prepare(spec, raw, file, row_numbers)
    tag = uuid.uuid4().hex[:12]
    try:
        found = validate_frame(tx.cur, spec, frame, present, headers, file, mode, tag,
                               accept_reformatted=accept_reformatted)
        raw_problems, report = found.raw, found.report
        skipped = 0
        if not report.empty:
            if not valid_only:
                raise ImportRejected(_rejection_text(report, file, found.reformatted), report)
            bad = sorted(set(int(r) for r in raw_problems["_row"]))
            skipped = len(bad)
            if skipped == len(frame):
                raise ImportRejected(t("io.rejected.no_valid", file=file, problems=len(report)), report)
            tx.cur.execute(f"DELETE FROM _typed_{tag} WHERE _row IN (SELECT UNNEST(?::BIGINT[]))", [bad])
        result = _apply(tx, spec, present, tag, file)
        result.skipped = skipped
        result.extra["problems"] = report
        result.extra["reformatted"] = found.reformatted if accept_reformatted else 0
    finally:
        drop_stage(tx.cur, tag)
    return result


def write_frame(db, user, table: str, raw: pd.DataFrame, file: str, *, source: str | None = None,
                mode: str = "upsert", valid_only: bool = False, row_numbers=None,
                before=None, accept_reformatted: bool = False) -> ImportResult:
    """Validate `raw` (text cells, exchange headers) and upsert it in one transaction.

    Any problem refuses the whole file (ImportRejected listing every problem) unless
    `valid_only`, which writes the valid rows and reports the refused ones as skipped.
    A text cell that differs from the stored one only in number formatting (1.50 -> 1.5) is
    such a problem unless `accept_reformatted` (the editor and forms pass it: a person typed it).
    `before(tx)` runs first inside the transaction (the editor's conflict check).
    """
    with db.transaction(user, source=source or f"import:{file}") as tx:
        if before is not None:
            before(tx)
        return _write(tx, table, raw, file, mode=mode, valid_only=valid_only, row_numbers=row_numbers,
                      accept_reformatted=accept_reformatted)


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
                mode: str = "upsert", dry_run: bool = False, accept_reformatted: bool = False) -> list[ImportResult]:
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
                results.append(_write(tx, table, raw, name, mode=mode, valid_only=valid_only,
                                      accept_reformatted=accept_reformatted))
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


def preview_many(db, user, files: list[tuple[str, bytes, str]], *, mode: str = "upsert",
                 accept_reformatted: bool = False) -> tuple[list[ImportResult], pd.DataFrame]:
    """What import_many would do — results per file, or every problem — tried in a transaction
    that is then rolled back, so files that depend on each other are checked together."""
    try:
        import_many(db, user, files, mode=mode, dry_run=True, accept_reformatted=accept_reformatted)
    except _DryRun as d:
        return d.results, pd.DataFrame(columns=REPORT_COLUMNS)
    except ImportRejected as e:
        return [], e.problems
    raise AssertionError("unreachable")


def _rejection_text(report: pd.DataFrame, file: str, reformatted: int = 0) -> str:
    first = report.iloc[0]
    text = t("io.rejected", file=file, problems=len(report), rows=report["row"].nunique(),
             row=int(first["row"]), column=first["column"], reason=first["reason"])
    return text + (" " + t("io.rejected.reformatted", n=reformatted) if reformatted else "")


def import_file(db, user, table: str, data: bytes, file: str, *, valid_only: bool = False,
                mode: str = "upsert", accept_reformatted: bool = False) -> ImportResult:
    """Read, validate and import a CSV/XLSX file into `table`: all rows or none (see module doc)."""
    raw = read_file(data, file)
    return write_frame(db, user, table, raw, file, valid_only=valid_only, mode=mode,
                       accept_reformatted=accept_reformatted)


def add_record(db, user, table: str, values: dict, *, source: str = "form", mode: str = "insert") -> ImportResult:
    """One record from a form, validated by the same rules as an import (blank = not given).

    mode "insert" refuses a key that exists; "upsert" updates it (e.g. releasing a drawing).
    """
    spec = get_spec(table)
    # headed as the form labels its fields, so a refusal names them in the user's language
    lang = get_lang()
    row = {spec.column(k).label(lang): ("" if v is None else cell_text(v)) for k, v in values.items() if k in spec.names}
    raw = pd.DataFrame([row], dtype=str)
    try:
        return write_frame(db, user, table, raw, "form", source=source, mode=mode, row_numbers=[1],
                           accept_reformatted=True)
    except ImportRejected as e:
        if e.problems.empty:
            raise
        lines = [f"{spec.column(r.column).name if r.column in spec.names else r.column}: {r.reason}"
                 for r in e.problems.itertuples()]
        raise ImportRejected("; ".join(lines), e.problems) from None
