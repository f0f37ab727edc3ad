"""Capable-to-promise (DESIGN.md → Engines → Delivery-date promise), on the hand-built scenario
tests/data/capacity/promise_*.csv. As of Wednesday 2026-11-25; Monday–Friday; buffer 0.

SMT and ASM: 8 h/day each; DEAD: 0 h. X: SMT (setup 2, run 0.1, lead 1) → ASM (run 0.05, lead 2);
BOM X: M1 x2, M2 x1. S: SMT run 0.1 (BOM M2 x1). V: SMT run 1, lead 5 (no BOM).
Open lines: E1 X 100 promised Fri 12-04 → SMT 12 h on Wed 12-02, ASM 2.5 h on 12-03 and 12-04;
E2 V 35 due 12-04 → SMT 7 h on each of 11-30..12-04. So SMT week 2026-W49 carries
35 + 12 = 47 h of 40 (117.5 %); SMT remaining: 1 h on 11-30, 12-01, 12-03, 12-04, 0 on 12-02.
M1: on hand 300, on hold 20, E1 needs 200 → free 80. PO1 100 due 12-01, PO2 200 due 12-08.
M2: on hand 1000, E1 needs 100 → free 900.
"""
import json
from datetime import date

import pytest

from lib.errors import ValidationError
from lib.plan import promise
from tests.conftest import load_scenario

AS_OF = date(2026, 11, 25)


@pytest.fixture
def factory(db):
    load_scenario(db, "promise")
    return db


def q(db, product, qty, requested, **kw):
    with db.cursor() as cur:
        return promise.quote(cur, product, qty, date.fromisoformat(requested), as_of=AS_OF, **kw)


def test_bound_by_material_covered_by_the_second_po(factory):
    p = q(factory, "X", 100, "2026-12-04")
    # M1 need 200, free 80, short 120: PO1 (100) is not enough, PO1+PO2 (300) is -> 12-08
    m1 = {m["material"]: m for m in p.materials}["M1"]
    assert (m1["need"], m1["free"], m1["po"], m1["ready"]) == (200, 80, "PO2", date(2026, 12, 8))
    assert {m["material"]: m for m in p.materials}["M2"]["ready"] == AS_OF
    # SMT 12 h from Tue 12-08: 8 + 8 -> Wed 12-09; ASM 5 h, lead 2 from Thu 12-10 -> Fri 12-11
    assert [(s["work_center"], s["start"], s["finish"]) for s in p.steps] == [
        ("SMT", date(2026, 12, 8), date(2026, 12, 9)), ("ASM", date(2026, 12, 10), date(2026, 12, 11))]
    assert p.promise_date == date(2026, 12, 11) and p.requested_ok is False and p.days_late == 7
    assert p.binding["kind"] == "material" and p.binding["what"] == "M1" and p.binding["date"] == date(2026, 12, 8)
    # 40 pcs need 80 of M1 = free stock: SMT 6 h today, ASM 11-26..11-27; 41 would wait for PO1 (12-01)
    # and SMT has only 3 h left before 12-07, so 40 is the largest qty by 12-04
    assert p.max_qty_by_requested == 40


def test_bound_by_capacity_spills_into_the_next_week(factory):
    p = q(factory, "S", 300, "2026-11-30")
    # 30 h on SMT from today: 8+8+8 (W48) +1 (11-30) +1 +0 +1 +1 = 28 by 12-04, 36 on Mon 12-07
    assert p.steps[0]["finish"] == date(2026, 12, 7)
    assert p.promise_date == date(2026, 12, 7) and p.days_late == 7
    # with the whole capacity it would finish Mon 11-30: it waited 7 days, in W49 (47 / 40 h)
    b = p.binding
    assert (b["kind"], b["what"], b["week"]) == ("capacity", "SMT", "2026-W49")
    assert b["load_pct"] == pytest.approx(1.175) and b["wait_days"] == 7
    assert p.max_qty_by_requested == 250      # 25 h of SMT remain up to Mon 11-30


def test_bound_by_material_and_capacity(factory):
    p = q(factory, "X", 90, "2026-12-04")
    # M1 need 180, free 80, short 100 = PO1 exactly -> 12-01; SMT 11 h: 1+0+1+1 by 12-04, +8 on 12-07
    assert p.material_ready == date(2026, 12, 1)
    assert p.steps[0]["finish"] == date(2026, 12, 7) and p.steps[0]["wait_days"] == 5
    assert p.steps[1]["finish"] == date(2026, 12, 9)
    assert p.promise_date == date(2026, 12, 9)
    assert p.binding["kind"] == "material" and p.binding["po"] == "PO1"
    assert p.max_qty_by_requested == 40


def test_requested_date_holds(factory):
    p = q(factory, "X", 10, "2026-12-18")
    # SMT 3 h today; ASM 0.5 h with lead 2: Thu 11-26, Fri 11-27
    assert p.promise_date == date(2026, 11, 27) and p.requested_ok is True
    assert p.binding is None and p.max_qty_by_requested == 10
    assert p.commit_date == date(2026, 12, 18)


def test_shipping_buffer_is_added(factory):
    with factory.transaction() as tx:
        tx.execute("INSERT INTO settings VALUES ('shipping_buffer_days', '2', 'test', now())")
    assert q(factory, "X", 10, "2026-12-18").promise_date == date(2026, 11, 29)


def test_product_without_bom_is_quoted_on_capacity_with_a_warning(factory):
    p = q(factory, "Y", 10, "2026-12-01")
    assert p.warnings == ["no_bom"] and p.materials == []
    assert p.promise_date == AS_OF


@pytest.mark.parametrize("product,kind,what", [
    ("Z", "no_capacity", "DEAD"),        # work center with no capacity at all
    ("W", "no_routing", "W"),            # product without routing
    ("Q", "no_lead_time", "M3"),         # short of a material without lead time or PO
])
def test_no_date_within_the_horizon_is_said_plainly(factory, product, kind, what):
    p = q(factory, product, 10, "2026-12-18")
    assert p.promise_date is None and p.problem["kind"] == kind and p.problem["what"] == what
    assert what in promise.explain(p, "en")


def test_capacity_beyond_the_horizon(factory):
    with factory.transaction() as tx:
        tx.execute("INSERT INTO settings VALUES ('horizon_days', '7', 'test', now())")
    p = q(factory, "S", 300, "2026-11-30")      # needs SMT until 12-07, the horizon ends 12-02
    assert p.promise_date is None and p.problem["kind"] == "horizon" and p.problem["what"] == "SMT"


@pytest.mark.parametrize("product,qty,requested,where", [
    ("NOPE", 10, "2026-12-01", "product"),
    ("", 10, "2026-12-01", "product"),
    ("X", 0, "2026-12-01", "qty"),
    ("X", -5, "2026-12-01", "qty"),
    ("X", "abc", "2026-12-01", "qty"),
    ("X", float("nan"), "2026-12-01", "qty"),
    ("X", 10, "2026-11-24", "requested date"),
    ("X", 10, "2026-13-01", "requested date"),
])
def test_bad_inquiries_are_refused(factory, product, qty, requested, where):
    with factory.cursor() as cur, pytest.raises(ValidationError) as e:
        promise.quote(cur, product, qty, requested, as_of=AS_OF)
    assert e.value.where == where


def test_sentence_and_json(factory):
    p = q(factory, "S", 300, "2026-11-30")
    assert promise.explain(p, "en") == (
        "Earliest 2026-12-07 — 7 days after the requested date; bound by SMT in week 2026-W49 "
        "(118% loaded). 250 of 300 can ship by 11-30.")
    d = json.loads(json.dumps(p.to_dict()))
    assert d["promise_date"] == "2026-12-07" and d["binding"]["kind"] == "capacity"
    assert d["max_qty_by_requested"] == 250 and d["steps"][0]["work_center"] == "SMT"


def test_cached_matrix_gives_the_same_answer(factory):
    key = ("test", factory.data_version())
    a = q(factory, "S", 300, "2026-11-30")
    b = q(factory, "S", 300, "2026-11-30", matrix_key=key)
    c = q(factory, "S", 300, "2026-11-30", matrix_key=key)
    assert a.promise_date == b.promise_date == c.promise_date and b.max_qty_by_requested == 250
    # the cached material book gives the same component rows as the direct query
    x = q(factory, "X", 100, "2026-12-04")
    y = q(factory, "X", 100, "2026-12-04", matrix_key=key)
    assert x.materials == y.materials and x.promise_date == y.promise_date == date(2026, 12, 11)
    assert {m["material"]: m["po"] for m in y.materials} == {"M1": "PO2", "M2": None}


def test_affected_load_adds_the_inquiry_where_it_takes_capacity(factory):
    p = q(factory, "S", 300, "2026-11-30")
    with factory.cursor() as cur:
        df = promise.affected_load(cur, p, weeks=3)
    rows = {r.period: r for r in df[df["work_center"] == "SMT"].itertuples()}
    # 24 h in W48 (all of it), 4 h of W49's 5 remaining, 2 h on Mon 12-07 (W50)
    assert rows["2026-W48"].inquiry_hours == pytest.approx(24)
    assert rows["2026-W49"].inquiry_hours == pytest.approx(4) and rows["2026-W49"].load_hours == 47
    assert rows["2026-W50"].inquiry_hours == pytest.approx(2)


def test_a_step_left_without_days_in_the_horizon_is_a_horizon_problem(factory):
    # horizon 0 days: the matrix holds today only. X x 40: M1 need 80 = free 80, ready today;
    # SMT 2 + 0.1 x 40 = 6 h of today's 8 -> finishes today; ASM would start tomorrow, past the
    # horizon: that is 'horizon' naming ASM (ASM has capacity, so not 'no_capacity')
    with factory.transaction() as tx:
        tx.execute("INSERT INTO settings VALUES ('horizon_days', '0', 'test', now())")
    p = q(factory, "X", 40, "2026-11-30")
    assert [(s["work_center"], s["finish"]) for s in p.steps] == [("SMT", AS_OF)]
    assert p.promise_date is None and p.problem["kind"] == "horizon" and p.problem["what"] == "ASM"


def test_when_nothing_can_ship_by_the_requested_date_the_sentence_says_none(factory):
    # V: SMT run 1 h, lead 5 working days from today (11-25, 26, 27, 30, 12-01): 10 h fit in two
    # days, the lead time sets the finish on Tue 12-01; nothing finishes by today
    p = q(factory, "V", 10, "2026-11-25")
    assert p.promise_date == date(2026, 12, 1) and p.max_qty_by_requested == 0 and p.binding is None
    assert promise.explain(p, "en") == ("Earliest 2026-12-01 — 6 days after the requested date. "
                                        "None of the 10 can ship by 11-25.")
    assert promise.explain(p, "zh").endswith("11-25 前一件也交不了(共 10)。")
