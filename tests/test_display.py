"""Display screens (projector kiosk mode) in the running app: a display link signs a screen in
read-only (login on or off), it sees only the display page, which shows the Overview while no
meeting runs and the running meeting's section in presenter form (following the chair, or
cycling through the agenda), and a revoked token signs it out. The admin issues, changes and
revokes tokens on the Users page."""
from datetime import datetime, timezone

import pytest
from streamlit.testing.v1 import AppTest

from lib.people import sessions
from lib.people.auth import SYSTEM, User
from lib.store.db import Database
from tests.conftest import AS_OF, ROOT, run_page, select_page
from tests.test_login_app import _edit_controls, log_in, texts

ADMIN = User("admin", "admin")


def _token(db_path, cycle_seconds: int = 0, lang: str = "auto", name: str = "Meeting room projector") -> str:
    d = Database(db_path)
    _, token = sessions.issue_display(d, ADMIN, name, cycle_seconds=cycle_seconds, lang=lang)
    d.close()
    return token


def _screen(monkeypatch, db_path, token: str, *, auth: str = "on", lang: str = "en") -> AppTest:
    """The app opened at /display?token=... in a fresh browser (tests.conftest.app_test, with a
    query string)."""
    monkeypatch.setenv("TANDEM_DB", str(db_path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", lang)
    monkeypatch.setenv("TANDEM_AUTH", auth)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    return at


def _screens_table(at: AppTest):
    """The Users page's list of display tokens."""
    return next(d.value for d in at.dataframe if "Shows" in d.value.columns)


def _meeting(db_path, *, start: bool = True, goto: int | None = None) -> int:
    """The demo's next meeting, started (and moved on to agenda step `goto`)."""
    from lib.meeting import meetings
    d = Database(db_path)
    with d.cursor() as cur:
        mid = meetings.active(cur)
    if start:
        meetings.start(d, SYSTEM, mid)
    if goto:
        meetings.goto(d, SYSTEM, mid, goto)
    d.close()
    return mid


def _title(at: AppTest) -> str:
    """The big title of the screen: the Overview's h1, or the presenter's section name."""
    if at.title:
        return at.title[0].value
    import re
    return next(re.search(r"<div class='tdm-ptitle'>([^<]*)</div>", m.value).group(1)
                for m in at.markdown if "<div class='tdm-ptitle'>" in m.value)


@pytest.mark.parametrize("auth", ["on", "off"])
def test_a_display_link_signs_a_read_only_screen_in_on_the_overview(monkeypatch, demo_copy, auth):
    at = _screen(monkeypatch, demo_copy, _token(demo_copy), auth=auth)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    user = at.session_state["user"]
    assert (user.role, user.display_name) == ("display", "Meeting room projector")
    assert _title(at) == "Overview" and "Meeting readiness" in texts(at)
    assert not [b for b in at.button if b.key in ("login_submit", "logout")]
    assert _edit_controls(at, "display") == []
    assert any("Meeting room projector" in m.value for m in at.markdown)    # which screen this is, small
    # whatever page is asked for, a display shows its own
    select_page(at, "users").run()
    assert _title(at) == "Overview" and not at.exception


def test_a_display_follows_the_running_meeting_and_the_chair(monkeypatch, demo_copy):
    mid = _meeting(demo_copy)
    token = _token(demo_copy)
    at = _screen(monkeypatch, demo_copy, token)
    assert not at.exception, at.exception
    assert _title(at) == "Last meeting's actions"
    assert any("Section 1 of 8" in m.value for m in at.markdown)
    assert any("<div class='tdm-clock'" in m.value for m in at.markdown)                # the countdown, as the presenter's
    assert _edit_controls(at, "display") == []                              # no capture, no Next
    from lib.meeting import meetings
    d = Database(demo_copy)
    meetings.goto(d, SYSTEM, mid, 3)
    d.close()
    at.run()
    assert _title(at) == "PMC" and any("Section 3 of 8" in m.value for m in at.markdown)


def test_a_cycling_display_steps_through_the_agenda_in_step_with_the_clock(demo_copy):
    from lib.ui import display
    mid = _meeting(demo_copy, goto=2)
    d = Database(demo_copy)
    t0 = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)           # a multiple of 8 x 30 s
    with d.cursor() as cur:
        seen = [display.shown(cur, 30, t0.replace(second=s)) for s in (0, 31)]
        then = display.shown(cur, 30, t0.replace(minute=3, second=15))     # 195 s = 6 x 30 + 15: the 7th step
        follow = display.shown(cur, 0, t0)
    d.close()
    agenda = ("actions", "sales", "pmc", "purchasing", "quality", "engineering", "decisions", "close")
    assert [(s.section, s.seq, s.follow) for s in seen] == [("actions", 1, False), ("sales", 2, False)]
    assert (then.section, then.seq, then.steps, then.meeting_id) == ("decisions", 7, agenda, mid)
    assert (follow.section, follow.seq, follow.follow) == ("sales", 2, True)


def test_with_no_meeting_running_a_cycling_display_shows_the_overview_and_each_department(demo_copy):
    from lib.ui import display
    d = Database(demo_copy)
    t0 = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)            # 1,795,597,200 s: step 0 of 6 at 60 s
    with d.cursor() as cur:
        steps = [display.shown(cur, 60, t0.replace(minute=m)).section for m in range(7)]
        still = display.shown(cur, 0, t0)
    d.close()
    assert steps == ["overview", "sales", "pmc", "purchasing", "quality", "engineering", "overview"]
    assert still == display.Shown("overview")


def test_a_cycling_display_draws_a_section_in_presenter_form_in_chinese(monkeypatch, demo_copy):
    _meeting(demo_copy)
    at = _screen(monkeypatch, demo_copy, _token(demo_copy, cycle_seconds=10, lang="zh"), lang="en")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["lang"] == "zh"                                  # the token's language
    assert any("第 " in m.value and " / 8 项" in m.value for m in at.markdown)
    assert not any("<div class='tdm-clock'" in m.value for m in at.markdown)             # a cycle has no countdown of its own


def test_a_revoked_display_is_signed_out_at_its_next_refresh(monkeypatch, demo_copy):
    token = _token(demo_copy)
    at = _screen(monkeypatch, demo_copy, token)
    assert _title(at) == "Overview"
    d = Database(demo_copy)
    with d.cursor() as cur:
        display_id = int(sessions.list_displays(cur)["display_id"].iloc[0])
    sessions.revoke_display(d, ADMIN, display_id)
    d.close()
    at.run()
    assert [b.label for b in at.button] == ["Log in"]
    assert [w.value for w in at.warning] == [
        "This display's token was revoked, so the screen was signed out. Ask an admin for a new display link."]
    # the same link opened again: refused, and a person may still log in
    again = _screen(monkeypatch, demo_copy, token)
    assert [b.label for b in again.button] == ["Log in"]
    assert any("display link is not valid" in w.value for w in again.warning)
    log_in(again, "chair")
    assert again.session_state["user"].username == "chair" and "Overview" in texts(again)


def test_a_mistyped_display_link_shows_the_login(monkeypatch, demo_copy):
    at = _screen(monkeypatch, demo_copy, "not-a-token")
    assert [b.label for b in at.button] == ["Log in"] and "user" not in at.session_state


def test_the_display_page_runs_on_an_empty_database(monkeypatch, empty_path, tmp_path):
    import shutil
    path = tmp_path / "empty.duckdb"
    shutil.copy(empty_path, path)
    at = _screen(monkeypatch, path, _token(path, cycle_seconds=10), auth="off", lang="zh")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_nobody_but_a_display_is_offered_the_display_page(monkeypatch, demo_copy):
    from lib.ui import nav
    for role in ("admin", "chair", "viewer"):
        assert "display" not in [p.url for p in nav.visible(User(role, role))]
    assert "display" not in [p.url for p in nav.visible(SYSTEM)]


def test_the_admin_issues_changes_and_revokes_a_display_token(monkeypatch, demo_copy):
    at = log_in(_app(monkeypatch, demo_copy), "admin")
    select_page(at, "users").run()
    at.text_input(key="disp_name").input("Lobby TV")
    at.number_input(key="disp_cycle").set_value(20)
    at.button(key="disp_issue").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "Display token for Lobby TV issued. Open this link on the screen. Copy it now: it is shown only this once."]
    link = at.code[0].value
    assert "/display?token=" in link
    token = link.split("token=", 1)[1]
    d = Database(demo_copy)
    with d.cursor() as cur:
        screen = sessions.display_for(cur, sessions.token_hash(token))
    d.close()
    assert (screen.name, screen.cycle_seconds) == ("Lobby TV", 20)
    listed = _screens_table(at)
    assert listed[["Screen", "Shows", "State"]].values.tolist() == [["Lobby TV", "20 s per section", "🟢 active"]]
    # change it to follow the meeting, then revoke it
    at.number_input(key=f"disp_cycle_{screen.display_id}").set_value(0)
    at.button(key="disp_save").click().run()
    assert [s.value for s in at.success] == ["Display token Lobby TV saved."]
    assert _screens_table(at)["Shows"].tolist() == ["follows the meeting"]
    assert not at.code                                                       # the link was shown once
    at.button(key="disp_revoke").click().run()
    assert [s.value for s in at.success] == ["Display token Lobby TV revoked."]
    assert _screens_table(at)["State"].iloc[0].startswith("⚪ revoked ")
    d = Database(demo_copy)
    with d.cursor() as cur:
        assert sessions.display_for(cur, sessions.token_hash(token)) is None
    d.close()


def _app(monkeypatch, db_path) -> AppTest:
    from tests.conftest import app_test
    return app_test(monkeypatch, db_path, auth="on")


def test_a_screens_name_is_drawn_as_text(monkeypatch, demo_copy):
    name = "<b>Hall</b> **A** <script>x()</script>"
    at = _screen(monkeypatch, demo_copy, _token(demo_copy, name=name))
    shown = [m.value for m in at.markdown if "tdm-display-name" in m.value and "<div" in m.value]
    assert len(shown) == 1 and "<b>Hall</b>" not in shown[0] and "<script>" not in shown[0]
    import html
    assert html.unescape(shown[0].split(">", 1)[1].rsplit("<", 1)[0]) == name      # reads back as typed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_display_address_without_a_token_says_what_it_is_for(monkeypatch, demo_copy, lang):
    """/display opened by a browser that is not a display screen (an old or revoked link, or a
    person typing it): what the address is for, not Streamlit's 'Page not found' box."""
    from lib.i18n import t
    at = run_page(monkeypatch, demo_copy, "display", lang=lang)
    assert not at.exception
    assert [i.value for i in at.info] == [t("display.not_a_display", lang)]
    assert at.title[0].value == t("display.page", lang)
