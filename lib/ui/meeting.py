"""Meeting widgets: capture forms (decision, action, report on a carried action), action tables,
and the figures of the action follow-through (funnel, closure over time, open by department)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import TandemError, ValidationError
from lib.i18n import t
from lib.meeting import actions, meetings
from lib.people.auth import User
from lib.text import t_md
from lib.ui.widgets import show_error  # noqa: F401 - the meeting pages show errors through here


def section_name(section: str) -> str:
    return t(f"meeting.section.{section}")


def status_name(status: str) -> str:
    return t(f"action.status.{status}")


def dept_name(department: str) -> str:
    return t(f"dept.{department}")


def clock_word(label: str) -> str:
    return t(f"meeting.presenter.{label}")


# ---------------------------------------------------------------------------- figures


# ---------------------------------------------------------------------------- tables

def action_view(df: pd.DataFrame) -> pd.DataFrame:
    """An action listing with translated headers and values, for display."""
    def flags(r) -> str:
        out = []
        if r["overdue"]:
            out.append(t("action.flag.overdue"))
        if r["escalated"]:
            out.append(t("action.flag.escalated"))
        return " · ".join(out)
    return pd.DataFrame({
        "#": df["action_id"].astype(int),
        t("action.title"): df["title"],
        t("action.owner_department"): [t(f"dept.{d}") for d in df["owner_department"]],
        t("action.owner"): df["owner"],
        t("action.due"): pd.to_datetime(df["due_date"]).dt.date,
        t("action.status"): [t(f"action.status.{s}") for s in df["status"]],
        t("action.times_discussed"): df["times_discussed"].astype(int),
        t("action.days_open"): df["days_open"],
        t("action.days_late"): df["days_late"].astype(int),
        t("action.flags"): [flags(r) for _, r in df.iterrows()],
        t("action.result"): df["result"].fillna(""),
    })


# ---------------------------------------------------------------------------- capture forms
# Each form is an st.form: Enter in a text box (Ctrl+Enter in the decision's text area) submits
# it, and Tab moves through the fields in the order they are drawn. A saved record is confirmed
# in place (`flash`), never by a toast: a toast sits over presenter mode's countdown.

def flash(key: str, message: str | None = None) -> None:
    """Keep a confirmation for the form `key` to show on the next run (message given), or show
    and forget it (no message): a save that reruns the page still says what it saved."""
    if message is not None:
        st.session_state[f"{key}-flash"] = message
        return
    done = st.session_state.pop(f"{key}-flash", None)
    if done:
        st.success(done, icon=":material/check_circle:")


def _confirm(key: str, message: str, rerun: bool) -> None:
    """Say what was saved, in place; with `rerun`, after redrawing the whole page (whose other
    parts show the new record) — the message then waits for that run (flash)."""
    if rerun:
        flash(key, message)
        st.rerun(scope="app")
    st.success(message, icon=":material/check_circle:")


def people(db, department: str | None) -> dict[str, str]:
    """The active users of `department`, username -> "display name (username)", heads first:
    who an action of that department is usually given to (lib.people.users.list_users)."""
    from lib.people import users
    from lib.ui import cache
    if department is None:
        return {}
    df = cache.load(db, users.list_users)
    df = df[df["active"].astype(bool) & (df["department"] == department)]
    df = df.sort_values(["role", "username"], key=lambda c: c.ne("head") if c.name == "role" else c, kind="stable")
    return {u: (f"{n} ({u})" if n and n != u else u) for u, n in zip(df["username"], df["display_name"].fillna(""))}


def person_names(db) -> dict[str, str]:
    """username -> display name of every account, to show an action's owner by name (an owner
    typed as free text is shown as typed)."""
    from lib.people import users
    from lib.ui import cache
    df = cache.load(db, users.list_users)
    return {u: n for u, n in zip(df["username"], df["display_name"]) if isinstance(n, str) and n.strip()}


def decision_form(db, user: User, meeting_id: int, section: str, key: str, *, chair: str | None = None,
                  compact: bool = False, rerun: bool = False) -> int | None:
    """Record a decision without leaving the screen; returns the new decision's id once saved.
    `compact` (presenter mode) puts the section choice, rarely changed, in a fold; `rerun`
    redraws the page after a save (see _confirm)."""
    flash(f"{key}-decision")
    saved = done = None
    with st.form(f"{key}-decision", clear_on_submit=True, border=False):
        text = st.text_area(t("meeting.decision.text"), height=80 if compact else 90)
        if chair is None:
            with db.cursor() as cur:
                chair = meetings.get(cur, meeting_id)["chair"]
        if compact:
            by = st.text_input(t("meeting.decision.by"), value=chair)
            sec_box = st.expander(t("meeting.presenter.more"))
        else:
            sec_box, by_box = st.columns(2)
        sec = sec_box.selectbox(t("meeting.decision.section"), AGENDA, index=AGENDA.index(section),
                                format_func=lambda s: t(f"meeting.section.{s}"))
        if not compact:
            by = by_box.text_input(t("meeting.decision.by"), value=chair)
        if st.form_submit_button(t("meeting.decision.save"), type="primary"):
            try:
                saved = meetings.record_decision(db, user, meeting_id, section=sec, text=text, decided_by=by)
                done = t_md("meeting.decision.saved_n", id=saved)
            except TandemError as e:
                show_error(e)
    if done:
        _confirm(f"{key}-decision", done, rerun)
    return saved


LINK_CHOICES = 1000    # listed choices per link; a large factory's other lines/materials are typed


def _typed_links(db, opts: dict, links: dict) -> dict:
    """The form's links as stored values: listed choices as they are, typed codes resolved."""
    out = {}
    for k, v in links.items():
        if v is None or v in set(opts[k]["value"].tolist()):
            out[k] = int(v) if k == "line_id" and v is not None else v
        else:
            with db.cursor() as cur:
                out[k] = actions.resolve_link(cur, k, v)
    return out


def default_department(section: str | None, user: User) -> str | None:
    """The owner department an action form starts with: the agenda section's department (an
    action raised in PMC's section is PMC's), else the user's own department, else none (the
    form then asks for one rather than guess).

    >>> default_department("pmc", User("c", "chair")), default_department("decisions", User("s", "head", "sales"))
    ('pmc', 'sales')
    >>> default_department("close", User("c", "chair")) is None
    True
    """
    if section in DEPARTMENTS:
        return section
    return user.department if user.department in DEPARTMENTS else None


def action_form(db, user: User, meeting_id: int | None, section: str, key: str, default_due: date, *,
                compact: bool = False, rerun: bool = False) -> int | None:
    """Record an action: owner department (the section's by default), owner (picked from that
    department's users, or typed), due date, optional links. Returns the new action's id once
    saved. The department is chosen outside the form so the owner list follows it at once;
    `compact` (presenter mode) folds the section, decision and links away; `rerun` as in
    decision_form."""
    flash(f"{key}-action")
    from lib.ui import cache
    opts = cache.load(db, actions.link_options, limit=LINK_CHOICES)     # cached until the next write
    with db.cursor() as cur:
        decs = meetings.decisions(cur, meeting_id) if meeting_id else pd.DataFrame()
    first = default_department(section, user)
    dept = st.selectbox(t("action.owner_department"), DEPARTMENTS, key=f"{key}-dept-{section}",
                        index=DEPARTMENTS.index(first) if first else None, placeholder=t("action.pick_department"),
                        format_func=lambda d: t(f"dept.{d}"))
    who = people(db, dept)
    saved = done = None
    with st.form(f"{key}-action", clear_on_submit=True, border=False):
        title = st.text_input(t("action.title"))
        c2, c3 = st.columns([3, 2])
        owner = c2.selectbox(t("action.owner"), list(who), index=0 if len(who) == 1 else None,
                             format_func=lambda u: who.get(u, u), accept_new_options=True,
                             placeholder=t("action.owner.placeholder"), key=f"{key}-owner-{dept}")
        due = c3.date_input(t("action.due"), value=default_due, format="YYYY-MM-DD")
        more = st.expander(t("meeting.presenter.more")) if compact else st.container()
        with more:
            sec = st.selectbox(t("action.section"), AGENDA, index=AGENDA.index(section),
                               format_func=lambda s: t(f"meeting.section.{s}"))
            decision = None
            if not decs.empty:
                ids = [None] + decs["decision_id"].astype(int).tolist()
                texts = dict(zip(decs["decision_id"].astype(int), decs["text"]))
                decision = st.selectbox(t("meeting.decision.text"), ids,
                                        format_func=lambda i: "—" if i is None else f"#{i} {texts[i][:80]}")
            st.caption(t("action.links"))
            links = {}
            cols = st.columns(2 if compact else 4)
            for i, field in enumerate(actions.LINKS):
                o = opts[field]
                labels = dict(zip(o["value"], o["label"]))
                # a long list is cut (see LINK_CHOICES): any other code can be typed into the box
                links[field] = cols[i % len(cols)].selectbox(
                    t(f"action.{field}"), [None] + o["value"].tolist(),
                    format_func=lambda v, lb=labels: "—" if v is None else lb.get(v, str(v)),
                    accept_new_options=len(o) >= LINK_CHOICES)
            if any(len(opts[f]) >= LINK_CHOICES for f in actions.LINKS):
                st.caption(t("scale.type_code", n=LINK_CHOICES))
        if st.form_submit_button(t("action.save"), type="primary"):
            try:
                if dept is None:
                    raise ValidationError("choose the department that owns the action.", where="owner department")
                saved = actions.create(db, user, title=title, owner_department=dept, owner=(owner or "").strip(),
                                       due_date=due, section=sec, meeting_id=meeting_id, decision_id=decision,
                                       links=_typed_links(db, opts, links))
                done = t_md("action.saved_to", id=saved, owner=who.get(owner, owner), dept=t(f"dept.{dept}"))
            except TandemError as e:
                show_error(e)
    if done:
        _confirm(f"{key}-action", done, rerun)
    return saved


def report_form(db, user: User, meeting_id: int, carried: pd.DataFrame, key: str, meeting_date: date, *,
                rerun: bool = False) -> int | None:
    """PMC reports on a carried action: the reason it is late and a new due date; returns the
    action's id once saved (`rerun` as in decision_form)."""
    flash(f"{key}-report")
    if carried.empty:
        st.info(t("meeting.presenter.all_done"))
        return None
    labels = {int(r["action_id"]): f"#{int(r['action_id'])} {r['title']} · {dept_name(r['owner_department'])}"
              for _, r in carried.iterrows()}
    saved = done = None
    with st.form(f"{key}-report", clear_on_submit=True, border=False):
        aid = st.selectbox(t("action.pick"), list(labels), format_func=labels.get)
        c1, c2 = st.columns([3, 2])
        note = c1.text_input(t("meeting.presenter.reason"))
        new_due = c2.date_input(t("meeting.presenter.new_due"), value=None, min_value=meeting_date,
                                format="YYYY-MM-DD")
        if st.form_submit_button(t("meeting.presenter.save_discussion"), type="primary"):
            try:
                actions.discuss(db, user, aid, meeting_id, note=note, new_due=new_due)
                saved = aid
                done = t_md("meeting.presenter.saved_report", id=aid)
            except TandemError as e:
                show_error(e)
    if done:
        _confirm(f"{key}-report", done, rerun)
    return saved


def default_due(meeting_date: date) -> date:
    return meeting_date + timedelta(days=7)


def move_form(db, user: User, listing: pd.DataFrame, key: str) -> int | None:
    """Pick an action and move it to a status the user may give it now; return the picked id."""
    if listing.empty:
        return None
    labels = {int(r.action_id): f"#{int(r.action_id)} {r.title} · {r.owner} · {status_name(r.status)}"
              for r in listing.itertuples()}
    aid = st.selectbox(t("action.pick"), list(labels), format_func=labels.get, key=f"{key}-pick")
    flash(f"{key}-move")
    with db.cursor() as cur:
        a = actions.get(cur, aid)
    moves = actions.allowed(a, user)
    if not moves:
        st.caption(t("action.no_moves"))
        return aid
    with st.form(f"{key}-move-{aid}", border=False):
        c1, c2 = st.columns([2, 3])
        to = c1.segmented_control(t("action.to"), moves, format_func=status_name, default=moves[0])
        note = c2.text_input(t("action.note"), help=t("action.note.help"))
        if st.form_submit_button(t("action.apply"), type="primary"):
            try:
                actions.transition(db, user, aid, to, note=note, expected_status=a["status"])
                flash(f"{key}-move", t_md("action.applied", id=aid, status=status_name(to)))
                st.rerun()
            except TandemError as e:
                show_error(e)
    return aid
