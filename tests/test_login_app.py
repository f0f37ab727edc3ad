"""The login gate in the running app (AppTest): nothing before login, per-role navigation,
no edit controls for a viewer, idle timeout, logout, the first admin on an empty database."""

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import nav
from tests.conftest import app_test, select_page

# controls every signed-in user has for their own session, not for data
ACCOUNT_CONTROLS = {"logout", "own_pw_save", "own_pw_old", "own_pw_new", "own_pw_again"}
# (url, label) of controls that only ask a question and write nothing (e.g. a delivery-date quote)
# (what-if and view controls; saving a what-if is a separate button these pages must hide)
QUERY_CONTROLS = {("promise", "Quote"), ("promise", "Quantity")}
QUERY_KEYS = {"cap_weeks", "wi_weeks", "wi_hours", "wi_sat", "wi_add", "wi_add_move"}


def app(monkeypatch, db_path, auth="on") -> AppTest:
    return app_test(monkeypatch, db_path, auth=auth)


def log_in(at: AppTest, username: str, password: str = "demo") -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click()
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption)]
    return " ".join(str(p) for p in parts)


def test_no_page_content_before_login(monkeypatch, demo_copy):
    at = app(monkeypatch, demo_copy)
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Log in"]
    shown = texts(at)
    assert "Overview" not in shown and "Meeting readiness" not in shown
    assert not at.metric and not at.get("plotly_chart")
    # demo mode lists the demo accounts (and only their names and roles)
    demo = at.dataframe[0].value
    assert demo.iloc[:, 0].tolist() == ["admin", "chair", "sales", "pmc", "purchasing", "quality", "engineering",
                                        "viewer"]


def test_wrong_password_shows_why_and_nothing_else(monkeypatch, demo_copy):
    at = log_in(app(monkeypatch, demo_copy), "chair", "not the password")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert "Overview" not in texts(at)


def _throttle(db_path, account: str, address: str, failures: int) -> None:
    """`failures` failed logins of `account` from `address`, just now (14: the next attempt
    from there waits 512 s)."""
    from datetime import datetime

    from lib.people import throttle
    from lib.store.db import Database
    d = Database(db_path)
    now = datetime.now().replace(microsecond=0)
    with d.transaction(source="test") as tx:
        for _ in range(failures):
            throttle.record_failure(tx, account, address, now, throttle.Limits.read(tx.cur))
    d.close()


@pytest.mark.parametrize("lang,wrong,refused", [
    ("en", "Wrong username or password.", r"^Too many failed logins: this attempt was not checked\. "
                                          r"Try again in 5(0[0-9]|1[0-2]) s\.$"),
    ("zh", "用户名或密码错误。", r"^登录失败次数过多，本次登录未被校验。请 5(0[0-9]|1[0-2]) 秒后再试。$"),
])
def test_a_throttled_login_says_how_many_seconds_to_wait(monkeypatch, demo_copy, lang, wrong, refused):
    import re

    from lib.ui import login
    monkeypatch.setattr(login, "client_address", lambda: "10.0.0.9")
    _throttle(demo_copy, "chair", "10.0.0.9", 14)
    at = log_in(app_test(monkeypatch, demo_copy, lang=lang, auth="on"), "chair")      # the right password
    assert not at.exception, at.exception
    assert len(at.error) == 1 and re.match(refused, at.error[0].value), at.error[0].value
    assert "user" not in at.session_state
    # the same account from another place is not held up
    monkeypatch.setattr(login, "client_address", lambda: "10.0.0.10")
    log_in(at, "sales", "not the password")
    assert [e.value for e in at.error] == [wrong]
    log_in(at, "chair")
    assert at.session_state["user"].username == "chair"
    from lib.store.db import Database
    d = Database(demo_copy)
    rows = d.query("SELECT username, action, coalesce(old_value, new_value) FROM audit_log WHERE action IN "
                   "('login', 'login_failed', 'login_throttled') ORDER BY audit_id").values.tolist()
    d.close()
    assert rows == [["chair", "login_throttled", "10.0.0.9"], ["sales", "login_failed", "10.0.0.10"],
                    ["chair", "login", "10.0.0.10"]]


def test_change_password_is_refused_while_its_account_and_address_wait(monkeypatch, demo_copy):
    import re

    from lib.ui import login
    at = log_in(app(monkeypatch, demo_copy), "pmc")                   # signed in from the server itself
    _throttle(demo_copy, "pmc", "10.0.0.9", 14)                       # wrong current passwords from 10.0.0.9
    monkeypatch.setattr(login, "client_address", lambda: "10.0.0.9")
    at.text_input(key="own_pw_old").input("demo")
    at.text_input(key="own_pw_new").input("a new password")
    at.text_input(key="own_pw_again").input("a new password")
    at.button(key="own_pw_save").click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and re.match(r"^Too many wrong current passwords: this try was not checked and the "
                                           r"password was not changed\. Try again in 5(0[0-9]|1[0-2]) s\.$",
                                           at.error[0].value), at.error[0].value
    from lib.people import users
    from lib.store.db import Database
    d = Database(demo_copy)
    assert users.verify_password(d.scalar("SELECT password_hash FROM users WHERE username = 'pmc'"), "demo")
    d.close()


def test_the_admin_sees_a_throttled_account_and_clears_it(monkeypatch, demo_copy):
    _throttle(demo_copy, "pmc", "10.0.0.9", 14)
    at = log_in(app(monkeypatch, demo_copy), "admin")         # no address in AppTest: not held up
    select_page(at, "users").run()
    assert not at.exception, at.exception
    listed = at.dataframe[0].value.set_index("Username")
    assert listed.at["pmc", "State"].startswith("⏳ attempts wait until ")
    assert listed.at["pmc", "Failed logins"] == 14 and listed.at["chair", "Failed logins"] == 0
    counting = at.dataframe[1].value
    assert sorted(zip(counting["Account"], counting["Address"])) == [
        ("(every account)", "10.0.0.9"), ("pmc", "(every address)"), ("pmc", "10.0.0.9")]
    at.selectbox(key="change_user").select("pmc").run()
    at.button(key="unlock").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Login throttling of pmc cleared."]
    listed = at.dataframe[0].value.set_index("Username")
    assert listed.at["pmc", "State"].startswith("🟢") and listed.at["pmc", "Failed logins"] == 0
    at.button(key="clear_address_submit").click().run()
    assert [s.value for s in at.success] == ["Login throttling of 10.0.0.9 cleared."]
    assert not [b for b in at.button if b.key == "clear_address_submit"]


def test_demo_accounts_not_listed_outside_demo_mode(monkeypatch, demo_copy):
    from lib.store.db import Database
    d = Database(demo_copy)
    with d.transaction(source="test") as tx:
        tx.execute("UPDATE meta SET value = 'real' WHERE key = 'mode'")
    d.close()
    at = app(monkeypatch, demo_copy)
    assert not at.dataframe


@pytest.mark.parametrize("username,pages", [
    ("admin", {"overview", "users"}), ("chair", {"overview"}), ("pmc", {"overview"}), ("viewer", {"overview"}),
])
def test_login_shows_the_pages_of_the_role(monkeypatch, demo_copy, username, pages):
    at = log_in(app(monkeypatch, demo_copy), username)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Overview" in texts(at)
    assert at.session_state["user"].username == username
    from lib.ui.session import USER_KEY
    user = at.session_state[USER_KEY]
    assert {p.url for p in nav.visible(user)} & {"overview", "users"} == pages
    assert [b.label for b in at.button if b.key == "logout"] == ["Log out"]


def _edit_controls(at: AppTest, url: str) -> list[str]:
    found = []
    for kind in ("button", "text_input", "text_area", "number_input", "checkbox", "toggle", "file_uploader",
                 "data_editor", "color_picker"):
        for w in at.get(kind):
            label = getattr(w, "label", "")
            key = getattr(w, "key", None)
            reads = kind == "button" and "-detail-" in (key or "")    # a tile opens the list behind it
            if key not in ACCOUNT_CONTROLS | QUERY_KEYS and (url, label) not in QUERY_CONTROLS and not reads:
                found.append(f"{kind}:{label}")
    return found


@pytest.mark.slow
def test_a_viewer_sees_no_edit_controls_on_any_page(monkeypatch, demo_copy):
    at = log_in(app(monkeypatch, demo_copy), "viewer")
    user = at.session_state["user"]
    for url in (p.url for p in nav.visible(user)):
        select_page(at, url).run()
        assert not at.exception, (url, at.exception)
        assert _edit_controls(at, url) == [], url


def test_admin_manages_users_in_the_app(monkeypatch, demo_copy):
    at = log_in(app(monkeypatch, demo_copy), "admin")
    select_page(at, "users")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    listed = at.dataframe[0].value
    assert set(listed["Username"]) == {"admin", "chair", "sales", "pmc", "purchasing", "quality", "engineering",
                                       "viewer"}
    at.text_input(key="add_username").input("Wei.Zhang")
    at.text_input(key="add_display").input("张伟")
    at.selectbox(key="add_role").select("viewer")
    at.text_input(key="add_password").input("projector pass")
    at.text_input(key="add_password2").input("projector pass")
    at.button(key="add_submit").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert "wei.zhang" in at.dataframe[0].value["Username"].tolist()
    assert [s.value for s in at.success] == ["User wei.zhang added."]


def _session_app(monkeypatch, db_path, idle_minutes: float) -> AppTest:
    """The app in a tab where chair signed in and was last active `idle_minutes` ago."""
    from datetime import datetime, timedelta

    from lib.people import sessions
    from lib.people.auth import User
    from lib.store.db import Database
    d = Database(db_path)
    token = sessions.issue(d, "chair", now=datetime.now() - timedelta(minutes=idle_minutes))
    d.close()
    return app_test(monkeypatch, db_path, auth="on",
                    state={"user": User("chair", "chair", None, "Chair"), "_auth_session": sessions.token_hash(token)})


def test_idle_session_expires_and_cannot_continue(monkeypatch, demo_copy):
    at = _session_app(monkeypatch, demo_copy, 61)   # default idle timeout: 60 minutes
    assert not at.exception, at.exception
    assert "user" not in at.session_state
    assert [b.label for b in at.button] == ["Log in"]
    assert [w.value for w in at.warning] == ["Your session ended after a period without activity. Please log in again."]
    assert "Meeting readiness" not in texts(at)


def test_an_active_session_continues_with_its_fresh_account(monkeypatch, demo_copy):
    at = _session_app(monkeypatch, demo_copy, 59)
    assert "Overview" in texts(at)
    # re-read from the database: the demo's chair has its own display name
    assert at.session_state["user"].display_name == "王建国 Plant manager"


def test_a_deactivated_account_loses_its_session(monkeypatch, demo_copy):
    from lib.store.db import Database
    d = Database(demo_copy)
    with d.transaction(source="test") as tx:
        tx.update("users", {"username": "chair"}, {"active": False})
    d.close()
    at = _session_app(monkeypatch, demo_copy, 0)
    assert "user" not in at.session_state
    assert [w.value for w in at.warning] == ["Your account has been deactivated."]


# ---------------------------------------------------------------------------- the session cookie

def _browser(monkeypatch, token):
    """Play a browser that sends the session cookie `token` when a tab connects (a reload, a new
    tab): AppTest cannot set st.context.cookies, so the one function that reads it answers."""
    from lib.ui import session
    monkeypatch.setattr(session, "browser_token", lambda: token)


def _cookie_written(at: AppTest) -> str:
    """The token the app asked the browser to keep in its cookie after a login."""
    token, seconds, _ = at.session_state["_auth_cookie"]["tandem_session"]
    assert token and seconds == 12 * 3600                # session_hours: 12 by default
    return token


def test_a_reload_keeps_the_sign_in_and_logout_ends_it_in_every_tab(monkeypatch, demo_copy):
    first = log_in(app(monkeypatch, demo_copy), "chair")
    token = _cookie_written(first)
    # a reload (or a second tab) of the same browser: signed in from the cookie, no password
    _browser(monkeypatch, token)
    second = app(monkeypatch, demo_copy)
    assert not second.exception, second.exception
    assert "Overview" in texts(second) and not [b for b in second.button if b.key == "login_submit"]
    assert second.session_state["user"].username == "chair"
    # logging out in the second tab ends the first at its next click, and the cookie is cleared
    second.button(key="logout").click().run()
    assert [i.value for i in second.info] == ["You have logged out."]
    assert second.session_state["_auth_cookie"]["tandem_session"][:2] == ("", 0)     # forgotten
    first.run()
    assert [b.label for b in first.button] == ["Log in"]
    assert [w.value for w in first.warning] == ["You were logged out, in another tab or on another device."]
    # a reload that still sends the old cookie is not signed in either
    third = app(monkeypatch, demo_copy)
    assert [b.label for b in third.button] == ["Log in"] and "user" not in third.session_state


def test_a_cookie_of_an_idle_session_shows_the_login_with_why(monkeypatch, demo_copy):
    from datetime import datetime, timedelta

    from lib.people import sessions
    from lib.store.db import Database
    d = Database(demo_copy)
    token = sessions.issue(d, "pmc", now=datetime.now() - timedelta(minutes=90))
    d.close()
    _browser(monkeypatch, token)
    at = app(monkeypatch, demo_copy)
    assert [b.label for b in at.button] == ["Log in"]
    assert [w.value for w in at.warning] == ["Your session ended after a period without activity. Please log in again."]
    log_in(at, "pmc")                       # the stale cookie is not tried again: the new login holds
    assert at.session_state["user"].username == "pmc" and "Overview" in texts(at)


def test_an_admin_ends_a_users_sessions_from_the_users_page(monkeypatch, demo_copy):
    pmc = log_in(app(monkeypatch, demo_copy), "pmc")
    admin = log_in(app(monkeypatch, demo_copy), "admin")
    select_page(admin, "users").run()
    assert admin.dataframe[0].value.set_index("Username").at["pmc", "Signed in"] == 1
    admin.selectbox(key="change_user").select("pmc").run()
    admin.button(key="end_sessions").click().run()
    assert [s.value for s in admin.success] == ["1 sessions of pmc ended."]
    pmc.run()
    assert [w.value for w in pmc.warning] == ["An admin ended your session. Please log in again."]


def test_first_start_of_an_empty_database_asks_for_the_admin(monkeypatch, empty_path, tmp_path):
    path = tmp_path / "empty.duckdb"
    shutil.copy(empty_path, path)
    at = app(monkeypatch, path, auth="on")
    assert "Welcome to Tandem" in texts(at)
    assert "Overview" not in texts(at)
    at.text_input(key="setup_username").input("root")
    at.text_input(key="setup_password").input("first admin pass")
    at.text_input(key="setup_password2").input("first admin pass")
    at.button(key="setup_submit").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["user"].role == "admin"
    assert "Overview" in texts(at)


def test_login_off_runs_as_the_system_without_a_login(monkeypatch, demo_copy):
    at = app(monkeypatch, demo_copy, auth="off")
    assert "Overview" in texts(at)
    assert not [b for b in at.button if b.key == "login_submit"]


def test_the_language_chosen_in_the_sidebar_comes_back_after_a_reload(monkeypatch, demo_copy):
    from lib.ui import session
    first = log_in(app(monkeypatch, demo_copy), "chair")
    first.radio(key="lang_choice").set_value("zh").run()
    lang, seconds, _ = first.session_state["_auth_cookie"]["tandem_lang"]
    assert (lang, seconds) == ("zh", 365 * 24 * 3600)
    _browser(monkeypatch, _cookie_written(first))
    monkeypatch.setattr(session, "remembered_lang", lambda: lang)          # the browser kept both cookies
    again = app(monkeypatch, demo_copy)                                     # TANDEM_LANG=en: the browser's
    assert not again.exception, again.exception
    assert again.session_state["lang"] == "zh" and again.title[0].value == "总览"
