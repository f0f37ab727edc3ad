"""What-if on the planned load and what it would take (lib.plan.whatif), hand-computed."""
from datetime import date, timedelta

import pytest

from lib import settings
from lib.people.auth import SYSTEM
from lib.plan import planned, promise, whatif
from lib.plan.grid import WhatIf
from tests.conftest import load_scenario
from tests.test_planned import MON, factory

WED = MON + timedelta(days=2)


@pytest.fixture
def worked(db):
    """DESIGN's worked example: four 8 h lines due Wednesday on one 8 h/day work center; SO4 late."""
    return factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [(f"SO{i}", 1, "P", 8, 2) for i in range(1, 5)])


def _line(db, order):
    return db.scalar("SELECT line_id FROM order_lines WHERE order_no = ?", [order])


def test_missing_hours_of_the_worked_example(worked):
    """At its turn SO4 finds Monday to Wednesday full: all its 8 h are missing, due in SO4's
    latest end day's week (Wednesday 2027-03-03, ISO week 2027-W09)."""
    with worked.cursor() as cur:
        p = planned.build(cur, MON)
    assert p.lines.set_index("order_no")["missing_hours"].to_dict() == {"SO1": 0, "SO2": 0, "SO3": 0, "SO4": 8}
    m = whatif.missing_hours(p)
    assert m[["work_center", "week", "hours"]].values.tolist() == [["W", "2027-W09", 8.0]]


def test_rescue_places_overtime_latest_first_and_checks_it(worked):
    """4 h of overtime a day at most: Wednesday 4 and Tuesday 4. Re-planned with that, SO1 takes
    8 of Wednesday's 12, SO2 the other 4 and 4 of Tuesday, SO3 Tuesday's 8, SO4 Monday: on time."""
    with worked.cursor() as cur:
        r = whatif.rescue(cur, MON, _line(worked, "SO4"))
        assert whatif.rescue(cur, MON, _line(worked, "SO1")) is None          # on time already
    assert not r.lead_bound and r.short == 0
    assert [(x.work_center, x.day, x.calendar_hours) for x in r.overtime.itertuples()] == [
        ("W", MON + timedelta(days=1), 4.0), ("W", WED, 4.0)]
    assert r.by_week[["work_center", "week", "calendar_hours"]].values.tolist() == [["W", "2027-W09", 8.0]]
    assert r.as_whatif().calendar == ((MON + timedelta(days=1), "W", 12.0), (WED, "W", 12.0))
    assert (r.verified, r.days_late_after) == ("on_time", 0)


def test_no_overtime_helps_a_line_already_past_due(db):
    factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [("SO1", 1, "P", 4, -3, -30)])
    with db.cursor() as cur:
        assert whatif.rescue(cur, MON, _line(db, "SO1")).lead_bound


def test_compare_states_the_effect_on_the_late_list(worked):
    with worked.cursor() as cur:
        c = whatif.compare(cur, MON, WhatIf(calendar=((WED, "W", 16.0),)))
        none = whatif.compare(cur, MON, WhatIf(calendar=((WED, "W", 12.0),)))
    assert (c.before, c.after, c.rescued["order_no"].tolist(), c.newly_late.empty, c.missing_total) == (
        1, 0, ["SO4"], True, 0)
    # 4 h more on Wednesday: SO4 still lacks 4 h at its turn
    assert (none.after, none.missing_total, none.lead_bound) == (1, 4, 0)


def test_what_it_would_take_for_an_inquiry(db):
    """Promise scenario (tests/test_promise.py): S 300 by Mon 11-30 needs 30 h of SMT; 17 are free
    (8, 8, 1 on 11-25..27, none on 11-30): 13 h of overtime, latest day first at most 4 a day:
    11-30 4, 11-27 4, 11-26 4, 11-25 1. Re-quoted with it, the requested date holds."""
    load_scenario(db, "promise")
    as_of = date(2026, 11, 25)
    with db.cursor() as cur:
        p = promise.quote(cur, "S", 300, date(2026, 11, 30), as_of=as_of)
        r = whatif.inquiry(cur, p)
        assert whatif.inquiry(cur, promise.quote(cur, "S", 10, date(2026, 11, 30), as_of=as_of)) is None
    assert [(x.day.isoformat(), x.calendar_hours) for x in r.overtime.itertuples()] == [
        ("2026-11-25", 1.0), ("2026-11-26", 4.0), ("2026-11-27", 4.0), ("2026-11-30", 4.0)]
    assert r.by_week[["week", "calendar_hours"]].values.tolist() == [["2026-W48", 9.0], ["2026-W49", 4.0]]
    assert r.material is None and r.verified == "on_time"


def test_an_inquiry_waiting_for_material_says_what_must_arrive_earlier(db):
    """X 100 by 12-04: M1 is ready 12-05 (a new PO). On time, ASM takes 3 h on 12-04 and 2 on 12-03;
    SMT (12 h) must end by 12-02, but 11-30..12-02 are full: it takes 1 on 11-27, 8 on 11-26 and 3
    today. No overtime is needed, but M1 would have to be here today."""
    load_scenario(db, "promise")
    as_of = date(2026, 11, 25)
    with db.cursor() as cur:
        p = promise.quote(cur, "X", 100, date(2026, 12, 4), as_of=as_of)
        r = whatif.inquiry(cur, p)
    assert r.material == {"material": "M1", "po": "PO2", "ready": date(2026, 12, 5), "needed_by": as_of}
    assert r.overtime.empty and not r.lead_bound


def test_more_overtime_allowed_is_a_setting(worked):
    settings.set_value(worked, SYSTEM, "max_overtime_hours", 8)
    with worked.cursor() as cur:
        r = whatif.rescue(cur, MON, _line(worked, "SO4"))
    assert [(x.day, x.calendar_hours) for x in r.overtime.itertuples()] == [(WED, 8.0)]
