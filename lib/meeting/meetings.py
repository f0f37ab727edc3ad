"""The coordination meeting: schedule, attendance, agenda with time boxes, decisions, close.

A meeting moves scheduled → running → closed. The agenda follows the seed's order
(lib.departments.AGENDA), each item with a time box; presenter mode moves through it with `goto`,
which stamps agenda_items so a browser refresh keeps the place and going back to a section
resumes its clock (seconds_spent).

Closing (`close`) is one transaction: the current section ends; the KPI values shown are frozen
in `snapshots`; every action that was on the table (raised here or carried from earlier
meetings, still not verified or cancelled) is counted as discussed here; the minutes (Markdown,
PDF) and the meeting pack (Excel, with the lists the sections showed, read then: section_tables)
are written into `meeting_documents`, so a later download is byte-identical; and the next meeting is scheduled (unless one already is), inheriting every open
item. A closed meeting is read-only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

import pandas as pd

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import NotFound, RuleViolation, ValidationError
from lib.filters import Filters
from lib.meeting import actions, minutes
from lib.meeting.actions import _meeting_row, _now, refuse_if_closed
from lib.people.auth import User
from lib.sections import engineering, overview, purchasing, sales, tiles
from lib.sections.kpi import Kpi

# minutes per agenda section (the chair can change each when scheduling)
DEFAULT_MINUTES = {"actions": 15, "sales": 10, "pmc": 15, "purchasing": 10, "quality": 10,
                   "engineering": 10, "decisions": 10, "close": 5}
ATTENDANCE = ("present", "absent", "excused")
NEXT_MEETING_DAYS = 7


# ---------------------------------------------------------------------------- KPIs per section

# agenda section -> its tiles (lib.sections.tiles, the one registry); the close shows the Overview's
SECTION_KPIS: dict[str, Callable[..., list[Kpi]]] = {
    **{s: tiles.TILES[s] for s in ("actions", "sales", "pmc", "purchasing", "quality", "engineering")},
    "close": overview.headline,
}


def section_kpis(con, section: str, f: Filters, as_of: date, lang: str | None = None) -> list[Kpi]:
    """The KPIs shown for one agenda section ([] when the section has none registered)."""
    fn = SECTION_KPIS.get(section)
    return list(fn(con, f, as_of, lang=lang)) if fn else []


SNAPSHOT_COLUMNS = ["section", "kpi", "value", "target", "unit", "status", "detail", "period_start", "period_end",
                    "partial"]


def snapshot_rows(con, f: Filters, as_of: date, lang: str | None = None) -> pd.DataFrame:
    """The values every section shows now (a KPI once, first section): value, target and unit,
    the status by the one rule (ok | warn | bad | none), the detail line, the period and whether
    it was partial (to date)."""
    from lib import settings
    band = settings.get("amber_band", con)
    rows, seen = [], set()
    for section in AGENDA:
        for k in section_kpis(con, section, f, as_of, lang):
            if k.key in seen:
                continue
            seen.add(k.key)
            value = None if k.value is None or pd.isna(k.value) else float(k.value)
            rows.append({"section": section, "kpi": k.key, "value": value,
                         "target": None if k.target is None else float(k.target), "unit": k.unit,
                         "status": k.code(band), "detail": k.note if isinstance(k.note, str) and k.note else None, "period_start": k.period_start,
                         "period_end": k.period_end, "partial": bool(k.partial)})
    return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)


def section_tables(con, f: Filters, as_of: date) -> dict[str, pd.DataFrame]:
    """The lists the sections showed, for the meeting pack, read by the functions the pages and
    presenter mode call (one definition per list): late_lines (Sales' lines at risk, the one late
    list), load (required load per work center and ISO week, the PMC heatmap), late_pos (open POs
    past due, with how many order lines each endangers), complaints (open), npi (milestones)."""
    from lib.plan import capacity
    pos = purchasing.open_pos(con, as_of, f)
    pos = pos[pos["late"].astype(bool)].drop(columns="late").reset_index(drop=True)
    pegged = purchasing.endangered_lines(con, as_of, f)
    counts = pegged.groupby("po")["line_id"].nunique() if not pegged.empty else pd.Series(dtype="int64")
    pos["lines_endangered"] = pos["po"].map(counts).fillna(0).astype("int64")
    names = dict(con.execute("SELECT work_center, name FROM work_centers").fetchall())
    load = capacity.load(con, as_of, by="week")
    load.insert(1, "work_center_name", load["work_center"].map(names))
    return {"late_lines": sales.at_risk_lines(con, f, as_of), "load": load, "late_pos": pos,
            "complaints": sales.open_complaints(con, f, as_of), "npi": engineering.npi_milestones(con, f, as_of)}


# ---------------------------------------------------------------------------- reading

def get(con, meeting_id: int) -> dict:
    """One meeting as a dict (NotFound if missing)."""
    m = _meeting_row(con, meeting_id)
    return {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in m.items()}


def meeting_list(con) -> pd.DataFrame:
    """All meetings, newest first, with counts of decisions and actions raised."""
    return con.execute("""
        SELECT m.meeting_id, m.meeting_date, m.title, m.chair, m.note_taker, m.status, m.started_at, m.ended_at,
               (SELECT count(*) FROM decisions d WHERE d.meeting_id = m.meeting_id) AS decisions,
               (SELECT count(*) FROM action_items a WHERE a.meeting_id = m.meeting_id) AS actions
        FROM meetings m ORDER BY m.meeting_date DESC, m.meeting_id DESC""").df()


def active(con) -> int | None:
    """The meeting to present: the running one, else the next scheduled, else None."""
    row = con.execute("""
        SELECT meeting_id FROM meetings WHERE status IN ('running', 'scheduled')
        ORDER BY status = 'running' DESC, meeting_date, meeting_id LIMIT 1""").fetchone()
    return int(row[0]) if row else None


def default_attendees(con) -> list[tuple[str, str | None]]:
    """Who is usually invited: every active user with a department (the heads), by department."""
    rows = con.execute("""
        SELECT coalesce(nullif(display_name, ''), username), department FROM users
        WHERE active AND department IS NOT NULL ORDER BY department, username""").fetchall()
    return [(r[0], r[1]) for r in rows]


def attendance(con, meeting_id: int) -> pd.DataFrame:
    return con.execute("SELECT person, department, status FROM meeting_attendance WHERE meeting_id = ? "
                       "ORDER BY department NULLS LAST, person", [meeting_id]).df()


def agenda(con, meeting_id: int, now: datetime | None = None) -> pd.DataFrame:
    """Agenda items with elapsed seconds (spent before + the running stretch) and whether current."""
    now = _now(now)
    return con.execute("""
        SELECT seq, section, minutes_planned, started_at, ended_at,
               seconds_spent + CASE WHEN started_at IS NOT NULL AND ended_at IS NULL
                                    THEN greatest(0, date_diff('second', started_at, CAST(? AS TIMESTAMP)))
                                    ELSE 0 END AS seconds_elapsed,
               (started_at IS NOT NULL AND ended_at IS NULL) AS current
        FROM agenda_items WHERE meeting_id = ? ORDER BY seq""", [now, meeting_id]).df()


def current_seq(con, meeting_id: int) -> int | None:
    row = con.execute("SELECT seq FROM agenda_items WHERE meeting_id = ? AND started_at IS NOT NULL "
                      "AND ended_at IS NULL ORDER BY seq LIMIT 1", [meeting_id]).fetchone()
    return int(row[0]) if row else None


def decisions(con, meeting_id: int) -> pd.DataFrame:
    return con.execute("SELECT decision_id, section, text, decided_by, decided_at FROM decisions "
                       "WHERE meeting_id = ? ORDER BY decided_at, decision_id", [meeting_id]).df()


def carried_actions(con, meeting_id: int, as_of: date) -> pd.DataFrame:
    """The earlier actions this meeting reviews (agenda item 'actions'), with what was said here.

    Open meeting: every action raised before this meeting's date (or outside meetings) that is
    not verified or cancelled. Closed meeting: exactly those it counted as discussed.
    """
    m = get(con, meeting_id)
    listing = actions.action_list(con, as_of)
    talk = con.execute("SELECT action_id, note AS discussion_note, new_due FROM action_discussions "
                       "WHERE meeting_id = ?", [meeting_id]).df()
    if m["status"] == "closed":
        ids = set(talk["action_id"]) - set(listing.loc[listing["meeting_id"] == meeting_id, "action_id"])
        df = listing[listing["action_id"].isin(ids)]
    else:
        mdate = pd.Timestamp(m["meeting_date"])
        earlier = con.execute("SELECT meeting_id FROM meetings WHERE meeting_id <> ? AND (meeting_date < ? "
                              "OR (meeting_date = ? AND meeting_id < ?))",
                              [meeting_id, mdate.date(), mdate.date(), meeting_id]).df()["meeting_id"]
        df = listing[(listing["meeting_id"].isin(earlier) | listing["meeting_id"].isna())
                     & ~listing["status"].isin(actions.CLOSED_STATUSES)]
    return df.merge(talk, on="action_id", how="left").reset_index(drop=True)


# ---------------------------------------------------------------------------- writing

def _require_text(value, where: str) -> str:
    if not (value or "").strip():
        raise ValidationError("is required.", where=where)
    return value.strip()


def create(db, user: User, *, meeting_date, chair: str, title: str, note_taker: str | None = None,
           attendees: list[tuple[str, str | None]] = (), minutes: dict[str, float] | None = None,
           notes: str | None = None) -> int:
    """Schedule a meeting with its agenda (seed order, time boxes) and attendees; return its id."""
    mdate = pd.Timestamp(meeting_date).date() if meeting_date not in (None, "") else None
    if mdate is None:
        raise ValidationError("a meeting needs a date.", where="date")
    chair, title = _require_text(chair, "chair"), _require_text(title, "title")
    plan = {**DEFAULT_MINUTES, **(minutes or {})}
    for section, mins in plan.items():
        if section not in AGENDA:
            raise ValidationError(f"unknown agenda section {section!r}.", where="agenda")
        if mins is None or pd.isna(mins) or float(mins) <= 0:
            raise ValidationError("each time box must be more than 0 minutes.", where=f"agenda · {section}")
    people = {}
    for person, dept in attendees:
        person = (person or "").strip()
        if not person:
            continue
        if dept not in (None, "") and dept not in DEPARTMENTS:
            raise ValidationError(f"unknown department {dept!r}.", where=f"attendee {person}")
        people[person] = dept or None
    with db.transaction(user, source="form", need="meeting") as tx:
        mid = tx.insert("meetings", {"title": title, "meeting_date": mdate, "chair": chair,
                                     "note_taker": (note_taker or "").strip() or None, "status": "scheduled",
                                     "notes": notes}, returning="meeting_id")
        for seq, section in enumerate(AGENDA, start=1):
            tx.insert("agenda_items", {"meeting_id": mid, "seq": seq, "section": section,
                                       "minutes_planned": float(plan[section])})
        for person, dept in people.items():
            tx.insert("meeting_attendance", {"meeting_id": mid, "person": person, "department": dept,
                                             "status": "present"})
    return int(mid)


def set_attendance(db, user: User, meeting_id: int, rows: pd.DataFrame) -> None:
    """Replace the attendance list with `rows` (person, department, status), in one transaction."""
    with db.transaction(user, source="form", need="meeting") as tx:
        refuse_if_closed(_meeting_row(tx.cur, meeting_id))
        want = {}
        for i, r in rows.reset_index(drop=True).iterrows():
            person = str(r.get("person") or "").strip()
            if not person:
                continue
            status = r.get("status") or "present"
            dept = r.get("department") or None
            if status not in ATTENDANCE:
                raise ValidationError(f"status must be one of {', '.join(ATTENDANCE)}.", where=f"row {i + 1}")
            if dept is not None and dept not in DEPARTMENTS:
                raise ValidationError(f"unknown department {dept!r}.", where=f"row {i + 1}")
            want[person] = {"department": dept, "status": status}
        have = attendance(tx.cur, meeting_id).set_index("person").to_dict("index")
        for person in set(have) - set(want):
            tx.delete("meeting_attendance", {"meeting_id": meeting_id, "person": person})
        for person, vals in want.items():
            key = {"meeting_id": meeting_id, "person": person}
            if person in have:
                tx.update("meeting_attendance", key, vals)
            else:
                tx.insert("meeting_attendance", {**key, **vals})


def set_time_boxes(db, user: User, meeting_id: int, minutes: dict[str, float]) -> None:
    """Change agenda time boxes (minutes per section) of a meeting that is not closed."""
    with db.transaction(user, source="form", need="meeting") as tx:
        refuse_if_closed(_meeting_row(tx.cur, meeting_id))
        items = agenda(tx.cur, meeting_id)
        for _, it in items.iterrows():
            if it["section"] in minutes:
                mins = minutes[it["section"]]
                if mins is None or pd.isna(mins) or float(mins) <= 0:
                    raise ValidationError("a time box must be more than 0 minutes.",
                                          where=f"agenda · {it['section']}")
                tx.update("agenda_items", {"meeting_id": meeting_id, "seq": int(it["seq"])},
                          {"minutes_planned": float(mins)})


def days_early(con, meeting_id: int, now: datetime | None = None) -> int:
    """How many days before its scheduled date a meeting would be held if started `now` (0 when
    on or after it). The minutes record the day it was started as the day it was held, so a page
    that starts a meeting asks first when this is not 0: next week's meeting started today by
    mistake would otherwise read "scheduled for 2026-12-08, held 2026-12-01"."""
    m = _meeting_row(con, meeting_id)
    return max((pd.Timestamp(m["meeting_date"]).date() - _now(now).date()).days, 0)


def start(db, user: User, meeting_id: int, now: datetime | None = None) -> None:
    """Start a scheduled meeting at its first agenda section (see days_early)."""
    stamp = _now(now)
    with db.transaction(user, source="form", need="meeting") as tx:
        m = _meeting_row(tx.cur, meeting_id)
        refuse_if_closed(m)
        if m["status"] == "running":
            raise RuleViolation(f"Meeting {meeting_id} is already running.")
        other = tx.cur.execute("SELECT meeting_id FROM meetings WHERE status = 'running'").fetchone()
        if other:
            raise RuleViolation(f"Meeting {other[0]} is still running; close it before starting another.")
        tx.update("meetings", {"meeting_id": meeting_id}, {"status": "running", "started_at": stamp})
        tx.update("agenda_items", {"meeting_id": meeting_id, "seq": 1}, {"started_at": stamp, "ended_at": None})


def goto(db, user: User, meeting_id: int, seq: int, now: datetime | None = None) -> None:
    """Move a running meeting to agenda item `seq`: the current item's time is banked, the new one's
    clock runs on from what it had already used."""
    stamp = _now(now)
    with db.transaction(user, source="presenter", need="meeting") as tx:
        # where the meeting is on its agenda: nothing cached per data version reads it (the agenda
        # is read fresh on every run), so moving on keeps every session's cached figures
        tx.bump_version = False
        m = _meeting_row(tx.cur, meeting_id)
        refuse_if_closed(m)
        if m["status"] != "running":
            raise RuleViolation(f"Meeting {meeting_id} has not started; start it first.")
        items = agenda(tx.cur, meeting_id, stamp)
        if seq not in set(items["seq"]):
            raise ValidationError(f"there is no agenda item {seq}.", where="agenda")
        _leave_current(tx, meeting_id, items, stamp)
        tx.update("agenda_items", {"meeting_id": meeting_id, "seq": int(seq)},
                  {"started_at": stamp, "ended_at": None})


def _leave_current(tx, meeting_id: int, items: pd.DataFrame, stamp: datetime) -> None:
    for _, it in items[items["current"].astype(bool)].iterrows():
        tx.update("agenda_items", {"meeting_id": meeting_id, "seq": int(it["seq"])},
                  {"ended_at": stamp, "seconds_spent": float(it["seconds_elapsed"])})


def record_decision(db, user: User, meeting_id: int, *, section: str, text: str, decided_by: str,
                    now: datetime | None = None) -> int:
    """Record a decision of a meeting that is not closed; return its id."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("a decision needs its text.", where="decision")
    if not (decided_by or "").strip():
        raise ValidationError("say who decided.", where="decided by")
    if section not in AGENDA:
        raise ValidationError(f"section must be one of {', '.join(AGENDA)}.", where="section")
    with db.transaction(user, source="form", need="meeting") as tx:
        refuse_if_closed(_meeting_row(tx.cur, meeting_id))
        did = tx.insert("decisions", {"meeting_id": meeting_id, "section": section, "text": text,
                                      "decided_by": decided_by.strip(), "decided_at": _now(now)},
                        returning="decision_id")
    return int(did)


@dataclass
class Closed:
    meeting_id: int
    next_meeting_id: int
    carried: int


def close(db, user: User, meeting_id: int, *, f: Filters, as_of: date, lang: str = "zh",
          now: datetime | None = None) -> Closed:
    """Close a running meeting (see the module docstring); refused if already closed."""
    stamp = _now(now)
    with db.transaction(user, source="form", need="meeting") as tx:
        m = _meeting_row(tx.cur, meeting_id)
        if m["status"] == "closed":
            raise RuleViolation(f"Meeting {meeting_id} was already closed at {pd.Timestamp(m['ended_at']):%Y-%m-%d %H:%M}; "
                                "its minutes are final. Nothing was changed.", title="Already closed")
        if m["status"] != "running":
            raise RuleViolation(f"Meeting {meeting_id} has not started; start it before closing it.")
        _leave_current(tx, meeting_id, agenda(tx.cur, meeting_id, stamp), stamp)
        for row in snapshot_rows(tx.cur, f, as_of, lang).to_dict("records"):
            tx.insert("snapshots", {"meeting_id": meeting_id, **row})
        tables = section_tables(tx.cur, f, as_of)      # what the meeting saw, for the pack
        on_table = pd.concat([carried_actions(tx.cur, meeting_id, as_of)["action_id"],
                              actions.action_list(tx.cur, as_of, meeting_id=meeting_id)["action_id"]])
        talked = set(tx.cur.execute("SELECT action_id FROM action_discussions WHERE meeting_id = ?",
                                    [meeting_id]).df()["action_id"])
        _count_discussed(tx, meeting_id, sorted(set(int(a) for a in on_table) - talked))
        tx.update("meetings", {"meeting_id": meeting_id}, {"status": "closed", "ended_at": stamp})
        nxt = tx.cur.execute("SELECT meeting_id FROM meetings WHERE status = 'scheduled' AND meeting_date >= ? "
                             "AND meeting_id <> ? ORDER BY meeting_date LIMIT 1",
                             [m["meeting_date"], meeting_id]).fetchone()
        if nxt:
            next_id = int(nxt[0])
        else:
            next_date = pd.Timestamp(m["meeting_date"]).date() + timedelta(days=NEXT_MEETING_DAYS)
            next_id = int(tx.insert("meetings", {
                "title": next_title(m["title"], pd.Timestamp(m["meeting_date"]).date(), next_date),
                "meeting_date": next_date, "chair": m["chair"], "note_taker": m["note_taker"],
                "status": "scheduled"}, returning="meeting_id"))
            for _, it in agenda(tx.cur, meeting_id).iterrows():
                tx.insert("agenda_items", {"meeting_id": next_id, "seq": int(it["seq"]), "section": it["section"],
                                           "minutes_planned": float(it["minutes_planned"])})
            for _, p in attendance(tx.cur, meeting_id).iterrows():
                tx.insert("meeting_attendance", {"meeting_id": next_id, "person": p["person"],
                                                 "department": None if pd.isna(p["department"]) else p["department"],
                                                 "status": "present"})
        minutes_of = record(tx.cur, meeting_id, as_of, tables=tables)
        for kind, content in minutes.render_all(minutes_of, lang).items():
            tx.insert("meeting_documents", {"meeting_id": meeting_id, "kind": kind, "content": content,
                                            "created_at": stamp})
        carried = len(actions.open_action_list(tx.cur, as_of))     # the open actions tile's own list
    return Closed(meeting_id, next_id, carried)


def _count_discussed(tx, meeting_id: int, action_ids: list[int]) -> None:
    """One action_discussions row per action for this meeting, written in bulk and audited."""
    if not action_ids:
        return
    tx.writing("action_discussions")
    rows = pd.DataFrame({"action_id": action_ids, "meeting_id": meeting_id})
    tx.cur.register("_talked", rows)
    try:
        tx.execute("INSERT INTO action_discussions (action_id, meeting_id) SELECT action_id, meeting_id FROM _talked")
    finally:
        tx.cur.unregister("_talked")
    keys = [f"{a}|{meeting_id}" for a in action_ids]
    tx.audit_frame(pd.DataFrame({
        "action": "insert", "table_name": "action_discussions", "row_key": keys * 2,
        "column_name": ["action_id"] * len(keys) + ["meeting_id"] * len(keys),
        "old_value": None, "new_value": [str(a) for a in action_ids] + [str(meeting_id)] * len(keys)}))


def next_title(title: str, old: date, new: date) -> str:
    """The next meeting's title: the date or ISO week in the old title moved to the new one.

    >>> next_title("产销协调会 2026-11-25", date(2026, 11, 25), date(2026, 12, 2))
    '产销协调会 2026-12-02'
    >>> next_title("Production meeting W48", date(2026, 11, 25), date(2026, 12, 2))
    'Production meeting W49'
    >>> next_title("Weekly meeting", date(2026, 11, 25), date(2026, 12, 2))
    'Weekly meeting'
    """
    if old.isoformat() in title:
        return title.replace(old.isoformat(), new.isoformat())
    week = old.isocalendar().week
    return re.sub(rf"\bW0?{week}\b", f"W{new.isocalendar().week:02d}", title)


def document(con, meeting_id: int, kind: str) -> bytes:
    """The minutes or pack exactly as written at close (NotFound before the meeting is closed)."""
    row = con.execute("SELECT content FROM meeting_documents WHERE meeting_id = ? AND kind = ?",
                      [meeting_id, kind]).fetchone()
    if row is None:
        raise NotFound(f"Meeting {meeting_id} has no {kind} yet: documents are written when it closes.")
    return bytes(row[0])


def documents(con, meeting_id: int, as_of: date, lang: str) -> tuple[dict[str, bytes], bool]:
    """The closed meeting's documents as stored at close, and True; or, for a meeting closed
    without Tandem's close (e.g. history loaded from elsewhere), rendered now from its record, and False."""
    stored = con.execute("SELECT kind, content FROM meeting_documents WHERE meeting_id = ?", [meeting_id]).fetchall()
    if len(stored) == 3:
        return {k: bytes(v) for k, v in stored}, True
    return minutes.render_all(record(con, meeting_id, as_of), lang), False


def minutes_markdown(con, meeting_id: int, as_of: date, lang: str) -> str:
    """The minutes as Markdown for the screen, rendered now from the meeting's record: every value
    escaped (lib.meeting.minutes), in the reader's language. The stored file is kept byte for byte
    for downloads, and one written before values were escaped must not be drawn as Markdown."""
    return minutes.render_markdown(record(con, meeting_id, as_of), lang)


def snapshot(con, meeting_id: int) -> pd.DataFrame:
    """The KPI values frozen when the meeting closed, with their status and detail as shown."""
    return con.execute("SELECT section, kpi, value, target, unit, status, detail, period_start, period_end, partial "
                       "FROM snapshots WHERE meeting_id = ? ORDER BY kpi", [meeting_id]).df()


def display_names(con) -> dict[str, str]:
    """username -> display name of every account that has one: the minutes name people, not
    accounts ("chair", "pmc"), wherever a stored name is a username."""
    return dict(con.execute("SELECT username, display_name FROM users "
                            "WHERE coalesce(trim(display_name), '') <> ''").fetchall())


def record(con, meeting_id: int, as_of: date, tables: dict[str, pd.DataFrame] | None = None) -> minutes.MeetingRecord:
    """Everything the minutes say about one meeting, read from the database (lib.meeting.minutes
    renders it). `tables`: the section tables frozen at close (section_tables); None for a meeting
    whose tables were not kept, whose pack then says so."""
    m = get(con, meeting_id)
    nxt = con.execute("SELECT meeting_id, meeting_date, title FROM meetings WHERE status = 'scheduled' "
                      "AND meeting_date >= ? AND meeting_id <> ? ORDER BY meeting_date, meeting_id LIMIT 1",
                      [m["meeting_date"], meeting_id]).df()
    return minutes.MeetingRecord(
        meeting=m, attendance=attendance(con, meeting_id), agenda=agenda(con, meeting_id),
        snapshot=snapshot(con, meeting_id), decisions=decisions(con, meeting_id),
        new_actions=actions.action_list(con, as_of, meeting_id=meeting_id).merge(
            con.execute("SELECT action_id, decision_id FROM action_items WHERE meeting_id = ?", [meeting_id]).df(),
            on="action_id", how="left"),
        carried=carried_actions(con, meeting_id, as_of),
        next_meeting=None if nxt.empty else nxt.iloc[0].to_dict(), as_of=as_of,
        names=display_names(con), tables=tables)
