"""Users and access (admin): accounts, roles, passwords, sessions and login throttling, display
screens (display tokens), sign-in log."""
import pandas as pd
import streamlit as st

from lib import settings
from lib.departments import DEPARTMENTS
from lib.errors import TandemError
from lib.i18n import t
from lib.people import sessions, throttle, users
from lib.people.auth import ROLES
from lib.text import t_md
from lib.ui import display, section, session, state
from lib.ui.frames import source_label, stored_value
from lib.ui.login import role_label
from lib.ui.widgets import show_error, table


def render() -> None:
    db = state.db()

    st.title(t("admin.title"))
    st.caption(t("admin.subtitle"))

    if not session.can("users"):
        st.info(t("admin.only_admins"))
        st.stop()


    def _done(message: str) -> None:
        st.session_state["_admin_done"] = message
        st.session_state.pop("_admin_display_link", None)     # a display link is shown once
        st.rerun()


    def _attempt(action, message: str) -> None:
        try:
            action()
        except TandemError as e:
            show_error(e)
        else:
            _done(message)


    if "_admin_done" in st.session_state:     # Markdown: the user names in it are escaped (t_md)
        st.success(st.session_state.pop("_admin_done"))

    now = pd.Timestamp.now().floor("s").to_pydatetime()
    with db.cursor() as cur:
        accounts = users.list_users(cur, now)
        mode_on = users.login_required(cur)
        idle = settings.get("idle_timeout_minutes", cur)
        hours = settings.get("session_hours", cur)
        live = sessions.live_by_user(cur, now=now).set_index("username")
        screens = sessions.list_displays(cur)
        limits = throttle.Limits.read(cur)
        counting = throttle.counters(cur, now, limits)
        log = users.access_log(cur)


    def _state(row) -> str:
        if not row["active"]:
            return "⚪ " + t("admin.state.inactive")
        if pd.notna(row["throttled_until"]):
            return "⏳ " + t("admin.state.throttled", until=f"{row['throttled_until']:%H:%M:%S}")
        if not row["has_password"]:
            return "🟡 " + t("admin.state.no_password")
        return "🟢 " + t("admin.state.active")


    st.markdown(t("admin.mode_on") if mode_on else t("admin.mode_off"))

    view = pd.DataFrame({
        t("admin.col.username"): accounts["username"],
        t("admin.col.display_name"): accounts["display_name"],
        t("admin.col.role"): [role_label(r, d) for r, d in zip(accounts["role"], accounts["department"])],
        t("admin.col.email"): accounts["email"].fillna(""),
        t("admin.col.state"): [_state(r) for _, r in accounts.iterrows()],
        t("admin.col.last_login"): [("" if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}") for v in accounts["last_login"]],
        t("admin.col.failures"): accounts["failures"],
        t("admin.col.sessions"): [int(live["sessions"].get(u, 0)) for u in accounts["username"]],
    })
    st.dataframe(view, hide_index=True, width="stretch", placeholder="")


    def _role_inputs(prefix: str, role: str = "head", department: str | None = None):
        c1, c2 = st.columns(2)
        new_role = c1.selectbox(t("admin.col.role"), ROLES, index=ROLES.index(role), key=f"{prefix}_role",
                                format_func=lambda r: t(f"auth.role.{r}"), help=t("admin.role_help"))
        new_dept = c2.selectbox(t("admin.col.department"), DEPARTMENTS,
                                index=DEPARTMENTS.index(department) if department in DEPARTMENTS else 0,
                                key=f"{prefix}_dept", format_func=lambda d: t(f"dept.{d}"),
                                help=t("admin.department_help"))
        return new_role, new_dept


    add, change, security, screens_tab, history = st.tabs(
        [t("admin.tab.add"), t("admin.tab.change"), t("admin.tab.security"), t("admin.tab.displays"),
         t("admin.tab.log")])

    with add:
        with st.form("add_user", clear_on_submit=False):
            c1, c2 = st.columns(2)
            username = c1.text_input(t("admin.col.username"), max_chars=users.USERNAME_MAX, key="add_username",
                                     help=t("admin.username_rule"))
            display = c2.text_input(t("admin.col.display_name"), max_chars=users.DISPLAY_NAME_MAX, key="add_display")
            role, dept = _role_inputs("add")
            email = st.text_input(t("admin.col.email"), key="add_email", help=t("admin.email_help"))
            c1, c2 = st.columns(2)
            password = c1.text_input(t("auth.password"), type="password", max_chars=users.PASSWORD_MAX,
                                     key="add_password", help=t("admin.password_rule", min=users.PASSWORD_MIN))
            again = c2.text_input(t("admin.password_again"), type="password", max_chars=users.PASSWORD_MAX,
                                  key="add_password2")
            if st.form_submit_button(t("admin.add"), type="primary", key="add_submit"):
                if password != again:
                    st.error(t("admin.password_mismatch"))
                else:
                    _attempt(lambda: users.create_user(db, session.current_user(), username, display, role, dept,
                                                       email=email, password=password or None),
                             t_md("admin.added", username=(username or "").strip().lower()))

    with change:
        names = accounts["username"].tolist()
        if not names:
            st.info(t("admin.no_users"))
        else:
            who = st.selectbox(t("admin.pick_user"), names, key="change_user",
                               format_func=lambda n: f"{n} · {accounts.set_index('username').at[n, 'display_name']}")
            row = accounts.set_index("username").loc[who]
            with st.form("change_user_form"):
                display = st.text_input(t("admin.col.display_name"), value=row["display_name"],
                                        max_chars=users.DISPLAY_NAME_MAX, key=f"chg_display_{who}")
                role, dept = _role_inputs(f"chg_{who}", row["role"],
                                          row["department"] if isinstance(row["department"], str) else None)
                email = st.text_input(t("admin.col.email"), value=row["email"] if isinstance(row["email"], str) else "",
                                      key=f"chg_email_{who}")
                if st.form_submit_button(t("common.save"), type="primary", key="chg_submit"):
                    _attempt(lambda: users.update_user(db, session.current_user(), who, display_name=display,
                                                       role=role, department=dept, email=email),
                             t_md("admin.saved", username=who))
            c1, c2 = st.columns(2)
            with c1.form("reset_password", clear_on_submit=True):
                st.markdown(f"**{t('admin.reset_password')}**")
                new = st.text_input(t("admin.new_password"), type="password", max_chars=users.PASSWORD_MAX,
                                    key="reset_pw", help=t("admin.password_rule", min=users.PASSWORD_MIN))
                again = st.text_input(t("admin.password_again"), type="password", max_chars=users.PASSWORD_MAX,
                                      key="reset_pw2")
                if st.form_submit_button(t("admin.reset_password"), key="reset_submit"):
                    if new != again:
                        st.error(t("admin.password_mismatch"))
                    else:
                        _attempt(lambda: users.reset_password(db, session.current_user(), who, new),
                                 t_md("admin.password_reset", username=who))
            with c2:
                st.markdown(f"**{t('admin.access')}**")
                counted = pd.notna(row["throttled_until"]) or row["failures"] > 0
                if counted and st.button(t("admin.unlock"), key="unlock", icon=":material/lock_open:",
                                         help=t("admin.unlock_help")):
                    _attempt(lambda: users.unlock(db, session.current_user(), who), t_md("admin.unlocked", username=who))
                n_live = int(live["sessions"].get(who, 0))
                if n_live and st.button(f"{t('admin.end_sessions')} ({n_live})", key="end_sessions",
                                        icon=":material/logout:", help=t("admin.end_sessions_help")):
                    _attempt(lambda: sessions.end_by_admin(db, session.current_user(), who),
                             t_md("admin.sessions_ended", n=n_live, username=who))
                if row["active"]:
                    if st.button(t("admin.deactivate"), key="deactivate", icon=":material/person_off:",
                                 help=t("admin.deactivate_help")):
                        _attempt(lambda: users.set_active(db, session.current_user(), who, False),
                                 t_md("admin.deactivated", username=who))
                elif st.button(t("admin.reactivate"), key="reactivate", icon=":material/person_check:"):
                    _attempt(lambda: users.set_active(db, session.current_user(), who, True),
                             t_md("admin.reactivated", username=who))

    with security:
        with st.form("security"):
            c1, c2 = st.columns(2)
            new_idle = c1.number_input(t("admin.idle_timeout"), 1, 24 * 60, int(idle), key="sec_idle",
                                       help=section.setting_help("idle_timeout_minutes"))
            low, high = settings.BOUNDS["session_hours"]
            new_hours = c2.number_input(t("admin.session_hours"), int(low), int(high),
                                        min(max(int(hours), int(low)), int(high)), key="sec_hours",
                                        help=t("admin.session_hours_help"))
            st.caption(t("admin.throttle.intro"))
            chosen = {}

            def _limit(column, key: str, label: str) -> None:
                low, high = settings.BOUNDS[key]
                value = min(max(int(getattr(limits, key.removeprefix("throttle_"))), int(low)), int(high))
                chosen[key] = column.number_input(label, int(low), int(high), value, key=f"sec_{key}",
                                                  help=section.setting_help(key))

            for scope in ("pair", "account", "address"):
                c0, c1, c2 = st.columns([2, 1, 1], vertical_alignment="bottom")
                c0.markdown(f"**{t(f'admin.throttle.{scope}')}**")
                _limit(c1, f"throttle_{scope}_failures", t("admin.throttle.failures"))
                _limit(c2, f"throttle_{scope}_max_seconds", t("admin.throttle.max_seconds"))
            c1, c2 = st.columns(2)
            _limit(c1, "throttle_forget_minutes", t("admin.throttle.forget_minutes"))
            _limit(c2, "throttle_known_days", t("admin.throttle.known_days"))
            if st.form_submit_button(t("common.save"), key="sec_submit"):
                values = ({"idle_timeout_minutes": int(new_idle), "session_hours": int(new_hours)}
                          | {k: int(v) for k, v in chosen.items()})
                _attempt(lambda: settings.save_values(db, session.current_user(), values), t("admin.settings_saved"))
        st.caption(t("admin.deployment", auth=str(settings.get("auth")), sso=str(settings.get("sso"))))

        st.markdown(f"**{t('admin.throttle.counting')}**")
        if counting.empty:
            st.caption(t("admin.throttle.none"))
        else:
            st.dataframe(pd.DataFrame({
                t("admin.col.account"): counting["account"].replace("", t("admin.throttle.every_account")),
                t("admin.throttle.col.address"): counting["address"].replace("", t("admin.throttle.every_address")),
                t("admin.col.failures"): counting["failures"],
                t("admin.throttle.col.last_failed"): [f"{v:%Y-%m-%d %H:%M:%S}" for v in counting["last_failed_at"]],
                t("admin.throttle.col.waits_until"): [("" if pd.isna(v) else f"{v:%H:%M:%S}")
                                                      for v in counting["blocked_until"]],
            }), hide_index=True, width="stretch", placeholder="")
            addresses = sorted(set(counting["address"]) - {""})
            if addresses:
                c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
                address = c1.selectbox(t("admin.throttle.clear_address"), addresses, key="clear_address")
                if c2.button(t("admin.throttle.clear_address"), key="clear_address_submit",
                             help=t("admin.throttle.clear_address_help"), icon=":material/lock_open:"):
                    _attempt(lambda: users.unlock_address(db, session.current_user(), address),
                             t_md("admin.throttle.address_cleared", address=address))

        _signed_in(live)

    with screens_tab:
        _display_screens(db, screens, _attempt)

    with history:
        labels = {a: t(f"admin.action.{a}") for a in users.ACCESS_ACTIONS + ("insert", "update")}
        shown = pd.DataFrame({
            t("admin.col.when"): log["logged_at"],
            t("admin.col.username"): log["username"],
            t("admin.col.event"): log["action"].map(lambda a: labels.get(a, a)),
            t("admin.col.account"): log["row_key"],
            # a sign-in attempt names its address and what happened; any other row, a change
            t("admin.col.detail"): [(" · " if c == "address" else " → ").join(str(stored_value(v)) for v in (o, n)
                                                                              if isinstance(v, str) and v)
                                    for c, o, n in zip(log["column_name"], log["old_value"], log["new_value"])],
            t("admin.col.source"): log["source"].map(source_label),
        })
        table(shown, "access_log", "access_log", expanded=True, height=420)


def _display_screens(db, screens: pd.DataFrame, attempt) -> None:
    """Display tokens: issue one (its link shown once), change how a screen cycles, revoke."""
    st.caption(t("display.intro"))
    issued = st.session_state.get("_admin_display_link")
    if issued:
        st.success(t_md("display.issued", name=issued[0]))
        st.code(issued[1], language=None, wrap_lines=True)
        st.caption(t("display.link_warning"))

    langs = list(sessions.DISPLAY_LANGS)
    with st.form("issue_display", clear_on_submit=True):
        st.markdown(f"**{t('display.issue_title')}**")
        c1, c2, c3 = st.columns([2, 1, 1])
        name = c1.text_input(t("display.name"), value=t("display.name_default"), max_chars=sessions.NAME_MAX,
                             key="disp_name", help=t("display.name_help"))
        cycle = c2.number_input(t("display.cycle"), 0, sessions.CYCLE_MAX, 0, step=10, key="disp_cycle",
                                help=t("display.cycle_help"))
        lang = c3.selectbox(t("display.lang"), langs, key="disp_lang", help=t("display.lang_help"),
                            format_func=lambda code: t(f"display.lang.{code}"))
        if st.form_submit_button(t("display.issue"), type="primary", key="disp_issue"):
            try:
                screen, token = sessions.issue_display(db, session.current_user(), name, cycle_seconds=int(cycle),
                                                       lang=lang)
            except TandemError as e:
                show_error(e)
            else:
                st.session_state["_admin_display_link"] = (screen.name, display.link(token))
                st.rerun()

    st.markdown(f"**{t('display.tokens')}**")
    if screens.empty:
        st.caption(t("display.none"))
        return

    def _mode(seconds) -> str:
        return t("display.mode.cycle", seconds=int(seconds)) if seconds else t("display.mode.follow")

    def _stamp(v) -> str:
        return "" if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}"

    st.dataframe(pd.DataFrame({
        t("display.col.name"): screens["name"],
        t("display.col.mode"): [_mode(v) for v in screens["cycle_seconds"]],
        t("display.col.lang"): [t(f"display.lang.{v}") for v in screens["lang"]],
        t("display.col.created"): [f"{_stamp(w)} · {b}" for w, b in zip(screens["created_at"], screens["created_by"])],
        t("display.col.last_used"): [_stamp(v) for v in screens["last_used_at"]],
        t("display.col.state"): [("⚪ " + t("display.state.revoked", when=_stamp(w), by=b)) if pd.notna(w)
                                 else "🟢 " + t("display.state.active")
                                 for w, b in zip(screens["revoked_at"], screens["revoked_by"])],
    }), hide_index=True, width="stretch", placeholder="")

    active = screens[screens["revoked_at"].isna()].set_index("display_id")
    if active.empty:
        return
    pick = st.selectbox(t("display.pick"), active.index.tolist(), key="disp_pick",
                        format_func=lambda i: f"#{i} · {active.at[i, 'name']}")
    row = active.loc[pick]
    with st.form("change_display"):
        c1, c2, c3 = st.columns([2, 1, 1])
        name = c1.text_input(t("display.name"), value=row["name"], max_chars=sessions.NAME_MAX,
                             key=f"disp_name_{pick}")
        cycle = c2.number_input(t("display.cycle"), 0, sessions.CYCLE_MAX, int(row["cycle_seconds"]), step=10,
                                key=f"disp_cycle_{pick}", help=t("display.cycle_help"))
        lang = c3.selectbox(t("display.lang"), langs, index=langs.index(row["lang"]), key=f"disp_lang_{pick}",
                            format_func=lambda code: t(f"display.lang.{code}"))
        if st.form_submit_button(t("display.save"), key="disp_save"):
            attempt(lambda: sessions.update_display(db, session.current_user(), pick, name=name,
                                                    cycle_seconds=int(cycle), lang=lang),
                    t_md("display.saved", name=name))
    if st.button(t("display.revoke"), key="disp_revoke", icon=":material/tv_off:", help=t("display.revoke_help")):
        attempt(lambda: sessions.revoke_display(db, session.current_user(), pick),
                t_md("display.revoked", name=row["name"]))


def _signed_in(live: pd.DataFrame) -> None:
    """Who is signed in now (live sessions per user)."""
    st.markdown(f"**{t('admin.sessions.title')}**")
    if live.empty:
        st.caption(t("admin.sessions.none"))
        return
    st.dataframe(pd.DataFrame({
        t("admin.col.username"): live.index,
        t("admin.sessions.col.sessions"): live["sessions"].to_numpy(),
        t("admin.sessions.col.since"): [f"{v:%Y-%m-%d %H:%M}" for v in live["signed_in"]],
        t("admin.sessions.col.last_seen"): [f"{v:%Y-%m-%d %H:%M}" for v in live["last_seen"]],
    }), hide_index=True, width="stretch", placeholder="")
