"""Variance review (output, delivery, price, yield) and the Overview's section headlines,
on the PMC and Sales scenarios under tests/data."""
from datetime import date

import pytest

from lib.filters import Filters
from lib.sections import overview, quality, variance
from tests.conftest import DATA

AS_OF = date(2026, 11, 25)
F = Filters(start=date(2026, 11, 2), end=date(2026, 11, 22))


@pytest.fixture
def con(db):
    with db.cursor() as cur:
        cur.execute((DATA / "pmc" / "scenario.sql").read_text(encoding="utf-8"))
        # the sales scenario re-declares the products; keep the PMC ones
        sales = (DATA / "sales" / "scenario.sql").read_text(encoding="utf-8").split("\n", 2)[2]
        cur.execute(sales)
        yield cur


def test_output_trend_worst_and_records_add_up(con):
    tr = variance.trend(con, "output", F, "week")
    assert tr[["label", "plan", "actual", "gap"]].values.tolist() == [["2026-W45", 250, 250, 0], ["2026-W46", 40, 0, -40]]
    w = variance.worst(con, "output", F, "line")
    assert w[["name", "plan", "actual", "badness"]].values.tolist() == [["B", 90, 50, 40], ["A", 200, 200, 0]]
    rec = variance.records(con, "output", F, "line", "B", bucket=date(2026, 11, 2), grain="week")
    assert rec[["date", "plan", "actual"]].astype(str).values.tolist() == [
        ["2026-11-03", "50.0", "30.0"], ["2026-11-04", "0.0", "20.0"]]
    assert rec["actual"].sum() == 50 and rec["plan"].sum() == 50     # = line B's W45 bar


def test_delivery_variance(con):
    tr = variance.trend(con, "delivery", F, "week")
    assert tr[["label", "lines", "late_lines", "days_late"]].values.tolist() == [
        ["2026-W46", 2, 0, 0], ["2026-W47", 1, 1, 2]]
    w = variance.worst(con, "delivery", F, "customer")
    assert w[["name", "late_lines"]].values.tolist() == [["C2", 1], ["C1", 0]]
    rec = variance.records(con, "delivery", F, "customer", "C2")
    assert rec[["order_no", "line_no", "days_late"]].values.tolist() == [["SO2", 1, 2]]


def test_price_variance(con):
    tr = variance.trend(con, "price", F, "week")
    # W45: PO1 (12-10) x 4 = 8, PO2 (9-10) x 5 = -5; W46: PO1 (12-10) x 6 = 12
    assert tr[["label", "qty", "variance"]].values.tolist() == [["2026-W45", 9, 3], ["2026-W46", 6, 12]]
    w = variance.worst(con, "price", F, "supplier")
    assert w[["name", "variance"]].values.tolist() == [["S1", 20], ["S2", -5]]
    assert variance.worst(con, "price", Filters(F.start, F.end, suppliers=("S2",)), "material")["variance"].tolist() == [-5]


def test_yield_variance_counts_first_inspections_only(con):
    tr = variance.trend(con, "yield", F, "week")
    assert tr[["inspected", "defective"]].values.tolist() == [[150, 5]]       # re-inspection and incoming apart
    assert tr["fpy"].iloc[0] == pytest.approx(145 / 150) == quality.first_pass_yield(con, F)
    assert variance.worst(con, "yield", F, "line")[["name", "defective"]].values.tolist() == [["A", 5], ["B", 0]]
    assert variance.worst(con, "incoming", F, "supplier")[["name", "defective"]].values.tolist() == [["S1", 2]]
    assert variance.trend(con, "incoming", F, "week")["fpy"].tolist() == [0.9]


@pytest.mark.parametrize("kind,by", [("output", "customer"), ("nonsense", "line"), ("price", "line"), ("yield", "supplier")])
def test_refused_combinations(con, kind, by):
    with pytest.raises(ValueError):
        variance.worst(con, kind, F, by)


def test_empty_database(db):
    with db.cursor() as con:
        for kind, spec in variance.SPECS.items():
            assert variance.trend(con, kind, F, "month").empty
            assert variance.worst(con, kind, F, spec.dims[0]).empty
            assert variance.records(con, kind, F).empty


def test_section_headlines(con):
    h = overview.section_headlines(con, F, AS_OF)
    assert list(h) == ["sales", "pmc", "purchasing", "quality", "engineering"]
    assert h["sales"].value == pytest.approx(2 / 3)
    assert h["pmc"].value == pytest.approx(250 / 290)
    assert h["purchasing"].value == pytest.approx(9 / 22)     # PO1 4 of 10 + PO2 5 of 5 + PO3 0 of 7 by due
    assert h["quality"].value == pytest.approx(50 / 50)        # the final tile: first final inspections (L2)
    assert h["engineering"].value == pytest.approx(1 / 3)      # D1 on time; D2 late; D3 not released
    assert h["pmc"].target == 0.95


def test_section_headlines_empty(db):
    with db.cursor() as con:
        assert all(k.value is None for k in overview.section_headlines(con, F, AS_OF).values())


def test_page_filters_customers_and_suppliers(con):
    assert variance.suppliers(con)[["supplier", "name"]].values.tolist() == [["S1", "Steel Co"], ["S2", "Second Source"]]
    only_c1 = Filters(F.start, F.end, customers=("C1",))
    assert variance.worst(con, "delivery", only_c1, "customer")["name"].tolist() == ["C1"]
    assert variance.trend(con, "delivery", only_c1, "week")["late_lines"].sum() == 0
    # the customer filter does not touch output or price; the supplier filter not output
    assert variance.total(con, "output", Filters(F.start, F.end, customers=("C1",), suppliers=("S2",)))["plan"].iloc[0] == 290
