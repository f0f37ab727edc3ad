"""Purchasing figures on a small hand-computed scenario (tests/data/purchasing/scenario.sql).

As of 2026-11-25, period 2026-11-01..2026-11-30 (POs count as due only up to as_of).
POs due in the period, not cancelled: P1 (S1, 100, 60 by due 11-05), P2 (S1, 50, all by due),
P3 (S2, 200, none by due) -> on time 110 / 350. P5 is cancelled, P4 is due after as_of.
"""
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import purchasing as pur

SCENARIO = "purchasing"        # tests/data/purchasing/scenario.sql, loaded by the conftest `con` fixture

AS_OF = date(2026, 11, 25)
NOV = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))




def test_supplier_otd_is_qty_received_by_due_over_qty_due(con):
    assert pur.supplier_otd(con, NOV, AS_OF) == pytest.approx(110 / 350)


def test_a_po_due_today_is_not_judged_and_over_delivery_counts_at_most_the_po_qty(con):
    con.execute("""
        INSERT INTO purchase_orders (po, supplier, material, qty, order_date, due_date, unit_price) VALUES
          ('P7', 'S1', 'M1', 10, '2026-11-01', '2026-11-25', 10), ('P8', 'S3', 'M1', 10, '2026-11-01', '2026-11-02', 10);
        INSERT INTO receipts (po, receipt_date, qty) VALUES ('P8', '2026-11-02', 15)""")
    # P7 is due on as_of: not yet judged; P8 delivered 15 of 10 on time: counts 10 of 10
    assert pur.supplier_otd(con, NOV, AS_OF) == pytest.approx(120 / 360)
    assert pur.supplier_otd(con, Filters(NOV.start, NOV.end, suppliers=("S3",)), AS_OF) == 1.0


@pytest.mark.parametrize("suppliers,expected", [(("S1",), 110 / 150), (("S2",), 0.0), (("S3",), None)])
def test_supplier_otd_respects_the_supplier_filter(con, suppliers, expected):
    f = Filters(start=NOV.start, end=NOV.end, suppliers=suppliers)
    value = pur.supplier_otd(con, f, AS_OF)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_period_without_due_pos_is_none_not_an_error(con):
    f = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert pur.supplier_otd(con, f, AS_OF) is None
    assert pur.price_variance(con, f) is None
    assert pur.supplier_otd_ranking(con, f, AS_OF).empty


def test_ranking_best_first(con):
    r = pur.supplier_otd_ranking(con, NOV, AS_OF)
    assert r["supplier"].tolist() == ["S1", "S2"]
    assert r["qty_due"].tolist() == [150, 200]
    assert r["on_time_rate"].tolist() == pytest.approx([110 / 150, 0.0])


def test_ranking_ties_broken_by_qty_due_then_code(db):
    with db.cursor() as cur:
        cur.execute("""
            INSERT INTO purchase_orders (po, supplier, material, qty, order_date, due_date, unit_price) VALUES
              ('A', 'SB', 'M', 10, '2026-11-01', '2026-11-02', 1), ('B', 'SA', 'M', 10, '2026-11-01', '2026-11-02', 1),
              ('C', 'SC', 'M', 20, '2026-11-01', '2026-11-02', 1);
            INSERT INTO receipts (po, receipt_date, qty) VALUES ('A', '2026-11-02', 5), ('B', '2026-11-01', 5),
              ('C', '2026-11-02', 10)""")
        r = pur.supplier_otd_ranking(cur, NOV, AS_OF)
    assert r["supplier"].tolist() == ["SC", "SA", "SB"]   # all 50 %: SC has more due, then by code


def test_trend_by_week_of_due_date(con):
    t = pur.supplier_otd_trend(con, NOV, AS_OF)
    assert [d.isoformat() for d in t["week"].dt.date] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert t["on_time_rate"].tolist() == pytest.approx([0.6, 1.0, 0.0])


def test_open_and_late_pos(con):
    o = pur.open_pos(con, AS_OF)
    assert o["po"].tolist() == ["P6", "P3", "P4"]           # late first, oldest due first
    assert o["late"].tolist() == [True, True, False]
    assert o["days_late"].tolist() == [41, 5, 0]
    assert o["open_qty"].tolist() == [10, 100, 100]
    assert o["supplier_name"].tolist() == ["Second Source"] * 3        # named beside the code on the page
    assert pur.po_counts(con, AS_OF) == (3, 2)
    assert pur.po_counts(con, AS_OF, Filters(NOV.start, NOV.end, suppliers=("S1",))) == (0, 0)


def test_late_po_pegged_to_order_lines_short_of_stock(con):
    # M1 usable stock 30 - 10 on hold = 20, given in due order: O1 (11-30) needs 20 -> covered;
    # O3 (12-01) needs 8 -> short 8; O2 (12-05, requested date) needs 10 -> short 10.
    # M2 usable 0: O3 needs 8 -> short 8. Late POs: P6 (M1, due 10-15), P3 (M2, due 11-20).
    e = pur.endangered_lines(con, AS_OF)
    assert list(zip(e["po"], e["order_no"], e["short_qty"])) == [("P6", "O3", 8), ("P3", "O3", 8), ("P6", "O2", 10)]
    assert e["customer"].tolist() == ["C1", "C1", "C2"]
    assert e["days_late"].tolist() == [41, 5, 41]


def test_pegging_filters_by_customer_and_family(con):
    only_c2 = pur.endangered_lines(con, AS_OF, Filters(NOV.start, NOV.end, customers=("C2",)))
    assert only_c2["order_no"].tolist() == ["O2"]
    fam_f2 = pur.endangered_lines(con, AS_OF, Filters(NOV.start, NOV.end, families=("F2",)))
    assert fam_f2["order_no"].tolist() == ["O3", "O3"]


def test_price_variance_is_actual_minus_standard_times_qty(con):
    # ordered in November, not cancelled: P2 (10-10)x50 = 0, P3 (6-5)x200 = 200, P4 (4-5)x100 = -100
    assert pur.price_variance(con, NOV) == pytest.approx(100)
    # the month before (docs/rules.md: a period from the 1st moves back by months), 10-01..10-31:
    # P1 (11-10)x100 = 100, P6 (12-10)x10 = 20
    assert NOV.previous() == Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert pur.price_variance(con, NOV.previous()) == pytest.approx(120)
    m = pur.price_variance_by_material(con, NOV)
    assert m["material"].tolist() == ["M2", "M1"]
    assert m["variance"].tolist() == pytest.approx([100, 0])
    assert m["variance_pct"].iloc[0] == pytest.approx(100 / 1500)
    assert m["avg_price"].iloc[0] == pytest.approx(1600 / 300)


def test_price_trend_starts_with_the_last_quote_before_the_period(con):
    t = pur.price_trend(con, NOV)
    rows = [(r.material, r.date.date().isoformat(), r.unit_price) for r in t.itertuples()]
    assert rows == [("M1", "2026-11-01", 11.0), ("M1", "2026-11-10", 10.0),
                    ("M2", "2026-11-01", 6.0), ("M2", "2026-11-10", 4.0)]
    assert t["std_price"].tolist() == [10, 10, 5, 5]
    assert pur.price_trend(con, NOV, ["M2"])["material"].unique().tolist() == ["M2"]


def test_scorecard(con):
    s = pur.supplier_scorecard(con, NOV, AS_OF).set_index("supplier")
    assert s.index.tolist() == ["S3", "S1", "S2"]
    # S1: on time 110/150; incoming 2 of 3 first inspections passed (re-inspection and pending
    # lots not counted); P2 was a rush PO (9 days < 14 lead days) and came in full on time;
    # P1 came in full 5 days late.
    assert s.loc["S1", "on_time_rate"] == pytest.approx(110 / 150)
    assert s.loc["S1", "incoming_fp"] == pytest.approx(2 / 3)
    assert s.loc["S1", "response_rate"] == pytest.approx(1.0)
    assert s.loc["S1", "avg_days_late"] == pytest.approx(5)
    assert s.loc["S1", "score"] == pytest.approx(100 * (110 / 150 + 2 / 3 + 1) / 3)
    # S2: nothing on time, the only inspected lot on hold; P3 (due date pulled in, per the
    # audit log) is a changed PO not met; P3 is still open 5 days past due.
    assert s.loc["S2", "on_time_rate"] == 0 and s.loc["S2", "incoming_fp"] == 0
    assert s.loc["S2", "rush_pos"] == 1 and s.loc["S2", "response_rate"] == 0
    assert s.loc["S2", "avg_days_late"] == 5 and s.loc["S2", "score"] == 0
    # S3 had no PO due: its response to changes is undefined (NaN), not zero
    assert s.loc["S3", "response_rate"] != s.loc["S3", "response_rate"]
    # S3: inspected only (no PO due): scored on incoming quality alone
    assert s.loc["S3", "score"] == pytest.approx(100)


def test_scorecard_supplier_filter(con):
    s = pur.supplier_scorecard(con, Filters(NOV.start, NOV.end, suppliers=("S1",)), AS_OF)
    assert s["supplier"].tolist() == ["S1"]
    assert s["on_time_rate"].tolist() == pytest.approx([110 / 150])


def test_everything_is_empty_on_an_empty_database(empty):
    assert pur.supplier_otd(empty, NOV, AS_OF) is None
    assert pur.price_variance(empty, NOV) is None
    assert pur.po_counts(empty, AS_OF) == (0, 0)
    for frame in (pur.open_pos(empty, AS_OF), pur.endangered_lines(empty, AS_OF),
                  pur.supplier_otd_ranking(empty, NOV, AS_OF), pur.supplier_otd_trend(empty, NOV, AS_OF),
                  pur.price_variance_by_material(empty, NOV), pur.price_trend(empty, NOV),
                  pur.supplier_scorecard(empty, NOV, AS_OF)):
        assert frame.empty
    assert pur.suppliers(empty) == [] and pur.materials_quoted(empty) == []


def test_chart_builders_b_draw_what_they_are_given():
    import pandas as pd

    from lib.ui.charts import basic
    df = pd.DataFrame({"s": ["B", "A", "C"], "r": [0.9, 0.5, None]})
    fig = basic.rate_bars(df, "s", "r", x_title="%", target=0.95)
    assert list(fig.data[0].y) == ["B", "A"]                     # worst (A) on top, undefined left out
    assert list(fig.data[0].marker.color) == ["#e6a23c", "#d64545"]   # amber within 5 pt, red beyond
    d = basic.diverging_bars(pd.DataFrame({"m": ["x", "y"], "v": [-5.0, 3.0]}), "m", "v", x_title="¥")
    assert list(d.data[0].y) == ["y", "x"]                       # largest |v| on top
    basic.zoom_rate_axis(fig, [0.93, 0.97], 0.95, axis="x")
    assert fig.layout.xaxis.range == (0.85, 1.005)


def test_section_kpis_are_the_tiles_with_targets_previous_period_and_notes(con):
    from lib import settings
    from lib.i18n import set_lang
    set_lang("en")
    k = {x.key: x for x in pur.section_kpis(con, NOV, AS_OF)}
    assert list(k) == ["purchasing.kpi.supplier_otd", "purchasing.kpi.incoming_fp", "purchasing.kpi.price_variance",
                       "purchasing.kpi.late_pos", "purchasing.kpi.lines_endangered"]
    otd = k["purchasing.kpi.supplier_otd"]
    # 110 of 350 due in November; October: P6 (10 due 10-15) received nothing
    assert (otd.value, otd.previous, otd.target) == (pytest.approx(110 / 350), 0.0, settings.get("target_supplier_otd", con))
    # first inspections with a result in November: pass, pass, fail (S1), hold (S2), pass (S3); none in October
    fp = k["purchasing.kpi.incoming_fp"]
    assert (fp.value, fp.previous) == (pytest.approx(3 / 5), None)
    pv = k["purchasing.kpi.price_variance"]
    # previous: all of October (P1 100 + P6 20, see above)
    assert (pv.value, pv.previous, pv.unit, pv.higher_is_better) == (pytest.approx(100), pytest.approx(120), "money", False)
    late = k["purchasing.kpi.late_pos"]
    assert (late.value, late.target, late.note) == (2, 0, "of 3 open POs")        # P6, P3 late; P4 open
    assert k["purchasing.kpi.lines_endangered"].value == 2                        # O3 and O2
    assert pur.section_kpis(con, NOV, AS_OF, lang="zh")[3].note == "未结采购单共 3 张"
    s1 = {x.key: x.value for x in pur.section_kpis(con, Filters(NOV.start, NOV.end, suppliers=("S1",)), AS_OF)}
    assert s1["purchasing.kpi.supplier_otd"] == pytest.approx(110 / 150) and s1["purchasing.kpi.late_pos"] == 0


def test_section_kpis_on_an_empty_database(empty):
    k = pur.section_kpis(empty, NOV, AS_OF)
    assert [x.value for x in k] == [None, None, None, 0, 0]
