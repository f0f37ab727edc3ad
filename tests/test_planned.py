"""The planned load (DESIGN.md → Engines → Planned load): hand-computed factories, the worked
example, and random factories checked against the plain per-line rule in tests/reference_plan.py."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.plan import planned
from lib.plan.capacity import WhatIf
from lib.store.db import Database
from tests.reference_plan import plan_lines

MON = date(2027, 3, 1)            # a Monday


def _day(n: int) -> date:
    return MON + timedelta(days=n)


def factory(db, work_centers, routings, lines, calendar=()):
    """work_centers: (wc, hours_per_day[, efficiency]); routings: (product, step, wc, setup, run,
    lead); lines: (order, line, product, qty, due offset from MON[, order_date offset[, promised]]);
    calendar: (offset, wc or '', hours)."""
    with db.cursor() as cur:
        for wc in work_centers:
            cur.execute("INSERT INTO work_centers VALUES (?, ?, 'L', ?, ?)", [wc[0], wc[0], wc[1], wc[2] if len(wc) > 2 else 1])
        for p in sorted({r[0] for r in routings} | {ln[2] for ln in lines}):
            cur.execute("INSERT INTO products (product, name, family) VALUES (?, ?, 'F')", [p, p])
        for r in routings:
            cur.execute("INSERT INTO routings VALUES (?, ?, ?, ?, ?, ?)", list(r))
        for ln in lines:
            order_day = ln[5] if len(ln) > 5 else -30
            cur.execute("INSERT INTO order_lines (order_no, line_no, customer, product, qty, order_date, requested_date)"
                        " VALUES (?, ?, 'C1', ?, ?, ?, ?)", [ln[0], ln[1], ln[2], ln[3], _day(order_day), _day(max(ln[4], order_day))])
        for d, wc, h in calendar:
            cur.execute("INSERT INTO calendar (date, work_center, hours) VALUES (?, ?, ?)", [_day(d), wc, h])
    return db


def _plan(db, as_of=MON, **kw):
    with db.cursor() as cur:
        return planned.build(cur, as_of, **kw)


def _by_order(p):
    return {(r.order_no, r.line_no): r for r in p.lines.itertuples()}


def test_the_worked_example_of_design(db):
    """One work center of 8 h a day, lines of one 8 h step (lead 1) all due Wednesday, today
    Monday: the first takes Wednesday, the second Tuesday, the third Monday; a fourth goes
    forward and finishes Thursday: 1 day late."""
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [(f"SO{i}", 1, "P", 8, 2) for i in range(1, 5)])
    p = _plan(db)
    rows = _by_order(p)
    assert [rows[(f"SO{i}", 1)].status for i in range(1, 5)] == ["on_time", "on_time", "on_time", "late"]
    assert [rows[(f"SO{i}", 1)].finish.date() for i in range(1, 5)] == [_day(2), _day(1), _day(0), _day(3)]
    late = p.late_lines()
    assert late[["order_no", "days_late", "work_center", "step"]].values.tolist() == [["SO4", 1, "W", 1]]
    assert p.load[0, :5].tolist() == [8, 8, 8, 8, 0]


def test_steps_backward_respect_lead_days_and_the_step_after(db):
    """P: CUT (setup 2 + 1 h/unit, lead 2) -> WELD (4 h, lead 1); 6 units due Friday (day 4).
    WELD ends Friday, taking 4 h of its 8 (day 4). CUT must end on the last working day of CUT
    before Friday: Thursday (day 3); it takes 8 h: Thursday 8 -> covered on day 3, but lead 2
    makes its first day Wednesday (day 2)."""
    factory(db, [("CUT", 8), ("WELD", 8)], [("P", 1, "CUT", 2, 1, 2), ("P", 2, "WELD", 4, 0, 1)],
            [("SO1", 1, "P", 6, 4)])
    p = _plan(db)
    assert p.lines.status.tolist() == ["on_time"]
    assert p.s_start.tolist() == [2, 4] and p.s_finish.tolist() == [3, 4]
    load = p.load
    cut, weld = p.grid.row("CUT"), p.grid.row("WELD")
    assert load[cut, :5].tolist() == [0, 0, 0, 8, 0] and load[weld, :5].tolist() == [0, 0, 0, 0, 4]


def test_a_step_takes_what_each_day_has_free_backward(db):
    """SO1 (due Tue) takes 6 of Tuesday's 8 h; SO2 (due Wed, 12 h) takes Wednesday's 8 and the
    2 left on Tuesday, then 2 on Monday: first day Monday."""
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [("SO1", 1, "P", 6, 1), ("SO2", 1, "P", 12, 2)])
    p = _plan(db)
    assert p.lines.status.tolist() == ["on_time", "on_time"]
    assert p.load[0, :3].tolist() == [2, 8, 8]
    assert p.s_start.tolist() == [1, 0]


def test_priority_is_due_date_then_order_date_then_order_then_line(db):
    """Four 8 h lines on one 8 h/day work center, all due Monday (day 0): only the first in
    priority fits Monday; the others go forward in priority order."""
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [
        ("SO-B", 2, "P", 8, 0, -20), ("SO-B", 10, "P", 8, 0, -20),    # line 2 before line 10 (as numbers)
        ("SO-A", 1, "P", 8, 0, -20),                                  # order SO-A before SO-B
        ("SO-Z", 1, "P", 8, 0, -40),                                  # ordered earlier: first
    ])
    p = _plan(db)
    assert list(zip(p.lines.order_no, p.lines.line_no)) == [("SO-Z", 1), ("SO-A", 1), ("SO-B", 2), ("SO-B", 10)]
    assert [f.date() for f in p.lines.finish] == [_day(0), _day(1), _day(2), _day(3)]
    assert p.lines.late_days.tolist() == [0, 1, 2, 3]


def test_a_line_due_before_today_goes_forward_at_once(db):
    """Due last Friday (day -3): planned forward from today, 3 days late."""
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [("SO1", 1, "P", 4, -3, -30)])
    p = _plan(db)
    r = p.lines.iloc[0]
    assert (r.status, r.finish.date(), r.late_days) == ("late", _day(0), 3)


def test_forward_respects_calendar_lead_days_and_the_next_working_day(db):
    """Due today (day 0) but 3 days of work: backward fails (no room before today). Forward:
    CUT 20 h at 8 h/day, Tuesday a holiday for all -> Mon 8, Wed 8, Thu 4: finishes Thursday
    (day 3); WELD (lead 2) starts Friday, its 2 h are covered Friday but lead 2 runs to the next
    working day, Monday (day 7): 7 days late."""
    factory(db, [("CUT", 8), ("WELD", 8)], [("P", 1, "CUT", 0, 1, 1), ("P", 2, "WELD", 2, 0, 2)],
            [("SO1", 1, "P", 20, 0, -10)], calendar=[(1, "", 0)])
    p = _plan(db)
    r = p.lines.iloc[0]
    assert (r.status, r.finish.date(), r.late_days, r.work_center, r.step) == ("late", _day(7), 7, "WELD", 2)
    assert p.s_start.tolist() == [0, 4] and p.s_finish.tolist() == [3, 7]


def test_a_line_that_cannot_be_planned_in_the_horizon_takes_no_hours(db):
    """Horizon 7 days; SO1's second step needs 80 h of an 8 h/day work center: unplanned, named
    with that step, and its first step gives back what it took (SO2 then gets it)."""
    factory(db, [("A", 8), ("B", 8)], [("P", 1, "A", 0, 1, 1), ("P", 2, "B", 0, 10, 1), ("Q", 1, "A", 0, 1, 1)],
            [("SO1", 1, "P", 8, 3), ("SO2", 1, "Q", 40, 4)])
    from lib import settings as s
    from lib.people.auth import SYSTEM
    s.set_value(db, SYSTEM, "horizon_days", 7)
    p = _plan(db)
    rows = _by_order(p)
    assert (rows[("SO1", 1)].status, rows[("SO1", 1)].work_center, rows[("SO1", 1)].step) == ("unplanned", "B", 2)
    assert rows[("SO2", 1)].status == "on_time"        # 40 h on A: Mon-Fri, nothing taken by SO1
    late = p.late_lines()
    assert late["status"].tolist() == ["unplanned"] and late["projected_finish"].isna().all()
    assert late["days_late"].isna().all()


def test_a_work_center_without_capacity_leaves_the_line_unplanned(db):
    factory(db, [("A", 8)], [("P", 1, "A", 0, 1, 1), ("P", 2, "GHOST", 0, 1, 1)], [("SO1", 1, "P", 2, 5)])
    r = _plan(db).lines.iloc[0]
    assert (r.status, r.work_center, r.step) == ("unplanned", "GHOST", 2)


def test_what_if_overtime_rescues_a_late_line(db):
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [(f"SO{i}", 1, "P", 8, 2) for i in range(1, 5)])
    p = _plan(db, whatif=WhatIf(calendar=((_day(2), "W", 16.0),)))
    assert p.late_lines().empty


# ---------------------------------------------------------------------------- against the plain rule

def _random_factory(draw):
    n_wc = draw(st.integers(1, 3))
    days = draw(st.integers(5, 25))
    cap = [[draw(st.sampled_from([0.0, 0.0, 4.0, 8.0, 8.0, 10.0])) for _ in range(days)] for _ in range(n_wc)]
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        n = draw(st.integers(1, 3))
        steps = [(draw(st.integers(0, n_wc - 1)), draw(st.sampled_from([0.0, 1.5, 4.0, 8.0, 13.0, 30.0])),
                  draw(st.integers(1, 3))) for _ in range(n)]
        lines.append((draw(st.integers(-3, days + 2)), steps))
    return cap, lines


@st.composite
def factories(draw):
    return _random_factory(draw)


def _kernel(cap, lines):
    cap_a = np.array(cap, dtype=float)
    cnt, wd = planned._working_days(cap_a)
    s_wc = np.array([w for _, steps in lines for w, _, _ in steps], dtype=np.int64)
    s_hours = np.array([h for _, steps in lines for _, h, _ in steps], dtype=float)
    s_lead = np.array([lead for _, steps in lines for _, _, lead in steps], dtype=np.int64)
    l_n = np.array([len(steps) for _, steps in lines], dtype=np.int64)
    l_first = (np.cumsum(l_n) - l_n).astype(np.int64)
    l_due = np.array([due for due, _ in lines], dtype=np.int64)
    return planned._run(cap_a, cnt, wd, l_due, l_first, l_n, s_wc, s_hours, s_lead, len(cap[0]) - 1,
                        planned.EPS), l_first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(factories())
def test_the_engine_is_the_plain_rule(fx):
    cap, lines = fx
    want, want_entries = plan_lines(cap, lines)
    (status, finish, which, _, _, e_step, e_day, e_hours, free, *_), l_first = _kernel(cap, lines)
    got = [(planned.STATUS[int(s)], None if s == planned.UNPLANNED else int(f), int(w - l_first[i]))
           for i, (s, f, w) in enumerate(zip(status, finish, which))]
    assert got == want
    # the same hours on the same days
    line_of = np.repeat(np.arange(len(lines)), [len(s) for _, s in lines])
    s_wc = [w for _, steps in lines for w, _, _ in steps]
    mine: dict = {}
    for j, d, h in zip(e_step, e_day, e_hours):
        key = (int(line_of[j]), s_wc[j], int(d))
        mine[key] = mine.get(key, 0) + h
    theirs: dict = {}
    for li, _, w, d, h in want_entries:
        theirs[(li, w, d)] = theirs.get((li, w, d), 0) + h
    assert mine.keys() == theirs.keys()
    assert all(abs(mine[k] - theirs[k]) < 1e-6 for k in mine)
    assert (free >= -1e-9).all()


def test_no_open_lines_is_an_empty_plan(db):
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [])
    p = _plan(db)
    assert p.lines.empty and p.late_lines().empty and p.load.sum() == 0


@pytest.fixture
def db():
    d = Database(":memory:")
    yield d
    d.close()


def _progress(db, order, step, qty_done):
    with db.transaction() as tx:
        line_id = tx.query("SELECT line_id FROM order_lines WHERE order_no = ?", [order]).iloc[0, 0]
        tx.insert("order_operations", {"line_id": int(line_id), "step": step, "qty_done": qty_done})


def test_steps_done_are_not_planned_again(db):
    """SO1: CUT (2 + 0.1/unit = 8 h, lead 2) -> WELD (4 h) for 60 units, due Tuesday (day 1).
    Without a report, CUT would have to end Monday with lead 2, i.e. start last Friday: the line
    goes forward (CUT Mon-Tue, WELD Wed), 1 day late. With CUT reported done (60 of 60) only WELD
    is left: 4 h on Tuesday, on time."""
    factory(db, [("CUT", 8), ("WELD", 8)], [("P", 1, "CUT", 2, 0.1, 2), ("P", 2, "WELD", 4, 0, 1)],
            [("SO1", 1, "P", 60, 1)])
    assert _plan(db).lines.status.tolist() == ["late"]
    _progress(db, "SO1", 1, 60)
    p = _plan(db)
    assert p.lines.status.tolist() == ["on_time"] and p.s_step.tolist() == [2]
    assert p.load[p.grid.row("WELD"), :2].tolist() == [0, 4] and p.load[p.grid.row("CUT")].sum() == 0


def test_a_step_begun_has_its_setup_behind_it(db):
    """CUT 2 h setup + 0.1 h/unit x 60 = 8 h; with 20 done: 0.1 x 40 = 4 h left, no setup."""
    factory(db, [("CUT", 8)], [("P", 1, "CUT", 2, 0.1, 1)], [("SO1", 1, "P", 60, 4)])
    _progress(db, "SO1", 1, 20)
    p = _plan(db)
    assert p.e_hours.sum() == pytest.approx(4.0)
    from lib.plan import capacity
    with db.cursor() as cur:
        req = capacity.load(cur, MON, by="week", weeks=1)
    assert req["load_hours"].sum() == pytest.approx(4.0)


def test_a_line_with_every_step_done_waits_only_to_ship(db):
    factory(db, [("CUT", 8)], [("P", 1, "CUT", 2, 0.1, 1)], [("SO1", 1, "P", 60, -2, -30)])
    _progress(db, "SO1", 1, 60)
    p = _plan(db)
    assert p.lines.empty and p.late_lines().empty
