"""Quality figures on a small hand-computed scenario (tests/data/quality/scenario.sql).

As of 2026-11-25, period November 2026. Only first inspections with a result count in a rate.
"""
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import quality as q

SCENARIO = "quality"        # tests/data/quality/scenario.sql, loaded by the conftest `con` fixture

AS_OF = date(2026, 11, 25)
NOV = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
EMPTY_PERIOD = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))




def test_incoming_first_pass_counts_first_inspections_with_a_result(con):
    # lots 1 (pass), 2 (fail), 4 (hold), 5 (pass); 3 is a re-inspection, 6 pending, 7 in October
    assert q.incoming_first_pass(con, NOV) == pytest.approx(2 / 4)
    assert q.incoming_first_pass(con, NOV.previous()) == pytest.approx(0.0)   # lot 7 failed
    assert q.incoming_first_pass(con, EMPTY_PERIOD) is None


def test_incoming_by_supplier_ties_by_lots_then_code(con):
    s = q.incoming_by(con, NOV, "supplier")
    assert s["supplier"].tolist() == ["S1", "S2"]                 # both 1 of 2
    assert s["first_pass_rate"].tolist() == pytest.approx([0.5, 0.5])
    assert s["held"].tolist() == [0, 1] and s["failed"].tolist() == [1, 0]


def test_incoming_by_material_worst_first(con):
    m = q.incoming_by(con, NOV, "material")
    assert m["material"].tolist() == ["M2", "M1"]
    assert m["first_pass_rate"].tolist() == pytest.approx([0.0, 2 / 3])


def test_incoming_by_refuses_an_unknown_grouping(con):
    with pytest.raises(ValueError):
        q.incoming_by(con, NOV, "line")


@pytest.mark.parametrize("stage,filters,expected", [
    ("in_process", NOV, 248 / 270),                                   # rows 8, 9, 11, 15
    ("in_process", Filters(NOV.start, NOV.end, lines=("L1",)), 185 / 200),
    ("in_process", Filters(NOV.start, NOV.end, families=("F2",)), 63 / 70),
    ("final", NOV, 198 / 200),                                        # 13 and 14 pending
    ("final", EMPTY_PERIOD, None),
])
def test_first_pass_yield_is_good_over_inspected(con, stage, filters, expected):
    value = q.first_pass_yield(con, filters, stage)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_first_pass_yield_refuses_an_unknown_stage(con):
    with pytest.raises(ValueError):
        q.first_pass_yield(con, NOV, "shipping")


def test_yield_trend_per_week_stage_and_line(con):
    t = q.yield_trend(con, NOV)
    rows = [(r.stage, r.line, r.week.date().isoformat(), round(r.fpy, 4)) for r in t.itertuples()]
    assert rows == [("final", "L1", "2026-11-09", 0.99),
                    ("in_process", "L1", "2026-11-02", 0.95),
                    ("in_process", "L1", "2026-11-09", 0.9),
                    ("in_process", "L2", "2026-11-09", 0.9)]
    by_line = q.yield_by_line(con, NOV)
    assert by_line[["line", "stage"]].values.tolist() == [["L1", "final"], ["L1", "in_process"], ["L2", "in_process"]]


def test_defect_pareto_largest_first_ties_by_type(con):
    p = q.defect_pareto(con, NOV)
    # scratch 5+10, dent 4+5+2, unrecorded 2, rust 2 (tie with unrecorded: '' sorts first)
    assert p["defect_type"].tolist() == ["scratch", "dent", "", "rust"]
    assert p["qty"].tolist() == [15, 11, 2, 2]
    assert p["cumulative_share"].tolist() == pytest.approx([15 / 30, 26 / 30, 28 / 30, 1.0])
    incoming = q.defect_pareto(con, NOV, ("incoming",))
    assert incoming["defect_type"].tolist() == ["dent", "rust"]
    assert q.defect_pareto(con, EMPTY_PERIOD).empty


def test_quality_complaints_open_first(con):
    c = q.quality_complaints(con, NOV, AS_OF)
    assert c["complaint"].tolist() == ["Q2", "Q1", "Q3"]            # Q4 closed before, Q5 is delivery
    assert c["days_open"].tolist() == [55, 22, 36]
    assert q.complaint_counts(con, NOV) == (2, 2)
    assert q.complaint_counts(con, Filters(NOV.start, NOV.end, customers=("C1",))) == (1, 1)
    causes = q.complaint_causes(con, NOV)
    assert causes.values.tolist() == [["material", 1]]


def test_inspection_backlog_oldest_first_up_to_as_of(con):
    b = q.inspection_backlog(con, AS_OF)
    assert b["inspection_id"].tolist() == [13, 6]                  # 14 is dated after as_of
    assert b["days_waiting"].tolist() == [5, 1]
    assert q.inspection_backlog(con, AS_OF, Filters(NOV.start, NOV.end, suppliers=("S2",), lines=("L9",)))[
        "inspection_id"].tolist() == [6]


def test_material_on_hold_valued_at_standard(con):
    h = q.material_on_hold(con)
    assert h["material"].tolist() == ["M1"]
    assert h["hold_value"].tolist() == [60]
    assert h["held_lots"].tolist() == ["L-9"]
    assert q.hold_value(con) == 60


def test_everything_is_empty_on_an_empty_database(empty):
    assert q.incoming_first_pass(empty, NOV) is None
    assert q.first_pass_yield(empty, NOV, "final") is None
    assert q.complaint_counts(empty, NOV) == (0, 0)
    assert q.hold_value(empty) == 0
    for frame in (q.incoming_by(empty, NOV), q.yield_trend(empty, NOV), q.yield_by_line(empty, NOV),
                  q.defect_pareto(empty, NOV), q.quality_complaints(empty, NOV, AS_OF),
                  q.complaint_causes(empty, NOV), q.inspection_backlog(empty, AS_OF), q.material_on_hold(empty)):
        assert frame.empty


def test_open_quality_complaints_in_the_actions_panel(con):
    from lib.meeting.open_items import open_actions
    a = open_actions(con, "quality", AS_OF)
    assert sorted(a["ref"]) == ["Q1", "Q2"]                # Q5 is a delivery complaint, Q3/Q4 closed
    assert dict(zip(a["ref"], a["days_open"])) == {"Q1": 22, "Q2": 55}


def test_section_kpis_are_the_tiles_with_targets_previous_period_and_notes(con):
    from lib import settings
    from lib.i18n import set_lang
    set_lang("en")
    k = {x.key: x for x in q.section_kpis(con, NOV, AS_OF)}
    assert list(k) == ["quality.kpi.incoming_fp", "quality.kpi.fpy_in_process", "quality.kpi.fpy_final",
                       "quality.kpi.open_complaints", "quality.kpi.backlog", "quality.kpi.on_hold"]
    inc = k["quality.kpi.incoming_fp"]
    assert (inc.value, inc.previous, inc.target) == (pytest.approx(2 / 4), 0.0, settings.get("target_incoming_fp", con))
    fpy = k["quality.kpi.fpy_in_process"]
    assert (fpy.value, fpy.previous, fpy.target) == (pytest.approx(248 / 270), None, settings.get("target_fpy", con))
    assert k["quality.kpi.fpy_final"].value == pytest.approx(198 / 200)
    comp = k["quality.kpi.open_complaints"]
    assert (comp.value, comp.target, comp.note) == (2, None, "2 with 8D not finished")     # Q1, Q2
    backlog = k["quality.kpi.backlog"]
    assert (backlog.value, backlog.note) == (2, "oldest: 5 d waiting")                      # 13 (5 d) and 6
    hold = k["quality.kpi.on_hold"]
    assert (hold.value, hold.note) == (1, "¥60 at standard price")                          # M1: 20 x 3
    assert q.section_kpis(con, NOV, AS_OF, lang="zh")[5].note == "按标准价 ¥60"


def test_section_kpis_on_an_empty_database(empty):
    k = {x.key: x for x in q.section_kpis(empty, NOV, AS_OF)}
    assert [x.value for x in k.values()] == [None, None, None, 0, 0, 0]
    assert k["quality.kpi.backlog"].note is None
