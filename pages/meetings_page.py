"""Meetings: the list, scheduling, attendance, agenda time boxes, start, and the minutes downloads."""
import pandas as pd
import streamlit as st

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import TandemError
from lib.i18n import get_lang, t
from lib.meeting import meetings
from lib.people import auth
from lib.text import md_text, t_md
from lib.ui import nav, state
from lib.ui.meeting import action_view, show_error
from lib.ui.session import current_user
from lib.ui.widgets import empty, fmt_value, table


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    user = current_user()
    may_run = auth.can(user, "meeting")

    st.title(t("meeting.page.meetings"))

    with db.cursor() as cur:
        listing = meetings.meeting_list(cur)
        active = meetings.active(cur)


    def _status(s: str) -> str:
        return t(f"meeting.status.{s}")


    # ---------------------------------------------------------------- one meeting
    if listing.empty:
        st.info(t("meeting.none"))
    else:
        ids = listing["meeting_id"].astype(int).tolist()
        labels = {int(r.meeting_id): f"{pd.Timestamp(r.meeting_date):%Y-%m-%d} · {r.title} · {_status(r.status)}"
                  for r in listing.itertuples()}
        goto = st.session_state.pop("meeting_goto", None)
        if goto in ids:
            st.session_state["meeting_pick"] = goto
        elif st.session_state.get("meeting_pick") not in ids:
            st.session_state["meeting_pick"] = active if active in ids else ids[0]
        mid = st.selectbox(t("meeting.pick"), ids, format_func=labels.get, key="meeting_pick")
        with db.cursor() as cur:
            m = meetings.get(cur, mid)
            att = meetings.attendance(cur, mid)
            ag = meetings.agenda(cur, mid)
            decs = meetings.decisions(cur, mid)
            from lib.meeting import actions
            acts = actions.action_list(cur, as_of, meeting_id=mid)
        closed = m["status"] == "closed"
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(t("meeting.date"), f"{pd.Timestamp(m['meeting_date']):%Y-%m-%d}")
        c2.metric(t("meeting.chair"), md_text(m["chair"]))          # a metric's value is Markdown
        c3.metric(t("meeting.note_taker"), md_text(m["note_taker"]) or "—")
        c4.metric(t("meeting.status"), t(f"meeting.status.{m['status']}"))

        if closed:
            st.info(t("meeting.readonly"), icon=":material/lock:")
            st.subheader(t("meeting.downloads"))
            d1, d2, d3 = st.columns(3)
            stem = f"meeting-{pd.Timestamp(m['meeting_date']):%Y%m%d}-{mid}"
            with db.cursor() as cur:
                docs, frozen = meetings.documents(cur, mid, as_of, get_lang())
            if not frozen:
                st.caption(t("meeting.docs_rendered_now"))
            d1.download_button(t("meeting.download.pdf"), docs["minutes_pdf"], file_name=f"{stem}.pdf",
                               mime="application/pdf", key="dl-pdf", type="primary", icon=":material/picture_as_pdf:")
            d2.download_button(t("meeting.download.md"), docs["minutes_md"], file_name=f"{stem}.md",
                               mime="text/markdown", key="dl-md", icon=":material/description:")
            d3.download_button(t("meeting.download.xlsx"), docs["pack_xlsx"], file_name=f"{stem}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="dl-xlsx", icon=":material/table:")
            with st.expander(t("meeting.snapshot")):
                with db.cursor() as cur:
                    snap = meetings.snapshot(cur, mid)
                st.dataframe(pd.DataFrame({
                    t("meeting.minutes.section"): [t(f"meeting.section.{s}") for s in snap["section"]],
                    t("meeting.minutes.kpi"): [t(k) for k in snap["kpi"]],
                    t("meeting.minutes.value"): [fmt_value(v, u) for v, u in zip(snap["value"], snap["unit"])],
                    t("meeting.minutes.target"): [fmt_value(v, u) for v, u in zip(snap["target"], snap["unit"])],
                }), hide_index=True, width="stretch", placeholder="")
            # drawn when opened: rendered from the record (values escaped), not the stored file
            box = st.expander(t("meeting.minutes.title") + " (Markdown)", key=f"minutes-md-{mid}", on_change="rerun")
            with box:
                if box.open:
                    with db.cursor() as cur:
                        st.markdown(meetings.minutes_markdown(cur, mid, as_of, get_lang()))
        else:
            st.caption(t("meeting.not_closed_yet"))
            if may_run:
                b1, b2, _ = st.columns([1, 1, 3])
                asking = st.session_state.get("m-start-early") == mid
                if m["status"] == "scheduled" and b1.button(t("meeting.start"), type="primary", key="m-start",
                                                            disabled=asking):
                    with db.cursor() as cur:
                        early = meetings.days_early(cur, mid)
                    if early:       # held before its date: say so and ask, naming the day it will be held on
                        st.session_state["m-start-early"] = mid
                        st.rerun()
                    _start(db, user, mid)
                nav.link("presenter", t("meeting.open_presenter"), ":material/co_present:", container=b2)
                if asking and m["status"] == "scheduled":
                    with db.cursor() as cur:
                        early = meetings.days_early(cur, mid)
                    if not early:       # its day has come meanwhile: nothing to confirm
                        st.session_state.pop("m-start-early", None)
                        st.rerun()
                    today = pd.Timestamp(m["meeting_date"]).date() - pd.Timedelta(days=early)
                    st.warning(t_md("meeting.minutes.start_early", scheduled=f"{pd.Timestamp(m['meeting_date']):%Y-%m-%d}",
                                    today=f"{today:%Y-%m-%d}", n=early), icon=":material/event_busy:")
                    y, n, _ = st.columns([1, 1, 3])
                    if y.button(t("meeting.minutes.start_early_confirm", today=f"{today:%Y-%m-%d}"), type="primary",
                                key="m-start-early-yes"):
                        st.session_state.pop("m-start-early", None)
                        _start(db, user, mid)
                    if n.button(t("meeting.minutes.start_early_cancel"), key="m-start-early-no"):
                        st.session_state.pop("m-start-early", None)
                        st.rerun()

        left, right = st.columns(2)
        with left:
            st.subheader(t("meeting.attendance"))
            view = att.rename(columns={"person": t("meeting.person"), "department": t("meeting.department"),
                                       "status": t("meeting.status")})
            if closed or not may_run:
                view[t("meeting.department")] = [t(f"dept.{d}") if d else "" for d in att["department"]]
                view[t("meeting.status")] = [t(f"meeting.att.{s}") for s in att["status"]]
                st.dataframe(view, hide_index=True, width="stretch", placeholder="")
            else:
                st.data_editor(att, key=f"att-{mid}", hide_index=True, width="stretch", num_rows="dynamic",
                               column_config={
                                   "person": st.column_config.TextColumn(t("meeting.person"), required=True),
                                   "department": st.column_config.SelectboxColumn(
                                       t("meeting.department"), options=list(DEPARTMENTS),
                                       format_func=lambda d: t(f"dept.{d}")),
                                   "status": st.column_config.SelectboxColumn(
                                       t("meeting.status"), options=list(meetings.ATTENDANCE), default="present",
                                       required=True, format_func=lambda s: t(f"meeting.att.{s}"))}, placeholder="")
                if st.button(t("meeting.attendance.save"), key="att-save"):
                    ed = st.session_state.get(f"att-{mid}", {})
                    rows = att.copy()
                    for i, ch in ed.get("edited_rows", {}).items():
                        for c, v in ch.items():
                            rows.loc[int(i), c] = v
                    rows = rows.drop(index=[int(i) for i in ed.get("deleted_rows", [])])
                    rows = pd.concat([rows, pd.DataFrame(ed.get("added_rows", []))], ignore_index=True)
                    try:
                        meetings.set_attendance(db, user, mid, rows)
                        st.toast(t("meeting.attendance.saved"))
                        st.rerun()
                    except TandemError as e:
                        show_error(e)
        with right:
            st.subheader(t("meeting.agenda"))
            agv = pd.DataFrame({"#": ag["seq"], t("meeting.minutes.section"): [t(f"meeting.section.{s}") for s in ag["section"]],
                                t("meeting.planned_min"): ag["minutes_planned"],
                                t("meeting.used_min"): (ag["seconds_elapsed"] / 60).round(1)})
            st.dataframe(agv, hide_index=True, width="stretch", placeholder="")
            if may_run and not closed:
                with st.form(f"tb-{mid}", border=False):
                    cols = st.columns(4)
                    boxes = {s: cols[i % 4].number_input(t(f"meeting.section.{s}"), min_value=1.0, step=1.0, format="%.0f",
                                                         value=float(ag.loc[ag["section"] == s, "minutes_planned"].iloc[0]))
                             for i, s in enumerate(ag["section"])}
                    if st.form_submit_button(t("meeting.timeboxes.save")):
                        try:
                            meetings.set_time_boxes(db, user, mid, boxes)
                            st.toast(t("meeting.timeboxes.saved"))
                        except TandemError as e:
                            show_error(e)

        st.subheader(t("meeting.decisions_here") + f" · {len(decs)}")
        if decs.empty:
            empty("meeting.no_decisions")
        else:
            st.dataframe(pd.DataFrame({
                "#": decs["decision_id"], t("meeting.decision.section"): [t(f"meeting.section.{s}") for s in decs["section"]],
                t("meeting.decision.text"): decs["text"], t("meeting.decision.by"): decs["decided_by"]}),
                hide_index=True, width="stretch", placeholder="")
        st.subheader(t("meeting.actions_here") + f" · {len(acts)}")
        if acts.empty:
            empty("meeting.no_actions")
        else:
            table(action_view(acts), f"actions-meeting-{mid}", key="m-acts", expanded=True, height=400)
        nav.link("actions", t("action.page.list"), ":material/task_alt:")

    # ---------------------------------------------------------------- schedule
    if may_run:
        st.divider()
        with st.expander(t("meeting.new"), expanded=listing.empty, icon=":material/add:"):
            with st.form("m-new", border=False):
                c1, c2, c3, c4 = st.columns([1, 2, 1, 1])
                day = c1.date_input(t("meeting.date"), value=as_of, format="YYYY-MM-DD")
                title = c2.text_input(t("meeting.title"), placeholder=t("meeting.default_title", date="YYYY-MM-DD"))
                chair = c3.text_input(t("meeting.chair"), value=user.label if user.role != "system" else "")
                taker = c4.text_input(t("meeting.note_taker"))
                with db.cursor() as cur:
                    usual = "\n".join(f"{p}, {t(f'dept.{d}') if d else ''}".rstrip(", ")
                                      for p, d in meetings.default_attendees(cur))
                people = st.text_area(t("meeting.attendees"), value=usual, height=160,
                                      help=t("meeting.attendees.help", depts="、".join(t(f"dept.{d}") for d in DEPARTMENTS)))
                st.caption(t("meeting.timeboxes"))
                cols = st.columns(len(AGENDA))
                boxes = {s: cols[i].number_input(t(f"meeting.section.{s}"), min_value=1.0, step=1.0, format="%.0f",
                                                 value=float(meetings.DEFAULT_MINUTES[s]), key=f"new-tb-{s}")
                         for i, s in enumerate(AGENDA)}
                if st.form_submit_button(t("meeting.create"), type="primary"):
                    attendees = []
                    for line in people.splitlines():
                        name, _, dept = line.replace("，", ",").partition(",")
                        attendees.append((name.strip(), _department(dept)))
                    try:
                        new_id = meetings.create(db, user, meeting_date=day, chair=chair, note_taker=taker,
                                                 title=title.strip() or t("meeting.default_title", date=day.isoformat()),
                                                 attendees=attendees, minutes=boxes)
                        st.session_state["meeting_goto"] = new_id
                        st.toast(t("meeting.created", id=new_id))
                        st.rerun()
                    except TandemError as e:
                        show_error(e)

    st.subheader(t("meeting.list"))
    if not listing.empty:
        st.dataframe(pd.DataFrame({
            "#": listing["meeting_id"], t("meeting.date"): pd.to_datetime(listing["meeting_date"]).dt.date,
            t("meeting.title"): listing["title"], t("meeting.chair"): listing["chair"],
            t("meeting.status"): [_status(s) for s in listing["status"]],
            t("meeting.minutes.decisions"): listing["decisions"], t("meeting.minutes.actions"): listing["actions"]}),
            hide_index=True, width="stretch", placeholder="")


def _start(db, user, mid: int) -> None:
    """Start the meeting and go to presenter mode (an error is shown where the button was)."""
    try:
        meetings.start(db, user, mid)
        st.toast(t("meeting.started"))
        nav.switch("presenter")
    except TandemError as e:
        show_error(e)


def _department(text: str) -> str | None:
    """A department as typed on an attendee line: its code or its name in either language."""
    typed = text.strip().lower()
    for d in DEPARTMENTS:
        if typed in (d, t(f"dept.{d}", "en").lower(), t(f"dept.{d}", "zh").lower()):
            return d
    return typed or None
