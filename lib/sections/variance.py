"""The monthly variance review: four variances, each as a trend, a ranking of the worst, and
the records behind any bar.

    kind       fact rows (one per ...)                  measures                       worst by
    output     plan/actual per date x work center x     plan, actual, gap = actual -   line, work_center, product
               product                                  plan, achievement
    delivery   shipped line (date = last shipment)      lines, late lines, days late   customer, product
               vs its latest committed date             (sum), late share
    price      goods receipt vs the material's          qty, variance = (PO price -    supplier, material
               standard price                           std) x received qty
    yield      first in-process/final inspection        inspected, defective, fpy =    line, work_center, product
                                                        1 - defective / inspected
    incoming   first incoming inspection                as yield                       supplier, material

`trend(con, kind, f, grain)`, `worst(con, kind, f, by)` and `records(con, kind, f, by, name,
bucket, grain)` share one fact query per kind, so a bar's records always add up to the bar.
"Worst" is the largest shortfall, late lines, price variance or defective qty.
The line and family filters apply where the facts have a line or product; the supplier filter
where they have a supplier; the customer filter to deliveries.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.filters import (
    Filters,
    combine,
    customer_clause,
    line_clause,
    product_clause,
    supplier_clause,
)
from lib.periods import bucket_sql, label_sql
from lib.sections import pmc, quality, sales
from lib.sections.kpi import Kpi, period


@dataclass(frozen=True)
class Spec:
    facts: str                     # SQL with columns date, dims..., measures
    measures: str                  # aggregate SELECT list over the facts
    badness: str                   # aggregate: larger = worse
    dims: tuple[str, ...]
    order: str                     # record order


_OUTPUT = """
    SELECT x.date, wc.line, x.work_center, x.product, p.family, sum(x.plan) AS plan, sum(x.actual) AS actual
    FROM (SELECT date, work_center, product, qty AS plan, 0 AS actual FROM production_plan /*period*/
          UNION ALL SELECT date, work_center, product, 0, qty_good FROM production_actual /*period*/) x
    LEFT JOIN work_centers wc USING (work_center) LEFT JOIN products p USING (product)
    GROUP BY ALL"""

_DELIVERY = """
    SELECT s.ship_date AS date, o.customer, o.product, p.family, o.order_no, o.line_no, o.qty,
           coalesce(o.promised_date, o.requested_date) AS committed_date,
           greatest(date_diff('day', coalesce(o.promised_date, o.requested_date), s.ship_date), 0) AS days_late,
           CAST(s.ship_date > coalesce(o.promised_date, o.requested_date) AS INTEGER) AS late
    FROM order_lines o JOIN (SELECT line_id, max(ship_date) AS ship_date FROM shipments GROUP BY 1) s USING (line_id)
    LEFT JOIN products p USING (product)
    WHERE o.status <> 'cancelled'"""

_PRICE = """
    SELECT r.receipt_date AS date, po.supplier, po.material, po.po, r.qty, po.unit_price, m.std_price,
           (po.unit_price - m.std_price) * r.qty AS variance
    FROM receipts r JOIN purchase_orders po USING (po) JOIN materials m USING (material)"""

_YIELD = """
    SELECT i.date, i.stage, i.line, i.work_center, i.product, p.family, i.lot,
           i.qty_inspected, i.qty_defective, i.defect_type, i.result
    FROM inspections i LEFT JOIN products p USING (product)
    WHERE i.first_pass AND i.stage IN ('in_process', 'final')"""

_INCOMING = """
    SELECT i.date, i.supplier, i.material, i.po, i.lot, i.qty_inspected, i.qty_defective, i.defect_type, i.result
    FROM inspections i
    WHERE i.first_pass AND i.stage = 'incoming'"""

SPECS: dict[str, Spec] = {
    "output": Spec(_OUTPUT, "sum(plan) AS plan, sum(actual) AS actual, sum(actual) - sum(plan) AS gap, "
                            "sum(actual) / nullif(sum(plan), 0) AS achievement",
                   "sum(plan) - sum(actual)", ("line", "work_center", "product"), "date, work_center, product"),
    "delivery": Spec(_DELIVERY, "count(*) AS lines, sum(late) AS late_lines, sum(days_late) AS days_late, "
                                "sum(late) / count(*) AS late_share",
                     "sum(late)", ("customer", "product"), "days_late DESC, date, order_no, line_no"),
    "price": Spec(_PRICE, "sum(qty) AS qty, sum(variance) AS variance, "
                          "sum(variance) / nullif(sum(std_price * qty), 0) AS variance_share",
                  "sum(variance)", ("supplier", "material"), "variance DESC, date, po"),
    "yield": Spec(_YIELD, "sum(qty_inspected) AS inspected, sum(qty_defective) AS defective, "
                          "1 - sum(qty_defective) / sum(qty_inspected) AS fpy",
                  "sum(qty_defective)", ("line", "work_center", "product"), "qty_defective DESC, date, lot"),
    "incoming": Spec(_INCOMING, "sum(qty_inspected) AS inspected, sum(qty_defective) AS defective, "
                                "1 - sum(qty_defective) / sum(qty_inspected) AS fpy",
                     "sum(qty_defective)", ("supplier", "material"), "qty_defective DESC, date, lot"),
}


def _spec(kind: str) -> Spec:
    if kind not in SPECS:
        raise ValueError(f"kind is one of {tuple(SPECS)}, not {kind!r}")
    return SPECS[kind]


def _facts(s: "Spec", f: Filters) -> str:
    """The spec's facts with the period cut where it marks /*period*/: before 5M plan/actual
    rows are grouped (the outer filter is not pushed through the union and the grouping).
    The dates are `date` values written as SQL literals, never text from a user."""
    period = (f"WHERE date BETWEEN DATE '{pd.Timestamp(f.start).date().isoformat()}' "
              f"AND DATE '{pd.Timestamp(f.end).date().isoformat()}'")
    return s.facts.replace("/*period*/", period)


def _filters(kind: str, f: Filters) -> tuple[str, list]:
    parts = [("AND v.date BETWEEN ? AND ?", [f.start, f.end])]
    if kind in ("output",):
        parts.append(line_clause(f, line_col="v.line"))
    if kind == "yield":
        parts.append(line_clause(f, line_col="v.line"))
    if kind in ("output", "delivery", "yield") and f.families:
        parts.append(product_clause(f, "v.product"))
    if kind == "delivery":
        parts.append(customer_clause(f, "v.customer"))
    if kind in ("price", "incoming") and f.suppliers:
        parts.append(supplier_clause(f, "v.supplier"))
    return combine(*parts)


def trend(con, kind: str, f: Filters, grain: str = "week") -> pd.DataFrame:
    """The variance per bucket (day, week or month) over the period."""
    s = _spec(kind)
    where, params = _filters(kind, f)
    b = bucket_sql(grain, "v.date")
    return con.execute(f"""
        SELECT {b} AS bucket, {label_sql(grain, b)} AS label, {s.measures}
        FROM ({_facts(s, f)}) v WHERE TRUE {where}
        GROUP BY 1, 2 ORDER BY bucket""", params).df()


def worst(con, kind: str, f: Filters, by: str, top: int | None = None) -> pd.DataFrame:
    """The variance per `by` (line, product, customer, supplier, ...) over the period, worst
    first (ties by name); `badness` is the ranking figure. Rows without a name are left out."""
    s = _spec(kind)
    if by not in s.dims:
        raise ValueError(f"{kind} can be ranked by {s.dims}, not {by!r}")
    where, params = _filters(kind, f)
    limit = f"LIMIT {int(top)}" if top else ""
    return con.execute(f"""
        SELECT v.{by} AS name, {s.measures}, {s.badness} AS badness
        FROM ({_facts(s, f)}) v WHERE v.{by} IS NOT NULL {where}
        GROUP BY 1 ORDER BY badness DESC, name {limit}""", params).df()


def records(con, kind: str, f: Filters, by: str | None = None, name: str | None = None,
            bucket=None, grain: str = "week") -> pd.DataFrame:
    """The fact rows behind a bar: those of `name` (in dimension `by`) and/or of the bucket
    starting on `bucket` (at `grain`), within the period and filters."""
    s = _spec(kind)
    where, params = _filters(kind, f)
    if by is not None:
        if by not in s.dims:
            raise ValueError(f"{kind} can be ranked by {s.dims}, not {by!r}")
        where += f" AND v.{by} = ?"
        params.append(name)
    if bucket is not None:
        where += f" AND {bucket_sql(grain, 'v.date')} = CAST(? AS DATE)"
        params.append(bucket)
    return con.execute(f"SELECT v.* FROM ({_facts(s, f)}) v WHERE TRUE {where} ORDER BY {s.order}", params).df()


def total(con, kind: str, f: Filters) -> pd.DataFrame:
    """The variance's measures over the whole period and filters (one row)."""
    s = _spec(kind)
    where, params = _filters(kind, f)
    return con.execute(f"SELECT {s.measures} FROM ({_facts(s, f)}) v WHERE TRUE {where}", params).df()


def review_kpis(con, f: Filters, as_of, lang: str | None = None) -> list:
    """The variance review's tiles: plan achievement and OTD (the PMC and Sales tiles themselves),
    price variance of goods received and first-pass yield (in process and final together)."""
    from lib import settings
    prev = f.previous()

    def price(flt):
        v = total(con, "price", flt)["variance"].iloc[0]
        return None if pd.isna(v) else float(v)

    g = lambda key: settings.get(key, con)  # noqa: E731
    span = period(f, as_of)
    return [
        pmc.plan_achievement_kpi(con, f, as_of),
        sales.otd_kpi(con, f, as_of),
        Kpi("variance.kpi.price", price(f), g("target_price_variance"), price(prev), unit="money",
            higher_is_better=False, **span),
        Kpi("kpi.fpy", quality.first_pass_yield(con, f), g("target_fpy"), quality.first_pass_yield(con, prev), **span),
    ]


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "kpi.plan_achievement": pmc.DETAILS["kpi.plan_achievement"],
    "kpi.otd": sales.DETAILS["kpi.otd"],
    "variance.kpi.price": lambda con, f, as_of: worst(con, "price", f, "material"),
    "kpi.fpy": lambda con, f, as_of: worst(con, "yield", f, "line"),
}


def suppliers(con) -> pd.DataFrame:
    """Suppliers with purchase orders or incoming inspections, with names, for the page filter."""
    return con.execute("""
        SELECT s.supplier, coalesce(n.name, s.supplier) AS name
        FROM (SELECT supplier FROM purchase_orders UNION SELECT supplier FROM inspections
              WHERE supplier IS NOT NULL) s
        LEFT JOIN suppliers n USING (supplier) ORDER BY 1""").df()
