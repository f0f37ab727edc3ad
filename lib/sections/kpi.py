"""A KPI value with its target, previous value, period and status: the one status rule.

Formulas are DESIGN.md's and live with their section (lib.sections.sales.otd, ...); each
function's docstring states its formula, which the UI shows in the tile's help. A KPI whose
denominator is zero is None ("no data"), never a division error.

The status rule (docs/rules.md, "Status colours"), used by the tiles, presenter mode, the
minutes and `python -m lib kpis`:

* no value or no target: no colour (``none``);
* at or better than the target: green; within the amber band of it: amber; else red;
* a KPI whose detail names an overdue item (``overdue`` > 0: a milestone, drawing, countermeasure
  not done by its date) is never green: at best amber. "NPI milestones on time 100 %" with
  "1 overdue now" beside it is amber, because the room has something to chase.

A KPI measured over a period carries it (``period_start``, ``period_end``) and ``partial`` when
the period is not complete as of the date (it runs to today); a KPI that is a state (open
complaints, lines projected late, peak load ahead) has no period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

STATUS_CODES = {"green": "ok", "amber": "warn", "red": "bad", "none": "none"}   # `kpis` output


@dataclass(frozen=True)
class Kpi:
    key: str                        # i18n key of the name; f"{key}.help" holds the formula
    value: float | None
    target: float | None = None
    previous: float | None = None
    unit: str = "pct"               # pct (a share 0..1), count, hours, money, days, ratio
    higher_is_better: bool = True
    note: str | None = None         # the detail line, already translated ("1 overdue now")
    overdue: int = 0                # overdue items the detail names: never green while > 0
    period_start: date | None = None
    period_end: date | None = None  # inclusive; None for a state ("as of today")
    partial: bool = False           # the period runs to today: the figure is "to date"

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None or pd.isna(self.value) or pd.isna(self.previous):
            return None
        return self.value - self.previous

    def status(self, band: float = 0.05) -> str:
        """'green', 'amber', 'red' or 'none' by the module's rule."""
        return status(self.value, self.target, self.higher_is_better, band, self.overdue)

    def code(self, band: float = 0.05) -> str:
        """The status as `python -m lib kpis` writes it: ok, warn, bad or none."""
        return STATUS_CODES[self.status(band)]


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


def status(value, target, higher_is_better: bool = True, band: float = 0.05, overdue: int = 0) -> str:
    """The one status rule: `rag`, and never green while the detail names an overdue item.

    >>> status(1.0, 0.9, overdue=1), status(1.0, 0.9), status(0.5, 0.9, overdue=1), status(None, 0.9, overdue=1)
    ('amber', 'green', 'red', 'none')
    """
    colour = rag(value, target, higher_is_better, band)
    return "amber" if colour == "green" and overdue else colour


def period(f, as_of: date) -> dict:
    """The period fields of a KPI measured over the filters' period: start, end and whether it
    runs to today (as_of's own day is not over, so a period ending on or after it is partial).

    >>> from lib.filters import Filters
    >>> period(Filters(date(2026, 11, 2), date(2026, 11, 25)), date(2026, 11, 25))["partial"]
    True
    """
    return {"period_start": f.start, "period_end": f.end, "partial": f.end >= as_of}


def ratio(num, den) -> float | None:
    if den is None or pd.isna(den) or den == 0:
        return None
    return float(num or 0) / float(den)
