"""A display screen (the projector in kiosk mode, after Grafana's TV mode and playlists): what it
shows, drawn with the presenter's own section views (lib.ui.presenter), and when it changes.

A screen signed in with a display token (lib.people.sessions) shows the running meeting's
section in presenter form, or the Overview when no meeting runs. Its token says how it moves on:
* follow (0 seconds per section): the section the chair is on, with the countdown, changing
  when the chair moves on, starts or closes the meeting;
* cycle (N seconds per section): the running meeting's agenda sections in turn, or, when no
  meeting runs, the Overview and each department's section; every screen with the same N shows
  the same section at the same moment (the step is the clock's time divided by N).
Its live parts refresh like the presenter's (lib.ui.presenter.live, every minute); `watch`
looks every WATCH_SECONDS for a change of what to show, or a revoked token, and redraws.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from lib.i18n import get_lang, set_lang, t
from lib.meeting import meetings
from lib.people import sessions
from lib.text import html_text
from lib.ui import presenter, session
from lib.ui.meeting import section_name

WATCH_SECONDS = 2
OVERVIEW = "overview"
# what a cycling screen shows in turn while no meeting runs
IDLE_CYCLE = ("overview", "sales", "pmc", "purchasing", "quality", "engineering")

# a display: nothing to click, no sidebar, no Streamlit chrome (as lib.ui.presenter.CSS hides them)
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stDecoration"], header[data-testid="stHeader"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"] {display: none !important;}
.block-container {padding-top: 1.2rem !important; padding-bottom: 1rem !important; max-width: 100% !important;}
.tdm-display-name {font-size: 18px; color: #888; text-align: right;}
</style>
"""


@dataclass(frozen=True)
class Shown:
    """What a screen shows: an agenda step of the running meeting (`meeting_id`), or, with no
    meeting running, the Overview or a department's section (`meeting_id` None)."""
    section: str                      # an agenda section, or "overview"
    meeting_id: int | None = None
    seq: int = 1                      # the step shown, of `steps`
    steps: tuple[str, ...] = ()       # the sections stepped through (the agenda, or IDLE_CYCLE)
    follow: bool = False              # following the chair: the countdown is the shown section's
    title: str | None = None          # the meeting's title


def cycle_step(n: int, seconds: int, at: datetime) -> int:
    """The step (0 … n-1) a screen cycling every `seconds` shows at `at`: every screen with the
    same cycle shows the same step at the same moment.

    >>> from datetime import timezone
    >>> t0 = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)
    >>> [cycle_step(8, 30, t0.replace(second=s)) for s in (0, 29, 30, 59)]
    [0, 0, 1, 1]
    """
    return int(at.timestamp() // max(1, int(seconds))) % max(1, n)


def shown(con, cycle_seconds: int, at: datetime) -> Shown:
    """What a screen with `cycle_seconds` per section (0: follow the meeting) shows at `at`."""
    mid = meetings.active(con)
    m = meetings.get(con, mid) if mid else None
    if m is None or m["status"] != "running":
        if not cycle_seconds:
            return Shown(OVERVIEW)
        i = cycle_step(len(IDLE_CYCLE), cycle_seconds, at)
        return Shown(IDLE_CYCLE[i], None, i + 1, IDLE_CYCLE)
    agenda = meetings.agenda(con, mid)
    steps = tuple(agenda["section"])
    if not steps:
        return Shown(OVERVIEW)
    if cycle_seconds:
        i = cycle_step(len(steps), cycle_seconds, at)
        return Shown(steps[i], mid, i + 1, steps, title=m["title"])
    seq = meetings.current_seq(con, mid) or int(agenda["seq"].iloc[0])
    i = agenda.index[agenda["seq"] == seq][0]
    return Shown(steps[i], mid, i + 1, steps, follow=True, title=m["title"])


def link(token: str) -> str:
    """The address a screen opens to sign in with `token`: this server's display page, as the
    admin's browser reaches it (st.context.url), with the token in the query string."""
    try:
        here = str(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser connection
        here = ""
    parts = urlsplit(here)
    path = parts.path.rsplit("/", 1)[0] if parts.path else ""    # the app's base path, without this page
    return urlunsplit((parts.scheme or "http", parts.netloc or "localhost:8501", f"{path}/display",
                       f"token={token}", ""))


def _name(section: str) -> str:
    return t("page.overview") if section == OVERVIEW else section_name(section)


def header(db, showing: Shown) -> None:
    """The section's name in large type, the meeting and step, the countdown when following the
    chair, and the steps in a line with the shown one in bold (the presenter's own classes)."""
    head, clock_col = st.columns([3, 1])
    step = t("meeting.presenter.step", n=showing.seq, total=len(showing.steps))
    with head:
        st.markdown(f"<div class='tdm-ptitle'>{_name(showing.section)}</div><div class='tdm-pstep'>"
                    + (f"{html_text(showing.title)} · " if showing.title else "") + f"{step}</div>",
                    unsafe_allow_html=True)
    if showing.follow and showing.meeting_id is not None:
        # the countdown redraws the screen as soon as the chair moves on (lib.ui.presenter.clock)
        st.session_state["presenter_seq"] = int(_seq(db, showing.meeting_id))
        with clock_col:
            presenter.clock(db, showing.meeting_id)
    else:
        st.session_state.pop("presenter_seq", None)
    st.markdown("<div class='tdm-agenda'>" + " · ".join(
        (f"<b>{_name(s)}</b>" if i + 1 == showing.seq else _name(s)) for i, s in enumerate(showing.steps))
        + "</div>", unsafe_allow_html=True)


def _seq(db, meeting_id: int) -> int:
    with db.cursor() as cur:
        return meetings.current_seq(cur, meeting_id) or 0


def screen_name() -> None:
    """The screen's name, small, so whoever set it up can tell which token it uses."""
    screen = session.screen()
    if screen is not None:
        st.markdown(f"<div class='tdm-display-name'>{html_text(screen.name)}</div>", unsafe_allow_html=True)


@st.fragment(run_every=presenter.LIVE_SECONDS)
def live_page(draw) -> None:
    """Another page's drawing (the Overview) refreshed like the presenter's live parts."""
    set_lang(st.session_state.get("lang", get_lang()))   # a fragment's rerun skips app.py
    draw()


@st.fragment(run_every=WATCH_SECONDS)
def watch(db, showing: Shown, cycle_seconds: int) -> None:
    """Redraw the whole screen when what it should show has changed (the chair moved on, the
    meeting started or closed, the cycle's next step) or its token was revoked (then the
    login screen says so)."""
    set_lang(st.session_state.get("lang", get_lang()))
    try:
        session.current_user()                       # a revoked token ends the screen here
    except session.SessionExpired:
        st.rerun(scope="app")
    with db.cursor() as cur:
        now_shown = shown(cur, cycle_seconds, datetime.now())
    if now_shown != showing:
        st.rerun(scope="app")


def cycle_of(screen: sessions.Display | None) -> int:
    """Seconds per section of this screen (0: follow the meeting)."""
    return int(screen.cycle_seconds) if screen is not None else 0
