"""Meeting widgets: capture forms (decision, action, report on a carried action), action tables,
and the figures of the action follow-through (funnel, closure over time, open by department)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import TandemError
from lib.i18n import t
from lib.meeting import actions, meetings
from lib.people.auth import User
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

def decision_form(db, user: User, meeting_id: int, section: str, key: str) -> None:
    """Record a decision without leaving the screen."""
    with st.form(f"{key}-decision", clear_on_submit=True, border=False):
        text = st.text_area(t("meeting.decision.text"), height=90)
        c1, c2 = st.columns(2)
        sec = c1.selectbox(t("meeting.decision.section"), AGENDA, index=AGENDA.index(section),
                           format_func=lambda s: t(f"meeting.section.{s}"))
        by = c2.text_input(t("meeting.decision.by"), value=meetings.get(db._con, meeting_id)["chair"])
        if st.form_submit_button(t("meeting.decision.save"), type="primary"):
            try:
                meetings.record_decision(db, user, meeting_id, section=sec, text=text, decided_by=by)
                st.toast(t("meeting.decision.saved"))
            except TandemError as e:
                show_error(e)


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


def action_form(db, user: User, meeting_id: int | None, section: str, key: str, default_due: date) -> None:
    """Record an action (owner department, owner, due date, optional links)."""
    with db.cursor() as cur:
        opts = actions.link_options(cur, limit=LINK_CHOICES)
        decs = meetings.decisions(cur, meeting_id) if meeting_id else pd.DataFrame()
    with st.form(f"{key}-action", clear_on_submit=True, border=False):
        title = st.text_input(t("action.title"))
        c1, c2, c3, c4 = st.columns(4)
        dept = c1.selectbox(t("action.owner_department"), DEPARTMENTS, format_func=lambda d: t(f"dept.{d}"))
        owner = c2.text_input(t("action.owner"))
        due = c3.date_input(t("action.due"), value=default_due, format="YYYY-MM-DD")
        sec = c4.selectbox(t("action.section"), AGENDA, index=AGENDA.index(section),
                           format_func=lambda s: t(f"meeting.section.{s}"))
        decision = None
        if not decs.empty:
            ids = [None] + decs["decision_id"].astype(int).tolist()
            texts = dict(zip(decs["decision_id"].astype(int), decs["text"]))
            decision = st.selectbox(t("meeting.decision.text"), ids,
                                    format_func=lambda i: "—" if i is None else f"#{i} {texts[i][:80]}")
        st.caption(t("action.links"))
        links = {}
        cols = st.columns(4)
        for col, field in zip(cols, actions.LINKS):
            o = opts[field]
            labels = dict(zip(o["value"], o["label"]))
            # a long list is cut (see LINK_CHOICES): any other code can be typed into the box
            links[field] = col.selectbox(t(f"action.{field}"), [None] + o["value"].tolist(),
                                         format_func=lambda v, lb=labels: "—" if v is None else lb.get(v, str(v)),
                                         accept_new_options=len(o) >= LINK_CHOICES)
        if any(len(opts[f]) >= LINK_CHOICES for f in actions.LINKS):
            st.caption(t("scale.type_code", n=LINK_CHOICES))
        if st.form_submit_button(t("action.save"), type="primary"):
            try:
                aid = actions.create(db, user, title=title, owner_department=dept, owner=owner, due_date=due,
                                     section=sec, meeting_id=meeting_id, decision_id=decision,
                                     links=_typed_links(db, opts, links))
                st.toast(t("action.saved", id=aid))
            except TandemError as e:
                show_error(e)


def report_form(db, user: User, meeting_id: int, carried: pd.DataFrame, key: str, meeting_date: date) -> None:
    """PMC reports on a carried action: the reason it is late and a new due date."""
    if carried.empty:
        st.info(t("meeting.presenter.all_done"))
        return
    labels = {int(r["action_id"]): f"#{int(r['action_id'])} {r['title']} · {dept_name(r['owner_department'])}"
              for _, r in carried.iterrows()}
    with st.form(f"{key}-report", clear_on_submit=True, border=False):
        aid = st.selectbox(t("action.pick"), list(labels), format_func=labels.get)
        c1, c2 = st.columns([3, 1])
        note = c1.text_input(t("meeting.presenter.reason"))
        new_due = c2.date_input(t("meeting.presenter.new_due"), value=None, min_value=meeting_date,
                                format="YYYY-MM-DD")
        if st.form_submit_button(t("meeting.presenter.save_discussion"), type="primary"):
            try:
                actions.discuss(db, user, aid, meeting_id, note=note, new_due=new_due)
                st.toast(t("meeting.presenter.saved"))
            except TandemError as e:
                show_error(e)


def default_due(meeting_date: date) -> date:
    return meeting_date + timedelta(days=7)


def move_form(db, user: User, listing: pd.DataFrame, key: str) -> int | None:
    """Pick an action and move it to a status the user may give it now; return the picked id."""
    if listing.empty:
        return None
    labels = {int(r.action_id): f"#{int(r.action_id)} {r.title} · {r.owner} · {status_name(r.status)}"
              for r in listing.itertuples()}
    aid = st.selectbox(t("action.pick"), list(labels), format_func=labels.get, key=f"{key}-pick")
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
                st.toast(t("action.applied", id=aid, status=status_name(to)))
                st.rerun()
            except TandemError as e:
                show_error(e)
    return aid
