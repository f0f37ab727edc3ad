"""What-if on the planned load, and what it would take to make a late line (or an inquiry) on time.

* `compare(con, as_of, whatif)`: re-plan with unsaved calendar changes (overtime, a holiday
  worked) or new due dates, and state the effect on the one late list: late lines before and
  after, which lines are rescued or newly late, and the hours still missing, per work center and
  week.
* Hours missing: when a line cannot be planned on time, the planned load works out (at its turn,
  against the capacity the lines before it left) how many hours each of its steps lacks: the step
  works back from its latest end day as the on-time rule says, but no earlier than it could start
  if every step before it took only its lead days (so they keep room). What is free there falls
  short by the missing hours, due by that latest end day; they are counted in its ISO week.
  A line whose lead days alone do not fit before its due date (or that is already past due)
  cannot be rescued by overtime.
* `rescue(con, as_of, line_id)`: the overtime that would make one late line on time: its
  missing hours placed on the working days of each step's window, latest first, at most the
  `max_overtime_hours` setting per day (calendar hours, before efficiency), then checked by
  re-planning with that overtime: the answer says whether the line is then on time, since a
  line earlier in priority may take part of it.
* `inquiry(con, p)`: the same for a quote whose requested date does not hold: the overtime on
  the free capacity the plan leaves, and the material that would have to arrive earlier.

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     compare(cur, date(2026, 11, 25), WhatIf()).after
    0
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib import settings
from lib.plan import capacity, late, planned
from lib.plan.grid import NO_WHATIF, WhatIf


@dataclass
class Comparison:
    before: int                      # late lines without the what-if (the one list's count)
    after: int                       # ... with it
    rescued: pd.DataFrame            # late before, not after (late-list rows, before)
    newly_late: pd.DataFrame         # late after, not before (late-list rows, after)
    missing: pd.DataFrame            # after: work_center, week, hours (most first)
    lead_bound: int                  # after: late lines that no overtime can rescue

    @property
    def missing_total(self) -> float:
        return float(self.missing["hours"].sum()) if len(self.missing) else 0.0


def missing_hours(p: planned.Plan) -> pd.DataFrame:
    """The hours the plan's late lines lack before their due dates, per work center and ISO
    week of the step's latest end day (work_center, week, week_start, hours), most first."""
    li = p.lines
    late_i = np.flatnonzero(li["status"].isin(["late", "unplanned"]).to_numpy() & (li["missing_hours"].to_numpy() > 0))
    if not len(late_i):
        return pd.DataFrame({"work_center": [], "week": [], "week_start": [], "hours": []})
    mask = np.isin(p.s_line, late_i) & (p.s_missing > 1e-9)
    days = p.s_x[mask]
    day = pd.to_datetime(p.as_of) + pd.to_timedelta(days, unit="D")
    df = pd.DataFrame({"work_center": np.array(p.grid.work_centers, dtype=object)[p.s_wc[mask]],
                       "week_start": (day - pd.to_timedelta(day.day_of_week, unit="D")).normalize(),
                       "hours": p.s_missing[mask]})
    df["week"] = [capacity.period_label(d.date(), "week") for d in df["week_start"]]
    out = df.groupby(["work_center", "week", "week_start"], as_index=False)["hours"].sum()
    return out.sort_values(["hours", "week_start", "work_center"], ascending=[False, True, True]).reset_index(drop=True)


def compare(con, as_of: date, whatif: WhatIf) -> Comparison:
    """The what-if's effect on the late list (see the module docstring)."""
    before = late.late_lines(con, as_of)
    after = late.late_lines(con, as_of, whatif=whatif)
    p = planned.plan(con, as_of, whatif)
    stuck = p.lines["status"].isin(["late", "unplanned"]) & (p.lines["missing_hours"] < 0)
    return Comparison(len(before), len(after), before[~before["line_id"].isin(after["line_id"])].reset_index(drop=True),
                      after[~after["line_id"].isin(before["line_id"])].reset_index(drop=True),
                      missing_hours(p), int(stuck.sum()))


# ---------------------------------------------------------------------------- what it would take

@dataclass
class Rescue:
    """What would make one line (or an inquiry) on time."""
    lead_bound: bool = False                 # its lead days alone do not fit before the date
    overtime: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"work_center": [], "day": [], "capacity_hours": [], "calendar_hours": [], "usual_hours": []}))
    short: float = 0.0                       # hours even the most overtime cannot cover
    verified: str | None = None              # the line's status when re-planned with the overtime
    days_late_after: int | None = None
    material: dict | None = None             # {material, po, ready, needed_by}: to arrive earlier (inquiry)

    @property
    def by_week(self) -> pd.DataFrame:
        """Overtime per work center and ISO week: work_center, week, capacity_hours, calendar_hours."""
        if self.overtime.empty:
            return pd.DataFrame({"work_center": [], "week": [], "capacity_hours": [], "calendar_hours": []})
        o = self.overtime.assign(week=[capacity.period_label(d, "week") for d in self.overtime["day"]])
        return o.groupby(["work_center", "week"], as_index=False, sort=False)[["capacity_hours", "calendar_hours"]].sum()

    def as_whatif(self, base: WhatIf = NO_WHATIF) -> WhatIf:
        """The overtime as what-if calendar rows: each day's usual calendar hours plus the overtime."""
        rows = {(d, w): h for d, w, h in base.calendar}
        for r in self.overtime.itertuples():
            rows[(r.day, r.work_center)] = r.usual_hours + r.calendar_hours
        return WhatIf(tuple(sorted((d, w, float(h)) for (d, w), h in rows.items())), base.due)


def _overtime_caps(con, work_centers: list[str]) -> np.ndarray:
    """Overtime a work center can add on a working day, in capacity hours (setting x efficiency)."""
    cap_ot = float(settings.get("max_overtime_hours", con))
    eff = dict(con.execute("SELECT work_center, efficiency FROM work_centers").fetchall())
    return np.array([cap_ot * float(eff.get(w) or 0.0) for w in work_centers])


def _rescue(con, work_centers, cap, as_of: date, sf: planned.Shortfall, s_wc) -> Rescue:
    if sf.lead_bound:
        return Rescue(lead_bound=True)
    eff = dict(con.execute("SELECT work_center, efficiency FROM work_centers").fetchall())
    rows = []
    for j, d, h in zip(sf.o_step, sf.o_day, sf.o_hours):
        w = int(s_wc[j])
        wc = work_centers[w]
        e = float(eff.get(wc) or 1.0)
        rows.append((wc, as_of + timedelta(days=int(d)), float(h), float(h) / e, float(cap[w, d]) / e))
    df = pd.DataFrame(rows, columns=["work_center", "day", "capacity_hours", "calendar_hours", "usual_hours"])
    if len(df):
        df = df.groupby(["work_center", "day"], as_index=False).agg(
            capacity_hours=("capacity_hours", "sum"), calendar_hours=("calendar_hours", "sum"),
            usual_hours=("usual_hours", "first")).sort_values(["day", "work_center"]).reset_index(drop=True)
    return Rescue(overtime=df, short=float(sf.missing.sum()))


def rescue(con, as_of: date, line_id: int, whatif: WhatIf = NO_WHATIF) -> Rescue | None:
    """The overtime that would make the open line `line_id` on time, worked out against the free
    hours at its turn in the plan and checked by re-planning with it (None when the line is on
    time or not in the plan)."""
    p = planned.plan(con, as_of, whatif)
    hit = np.flatnonzero(p.lines["line_id"].to_numpy() == int(line_id))
    if not len(hit):
        return None
    i = int(hit[0])
    if p.lines["status"].iloc[i] in ("on_time", "forward"):
        return None
    due = int((p.lines["due"].iloc[i] - pd.Timestamp(as_of)).days)
    s_wc, s_hours, s_lead = p.step_hours(i)
    sf = planned.shortfall(p.grid.cap, p.free_at(i), due, 0, s_wc, s_hours, s_lead,
                           _overtime_caps(con, p.grid.work_centers))
    r = _rescue(con, p.grid.work_centers, p.grid.cap, as_of, sf, s_wc)
    if not r.overtime.empty:
        again = planned.plan(con, as_of, r.as_whatif(whatif))
        after = again.lines[again.lines["line_id"] == int(line_id)].iloc[0]
        r.verified = after["status"]
        r.days_late_after = None if pd.isna(after["late_days"]) else int(after["late_days"])
    return r


# ---------------------------------------------------------------------------- an inquiry

def inquiry(con, p) -> Rescue | None:
    """For a quote (lib.plan.promise.Promise) whose requested date does not hold: the overtime,
    on the free hours the plan leaves, that would make the requested date hold, and the material
    that would have to arrive earlier. None when the requested date holds or the inquiry cannot
    be planned at all (no routing, a work center without capacity)."""
    if p.requested_ok:
        return None
    plan = planned.plan(con, p.as_of)
    g = plan.grid
    routing = con.execute("SELECT work_center, setup_hours, run_hours_per_unit, greatest(lead_days, 1) FROM routings "
                          "WHERE product = ? ORDER BY step", [p.product]).fetchall()
    if not routing or any(g.row(w) is None or not (g.cap[g.row(w)] > 0).any() for w, *_ in routing):
        return None
    days = (plan.end - p.as_of).days + 1
    cap = np.ascontiguousarray(g.cap[:, :days])
    s_wc = [g.row(w) for w, *_ in routing]
    due = (p.requested - p.as_of).days - int(settings.get("shipping_buffer_days", con))
    sf = planned.shortfall(cap, plan.free[:, :days], due, 0, s_wc, [s + r * p.qty for _, s, r, _ in routing],
                           [lead for *_, lead in routing], _overtime_caps(con, g.work_centers))
    r = _rescue(con, g.work_centers, cap, p.as_of, sf, s_wc)
    if not sf.lead_bound and p.material_ready is not None and p.material_ready > p.as_of and p.materials:
        # the first step must start by its first day in the on-time plan: its material is needed by then
        needed_by = p.as_of + timedelta(days=int(sf.first[0]))
        late_parts = [m for m in p.materials if m["ready"] is not None and m["ready"] > needed_by]
        if late_parts:
            comp = max(late_parts, key=lambda m: m["ready"])
            r.material = {"material": comp["material"], "po": comp.get("po"), "ready": comp["ready"],
                          "needed_by": needed_by}
    if not r.overtime.empty and r.material is None:
        from lib.plan import promise
        again = promise.quote(con, p.product, p.qty, p.requested, as_of=p.as_of, whatif=r.as_whatif())
        r.verified = "on_time" if again.requested_ok else ("late" if again.promise_date else "unplanned")
        r.days_late_after = None if again.promise_date is None else max(0, again.days_late)
    return r


def for_inquiry(con, product: str, qty, requested, as_of: date) -> Rescue | None:
    """inquiry() of the quote of (product, qty, requested) as of `as_of` (plain arguments, so a
    page can cache it)."""
    from lib.plan import promise
    return inquiry(con, promise.quote(con, product, qty, requested, as_of=as_of))
