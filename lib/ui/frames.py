"""Tables as a meeting reads them: dates as YYYY-MM-DD, times to the minute, blanks for missing
values (never "None" or "00:00:00"), headers in the user's language. Pure pandas, no streamlit,
so the CSV/Excel downloads carry the same text as the screen."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.i18n import CATALOGS, t


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
