"""Tables as a meeting reads them: dates as YYYY-MM-DD, times to the minute, blanks for missing
values (never "None" or "00:00:00"), headers in the user's language. Pure pandas, no streamlit,
so the CSV/Excel downloads carry the same text as the screen."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.i18n import CATALOGS, get_lang, t


def _fmt(v, pattern: str) -> str:
    if v is None or (not isinstance(v, (date, datetime)) and pd.isna(v)):
        return ""
    if isinstance(v, str):
        return v
    ts = pd.Timestamp(v)
    return "" if pd.isna(ts) else ts.strftime(pattern)


def for_screen(df: pd.DataFrame, headers: dict[str, str] | None = None, *, dates=(), stamps=(),
               blanks=()) -> pd.DataFrame:
    """A copy of `df` with `dates` as 'YYYY-MM-DD', `stamps` as 'YYYY-MM-DD HH:MM', missing
    values of `blanks` as '', then columns renamed by `headers` (only those named are kept, in
    that order, when `headers` is given).

    >>> df = pd.DataFrame({"d": [pd.Timestamp("2027-01-02"), None], "n": ["a", None]})
    >>> for_screen(df, {"d": "Due", "n": "Note"}, dates=["d"], blanks=["n"]).values.tolist()
    [['2027-01-02', 'a'], ['', '']]
    """
    out = df.copy()
    for c in dates:
        if c in out:
            out[c] = [_fmt(v, "%Y-%m-%d") for v in out[c]]
    for c in stamps:
        if c in out:
            out[c] = [_fmt(v, "%Y-%m-%d %H:%M") for v in out[c]]
    for c in blanks:
        if c in out:
            out[c] = ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in out[c]]
    if headers is not None:
        out = out[[c for c in headers if c in out]].rename(columns=headers)
    return out


def plain_dates(df: pd.DataFrame) -> pd.DataFrame:
    """Date-time columns that hold only dates shown as dates (2026-11-02, not 2026-11-02 00:00:00);
    `df` itself is not changed.

    >>> plain_dates(pd.DataFrame({"d": pd.to_datetime(["2026-11-02"])}))["d"].tolist()
    [datetime.date(2026, 11, 2)]
    """
    out = df
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col) and (col.dropna() == col.dropna().dt.normalize()).all():
            if out is df:
                out = df.copy()
            out[c] = col.dt.date
    return out


def header(column, prefix: str):
    """`t(f"{prefix}.{column}")` where the catalog has that key, else the column as it is.

    >>> from lib.i18n import set_lang; set_lang("en"); header("cum_plan", "col"), header("Hours", "col")
    ('Cumulative plan', 'Hours')
    """
    key = f"{prefix}.{column}"
    return t(key) if isinstance(column, str) and key in CATALOGS["en"] else column


def translated_headers(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """`df` with each column named by `header(column, prefix)` (lib's snake_case names in the
    user's language)."""
    return df.rename(columns=lambda c: header(c, prefix))


def translated(values: pd.Series, prefix: str) -> pd.Series:
    """`t(prefix + value)` per row, translated once per distinct value (lists of thousands)."""
    return values.map({v: t(f"{prefix}{v}") for v in values.dropna().unique()})


# ---------------------------------------------------------------------------- stored codes in words
# lib columns holding stored codes, and the catalogue prefix naming their values. Choice columns
# of the exchange format read as forms show them (io.value.*, cause.*: lib.store.tables.choice_label);
# a page whose column means something else (an action's status) translates it before drawing.
CODE_PREFIXES = {
    "status": "io.value.", "source": "io.value.", "kind": "io.value.", "stage": "io.value.",
    "result": "io.value.", "severity": "io.value.", "category": "io.value.", "direction": "io.value.",
    "cause_category": "cause.", "department": "dept.", "owner_department": "dept.",
    "section": "meeting.section.", "role": "auth.role.", "band": "capacity.band.",
    "review_status": "review.line_status.",
    # an order change's or an audit row's old and new value: a status code is put in words too
    "old_value": "io.value.", "new_value": "io.value.",
}


def code_label(value, prefix: str):
    """`t(prefix + value)` where the catalogue has that key; any other value as it is.

    >>> from lib.i18n import set_lang; set_lang("zh"); code_label("in_process", "io.value."), code_label("X-1", "io.value.")
    ('制程检验', 'X-1')
    >>> set_lang("en")
    """
    if not isinstance(value, str) or f"{prefix}{value}" not in CATALOGS["en"]:
        return value
    return t(f"{prefix}{value}")


def translated_codes(df: pd.DataFrame, prefixes: dict[str, str] | None = None) -> pd.DataFrame:
    """`df` (lib's column names) with the values of its code columns in words: CODE_PREFIXES, or
    `prefixes` (column -> catalogue prefix) for columns whose codes mean something else. Values
    the catalogue does not name (free text, a computed label) stay as they are.

    >>> from lib.i18n import set_lang; set_lang("en")
    >>> view = translated_codes(pd.DataFrame({"status": ["open", "X"], "note": ["open", "x"]}))
    >>> view["status"].tolist(), view["note"].tolist()
    (['Open', 'X'], ['open', 'x'])
    """
    mapping = {**CODE_PREFIXES, **(prefixes or {})}
    cols = [c for c in df.columns if isinstance(c, str) and c in mapping
            and (pd.api.types.is_object_dtype(df[c]) or pd.api.types.is_string_dtype(df[c]))]
    if not cols:
        return df
    out = df.copy()
    for c in cols:
        words = {v: code_label(v, mapping[c]) for v in out[c].dropna().unique() if isinstance(v, str)}
        out[c] = [words.get(v, v) if isinstance(v, str) else v for v in out[c]]
    return out



# ---------------------------------------------------------------------------- names of the store's parts
def source_label(source) -> str:
    """Where a change came from (audit_log.source, section_updates.source) in words: 'import:a.csv'
    -> 'Import: a.csv'; a source without words (a newer one) as it is.

    >>> from lib.i18n import set_lang; set_lang("en"); source_label("import:orders.csv"), source_label("demo")
    ('Import: orders.csv', 'Demo data')
    """
    if not isinstance(source, str) or not source:
        return ""
    if source.startswith("import:"):
        return t("audit.source.import", file=source[len("import:"):])
    return code_label(source, "audit.source.")


def table_title(table) -> str:
    """A database table as the user knows it: the exchange format's title, else its name in words.

    >>> from lib.i18n import set_lang; set_lang("zh"); table_title("order_lines"), table_title("users")
    ('订单', '用户')
    >>> set_lang("en")
    """
    from lib.store.tables import SPECS
    for spec in SPECS:
        if table in (spec.table, spec.name):
            return spec.title(get_lang())
    return code_label(table, "audit.table.")


def column_title(table, column) -> str:
    """A stored column as the user knows it: its exchange header in the user's language, else its name."""
    from lib.store.tables import SPECS
    if not isinstance(column, str):
        return column
    for spec in SPECS:
        if table in (spec.table, spec.name):
            for c in spec.columns:
                if column in (c.name, c.column):
                    return c.label(get_lang())
    return code_label(column, "audit.column.")


def stored_value(value):
    """An audited old or new value as shown: a hidden one (a password) says so in words."""
    from lib.store.db import _SECRET_MARK
    return t("audit.secret") if value == _SECRET_MARK else value
