"""Order review (订单评审): the committed date is the latest feasible date, a change re-opens the
review, every promise is kept. Scenario: tests/data/capacity/promise_*.csv, as of 2026-11-25."""
from datetime import date

import pytest

from lib.errors import PermissionDenied, ValidationError
from lib.people.auth import User
from lib.plan import promise, review
from tests.conftest import load_scenario

AS_OF = date(2026, 11, 25)
CHAIR = User("chair", "chair", None, "Chair")
SALES = User("sue", "head", "sales")
PMC = User("pete", "head", "pmc")
HEADS = {d: User(f"head_{d}", "head", d) for d in ("sales", "pmc", "purchasing", "quality", "engineering")}


@pytest.fixture
def factory(db):
    load_scenario(db, "promise")
    return db


def accepted(db, product="X", qty=100, requested="2026-12-04"):
    with db.cursor() as cur:
        p = promise.quote(cur, product, qty, date.fromisoformat(requested), as_of=AS_OF)
    return review.accept(db, SALES, p, "C1", "SO-100"), p


def test_accept_writes_line_first_promise_and_a_pending_round(factory):
    line_id, p = accepted(factory)          # earliest 12-10 (bound by M1, ready 12-05), requested 12-04
    line = factory.query("SELECT * FROM order_lines WHERE line_id = ?", [line_id]).iloc[0]
    assert (line["order_no"], line["line_no"], line["review_status"]) == ("SO-100", 1, "pending")
    assert line["promised_date"].date() == date(2026, 12, 10)
    hist = factory.query("SELECT promised_date, source FROM promise_history WHERE line_id = ?", [line_id])
    assert [(d.date(), s) for d, s in hist.values] == [(date(2026, 12, 10), "ctp")]
    with factory.cursor() as cur:
        g = review.grid(cur, line_id)
        assert g["status"].tolist() == ["pending"] * 5 and g["round"].tolist() == [1] * 5
        assert review.pending(cur, "pmc")["line_id"].tolist() == [line_id]
    assert factory.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'order_lines' "
                          "AND column_name = 'promised_date' AND source = 'ctp'") == 1
    # its load is now part of the plan the next quote comes after: due 12-10, after E1 and E2
    # (due 12-04): ASM 5 h on 12-10 (lead 2: from 12-09), SMT 12 h before that: 8 on 12-08, 4 on 12-07
    with factory.cursor() as cur:
        from lib.plan import planned
        plan = planned.build(cur, AS_OF)
    i = plan.lines.index[plan.lines["line_id"] == line_id][0]
    mine = [(plan.grid.work_centers[plan.s_wc[j]], (AS_OF + __import__("datetime").timedelta(days=int(d))).isoformat(), h)
            for j, d, h in zip(plan.e_step, plan.e_day, plan.e_hours) if plan.s_line[j] == i]
    assert sorted(mine) == [("ASM", "2026-12-10", 5), ("SMT", "2026-12-07", 4), ("SMT", "2026-12-08", 8)]


def test_a_requested_date_that_holds_is_promised(factory):
    line_id, _ = accepted(factory, qty=10, requested="2026-12-18")
    assert factory.scalar("SELECT promised_date FROM order_lines WHERE line_id = ?", [line_id]) == date(2026, 12, 18)


def test_committed_date_is_the_latest_feasible_date(factory):
    line_id, _ = accepted(factory)                          # CTP 12-10
    review.sign(factory, HEADS["sales"], line_id, "sales", "ok")
    review.sign(factory, HEADS["pmc"], line_id, "pmc", "issue", "2026-12-16", "SMT full: second shift only from W51")
    review.sign(factory, HEADS["purchasing"], line_id, "purchasing", "issue", "2026-12-14", "PO2 may slip 3 days")
    review.sign(factory, HEADS["quality"], line_id, "quality", "ok")
    status, committed = review.sign(factory, HEADS["engineering"], line_id, "engineering", "ok")
    assert (status, committed) == ("issue", date(2026, 12, 16))
    hist = factory.query("SELECT promised_date, source FROM promise_history WHERE line_id = ? ORDER BY promise_id", [line_id])
    assert [(d.date(), s) for d, s in hist.values] == [(date(2026, 12, 10), "ctp"), (date(2026, 12, 16), "review")]
    with factory.cursor() as cur:
        assert review.pending(cur, "pmc").empty
        g = review.grid(cur, line_id)
    assert g.loc[g["department"] == "pmc", "signer"].item() == "head_pmc"


def test_a_feasible_date_earlier_than_ctp_does_not_pull_the_promise_in(factory):
    line_id, _ = accepted(factory)
    for d in ("sales", "purchasing", "quality", "engineering"):
        review.sign(factory, HEADS[d], line_id, d, "ok")
    status, committed = review.sign(factory, HEADS["pmc"], line_id, "pmc", "issue", "2026-12-05", "could do earlier")
    assert committed == date(2026, 12, 10) and status == "issue"


def test_all_ok_approves_and_keeps_the_ctp_date(factory):
    line_id, _ = accepted(factory)
    for d in HEADS:
        status, committed = review.sign(factory, HEADS[d], line_id, d, "ok")
    assert (status, committed) == ("approved", date(2026, 12, 10))
    assert factory.scalar("SELECT review_status FROM order_lines WHERE line_id = ?", [line_id]) == "approved"


def test_a_change_reopens_the_review_and_keeps_the_promise_history(factory):
    line_id, _ = accepted(factory)
    for d in HEADS:
        review.sign(factory, HEADS[d], line_id, d, "ok")
    # the customer cuts the qty to 40: 80 of M1 is free stock again, so the line can make 12-04
    new_date, rnd = review.change_line(factory, SALES, line_id, qty=40, reason="customer cut qty", as_of=AS_OF)
    assert (new_date, rnd) == (date(2026, 12, 4), 2)
    with factory.cursor() as cur:
        g = review.grid(cur, line_id)
        assert g[g["round"] == 2]["status"].tolist() == ["pending"] * 5
        assert g[g["round"] == 1]["status"].tolist() == ["ok"] * 5         # round 1 kept
        hist = review.history(cur, line_id)
    assert hist["source"].tolist() == ["ctp", "change"]
    assert hist["promised_date"].iloc[0].date() == date(2026, 12, 10)       # the original promise
    assert factory.scalar("SELECT review_status FROM order_lines WHERE line_id = ?", [line_id]) == "pending"
    assert factory.scalar("SELECT kind FROM order_changes WHERE line_id = ?", [line_id]) == "qty"


def test_override_with_reason_wins_over_the_rule(factory):
    line_id, _ = accepted(factory)
    with pytest.raises(ValidationError):
        review.override(factory, CHAIR, line_id, "2026-12-08", "")
    review.override(factory, CHAIR, line_id, "2026-12-08", "overtime on SMT agreed in the meeting")
    for d in HEADS:
        status, committed = review.sign(factory, HEADS[d], line_id, d, "ok")
    assert committed == date(2026, 12, 8)
    with factory.cursor() as cur:
        assert review.history(cur, line_id)["source"].tolist() == ["ctp", "override"]


@pytest.mark.parametrize("user,dept,status,feasible,comment,error", [
    (PMC, "sales", "ok", None, None, PermissionDenied),              # a PMC head cannot sign for sales
    (PMC, "pmc", "maybe", None, None, ValidationError),
    (PMC, "pmc", "issue", None, "late", ValidationError),             # a problem needs a date
    (PMC, "pmc", "issue", "2026-12-20", "", ValidationError),         # ... and a comment
    (PMC, "pmc", "issue", "20/12/2026", "late", ValidationError),
    (PMC, "hr", "ok", None, None, ValidationError),
])
def test_refused_signatures_write_nothing(factory, user, dept, status, feasible, comment, error):
    line_id, _ = accepted(factory)
    before = factory.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(error):
        review.sign(factory, user, line_id, dept, status, feasible, comment)
    assert factory.scalar("SELECT count(*) FROM audit_log") == before


def test_accept_refuses_unknown_customer_and_writes_nothing(factory):
    with factory.cursor() as cur:
        p = promise.quote(cur, "X", 10, date(2026, 12, 18), as_of=AS_OF)
    with pytest.raises(ValidationError):
        review.accept(factory, SALES, p, "NOBODY", "SO-1")
    with pytest.raises(PermissionDenied):
        review.accept(factory, PMC, p, "C1", "SO-1")
    assert factory.scalar("SELECT count(*) FROM order_lines WHERE order_no = 'SO-1'") == 0


# ---------------------------------------------------------------------------- approve many at once

def test_sign_all_signs_every_waiting_line_in_one_transaction_with_one_audit_row_each(factory):
    ids = [accepted(factory, qty=10, requested=f"2026-12-{d}")[0] for d in (18, 21, 22)]
    review.sign(factory, HEADS["pmc"], ids[1], "pmc", "ok")          # signed one by one before
    before = factory.scalar("SELECT count(*) FROM audit_log")
    done = review.sign_all(factory, HEADS["pmc"], "pmc", ids)
    assert (done.signed, done.skipped, done.complete) == (2, 1, 0)   # the line signed before is left alone
    audit = factory.query("SELECT row_key, column_name, old_value, new_value, username FROM audit_log "
                          "WHERE audit_id > (SELECT max(audit_id) FROM audit_log) - ? ORDER BY row_key",
                          [factory.scalar("SELECT count(*) FROM audit_log") - before])
    rows = audit[audit["row_key"].str.endswith("|pmc")]
    assert rows.values.tolist() == [[f"{i}|1|pmc", "status", "pending", "ok", "head_pmc"] for i in (ids[0], ids[2])]
    with factory.cursor() as cur:
        assert review.pending(cur, "pmc").empty
        g = review.grid(cur, ids[0])
    assert g.set_index("department").loc["pmc", ["status", "signer"]].tolist() == ["ok", "head_pmc"]
    # every other department approving all: each line's round settles, as signing one by one does
    for d in ("sales", "purchasing", "quality", "engineering"):
        last = review.sign_all(factory, HEADS[d], d, ids)
    assert (last.signed, last.complete) == (3, 3)
    assert factory.query("SELECT review_status FROM order_lines WHERE list_contains(?, line_id)",
                         [ids])["review_status"].tolist() == ["approved"] * 3


def test_sign_all_is_refused_as_a_whole_without_the_right_and_writes_nothing(factory):
    ids = [accepted(factory, qty=10)[0]]
    before = factory.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(PermissionDenied):
        review.sign_all(factory, PMC, "sales", ids)                  # a PMC head cannot sign for sales
    with pytest.raises(ValidationError):
        review.sign_all(factory, PMC, "pmc", [])
    assert factory.scalar("SELECT count(*) FROM audit_log") == before
    with factory.cursor() as cur:
        assert review.pending(cur, "sales")["line_id"].tolist() == ids


def test_the_date_we_can_meet_is_the_projected_finish_of_the_finite_plan(db):
    """DESIGN's worked example: one work center of 8 h a day, four lines of one 8 h step due
    Wednesday, today Monday: SO4 goes forward and finishes Thursday, so Thursday is the date
    offered; SO3, planned to finish Monday, is offered its due date (not earlier); a line
    without a routing, its due date."""
    from tests.test_planned import MON, _day
    from tests.test_planned import factory as plan_factory
    plan_factory(db, [("W", 8)], [("P", 1, "W", 0, 1, 1)], [(f"SO{i}", 1, "P", 8, 2) for i in range(1, 5)]
                 + [("SO9", 1, "NOROUTE", 8, 4)])
    ids = dict(db.query("SELECT order_no, line_id FROM order_lines").values.tolist())
    with db.cursor() as cur:
        offered = {o: review.default_feasible(cur, MON, ids[o]) for o in ("SO1", "SO3", "SO4", "SO9")}
    assert offered == {"SO1": _day(2), "SO3": _day(2), "SO4": _day(3), "SO9": _day(4)}


@pytest.mark.slow
def test_review_page_shows_a_signature_at_once_offers_the_projected_finish_and_approves_all(demo_copy, monkeypatch):
    """On the demo as the PMC head: the form offers the line's projected finish; after signing,
    the grid says PMC signed (not pending); "approve all shown" asks first, then signs every
    line listed, one audit row each."""
    from lib.plan import planned
    from lib.store.db import get_db
    from tests.conftest import run_page
    pmc = User("pmc", "head", "pmc", "张伟 PMC head")
    at = run_page(monkeypatch, demo_copy, "order-review", state={"user": pmc})
    assert not at.exception
    db = get_db(str(demo_copy))
    line_id = at.selectbox(key="rv_line").value
    with db.cursor() as cur:
        lines = planned.plan(cur, AS_OF).lines.set_index("line_id")
        due = cur.execute("SELECT coalesce(promised_date, requested_date) FROM order_lines WHERE line_id = ?",
                          [line_id]).fetchone()[0]
        waiting = review.pending(cur, "pmc")["line_id"].tolist()
    assert line_id in waiting
    assert at.date_input(key=f"rv_feasible_{line_id}").value == max(lines.loc[line_id, "finish"].date(), due)

    next(b for b in at.button if b.label == "Sign for PMC").click().run()
    assert not at.exception and at.success[0].value.startswith("Signed for PMC.")
    grid = at.dataframe[1].value.set_index("Department")
    assert grid.loc["PMC", "Status"] == "✔ OK" and grid.loc["PMC", "Signed by"] == "pmc"

    ask = next(b for b in at.button if b.label.startswith("Approve all"))
    assert ask.label == f"Approve all {len(waiting) - 1} shown for PMC"
    before = db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'order_reviews' AND column_name = 'status'")
    ask.click().run()
    with db.cursor() as cur:
        assert at.warning and len(review.pending(cur, "pmc")) == len(waiting) - 1      # nothing signed yet
    next(b for b in at.button if b.label.startswith("Yes, sign")).click().run()
    assert not at.exception and at.success[0].value.startswith(f"Signed OK for PMC: {len(waiting) - 1} lines")
    with db.cursor() as cur:
        assert review.pending(cur, "pmc").empty
    after = db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'order_reviews' AND column_name = 'status'")
    assert after - before == len(waiting) - 1
