"""The shared filters every section applies (period, line, product family, customer, supplier),
and the SQL fragments that apply them. Plain data: pages build a Filters, lib functions take one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class Filters:
    start: date
    end: date                       # inclusive
    lines: tuple[str, ...] = ()     # empty = all
    families: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The period a KPI's 'change vs previous' compares with, pro rata (docs/rules.md):

        a period starting on a Monday moves back by the whole ISO weeks it touches, one starting
        on the 1st by the whole months it touches, so a current period that runs to today is
        compared with the same days of the one before (Monday-Tuesday of week 49 with
        Monday-Tuesday of week 48, not with the weekend before); any other period with the same
        number of days just before it. A period that ends on the last day of a month compares with
        the whole months before (November with all of October, not October 1-30).

        >>> Filters(date(2026, 11, 1), date(2026, 11, 30)).previous().end
        datetime.date(2026, 10, 31)
        >>> Filters(date(2026, 11, 30), date(2026, 12, 1)).previous().start
        datetime.date(2026, 11, 23)
        >>> p = Filters(date(2026, 12, 1), date(2026, 12, 1)).previous(); (p.start, p.end)
        (datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))
        """
        if self.start.weekday() == 0:
            weeks = (self.end - self.start).days // 7 + 1
            shift = timedelta(weeks=weeks)
            return replace(self, start=self.start - shift, end=self.end - shift)
        if self.start.day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            end = _months_back(self.end, months)
            if (self.end + timedelta(days=1)).day == 1:          # a whole month: to its last day
                end = _months_back(self.end + timedelta(days=1), months) - timedelta(days=1)
            return replace(self, start=_months_back(self.start, months), end=end)
        return replace(self, start=self.start - timedelta(days=self.days),
                       end=self.start - timedelta(days=1))


def _months_back(d: date, n: int) -> date:
    """`d` moved back `n` calendar months, the day clipped to the month's length."""
    import calendar
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def default_filters(as_of: date, weeks: int = 4) -> Filters:
    """The last `weeks` full ISO weeks up to as_of's week (inclusive of as_of)."""
    monday = as_of - timedelta(days=as_of.weekday())
    return Filters(start=monday - timedelta(weeks=weeks - 1), end=as_of)


def _in(column: str, values: tuple) -> tuple[str, list]:
    return f" AND {column} IN ({', '.join('?' * len(values))})", list(values)


def product_clause(f: Filters, product_col: str = "product") -> tuple[str, list]:
    """' AND <product_col> IN (products of the chosen families)', or nothing."""
    if not f.families:
        return "", []
    marks = ", ".join("?" * len(f.families))
    return (f" AND {product_col} IN (SELECT product FROM products WHERE family IN ({marks}))",
            list(f.families))


def line_clause(f: Filters, work_center_col: str = "work_center", line_col: str | None = None) -> tuple[str, list]:
    """Restrict to the chosen lines, through a line column or the work center's line."""
    if not f.lines:
        return "", []
    if line_col:
        return _in(line_col, f.lines)
    marks = ", ".join("?" * len(f.lines))
    return (f" AND {work_center_col} IN (SELECT work_center FROM work_centers WHERE line IN ({marks}))",
            list(f.lines))


def customer_clause(f: Filters, col: str = "customer") -> tuple[str, list]:
    return _in(col, f.customers) if f.customers else ("", [])


def supplier_clause(f: Filters, col: str = "supplier") -> tuple[str, list]:
    return _in(col, f.suppliers) if f.suppliers else ("", [])


def combine(*parts: tuple[str, list]) -> tuple[str, list]:
    """Join several (sql, params) clauses into one."""
    return "".join(p[0] for p in parts), [x for p in parts for x in p[1]]
