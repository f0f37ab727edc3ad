"""The meeting: past weekly meetings with attendance, agenda, decisions and actions, and the
accounts and section freshness (governance)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import (
    BOTTLENECK,
    CHAIR,
    CHANGING_CUSTOMER,
    DAY,
    DEFECT,
    HEADS,
    QUALITY_LINE,
    SLIPPING_SUPPLIER,
    Ctx,
    weekday,
)
from lib.departments import AGENDA, DEPARTMENTS

_ACTION_TEMPLATES = {
    "pmc": (f"Saturday overtime and overflow to SMT-1 for {BOTTLENECK} 加班与分流", "work_center", BOTTLENECK),
    "purchasing": (f"Expedite late POs from {SLIPPING_SUPPLIER}; find second source 跟催并开发第二供应商", "supplier", SLIPPING_SUPPLIER),
    "quality": (f"8D on '{DEFECT}' at {QUALITY_LINE} line 接插件松动8D", None, None),
    "sales": (f"Agree change freeze window with {CHANGING_CUSTOMER} 与客户约定冻结期", None, None),
    "engineering": ("Release overdue NPI drawings 发布逾期图纸", None, None),
}


def meetings(c: Ctx) -> None:
    """Past weekly meetings (closed) with attendance, agenda, decisions and actions in every
    state, the action history, and the next meeting (scheduled)."""
    rng, a, s = c.rng, c.as_of, c.scale
    upcoming = a + (((1 - weekday(np.array([a]))[0]) % 7) or 7) * DAY    # next Tuesday
    dates = [upcoming - 7 * k * DAY for k in range(s.meetings, 0, -1)] + [upcoming]
    mid0 = c.ids["seq_meeting"]
    ids = [mid0 + k for k in range(len(dates))]
    people = [(CHAIR, None)] + [(d, d) for d in DEPARTMENTS]
    minutes = dict(zip(AGENDA, [10, 10, 15, 10, 10, 10, 10, 5]))
    mt, att, ag, de, ac, disc, ev = [], [], [], [], [], [], []
    aid, did = c.ids["seq_action"], c.ids["seq_decision"]
    states = ["verified", "verified", "done", "cancelled", "in_progress", "open", "verified", "done"]
    open_actions: list[dict] = []
    for n, (mid, d) in enumerate(zip(ids, dates)):
        closed = n < s.meetings
        wk = int(pd.Timestamp(d).isocalendar().week)
        start = pd.Timestamp(d) + pd.Timedelta(hours=9, minutes=int(rng.integers(0, 10)))
        end = start + pd.Timedelta(minutes=int(rng.integers(60, 95)))
        mt.append({"meeting_id": mid, "title": f"产销协调会 Production-sales meeting W{wk:02d}", "meeting_date": d,
                   "chair": CHAIR, "note_taker": "pmc", "status": "closed" if closed else "scheduled",
                   "started_at": start if closed else pd.NaT, "ended_at": end if closed else pd.NaT,
                   "notes": "Weekly coordination 周例会" if closed else None})
        t = start
        for q, sec in enumerate(AGENDA, start=1):
            t2 = t + pd.Timedelta(minutes=minutes[sec] * float(rng.uniform(0.7, 1.3)))
            ag.append({"meeting_id": mid, "seq": q, "section": sec, "minutes_planned": float(minutes[sec]),
                       "started_at": t if closed else pd.NaT, "ended_at": min(t2, end) if closed else pd.NaT})
            t = min(t2, end)
        if not closed:
            # the upcoming meeting: everyone invited, expected present until the roll is taken
            att.extend({"meeting_id": mid, "person": p, "department": dep, "status": "present"} for p, dep in people)
            break
        for p, dep in people:
            stt = "present" if rng.random() > 0.12 or p == CHAIR else ("absent" if rng.random() < 0.5 else "excused")
            att.append({"meeting_id": mid, "person": p, "department": dep, "status": stt})
        for x in open_actions:      # carried-over actions are discussed again
            if x["status"] in ("open", "in_progress") or x.get("closed_meeting", n) >= n:
                disc.append({"action_id": x["action_id"], "meeting_id": mid, "note": "progress reviewed 跟进", "new_due": None})
        for j, sec in enumerate(DEPARTMENTS if n % 2 == 0 else DEPARTMENTS[:3]):
            title, link, val = _ACTION_TEMPLATES[sec]
            de.append({"decision_id": did, "meeting_id": mid, "section": sec, "text": f"Decided: {title}",
                       "decided_by": CHAIR, "decided_at": end - pd.Timedelta(minutes=10)})
            due = pd.Timestamp(d) + pd.Timedelta(days=int(rng.integers(5, 22)))
            stt = states[(n * 5 + j) % len(states)]
            if due.to_datetime64() >= a and stt in ("verified", "done"):
                stt = "in_progress"
            x = {"action_id": aid, "meeting_id": mid, "decision_id": did, "section": sec, "title": title,
                 "owner_department": sec, "owner": HEADS[sec], "due_date": due, "status": stt, "result": None,
                 "verifier": None, "verified_at": pd.NaT, "cancel_reason": None, "created_at": end,
                 "created_by": CHAIR, "done_at": pd.NaT, "line_id": None, "work_center": None, "supplier": None, "material": None}
            if link:
                x[link] = val
            if sec == "sales":
                cl = c.lines_df[c.lines_df.customer == CHANGING_CUSTOMER]
                x["line_id"] = int(cl.line_id.iloc[-1]) if len(cl) else None
            ev.append({"action_id": aid, "event_at": end, "username": CHAIR, "from_status": None, "to_status": "open", "note": "created"})
            prog = end + pd.Timedelta(days=int(rng.integers(1, 4)))
            if stt in ("in_progress", "done", "verified") and prog.to_datetime64() <= a:
                ev.append({"action_id": aid, "event_at": prog, "username": x["owner"], "from_status": "open", "to_status": "in_progress", "note": None})
            elif stt in ("in_progress", "done", "verified"):
                stt = x["status"] = "open"
            if stt in ("done", "verified"):
                x["done_at"] = min(due - pd.Timedelta(days=int(rng.integers(0, 3))), pd.Timestamp(a)) + pd.Timedelta(hours=16)
                x["done_at"] = max(x["done_at"], prog + pd.Timedelta(hours=2))
                x["result"] = "done and checked on site 已完成现场确认"
                ev.append({"action_id": aid, "event_at": x["done_at"], "username": x["owner"], "from_status": "in_progress", "to_status": "done", "note": x["result"]})
            if stt == "verified":
                x["verifier"], x["verified_at"] = CHAIR, x["done_at"] + pd.Timedelta(days=1)
                ev.append({"action_id": aid, "event_at": x["verified_at"], "username": CHAIR, "from_status": "done", "to_status": "verified", "note": "verified 已验证"})
            if stt == "cancelled":
                x["cancel_reason"] = "superseded by a later decision 被后续决议取代"
                ev.append({"action_id": aid, "event_at": end + pd.Timedelta(days=2), "username": CHAIR, "from_status": "open", "to_status": "cancelled", "note": x["cancel_reason"]})
            # closed actions stop being discussed at the meeting after they closed
            if stt in ("done", "verified", "cancelled"):
                closed_at = x["done_at"] if stt != "cancelled" else end + pd.Timedelta(days=2)
                x["closed_meeting"] = n + 1 + sum(1 for dd in dates[n + 1:s.meetings] if pd.Timestamp(dd) < closed_at)
            ac.append(x)
            open_actions.append(x)
            aid += 1
            did += 1
    c.frames["meetings"] = pd.DataFrame(mt)
    c.frames["meeting_attendance"] = pd.DataFrame(att)
    c.frames["agenda_items"] = pd.DataFrame(ag)
    c.frames["decisions"] = pd.DataFrame(de)
    c.frames["action_items"] = pd.DataFrame(ac).drop(columns="closed_meeting", errors="ignore")
    c.frames["action_discussions"] = pd.DataFrame(disc, columns=["action_id", "meeting_id", "note", "new_due"])
    evf = pd.DataFrame(ev)
    evf.insert(0, "event_id", c.ids["seq_action_event"] + np.arange(len(evf)))
    c.frames["action_events"] = evf


def governance(c: Ctx, seed: int) -> None:
    """Users (one per role, a head per department, system), freshness of each section."""
    t0 = pd.Timestamp(c.as_of) - pd.Timedelta(days=200)
    names = {"admin": "系统管理员 Admin", CHAIR: "王建国 Plant manager", "sales": "李娜 Sales head",
             "pmc": "张伟 PMC head", "purchasing": "刘洋 Purchasing head", "quality": "陈静 Quality head",
             "engineering": "赵磊 Engineering head", "viewer": "会议室投影 Projector", "system": "Tandem"}
    role = {"admin": "admin", CHAIR: "chair", "viewer": "viewer", "system": "system"}
    c.frames["users"] = pd.DataFrame([{
        "username": u, "display_name": n, "role": role.get(u, "head"), "department": u if u in DEPARTMENTS else None,
        "email": f"{u}@tandem.example", "password_hash": None, "active": True, "failed_logins": 0,
        "locked_until": pd.NaT, "created_at": t0} for u, n in names.items()])
    a = pd.Timestamp(c.as_of)
    ago = {"sales": (1, 17.5), "pmc": (0, 8.7), "purchasing": (2, 16.0), "quality": (1, 11.2), "engineering": (10, 15.0)}
    c.frames["section_updates"] = pd.DataFrame([{
        "section": s, "updated_at": a - pd.Timedelta(days=d) + pd.Timedelta(hours=h), "updated_by": s, "source": "demo"}
        for s, (d, h) in ago.items()])
