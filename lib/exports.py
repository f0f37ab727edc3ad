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
