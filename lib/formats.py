"""How a KPI value is written, the same on a tile, in presenter mode and in the minutes."""
from __future__ import annotations

import pandas as pd

from lib.i18n import get_lang, t


def money(value: float, lang: str | None = None) -> str:
    """An amount short enough to read on a projector: ¥22.0M / ¥2,203万 for millions.

    >>> money(22030890, "en"), money(22030890, "zh"), money(-1234.5, "en")
    ('¥22.0M', '¥2,203万', '-¥1,234')
    """
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1_000_000:
        return f"{sign}¥{v / 10_000:,.0f}万" if (lang or get_lang()) == "zh" else f"{sign}¥{v / 1_000_000:,.1f}M"
    return f"{sign}¥{v:,.0f}"


def fmt_value(value, unit: str, lang: str | None = None) -> str:
    """A KPI value as text: shares as %, counts as integers, hours and days with one decimal
    (days as 天 in Chinese).

    >>> fmt_value(0.9512, "pct"), fmt_value(None, "pct"), fmt_value(12.0, "count"), fmt_value(3.25, "hours")
    ('95.1%', '—', '12', '3.2 h')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if unit == "pct":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{int(round(value)):,}"
    if unit == "money":
        return money(value, lang)
    if unit == "hours":
        return f"{value:,.1f} {t('unit.h', lang)}"
    if unit == "days":
        return f"{value:,.1f} {t('unit.d', lang)}"
    return f"{value:,.2f}"
