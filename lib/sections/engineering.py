"""Engineering / process (工艺): new-product (NPI) milestones plan vs actual, drawing release,
engineering changes and the open orders they touch, method and process improvements.

Conventions:
* A milestone (drawing) is *due* in a period when its planned date falls in the period and is
  not after `as_of`; it is *on time* when its actual date is on or before the planned date.
* Cancelled projects and cancelled engineering changes are left out everywhere.
* Filters: period; product family (product columns); customer (NPI projects);
  line (improvements, through their work center).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib.filters import Filters, combine, customer_clause, line_clause, product_clause
from lib.sections.kpi import Kpi, period, ratio


def _over(con, frame: pd.DataFrame, sql: str) -> pd.DataFrame:
    """Run `sql` over `frame` registered as the view `rows` (a second, set-based step)."""
    con.register("rows", frame)
    try:
        return con.execute(sql).df()
    finally:
        con.unregister("rows")


def _project_filter(f: Filters, alias: str = "p") -> tuple[str, list]:
    return combine(product_clause(f, f"{alias}.product"), customer_clause(f, f"{alias}.customer"))


# ---------------------------------------------------------------------------- NPI

_STATE = """
    CASE WHEN {a} IS NOT NULL AND {a} <= {p} THEN 'on_time'
         WHEN {a} IS NOT NULL THEN 'late'
         WHEN {p} < CAST(? AS DATE) THEN 'overdue'
         ELSE 'open' END"""
_DAYS_LATE = """
    CASE WHEN {a} IS NOT NULL THEN greatest(date_diff('day', {p}, {a}), 0)
         ELSE greatest(date_diff('day', {p}, CAST(? AS DATE)), 0) END"""


def npi_ontime(con, f: Filters, as_of: date) -> float | None:
    """NPI milestone on time: milestones met on plan / milestones due (planned in the period, up to as_of)."""
    where, params = _project_filter(f)
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE m.actual_date <= m.planned_date), count(*)
        FROM npi_milestones m JOIN npi_projects p USING (project)
        WHERE p.status <> 'cancelled' AND m.planned_date BETWEEN ? AND ? {where}
    """, [f.start, min(f.end, as_of), *params]).fetchone()
    return ratio(row[0], row[1])


def npi_milestones(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Milestones of the projects that are active or on hold, or have a milestone planned or met
    in the period — the Gantt's rows, in project then sequence order.

    Each milestone is a bar from the previous milestone's date (the project start for the first)
    to its own: plan_start..planned_date and actual_start..actual_end, where actual_end is the
    actual date, or as_of for an unfinished milestone already started. state: on_time, late,
    overdue (not met, planned before as_of), open. days_late: to the actual date, or to as_of.
    """
    where, params = _project_filter(f)
    return con.execute(f"""
        WITH m AS (
            SELECT p.project, p.name AS project_name, p.product, p.customer,
                   coalesce((SELECT cu.name FROM customers cu WHERE cu.customer = p.customer), p.customer) AS customer_name,
                   p.status AS project_status,
                   p.target_date, m.seq, m.milestone, m.owner, m.planned_date, m.actual_date,
                   coalesce(lag(m.planned_date) OVER w, p.start_date) AS plan_start,
                   coalesce(lag(m.actual_date) OVER w, CASE WHEN m.seq = min(m.seq) OVER (PARTITION BY p.project)
                                                            THEN p.start_date END) AS actual_start
            FROM npi_milestones m JOIN npi_projects p USING (project)
            WHERE p.status <> 'cancelled' {where}
            WINDOW w AS (PARTITION BY p.project ORDER BY m.seq)),
        keep AS (
            SELECT project FROM m
            GROUP BY project
            HAVING any_value(project_status) IN ('active', 'on_hold')
                OR count(*) FILTER (WHERE planned_date BETWEEN ? AND ? OR actual_date BETWEEN ? AND ?) > 0)
        SELECT m.*,
               CASE WHEN actual_date IS NOT NULL THEN actual_date
                    WHEN actual_start IS NOT NULL AND actual_start <= CAST(? AS DATE) THEN CAST(? AS DATE)
               END AS actual_end,
               {_STATE.format(a='actual_date', p='planned_date')} AS state,
               {_DAYS_LATE.format(a='actual_date', p='planned_date')} AS days_late
        FROM m JOIN keep USING (project)
        ORDER BY m.project, m.seq
    """, [*params, f.start, f.end, f.start, f.end, as_of, as_of, as_of, as_of]).df()


def npi_projects(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Per project shown: milestones total / met / overdue, next milestone and its planned date,
    and whether the project will miss its target date (latest milestone plan beyond target)."""
    ms = npi_milestones(con, f, as_of)
    if ms.empty:
        return pd.DataFrame(columns=["project", "project_name", "customer", "customer_name", "product", "project_status",
                                     "target_date", "milestones", "met", "overdue", "next_milestone",
                                     "next_planned"])
    return _over(con, ms, """
        SELECT project, any_value(project_name) AS project_name, any_value(customer) AS customer,
               any_value(customer_name) AS customer_name,
               any_value(product) AS product, any_value(project_status) AS project_status,
               any_value(target_date) AS target_date, count(*) AS milestones,
               count(*) FILTER (WHERE actual_date IS NOT NULL) AS met,
               count(*) FILTER (WHERE state = 'overdue') AS overdue,
               arg_min(milestone, seq) FILTER (WHERE actual_date IS NULL) AS next_milestone,
               min(planned_date) FILTER (WHERE actual_date IS NULL) AS next_planned
        FROM rows GROUP BY project ORDER BY project
    """)


# ---------------------------------------------------------------------------- drawings

def drawing_ontime(con, f: Filters, as_of: date) -> float | None:
    """Drawing release on time: drawings released by the planned date / drawings due
    (planned release in the period, up to as_of)."""
    where, params = product_clause(f)
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE actual_release <= planned_release), count(*)
        FROM drawings WHERE planned_release BETWEEN ? AND ? {where}
    """, [f.start, min(f.end, as_of), *params]).fetchone()
    return ratio(row[0], row[1])


def drawings(con, f: Filters, as_of: date, ahead_days: int = 14) -> pd.DataFrame:
    """Drawings to talk about: not released and planned up to `ahead_days` after as_of, or
    released in the period. Overdue first, then by planned date.

    Columns: drawing, revision, title, product, project, owner, planned_release,
    actual_release, state (on_time, late, overdue, open), days_late.
    """
    where, params = product_clause(f)
    horizon = as_of + timedelta(days=ahead_days)
    return con.execute(f"""
        SELECT drawing, revision, title, product, project, owner, planned_release, actual_release,
               {_STATE.format(a='actual_release', p='planned_release')} AS state,
               {_DAYS_LATE.format(a='actual_release', p='planned_release')} AS days_late
        FROM drawings
        WHERE ((actual_release IS NULL AND planned_release <= ?) OR actual_release BETWEEN ? AND ?) {where}
        ORDER BY state = 'overdue' DESC, actual_release IS NOT NULL, planned_release, drawing, revision
    """, [as_of, as_of, horizon, f.start, f.end, *params]).df()


def drawing_weekly(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Per ISO week (Monday) of the planned release, drawings due up to as_of: due, released on
    time, released late, not released; and the on-time rate."""
    where, params = product_clause(f)
    return con.execute(f"""
        SELECT CAST(date_trunc('week', planned_release) AS DATE) AS week, count(*) AS due,
               count(*) FILTER (WHERE actual_release <= planned_release) AS on_time,
               count(*) FILTER (WHERE actual_release > planned_release) AS late,
               count(*) FILTER (WHERE actual_release IS NULL) AS not_released,
               count(*) FILTER (WHERE actual_release <= planned_release) / count(*) AS on_time_rate
        FROM drawings WHERE planned_release BETWEEN ? AND ? {where}
        GROUP BY week ORDER BY week
    """, [f.start, min(f.end, as_of), *params]).df()


# ---------------------------------------------------------------------------- engineering changes

def ecn_orders(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Each engineering change still in play (open or approved, or created, effective or
    implemented in the period) with the open order lines of the products it changes.

    One row per (ECN, open order line); an ECN touching no open line has one row with the line
    columns empty. after_effective: the line is due on or after the effective date, so it will
    be built to the new revision. Filters: product family, customer (of the line).
    """
    where, params = product_clause(f, "ep.product")
    cw, cp = customer_clause(f, "o.customer")
    return con.execute(f"""
        WITH e AS (
            SELECT e.ecn, e.title, e.status, e.created_date, e.effective_date, e.owner, ep.product
            FROM engineering_changes e JOIN engineering_change_products ep USING (ecn)
            WHERE e.status <> 'cancelled' {where}
              AND (e.status IN ('open', 'approved') OR e.created_date BETWEEN ? AND ?
                   OR e.effective_date BETWEEN ? AND ?)),
        lines AS (
            SELECT o.line_id, o.order_no, o.line_no, o.customer,
                   coalesce((SELECT cu.name FROM customers cu WHERE cu.customer = o.customer), o.customer) AS customer_name,
                   o.product, o.qty - o.shipped_qty AS remaining_qty,
                   coalesce(o.promised_date, o.requested_date) AS line_due
            FROM order_lines o WHERE o.status = 'open' AND o.qty > o.shipped_qty {cw})
        SELECT e.ecn, e.title, e.status, e.created_date, e.effective_date, e.owner, e.product,
               l.order_no, l.line_no, l.line_id, l.customer, l.customer_name, l.remaining_qty, l.line_due,
               l.line_due >= e.effective_date AS after_effective
        FROM e LEFT JOIN lines l USING (product)
        ORDER BY e.effective_date, e.ecn, e.product, l.line_due, l.order_no, l.line_no
    """, [*params, f.start, f.end, f.start, f.end, *cp]).df()


def ecn_summary(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Per engineering change: status, dates, products, open lines and remaining qty touched."""
    return _over(con, ecn_orders(con, f, as_of), """
        SELECT ecn, any_value(title) AS title, any_value(status) AS status,
               any_value(created_date) AS created_date, any_value(effective_date) AS effective_date,
               any_value(owner) AS owner, string_agg(DISTINCT product, ', ' ORDER BY product) AS products,
               count(line_id) AS open_lines, coalesce(sum(remaining_qty), 0) AS open_qty,
               count(DISTINCT customer) AS customers
        FROM rows GROUP BY ecn ORDER BY min(effective_date), ecn
    """)


# ---------------------------------------------------------------------------- improvements

def improvements(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Method and process improvements: the live ones (idea, in progress) and those done in the
    period; overdue = not done and due before as_of. Filter: line (through the work center).

    Columns: improvement_id, title, kind, work_center, owner, status, start_date, due_date,
    done_date, expected_hours_saved, actual_hours_saved, overdue.
    """
    where, params = line_clause(f)
    return con.execute(f"""
        SELECT improvement_id, title, kind, work_center, owner, status, start_date, due_date, done_date,
               expected_hours_saved, actual_hours_saved,
               coalesce(status IN ('idea', 'in_progress') AND due_date < CAST(? AS DATE), FALSE) AS overdue
        FROM improvements
        WHERE (status IN ('idea', 'in_progress') OR (status = 'done' AND done_date BETWEEN ? AND ?)) {where}
        ORDER BY CASE status WHEN 'in_progress' THEN 0 WHEN 'idea' THEN 1 ELSE 2 END,
                 due_date NULLS LAST, improvement_id
    """, [as_of, f.start, f.end, *params]).df()


def improvement_hours(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Expected hours saved per month by kind and status (of `improvements`): kind, status,
    count, expected_hours_saved, actual_hours_saved."""
    return _over(con, improvements(con, f, as_of), """
        SELECT kind, status, count(*) AS count, coalesce(sum(expected_hours_saved), 0) AS expected_hours_saved,
               coalesce(sum(actual_hours_saved), 0) AS actual_hours_saved
        FROM rows GROUP BY kind, status
        ORDER BY kind, CASE status WHEN 'done' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END
    """)


def hours_saved(con, f: Filters, as_of: date) -> tuple[float, float]:
    """(expected hours saved per month by improvements in progress, hours saved per month by
    those done in the period — the measured actual, or the expected figure where none was
    measured)."""
    where, params = line_clause(f)
    row = con.execute(f"""
        SELECT coalesce(sum(expected_hours_saved) FILTER (WHERE status = 'in_progress'), 0),
               coalesce(sum(coalesce(actual_hours_saved, expected_hours_saved))
                        FILTER (WHERE status = 'done' AND done_date BETWEEN ? AND ?), 0)
        FROM improvements WHERE TRUE {where}
    """, [f.start, f.end, *params]).fetchone()
    return float(row[0]), float(row[1])


def drawing_ontime_kpi(con, f: Filters, as_of: date, lang: str | None = None) -> Kpi:
    """The drawings-on-time tile (Engineering and the Overview): note and status name the
    drawings overdue now."""
    from lib import settings
    from lib.i18n import t
    n = _overdue(drawings(con, f, as_of))
    return Kpi("engineering.kpi.drawing_ontime", drawing_ontime(con, f, as_of), settings.get("target_drawing_ontime", con),
               drawing_ontime(con, f.previous(), as_of), note=t("engineering.kpi.overdue_note", lang, n=n),
               overdue=n, **period(f, as_of))


def _overdue(df: pd.DataFrame) -> int:
    return int((df["state"] == "overdue").sum()) if not df.empty else 0


def section_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list:
    """The Engineering section's KPI tiles (page, presenter and the meeting snapshot): NPI
    milestones and drawings released on time (each with target, previous period and how many are
    overdue now: such a tile is never green), live engineering changes (note: the open order lines
    they touch) and hours saved by improvements in progress (note: hours from those done).
    Notes are text in `lang` (default: the current language).
    """
    from lib import settings
    from lib.i18n import t
    g = lambda key: settings.get(key, con)  # noqa: E731
    live = live_ecns(con, f, as_of)
    in_progress, done = hours_saved(con, f, as_of)
    n_ms = _overdue(npi_milestones(con, f, as_of))
    return [
        Kpi("engineering.kpi.npi_ontime", npi_ontime(con, f, as_of), g("target_npi_ontime"),
            npi_ontime(con, f.previous(), as_of), note=t("engineering.kpi.overdue_note", lang, n=n_ms),
            overdue=n_ms, **period(f, as_of)),
        drawing_ontime_kpi(con, f, as_of, lang),
        Kpi("engineering.kpi.open_ecn", len(live), None, None, unit="count", higher_is_better=False,
            note=t("engineering.kpi.open_ecn.note", lang, n=int(live["open_lines"].sum()) if not live.empty else 0)),
        Kpi("engineering.kpi.hours_saved", in_progress, None, None, unit="hours",
            note=t("engineering.kpi.hours_saved.note", lang, hours=f"{done:,.0f}")),
    ]


def live_ecns(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The engineering changes still to implement (open or approved), from ecn_summary."""
    ecn = ecn_summary(con, f, as_of)
    return ecn[ecn["status"].isin(["open", "approved"])].reset_index(drop=True) if not ecn.empty else ecn


def milestones_due(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The milestones behind NPI on time: those planned in the period up to as_of, and those
    overdue now (whenever planned), overdue first."""
    ms = npi_milestones(con, f, as_of)
    if ms.empty:
        return ms
    planned = pd.to_datetime(ms["planned_date"])
    keep = ((planned >= pd.Timestamp(f.start)) & (planned <= pd.Timestamp(min(f.end, as_of)))) | (ms["state"] == "overdue")
    cols = ["project", "project_name", "seq", "milestone", "owner", "planned_date", "actual_date", "state", "days_late"]
    out = ms.loc[keep, cols].assign(_later=lambda d: d["state"] != "overdue")
    return out.sort_values(["_later", "planned_date"], kind="stable").drop(columns="_later").reset_index(drop=True)


def drawings_due(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The drawings behind drawings on time: planned for release in the period up to as_of, and
    those overdue now, overdue first."""
    where, params = product_clause(f)
    return con.execute(f"""
        SELECT drawing, revision, title, product, owner, planned_release, actual_release,
               {_STATE.format(a='actual_release', p='planned_release')} AS state,
               {_DAYS_LATE.format(a='actual_release', p='planned_release')} AS days_late
        FROM drawings
        WHERE (planned_release BETWEEN ? AND ? OR (actual_release IS NULL AND planned_release < CAST(? AS DATE))) {where}
        ORDER BY state <> 'overdue', planned_release, drawing, revision""",
        [as_of, as_of, f.start, min(f.end, as_of), as_of, *params]).df()


def improvements_in_progress(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The improvements behind hours saved: those in progress, with their expected hours a month."""
    imp = improvements(con, f, as_of)
    return imp[imp["status"] == "in_progress"].reset_index(drop=True) if not imp.empty else imp


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "engineering.kpi.npi_ontime": milestones_due,
    "engineering.kpi.drawing_ontime": drawings_due,
    "engineering.kpi.open_ecn": live_ecns,
    "engineering.kpi.hours_saved": improvements_in_progress,
}
