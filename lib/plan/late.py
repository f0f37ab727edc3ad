"""The one list of late lines: the open lines the planned load (lib.plan.planned) projects late,
and those it cannot plan within the horizon. Sales' lines at risk, PMC's late list, the Overview,
presenter mode, the minutes and `python -m lib late` all read this list, so every count of late
lines agrees.

Each row says why: the step and work center that finished last (for an unplanned line, the step
that could not be planned), and the late purchase order pegged to the line, if any (the first
by due date of lib.sections.purchasing.endangered_lines: open lines wait for no material in the
plan, so a late PO is a second reason, Purchasing's to chase). Open lines whose product has no
routing cannot be planned at all: they are listed too, as status `no_routing` (DESIGN.md plans
only routed lines; a line nobody can plan is still one the meeting must hear about).

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     len(late_lines(cur, date(2026, 11, 25)))
    0
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.filters import Filters, combine, customer_clause, line_clause, product_clause
from lib.plan import planned
from lib.plan.capacity import NO_WHATIF, WhatIf
from lib.sections.kpi import Kpi

COLUMNS = ["line_id", "order_no", "line_no", "customer", "customer_name", "product", "remaining_qty", "due_date",
           "projected_finish", "days_late", "status", "work_center", "step", "late_po", "late_po_material",
           "late_po_due"]


def late_lines(con, as_of: date, f: Filters | None = None, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The projected late and unplanned lines, most late first (unplanned last), with why.

    Columns: line_id, order_no, line_no, customer, customer_name, product, remaining_qty, due_date,
    projected_finish (NaT when unplanned), days_late (NA when unplanned), status (late |
    unplanned | no_routing), work_center and step (the step that finished last, or that could not be planned),
    late_po, late_po_material, late_po_due (a late PO pegged to the line, if any).
    Filters: customers, product families, and lines (the named step's work center's line).
    """
    lines = planned.plan(con, as_of, whatif).late_lines()
    lines = pd.concat([lines, _unrouted(con)], ignore_index=True) if len(lines) else _unrouted(con)
    from lib.sections.purchasing import (
        endangered_lines,  # purchasing's one pegging rule
    )
    pos = endangered_lines(con, as_of)
    f = f or Filters(start=as_of, end=as_of)
    where, params = combine(customer_clause(f, "l.customer"), product_clause(f, "l.product"),
                            line_clause(f, "l.work_center"))
    con.execute("SELECT 1").fetchall()
    con.register("_late", lines)
    con.register("_late_po", pos[["line_id", "po", "material", "po_due"]] if not pos.empty else
                 pd.DataFrame({"line_id": pd.Series([], dtype="int64"), "po": pd.Series([], dtype=object),
                               "material": pd.Series([], dtype=object),
                               "po_due": pd.Series([], dtype="datetime64[us]")}))
    try:
        return con.execute(f"""
            WITH po AS (SELECT line_id, arg_min(po, po_due) AS po, arg_min(material, po_due) AS material,
                               min(po_due) AS po_due FROM _late_po GROUP BY line_id)
            SELECT l.line_id, l.order_no, l.line_no, l.customer, coalesce(c.name, l.customer) AS customer_name,
                   l.product, l.rem_qty AS remaining_qty, CAST(l.due_date AS DATE) AS due_date,
                   CAST(l.projected_finish AS DATE) AS projected_finish, l.days_late, l.status,
                   l.work_center, l.step, po.po AS late_po, po.material AS late_po_material,
                   CAST(po.po_due AS DATE) AS late_po_due
            FROM _late l LEFT JOIN customers c USING (customer) LEFT JOIN po USING (line_id)
            WHERE TRUE {where}
            ORDER BY l.status <> 'late', l.status = 'no_routing', l.days_late DESC NULLS LAST, l.due_date,
                     l.order_no, l.line_no
        """, params).df()
    finally:
        con.unregister("_late")
        con.unregister("_late_po")


def _unrouted(con) -> pd.DataFrame:
    """Open lines whose product has no routing, in the plan's columns (status no_routing)."""
    df = con.execute("""
        SELECT line_id, order_no, line_no, customer, product, qty - shipped_qty AS rem_qty,
               CAST(coalesce(promised_date, requested_date) AS TIMESTAMP) AS due_date,
               CAST(NULL AS TIMESTAMP) AS projected_finish, CAST(NULL AS BIGINT) AS days_late,
               CAST(NULL AS VARCHAR) AS work_center, CAST(NULL AS BIGINT) AS step, 'no_routing' AS status
        FROM order_lines o
        WHERE status = 'open' AND qty > shipped_qty
          AND NOT EXISTS (SELECT 1 FROM routings r WHERE r.product = o.product)""").df()
    df["days_late"] = df["days_late"].astype("Int64")
    df["step"] = df["step"].astype("Int64")
    return df


def late_count(con, as_of: date, f: Filters | None = None) -> int:
    """How many lines the list holds (the number every tile and slide shows)."""
    return len(late_lines(con, as_of, f))


def late_kpi(con, as_of: date, f: Filters | None = None, lang: str | None = None) -> Kpi:
    """The tile of the list: lines projected late (target 0), its note how many of them cannot be
    planned at all (in `lang`, default the current language). Sales, PMC and the Overview show
    this one tile; its detail is late_lines itself."""
    from lib.i18n import t
    df = late_lines(con, as_of, f)
    stuck = int((df["status"] != "late").sum())
    return Kpi("kpi.late_lines", len(df), 0, None, unit="count", higher_is_better=False,
               note=t("kpi.late_lines.note", lang, n=stuck) if stuck else None)
