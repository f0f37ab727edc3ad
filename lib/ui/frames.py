"""Tables as a meeting reads them: dates as YYYY-MM-DD, times to the minute, blanks for missing
values (never "None" or "00:00:00"), headers in the user's language. Pure pandas, no streamlit,
so the CSV/Excel downloads carry the same text as the screen."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd


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
