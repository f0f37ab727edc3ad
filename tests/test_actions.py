"""Action rules: every allowed and refused transition, who may do what, counters, escalation."""
from datetime import date, datetime

import pytest

from lib.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from lib.meeting import actions, meetings
from lib.people.auth import User

CHAIR = User("zhang", "chair", None, "Zhang Wei")
PMC_HEAD = User("li", "head", "pmc", "Li Na")
SALES_HEAD = User("wang", "head", "sales", "Wang Fang")
VIEWER = User("proj", "viewer")
MEETING_DAY = date(2026, 11, 25)


def _meeting(db, day=MEETING_DAY):
    return meetings.create(db, CHAIR, meeting_date=day, chair="Zhang Wei", title=f"产销协调会 {day}")


def _action(db, mid=None, owner="Li Na", dept="pmc", due=date(2026, 12, 2)):
    return actions.create(db, CHAIR if mid else PMC_HEAD, title="Expedite M-0042", owner_department=dept,
                          owner=owner, due_date=due, section="pmc", meeting_id=mid, as_of=MEETING_DAY)


def _status(db, aid):
    return db.scalar("SELECT status FROM action_items WHERE action_id = ?", [aid])


def _to(db, aid, *path):
    """Walk an action through statuses with the chair (done with a note)."""
    for s in path:
        who = PMC_HEAD if s in ("in_progress", "done") else CHAIR
        actions.transition(db, who, aid, s, note="note")


# (path walked first, user, target, note, expected error or None)
CASES = [
    ((), PMC_HEAD, "in_progress", None, None),
    ((), PMC_HEAD, "done", "shipped 500 pcs", None),
    ((), PMC_HEAD, "done", None, ValidationError),              # done needs a result
    ((), PMC_HEAD, "done", "   ", ValidationError),
    ((), PMC_HEAD, "verified", None, RuleViolation),            # open -> verified not allowed
    ((), CHAIR, "cancelled", "customer cancelled", None),
    ((), CHAIR, "cancelled", None, ValidationError),            # cancel needs a reason
    ((), PMC_HEAD, "cancelled", "drop it", PermissionDenied),   # only the chair cancels
    ((), SALES_HEAD, "in_progress", None, PermissionDenied),    # another department's action
    ((), VIEWER, "in_progress", None, PermissionDenied),
    (("in_progress",), PMC_HEAD, "done", "done", None),
    (("in_progress",), PMC_HEAD, "open", None, RuleViolation),
    (("done",), CHAIR, "verified", None, None),
    (("done",), SALES_HEAD, "verified", None, PermissionDenied),  # heads do not verify
    (("done",), CHAIR, "open", "result not confirmed by customer", None),
    (("done",), CHAIR, "open", None, ValidationError),          # reopening needs a reason
    (("done",), PMC_HEAD, "in_progress", None, RuleViolation),
    (("done", "verified"), CHAIR, "open", "came back", None),
    (("done", "verified"), CHAIR, "done", "x", RuleViolation),
    (("cancelled",), CHAIR, "open", "x", RuleViolation),        # cancelled is final
    (("cancelled",), PMC_HEAD, "in_progress", None, RuleViolation),
    ((), PMC_HEAD, "reopened", None, ValidationError),          # not a status
]


@pytest.mark.parametrize("path,user,to,note,error", CASES)
def test_transitions(db, path, user, to, note, error):
    aid = _action(db)
    _to(db, aid, *path)
    before = db.query("SELECT * FROM action_items WHERE action_id = ?", [aid])
    events = db.scalar("SELECT count(*) FROM action_events WHERE action_id = ?", [aid])
    if error:
        with pytest.raises(error):
            actions.transition(db, user, aid, to, note=note)
        assert db.query("SELECT * FROM action_items WHERE action_id = ?", [aid]).equals(before)
        assert db.scalar("SELECT count(*) FROM action_events WHERE action_id = ?", [aid]) == events
    else:
        actions.transition(db, user, aid, to, note=note)
        assert _status(db, aid) == to
        last = db.query("SELECT from_status, to_status FROM action_events WHERE action_id = ? "
                        "ORDER BY event_id DESC LIMIT 1", [aid]).iloc[0]
        assert (last["from_status"], last["to_status"]) == (path[-1] if path else "open", to)


def test_owner_cannot_verify_own_action_even_as_chair(db):
    aid = _action(db, owner="Zhang Wei")
    actions.transition(db, CHAIR, aid, "done", note="done it")
    with pytest.raises(PermissionDenied, match="owner cannot verify"):
        actions.transition(db, CHAIR, aid, "verified")
    assert _status(db, aid) == "done"
    assert "verified" not in actions.allowed(actions.get(db._con, aid), CHAIR)
    other = User("boss", "admin")
    actions.transition(db, other, aid, "verified")
    row = db.query("SELECT verifier, verified_at FROM action_items WHERE action_id = ?", [aid]).iloc[0]
    assert row["verifier"] == "boss" and row["verified_at"] is not None


def test_reopen_clears_the_result_but_history_keeps_it(db):
    aid = _action(db)
    actions.transition(db, PMC_HEAD, aid, "done", note="first try")
    actions.transition(db, CHAIR, aid, "open", note="still short 20 pcs")
    a = actions.get(db._con, aid)
    assert (a["status"], a["result"], a["done_at"]) == ("open", None, None)
    h = actions.history(db._con, aid)
    assert h["to_status"].tolist() == ["open", "done", "open"]
    assert h["note"].tolist()[1:] == ["first try", "reopened: still short 20 pcs"]


@pytest.mark.parametrize("field,kwargs,where", [
    ("owner", {"owner": ""}, "owner"),
    ("owner", {"owner": "  "}, "owner"),
    ("due", {"due_date": None}, "due date"),
    ("due", {"due_date": date(2026, 11, 24)}, "due date"),       # before the meeting
    ("title", {"title": ""}, "title"),
    ("dept", {"owner_department": "finance"}, "owner department"),
    ("section", {"section": "lunch"}, "section"),
])
def test_bad_new_action_is_refused_and_nothing_written(db, field, kwargs, where):
    mid = _meeting(db)
    args = dict(title="Fix the press", owner_department="pmc", owner="Li Na", due_date=date(2026, 12, 1),
                section="pmc", meeting_id=mid)
    args.update(kwargs)
    n = db.scalar("SELECT count(*) FROM action_items")
    with pytest.raises(ValidationError) as e:
        actions.create(db, CHAIR, **args)
    assert e.value.where == where
    assert db.scalar("SELECT count(*) FROM action_items") == n
    assert db.scalar("SELECT count(*) FROM action_events") == 0


def test_due_on_the_meeting_day_is_fine(db):
    mid = _meeting(db)
    aid = actions.create(db, CHAIR, title="Call customer", owner_department="sales", owner="Wang Fang",
                         due_date=MEETING_DAY, section="sales", meeting_id=mid)
    assert actions.get(db._con, aid)["due_date"].date() == MEETING_DAY


def test_head_records_only_own_department_outside_a_meeting(db):
    with pytest.raises(PermissionDenied):
        _action(db, dept="sales")
    aid = _action(db)
    assert db.scalar("SELECT count(*) FROM action_discussions") == 0   # not discussed anywhere yet
    assert actions.get(db._con, aid)["created_by"] == "li"


def test_links_are_stored(db):
    mid = _meeting(db)
    aid = actions.create(db, CHAIR, title="Supplier 8D", owner_department="purchasing", owner="Chen",
                         due_date=date(2026, 12, 9), section="purchasing", meeting_id=mid,
                         links={"supplier": "S-01", "material": "M-0042", "work_center": "", "bogus": "x"})
    a = actions.get(db._con, aid)
    assert (a["supplier"], a["material"], a["work_center"]) == ("S-01", "M-0042", None)


def test_counters_days_open_overdue_and_escalation(db):
    mid = _meeting(db)
    aid = actions.create(db, CHAIR, title="Fix press 3", owner_department="pmc", owner="Li Na",
                         due_date=date(2026, 11, 30), section="pmc", meeting_id=mid,
                         now=datetime(2026, 11, 25, 9, 30))
    row = actions.action_list(db._con, date(2026, 12, 3)).iloc[0]
    # created 11-25, as of 12-03: 8 days open; due 11-30: 3 days late; discussed once (raised here)
    assert (row["days_open"], row["days_late"], row["times_discussed"]) == (8, 3, 1)
    assert bool(row["overdue"]) and bool(row["escalated"])
    row = actions.action_list(db._con, date(2026, 11, 27)).iloc[0]
    assert (row["days_open"], bool(row["overdue"]), bool(row["escalated"])) == (2, False, False)
    actions.transition(db, PMC_HEAD, aid, "done", note="fixed", now=datetime(2026, 11, 28, 10, 0))
    row = actions.action_list(db._con, date(2026, 12, 3)).iloc[0]
    assert (row["days_open"], bool(row["overdue"])) == (3, False)   # the clock stops at done
    assert actions.escalations(db._con, date(2026, 12, 3)).empty


def test_closure_on_time(db):
    mid = _meeting(db)
    ids = [actions.create(db, CHAIR, title=f"a{i}", owner_department="pmc", owner="Li Na",
                          due_date=date(2026, 11, 30), section="pmc", meeting_id=mid) for i in range(4)]
    for aid, when in zip(ids[:2], [datetime(2026, 11, 29), datetime(2026, 12, 2)]):
        actions.transition(db, PMC_HEAD, aid, "done", note="ok", now=when)
        actions.transition(db, CHAIR, aid, "verified", now=when)
    actions.transition(db, CHAIR, ids[3], "cancelled", note="not needed")
    # due by 12-05 and not cancelled: 3; verified by due date: 1 -> 1/3
    rate, on_time, due = actions.closure_on_time(db._con, date(2026, 12, 5))
    assert (on_time, due) == (1, 3) and rate == pytest.approx(1 / 3)
    assert actions.closure_on_time(db._con, date(2026, 11, 29)) == (None, 0, 0)


def test_discuss_records_reason_and_new_date(db):
    old = _meeting(db, date(2026, 11, 18))
    aid = actions.create(db, CHAIR, title="Expedite", owner_department="purchasing", owner="Chen",
                         due_date=date(2026, 11, 20), section="purchasing", meeting_id=old)
    mid = _meeting(db)
    with pytest.raises(ValidationError, match="before the meeting"):
        actions.discuss(db, CHAIR, aid, mid, note="supplier late", new_due=date(2026, 11, 24))
    actions.discuss(db, CHAIR, aid, mid, note="supplier late", new_due=date(2026, 12, 4))
    assert actions.get(db._con, aid)["due_date"].date() == date(2026, 12, 4)
    assert db.scalar("SELECT note FROM action_discussions WHERE action_id = ? AND meeting_id = ?",
                     [aid, mid]) == "supplier late"
    assert "2026-11-20 -> 2026-12-04" in actions.history(db._con, aid)["note"].iloc[-1]
    with pytest.raises(NotFound):
        actions.transition(db, CHAIR, 999, "done", note="x")
