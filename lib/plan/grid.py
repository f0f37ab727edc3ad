"""Capacity per work center and day, and the open lines the load engines place: what the
required load (lib.plan.capacity) and the planned load (lib.plan.planned) both start from.

Capacity(W, d) = hours(W, d) x efficiency(W), where hours are the work center's hours_per_day on
the factory's working weekdays, replaced by a calendar row for that day (a row for W wins over
the row for all work centers, ''); a what-if's rows replace stored ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from lib import settings


@dataclass(frozen=True)
class WhatIf:
    """Unsaved changes to try: calendar rows (date, work_center, hours; '' = all work centers)
    that replace the stored ones, and new due dates for order lines (line_id, date)."""
    calendar: tuple[tuple[date, str, float], ...] = ()
    due: tuple[tuple[int, date], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.calendar or self.due)


NO_WHATIF = WhatIf()


def as_date(v) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


@dataclass
class Grid:
    """Capacity hours per work center (rows) and day (columns; column 0 is `start`). Rows from
    `known` on are work centers a routing names but the work_centers table lacks: no capacity."""
    start: date
    work_centers: list[str]
    cap: np.ndarray
    known: int
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {w: i for i, w in enumerate(self.work_centers)}

    def row(self, work_center: str) -> int | None:
        return self._index.get(work_center)

    def col(self, day: date) -> int:
        return (day - self.start).days

    @property
    def days(self) -> int:
        return self.cap.shape[1]


def capacity_grid(con, start: date, end: date, whatif: WhatIf = NO_WHATIF, work_centers=None,
          extra=()) -> Grid:
    """Capacity(W, d) = hours(W, d) x efficiency(W) for every work center and day in [start, end]:
    hours_per_day on working weekdays, replaced by the calendar row of W, else the row for all
    (''); what-if rows replace stored ones. `extra` adds rows without capacity (unknown work
    centers that routings name)."""
    wcs = con.execute("SELECT work_center, hours_per_day, efficiency FROM work_centers ORDER BY work_center").fetchall()
    if work_centers is not None:
        keep = set(work_centers)
        wcs = [r for r in wcs if r[0] in keep]
    names = [r[0] for r in wcs]
    n = max((end - start).days + 1, 0)
    iso = (start.weekday() + np.arange(n)) % 7 + 1
    working = np.isin(iso, settings.working_weekdays(con))
    hpd = np.array([r[1] for r in wcs], dtype=float)
    eff = np.array([r[2] for r in wcs], dtype=float)
    hours = np.where(working[None, :], hpd[:, None], 0.0) if len(wcs) else np.zeros((0, n))
    cal = {(int(d), w): float(h) for d, w, h in con.execute(
        "SELECT date_diff('day', ?::DATE, date), work_center, hours FROM calendar WHERE date BETWEEN ? AND ?",
        [start, start, end]).fetchall()}
    for d, w, h in whatif.calendar:
        off = (as_date(d) - start).days
        if 0 <= off < n:
            cal[(off, str(w or ""))] = float(h)
    index = {w: i for i, w in enumerate(names)}
    for (off, w), h in cal.items():           # the row for all first, a work center's own row wins
        if w == "":
            hours[:, off] = h
    for (off, w), h in cal.items():
        if w in index:
            hours[index[w], off] = h
    cap = hours * eff[:, None]
    extra = sorted(set(extra) - set(names))
    if extra:
        cap = np.vstack([cap, np.zeros((len(extra), n))])
    return Grid(start, names + extra, cap, len(names))


def open_lines_sql(product_filter: str = "") -> str:
    """Open lines with their due date (what-if, else promised, else requested). Parameters:
    what-if line ids, what-if dates, lines to leave out, then product_filter's."""
    return f"""
        SELECT o.line_id, o.order_no, o.line_no, o.customer, o.product,
               o.qty - o.shipped_qty AS rem_qty, o.qty, o.shipped_qty,
               coalesce(wi.due, o.promised_date, o.requested_date) AS due
        FROM order_lines o
        LEFT JOIN (SELECT unnest(?::BIGINT[]) AS line_id, unnest(?::DATE[]) AS due) wi ON wi.line_id = o.line_id
        WHERE o.status = 'open' AND o.qty - o.shipped_qty > 0
          AND o.line_id NOT IN (SELECT unnest(?::BIGINT[])) {product_filter}"""


def line_params(whatif: WhatIf, exclude_lines=()) -> list:
    return [[int(i) for i, _ in whatif.due], [as_date(d) for _, d in whatif.due], [int(x) for x in exclude_lines]]


def step_progress(con, line_ids, steps) -> "np.ndarray":
    """The qty done so far at each (line, step) pair (order_operations; 0 where nothing is
    reported), aligned with the given arrays."""
    import pandas as pd
    if not len(line_ids):
        return np.zeros(0)
    done = con.execute("SELECT line_id, step, qty_done FROM order_operations").df()
    if done.empty:
        return np.zeros(len(line_ids))
    key = pd.DataFrame({"line_id": np.asarray(line_ids, np.int64), "step": np.asarray(steps, np.int64)})
    return key.merge(done.astype({"line_id": "int64", "step": "int64"}), on=["line_id", "step"], how="left"
                     )["qty_done"].fillna(0.0).to_numpy(float)


def step_hours(qty, shipped, done, setup, run) -> tuple["np.ndarray", "np.ndarray"]:
    """Hours a step still needs, and whether it is still open: setup + run x what is left at the
    step, where what is left = qty - max(qty done at the step, qty shipped) (DESIGN.md's
    remaining qty when no progress is reported); a step begun (qty done > 0) has its setup behind
    it; a step done for the whole qty needs nothing.

    >>> h, open_ = step_hours(np.array([100., 100, 100]), np.array([0., 0, 0]), np.array([0., 40, 100]),
    ...                       np.array([2., 2, 2]), np.array([0.1, 0.1, 0.1]))
    >>> h.round(6).tolist(), open_.tolist()
    ([12.0, 6.0, 0.0], [True, True, False])
    """
    left = np.maximum(np.asarray(qty, float) - np.maximum(np.asarray(done, float), np.asarray(shipped, float)), 0.0)
    open_ = left > 1e-9
    hours = np.where(open_, np.where(np.asarray(done, float) > 0, 0.0, setup) + np.asarray(run, float) * left, 0.0)
    return hours, open_


BY = ("day", "week", "month")


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


def check_by(by: str) -> None:
    if by not in BY:
        raise ValueError(f"by is one of {', '.join(BY)}, not {by!r}")
