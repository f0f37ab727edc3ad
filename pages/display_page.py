"""Display screen: the projector in kiosk mode, signed in with a display token, read-only.

The running meeting's section in presenter form (the presenter's own views), or the Overview when
no meeting runs; following the chair or cycling through the sections, as its token says
(lib.ui.display). Nothing on it can be clicked to change anything: a display cannot write.
"""
from datetime import datetime

import streamlit as st

from lib.i18n import t
from lib.ui import display, filters, presenter, session, state


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)
    user = session.current_user()
    cycle = display.cycle_of(session.screen())

    with db.cursor() as cur:
        showing = display.shown(cur, cycle, datetime.now())
    display.watch(db, showing, cycle)
    if showing.section == display.OVERVIEW:
        # the Overview as its page draws it (its tiles are sized for it), without the app's chrome
        st.markdown(display.CSS, unsafe_allow_html=True)
        display.screen_name()
        from pages import overview_page
        display.live_page(overview_page.render)
        return
    st.markdown(presenter.CSS + display.CSS, unsafe_allow_html=True)
    display.screen_name()
    display.header(db, showing)
    ctx = presenter.PresenterContext(db=db, meeting_id=showing.meeting_id or 0, section=showing.section,
                                     as_of=as_of, filters=f, user=user)
    presenter.live(ctx)



def not_a_display() -> None:
    """/display opened by a browser that is not signed in as a display screen."""
    st.title(t("display.page"))
    st.info(t("display.not_a_display"), icon=":material/tv:")
