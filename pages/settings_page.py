"""Settings: the KPI targets and working rules a manager can change (the `settings` table)."""
import streamlit as st

from lib import settings
from lib.i18n import t
from lib.people import auth
from lib.ui import section, session, state


def render() -> None:
    db = state.db()
    user = session.current_user()
    allowed = auth.can(user, "settings")

    st.title(t("settings.title"))
    st.caption(t("settings.subtitle"))
    if not allowed:
        st.info(t("section.targets.readonly"))

    with db.cursor() as cur:
        current = settings.all_values(cur)
    # the login rules (idle timeout, login throttling) are the admin's, on the Users page
    editable = [s for s in settings.SETTINGS.values() if s.in_db and s.key not in settings.LOGIN_RULES]
    groups = {"targets": [s for s in editable if s.key.startswith("target_") or s.key == "amber_band"],
              "rules": [s for s in editable if not (s.key.startswith("target_") or s.key == "amber_band")]}

    with st.form("settings-form"):
        values = {}
        for group, items in groups.items():
            st.subheader(t(f"settings.{group}"))
            if group == "targets":
                st.caption(t("settings.pct_note"))
            cols = st.columns(3)
            for i, s in enumerate(items):
                unit = section.TARGET_UNITS.get(s.key, "number")
                locked = settings.env_value(s.key) is not None
                label = section.setting_label(s.key) + (" (%)" if unit == "pct" else "")
                help_text = section.setting_help(s.key) + ("  \n" + t("settings.env_locked", env=s.env) if locked else "")
                with cols[i % 3]:
                    if s.kind is str:
                        values[s.key] = st.text_input(label, value=str(current[s.key]), help=help_text,
                                                      disabled=locked or not allowed, key=f"set-{s.key}")
                    elif s.kind is int:
                        values[s.key] = st.number_input(label, value=int(current[s.key]), min_value=0, step=1,
                                                        help=help_text, disabled=locked or not allowed, key=f"set-{s.key}")
                    else:
                        shown = float(current[s.key]) * (100 if unit == "pct" else 1)
                        values[s.key] = st.number_input(label, value=shown, min_value=0.0,
                                                        step=1.0 if unit in ("pct", "money", "days") else 0.01,
                                                        help=help_text, disabled=locked or not allowed, key=f"set-{s.key}")
        if st.form_submit_button(t("common.save"), disabled=not allowed, type="primary"):
            section.save_settings(db, user, {k: (v / 100 if section.TARGET_UNITS.get(k) == "pct" else v)
                                             for k, v in values.items() if settings.env_value(k) is None})
