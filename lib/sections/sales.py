"""Sales / customer service figures: new orders, backlog, shipments vs plan, OTD/OTIF trends,
re-promises, order changes, complaints and at-risk lines.

All functions take a connection/cursor and a lib.filters.Filters (period, product families,
customers; the line filter does not apply to orders, which are not made on one line) and
return DataFrames computed in DuckDB. Definitions shared by every function:

* committed date of a line = its latest promise (order_lines.promised_date), else its
  requested date; the original promise = the first row of promise_history, else the latest
  promise, else the requested date (as otd below);
* value = qty x the line's unit price, else the product's list price, else 0;
* remaining qty = qty - shipped qty, for lines that are open (not closed or cancelled).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from lib import settings
from lib.filters import Filters, combine, customer_clause, product_clause
from lib.periods import bucket_sql, label_sql
from lib.plan import late
from lib.sections.kpi import Kpi, period, ratio

COMMITTED = "coalesce(o.promised_date, o.requested_date)"
_PRICE = "coalesce(o.unit_price, p.unit_price, 0)"


def _where(f: Filters) -> tuple[str, list]:
    return combine(product_clause(f, "o.product"), customer_clause(f, "o.customer"))


def new_orders(con, f: Filters, grain: str = "week") -> pd.DataFrame:
    """Order lines entered in the period (by order date), per bucket and customer:
    lines, qty, value. Cancelled lines count: they were ordered."""
    where, params = _where(f)
    b = bucket_sql(grain, "o.order_date")
    return con.execute(f"""
        SELECT {b} AS bucket, {label_sql(grain, b)} AS label, o.customer,
               coalesce(cu.name, o.customer) AS customer_name,
               count(*) AS lines, sum(o.qty) AS qty, sum(o.qty * {_PRICE}) AS value
        FROM order_lines o LEFT JOIN products p USING (product) LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE o.order_date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY bucket, value DESC, o.customer""", [f.start, f.end, *params]).df()


def backlog(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Open order lines with qty still to ship at as_of, one row per line, with the
    committed date, remaining qty and value and whether it is already overdue.
    The period does not apply: backlog is a state at as_of."""
    where, params = _where(f)
    return con.execute(f"""
        SELECT o.line_id, o.order_no, o.line_no, o.customer, coalesce(cu.name, o.customer) AS customer_name,
               o.product, o.qty, o.shipped_qty,
               o.qty - o.shipped_qty AS remaining_qty,
               (o.qty - o.shipped_qty) * {_PRICE} AS remaining_value,
               o.requested_date, o.promised_date, {COMMITTED} AS committed_date,
               {COMMITTED} < CAST(? AS DATE) AS overdue,
               {bucket_sql('week', COMMITTED)} AS due_week,
               {label_sql('week', bucket_sql('week', COMMITTED))} AS due_label
        FROM order_lines o LEFT JOIN products p USING (product) LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE o.status = 'open' AND o.qty > o.shipped_qty {where}
        ORDER BY committed_date, o.order_no, o.line_no""", [as_of, *params]).df()


def shipments_vs_plan(con, f: Filters, grain: str = "week") -> pd.DataFrame:
    """Per bucket: qty planned to ship (lines not cancelled whose committed date falls in it)
    and qty shipped (shipments dated in it), and the lines of each."""
    where, params = _where(f)
    bp, bs = bucket_sql(grain, COMMITTED), bucket_sql(grain, "s.ship_date")
    return con.execute(f"""
        WITH planned AS (
            SELECT {bp} AS bucket, sum(o.qty) AS planned_qty, count(*) AS planned_lines
            FROM order_lines o
            WHERE o.status <> 'cancelled' AND {COMMITTED} BETWEEN ? AND ? {where}
            GROUP BY 1),
        shipped AS (
            SELECT {bs} AS bucket, sum(s.qty) AS shipped_qty, count(DISTINCT s.line_id) AS shipped_lines
            FROM shipments s JOIN order_lines o USING (line_id)
            WHERE s.ship_date BETWEEN ? AND ? {where}
            GROUP BY 1)
        SELECT bucket, {label_sql(grain, 'bucket')} AS label,
               coalesce(planned_qty, 0) AS planned_qty, coalesce(shipped_qty, 0) AS shipped_qty,
               coalesce(planned_lines, 0) AS planned_lines, coalesce(shipped_lines, 0) AS shipped_lines
        FROM planned FULL OUTER JOIN shipped USING (bucket)
        ORDER BY bucket""", [f.start, f.end, *params, f.start, f.end, *params]).df()


def delivery_trend(con, f: Filters, as_of: date, grain: str = "week") -> pd.DataFrame:
    """Per bucket: OTD against the latest and the original promise, and OTIF.

    OTD (as otd below): a shipped line counts in the bucket of its last shipment; it is on
    time when that shipment is on or before the committed date. OTIF: a line is due in the
    bucket of its committed date (only dates before as_of: a line due today can still ship);
    it is on time in full when the qty shipped by the committed date covers the line's qty.
    A bucket with nothing shipped (or due) has an undefined rate (NULL), not 0.
    """
    where, params = _where(f)
    bs, bd = bucket_sql(grain, "l.ship_date"), bucket_sql(grain, "d.committed")
    return con.execute(f"""
        WITH last_ship AS (SELECT line_id, max(ship_date) AS ship_date FROM shipments GROUP BY line_id),
        first AS (SELECT line_id, arg_min(promised_date, promised_at) AS promised_date
                  FROM promise_history GROUP BY line_id),
        shipped AS (
            SELECT {bs} AS bucket, count(*) AS shipped_lines,
                   count(*) FILTER (WHERE l.ship_date <= {COMMITTED}) AS on_time_latest,
                   count(*) FILTER (WHERE l.ship_date <= coalesce(fp.promised_date, o.promised_date, o.requested_date))
                       AS on_time_original
            FROM order_lines o JOIN last_ship l USING (line_id) LEFT JOIN first fp USING (line_id)
            WHERE l.ship_date BETWEEN ? AND ? AND o.status <> 'cancelled' {where}
            GROUP BY 1),
        due AS (
            SELECT {bd} AS bucket, count(*) AS due_lines,
                   count(*) FILTER (WHERE d.shipped_by_due >= d.qty) AS otif_lines
            FROM (SELECT o.line_id, o.qty, {COMMITTED} AS committed,
                         (SELECT coalesce(sum(s.qty), 0) FROM shipments s
                          WHERE s.line_id = o.line_id AND s.ship_date <= {COMMITTED}) AS shipped_by_due
                  FROM order_lines o
                  WHERE o.status <> 'cancelled' AND {COMMITTED} BETWEEN ? AND ?
                    AND {COMMITTED} < CAST(? AS DATE) {where}) d
            GROUP BY 1)
        SELECT bucket, {label_sql(grain, 'bucket')} AS label,
               coalesce(shipped_lines, 0) AS shipped_lines, coalesce(on_time_latest, 0) AS on_time_latest,
               coalesce(on_time_original, 0) AS on_time_original,
               on_time_latest / nullif(shipped_lines, 0) AS otd_latest,
               on_time_original / nullif(shipped_lines, 0) AS otd_original,
               coalesce(due_lines, 0) AS due_lines, coalesce(otif_lines, 0) AS otif_lines,
               otif_lines / nullif(due_lines, 0) AS otif
        FROM shipped FULL OUTER JOIN due USING (bucket)
        ORDER BY bucket""", [f.start, f.end, *params, f.start, f.end, as_of, *params]).df()


def repromises(con, f: Filters, grain: str = "week") -> pd.DataFrame:
    """Per bucket (of when the promise was given): promises given, re-promises (every
    promise of a line after its first) and the distinct lines re-promised."""
    where, params = _where(f)
    b = bucket_sql(grain, "CAST(h.promised_at AS DATE)")
    return con.execute(f"""
        SELECT {b} AS bucket, {label_sql(grain, b)} AS label, count(*) AS promises,
               count(*) FILTER (WHERE h.n > 1) AS repromises,
               count(DISTINCT h.line_id) FILTER (WHERE h.n > 1) AS lines_repromised
        FROM (SELECT *, row_number() OVER (PARTITION BY line_id ORDER BY promised_at, promise_id) AS n
              FROM promise_history) h
        JOIN order_lines o USING (line_id)
        WHERE CAST(h.promised_at AS DATE) BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY bucket""", [f.start, f.end, *params]).df()


def repromise_rate(con, f: Filters) -> float | None:
    """Re-promises given in the period / order lines promised or re-promised in the period."""
    where, params = _where(f)
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE h.n > 1), count(DISTINCT h.line_id)
        FROM (SELECT *, row_number() OVER (PARTITION BY line_id ORDER BY promised_at, promise_id) AS n
              FROM promise_history) h
        JOIN order_lines o USING (line_id)
        WHERE CAST(h.promised_at AS DATE) BETWEEN ? AND ? {where}""", [f.start, f.end, *params]).fetchone()
    return None if not row[1] else row[0] / row[1]


def repromised_lines(con, f: Filters) -> pd.DataFrame:
    """The lines re-promised in the period: how many times, first and latest promise."""
    where, params = _where(f)
    return con.execute(f"""
        SELECT o.order_no, o.line_no, o.customer, coalesce(cu.name, o.customer) AS customer_name, o.product,
               o.qty, o.requested_date,
               arg_min(h.promised_date, h.promised_at) AS first_promise, o.promised_date AS latest_promise,
               count(*) - 1 AS repromises
        FROM promise_history h JOIN order_lines o USING (line_id) LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE o.line_id IN (SELECT line_id FROM promise_history
                            WHERE CAST(promised_at AS DATE) BETWEEN ? AND ?) {where}
        GROUP BY ALL HAVING count(*) > 1
        ORDER BY repromises DESC, o.order_no, o.line_no""", [f.start, f.end, *params]).df()


def order_changes(con, f: Filters) -> pd.DataFrame:
    """Order changes requested in the period, by source (external/internal) and kind:
    count, open count and the load they add (+) or free (-) in hours."""
    where, params = _where(f)
    return con.execute(f"""
        SELECT c.source, c.kind, count(*) AS changes,
               count(*) FILTER (WHERE c.status = 'open') AS open_changes,
               coalesce(sum(c.load_impact_hours), 0) AS load_hours
        FROM order_changes c JOIN order_lines o USING (line_id)
        WHERE c.requested_date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY changes DESC, c.source, c.kind""", [f.start, f.end, *params]).df()


def changes_by_customer(con, f: Filters) -> pd.DataFrame:
    """Which customers change their orders: per customer, the external changes (date, qty, spec,
    cancel) requested in the period, how many are still open, the lines they touch and the
    customer's lines ordered in the period; most changes first (ties: customer)."""
    where, params = _where(f)
    return con.execute(f"""
        WITH ch AS (
            SELECT o.customer, count(*) AS changes, count(*) FILTER (WHERE c.status = 'open') AS open_changes,
                   count(DISTINCT c.line_id) AS lines_changed
            FROM order_changes c JOIN order_lines o USING (line_id)
            WHERE c.source = 'external' AND c.requested_date BETWEEN ? AND ? {where}
            GROUP BY 1),
        ordered AS (
            SELECT o.customer, count(*) AS lines FROM order_lines o
            WHERE o.order_date BETWEEN ? AND ? {where} GROUP BY 1)
        SELECT ch.customer, coalesce(cu.name, ch.customer) AS customer_name, ch.changes, ch.open_changes,
               ch.lines_changed, coalesce(ordered.lines, 0) AS lines
        FROM ch LEFT JOIN ordered USING (customer) LEFT JOIN customers cu ON cu.customer = ch.customer
        ORDER BY ch.changes DESC, ch.customer""", [f.start, f.end, *params, f.start, f.end, *params]).df()


def order_change_list(con, f: Filters) -> pd.DataFrame:
    """The order changes requested in the period, newest first."""
    where, params = _where(f)
    return con.execute(f"""
        SELECT c.change_id, c.requested_date, o.order_no, o.line_no, o.customer,
               coalesce(cu.name, o.customer) AS customer_name, o.product,
               c.source, c.kind, c.old_value, c.new_value, c.reason, c.status, c.load_impact_hours
        FROM order_changes c JOIN order_lines o USING (line_id) LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE c.requested_date BETWEEN ? AND ? {where}
        ORDER BY c.requested_date DESC, c.change_id DESC""", [f.start, f.end, *params]).df()


def _complaint_where(f: Filters) -> tuple[str, list]:
    return combine(customer_clause(f, "c.customer"),
                   (f" AND (c.product IS NULL OR c.product IN (SELECT product FROM products WHERE family IN "
                    f"({', '.join('?' * len(f.families))})))", list(f.families)) if f.families else ("", []))


def complaints_summary(con, f: Filters) -> pd.DataFrame:
    """Per category and customer: complaints received in the period, open now (whenever
    received), closed in the period and their average days from received to closed."""
    where, params = _complaint_where(f)
    return con.execute(f"""
        SELECT c.category, c.customer, any_value(coalesce(cu.name, c.customer)) AS customer_name,
               count(*) FILTER (WHERE c.received_date BETWEEN ? AND ?) AS received,
               count(*) FILTER (WHERE c.status <> 'closed') AS open,
               count(*) FILTER (WHERE c.closed_date BETWEEN ? AND ?) AS closed,
               avg(date_diff('day', c.received_date, c.closed_date))
                   FILTER (WHERE c.closed_date BETWEEN ? AND ?) AS avg_days_to_close
        FROM complaints c LEFT JOIN customers cu ON cu.customer = c.customer
        WHERE (c.received_date BETWEEN ? AND ? OR c.status <> 'closed' OR c.closed_date BETWEEN ? AND ?) {where}
        GROUP BY ALL ORDER BY open DESC, received DESC, c.category, c.customer""",
        [f.start, f.end] * 3 + [f.start, f.end, f.start, f.end] + params).df()


def days_to_close(con, f: Filters) -> float | None:
    """Average calendar days from received to closed, of complaints closed in the period."""
    where, params = _complaint_where(f)
    v = con.execute(f"""SELECT avg(date_diff('day', c.received_date, c.closed_date)) FROM complaints c
                        WHERE c.closed_date BETWEEN ? AND ? {where}""", [f.start, f.end, *params]).fetchone()[0]
    return None if v is None else float(v)


def open_complaints(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Complaints not closed, oldest first, with days open at as_of."""
    where, params = _complaint_where(f)
    return con.execute(f"""
        SELECT c.complaint, c.received_date, c.customer, coalesce(cu.name, c.customer) AS customer_name,
               c.product, c.category, c.severity, c.description, c.status, c.d8_step, c.owner,
               date_diff('day', c.received_date, CAST(? AS DATE)) AS days_open
        FROM complaints c LEFT JOIN customers cu ON cu.customer = c.customer WHERE c.status <> 'closed' {where}
        ORDER BY c.received_date, c.complaint""", [as_of, *params]).df()


def at_risk_lines(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The open lines at risk: the projected late, unplanned and unrouted lines of the planned
    load (lib.plan.late.late_lines, the one list every page counts), for the chosen customers and
    product families (the line filter does not apply to orders), most late first, with why."""
    return late.late_lines(con, as_of, replace(f, lines=()))


def customers(con) -> pd.DataFrame:
    """Customers that have order lines, with their names, for the page's customer filter."""
    return con.execute("""
        SELECT c.customer, coalesce(n.name, c.customer) AS name
        FROM (SELECT DISTINCT customer FROM order_lines) c LEFT JOIN customers n USING (customer)
        ORDER BY c.customer""").df()


def order_value(con, f: Filters) -> float:
    """Value of the order lines entered in the period (qty x price; cancelled lines count)."""
    where, params = _where(f)
    return float(con.execute(f"""SELECT coalesce(sum(o.qty * {_PRICE}), 0) FROM order_lines o
                                 LEFT JOIN products p USING (product)
                                 WHERE o.order_date BETWEEN ? AND ? {where}""",
                             [f.start, f.end, *params]).fetchone()[0])


def otd_kpi(con, f: Filters, as_of: date, basis: str = "latest") -> Kpi:
    """The OTD tile (against the latest, or with basis='original' the first, promise)."""
    key = "kpi.otd" if basis == "latest" else "kpi.otd_original"
    return Kpi(key, otd(con, f, basis), settings.get("target_otd", con), otd(con, f.previous(), basis),
               **period(f, as_of))


def section_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list:
    """The Sales section's KPI tiles: OTD (latest and original promise), OTIF, new order value,
    re-promises per line, open complaints and days to close, each with target and previous period
    (the same days of the period before: Filters.previous), and the lines at risk
    (lib.plan.late, the one late list). Notes are text in `lang` (default: the current language)."""
    prev = f.previous()
    g = lambda key: settings.get(key, con)  # noqa: E731
    span = period(f, as_of)
    return [
        otd_kpi(con, f, as_of),
        otd_kpi(con, f, as_of, "original"),
        Kpi("kpi.otif", otif(con, f, as_of), g("target_otif"), otif(con, prev, as_of), **span),
        Kpi("sales.kpi.new_orders", order_value(con, f), None, order_value(con, prev), unit="money", **span),
        Kpi("sales.kpi.repromise_rate", repromise_rate(con, f), g("target_repromise_rate"),
            repromise_rate(con, prev), unit="ratio", higher_is_better=False, **span),
        open_complaints_kpi(con, f, as_of),
        Kpi("sales.kpi.days_to_close", days_to_close(con, f), g("target_complaint_days"), days_to_close(con, prev),
            unit="days", higher_is_better=False, **span),
        late.late_kpi(con, as_of, replace(f, lines=()), lang),
    ]


def open_complaints_kpi(con, f: Filters, as_of: date) -> Kpi:
    """Customer complaints not closed (Sales and the Overview show this one tile)."""
    return Kpi("kpi.open_complaints", open_complaint_count(con, f), settings.get("target_open_complaints", con),
               None, unit="count", higher_is_better=False)


def shipped_lines(con, f: Filters, basis: str = "latest") -> pd.DataFrame:
    """The lines behind OTD: lines shipped in the period (by their last shipment), each with its
    committed date (latest promise, or the first with basis='original'), last ship date, days
    late and whether it was on time. On time / lines = otd(con, f, basis)."""
    where, params = _where(f)
    committed = (COMMITTED if basis == "latest" else "coalesce(fp.promised_date, o.promised_date, o.requested_date)")
    return con.execute(f"""
        WITH last_ship AS (SELECT line_id, max(ship_date) AS ship_date FROM shipments GROUP BY line_id),
        fp AS (SELECT line_id, arg_min(promised_date, promised_at) AS promised_date FROM promise_history
               GROUP BY line_id)
        SELECT o.order_no, o.line_no, o.customer, coalesce(cu.name, o.customer) AS customer_name, o.product,
               o.qty, {committed} AS committed_date, s.ship_date,
               greatest(date_diff('day', {committed}, s.ship_date), 0) AS days_late,
               s.ship_date <= {committed} AS on_time
        FROM order_lines o JOIN last_ship s USING (line_id) LEFT JOIN fp USING (line_id)
        LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE s.ship_date BETWEEN ? AND ? AND o.status <> 'cancelled' {where}
        ORDER BY on_time, days_late DESC, s.ship_date, o.order_no, o.line_no""", [f.start, f.end, *params]).df()


def due_lines(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The lines behind OTIF: lines due in the period before as_of (not cancelled), with the qty
    shipped by the committed date and whether that was in full. In full / lines = otif."""
    where, params = _where(f)
    end = min(f.end, as_of - timedelta(days=1))
    return con.execute(f"""
        SELECT o.order_no, o.line_no, o.customer, coalesce(cu.name, o.customer) AS customer_name, o.product,
               o.qty, {COMMITTED} AS committed_date, coalesce(s.qty, 0) AS shipped_by_due,
               coalesce(s.qty, 0) >= o.qty AS in_full
        FROM order_lines o
        LEFT JOIN LATERAL (SELECT sum(qty) AS qty FROM shipments s
                           WHERE s.line_id = o.line_id AND s.ship_date <= {COMMITTED}) s ON TRUE
        LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE o.status <> 'cancelled' AND {COMMITTED} BETWEEN ? AND ? {where}
        ORDER BY in_full, committed_date, o.order_no, o.line_no""", [f.start, end, *params]).df()


def new_order_lines(con, f: Filters) -> pd.DataFrame:
    """The order lines behind the new-order value: entered in the period, with their value."""
    where, params = _where(f)
    return con.execute(f"""
        SELECT o.order_no, o.line_no, o.customer, coalesce(cu.name, o.customer) AS customer_name, o.product,
               o.qty, o.order_date, o.requested_date, o.qty * {_PRICE} AS value, o.status
        FROM order_lines o LEFT JOIN products p USING (product) LEFT JOIN customers cu ON cu.customer = o.customer
        WHERE o.order_date BETWEEN ? AND ? {where}
        ORDER BY value DESC, o.order_no, o.line_no""", [f.start, f.end, *params]).df()


def closed_complaints(con, f: Filters) -> pd.DataFrame:
    """The complaints behind days to close: closed in the period, with their days from received."""
    where, params = _complaint_where(f)
    return con.execute(f"""
        SELECT c.complaint, c.customer, coalesce(cu.name, c.customer) AS customer_name, c.product, c.category,
               c.received_date, c.closed_date, date_diff('day', c.received_date, c.closed_date) AS days_to_close
        FROM complaints c LEFT JOIN customers cu ON cu.customer = c.customer
        WHERE c.closed_date BETWEEN ? AND ? {where}
        ORDER BY days_to_close DESC, c.complaint""", [f.start, f.end, *params]).df()


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "kpi.otd": lambda con, f, as_of: shipped_lines(con, f),
    "kpi.otd_original": lambda con, f, as_of: shipped_lines(con, f, "original"),
    "kpi.otif": due_lines,
    "sales.kpi.new_orders": lambda con, f, as_of: new_order_lines(con, f),
    "sales.kpi.repromise_rate": lambda con, f, as_of: repromised_lines(con, f),
    "kpi.open_complaints": lambda con, f, as_of: open_complaints(con, f, as_of),
    "sales.kpi.days_to_close": lambda con, f, as_of: closed_complaints(con, f),
    "kpi.late_lines": lambda con, f, as_of: at_risk_lines(con, f, as_of),
}


# ---------------------------------------------------------------------------- delivery KPIs

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
    return ratio(row[0], row[1])


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
    return ratio(row[0], row[1])


def open_complaint_count(con, f: Filters | None = None) -> int:
    """Customer complaints not closed, for the chosen customers and product families: the rows of
    open_complaints (one definition: the tile counts the list it opens)."""
    where, params = _complaint_where(f) if f else ("", [])
    return int(con.execute(f"SELECT count(*) FROM complaints c WHERE c.status <> 'closed' {where}", params).fetchone()[0])
