"""Tandem's entry: page config, language, the database, the login gate, navigation per role and
the shared filters."""
import logging

import streamlit as st

from lib import settings
from lib.i18n import pick_lang, set_lang, set_provider
from lib.sections import group
from lib.ui import filters, login, nav, state
from lib.ui.widgets import guard

logging.basicConfig(level=logging.INFO)
st.set_page_config(page_title="Tandem", page_icon=":material/handshake:", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = pick_lang(str(settings.get("lang")), getattr(st.context, "locale", None))
set_lang(st.session_state["lang"])
set_provider(state.session_lang)   # fragments and worker threads read the session's language too

with guard():
    db = state.db()
    as_of = state.as_of()
    # the login gate: with authentication on, nothing below runs until a user is logged in
    user = login.gate(db)
    page = st.navigation(nav.pages_for(user, st.session_state["lang"], group=group.is_group(db)),
                         expanded=True)   # every page
    # listed: no untranslated "View n more"
    login.sidebar(db, user)
    login.language_switch()
    filters.sidebar(db, as_of)
    page.run()
