"""Capable-to-promise (DESIGN.md → Engines → Delivery-date promise), on the hand-built scenario
tests/data/capacity/promise_*.csv. As of Wednesday 2026-11-25; Monday–Friday; buffer 0.

SMT and ASM: 8 h/day each; DEAD: 0 h. X: SMT (setup 2, run 0.1, lead 1) → ASM (run 0.05, lead 2);
BOM X: M1 x2, M2 x1. S: SMT run 0.1 (BOM M2 x1). V: SMT run 1, lead 5 (no BOM).
Open lines, both due Fri 12-04 and ordered 11-01, planned in order E1, E2 (the planned load,
lib.plan.planned, finite capacity by priority):
E1 X 100: ASM 5 h backward from 12-04 takes 5 of 12-04 (lead 2: first day 12-03); SMT 12 h from
  Wed 12-02 back: 8 on 12-02, 4 on 12-01.
E2 V 35 (SMT 35 h, lead 5) from 12-04 back: 8 + 8 (12-04, 12-03), 0 on 12-02, 4 on 12-01, 8 on
  11-30, 7 on Fri 11-27: on time.
Free SMT: 8 h on 11-25 and 11-26, 1 h on 11-27, none 11-30..12-04, 8 h a day from Mon 12-07.
Free ASM: 3 h on 12-04, 8 h every other working day. SMT week 2026-W49 is full (40 of 40 h).
M1: on hand 300, on hold 20, E1 needs 200 → free 80. PO1 100 due 12-01, PO2 200 due 12-08;
lead 10 days → a new PO would arrive 12-05. M2: on hand 1000, E1 needs 100 → free 900.
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
    # M1 need 200, free 80, short 120: PO1 (100) is not enough, PO1+PO2 (300) is, due 12-08; a new
    # PO ordered today (lead 10 days) would arrive Sat 12-05, earlier: ready 12-05
    m1 = {m["material"]: m for m in p.materials}["M1"]
    assert (m1["need"], m1["free"], m1["po"], m1["ready"], m1["source"]) == (200, 80, "PO2", date(2026, 12, 5),
                                                                               "lead_time")
    assert {m["material"]: m for m in p.materials}["M2"]["ready"] == AS_OF
    # SMT 12 h from Mon 12-07: 8 + 4 -> Tue 12-08; ASM 5 h, lead 2 from Wed 12-09 -> Thu 12-10
    assert [(s["work_center"], s["start"], s["finish"]) for s in p.steps] == [
        ("SMT", date(2026, 12, 7), date(2026, 12, 8)), ("ASM", date(2026, 12, 9), date(2026, 12, 10))]
    assert p.promise_date == date(2026, 12, 10) and p.requested_ok is False and p.days_late == 6
    assert p.binding["kind"] == "material" and p.binding["what"] == "M1" and p.binding["date"] == date(2026, 12, 5)
    # 40 pcs need 80 of M1 = free stock: SMT 6 h today, ASM 11-26..11-27; 41 would wait for PO1 (12-01)
    # and SMT has no free hour from 12-01 to 12-04, so 40 is the largest qty by 12-04
    assert p.max_qty_by_requested == 40


def test_bound_by_capacity_spills_into_the_next_week(factory):
    p = q(factory, "S", 300, "2026-11-30")
    # 30 h on SMT from today: 8 + 8 + 1 = 17 by 11-27, nothing free in W49, 25 on Mon 12-07, 30 on 12-08
    assert p.steps[0]["finish"] == date(2026, 12, 8)
    assert p.promise_date == date(2026, 12, 8) and p.days_late == 8
    # with the whole capacity it would finish Mon 11-30: it waited 8 days, in W49 (40 / 40 h planned)
    b = p.binding
    assert (b["kind"], b["what"], b["week"]) == ("capacity", "SMT", "2026-W49")
    assert b["load_pct"] == pytest.approx(1.0) and b["wait_days"] == 8
    assert p.max_qty_by_requested == 170      # 17 h of SMT are free up to Mon 11-30


def test_bound_by_material_and_capacity(factory):
    p = q(factory, "X", 90, "2026-12-04")
    # M1 need 180, free 80, short 100 = PO1 exactly -> 12-01 (before 12-05); SMT 11 h: nothing free
    # 12-01..12-04, 8 on 12-07, 3 on 12-08 (on an empty factory: 12-02, so it waited 6 days)
    assert p.material_ready == date(2026, 12, 1)
    assert p.steps[0]["finish"] == date(2026, 12, 8) and p.steps[0]["wait_days"] == 6
    assert p.steps[1]["finish"] == date(2026, 12, 10)
    assert p.promise_date == date(2026, 12, 10)
    assert p.binding["kind"] == "material" and p.binding["po"] == "PO1"
    assert p.max_qty_by_requested == 40


def test_requested_date_holds(factory):
    p = q(factory, "X", 10, "2026-12-18")
    # SMT 3 h today; ASM 0.5 h with lead 2: Thu 11-26, Fri 11-27
    assert p.promise_date == date(2026, 11, 27) and p.requested_ok is True
    assert p.binding == {"kind": "lead_time", "what": "X", "lead_days": 3} and p.max_qty_by_requested == 10
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
    p = q(factory, "S", 300, "2026-11-30")      # needs SMT until 12-08, the horizon ends 12-02
    assert p.promise_date is None and p.problem["kind"] == "horizon" and p.problem["what"] == "SMT"
    # the split still holds: 17 h of SMT are free by 11-30 (E1 and E2, due after the horizon's end,
    # are still planned backward from their due date 12-04)
    assert p.max_qty_by_requested == 170


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
        "Earliest 2026-12-08 — 8 days after the requested date; bound by SMT in week 2026-W49 "
        "(100% loaded). 170 of 300 can ship by 11-30.")
    d = json.loads(json.dumps(p.to_dict()))
    assert d["promise_date"] == "2026-12-08" and d["binding"]["kind"] == "capacity"
    assert d["max_qty_by_requested"] == 170 and d["steps"][0]["work_center"] == "SMT"


def test_cached_matrix_gives_the_same_answer(factory):
    key = ("test", factory.data_version())
    a = q(factory, "S", 300, "2026-11-30")
    b = q(factory, "S", 300, "2026-11-30", matrix_key=key)
    c = q(factory, "S", 300, "2026-11-30", matrix_key=key)
    assert a.promise_date == b.promise_date == c.promise_date and b.max_qty_by_requested == 170
    # the cached material book gives the same component rows as the direct query
    x = q(factory, "X", 100, "2026-12-04")
    y = q(factory, "X", 100, "2026-12-04", matrix_key=key)
    assert x.materials == y.materials and x.promise_date == y.promise_date == date(2026, 12, 10)
    assert {m["material"]: m["po"] for m in y.materials} == {"M1": "PO2", "M2": None}


def test_affected_load_adds_the_inquiry_where_it_takes_capacity(factory):
    p = q(factory, "S", 300, "2026-11-30")
    with factory.cursor() as cur:
        df = promise.affected_load(cur, p, weeks=3)
    rows = {r.period: r for r in df[df["work_center"] == "SMT"].itertuples()}
    # against the planned load: 17 h in W48 (beside E2's 7 h: full), nothing in the full W49,
    # 13 h on Mon 12-07 and Tue 12-08 (W50)
    assert rows["2026-W48"].inquiry_hours == pytest.approx(17) and rows["2026-W48"].load_hours == pytest.approx(7)
    assert rows["2026-W48"].load_pct == pytest.approx(1.0)
    assert rows["2026-W49"].inquiry_hours == 0 and rows["2026-W49"].load_hours == pytest.approx(40)
    assert rows["2026-W50"].inquiry_hours == pytest.approx(13)


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
    assert p.promise_date == date(2026, 12, 1) and p.max_qty_by_requested == 0
    assert p.binding == {"kind": "lead_time", "what": "V", "lead_days": 5}
    assert promise.explain(p, "en") == ("Earliest 2026-12-01 — 6 days after the requested date; bound by the "
                                        "routing's own lead times (5 working days). None of the 10 can ship by 11-25.")
    assert promise.explain(p, "zh").endswith("11-25 前一件也交不了(共 10)。")
