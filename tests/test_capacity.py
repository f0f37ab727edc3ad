"""Capacity and load (DESIGN.md → Engines → Calendar and capacity, Load), on the hand-built
scenario in tests/data/capacity/load_*.csv. As of Wednesday 2026-11-25; Monday–Friday.

CUT: 8 h/day, efficiency 1. WELD: 8 h/day, efficiency 0.5 (4 h/day).
Calendar: 11-26 holiday for all (0 h); 11-28 (Sat) CUT 10 h overtime; 11-30 WELD 12 h (→ 6 h).
P1: CUT (setup 1, run 0.1, lead 2) → WELD (run 0.05, lead 1). P2: WELD (setup 2, run 0.1, lead 3).
Lines: SO1 P1 100 due Sun 12-06 (requested); SO2 P2 40-10 shipped, promised Fri 11-27;
SO3 P1 50 promised 11-24 (past due); SO4 cancelled; SO5 P3 without routing; SO6 fully shipped.
"""
from datetime import date

import pandas as pd
import pytest

from lib.plan import capacity
from lib.plan.capacity import WhatIf
from tests.conftest import DATA, load_scenario

AS_OF = date(2026, 11, 25)
D = DATA / "capacity"


@pytest.fixture
def factory(db):
    load_scenario(db, "load")
    return db


def cell(df, wc, period):
    row = df[(df["work_center"] == wc) & (df["period"] == period)]
    assert len(row) == 1, (wc, period, df)
    return row.iloc[0]


def test_capacity_applies_weekdays_efficiency_holiday_and_overtime(factory):
    with factory.cursor() as cur:
        cap = capacity.capacity_by_day(cur, date(2026, 11, 25), date(2026, 11, 30))
    got = {(r.work_center, r.day.date().isoformat()): r.capacity_hours for r in cap.itertuples()}
    assert got[("CUT", "2026-11-25")] == 8
    assert got[("CUT", "2026-11-26")] == 0      # holiday row for all
    assert got[("CUT", "2026-11-28")] == 10     # Saturday overtime, CUT only
    assert got[("WELD", "2026-11-28")] == 0     # Saturday: not a working weekday
    assert got[("CUT", "2026-11-29")] == 0      # Sunday
    assert got[("WELD", "2026-11-27")] == 4     # 8 h x 0.5
    assert got[("WELD", "2026-11-30")] == 6     # 12 h overtime x 0.5


def test_weekly_load_by_hand(factory):
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="week", weeks=2)
    # W48 from Wed 11-25: CUT 8 + 0 + 8 + 10 = 26 h; load = SO3's CUT 6 h (past due -> today)
    c = cell(df, "CUT", "2026-W48")
    assert (c.capacity_hours, c.load_hours, c.overdue_hours) == (26, 6, 6)
    assert c.band == "ok"
    # WELD W48: 4 + 0 + 4 = 8 h; SO2 5 h (3 lead days 11-24, 11-25, 11-27) + SO3 2.5 h past due
    w = cell(df, "WELD", "2026-W48")
    assert w.capacity_hours == 8
    assert w.load_hours == pytest.approx(7.5)
    assert w.overdue_hours == pytest.approx(5 / 3 + 2.5)
    assert w.load_pct == pytest.approx(0.9375) and w.band == "risk"
    # W49: SO1 due Sunday 12-06 -> WELD on Fri 12-04 (5 h), CUT 12-02..12-03 (11 h)
    c49 = cell(df, "CUT", "2026-W49")
    assert (c49.capacity_hours, c49.load_hours) == (40, 11)
    assert c49.load_pct == pytest.approx(0.275)
    w49 = cell(df, "WELD", "2026-W49")
    assert (w49.capacity_hours, w49.load_hours) == (22, 5)


def test_daily_load_moves_past_due_onto_today(factory):
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="day", end=date(2026, 12, 6))
    today = cell(df, "WELD", "2026-11-25")
    # SO2: 5/3 today + 5/3 from Tue 11-24; SO3: 2.5 from 11-24
    assert today.load_hours == pytest.approx(5 / 3 * 2 + 2.5)
    assert today.band == "over"
    assert cell(df, "WELD", "2026-11-27").load_hours == pytest.approx(5 / 3)
    assert cell(df, "WELD", "2026-11-26").load_hours == 0     # holiday: nothing placed
    assert cell(df, "CUT", "2026-12-02").load_hours == pytest.approx(5.5)
    assert cell(df, "CUT", "2026-12-03").load_hours == pytest.approx(5.5)
    assert cell(df, "WELD", "2026-12-04").load_hours == pytest.approx(5)
    assert df["load_hours"].sum() == pytest.approx(6 + 7.5 + 11 + 5)


def test_monthly_buckets_sum_the_days(factory):
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="month", end=date(2026, 12, 31))
    assert cell(df, "CUT", "2026-11").load_hours == 6
    assert cell(df, "CUT", "2026-12").load_hours == 11


def test_drilldown_lists_the_lines_of_a_cell(factory):
    with factory.cursor() as cur:
        rows = capacity.drilldown(cur, AS_OF, "WELD", date(2026, 11, 23), by="week")
    assert rows[["order_no", "step"]].values.tolist() == [["SO2", 10], ["SO3", 20]]
    so2 = rows.iloc[0]
    assert (so2["customer"], so2["product"], so2["qty"], so2["due_date"].date().isoformat()) == ("C2", "P2", 30, "2026-11-27")
    assert so2.hours == pytest.approx(5) and so2.overdue_hours == pytest.approx(5 / 3)
    assert rows.iloc[1].overdue_hours == pytest.approx(2.5)


def test_cancelled_shipped_and_unrouted_lines_carry_no_load(factory):
    with factory.cursor() as cur:
        drill = capacity.drilldown(cur, AS_OF, "CUT", date(2026, 11, 30), by="week")
        unrouted = capacity.unrouted_lines(cur)
    assert drill["order_no"].tolist() == ["SO1"]
    assert unrouted["order_no"].tolist() == ["SO5"]


def test_whatif_overtime_and_moved_date_change_the_load_unsaved(factory):
    # a Saturday shift on WELD (8 h x 0.5) and SO1 moved a week later
    wi = WhatIf(calendar=((date(2026, 11, 28), "WELD", 8.0),), due=((1, date(2026, 12, 13)),))
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="week", weeks=3, whatif=wi)
        base = capacity.load(cur, AS_OF, by="week", weeks=3)
    assert cell(df, "WELD", "2026-W48").capacity_hours == 12
    assert cell(df, "WELD", "2026-W48").band == "ok"          # 7.5 / 12 = 62.5 %
    assert cell(df, "CUT", "2026-W49").load_hours == 0
    assert cell(df, "CUT", "2026-W50").load_hours == 11       # due Sun 12-13: CUT 12-09..12-10
    assert cell(base, "CUT", "2026-W49").load_hours == 11      # nothing was saved
    assert factory.scalar("SELECT count(*) FROM calendar") == 3


def test_peak_load_names_the_overload_ahead_not_this_weeks_backlog(factory):
    # this week (W48) WELD carries 7.5 h on 8 h (94 %), but 2.5 h of SO3 and 1.67 h of SO2 are past
    # due, piled onto today: the backlog (the late list's), not an overload ahead. From W49 on only SO1
    # loads the factory: CUT 11 h (setup 1 + 0.1 x 100, Wed-Thu Dec 2-3) of 5 x 8 = 40 h -> 27.5 %;
    # WELD 5 h (0.05 x 100, Fri Dec 4) of 6 + 4 x 4 = 22 h -> 22.7 %.
    with factory.cursor() as cur:
        this_week = capacity.load(cur, AS_OF, by="week", weeks=4)
        wc, week, pct = capacity.peak_load(cur, AS_OF, weeks=4)
    assert cell(this_week, "WELD", "2026-W48").load_pct == pytest.approx(0.9375)
    assert (wc, week) == ("CUT", "2026-W49") and pct == pytest.approx(11 / 40)


def test_a_work_center_without_capacity_shows_its_load_as_over(factory):
    with factory.transaction() as tx:
        tx.execute("UPDATE work_centers SET hours_per_day = 0 WHERE work_center = 'CUT'")
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="week", weeks=2)
    c = cell(df, "CUT", "2026-W49")
    assert c.capacity_hours == 0 and c.load_hours == 11 and c.band == "over" and pd.isna(c.load_pct)


def test_peak_load_kpi_in_headline(factory):
    from lib.filters import default_filters
    from lib.sections import overview
    with factory.cursor() as cur:
        k = {x.key: x for x in overview.headline(cur, default_filters(AS_OF), AS_OF)}["kpi.peak_load"]
    assert k.value == pytest.approx(11 / 40) and k.target == 0.9 and not k.higher_is_better
    assert k.note == "CUT · 2026-W49" and k.status() == "green" and k.period_start is None


def test_peak_load_kpi_says_how_many_hours_are_over(factory):
    from lib.sections import pmc
    with factory.transaction() as tx:       # CUT down to 1 h a day: 11 h on 5 h in W49, 6 h over
        tx.execute("UPDATE work_centers SET hours_per_day = 1 WHERE work_center = 'CUT'")
    with factory.cursor() as cur:
        k = pmc.peak_load_kpi(cur, AS_OF, "en")
    assert k.value == pytest.approx(11 / 5) and k.note == "CUT · 2026-W49 · 6 h over" and k.status() == "red"


@pytest.mark.parametrize("by", ["hour", "", "weekly"])
def test_unknown_bucket_is_refused(factory, by):
    with factory.cursor() as cur, pytest.raises(ValueError):
        capacity.load(cur, AS_OF, by=by)


def test_saving_a_whatif_writes_audited_calendar_rows(factory):
    from lib.errors import PermissionDenied
    from lib.people.auth import User
    rows = [(date(2026, 11, 28), "WELD", 8.0), (date(2026, 11, 30), "WELD", 16.0)]
    with pytest.raises(PermissionDenied):
        capacity.save_calendar(factory, User("sue", "head", "sales"), rows)
    assert capacity.save_calendar(factory, User("pete", "head", "pmc"), rows) == 2
    assert factory.scalar("SELECT hours FROM calendar WHERE date = '2026-11-30' AND work_center = 'WELD'") == 16
    assert factory.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'calendar' AND source = 'what-if'") >= 4
    with factory.cursor() as cur:
        df = capacity.load(cur, AS_OF, by="week", weeks=1)
    assert cell(df, "WELD", "2026-W48").capacity_hours == 12


@pytest.mark.parametrize("load,cap,expected", [
    (69, 100, "ok"), (70, 100, "tight"), (89.999, 100, "tight"), (90, 100, "risk"), (100, 100, "risk"),
    (100.0000000001, 100, "risk"),     # rounded to 9 digits: still 100 %
    (100.01, 100, "over"), (1, 0, "over"), (0, 0, "none"), (0, 8, "ok"),
    (0.7 * 3, 3, "tight"),              # 2.0999999999999996 / 3 lands on the threshold
])
def test_bands_of_many_buckets_equal_band_of_one(load, cap, expected):
    assert capacity.band(load, cap) == expected
    assert list(capacity.bands([load, load], [cap, cap])) == [expected, expected]
