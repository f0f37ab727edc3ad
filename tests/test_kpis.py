"""Headline KPIs on small hand-built data; answers computed by hand."""
from datetime import date

import pytest

from lib.filters import Filters
from lib.meeting import open_items
from lib.people.auth import SYSTEM
from lib.sections import overview, pmc, sales

P = Filters(start=date(2026, 11, 2), end=date(2026, 11, 15))   # two ISO weeks


def _lines(db, rows):
    with db.transaction(SYSTEM, source="test") as tx:
        for r in rows:
            tx.execute("INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, "
                       "requested_date, promised_date, shipped_qty, status) VALUES (?, ?, 1, 'C1', 'P1', 10, "
                       "'2026-10-01', ?, ?, ?, ?)", r)


@pytest.mark.both_stores
def test_otd_latest_and_original(db):
    # line 1: promised 11-05, shipped 11-04 -> on time (original 11-03 -> late vs original)
    # line 2: promised 11-10, shipped 11-12 -> late
    # line 3: never promised, requested 11-13, shipped 11-13 -> on time
    # line 4: shipped 10-20, outside the period -> not counted
    _lines(db, [(1, "O1", "2026-11-01", "2026-11-05", 10, "closed"),
                (2, "O2", "2026-11-01", "2026-11-10", 10, "closed"),
                (3, "O3", "2026-11-13", None, 10, "closed"),
                (4, "O4", "2026-10-15", "2026-10-20", 10, "closed")])
    with db.transaction(SYSTEM) as tx:
        tx.execute("INSERT INTO shipments (line_id, ship_date, qty) VALUES (1, '2026-11-04', 10), "
                   "(2, '2026-11-12', 10), (3, '2026-11-13', 10), (4, '2026-10-20', 10)")
        tx.execute("INSERT INTO promise_history (line_id, promised_date, promised_at, promised_by, source) VALUES "
                   "(1, '2026-11-03', '2026-10-01 09:00', 'x', 'ctp'), (1, '2026-11-05', '2026-10-20 09:00', 'x', 'change'), "
                   "(2, '2026-11-10', '2026-10-01 09:00', 'x', 'ctp')")
    with db.cursor() as cur:
        assert sales.otd(cur, P) == pytest.approx(2 / 3)
        assert sales.otd(cur, P, basis="original") == pytest.approx(1 / 3)


def test_otd_without_shipments_is_undefined(db):
    with db.cursor() as cur:
        assert sales.otd(cur, P) is None


@pytest.mark.both_stores
def test_plan_achievement_and_no_plan(db):
    with db.transaction(SYSTEM) as tx:
        tx.execute("INSERT INTO production_plan VALUES ('2026-11-03', 'W1', 'P1', 100), ('2026-11-04', 'W1', 'P1', 100), "
                   "('2026-11-20', 'W1', 'P1', 999)")
        tx.execute("INSERT INTO production_actual (date, work_center, product, qty_good) VALUES "
                   "('2026-11-03', 'W1', 'P1', 90), ('2026-11-04', 'W1', 'P1', 80)")
    with db.cursor() as cur:
        assert pmc.plan_achievement(cur, P) == pytest.approx(170 / 200)
        assert pmc.plan_achievement(cur, Filters(date(2027, 1, 1), date(2027, 1, 7))) is None


@pytest.mark.both_stores
def test_action_counts_and_complaints(db):
    with db.transaction(SYSTEM) as tx:
        tx.execute("""INSERT INTO action_items (section, title, owner_department, owner, due_date, status, created_by,
                      result, done_at, cancel_reason) VALUES
            ('pmc', 'a', 'pmc', 'x', '2026-11-01', 'open', 's', NULL, NULL, NULL),
            ('pmc', 'b', 'pmc', 'x', '2026-12-01', 'in_progress', 's', NULL, NULL, NULL),
            ('pmc', 'c', 'pmc', 'x', '2026-11-01', 'done', 's', 'ok', '2026-11-02', NULL),
            ('pmc', 'd', 'pmc', 'x', '2026-11-01', 'cancelled', 's', NULL, NULL, 'dup')""")
        tx.execute("""INSERT INTO complaints (complaint, customer, received_date, category, description, status, closed_date)
                      VALUES ('Q1', 'C1', '2026-11-01', 'quality', 'x', 'open', NULL),
                             ('Q2', 'C1', '2026-11-01', 'quality', 'x', 'closed', '2026-11-05')""")
    with db.cursor() as cur:
        # open until verified or cancelled: a, b and c (done, waiting for verification); overdue: a only
        # (c is done: it waits for its verifier, not its owner)
        assert open_items.action_counts(cur, date(2026, 11, 25)) == (3, 1)
        assert sales.open_complaint_count(cur) == 1


def test_readiness_marks_stale_and_never(db):
    with db.transaction(SYSTEM) as tx:
        tx.execute("INSERT INTO section_updates VALUES ('sales', '2026-11-24 10:00', 'ann', 'form'), "
                   "('pmc', '2026-11-01 10:00', 'bob', 'import')")
    with db.cursor() as cur:
        r = overview.readiness(cur, date(2026, 11, 25)).set_index("section")
    assert not r.loc["sales", "stale"] and r.loc["sales", "days_ago"] == 1
    assert r.loc["pmc", "stale"] and r.loc["pmc", "days_ago"] == 24
    assert r.loc["quality", "stale"]        # never updated


def test_previous_period_has_same_length():
    prev = P.previous()
    assert (prev.start, prev.end) == (date(2026, 10, 19), date(2026, 11, 1))


@pytest.mark.parametrize("start, end, prev_start, prev_end", [
    # a week to date (Mon-Tue of W49) against Mon-Tue of W48, not the weekend before
    (date(2026, 11, 30), date(2026, 12, 1), date(2026, 11, 23), date(2026, 11, 24)),
    # the pages' default: four ISO weeks to a Wednesday, against the four before to their Wednesday
    (date(2026, 11, 2), date(2026, 11, 25), date(2026, 10, 5), date(2026, 10, 28)),
    # a month to date (Dec 1) against Nov 1; a whole month against the whole month before
    (date(2026, 12, 1), date(2026, 12, 1), date(2026, 11, 1), date(2026, 11, 1)),
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
    # any other period: the same number of days just before
    (date(2026, 11, 5), date(2026, 11, 18), date(2026, 10, 22), date(2026, 11, 4)),
])
def test_previous_period_is_pro_rata(start, end, prev_start, prev_end):
    prev = Filters(start, end).previous()
    assert (prev.start, prev.end) == (prev_start, prev_end)
