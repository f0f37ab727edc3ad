"""Presenter mode: the running meeting, one agenda section per screen, for the projector."""
import pandas as pd
import streamlit as st

from lib.errors import TandemError
from lib.i18n import get_lang, t
from lib.meeting import meetings
from lib.people import auth
from lib.text import html_text, t_md
from lib.ui import filters, nav, presenter, state
from lib.ui.meeting import (
    action_form,
    decision_form,
    default_due,
    move_form,
    report_form,
    section_name,
    show_error,
)
from lib.ui.session import current_user


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)
    user = current_user()
    may_run = auth.can(user, "meeting")

    st.markdown(presenter.CSS, unsafe_allow_html=True)

    with db.cursor() as cur:
        mid = meetings.active(cur)
        m = meetings.get(cur, mid) if mid else None

    st.session_state.pop("presenter_seq", None)
    if m is None:
        st.info(t("meeting.presenter.none"))
        nav.link("meetings", t("meeting.page.meetings"), ":material/event:")
        st.stop()

    mdate = pd.Timestamp(m["meeting_date"]).date()
    if m["status"] == "scheduled":
        st.markdown(f"<div class='tdm-ptitle'>{html_text(m['title'])}</div>", unsafe_allow_html=True)
        st.info(t_md("meeting.presenter.not_started", title=m["title"], date=mdate.isoformat()))
        if may_run and st.button(t("meeting.start"), type="primary", key="p-start"):
            try:
                meetings.start(db, user, mid)
                st.rerun()
            except TandemError as e:
                show_error(e)
        nav.link("meetings", t("meeting.page.meetings"), ":material/event:")
        st.stop()

    with db.cursor() as cur:
        agenda = meetings.agenda(cur, mid)
        seq = meetings.current_seq(cur, mid) or int(agenda["seq"].iloc[0])
    item = agenda.set_index("seq").loc[seq]
    section = item["section"]
    total = len(agenda)

    head, clock_col = st.columns([3, 1])
    with head:
        st.markdown(f"<div class='tdm-ptitle'>{section_name(section)}</div>"
                    f"<div class='tdm-pstep'>{html_text(m['title'])} · {t('meeting.presenter.step', n=seq, total=total)}</div>",
                    unsafe_allow_html=True)
    st.session_state["presenter_seq"] = seq
    with clock_col:
        presenter.clock(db, mid)

    nav_prev, nav_steps, nav_next = st.columns([1, 6, 1])
    if may_run:
        if nav_prev.button("◀ " + t("meeting.presenter.prev"), disabled=seq <= 1, key="p-prev", width="stretch"):
            meetings.goto(db, user, mid, seq - 1)
            st.rerun()
        if nav_next.button(t("meeting.presenter.next") + " ▶", disabled=seq >= total, key="p-next", width="stretch"):
            meetings.goto(db, user, mid, seq + 1)
            st.rerun()
    nav_steps.markdown("<div class='tdm-agenda'>" + " · ".join(
        (f"<b>{section_name(s)}</b>" if q == seq else section_name(s))
        for q, s in zip(agenda["seq"], agenda["section"])) + "</div>", unsafe_allow_html=True)

    ctx = presenter.PresenterContext(db=db, meeting_id=mid, section=section, as_of=as_of, filters=f, user=user)
    presenter.live(ctx)
    # the sidebar is hidden on the projector: the way back to the rest of Tandem during the meeting
    nav.link("meetings", t("meeting.page.meetings"), ":material/arrow_back:")

    if may_run:
        st.divider()
        tabs = [t("meeting.presenter.decision"), t("meeting.presenter.action")]
        if section == "actions":
            tabs[:0] = [t("meeting.presenter.discuss"), t("action.change")]
        panes = st.tabs(tabs)
        if section == "actions":
            with db.cursor() as cur:
                carried = meetings.carried_actions(cur, mid, as_of)
            with panes[0]:
                report_form(db, user, mid, carried, "p", mdate)
            with panes[1]:
                move_form(db, user, carried, "p")
            panes = panes[2:]
        with panes[0]:
            decision_form(db, user, mid, section, "p")
        with panes[1]:
            action_form(db, user, mid, section, "p", default_due(mdate))
        if section not in ("decisions", "close"):
            with st.expander(t("meeting.decisions_here") + " / " + t("meeting.actions_here")):
                presenter.draw_meeting_record(ctx, big=False)
        if section == "close":
            st.info(t("meeting.presenter.close_intro"))
            if st.button(t("meeting.presenter.close"), type="primary", key="p-close"):
                try:
                    done = meetings.close(db, user, mid, f=f, as_of=as_of, lang=get_lang())
                    st.session_state["meeting_goto"] = done.meeting_id
                    st.session_state.pop("presenter_seq", None)   # stay on this screen to show the result
                    st.success(t("meeting.presenter.closed", carried=done.carried, next=done.next_meeting_id))
                    nav.link("meetings", t("meeting.downloads"), ":material/download:")
                except TandemError as e:
                    show_error(e)
