"""The acting user of this browser session: who is logged in, idle timeout, log out.

Pages take the acting user from `current_user()` and pass it to lib's write functions,
which check it (lib.people.auth). With login off (setting `auth`), the acting user is lib.people.auth.SYSTEM.
With login on, `current_user()`:
* re-reads the account each call, so a deactivation or a role change takes effect at once;
* ends the session after `idle_timeout_minutes` without activity, raising SessionExpired —
  so an expired session cannot write, even from a fragment or a callback that runs without
  the login gate of app.py; the next full run shows the login with the reason.
"""
from __future__ import annotations

import time

import streamlit as st

from lib import settings
from lib.errors import PermissionDenied
from lib.i18n import t
from lib.people import auth, users
from lib.people.auth import SYSTEM, User

USER_KEY = "user"                 # a lib.people.auth.User, set by the login
_ACTIVE_KEY = "_auth_last_active"  # epoch seconds of the last activity
NOTICE_KEY = "_auth_notice"       # why the last session ended: expired, deactivated, logout
SKIP_KEY = "_auth_skip_setup"     # auth=auto without any account: this session chose to go on without


def _clock() -> float:
    """Seconds since the epoch (a function so tests can move time forward)."""
    return time.time()


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


def start(user: User) -> None:
    """Begin a logged-in session for `user` (after lib.people.users.authenticate or single sign-on)."""
    st.session_state[USER_KEY] = user
    st.session_state[_ACTIVE_KEY] = _clock()
    st.session_state.pop(NOTICE_KEY, None)


def end(reason: str = "logout") -> None:
    """End the session (reason: logout, expired, deactivated); audited for a real user."""
    user = st.session_state.pop(USER_KEY, None)
    st.session_state.pop(_ACTIVE_KEY, None)
    st.session_state[NOTICE_KEY] = reason
    if isinstance(user, User):
        try:
            users.record_logout(_db(), user, "logout" if reason == "logout" else f"session_{reason}")
        except Exception:  # noqa: BLE001 - the session ends even if the audit row cannot be written
            pass


def idle_timeout_seconds() -> float:
    with _db().cursor() as cur:
        return max(1, int(settings.get("idle_timeout_minutes", cur))) * 60.0


def current_user() -> User:
    """The acting user of this session.

    Login off: the session's user if one logged in anyway, else SYSTEM. Login on: the
    logged-in user, refreshed from the database; raises SessionExpired when nobody is logged
    in, the session has been idle longer than `idle_timeout_minutes`, or the account was
    deactivated — an expired session cannot write.
    """
    user = st.session_state.get(USER_KEY)
    if not login_required():
        return user or SYSTEM
    if not isinstance(user, User):
        raise SessionExpired(t("auth.not_logged_in"))
    now = _clock()
    last = float(st.session_state.get(_ACTIVE_KEY) or 0)
    timeout = idle_timeout_seconds()
    if now - last > timeout:
        end("expired")
        raise SessionExpired(t("auth.session_expired", minutes=int(timeout // 60)))
    with _db().cursor() as cur:
        fresh = users.get_user(cur, user.username)
    if fresh is None:
        end("deactivated")
        raise SessionExpired(t("auth.session_deactivated"))
    st.session_state[USER_KEY] = fresh
    st.session_state[_ACTIVE_KEY] = now
    return fresh


def can(need: str, department: str | None = None) -> bool:
    """Whether the acting user may `need` (for `department`): pages use it to hide edit
    controls from those who may not use them (lib still refuses, whatever the page shows)."""
    try:
        return auth.can(current_user(), need, department)
    except SessionExpired:
        return False


def can_write() -> bool:
    """False for a viewer: pages show no edit controls at all."""
    try:
        return auth.may_write(current_user())
    except SessionExpired:
        return False
