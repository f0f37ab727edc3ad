"""Sales figures on the hand-built scenario in tests/data/sales/scenario.sql (see its comments)."""
from dataclasses import replace
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import sales

SCENARIO = "sales"        # tests/data/sales/scenario.sql, loaded by the conftest `con` fixture

AS_OF = date(2026, 11, 25)
F = Filters(start=date(2026, 11, 2), end=date(2026, 11, 22))



def test_otd_against_latest_and_original_promise(con):
    # shipped in the period: L1 (11-12, latest 11-12 ok, original 11-09 late), L2 (ok, ok), L3 (11-18 > req 11-16)
    assert sales.otd(con, F) == pytest.approx(2 / 3)
    assert sales.otd(con, F, basis="original") == pytest.approx(1 / 3)


def test_otif_counts_due_lines_not_cancelled(con):
    # due before as_of in the period: L1 (in full), L2 (3 of 5), L3 (shipped after), L6 (nothing); L5 cancelled
    assert sales.otif(con, F, AS_OF) == pytest.approx(1 / 4)
    # as_of 11-13: only L1 (due 11-12) is judged; L2 due 11-13 can still ship that day
    assert sales.otif(con, F, date(2026, 11, 13)) == 1.0


@pytest.mark.parametrize("flt,otd", [
    (replace(F, families=("F2",)), 1.0),          # only L2
    (replace(F, customers=("C2",)), 0.0),         # only L3, late
    (replace(F, customers=("C3",)), None),        # nothing shipped: undefined, not 0
])
def test_otd_filters(con, flt, otd):
    assert sales.otd(con, flt) == otd


def test_delivery_trend_by_week_matches_the_kpis(con):
    df = sales.delivery_trend(con, F, AS_OF, "week")
    assert df["label"].tolist() == ["2026-W46", "2026-W47"]
    assert df["shipped_lines"].tolist() == [2, 1]
    assert df["otd_latest"].tolist() == [1.0, 0.0]
    assert df["otd_original"].tolist() == [0.5, 0.0]
    assert df["due_lines"].tolist() == [2, 2]
    assert df["otif"].tolist() == [0.5, 0.0]
    # the buckets add up to the period KPIs
    assert df["on_time_latest"].sum() / df["shipped_lines"].sum() == pytest.approx(sales.otd(con, F))
    assert df["otif_lines"].sum() / df["due_lines"].sum() == pytest.approx(sales.otif(con, F, AS_OF))


def test_new_orders_by_week_and_customer(con):
    df = sales.new_orders(con, F, "week")
    got = list(df[["label", "customer", "lines", "qty", "value"]].itertuples(index=False, name=None))
    assert got == [("2026-W45", "C1", 2, 15.0, 250.0), ("2026-W46", "C2", 1, 4.0, 40.0),
                   ("2026-W47", "C2", 1, 8.0, 160.0), ("2026-W47", "C3", 1, 2.0, 20.0)]


def test_backlog_at_as_of(con):
    df = sales.backlog(con, F, AS_OF)
    assert df["line_id"].tolist() == [2, 6, 4]
    assert df["remaining_qty"].tolist() == [2.0, 6.0, 8.0]
    assert df["remaining_value"].tolist() == [60.0, 60.0, 160.0]
    assert df["overdue"].tolist() == [True, True, False]


def test_shipments_vs_plan(con):
    df = sales.shipments_vs_plan(con, F, "week")
    got = list(df[["label", "planned_qty", "shipped_qty", "planned_lines", "shipped_lines"]]
               .itertuples(index=False, name=None))
    assert got == [("2026-W46", 15.0, 13.0, 2, 2), ("2026-W47", 10.0, 4.0, 2, 1)]


def test_repromises(con):
    df = sales.repromises(con, F, "week")
    assert df[["label", "promises", "repromises"]].values.tolist() == [
        ["2026-W45", 3, 1], ["2026-W46", 1, 1], ["2026-W47", 1, 0]]
    assert sales.repromise_rate(con, F) == 0.5          # 2 re-promises / 4 lines with promise activity
    lines = sales.repromised_lines(con, F)
    assert lines[["order_no", "line_no", "repromises"]].values.tolist() == [["SO1", 1, 1], ["SO3", 2, 1]]
    assert str(lines["first_promise"].iloc[0])[:10] == "2026-11-09"


def test_order_changes_by_source_and_kind(con):
    df = sales.order_changes(con, F)
    assert df[["source", "kind", "changes", "open_changes", "load_hours"]].values.tolist() == [
        ["external", "date", 1, 1, 5.0], ["external", "qty", 1, 0, 3.0], ["internal", "material", 1, 0, -2.0]]
    assert len(sales.order_change_list(con, F)) == 3


def test_complaints(con):
    df = sales.complaints_summary(con, F)
    got = df[["category", "customer", "received", "open", "closed"]].values.tolist()
    assert got == [["delivery", "C1", 1, 1, 0], ["packaging", "C2", 0, 1, 0],
                   ["quality", "C1", 1, 0, 1], ["quality", "C2", 0, 0, 1]]
    assert df["avg_days_to_close"].tolist()[2:] == [10.0, 15.0]
    assert sales.days_to_close(con, F) == 12.5
    assert sales.open_complaints(con, F, AS_OF)[["complaint", "days_open"]].values.tolist() == [
        ["Q4", 55], ["Q2", 15]]
    assert sales.open_complaint_count(con, F) == 2


def test_at_risk_lines_are_the_late_list_for_the_sales_filters(con):
    """The scenario has no routings: every open line is listed as unplannable (no_routing), the
    customer filter narrows it and the line filter does not apply to orders."""
    from lib.plan import late
    df = sales.at_risk_lines(con, F, AS_OF)
    assert df["line_id"].tolist() == late.late_lines(con, AS_OF)["line_id"].tolist()
    assert set(df["status"]) == {"no_routing"} and len(df) == con.execute(
        "SELECT count(*) FROM order_lines WHERE status = 'open' AND qty > shipped_qty").fetchone()[0]
    one = df["customer"].iloc[0]
    narrowed = sales.at_risk_lines(con, replace(F, customers=(one,)), AS_OF)
    assert set(narrowed["customer"]) == {one}
    assert len(sales.at_risk_lines(con, replace(F, lines=("NOPE",)), AS_OF)) == len(df)


def test_everything_is_empty_not_an_error_on_an_empty_database(db):
    with db.cursor() as con:
        assert sales.otd(con, F) is None and sales.otif(con, F, AS_OF) is None
        assert sales.repromise_rate(con, F) is None and sales.days_to_close(con, F) is None
        for frame in (sales.new_orders(con, F), sales.backlog(con, F, AS_OF), sales.shipments_vs_plan(con, F),
                      sales.delivery_trend(con, F, AS_OF), sales.repromises(con, F), sales.repromised_lines(con, F),
                      sales.order_changes(con, F), sales.order_change_list(con, F),
                      sales.complaints_summary(con, F), sales.open_complaints(con, F, AS_OF),
                      sales.at_risk_lines(con, F, AS_OF)):
            assert frame.empty


def test_unknown_grain_is_refused(con):
    with pytest.raises(ValueError):
        sales.new_orders(con, F, "fortnight")
