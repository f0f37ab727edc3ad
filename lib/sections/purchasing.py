"""Purchasing (采购): open and late purchase orders and the order lines they endanger, supplier
on-time delivery, price trend and price variance, and the supplier scorecard.

Every figure is one set-based DuckDB query; formulas are in the docstrings (the page's help
text says the same). A rate whose denominator is zero is None ("no data").

Conventions used throughout:
* A PO is *due* in a period when its due date falls in the period and is before `as_of`
  (a PO due today can still arrive today). Cancelled POs are never due. Qty received by the
  due date counts at most the PO qty (an over-delivery does not lift the rate above 100 %).
* *Late* (open) PO: not cancelled or closed, open qty > 0, due date before `as_of`.
* `inventory.on_hold` is the part of `on_hand` that quality has quarantined; usable stock is
  on_hand - on_hold (never below zero).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib.filters import (
    Filters,
    combine,
    customer_clause,
    product_clause,
    supplier_clause,
)
from lib.sections import quality
from lib.sections.kpi import Kpi, period, ratio


def _due_end(f: Filters, as_of: date) -> date:
    return min(f.end, as_of - timedelta(days=1))


# ---------------------------------------------------------------------------- open and late POs

def open_pos(con, as_of: date, f: Filters | None = None) -> pd.DataFrame:
    """Open purchase orders (status open, open qty > 0), latest-due last, with days late.

    Columns: po, supplier, material, material_name, qty, received_qty, open_qty, order_date,
    due_date, unit_price, days_late (as_of - due date when the due date has passed, else 0), late,
    supplier_name.
    """
    where, params = supplier_clause(f, "p.supplier") if f else ("", [])
    return con.execute(f"""
        SELECT p.po, p.supplier, p.material, m.name AS material_name, p.qty, p.received_qty,
               p.open_qty, p.order_date, p.due_date, p.unit_price,
               greatest(date_diff('day', p.due_date, CAST(? AS DATE)), 0) AS days_late,
               p.due_date < CAST(? AS DATE) AS late, s.name AS supplier_name
        FROM purchase_order_status p LEFT JOIN materials m USING (material)
             LEFT JOIN suppliers s ON s.supplier = p.supplier
        WHERE p.status = 'open' AND p.open_qty > 0 {where}
        ORDER BY late DESC, p.due_date, p.po
    """, [as_of, as_of, *params]).df()


def po_counts(con, as_of: date, f: Filters | None = None) -> tuple[int, int]:
    """(open POs, of which late) — late = due date before as_of with qty still open."""
    where, params = supplier_clause(f, "supplier") if f else ("", [])
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE due_date < CAST(? AS DATE))
        FROM purchase_order_status WHERE status = 'open' AND open_qty > 0 {where}
    """, [as_of, *params]).fetchone()
    return int(row[0]), int(row[1])


def endangered_lines(con, as_of: date, f: Filters | None = None) -> pd.DataFrame:
    """Customer order lines each late PO endangers, pegged through the BOM.

    Rule (explainable in one sentence on the page): for each material, the usable stock
    (on hand - on hold) is given to the open order lines that need it in due-date order
    (due = promised date, else requested date; ties by order and line number). A line whose
    need (remaining qty x qty per) is not fully covered that way is short of the material,
    and every late PO of that material endangers it.

    One row per (late PO, endangered line): po, supplier, material, po_due, days_late,
    po_open_qty, order_no, line_no, line_id, customer, customer_name, product, line_due, need_qty,
    short_qty. Filters: supplier (the PO), customer and product family (the line).
    """
    f = f or Filters(start=as_of, end=as_of)
    sup, sup_p = supplier_clause(f, "p.supplier")
    lw, lw_p = combine(customer_clause(f, "o.customer"), product_clause(f, "o.product"))
    return con.execute(f"""
        WITH open_lines AS (
            SELECT o.line_id, o.order_no, o.line_no, o.customer, o.product,
                   o.qty - o.shipped_qty AS remaining,
                   coalesce(o.promised_date, o.requested_date) AS line_due
            FROM order_lines o
            WHERE o.status = 'open' AND o.qty > o.shipped_qty),
        need AS (
            SELECT b.material, l.*, l.remaining * b.qty_per AS need_qty,
                   sum(l.remaining * b.qty_per) OVER (
                       PARTITION BY b.material ORDER BY l.line_due, l.order_no, l.line_no
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_need
            FROM open_lines l JOIN bom b USING (product)),
        short AS (
            SELECT n.*, greatest(coalesce(i.on_hand - i.on_hold, 0), 0) AS usable,
                   least(n.need_qty, n.cum_need - greatest(coalesce(i.on_hand - i.on_hold, 0), 0)) AS short_qty
            FROM need n LEFT JOIN inventory i USING (material))
        SELECT p.po, p.supplier, p.material, p.due_date AS po_due,
               date_diff('day', p.due_date, CAST(? AS DATE)) AS days_late,
               p.open_qty AS po_open_qty,
               s.order_no, s.line_no, s.line_id, s.customer, coalesce(cu.name, s.customer) AS customer_name,
               s.product, s.line_due, s.need_qty, s.short_qty
        FROM purchase_order_status p
        JOIN short s ON s.material = p.material AND s.short_qty > 0
        JOIN order_lines o ON o.line_id = s.line_id
        LEFT JOIN customers cu ON cu.customer = s.customer
        WHERE p.status = 'open' AND p.open_qty > 0 AND p.due_date < CAST(? AS DATE) {sup} {lw}
        ORDER BY s.line_due, s.order_no, s.line_no, p.due_date, p.po
    """, [as_of, as_of, *sup_p, *lw_p]).df()


# ---------------------------------------------------------------------------- supplier on-time

def supplier_otd(con, f: Filters, as_of: date) -> float | None:
    """Supplier on-time: qty received by the due date / qty due, over POs due in the period."""
    where, params = supplier_clause(f)
    row = con.execute(f"""
        SELECT sum(least(received_by_due_qty, qty)), sum(qty) FROM purchase_order_status
        WHERE status <> 'cancelled' AND due_date BETWEEN ? AND ? {where}
    """, [f.start, _due_end(f, as_of), *params]).fetchone()
    return ratio(row[0], row[1])


def supplier_otd_ranking(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Per supplier: POs due, qty due, qty received by due, on-time rate; best first.

    Ties on the rate are broken by more qty due first, then supplier code, so the order is stable.
    Suppliers with nothing due in the period are not listed.
    """
    where, params = supplier_clause(f, "p.supplier")
    return con.execute(f"""
        SELECT p.supplier, any_value(s.name) AS supplier_name, count(*) AS pos_due,
               sum(p.qty) AS qty_due, sum(least(p.received_by_due_qty, p.qty)) AS qty_on_time,
               sum(least(p.received_by_due_qty, p.qty)) / sum(p.qty) AS on_time_rate
        FROM purchase_order_status p LEFT JOIN suppliers s USING (supplier)
        WHERE p.status <> 'cancelled' AND p.due_date BETWEEN ? AND ? {where}
        GROUP BY p.supplier
        ORDER BY on_time_rate DESC, qty_due DESC, p.supplier
    """, [f.start, _due_end(f, as_of), *params]).df()


def supplier_otd_trend(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Supplier on-time per ISO week (Monday) of the due date: week, qty_due, qty_on_time, rate."""
    where, params = supplier_clause(f)
    return con.execute(f"""
        SELECT CAST(date_trunc('week', due_date) AS DATE) AS week, sum(qty) AS qty_due,
               sum(least(received_by_due_qty, qty)) AS qty_on_time,
               sum(least(received_by_due_qty, qty)) / sum(qty) AS on_time_rate
        FROM purchase_order_status
        WHERE status <> 'cancelled' AND due_date BETWEEN ? AND ? {where}
        GROUP BY week ORDER BY week
    """, [f.start, _due_end(f, as_of), *params]).df()


# ---------------------------------------------------------------------------- prices

def price_variance(con, f: Filters) -> float | None:
    """Price variance: sum over POs ordered in the period of (PO unit price - standard price) x qty.

    Positive = paid more than standard. None when no PO was ordered in the period.
    """
    where, params = supplier_clause(f, "p.supplier")
    row = con.execute(f"""
        SELECT sum((p.unit_price - coalesce(m.std_price, 0)) * p.qty), count(*)
        FROM purchase_orders p LEFT JOIN materials m USING (material)
        WHERE p.status <> 'cancelled' AND p.order_date BETWEEN ? AND ? {where}
    """, [f.start, f.end, *params]).fetchone()
    return None if not row[1] else float(row[0])


def price_variance_by_material(con, f: Filters) -> pd.DataFrame:
    """Per material: qty ordered, actual amount, standard amount, variance (actual - standard),
    variance % of standard; largest absolute variance first (ties by material)."""
    where, params = supplier_clause(f, "p.supplier")
    return con.execute(f"""
        SELECT p.material, any_value(m.name) AS material_name, sum(p.qty) AS qty,
               any_value(m.std_price) AS std_price,
               sum(p.unit_price * p.qty) / sum(p.qty) AS avg_price,
               sum(p.unit_price * p.qty) AS actual_amount,
               sum(coalesce(m.std_price, 0) * p.qty) AS std_amount,
               sum((p.unit_price - coalesce(m.std_price, 0)) * p.qty) AS variance,
               CASE WHEN sum(coalesce(m.std_price, 0) * p.qty) > 0
                    THEN sum((p.unit_price - coalesce(m.std_price, 0)) * p.qty)
                         / sum(coalesce(m.std_price, 0) * p.qty) END AS variance_pct
        FROM purchase_orders p LEFT JOIN materials m USING (material)
        WHERE p.status <> 'cancelled' AND p.order_date BETWEEN ? AND ? {where}
        GROUP BY p.material
        ORDER BY abs(variance) DESC, p.material
    """, [f.start, f.end, *params]).df()


def price_trend(con, f: Filters, materials: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Quoted prices over time: price_history rows in the period (plus the last quote before it,
    so a line starts at the period's first day), with the material's standard price.

    Columns: material, supplier, date, unit_price, std_price. Empty `materials` = all.
    """
    sup, sup_p = supplier_clause(f, "h.supplier")
    mat = ""
    mat_p: list = []
    if materials:
        mat = f" AND h.material IN ({', '.join('?' * len(materials))})"
        mat_p = list(materials)
    return con.execute(f"""
        WITH h AS (
            SELECT h.* FROM price_history h WHERE h.date <= ? {sup} {mat}),
        before AS (
            SELECT material, supplier, CAST(? AS DATE) AS date, arg_max(unit_price, date) AS unit_price,
                   1 AS src
            FROM h WHERE date < ? GROUP BY material, supplier),
        inside AS (SELECT material, supplier, date, unit_price, 0 AS src FROM h WHERE date >= ?)
        SELECT x.material, x.supplier, x.date, x.unit_price, m.std_price
        FROM (SELECT * FROM before UNION ALL BY NAME SELECT * FROM inside) x
        LEFT JOIN materials m USING (material)
        QUALIFY row_number() OVER (PARTITION BY x.material, x.supplier, x.date ORDER BY x.src) = 1
        ORDER BY x.material, x.supplier, x.date
    """, [f.end, *sup_p, *mat_p, f.start, f.start, f.start]).df()


# ---------------------------------------------------------------------------- scorecard

def supplier_scorecard(con, f: Filters, as_of: date) -> pd.DataFrame:
    """One row per supplier with business in the period: the cooperation scorecard.

    * on_time_rate = qty received by due date / qty due (POs due in the period)
    * incoming_fp = incoming lots passed first time / lots inspected first time (in the period)
    * response_rate (response to changes) = changed POs received in full by their (latest) due
      date / changed POs due. A *changed* PO is one asked for inside the material's standard
      lead time (due date - order date < lead days: a rush) or whose due date was changed after
      it was placed (an update of purchase_orders.due_date in the audit log) — how well the
      supplier absorbs our changes. None when the supplier had no changed PO due.
    * avg_days_late = mean days late of POs due in the period that were (or still are) late:
      received in full after the due date (last receipt - due) or still open past due (as_of - due)
    * score = 100 x the mean of the rates that are defined (None when none is)
    Sorted by score (best first), ties by supplier.
    """
    sup, sup_p = supplier_clause(f, "supplier")
    psup, psup_p = supplier_clause(f, "p.supplier")
    end = _due_end(f, as_of)
    return con.execute(f"""
        WITH po AS (
            SELECT p.supplier, p.qty, least(p.received_by_due_qty, p.qty) AS received_by_due_qty, p.received_qty, p.received_date,
                   p.due_date, p.open_qty,
                   (date_diff('day', p.order_date, p.due_date) < coalesce(m.lead_days, 0)
                    OR p.po IN (SELECT row_key FROM audit_log WHERE table_name = 'purchase_orders'
                                AND action = 'update' AND column_name = 'due_date')) AS rush,
                   CASE WHEN p.open_qty > 0 AND p.due_date < CAST(? AS DATE)
                             THEN date_diff('day', p.due_date, CAST(? AS DATE))
                        WHEN p.open_qty = 0 AND p.received_date > p.due_date
                             THEN date_diff('day', p.due_date, p.received_date) END AS days_late
            FROM purchase_order_status p LEFT JOIN materials m USING (material)
            WHERE p.status <> 'cancelled' AND p.due_date BETWEEN ? AND ? {psup}),
        otd AS (
            SELECT supplier, count(*) AS pos_due, sum(qty) AS qty_due,
                   sum(least(received_by_due_qty, qty)) / sum(qty) AS on_time_rate,
                   count(*) FILTER (WHERE rush) AS rush_pos,
                   count(*) FILTER (WHERE rush AND received_by_due_qty >= qty) AS rush_met,
                   avg(days_late) AS avg_days_late
            FROM po GROUP BY supplier),
        iqc AS (
            SELECT supplier, count(*) AS lots_inspected,
                   count(*) FILTER (WHERE result = 'pass') AS lots_passed
            FROM inspections
            WHERE stage = 'incoming' AND first_pass AND result <> 'pending'
              AND supplier IS NOT NULL AND date BETWEEN ? AND ? {sup}
            GROUP BY supplier),
        both_ AS (
            SELECT coalesce(o.supplier, q.supplier) AS supplier, o.pos_due, o.qty_due, o.on_time_rate,
                   q.lots_inspected, q.lots_passed / nullif(q.lots_inspected, 0) AS incoming_fp,
                   coalesce(o.rush_pos, 0) AS rush_pos,
                   CAST(o.rush_met AS DOUBLE) / nullif(o.rush_pos, 0) AS response_rate,
                   o.avg_days_late
            FROM otd o FULL JOIN iqc q USING (supplier))
        SELECT b.supplier, s.name AS supplier_name, b.pos_due, b.qty_due, b.on_time_rate,
               b.lots_inspected, b.incoming_fp, b.rush_pos, b.response_rate, b.avg_days_late,
               100 * (coalesce(b.on_time_rate, 0) + coalesce(b.incoming_fp, 0) + coalesce(b.response_rate, 0))
                   / nullif((b.on_time_rate IS NOT NULL)::INT + (b.incoming_fp IS NOT NULL)::INT
                            + (b.response_rate IS NOT NULL)::INT, 0) AS score
        FROM both_ b LEFT JOIN suppliers s USING (supplier)
        ORDER BY score DESC NULLS LAST, b.supplier
    """, [as_of, as_of, f.start, end, *psup_p, f.start, f.end, *sup_p]).df()


def suppliers(con) -> list[str]:
    """Supplier codes for the page's supplier filter (master data plus any on POs)."""
    return con.execute("""
        SELECT supplier FROM suppliers UNION SELECT supplier FROM purchase_orders ORDER BY 1
    """).df()["supplier"].tolist()


def materials_quoted(con) -> list[str]:
    """Materials with any price history, most quoted first (for the price-trend picker)."""
    return con.execute("""
        SELECT material FROM price_history GROUP BY material ORDER BY count(*) DESC, material
    """).df()["material"].tolist()


def supplier_otd_kpi(con, f: Filters, as_of: date) -> Kpi:
    """The supplier on-time tile (Purchasing and the Overview)."""
    from lib import settings
    return Kpi("purchasing.kpi.supplier_otd", supplier_otd(con, f, as_of), settings.get("target_supplier_otd", con),
               supplier_otd(con, f.previous(), as_of), **period(f, as_of))


def section_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list:
    """The Purchasing section's KPI tiles (page, presenter and the meeting snapshot): supplier
    on-time, incoming first pass, price variance (each with target and previous period), late
    POs (note: of how many open) and the order lines those late POs endanger.
    Notes are text in `lang` (default: the current language).
    """
    from lib import settings
    from lib.i18n import t
    prev = f.previous()
    g = lambda key: settings.get(key, con)  # noqa: E731
    span = period(f, as_of)
    n_open, n_late = po_counts(con, as_of, f)
    endangered = endangered_lines(con, as_of, f)
    n_lines = int(endangered["line_id"].nunique()) if not endangered.empty else 0
    return [
        supplier_otd_kpi(con, f, as_of),
        Kpi("purchasing.kpi.incoming_fp", quality.incoming_first_pass(con, f), g("target_incoming_fp"),
            quality.incoming_first_pass(con, prev), **span),
        Kpi("purchasing.kpi.price_variance", price_variance(con, f), g("target_price_variance"),
            price_variance(con, prev), unit="money", higher_is_better=False, **span),
        Kpi("purchasing.kpi.late_pos", n_late, 0, None, unit="count", higher_is_better=False,
            note=t("purchasing.kpi.late_pos.note", lang, n=n_open), overdue=n_late),
        Kpi("purchasing.kpi.lines_endangered", n_lines, 0, None, unit="count", higher_is_better=False),
    ]


def pos_due(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The purchase orders behind supplier on-time: due in the period (before as_of, not
    cancelled), with the qty received by the due date (at most the PO qty). Sum of on-time qty /
    sum of qty = supplier_otd."""
    where, params = supplier_clause(f, "p.supplier")
    return con.execute(f"""
        SELECT p.po, p.supplier, s.name AS supplier_name, p.material, m.name AS material_name, p.due_date,
               p.qty, least(p.received_by_due_qty, p.qty) AS qty_on_time, p.received_qty, p.received_date,
               least(p.received_by_due_qty, p.qty) >= p.qty AS on_time
        FROM purchase_order_status p LEFT JOIN suppliers s USING (supplier) LEFT JOIN materials m USING (material)
        WHERE p.status <> 'cancelled' AND p.due_date BETWEEN ? AND ? {where}
        ORDER BY on_time, p.due_date, p.po""", [f.start, _due_end(f, as_of), *params]).df()


def late_pos(con, as_of: date, f: Filters | None = None) -> pd.DataFrame:
    """The late POs behind the late-PO tile (open_pos rows that are late), longest late first."""
    df = open_pos(con, as_of, f)
    return df[df["late"]].sort_values(["days_late", "po"], ascending=[False, True]).reset_index(drop=True)


def endangered_order_lines(con, as_of: date, f: Filters | None = None) -> pd.DataFrame:
    """The order lines behind the lines-endangered tile: one row per line (endangered_lines),
    with the late POs that endanger it."""
    e = endangered_lines(con, as_of, f)
    if e.empty:
        return pd.DataFrame(columns=["order_no", "line_no", "customer", "customer_name", "product", "line_due", "pos",
                                     "materials"])
    return (e.groupby(["line_id", "order_no", "line_no", "customer", "customer_name", "product", "line_due"],
                      as_index=False)
            .agg(pos=("po", lambda x: ", ".join(sorted(set(x)))),
                 materials=("material", lambda x: ", ".join(sorted(set(x)))))
            .drop(columns="line_id").sort_values(["line_due", "order_no", "line_no"]).reset_index(drop=True))


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "purchasing.kpi.supplier_otd": pos_due,
    "purchasing.kpi.incoming_fp": lambda con, f, as_of: quality.incoming_lots(con, f),
    "purchasing.kpi.price_variance": lambda con, f, as_of: price_variance_by_material(con, f),
    "purchasing.kpi.late_pos": lambda con, f, as_of: late_pos(con, as_of, f),
    "purchasing.kpi.lines_endangered": lambda con, f, as_of: endangered_order_lines(con, as_of, f),
}
