"""Presenter mode: the running meeting, one agenda section per screen, for the projector; beside
the slide, for whoever runs the meeting, the capture panel (lib.ui.presenter.capture)."""
import pandas as pd
import streamlit as st

from lib.errors import TandemError
from lib.i18n import t
from lib.meeting import meetings
from lib.people import auth
from lib.text import html_text, t_md
from lib.ui import filters, nav, presenter, state
from lib.ui.meeting import section_name, show_error
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
        done = st.session_state.get("presenter_closed")
        if done and (m is None or m["status"] != "running"):
            _closed(db, meetings.get(cur, done["meeting_id"]), done, as_of, f, user)
            return
        st.session_state.pop("presenter_closed", None)

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
    current = agenda[agenda["current"].astype(bool)]
    seq = int(current["seq"].iloc[0]) if len(current) else int(agenda["seq"].iloc[0])
    section = agenda.set_index("seq").loc[seq, "section"]
    total = len(agenda)

    # header: section and agenda, Previous / Next, the countdown (one row, ~150 px)
    head, moves, clock_col = st.columns([11, 4, 3], vertical_alignment="top")
    with head:
        st.markdown(f"<div class='tdm-ptitle'>{section_name(section)}</div>"
                    f"<div class='tdm-pstep'>{html_text(m['title'])} · {t('meeting.presenter.step', n=seq, total=total)}</div>"
                    "<div class='tdm-agenda'>" + " · ".join(
                        (f"<b>{section_name(s)}</b>" if q == seq else section_name(s))
                        for q, s in zip(agenda["seq"], agenda["section"])) + "</div>", unsafe_allow_html=True)
    st.session_state["presenter_seq"] = seq
    if may_run:
        with moves:
            prev, nxt = st.columns(2)
            if prev.button("◀ " + t("meeting.presenter.prev"), disabled=seq <= 1, key="p-prev", width="stretch"):
                meetings.goto(db, user, mid, seq - 1)
                st.rerun()
            if nxt.button(t("meeting.presenter.next") + " ▶", disabled=seq >= total, key="p-next", width="stretch"):
                meetings.goto(db, user, mid, seq + 1)
                st.rerun()
    with moves:
        # the sidebar is hidden on the projector: the way back to the rest of Tandem during the meeting
        nav.link("meetings", t("meeting.page.meetings"), ":material/arrow_back:")
    with clock_col:
        presenter.clock(db, mid)

    ctx = presenter.PresenterContext(db=db, meeting_id=mid, section=section, as_of=as_of, filters=f, user=user,
                                     narrow=may_run)
    slide, side = st.columns([7, 3], gap="medium") if may_run else (st.container(), None)
    with slide:
        presenter.live(ctx)
    if side is not None:
        with side:
            presenter.capture(ctx, mdate)


def _closed(db, m: dict, done: dict, as_of, f, user) -> None:
    """The meeting just closed from this screen: its record, the close button disabled."""
    st.session_state.pop("presenter_seq", None)
    st.markdown(f"<div class='tdm-ptitle'>{section_name('close')}</div>"
                f"<div class='tdm-pstep'>{html_text(m['title'])} · {t('meeting.status.closed')}</div>",
                unsafe_allow_html=True)
    ctx = presenter.PresenterContext(db=db, meeting_id=int(m["meeting_id"]), section="close", as_of=as_of,
                                     filters=f, user=user)
    if presenter.closed_screen(ctx, done):
        st.session_state.pop("presenter_closed", None)
        st.rerun()
