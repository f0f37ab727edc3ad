"""The acting user of this browser tab: who is signed in, the session cookie, display screens.

Pages take the acting user from `current_user()` and pass it to lib's write functions, which
check it (lib.people.auth). With login off (setting `auth`), the acting user is SYSTEM.

A sign-in is a server-side session (lib.people.sessions): `start` issues its token, which the
browser keeps in the cookie `tandem_session` (written by extra-streamlit-components' cookie
manager, `write_cookie`, as is `tandem_lang`, the language chosen in the sidebar); a reload or a
new tab sends the cookies when it connects
(st.context.cookies) and continues the session without a password. With login on,
`current_user()`:
* checks the session on every run, so a session ended anywhere — logout (in any tab, on any
  device: it ends every session of the user), idle for `idle_timeout_minutes`, older than
  `session_hours`, ended by an admin, a password reset — ends here at the next click, and an
  ended session cannot write, even from a fragment or a callback that runs without the login
  gate of app.py: it raises SessionExpired and the next full run shows the login with the reason;
* re-reads the account each run, so a deactivation or a role change takes effect at once.

A display screen (the projector in kiosk mode) is opened with a display token in its URL
(`open_display`) and acts as a user of role `display` until the token is revoked; it never idles out.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import streamlit as st

from lib.errors import PermissionDenied
from lib.i18n import LANGS, set_lang, t
from lib.people import auth, sessions, users
from lib.people.auth import SYSTEM, User

USER_KEY = "user"                   # a lib.people.auth.User, set by the login
SESSION_KEY = "_auth_session"       # the hash of this tab's session token (lib.people.sessions)
DISPLAY_KEY = "_auth_display"       # the hash of the display token this tab was opened with
SCREEN_KEY = "_auth_screen"         # that token's lib.people.sessions.Display, as last read
NOTICE_KEY = "_auth_notice"         # why the last session ended (auth.notice.<reason>)
SKIP_KEY = "_auth_skip_setup"       # auth=auto without any account: this session chose to go on without
COOKIE_KEY = "_auth_cookie"         # cookie writes the browser has still to confirm: name -> (value, seconds, n)
_TRIED_KEY = "_auth_tried"          # hashes of tokens this tab found no good: not tried again

COOKIE = "tandem_session"
LANG_COOKIE = "tandem_lang"
_COOKIE_WIDGET = "_tandem_cookies"

# why lib ended a session -> the notice the login shows (auth.notice.*)
_NOTICE = {"logout": "ended", "idle": "expired", "expired": "lifetime", "admin": "admin",
           "password": "password", "deactivated": "deactivated", "unknown": "expired"}


def _clock() -> datetime:
    """Now (a function so tests can move time forward)."""
    return datetime.now().replace(microsecond=0)


class SessionExpired(PermissionDenied):
    """The session ended (idle timeout, deactivated, logged out): nothing was saved."""
    title = "Please log in again"


def _db():
    from lib.ui import state
    return state.db()


def login_required() -> bool:
    """Whether this app asks for a login (setting `auth`: on, off, or auto)."""
    with _db().cursor() as cur:
        return users.login_required(cur)


def browser_token() -> str | None:
    """The session token in the cookie the browser sent when this tab connected, or None
    (a function so tests can play a browser that kept one)."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser connection (a script run without a client)
        return None
    return token if isinstance(token, str) and token else None     # (AppTest's client answers a mock)


def _lifetime_seconds() -> int:
    with _db().cursor() as cur:
        return sessions.Limits.read(cur).max_hours * 3600


# ---------------------------------------------------------------------------- sign-in

def start(user: User) -> None:
    """Begin a signed-in session for `user` (after lib.people.users.authenticate or single
    sign-on): a session in the database, and its token for the browser to keep."""
    token = sessions.issue(_db(), user.username, now=_clock())
    _forget()
    st.session_state[USER_KEY] = user
    st.session_state[SESSION_KEY] = sessions.token_hash(token)
    _queue(COOKIE, token, _lifetime_seconds())
    st.session_state.pop(NOTICE_KEY, None)


def _forget() -> None:
    """Forget this tab's sign-in (the session in the database is left as it is). Its token is
    not tried again from the cookie this tab connected with, which may still hold it."""
    ended = st.session_state.get(SESSION_KEY)
    if ended:
        st.session_state[_TRIED_KEY] = (*st.session_state.get(_TRIED_KEY, ()), ended)
    for key in (USER_KEY, SESSION_KEY, DISPLAY_KEY, SCREEN_KEY):
        st.session_state.pop(key, None)


def _ended(reason: str, message: str) -> SessionExpired:
    """Forget the sign-in, keep why for the login screen, and the error to raise."""
    _forget()
    st.session_state[NOTICE_KEY] = reason
    return SessionExpired(message)


def end(reason: str = "logout") -> None:
    """End this sign-in. Logout (the button) ends every session of the user — every tab,
    every device — and clears the cookie; audited."""
    user = st.session_state.get(USER_KEY)
    _forget()
    st.session_state[NOTICE_KEY] = reason
    if reason == "logout" and isinstance(user, User) and user.role not in ("system", auth.DISPLAY):
        try:
            sessions.end_user(_db(), user.username, "logout", now=_clock())
        finally:
            _queue(COOKIE, "", 0)


def password_changed(user: User) -> None:
    """The user changed their own password: their other sessions end, this one goes on."""
    sessions.end_user(_db(), user.username, "password", now=_clock(), keep=st.session_state.get(SESSION_KEY))


def _why(verdict: sessions.Verdict) -> SessionExpired:
    reason = _NOTICE.get(verdict.reason or "unknown", "expired")
    if reason == "expired":
        with _db().cursor() as cur:
            minutes = sessions.Limits.read(cur).idle_minutes
        return _ended(reason, t("auth.session_expired", minutes=minutes))
    if reason == "deactivated":
        return _ended(reason, t("auth.session_deactivated"))
    return _ended(reason, t("auth.session_ended"))


def _resume() -> User:
    """The user of the session the browser's cookie names (a reload, a new tab), or SessionExpired."""
    token = browser_token()
    key = sessions.token_hash(token) if token else None
    if key is None or key in st.session_state.get(_TRIED_KEY, ()):
        raise SessionExpired(t("auth.not_logged_in"))
    verdict = sessions.check(_db(), key, now=_clock())
    if verdict.ok:
        with _db().cursor() as cur:
            fresh = users.get_user(cur, verdict.username)
        if fresh is not None:
            st.session_state[USER_KEY] = fresh
            st.session_state[SESSION_KEY] = key
            return fresh
        sessions.end_user(_db(), verdict.username, "deactivated", now=_clock())
        verdict = sessions.Verdict(None, "deactivated")
    st.session_state[_TRIED_KEY] = (*st.session_state.get(_TRIED_KEY, ()), key)
    raise _why(verdict)


def current_user() -> User:
    """The acting user of this tab.

    A display screen: its display user while its token holds. Login off: the session's user
    if one logged in anyway, else SYSTEM. Login on: the signed-in user (from this tab, or from
    the browser's cookie), refreshed from the database; raises SessionExpired when nobody is
    signed in or the session has ended (logout anywhere, idle, too old, ended by an admin, the
    account deactivated) — an ended session cannot write.
    """
    user = st.session_state.get(USER_KEY)
    if isinstance(user, User) and auth.is_display(user):
        return _current_display()
    if not login_required():
        return user or SYSTEM
    key = st.session_state.get(SESSION_KEY)
    if not isinstance(user, User) or key is None:
        return _resume()
    verdict = sessions.check(_db(), key, now=_clock())
    if not verdict.ok:
        raise _why(verdict)
    with _db().cursor() as cur:
        fresh = users.get_user(cur, user.username)
    if fresh is None:
        sessions.end_user(_db(), user.username, "deactivated", now=_clock())
        raise _ended("deactivated", t("auth.session_deactivated"))
    st.session_state[USER_KEY] = fresh
    return fresh


# ---------------------------------------------------------------------------- display screens

def open_display(token: str) -> User:
    """The display user of a display link's token (?token=...), starting the screen's session
    on its first run; SessionExpired when the token is unknown or revoked (the tab then goes
    on as if it had no token: a person may still log in)."""
    key = sessions.token_hash(token)
    if st.session_state.get(DISPLAY_KEY) == key:
        return _current_display()
    if key in st.session_state.get(_TRIED_KEY, ()):
        raise SessionExpired(t("auth.display_invalid"))
    with _db().cursor() as cur:
        screen = sessions.display_for(cur, key)
    if screen is None:
        st.session_state[_TRIED_KEY] = (*st.session_state.get(_TRIED_KEY, ()), key)
        raise _ended("display_invalid", t("auth.display_invalid"))
    _forget()
    st.session_state[DISPLAY_KEY] = key
    st.session_state.pop(NOTICE_KEY, None)
    return _current_display(screen)


def _current_display(screen: sessions.Display | None = None) -> User:
    key = st.session_state.get(DISPLAY_KEY)
    if screen is None:
        with _db().cursor() as cur:
            screen = sessions.display_for(cur, key) if key else None
    if screen is None:
        raise _ended("display_revoked", t("auth.display_revoked"))
    sessions.display_seen(_db(), screen, now=_clock())
    st.session_state[SCREEN_KEY] = screen
    st.session_state[USER_KEY] = screen.user
    if screen.lang != "auto" and st.session_state.get("lang") != screen.lang:
        st.session_state["lang"] = screen.lang          # the admin chose the screen's language
        set_lang(screen.lang)
    return screen.user


def screen() -> sessions.Display | None:
    """This tab's display screen (its name, cycle), or None when it is not a display."""
    user = st.session_state.get(USER_KEY)
    return st.session_state.get(SCREEN_KEY) if isinstance(user, User) and auth.is_display(user) else None


# ---------------------------------------------------------------------------- the cookie

def _queue(name: str, value: str, seconds: int) -> None:
    """Ask the browser to keep cookie `name` = `value` for `seconds` (0: forget it); written by
    `write_cookie` on this and the next runs until the browser confirms it."""
    n = int(st.session_state.get("_auth_cookie_writes", 0)) + 1
    st.session_state["_auth_cookie_writes"] = n
    st.session_state[COOKIE_KEY] = {**st.session_state.get(COOKIE_KEY, {}), name: (value, int(seconds), n)}


def remember_lang(lang: str) -> None:
    """Keep the language chosen in the sidebar in the browser (cookie `tandem_lang`, a year), so a
    reload or a new tab comes back in it rather than in the browser's language."""
    _queue(LANG_COOKIE, lang, 365 * 24 * 3600)


def remembered_lang() -> str | None:
    """The language the browser kept (`remember_lang`), or None."""
    try:
        lang = st.context.cookies.get(LANG_COOKIE)
    except Exception:  # noqa: BLE001 - no browser connection
        return None
    return lang if lang in LANGS else None


def _https() -> bool:
    """True when the browser reached Tandem over https (the address it shows, so also behind
    a proxy that ends TLS): the cookie is then sent over https only."""
    try:
        return str(st.context.url or "").lower().startswith("https:")
    except Exception:  # noqa: BLE001 - no browser connection
        return False


def write_cookie() -> None:
    """Have the browser keep (after a sign-in) or forget (after logout) the session cookie, and
    keep the chosen language.

    The write is done by extra-streamlit-components' CookieManager, a component that runs in
    the page (JavaScript: so the cookie cannot be HttpOnly); SameSite=Lax, Path=/, Secure over
    https, expiring with the session's lifetime. It is drawn on each run until the browser
    confirms it (the component's value), since a run can end before the component has loaded."""
    pending = dict(st.session_state.get(COOKIE_KEY) or {})
    for name, (value, seconds, n) in list(pending.items()):
        if st.session_state.get(f"{_COOKIE_WIDGET}_{n}") is True:    # confirmed by the browser in the last run
            del pending[name]
    st.session_state[COOKIE_KEY] = pending
    if not pending:
        return
    from extra_streamlit_components import CookieManager
    with st.container(key="tdm_cookie", height=1, border=False):
        manager = CookieManager(key=_COOKIE_WIDGET)
        for name, (value, seconds, n) in pending.items():
            until = (datetime.now(timezone.utc) + timedelta(seconds=seconds) if seconds
                     else datetime(1970, 1, 1, tzinfo=timezone.utc))
            manager.set(name, value, key=f"{_COOKIE_WIDGET}_{n}", path="/", expires_at=until,
                        max_age=max(0, int(seconds)), secure=True if _https() else None, same_site="lax")


# ---------------------------------------------------------------------------- permissions

def can(need: str, department: str | None = None) -> bool:
    """Whether the acting user may `need` (for `department`): pages use it to hide edit
    controls from those who may not use them (lib still refuses, whatever the page shows)."""
    try:
        return auth.can(current_user(), need, department)
    except SessionExpired:
        return False


def can_write() -> bool:
    """False for a viewer or a display: pages show no edit controls at all."""
    try:
        return auth.may_write(current_user())
    except SessionExpired:
        return False

