"""A KPI value with its target, previous value and red/amber/green status.

Formulas are DESIGN.md's and live with their section (lib.sections.sales.otd, ...); each
function's docstring states its formula, which the UI shows in the tile's help. A KPI whose
denominator is zero is None ("no data"), never a division error.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Kpi:
    key: str                        # i18n key of the name; f"{key}.help" holds the formula
    value: float | None
    target: float | None = None
    previous: float | None = None
    unit: str = "pct"               # pct (a share 0..1), count, hours, money, days
    higher_is_better: bool = True
    note: str | None = None         # a second line, already translated by the caller if needed

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def status(self, band: float = 0.05) -> str:
        """'green' at or better than target, 'amber' within `band` of it, else 'red'; 'none' without data."""
        return rag(self.value, self.target, self.higher_is_better, band)


def rag(value: float | None, target: float | None, higher_is_better: bool = True, band: float = 0.05) -> str:
    """Red/amber/green of a value against its target.

    For shares, `band` is in the same units (0.05 = 5 points); for counts and money it is a
    share of the target (at least 1).

    >>> rag(0.96, 0.95), rag(0.92, 0.95), rag(0.80, 0.95), rag(None, 0.95)
    ('green', 'amber', 'red', 'none')
    >>> rag(3, 5, higher_is_better=False), rag(6, 5, higher_is_better=False), rag(9, 5, higher_is_better=False)
    ('green', 'amber', 'red')
    """
    if value is None or target is None or pd.isna(value):
        return "none"
    margin = band if abs(target) <= 1.5 else max(1.0, abs(target) * band)
    gap = (value - target) if higher_is_better else (target - value)
    if gap >= -1e-12:
        return "green"
    return "amber" if gap >= -margin - 1e-12 else "red"


def ratio(num, den) -> float | None:
    if den is None or pd.isna(den) or den == 0:
        return None
    return float(num or 0) / float(den)
