"""Capacity and load per work center and day (DESIGN.md → Engines), bucketed by day, week, month.

Capacity(W, d) = hours(W, d) x efficiency(W), where hours are the work center's hours_per_day on
the factory's working weekdays, replaced by a calendar row for that day (a row for W wins over
the row for all work centers, '' ).

Load is placed backwards from each open line's due date (promised, else requested): the last
step ends on the due date or the last working day of its work center before it; each step
occupies max(lead_days, 1) working days of its work center; the step before ends on the last
working day of *its* work center before this step's first day. A step's hours (setup + run x
remaining qty) are spread evenly over its days; hours on days before today move onto today and
count as overdue.

Everything is set-based SQL: the only Python loop is over routing *positions* (last step, the
one before, ...), each placing that step of every open line at once with an ASOF join onto the
numbered working days of each work center.

    >>> from lib.db import Database
    >>> db = Database(":memory:")
    >>> with db.cursor() as cur:
    ...     load(cur, date(2026, 11, 25), by="week", weeks=2).empty
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from lib import settings

BANDS = ("ok", "tight", "risk", "over")
BY = ("day", "week", "month")

# SQL expressions of a bucket's label and first day, by bucket kind (ISO weeks, Monday first)
_LABEL = {"day": "strftime({d}, '%Y-%m-%d')", "week": "strftime({d}, '%G-W%V')", "month": "strftime({d}, '%Y-%m')"}
_START = {"day": "{d}", "week": "CAST(date_trunc('week', {d}) AS DATE)", "month": "CAST(date_trunc('month', {d}) AS DATE)"}


@dataclass(frozen=True)
class WhatIf:
    """Unsaved changes to try: calendar rows (date, work_center, hours; '' = all work centers)
    that replace the stored ones, and new due dates for order lines (line_id, date)."""
    calendar: tuple[tuple[date, str, float], ...] = ()
    due: tuple[tuple[int, date], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.calendar or self.due)


NO_WHATIF = WhatIf()


def band(load_hours: float, capacity_hours: float) -> str:
    """The load band of a bucket: ok < 70 % ≤ tight < 90 % ≤ risk ≤ 100 % < over; load without
    capacity is over; neither is 'none'.

    >>> band(69, 100), band(70, 100), band(90, 100), band(100, 100), band(101, 100), band(1, 0), band(0, 0)
    ('ok', 'tight', 'risk', 'risk', 'over', 'over', 'none')
    """
    if capacity_hours <= 0:
        return "over" if load_hours > 1e-9 else "none"
    pct = round(load_hours / capacity_hours, 9)
    return "ok" if pct < 0.7 else "tight" if pct < 0.9 else "risk" if pct <= 1.0 else "over"


def period_label(day: date, by: str) -> str:
    """The bucket label of a day: 2026-12-14, 2026-W51 or 2026-12.

    >>> period_label(date(2026, 12, 28), "week"), period_label(date(2026, 12, 28), "month")
    ('2026-W53', '2026-12')
    """
    if by == "day":
        return day.isoformat()
    if by == "week":
        y, w, _ = day.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{day.year}-{day.month:02d}"


def period_start(day: date, by: str) -> date:
    """The first day of the bucket holding `day`."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def _run(con, sql: str, params=None) -> None:
    """Execute a statement and finish its result (DuckDB refuses other work on a cursor with an
    unfinished result)."""
    con.execute(sql, params or []).fetchall()


def _register(con, name: str, df: pd.DataFrame) -> None:
    """Register a DataFrame as a view on `con` (after finishing any pending result)."""
    con.execute("SELECT 1").fetchall()
    con.register(name, df)


def _check_by(by: str) -> None:
    if by not in BY:
        raise ValueError(f"by is one of {', '.join(BY)}, not {by!r}")


# ---------------------------------------------------------------------------- what-if sources

def _whatif_sources(con, whatif: WhatIf) -> tuple[str, str]:
    """SQL relations of the what-if calendar rows and due dates (registered on `con`)."""
    cal_sql = "(SELECT NULL::DATE AS date, NULL::VARCHAR AS work_center, NULL::DOUBLE AS hours WHERE false)"
    due_sql = "(SELECT NULL::BIGINT AS line_id, NULL::DATE AS due WHERE false)"
    if whatif.calendar:
        cal = pd.DataFrame(list(whatif.calendar), columns=["date", "work_center", "hours"])
        cal["date"] = pd.to_datetime(cal["date"])
        cal["hours"] = cal["hours"].astype(float)
        _register(con, "_wi_cal_df", cal)
        cal_sql = "(SELECT CAST(date AS DATE) AS date, CAST(work_center AS VARCHAR) AS work_center, hours FROM _wi_cal_df)"
    if whatif.due:
        due = pd.DataFrame(list(whatif.due), columns=["line_id", "due"])
        due["due"] = pd.to_datetime(due["due"])
        due["line_id"] = due["line_id"].astype("int64")
        _register(con, "_wi_due_df", due)
        due_sql = "(SELECT line_id, CAST(due AS DATE) AS due FROM _wi_due_df)"
    return cal_sql, due_sql


# ---------------------------------------------------------------------------- capacity

def _build_capacity(con, start: date, end: date, whatif: WhatIf, work_centers=None) -> None:
    """Temp table _cap_cap(work_center, day, capacity) for every work center and day in [start, end]."""
    cal_sql, _ = _whatif_sources(con, whatif)
    wc_filter, params = "", []
    if work_centers is not None:
        wc_filter = "WHERE work_center IN (SELECT unnest(?::VARCHAR[]))"
        params = [list(work_centers)]
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE _cap_cap AS
        WITH days AS (
            SELECT CAST(d AS DATE) AS day
            FROM range(CAST(? AS DATE), CAST(? AS DATE) + INTERVAL 1 DAY, INTERVAL 1 DAY) r(d)),
        wi AS {cal_sql},
        cal AS (
            SELECT date, work_center, hours FROM calendar c
            WHERE date BETWEEN ? AND ?
              AND NOT EXISTS (SELECT 1 FROM wi WHERE wi.date = c.date AND wi.work_center = c.work_center)
            UNION ALL SELECT date, work_center, hours FROM wi),
        wc AS (SELECT * FROM work_centers {wc_filter})
        SELECT wc.work_center, d.day,
               coalesce(own.hours, every.hours,
                        CASE WHEN list_contains(?::INTEGER[], isodow(d.day)) THEN wc.hours_per_day ELSE 0 END)
               * wc.efficiency AS capacity
        FROM wc CROSS JOIN days d
        LEFT JOIN cal own ON own.date = d.day AND own.work_center = wc.work_center
        LEFT JOIN cal every ON every.date = d.day AND every.work_center = ''
    """, [start, end, start, end, *params, settings.working_weekdays(con)])


def capacity_by_day(con, start: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """Capacity hours per work center and day in [start, end] (work_center, day, capacity_hours).

    >>> from lib.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     list(capacity_by_day(cur, date(2026, 1, 1), date(2026, 1, 2)).columns)
    ['work_center', 'day', 'capacity_hours']
    """
    _build_capacity(con, start, end, whatif)
    return con.execute("SELECT work_center, day, capacity AS capacity_hours FROM _cap_cap "
                       "ORDER BY work_center, day").df()


# ---------------------------------------------------------------------------- load (backward)

def _open_lines_sql(due_sql: str, product_filter: str) -> str:
    return f"""
        SELECT o.line_id, o.order_no, o.line_no, o.customer, o.product,
               o.qty - o.shipped_qty AS rem_qty,
               coalesce(wi.due, o.promised_date, o.requested_date) AS due
        FROM order_lines o LEFT JOIN {due_sql} wi ON wi.line_id = o.line_id
        WHERE o.status = 'open' AND o.qty - o.shipped_qty > 0
          AND o.line_id NOT IN (SELECT unnest(?::BIGINT[])) {product_filter}"""


def _build_load(con, as_of: date, end: date, whatif: WhatIf = NO_WHATIF, work_centers=None,
                exclude_lines=()) -> None:
    """Temp tables _cap_cap (capacity per work center and day, as_of..end and the days the
    backward placement needs) and _cap_load(line_id, step, work_center, day, hours, overdue):
    every open line's steps placed backwards, one row per step and occupied day (days before
    as_of moved onto as_of)."""
    _, due_sql = _whatif_sources(con, whatif)
    product_filter, wc_params = "", []
    if work_centers is not None:
        product_filter = "AND o.product IN (SELECT product FROM routings WHERE work_center IN (SELECT unnest(?::VARCHAR[])))"
        wc_params = [list(work_centers)]
    line_params = [[int(x) for x in exclude_lines], *wc_params]
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE _cap_steps_all AS
        WITH lines AS ({_open_lines_sql(due_sql, product_filter)})
        SELECT l.line_id, l.due, r.step, r.work_center,
               r.setup_hours + r.run_hours_per_unit * l.rem_qty AS hours,
               greatest(r.lead_days, 1) AS lead,
               row_number() OVER (PARTITION BY l.line_id ORDER BY r.step DESC) AS pos,
               sum(greatest(r.lead_days, 1)) OVER (PARTITION BY l.line_id) AS total_lead
        FROM lines l JOIN routings r ON r.product = l.product
    """, line_params)
    lo, hi, max_lead, max_pos = con.execute(
        "SELECT min(due), max(due), max(total_lead), max(pos) FROM _cap_steps_all").fetchall()[0]
    # the placement needs working days well before the earliest due date: a week per lead day
    # covers a work center working one day a week; 60 days more cover a long shutdown
    start = min(as_of, lo) - timedelta(days=7 * int(max_lead) + 60) if lo is not None else as_of
    stop = max(end, hi) if hi is not None else end
    _build_capacity(con, start, stop, whatif)
    # numbered working days per work center; a work center with no working day at all in the
    # range (or one not in work_centers) is placed on calendar days, so its load still shows
    _run(con, """
        CREATE OR REPLACE TEMP TABLE _cap_wd AS
        SELECT work_center, day, row_number() OVER (PARTITION BY work_center ORDER BY day) AS idx
        FROM _cap_cap WHERE capacity > 0
    """)
    _run(con, """
        CREATE OR REPLACE TEMP TABLE _cap_steps (
            line_id BIGINT, pos BIGINT, step INTEGER, work_center VARCHAR, hours DOUBLE, lead INTEGER,
            start_idx BIGINT, end_idx BIGINT, start_day DATE, end_day DATE)""")
    for k in range(1, int(max_pos or 0) + 1):
        target = ("SELECT s.*, s.due AS x FROM _cap_steps_all s WHERE s.pos = 1" if k == 1 else
                  f"""SELECT s.*, CAST(p.start_day - INTERVAL 1 DAY AS DATE) AS x
                      FROM _cap_steps_all s JOIN _cap_steps p ON p.line_id = s.line_id AND p.pos = {k - 1}
                      WHERE s.pos = {k}""")
        _run(con, f"""
            INSERT INTO _cap_steps
            WITH t AS ({target}),
            e AS (SELECT t.line_id, t.pos, t.step, t.work_center, t.hours, t.lead, t.x, f.idx AS end_idx, f.day AS end_day
                  FROM t ASOF LEFT JOIN _cap_wd f ON f.work_center = t.work_center AND t.x >= f.day)
            SELECT e.line_id, e.pos, e.step, e.work_center, e.hours, e.lead,
                   CASE WHEN s.day IS NOT NULL THEN e.end_idx - e.lead + 1 END,
                   CASE WHEN s.day IS NOT NULL THEN e.end_idx END,
                   coalesce(s.day, CAST(e.x - (e.lead - 1) * INTERVAL 1 DAY AS DATE)),
                   CASE WHEN s.day IS NOT NULL THEN e.end_day ELSE e.x END
            FROM e LEFT JOIN _cap_wd s ON s.work_center = e.work_center AND s.idx = e.end_idx - e.lead + 1
        """)
    _run(con, """
        CREATE OR REPLACE TEMP TABLE _cap_load AS
        WITH days AS (
            SELECT p.line_id, p.step, p.work_center, p.hours / p.lead AS hours, w.day
            FROM (SELECT *, unnest(range(start_idx, end_idx + 1)) AS idx FROM _cap_steps
                  WHERE start_idx IS NOT NULL) p
            JOIN _cap_wd w ON w.work_center = p.work_center AND w.idx = p.idx
            UNION ALL
            SELECT line_id, step, work_center, hours / lead,
                   CAST(unnest(range(start_day, end_day + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS DATE)
            FROM _cap_steps WHERE start_idx IS NULL)
        SELECT line_id, step, work_center, greatest(day, CAST(? AS DATE)) AS day, hours, day < ? AS overdue
        FROM days
    """, [as_of, as_of])


def load(con, as_of: date, by: str = "week", weeks: int | None = None, end: date | None = None,
         whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """Load against capacity per work center and bucket, from as_of to `end` (default: the
    `load_weeks` setting's weeks ahead, to the end of the last week).

    Columns: work_center, period (2026-W51 ...), period_start, load_hours, capacity_hours,
    load_pct (None when there is no capacity), overdue_hours, band. The current bucket counts
    capacity from as_of only: earlier days are gone, their load was moved onto as_of.
    """
    _check_by(by)
    end = end or horizon_end(con, as_of, weeks)
    _build_load(con, as_of, end, whatif)
    return _buckets(con, as_of, end, by)


def horizon_end(con, as_of: date, weeks: int | None = None) -> date:
    """The Sunday ending the `weeks`-th ISO week counted from as_of's (default: load_weeks setting)."""
    weeks = int(weeks or settings.get("load_weeks", con))  # con may be None: the default
    return as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=weeks, days=-1)


def _buckets(con, as_of: date, end: date, by: str, work_center: str | None = None) -> pd.DataFrame:
    label, first = _LABEL[by].format(d="day"), _START[by].format(d="day")
    wc_filter, wc_params = ("AND work_center = ?", [work_center]) if work_center else ("", [])
    df = con.execute(f"""
        WITH c AS (SELECT work_center, {label} AS period, {first} AS period_start, sum(capacity) AS capacity_hours
                   FROM _cap_cap WHERE day BETWEEN ? AND ? {wc_filter} GROUP BY ALL),
        l AS (SELECT work_center, {label} AS period, {first} AS period_start, sum(hours) AS load_hours,
                     sum(hours) FILTER (WHERE overdue) AS overdue_hours
              FROM _cap_load WHERE day BETWEEN ? AND ? {wc_filter} GROUP BY ALL)
        SELECT coalesce(c.work_center, l.work_center) AS work_center, coalesce(c.period, l.period) AS period,
               coalesce(c.period_start, l.period_start) AS period_start,
               coalesce(l.load_hours, 0) AS load_hours, coalesce(c.capacity_hours, 0) AS capacity_hours,
               CASE WHEN coalesce(c.capacity_hours, 0) > 0 THEN coalesce(l.load_hours, 0) / c.capacity_hours END AS load_pct,
               coalesce(l.overdue_hours, 0) AS overdue_hours
        FROM c FULL JOIN l ON c.work_center = l.work_center AND c.period = l.period
        ORDER BY 1, 3
    """, [as_of, end, *wc_params, as_of, end, *wc_params]).df()
    df["band"] = [band(lh, ch) for lh, ch in zip(df["load_hours"], df["capacity_hours"])]
    df["load_pct"] = df["load_pct"].astype("float64").where(df["load_pct"].notna(), None)
    return df


def drilldown(con, as_of: date, work_center: str, period_start_day: date, by: str = "week",
              whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The order lines and steps that make one cell (work center x bucket): order, line,
    customer, product, remaining qty, due date, step, first and last day in the bucket, hours,
    overdue hours; largest first."""
    _check_by(by)
    first = period_start(period_start_day, by)
    last = {"day": first, "week": first + timedelta(days=6),
            "month": (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)}[by]
    _build_load(con, as_of, max(last, as_of), whatif, work_centers=[work_center])
    _, due_sql = _whatif_sources(con, whatif)
    return con.execute(f"""
        WITH lines AS ({_open_lines_sql(due_sql, '')})
        SELECT o.order_no, o.line_no, o.customer, o.product, o.rem_qty AS qty, o.due AS due_date,
               l.step, min(l.day) AS first_day, max(l.day) AS last_day, sum(l.hours) AS hours,
               coalesce(sum(l.hours) FILTER (WHERE l.overdue), 0) AS overdue_hours, o.line_id
        FROM _cap_load l JOIN lines o USING (line_id)
        WHERE l.work_center = ? AND l.day BETWEEN ? AND ?
        GROUP BY ALL ORDER BY hours DESC, o.order_no, o.line_no
    """, [[], work_center, max(first, as_of), last]).df()


def remaining(con, as_of: date, end: date, work_centers=None, whatif: WhatIf = NO_WHATIF,
              exclude_lines=()) -> pd.DataFrame:
    """Per work center and day in [as_of, end]: capacity, load and remaining = max(0, capacity - load).

    `work_centers` limits the work (only lines routed through them are placed); `exclude_lines`
    leaves lines out (to re-quote a line against everyone else's load)."""
    _build_load(con, as_of, end, whatif, work_centers=work_centers, exclude_lines=exclude_lines)
    wc_filter, params = "", []
    if work_centers is not None:
        wc_filter = "WHERE c.work_center IN (SELECT unnest(?::VARCHAR[]))"
        params = [list(work_centers)]
    return con.execute(f"""
        WITH l AS (SELECT work_center, day, sum(hours) AS load FROM _cap_load GROUP BY ALL)
        SELECT c.work_center, c.day, c.capacity, coalesce(l.load, 0) AS load,
               greatest(c.capacity - coalesce(l.load, 0), 0) AS remaining
        FROM _cap_cap c LEFT JOIN l USING (work_center, day)
        {wc_filter} {'AND' if wc_filter else 'WHERE'} c.day BETWEEN ? AND ?
        ORDER BY c.work_center, c.day
    """, [*params, as_of, end]).df()


def lines_at_risk(con, as_of: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """Open lines with a step in an overloaded week (band 'over') between as_of and `end`:
    order_no, line_no, customer, product, due_date, work_center, period. Used by the what-if
    panel to show which promises a change puts at risk or rescues."""
    _build_load(con, as_of, end, whatif)
    over = _buckets(con, as_of, end, "week")
    over = over[over["band"] == "over"][["work_center", "period"]]
    _register(con, "_cap_over", over)
    _, due_sql = _whatif_sources(con, whatif)
    return con.execute(f"""
        WITH lines AS ({_open_lines_sql(due_sql, '')})
        SELECT DISTINCT o.order_no, o.line_no, o.customer, o.product, o.due AS due_date,
               l.work_center, strftime(l.day, '%G-W%V') AS period, o.line_id
        FROM _cap_load l JOIN lines o USING (line_id)
        JOIN _cap_over v ON v.work_center = l.work_center AND v.period = strftime(l.day, '%G-W%V')
        WHERE l.day BETWEEN ? AND ?
        ORDER BY due_date, order_no, line_no, work_center
    """, [[], as_of, end]).df()


def peak_load(con, as_of: date, weeks: int | None = None) -> tuple[str, str, float] | None:
    """(work_center, week label, load share) of the highest weekly load in the coming weeks,
    or None when no work center has capacity and load. A bucket with load but no capacity
    is reported with share inf only if nothing else has load (it cannot be ranked).

    >>> from lib.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     peak_load(cur, date(2026, 11, 25)) is None
    True
    """
    df = load(con, as_of, by="week", weeks=weeks)
    df = df[df["load_pct"].notna() & (df["load_hours"] > 0)]
    if df.empty:
        return None
    top = df.sort_values(["load_pct", "period_start", "work_center"], ascending=[False, True, True]).iloc[0]
    return str(top["work_center"]), str(top["period"]), float(top["load_pct"])


def unrouted_lines(con) -> pd.DataFrame:
    """Open lines whose product has no routing: they carry no load, so the heatmap cannot show them."""
    return con.execute("""
        SELECT line_id, order_no, line_no, customer, product, qty - shipped_qty AS qty
        FROM order_lines o
        WHERE status = 'open' AND qty > shipped_qty
          AND NOT EXISTS (SELECT 1 FROM routings r WHERE r.product = o.product)
        ORDER BY order_no, line_no""").df()


def work_center_days(con, work_center: str, start: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The raw calendar hours (before efficiency) of one work center per day — what a what-if
    adds overtime or a shift to."""
    _build_capacity(con, start, end, whatif, work_centers=[work_center])
    return con.execute("""
        SELECT c.day, c.capacity / w.efficiency AS hours, w.hours_per_day, w.efficiency
        FROM _cap_cap c JOIN work_centers w USING (work_center) ORDER BY day""").df()


def save_calendar(db, user, rows: list[tuple[date, str, float]], reason: str = "what-if") -> int:
    """Write what-if calendar rows (date, work_center, hours) in one audited transaction:
    a row replaces the stored one of the same date and work center. Returns the rows written."""
    from lib.errors import ValidationError
    with db.transaction(user, source="what-if", need="edit", department="pmc") as tx:
        known = set(tx.query("SELECT work_center FROM work_centers")["work_center"])
        for d, wc, hours in rows:
            if wc and wc not in known:
                raise ValidationError(f"there is no work center {wc!r}.", where="work center")
            if not 0 <= float(hours) <= 24:
                raise ValidationError(f"{hours} hours is outside 0-24.", where="hours")
            key = {"date": d, "work_center": wc}
            if tx.fetch("calendar", key) is None:
                tx.insert("calendar", {**key, "hours": float(hours), "reason": reason})
            else:
                tx.update("calendar", key, {"hours": float(hours), "reason": reason})
    return len(rows)
