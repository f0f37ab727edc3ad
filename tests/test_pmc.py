"""PMC figures on tests/data/pmc/scenario.sql (period 2026-11-02 .. 11-15, as_of 11-25)."""
from dataclasses import replace
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import pmc

SCENARIO = "pmc"        # tests/data/pmc/scenario.sql, loaded by the conftest `con` fixture

AS_OF = date(2026, 11, 25)
F = Filters(start=date(2026, 11, 2), end=date(2026, 11, 15))



def test_plan_vs_actual_by_day_with_cumulative_and_undefined_achievement(con):
    df = pmc.plan_vs_actual(con, F, "day")
    assert df["label"].tolist() == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-10"]
    assert df["plan"].tolist() == [100, 150, 0, 40]
    assert df["actual"].tolist() == [90, 140, 20, 0]
    assert df["gap"].tolist() == [-10, -10, 20, -40]
    assert df["cum_plan"].tolist() == [100, 250, 250, 290]
    assert df["cum_actual"].tolist() == [90, 230, 250, 250]
    ach = df["achievement"].tolist()
    assert ach[0] == pytest.approx(0.9) and ach[1] == pytest.approx(140 / 150)
    assert ach[2] is None or ach[2] != ach[2]     # no plan that day: undefined (NULL), not a division error
    assert ach[3] == 0


def test_plan_vs_actual_by_week_and_line(con):
    df = pmc.plan_vs_actual(con, F, "week", by="line")
    assert df[["line", "label", "plan", "actual"]].values.tolist() == [
        ["A", "2026-W45", 200, 200], ["B", "2026-W45", 50, 50], ["B", "2026-W46", 40, 0]]
    assert df["cum_actual"].tolist() == [200, 50, 50]            # running total within each line
    week = pmc.plan_vs_actual(con, F, "week")
    assert week["achievement"].tolist() == [1.0, 0.0]            # W45: 250 of 250


def test_plan_achievement_kpi_and_period_without_plan(con):
    assert pmc.plan_achievement(con, F) == pytest.approx(250 / 290)
    empty = Filters(start=date(2026, 11, 16), end=date(2026, 11, 22))
    assert pmc.plan_achievement(con, empty) is None
    assert pmc.plan_vs_actual(con, empty).empty
    assert pmc.plan_achievement(con, replace(F, lines=("A",))) == 1.0
    assert pmc.plan_achievement(con, replace(F, families=("F2",))) == pytest.approx(50 / 90)


def test_gap_ranking_most_behind_first_and_ties_by_name(con):
    df = pmc.gap_ranking(con, F, "line")
    assert df[["name", "plan", "actual", "gap"]].values.tolist() == [["B", 90, 50, -40], ["A", 200, 200, 0]]
    tie = pmc.gap_ranking(con, Filters(start=date(2026, 11, 2), end=date(2026, 11, 2)), "work_center")
    assert tie["name"].tolist() == ["WC1"]
    con.execute("INSERT INTO production_plan VALUES ('2026-11-02', 'WC2', 'P2', 10)")
    tie = pmc.gap_ranking(con, Filters(start=date(2026, 11, 2), end=date(2026, 11, 2)), "work_center")
    assert tie[["name", "gap"]].values.tolist() == [["WC1", -10], ["WC2", -10]]


def test_cause_pareto(con):
    df = pmc.cause_pareto(con, F)
    assert df[["cause_category", "notes", "qty_impact", "open_notes"]].values.tolist() == [
        ["machine", 1, 40, 0], ["material", 1, 30, 1], ["man", 1, 0, 1]]
    assert df["cum_share"].tolist() == [pytest.approx(40 / 70), 1.0, 1.0]
    both = pmc.cause_pareto(con, F, direction=None)           # tie at 40: more notes first
    assert both["cause_category"].tolist() == ["material", "machine", "man"]
    assert pmc.cause_pareto(con, replace(F, lines=("A",)))["cause_category"].tolist() == ["material"]


def test_variance_notes_list(con):
    df = pmc.variance_notes(con, F, AS_OF)
    assert len(df) == 4                                        # the October note is outside the period
    overdue = df.set_index("description")["overdue"].to_dict()
    assert overdue["sheet late"] is True and overdue["new operator"] is False and overdue["spindle"] is False


def test_shortage_idle(con):
    df = pmc.shortage_idle(con, F, "week")
    assert df[["label", "idle_hours", "worked_hours"]].values.tolist() == [["2026-W45", 2, 26], ["2026-W46", 3, 0]]
    assert df["idle_rate"].iloc[0] == pytest.approx(2 / 26)
    assert df["idle_rate"].isna().iloc[1]                     # no hours worked: undefined
    assert pmc.shortage_idle_rate(con, F) == pytest.approx(5 / 26)
    assert pmc.shortage_idle_rate(con, replace(F, lines=("A",))) == pytest.approx(2 / 16)
    mat = pmc.shortage_by_material(con, F)
    assert mat[["material", "work_center", "idle_hours"]].values.tolist() == [["M2", "WC2", 3], ["M1", "WC1", 2]]
    assert str(mat["next_po_due"].iloc[1])[:10] == "2026-11-20"    # PO1 is fully received; PO3 is next


def test_needs_other_departments(con):
    df = pmc.needs_other_departments(con, F, AS_OF)
    assert df[["kind", "department", "item", "overdue"]].values.tolist() == [
        ["action", "purchasing", "Find second source for M1", True],
        ["shortage", "purchasing", "M1 Sheet", False],
        ["shortage", "purchasing", "M2", False]]
    # a shortage is purchasing's to chase with the supplier: no person owns it by name
    assert df["supplier"].tolist()[1] == "Steel Co" and df["owner"].isna().tolist()[1:] == [True, True]


def test_empty_database(db):
    with db.cursor() as con:
        assert pmc.shortage_idle_rate(con, F) is None
        for frame in (pmc.plan_vs_actual(con, F), pmc.plan_vs_actual(con, F, "week", "product"),
                      pmc.gap_ranking(con, F), pmc.cause_pareto(con, F), pmc.variance_notes(con, F, AS_OF),
                      pmc.shortage_idle(con, F), pmc.shortage_by_material(con, F),
                      pmc.needs_other_departments(con, F, AS_OF)):
            assert frame.empty


@pytest.mark.parametrize("by", ["shift", "customer"])
def test_unknown_dimension_is_refused(con, by):
    with pytest.raises(ValueError):
        pmc.plan_vs_actual(con, F, "week", by=by)
