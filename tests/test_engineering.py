"""Engineering figures on a small hand-computed scenario (tests/data/engineering/scenario.sql).

As of 2026-11-25, period November 2026 (due = planned in the period and not after as_of).
"""
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import engineering as eng

SCENARIO = "engineering"        # tests/data/engineering/scenario.sql, loaded by the conftest `con` fixture

AS_OF = date(2026, 11, 25)
NOV = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
EMPTY_PERIOD = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))




@pytest.mark.parametrize("filters,expected", [
    (NOV, 1 / 3),                                           # N1-2 late, N1-3 not met, N2-2 met; N3 cancelled
    (NOV.previous(), 1.0),                                  # N1-1 met two days early
    (Filters(NOV.start, NOV.end, families=("F2",)), 1.0),
    (Filters(NOV.start, NOV.end, customers=("C1",)), 0.0),
    (EMPTY_PERIOD, None),
])
def test_npi_ontime_is_met_on_plan_over_due(con, filters, expected):
    value = eng.npi_ontime(con, filters, AS_OF)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_npi_milestones_plan_and_actual_bars(con):
    m = eng.npi_milestones(con, NOV, AS_OF)
    assert list(zip(m["project"], m["seq"])) == [("N1", 1), ("N1", 2), ("N1", 3), ("N1", 4), ("N2", 1), ("N2", 2)]
    n1 = m[m["project"] == "N1"]
    iso = lambda s: [None if v != v or v is None else v.date().isoformat() for v in s]  # noqa: E731
    assert iso(n1["plan_start"]) == ["2026-10-01", "2026-10-20", "2026-11-10", "2026-11-20"]
    assert iso(n1["actual_start"]) == ["2026-10-01", "2026-10-18", "2026-11-12", None]
    assert iso(n1["actual_end"]) == ["2026-10-18", "2026-11-12", "2026-11-25", None]
    assert n1["state"].tolist() == ["on_time", "late", "overdue", "open"]
    assert n1["days_late"].tolist() == [0, 2, 5, 0]


def test_npi_project_summary(con):
    p = eng.npi_projects(con, NOV, AS_OF).set_index("project")
    assert p.loc["N1", ["milestones", "met", "overdue", "next_milestone"]].tolist() == [4, 2, 1, "Pilot run"]
    assert p.loc["N2", ["milestones", "met", "overdue"]].tolist() == [2, 2, 0]
    assert eng.npi_projects(con, EMPTY_PERIOD, AS_OF).index.tolist() == [0]   # N1 is still active


@pytest.mark.parametrize("filters,expected", [
    (NOV, 1 / 3),                                           # D1 on time, D2 late, D3 not released
    (NOV.previous(), 0.0),                                  # D6 released 20 days late
    (Filters(NOV.start, NOV.end, families=("F2",)), 0.0),
    (EMPTY_PERIOD, None),
])
def test_drawing_ontime(con, filters, expected):
    value = eng.drawing_ontime(con, filters, AS_OF)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_drawings_overdue_first_then_due_soon_then_released(con):
    d = eng.drawings(con, NOV, AS_OF)
    assert d["drawing"].tolist() == ["D3", "D4", "D1", "D2"]   # D5 beyond 14 days, D6 released in October
    assert d["state"].tolist() == ["overdue", "open", "on_time", "late"]
    assert d["days_late"].tolist() == [5, 0, 0, 2]


def test_drawing_weekly(con):
    w = eng.drawing_weekly(con, NOV, AS_OF)
    assert [x.date().isoformat() for x in w["week"]] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert w[["due", "on_time", "late", "not_released"]].values.tolist() == [[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]]


def test_ecn_orders_touch_open_lines_of_changed_products(con):
    e = eng.ecn_orders(con, NOV, AS_OF)
    # E2 implemented before the period, E3 cancelled; E4 changes B, whose only line is closed
    assert e["ecn"].tolist() == ["E4", "E1", "E1"]
    assert e["order_no"].fillna("").tolist() == ["", "O2", "O1"]
    assert e["remaining_qty"].fillna(0).tolist() == [0, 5, 6]
    assert e["after_effective"].tolist()[1:] == [False, True]
    s = eng.ecn_summary(con, NOV, AS_OF).set_index("ecn")
    assert s.loc["E1", ["open_lines", "open_qty", "customers"]].tolist() == [2, 11, 2]
    assert s.loc["E4", ["open_lines", "open_qty"]].tolist() == [0, 0]
    only_c1 = eng.ecn_orders(con, Filters(NOV.start, NOV.end, customers=("C1",)), AS_OF)
    assert only_c1["order_no"].fillna("").tolist() == ["", "O1"]


def test_improvements_live_and_done_in_period(con):
    i = eng.improvements(con, NOV, AS_OF)
    assert i["improvement_id"].tolist() == [1, 2, 5, 3, 7]
    assert i["overdue"].tolist() == [True, False, False, False, False]
    assert eng.hours_saved(con, NOV, AS_OF) == (50, 18)     # 20 + 30 in progress; 12 measured + 6 expected
    assert eng.hours_saved(con, Filters(NOV.start, NOV.end, lines=("L1",)), AS_OF) == (20, 12)
    h = eng.improvement_hours(con, NOV, AS_OF)
    assert h[["kind", "status", "count", "expected_hours_saved"]].values.tolist() == [
        ["method", "done", 1, 10], ["method", "in_progress", 1, 20], ["method", "idea", 1, 8],
        ["process", "done", 1, 6], ["process", "in_progress", 1, 30]]


def test_everything_is_empty_on_an_empty_database(empty):
    assert eng.npi_ontime(empty, NOV, AS_OF) is None
    assert eng.drawing_ontime(empty, NOV, AS_OF) is None
    assert eng.hours_saved(empty, NOV, AS_OF) == (0, 0)
    for frame in (eng.npi_milestones(empty, NOV, AS_OF), eng.npi_projects(empty, NOV, AS_OF),
                  eng.drawings(empty, NOV, AS_OF), eng.drawing_weekly(empty, NOV, AS_OF),
                  eng.ecn_orders(empty, NOV, AS_OF), eng.ecn_summary(empty, NOV, AS_OF),
                  eng.improvements(empty, NOV, AS_OF), eng.improvement_hours(empty, NOV, AS_OF)):
        assert frame.empty


def test_open_engineering_issues_in_the_actions_panel(con):
    from lib.meeting.open_items import open_actions
    a = open_actions(con, "engineering", AS_OF)
    # E1 (approved) and E4 (open) are not implemented; improvements 1 and 2 are live with a due
    # date (1 overdue by 5 days); 5 is an idea without a due date, 3 and 7 are done
    assert sorted(zip(a["kind"], a["ref"])) == [("ecn", "E1"), ("ecn", "E4"), ("improvement", "1"),
                                                 ("improvement", "2")]
    assert a.iloc[0]["ref"] == "1" and a.iloc[0]["days_overdue"] == 5


def test_section_kpis_are_the_tiles_with_targets_previous_period_and_notes(con):
    from lib import settings
    from lib.i18n import set_lang
    set_lang("en")
    k = {x.key: x for x in eng.section_kpis(con, NOV, AS_OF)}
    assert list(k) == ["engineering.kpi.npi_ontime", "engineering.kpi.drawing_ontime", "engineering.kpi.open_ecn",
                       "engineering.kpi.hours_saved"]
    npi = k["engineering.kpi.npi_ontime"]
    assert (npi.value, npi.previous, npi.target) == (pytest.approx(1 / 3), 1.0, settings.get("target_npi_ontime", con))
    assert npi.note == "1 overdue now"                                    # N1-3
    dwg = k["engineering.kpi.drawing_ontime"]
    assert (dwg.value, dwg.previous, dwg.note) == (pytest.approx(1 / 3), 0.0, "1 overdue now")   # D3
    ecn = k["engineering.kpi.open_ecn"]
    assert (ecn.value, ecn.note) == (2, "touching 2 open order lines")   # E1 approved (2 lines), E4 open (none)
    hours = k["engineering.kpi.hours_saved"]
    assert (hours.value, hours.unit, hours.note) == (50, "hours", "18 h/month from those done")
    assert eng.section_kpis(con, NOV, AS_OF, lang="zh")[0].note == "当前逾期 1 项"


def test_section_kpis_on_an_empty_database(empty):
    assert [x.value for x in eng.section_kpis(empty, NOV, AS_OF)] == [None, None, 0, 0]
