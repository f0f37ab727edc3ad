"""KPI values with their targets and red/amber/green status, and the Overview's headline KPIs.

Formulas are DESIGN.md's; each function's docstring states its formula, which the UI shows
in the tile's help. A KPI whose denominator is zero is None ("no data"), never a division error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from lib import settings
from lib.filters import Filters, combine, customer_clause, line_clause, product_clause


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


def _ratio(num, den) -> float | None:
    if den is None or pd.isna(den) or den == 0:
        return None
    return float(num or 0) / float(den)


def otd(con, f: Filters, basis: str = "latest") -> float | None:
    """OTD: lines shipped on or before the committed date / lines shipped.

    A line counts in the period of its last shipment. Committed date: the latest promise
    (order_lines.promised_date) or, with basis='original', the first promise ever given
    (promise_history); a line never promised is measured against its requested date.
    """
    if basis not in ("latest", "original"):
        raise ValueError("basis is 'latest' or 'original'")
    where, params = combine(product_clause(f, "o.product"), customer_clause(f, "o.customer"))
    committed = ("coalesce(o.promised_date, o.requested_date)" if basis == "latest" else
                 "coalesce(first.promised_date, o.promised_date, o.requested_date)")
    row = con.execute(f"""
        WITH last_ship AS (
            SELECT line_id, max(ship_date) AS ship_date FROM shipments GROUP BY line_id),
        first AS (
            SELECT line_id, arg_min(promised_date, promised_at) AS promised_date
            FROM promise_history GROUP BY line_id)
        SELECT count(*) FILTER (WHERE s.ship_date <= {committed}) AS on_time, count(*) AS shipped
        FROM order_lines o JOIN last_ship s USING (line_id) LEFT JOIN first USING (line_id)
        WHERE s.ship_date BETWEEN ? AND ? AND o.status <> 'cancelled' {where}
    """, [f.start, f.end, *params]).fetchone()
    return _ratio(row[0], row[1])


def plan_achievement(con, f: Filters) -> float | None:
    """Plan achievement: actual good output / planned output in the period (None without a plan)."""
    where, params = combine(line_clause(f), product_clause(f))
    plan = con.execute(f"SELECT sum(qty) FROM production_plan WHERE date BETWEEN ? AND ? {where}",
                       [f.start, f.end, *params]).fetchone()[0]
    actual = con.execute(f"SELECT sum(qty_good) FROM production_actual WHERE date BETWEEN ? AND ? {where}",
                         [f.start, f.end, *params]).fetchone()[0]
    return _ratio(actual, plan)


def action_counts(con, as_of: date) -> tuple[int, int]:
    """(open actions, of which overdue): not done/verified/cancelled; overdue = due before as_of."""
    row = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE due_date < ?)
        FROM action_items WHERE status IN ('open', 'in_progress')""", [as_of]).fetchone()
    return int(row[0]), int(row[1])


def open_complaints(con, f: Filters | None = None) -> int:
    """Customer complaints not closed."""
    where, params = customer_clause(f) if f else ("", [])
    return int(con.execute(f"SELECT count(*) FROM complaints WHERE status <> 'closed' {where}", params).fetchone()[0])


def readiness(con, as_of: date) -> pd.DataFrame:
    """Per section: last updated at/by and whether it is stale (older than the stale_days setting)."""
    stale_days = settings.get("stale_days", con)
    return con.execute("""
        SELECT s.section, u.updated_at, coalesce(us.display_name, u.updated_by) AS updated_by,
               CASE WHEN u.updated_at IS NULL THEN NULL
                    ELSE date_diff('day', CAST(u.updated_at AS DATE), CAST(? AS DATE)) END AS days_ago,
               (u.updated_at IS NULL OR date_diff('day', CAST(u.updated_at AS DATE), CAST(? AS DATE)) > ?) AS stale
        FROM (VALUES ('sales', 1), ('pmc', 2), ('purchasing', 3), ('quality', 4), ('engineering', 5)) s(section, ord)
        LEFT JOIN section_updates u USING (section)
        LEFT JOIN users us ON us.username = u.updated_by
        ORDER BY s.ord""", [as_of, as_of, stale_days]).df()


def peak_load_kpi(con, as_of: date) -> Kpi:
    """Peak work-center load: the highest weekly load hours / capacity hours of any work center
    over the coming `load_weeks` weeks; the note names the work center and the ISO week."""
    from lib.plan import capacity
    peak = capacity.peak_load(con, as_of)
    return Kpi("kpi.peak_load", None if peak is None else peak[2], settings.get("target_peak_load", con),
               None, unit="pct", higher_is_better=False,
               note=None if peak is None else f"{peak[0]} · {peak[1]}")


def headline(con, f: Filters, as_of: date) -> list[Kpi]:
    """The KPIs the coordination meeting opens with, with targets and the previous period."""
    prev = f.previous()
    open_n, overdue_n = action_counts(con, as_of)
    kpis = [
        Kpi("kpi.otd", otd(con, f), settings.get("target_otd", con), otd(con, prev)),
        Kpi("kpi.plan_achievement", plan_achievement(con, f), settings.get("target_plan_achievement", con),
            plan_achievement(con, prev)),
        peak_load_kpi(con, as_of),
        Kpi("kpi.open_actions", open_n, None, None, unit="count", higher_is_better=False),
        Kpi("kpi.overdue_actions", overdue_n, 0, None, unit="count", higher_is_better=False),
        Kpi("kpi.open_complaints", open_complaints(con, f), settings.get("target_open_complaints", con),
            None, unit="count", higher_is_better=False),
    ]
    return kpis


def otif(con, f: Filters, as_of: date | None = None) -> float | None:
    """OTIF: lines due in the period that were shipped on time and in full / lines due.

    A line is due on its committed date (latest promise, else requested date); lines due on or
    after as_of are not judged yet (they can still ship today). On time in full: the qty
    shipped on or before the committed date covers the line's qty. Cancelled lines are not due.
    """
    where, params = combine(product_clause(f, "o.product"), customer_clause(f, "o.customer"))
    committed = "coalesce(o.promised_date, o.requested_date)"
    end = min(f.end, as_of - timedelta(days=1)) if as_of else f.end
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE coalesce(s.qty, 0) >= o.qty), count(*)
        FROM order_lines o
        LEFT JOIN LATERAL (SELECT sum(qty) AS qty FROM shipments s
                           WHERE s.line_id = o.line_id AND s.ship_date <= {committed}) s ON TRUE
        WHERE o.status <> 'cancelled' AND {committed} BETWEEN ? AND ? {where}
    """, [f.start, end, *params]).fetchone()
    return _ratio(row[0], row[1])


def supplier_on_time(con, f: Filters, as_of: date | None = None) -> float | None:
    """Supplier on-time: qty received by the due date / qty due (lib.sections.purchasing.supplier_otd,
    the one definition the Purchasing page shows too)."""
    from lib.sections import purchasing
    return purchasing.supplier_otd(con, f, as_of or f.end + timedelta(days=1))


def first_pass_yield(con, f: Filters) -> float | None:
    """First-pass yield in process and final together (lib.sections.quality.first_pass_yield)."""
    from lib.sections import quality
    return quality.first_pass_yield(con, f)


def drawing_on_time(con, f: Filters, as_of: date | None = None) -> float | None:
    """Drawing release on time (lib.sections.engineering.drawing_ontime)."""
    from lib.sections import engineering
    return engineering.drawing_ontime(con, f, as_of or f.end)


def section_headlines(con, f: Filters, as_of: date) -> dict[str, Kpi]:
    """The headline KPI of each meeting section, for the Overview (department -> Kpi)."""
    prev = f.previous()
    g = lambda key: settings.get(key, con)  # noqa: E731
    return {
        "sales": Kpi("kpi.otd", otd(con, f), g("target_otd"), otd(con, prev)),
        "pmc": Kpi("kpi.plan_achievement", plan_achievement(con, f), g("target_plan_achievement"),
                   plan_achievement(con, prev)),
        "purchasing": Kpi("kpi.supplier_otd", supplier_on_time(con, f, as_of), g("target_supplier_otd"),
                          supplier_on_time(con, prev, as_of)),
        "quality": Kpi("kpi.fpy", first_pass_yield(con, f), g("target_fpy"), first_pass_yield(con, prev)),
        "engineering": Kpi("kpi.drawing_ontime", drawing_on_time(con, f, as_of), g("target_drawing_ontime"),
                           drawing_on_time(con, prev, as_of)),
    }
