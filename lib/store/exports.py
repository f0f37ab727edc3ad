"""Safe exports: no spreadsheet formula can travel in a cell Tandem writes."""
from __future__ import annotations

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    >>> neutralise_text("=1+1"), neutralise_text("-2"), neutralise_text("ok"), neutralise_text(-2)
    ("'=1+1", "'-2", 'ok', -2)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells cannot carry a formula (numbers are left as numbers)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_text)
    return out


# ---------------------------------------------------------------------------- tables in the exchange format

def _find_clause(cols, search: str | None) -> tuple[str, list]:
    """Rows where any text column contains `search` (case-insensitive), or every row."""
    text = [c.name for c in cols if c.kind in ("text", "choice")]
    if not search or not search.strip() or not text:
        return "", []
    joined = ", ".join(f'CAST("{n}" AS VARCHAR)' for n in text)
    literal = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")   # the text as typed
    return f" WHERE concat_ws(' ', {joined}) ILIKE ? ESCAPE '\\'", [f"%{literal}%"]


def export_count(con, table: str, search: str | None = None) -> int:
    """How many rows export_frame(con, table, search=search) has without a limit."""
    from lib.store.tables import spec as get_spec
    s = get_spec(table)
    where, params = _find_clause(s.columns, search)
    return int(con.execute(f"SELECT count(*) FROM ({_export_sql(s)}){where}", params).fetchone()[0])


def _export_sql(s) -> str:
    cols = list(s.columns)
    if s.export_sql:
        return s.export_sql
    if s.line_ref:
        sel = ", ".join('o.order_no AS "order"' if c.name == "order" else
                        "o.line_no AS line" if c.name == "line" else f't."{c.name}"' for c in cols)
        return f"SELECT {sel} FROM {s.table} t LEFT JOIN order_lines o ON o.line_id = t.line_id"
    return f"SELECT {', '.join(chr(34) + c.name + chr(34) for c in cols)} FROM {s.table}"


def export_frame(con, table: str, *, search: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Table `table` in the exchange format (lib.store.tables): its columns, in its order, sorted by key.
    With `search`, only rows whose text columns contain it; with `limit`, the first `limit` rows.

    Dates stay dates and numbers numbers; `csv_bytes` / `xlsx_bytes` neutralise text.
    """
    from lib.store.tables import spec as get_spec
    s = get_spec(table)
    cols = [c for c in s.columns]
    order = s.order_by or ", ".join(f'"{k}"' for k in s.key)
    where, params = _find_clause(cols, search)
    bound = f" LIMIT {int(limit)}" if limit is not None else ""
    df = con.execute(f"SELECT * FROM ({_export_sql(s)}){where} ORDER BY {order}{bound}", params).df()
    df = df[[c.name for c in cols]]
    for c in cols:
        if c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name]).dt.date.astype(object)
            df[c.name] = df[c.name].where(df[c.name].notna(), None)
        elif c.kind == "int":
            df[c.name] = df[c.name].astype("Int64")
    return df


def template_frame(table: str) -> pd.DataFrame:
    """An empty table with the exchange headers of `table`."""
    from lib.store.tables import spec as get_spec
    return pd.DataFrame(columns=get_spec(table).names)


def column_guide(table: str, lang: str = "en") -> pd.DataFrame:
    """One row per exchange column: header, Chinese header, type, required, range, reference."""
    from lib.store.tables import spec as get_spec
    rows = []
    for c in get_spec(table).columns:
        rng = ""
        if c.min is not None or c.max is not None:
            lo = "" if c.min is None else (f"> {c.min:g}" if c.min_open else f">= {c.min:g}")
            hi = "" if c.max is None else f"<= {c.max:g}"
            rng = " and ".join(x for x in (lo, hi) if x)
        rows.append({"column": c.name, "chinese": c.zh, "type": c.kind + (": " + ", ".join(c.choices) if c.choices else ""),
                     "required": "yes" if c.required and c.default is None else "",
                     "default": "" if c.default is None else str(c.default),
                     "range": rng, "reference": f"{c.ref[0]}.{c.ref[1]}" if c.ref else "",
                     "other headers": ", ".join(c.aliases)})
    return pd.DataFrame(rows)


def text_columns(table: str) -> list[str]:
    """The exchange columns of `table` holding text (codes, keys, names): a spreadsheet must keep
    them as text, or 00123 comes back as 123 and 1.50 as 1.5."""
    from lib.store.tables import spec as get_spec
    return [c.name for c in get_spec(table).columns if c.kind == "text"]


def csv_bytes(df: pd.DataFrame, text: list[str] | None = None) -> bytes:
    """CSV as UTF-8 with BOM (Excel on Chinese Windows opens it correctly), formulas neutralised.

    The values of the `text` columns are quoted, so a spreadsheet told to keep quoted fields as
    text (LibreOffice Calc: "Format quoted field as text") keeps their leading zeros.

    >>> csv_bytes(pd.DataFrame({"customer": ["007"], "n": [1]}), text=["customer"]).decode("utf-8-sig").splitlines()
    ['customer,n', '"007",1']
    """
    out = neutralise(df)
    quoted = {i for i, c in enumerate(out.columns) if c in (text or [])}
    if not quoted or out.empty:
        return out.to_csv(index=False).encode("utf-8-sig")
    lines = [out.iloc[:0].to_csv(index=False)]
    body = out.astype(object).where(out.notna(), None)
    for row in body.itertuples(index=False, name=None):
        lines.append(",".join(_field(v, i in quoted) for i, v in enumerate(row)) + "\n")
    return "".join(lines).encode("utf-8-sig")


def _field(v, quote: bool) -> str:
    """One CSV field: quoted when asked to (a text column) or when the value needs it."""
    if v is None:
        return ""
    text = str(v)
    if quote or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def xlsx_bytes(frames: dict[str, pd.DataFrame], text: dict[str, list[str]] | None = None) -> bytes:
    """An Excel workbook of `frames` (sheet name -> table), formulas neutralised.

    The `text` columns of a sheet (sheet name -> columns) are typed as text with number format
    '@', cells and whole column, so Excel and Calc keep 00123 and 1.50 as typed, even in rows added
    later.
    """
    import io

    from openpyxl.utils import get_column_letter
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in frames.items():
            sheet = name[:31] or "Sheet1"
            neutralise(df).to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            for col in (text or {}).get(name, []):
                if col not in df.columns:
                    continue
                letter = get_column_letter(list(df.columns).index(col) + 1)
                ws.column_dimensions[letter].number_format = "@"
                for (cell,) in ws.iter_rows(min_row=2, min_col=list(df.columns).index(col) + 1,
                                            max_col=list(df.columns).index(col) + 1):
                    cell.number_format = "@"
                    if cell.value is not None:
                        cell.value = str(cell.value)
                        cell.data_type = "s"
    return buf.getvalue()


def export_bytes(con, table: str, fmt: str) -> bytes:
    """The whole table in the exchange format as CSV or XLSX bytes (text columns kept as text)."""
    df = export_frame(con, table)
    if fmt == "csv":
        return csv_bytes(df, text_columns(table))
    if fmt == "xlsx":
        return xlsx_bytes({table: df}, {table: text_columns(table)})
    raise ValueError(f"unknown export format {fmt!r}")
