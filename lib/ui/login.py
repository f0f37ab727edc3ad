"""The login gate drawn by app.py before any page: login form, first-admin set-up, single
sign-on, display links, and the signed-in user's box in the sidebar.

`gate(db)` returns the acting user, or draws the login (or the first-admin form) and calls
st.stop(), so no page content is rendered before login when authentication is on. A sign-in
survives a reload (the session cookie, lib.ui.session); a display link (?token=...) signs a
screen in as a read-only display, login on or off.
"""
from __future__ import annotations

import logging

import streamlit as st

from lib import settings
from lib.errors import TandemError, ValidationError
from lib.i18n import LANGS, set_lang, t
from lib.people import throttle, users
from lib.people.auth import DISPLAY, SYSTEM, User
from lib.text import md_text, t_md
from lib.ui import session
from lib.ui.widgets import show_error

log = logging.getLogger("tandem")


def language_switch() -> None:
    """The language choice in the sidebar (also on the login screen).

    The session's language lives in st.session_state["lang"], apart from the radio's own state:
    Streamlit drops a widget's state in a run that does not draw it (a fragment rerun, a page
    that stops early), and the radio would then come back on its first option, Chinese.
    """
    current = st.session_state.get("lang", "en")
    choice = st.sidebar.radio(t("app.lang"), LANGS, index=LANGS.index(current), key="lang_choice",
                              horizontal=True, format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    if choice != current:
        st.session_state["lang"] = choice
        session.remember_lang(choice)      # a reload or a new tab comes back in it
        st.rerun()


def _only(draw) -> None:
    """Route every URL to `draw` alone, then stop. st.navigation must be called on every run:
    without it Streamlit falls back to serving a pages/ folder directly, login or not (which is
    why a page module in pages/ only defines its render function).

    Every page's address is routed to `draw` as well: a bookmarked or shared link such as /sales
    shows the login (not Streamlit's English "Page not found" box), and once logged in the user
    is on the page the link named."""
    from lib.ui import nav
    title = t("auth.login")
    page = st.navigation([st.Page(draw, title=title, url_path="login", default=True)]
                         + [st.Page(draw, title=title, url_path=url) for url in (p.url for p in nav.PAGES)],
                         position="hidden")
    language_switch()
    page.run()
    st.stop()


def _display_token() -> str | None:
    """The display token of a display link (?token=...), or None."""
    try:
        token = st.query_params.get("token")
    except Exception:  # noqa: BLE001 - no query string in this run
        return None
    return (str(token).strip() or None) if token else None


def _remembered_lang() -> None:
    """On a tab's first run, the language the browser kept from the sidebar switch (app.py
    chose the browser's before the gate)."""
    if st.session_state.get("_lang_remembered"):
        return
    st.session_state["_lang_remembered"] = True
    lang = session.remembered_lang()
    if lang and lang != st.session_state.get("lang"):
        st.session_state["lang"] = lang
        set_lang(lang)


def gate(db) -> User:
    """The acting user of this run, or the login screen and st.stop()."""
    session.write_cookie()            # a sign-in's cookie (or a logout's clearing) the browser still has to keep
    _remembered_lang()
    token = _display_token()
    if token is not None:
        try:
            return session.open_display(token)
        except session.SessionExpired:
            pass                          # not (or no longer) a good display link: a person may log in
    with db.cursor() as cur:
        required = users.login_required(cur)
        first = users.needs_first_admin(cur)
    if not required:
        if first and str(settings.get("auth")).lower() != "off" and not st.session_state.get(session.SKIP_KEY):
            _only(lambda: _first_admin(db, optional=True))
        return session.current_user()
    if first:
        _only(lambda: _first_admin(db, optional=False))
    try:
        return session.current_user()
    except session.SessionExpired:
        pass
    if _sso_enabled() and _sso_signed_in():
        user = _sso_user(db)
        if user is not None:
            session.start(user)
            st.rerun()
    _only(lambda: _login_screen(db))


# ---------------------------------------------------------------------------- login

def client_address() -> str | None:
    """The browser's address, passed to lib for login throttling: the connection's peer
    (st.context.ip_address), or behind a trusted reverse proxy (the trusted_proxies setting) the
    address it forwards (lib.people.throttle.forwarded_client). None when it cannot be told: on
    localhost without a trusted proxy, or without a browser session (AppTest)."""
    try:
        peer = st.context.ip_address or None
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no client context in this run
        return None
    return throttle.forwarded_client(peer, forwarded, str(settings.get("trusted_proxies") or ""))


def _notice() -> None:
    reason = st.session_state.get(session.NOTICE_KEY)
    if reason in NOTICES:
        (st.info if reason == "logout" else st.warning)(t(f"auth.notice.{reason}"))


# why the last sign-in of this tab ended (lib.ui.session), as the login screen says it
NOTICES = ("expired", "lifetime", "ended", "admin", "password", "deactivated", "logout", "display_invalid",
           "display_revoked")


def _login_screen(db) -> None:
    _, mid, _ = st.columns([1, 2, 1])
    with mid:
        st.title(t("auth.title"))
        st.caption(t("auth.subtitle"))
        _notice()
        with st.form("login", clear_on_submit=True, enter_to_submit=True):
            username = st.text_input(t("auth.username"), key="login_username", max_chars=users.USERNAME_MAX,
                                     autocomplete="username")
            password = st.text_input(t("auth.password"), type="password", key="login_password",
                                     max_chars=users.PASSWORD_MAX, autocomplete="current-password")
            submitted = st.form_submit_button(t("auth.login"), type="primary", key="login_submit")
        if submitted:
            _try_login(db, username, password)
        if _sso_enabled():
            _sso_block(db)
        if db.meta("mode") == "demo":
            _demo_accounts(db)


def _try_login(db, username: str, password: str) -> None:
    if not (username or "").strip():
        st.error(t("auth.enter_username"))
        return
    if not password:
        st.error(t("auth.enter_password"))
        return
    try:
        user = users.authenticate(db, username, password, address=client_address())
    except users.LoginRefused as e:
        st.error(t(f"auth.refused.{e.reason}", seconds=e.seconds))
        return
    except ValidationError as e:
        show_error(e)
        return
    session.start(user)
    st.rerun()


def _demo_accounts(db) -> None:
    with db.cursor() as cur:
        accounts = users.demo_accounts(cur)
    if accounts.empty:
        return
    with st.container(border=True):
        st.markdown(f"**{t('auth.demo_title')}**")
        st.caption(t("auth.demo_hint", password=users.DEMO_PASSWORD))
        st.dataframe(
            {t("auth.username"): accounts["username"].tolist(),
             t("admin.col.role"): [role_label(r, d) for r, d in zip(accounts["role"], accounts["department"])]},
            hide_index=True, width="stretch", placeholder="")


def role_label(role: str, department) -> str:
    """A role as people say it: 'Department head · PMC'."""
    text = t(f"auth.role.{role}")
    if role == "head" and isinstance(department, str) and department:
        text += " · " + t(f"dept.{department}")
    return text


# ---------------------------------------------------------------------------- first admin

def _first_admin(db, *, optional: bool) -> None:
    _, mid, _ = st.columns([1, 2, 1])
    with mid:
        st.title(t("auth.setup_title"))
        st.write(t("auth.setup_intro"))
        with st.form("first_admin"):
            username = st.text_input(t("auth.username"), key="setup_username", max_chars=users.USERNAME_MAX)
            name = st.text_input(t("admin.col.display_name"), key="setup_name", max_chars=users.DISPLAY_NAME_MAX)
            password = st.text_input(t("auth.password"), type="password", key="setup_password",
                                     max_chars=users.PASSWORD_MAX,
                                     help=t("admin.password_rule", min=users.PASSWORD_MIN))
            again = st.text_input(t("admin.password_again"), type="password", key="setup_password2",
                                  max_chars=users.PASSWORD_MAX)
            submitted = st.form_submit_button(t("auth.setup_create"), type="primary", key="setup_submit")
        if submitted:
            if password != again:
                st.error(t("admin.password_mismatch"))
            else:
                try:
                    user = users.create_first_admin(db, username, name, password)
                except TandemError as e:
                    show_error(e)
                else:
                    session.start(user)
                    st.rerun()
        if optional:
            st.caption(t("auth.setup_optional"))
            if st.button(t("auth.setup_skip"), key="setup_skip"):
                st.session_state[session.SKIP_KEY] = True
                st.rerun()


# ---------------------------------------------------------------------------- single sign-on

def _sso_enabled() -> bool:
    return str(settings.get("sso")).strip().lower() == "on"


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _sso_signed_in() -> bool:
    try:
        return bool(getattr(st.user, "is_logged_in", False))
    except Exception:  # noqa: BLE001 - auth not configured
        return False


def _sso_user(db) -> User | None:
    """The Tandem user of the identity st.user holds (audited), or None."""
    claims = st.user.to_dict()
    with db.cursor() as cur:
        user = users.user_for_identity(cur, claims)
    email = str(claims.get("email") or "")
    if user is not None:
        users.record_sso_login(db, user, email)
    elif st.session_state.get("_sso_refused") != email:
        st.session_state["_sso_refused"] = email
        users.record_sso_refused(db, email)
    return user


def _sso_block(db) -> None:
    st.divider()
    if not _sso_configured():
        st.warning(t("auth.sso_not_configured"))
        return
    if _sso_signed_in():
        st.error(t_md("auth.sso_no_account", email=str(st.user.to_dict().get("email") or "—")))
        if st.button(t("auth.sso_logout"), key="sso_logout"):
            st.logout()
        return
    if st.button(t("auth.sso_login"), key="sso_login", icon=":material/key:"):
        st.login()


# ---------------------------------------------------------------------------- sidebar

def sidebar(db, user: User) -> None:
    """Who is signed in, a password change and Log out; nothing when login is off."""
    if user is SYSTEM or user.role in ("system", DISPLAY):
        return
    with st.sidebar.container(border=True):
        st.markdown(f"**{md_text(user.label)}**  \n{role_label(user.role, user.department)}")
        c1, c2 = st.columns(2)
        with c1.popover(t("auth.change_password"), icon=":material/password:"):
            _change_password(db, user)
        if c2.button(t("auth.logout"), key="logout", icon=":material/logout:", help=t("auth.logout_help")):
            session.end("logout")
            if _sso_signed_in():
                st.logout()
            st.rerun()


def _change_password(db, user: User) -> None:
    with st.form("own_password", clear_on_submit=True):
        old = st.text_input(t("auth.current_password"), type="password", key="own_pw_old",
                            max_chars=users.PASSWORD_MAX)
        new = st.text_input(t("admin.new_password"), type="password", key="own_pw_new",
                            max_chars=users.PASSWORD_MAX, help=t("admin.password_rule", min=users.PASSWORD_MIN))
        again = st.text_input(t("admin.password_again"), type="password", key="own_pw_again",
                              max_chars=users.PASSWORD_MAX)
        if st.form_submit_button(t("common.save"), key="own_pw_save"):
            if new != again:
                st.error(t("admin.password_mismatch"))
                return
            try:
                users.change_own_password(db, user, old, new, address=client_address())
            except users.PasswordRefused as e:
                st.error(t(f"auth.password_refused.{e.reason}", seconds=e.seconds))
            except TandemError as e:
                show_error(e)
            else:
                session.password_changed(user)      # its other sessions end; this one goes on
                st.success(t("auth.password_changed"))
