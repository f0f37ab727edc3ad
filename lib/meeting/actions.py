"""Meeting actions followed to a verified result: states, who may move them, counters, escalation.

The rule of the meeting (决而不行、行而不果 must not happen): every action has an owner and a
due date, and moves

    open ──► in_progress ──► done (result note) ──► verified (not by the owner)
      │            │            │      └──► open (reopened, with a reason)
      └────────────┴────────────┴──► cancelled (chair only, with a reason)
    verified ──► open (reopened, with a reason)

Who may do what (lib.people.auth): starting and reporting done needs "action" for the owner's
department (its head, the chair, admin); verifying and reopening need "verify" and are refused
to the owner; cancelling needs "meeting" (only the chair drops an action). Every change writes an
`action_events` row, so the history of an action can be read back.

Counters: times discussed = the meetings the action was on the table in (`action_discussions`);
days open = from creation to done (or to as-of while open). An action is escalated to the
chair's list when it is overdue or has been discussed in ESCALATE_AFTER meetings or more
without being verified.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib import settings
from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from lib.people.auth import User
from lib.sections.kpi import Kpi

STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
OPEN_STATUSES = ("open", "in_progress")
# from status -> allowed next statuses
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "done", "cancelled"),
    "in_progress": ("done", "cancelled"),
    "done": ("verified", "open", "cancelled"),
    "verified": ("open",),
    "cancelled": (),
}
ESCALATE_AFTER = 3      # meetings discussed without being verified
LINKS = ("line_id", "work_center", "supplier", "material")


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def is_owner(user: User, owner: str) -> bool:
    """True when `user` is the action's owner (by username or by displayed name)."""
    who = (owner or "").strip().casefold()
    return bool(who) and who in {user.username.casefold(), (user.display_name or "").casefold()}


def _meeting_row(cur, meeting_id: int) -> dict:
    df = cur.execute("SELECT * FROM meetings WHERE meeting_id = ?", [int(meeting_id)]).df()
    if df.empty:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    return df.iloc[0].to_dict()


def refuse_if_closed(meeting: dict) -> None:
    """A closed meeting is read-only."""
    if meeting["status"] == "closed":
        raise RuleViolation(
            f"Meeting {meeting['meeting_id']} ({pd.Timestamp(meeting['meeting_date']):%Y-%m-%d}) is closed "
            "and read-only; nothing was changed. Record it in the next meeting instead.",
            title="Meeting closed")


def validate_new(title: str, owner_department: str, owner: str, due_date, section: str,
                 meeting_date: date | None) -> date:
    """Check a new action's fields; return its due date. Raises ValidationError naming the field."""
    if not (title or "").strip():
        raise ValidationError("an action needs a title saying what is to be done.", where="title")
    if owner_department not in DEPARTMENTS:
        raise ValidationError(f"owner department must be one of {', '.join(DEPARTMENTS)}.",
                              where="owner department")
    if not (owner or "").strip():
        raise ValidationError("an action needs an owner (a person who answers for it).", where="owner")
    if due_date is None or (isinstance(due_date, str) and not due_date.strip()):
        raise ValidationError("an action needs a due date.", where="due date")
    due = pd.Timestamp(due_date).date()
    if meeting_date is not None and due < meeting_date:
        raise ValidationError(f"due date {due.isoformat()} is before the meeting "
                              f"({meeting_date.isoformat()}).", where="due date")
    if section not in AGENDA:
        raise ValidationError(f"section must be one of {', '.join(AGENDA)}.", where="section")
    return due


def create(db, user: User, *, title: str, owner_department: str, owner: str, due_date,
           section: str = "decisions", meeting_id: int | None = None, decision_id: int | None = None,
           links: dict | None = None, now: datetime | None = None, as_of: date | None = None) -> int:
    """Record a new action; return its id.

    Raised in a meeting it needs "meeting" (the chair runs it) and is counted as discussed in
    that meeting; outside a meeting a head records actions for its own department ("action").
    The due date may not be before the meeting (or before `as_of` outside a meeting).
    """
    links = {k: v for k, v in (links or {}).items() if k in LINKS and v not in (None, "")}
    need, dept = ("meeting", None) if meeting_id is not None else ("action", owner_department)
    with db.transaction(user, source="form", need=need, department=dept) as tx:
        meeting_date = None
        if meeting_id is not None:
            m = _meeting_row(tx.cur, meeting_id)
            refuse_if_closed(m)
            meeting_date = pd.Timestamp(m["meeting_date"]).date()
        due = validate_new(title, owner_department, owner, due_date, section, meeting_date or as_of)
        if decision_id is not None and tx.fetch("decisions", {"decision_id": decision_id}) is None:
            raise NotFound(f"Decision {decision_id} does not exist.")
        stamp = _now(now)
        aid = tx.insert("action_items", {
            "meeting_id": meeting_id, "decision_id": decision_id, "section": section,
            "title": title.strip(), "owner_department": owner_department, "owner": owner.strip(),
            "due_date": due, "status": "open", "created_at": stamp, "created_by": user.username,
            **links}, returning="action_id")
        tx.insert("action_events", {"action_id": aid, "event_at": stamp, "username": user.username,
                                    "from_status": None, "to_status": "open", "note": None})
        if meeting_id is not None:
            tx.insert("action_discussions", {"action_id": aid, "meeting_id": meeting_id})
    return int(aid)


def get(con, action_id: int) -> dict:
    df = con.execute("SELECT * FROM action_items WHERE action_id = ?", [int(action_id)]).df()
    if df.empty:
        raise NotFound(f"Action {action_id} does not exist.")
    return {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v)
            for k, v in df.iloc[0].to_dict().items()}


def allowed(action: dict, user: User) -> list[str]:
    """The statuses `user` may move `action` to now (for offering buttons)."""
    from lib.people import auth
    out = []
    for to in TRANSITIONS[action["status"]]:
        need, dept = _need(action["status"], to, action["owner_department"])
        if not auth.can(user, need, dept):
            continue
        if need == "verify" and is_owner(user, action["owner"]):
            continue
        out.append(to)
    return out


def _need(frm: str, to: str, department: str) -> tuple[str, str | None]:
    if to == "cancelled":
        return "meeting", None
    if to == "verified" or (to == "open" and frm in ("done", "verified")):
        return "verify", None
    return "action", department


def transition(db, user: User, action_id: int, to: str, *, note: str | None = None,
               now: datetime | None = None, expected_status: str | None = None) -> None:
    """Move an action to status `to`, checking the state machine, the role and the notes.

    done needs a result note; cancelled and reopening need a reason; verifying is refused to the
    owner. `expected_status` is the status the user saw: if it changed meanwhile, Conflict.
    """
    if to not in STATUSES:
        raise ValidationError(f"unknown status {to!r}.", where="status")
    note = (note or "").strip() or None
    with db.transaction(user, source="form") as tx:
        a = get(tx.cur, action_id)
        frm = a["status"]
        if to not in TRANSITIONS[frm]:
            ok = ", ".join(TRANSITIONS[frm]) or "none (it is final)"
            raise RuleViolation(f"Action {action_id} is {frm}; it cannot become {to}. Allowed next: {ok}.",
                                title="Not allowed in this state")
        need, dept = _need(frm, to, a["owner_department"])
        from lib.people import auth
        auth.require(user, need, dept)
        if need == "verify" and is_owner(user, a["owner"]):
            raise PermissionDenied(f"Action {action_id} is owned by {a['owner']}: its owner cannot "
                                   f"{'verify' if to == 'verified' else 'reopen'} it. Ask the chair "
                                   "or another person to check the result.")
        changes: dict = {"status": to}
        if to == "done":
            if not note:
                raise ValidationError("marking an action done needs a result note: what was achieved.",
                                      where="result")
            changes.update(result=note, done_at=_now(now))
        elif to == "verified":
            changes.update(verifier=user.username, verified_at=_now(now))
        elif to == "cancelled":
            if not note:
                raise ValidationError("cancelling an action needs a reason.", where="reason")
            changes.update(cancel_reason=note)
        elif to == "open" and frm in ("done", "verified"):
            if not note:
                raise ValidationError("reopening an action needs a reason: what is still missing.",
                                      where="reason")
            changes.update(verifier=None, verified_at=None, done_at=None, result=None)
        expected = {"status": expected_status} if expected_status else None
        tx.update("action_items", {"action_id": action_id}, changes, expected=expected)
        tx.insert("action_events", {"action_id": action_id, "event_at": _now(now), "username": user.username,
                                    "from_status": frm, "to_status": to,
                                    "note": ("reopened: " + note) if to == "open" else note})


def discuss(db, user: User, action_id: int, meeting_id: int, *, note: str | None = None,
            new_due=None, now: datetime | None = None) -> None:
    """Record what a meeting said about a carried action (reason it is late, new date).

    A new due date may not be before the meeting; the action's due date moves with it and the
    event history keeps the old one.
    """
    with db.transaction(user, source="form", need="meeting") as tx:
        m = _meeting_row(tx.cur, meeting_id)
        refuse_if_closed(m)
        a = get(tx.cur, action_id)
        if a["status"] in ("verified", "cancelled"):
            raise RuleViolation(f"Action {action_id} is {a['status']}; there is nothing left to discuss.")
        new = None
        if new_due not in (None, ""):
            new = pd.Timestamp(new_due).date()
            mdate = pd.Timestamp(m["meeting_date"]).date()
            if new < mdate:
                raise ValidationError(f"new due date {new.isoformat()} is before the meeting "
                                      f"({mdate.isoformat()}).", where="new due date")
        note = (note or "").strip() or None
        key = {"action_id": action_id, "meeting_id": meeting_id}
        if tx.fetch("action_discussions", key) is None:
            tx.insert("action_discussions", {**key, "note": note, "new_due": new})
        else:
            tx.update("action_discussions", key, {"note": note, "new_due": new})
        if new is not None and new != pd.Timestamp(a["due_date"]).date():
            tx.update("action_items", {"action_id": action_id}, {"due_date": new})
            tx.insert("action_events", {
                "action_id": action_id, "event_at": _now(now), "username": user.username,
                "from_status": a["status"], "to_status": a["status"],
                "note": f"due {pd.Timestamp(a['due_date']):%Y-%m-%d} -> {new.isoformat()}" + (f": {note}" if note else "")})


_LIST_SQL = """
WITH talks AS (SELECT action_id, count(*) AS times_discussed FROM action_discussions GROUP BY action_id)
SELECT a.action_id, a.meeting_id, m.meeting_date AS raised_on, a.section, a.title,
       a.owner_department, a.owner, a.due_date, a.status, a.result, a.verifier, a.verified_at,
       a.cancel_reason, a.created_at, a.done_at, a.line_id, a.work_center, a.supplier, a.material,
       coalesce(t.times_discussed, 0) AS times_discussed,
       CASE WHEN a.status = 'cancelled' THEN NULL
            ELSE greatest(0, date_diff('day', CAST(a.created_at AS DATE),
                          CASE WHEN a.done_at IS NOT NULL THEN CAST(a.done_at AS DATE) ELSE CAST(? AS DATE) END))
       END AS days_open,
       (a.status IN ('open', 'in_progress') AND a.due_date < CAST(? AS DATE)) AS overdue,
       CASE WHEN a.status IN ('open', 'in_progress') AND a.due_date < CAST(? AS DATE)
            THEN date_diff('day', a.due_date, CAST(? AS DATE)) ELSE 0 END AS days_late
FROM action_items a
LEFT JOIN talks t USING (action_id)
LEFT JOIN meetings m ON m.meeting_id = a.meeting_id
"""


def action_list(con, as_of: date, *, departments=(), owner: str | None = None, statuses=(),
                meeting_id: int | None = None) -> pd.DataFrame:
    """Actions with their counters and flags, most urgent first.

    Columns add to action_items: raised_on (meeting date), times_discussed, days_open, overdue,
    days_late and escalated (overdue, or discussed in ESCALATE_AFTER+ meetings and not yet verified).
    """
    where, params = [], [as_of, as_of, as_of, as_of]
    if departments:
        where.append(f"a.owner_department IN ({', '.join('?' * len(departments))})")
        params += list(departments)
    if owner:
        where.append("lower(a.owner) = lower(?)")
        params.append(owner)
    if statuses:
        where.append(f"a.status IN ({', '.join('?' * len(statuses))})")
        params += list(statuses)
    if meeting_id is not None:
        where.append("a.meeting_id = ?")
        params.append(meeting_id)
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "")
    df = con.execute(f"""
        SELECT *, (overdue OR (status NOT IN ('verified', 'cancelled') AND times_discussed >= ?)) AS escalated
        FROM ({sql}) x
        ORDER BY (status IN ('verified', 'cancelled')), overdue DESC, due_date, action_id""",
                     [ESCALATE_AFTER] + params).df()
    return df


def escalations(con, as_of: date) -> pd.DataFrame:
    """The chair's list: actions overdue or discussed in ESCALATE_AFTER+ meetings, not yet verified."""
    df = action_list(con, as_of)
    return df[df["escalated"].astype(bool)].reset_index(drop=True)


def late_by_department(con, as_of: date) -> pd.DataFrame:
    """Open actions per owner department: open, overdue, escalated (for the actions section)."""
    df = action_list(con, as_of, statuses=OPEN_STATUSES + ("done",))
    if df.empty:
        return pd.DataFrame({"owner_department": [], "open": [], "overdue": [], "escalated": []})
    g = df.groupby("owner_department").agg(open=("action_id", "count"), overdue=("overdue", "sum"),
                                           escalated=("escalated", "sum")).reset_index()
    order = {d: i for i, d in enumerate(DEPARTMENTS)}
    return g.sort_values("owner_department", key=lambda s: s.map(order)).reset_index(drop=True)


def history(con, action_id: int) -> pd.DataFrame:
    """Every status change and date move of one action, oldest first."""
    return con.execute("SELECT event_at, username, from_status, to_status, note FROM action_events "
                       "WHERE action_id = ? ORDER BY event_at, event_id", [action_id]).df()


def closure_on_time(con, as_of: date, meeting_id: int | None = None) -> tuple[float | None, int, int]:
    """Action closure on time = actions verified by their due date / actions due (due on or before
    as_of, not cancelled). Returns (rate or None, verified on time, due)."""
    extra, params = ("AND meeting_id = ?", [meeting_id]) if meeting_id is not None else ("", [])
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE status = 'verified' AND CAST(verified_at AS DATE) <= due_date), count(*)
        FROM action_items WHERE status <> 'cancelled' AND due_date <= ? {extra}""", [as_of, *params]).fetchone()
    on_time, due = int(row[0]), int(row[1])
    return (on_time / due if due else None), on_time, due


def funnel(con, as_of: date) -> pd.DataFrame:
    """Per meeting (oldest first): discussed → decided → assigned → done → verified, and on-time closure.

    discussed = decisions + actions raised without a decision + carried actions reviewed;
    decided = decisions + actions raised without a decision (an action is a decision to act);
    assigned = actions raised; done = of those, done or verified; verified = of those, verified;
    closure_on_time = of those due by as_of, the share verified by its due date.
    """
    return con.execute("""
        WITH d AS (SELECT meeting_id, count(*) AS n FROM decisions GROUP BY meeting_id),
        a AS (SELECT meeting_id,
                     count(*) FILTER (WHERE status <> 'cancelled') AS assigned,
                     count(*) FILTER (WHERE decision_id IS NULL AND status <> 'cancelled') AS undecided,
                     count(*) FILTER (WHERE status IN ('done', 'verified')) AS done,
                     count(*) FILTER (WHERE status = 'verified') AS verified,
                     count(*) FILTER (WHERE status <> 'cancelled' AND due_date <= ?) AS due,
                     count(*) FILTER (WHERE status = 'verified' AND due_date <= ?
                                      AND CAST(verified_at AS DATE) <= due_date) AS on_time
              FROM action_items WHERE meeting_id IS NOT NULL GROUP BY meeting_id),
        c AS (SELECT ad.meeting_id, count(*) AS carried FROM action_discussions ad
              JOIN action_items ai USING (action_id)
              WHERE ai.meeting_id IS DISTINCT FROM ad.meeting_id GROUP BY ad.meeting_id)
        SELECT m.meeting_id, m.meeting_date, m.title, m.status,
               coalesce(d.n, 0) + coalesce(a.undecided, 0) + coalesce(c.carried, 0) AS discussed,
               coalesce(d.n, 0) + coalesce(a.undecided, 0) AS decided,
               coalesce(a.assigned, 0) AS assigned, coalesce(a.done, 0) AS done,
               coalesce(a.verified, 0) AS verified, coalesce(a.due, 0) AS due,
               coalesce(a.on_time, 0) AS on_time,
               CASE WHEN coalesce(a.due, 0) > 0 THEN a.on_time / a.due END AS closure_on_time
        FROM meetings m LEFT JOIN d USING (meeting_id) LEFT JOIN a USING (meeting_id)
        LEFT JOIN c USING (meeting_id)
        WHERE m.status <> 'scheduled'
        ORDER BY m.meeting_date, m.meeting_id""", [as_of, as_of]).df()


def link_options(con, limit: int | None = None) -> dict[str, pd.DataFrame]:
    """What an action can be linked to: open order lines (soonest due first), work centers,
    suppliers, materials (each with a `value` stored on the action and a `label` to show).

    With `limit`, at most that many of each: a large factory has tens of thousands of open lines
    and materials, too many to send to a browser as a list; the others are typed and found with
    `resolve_link`.
    """
    cap = f" LIMIT {int(limit)}" if limit else ""
    return {
        "line_id": con.execute(
            "SELECT line_id AS value, order_no || '/' || line_no || ' · ' || product || ' · ' || customer AS label "
            "FROM order_lines WHERE status = 'open' "
            f"ORDER BY coalesce(promised_date, requested_date), order_no, line_no{cap}").df(),
        "work_center": con.execute("SELECT work_center AS value, work_center || ' · ' || name AS label "
                                   f"FROM work_centers ORDER BY 1{cap}").df(),
        "supplier": con.execute("SELECT supplier AS value, supplier || ' · ' || name AS label "
                                f"FROM suppliers ORDER BY 1{cap}").df(),
        "material": con.execute("SELECT material AS value, material || ' · ' || name AS label "
                                f"FROM materials ORDER BY 1{cap}").df(),
    }


def resolve_link(con, field: str, text) -> object:
    """The stored value of a typed link: an open order line as `order_no/line_no` (or its id),
    a work center, supplier or material code. Refused with where it went wrong if none matches.

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     resolve_link(cur, "material", "M-404")
    Traceback (most recent call last):
    lib.errors.ValidationError: material: no material M-404
    """
    if field not in LINKS:
        raise ValueError(f"unknown link {field!r}")
    text = str(text).strip().split(" · ")[0]
    if field == "line_id":
        order_no, _, line_no = text.rpartition("/")
        row = (con.execute("SELECT line_id FROM order_lines WHERE order_no = ? AND CAST(line_no AS VARCHAR) = ?",
                           [order_no, line_no]).fetchone() if order_no else
               con.execute("SELECT line_id FROM order_lines WHERE CAST(line_id AS VARCHAR) = ?", [text]).fetchone())
    else:
        table = {"work_center": "work_centers", "supplier": "suppliers", "material": "materials"}[field]
        row = con.execute(f"SELECT {field} FROM {table} WHERE {field} = ?", [text]).fetchone()
    if row is None:
        raise ValidationError(f"no {field.replace('_id', '').replace('_', ' ')} {text}", where=field.replace("_id", ""))
    return row[0]


CLOSED_STATUSES = ("verified", "cancelled")   # an action is open until it is verified (or cancelled)


def open_action_list(con, as_of: date) -> pd.DataFrame:
    """The open actions: every action not yet verified or cancelled (open, in progress, or done
    and waiting for the chair's verification), most urgent first. The one list behind the "open
    actions" tile on the Overview, the Actions page and the meeting's first section, and exactly
    the actions a meeting's close carries into the next (lib.meeting.meetings.close)."""
    df = action_list(con, as_of)
    return df[~df["status"].isin(CLOSED_STATUSES)].reset_index(drop=True)


def open_actions_kpi(con, as_of: date, lang: str | None = None) -> Kpi:
    """Open actions (open_action_list); the note says how many of them are done and wait for
    verification."""
    from lib.i18n import t
    live = open_action_list(con, as_of)
    done = int((live["status"] == "done").sum())
    return Kpi("kpi.open_actions", float(len(live)), None, unit="count", higher_is_better=False,
               note=t("kpi.open_actions.note", lang, n=done) if done else None)


def overdue_action_list(con, as_of: date) -> pd.DataFrame:
    """Open or in-progress actions past their due date (done ones wait for verification, not
    for their owner)."""
    live = open_action_list(con, as_of)
    return live[live["overdue"].astype(bool)].reset_index(drop=True)


def overdue_actions_kpi(con, as_of: date) -> Kpi:
    n = len(overdue_action_list(con, as_of))
    return Kpi("kpi.overdue_actions", float(n), 0, unit="count", higher_is_better=False, overdue=n)


def closure_list(con, as_of: date) -> pd.DataFrame:
    """The actions behind closure on time: due on or before as_of and not cancelled, with whether
    each was verified by its due date."""
    df = action_list(con, as_of)
    due = df[(df["status"] != "cancelled") & (pd.to_datetime(df["due_date"]) <= pd.Timestamp(as_of))].copy()
    due["closed_on_time"] = (due["status"] == "verified") & (
        pd.to_datetime(due["verified_at"]).dt.normalize() <= pd.to_datetime(due["due_date"]))
    return due.sort_values(["closed_on_time", "due_date"], kind="stable").reset_index(drop=True)


def section_kpis(con, f, as_of: date, lang: str | None = None) -> list[Kpi]:
    """The Actions tiles (the page and the meeting's first section): open, overdue, escalated
    actions and closure on time; the filters `f` do not apply to actions."""
    live = open_action_list(con, as_of)
    rate, _, _ = closure_on_time(con, as_of)
    n_esc = int(live["escalated"].sum())
    return [
        open_actions_kpi(con, as_of, lang),
        overdue_actions_kpi(con, as_of),
        Kpi("action.kpi.escalated", float(n_esc), 0, unit="count", higher_is_better=False),
        Kpi("action.kpi.closure", rate, settings.get("target_action_closure", con)),
    ]


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "kpi.open_actions": lambda con, f, as_of: open_action_list(con, as_of),
    "kpi.overdue_actions": lambda con, f, as_of: overdue_action_list(con, as_of),
    "action.kpi.escalated": lambda con, f, as_of: escalations(con, as_of),
    "action.kpi.closure": lambda con, f, as_of: closure_list(con, as_of),
}
