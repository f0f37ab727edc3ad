"""Tandem's entry: page config, language, the database, navigation and the shared filters."""
import logging

import streamlit as st

from lib import settings
from lib.i18n import LANGS, pick_lang, set_lang, t
from lib.ui import filters, nav, state
from lib.ui.widgets import guard

logging.basicConfig(level=logging.INFO)
st.set_page_config(page_title="Tandem", page_icon=":material/handshake:", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = pick_lang(str(settings.get("lang")), getattr(st.context, "locale", None))
set_lang(st.session_state["lang"])

with guard():
    db = state.db()
    as_of = state.as_of()
    pages = {}
    for path, url, title, section, icon in nav.PAGES:
        pages.setdefault(t(section), []).append(
            st.Page(path, title=t(title), url_path=url, icon=icon, default=(url == "overview")))
    page = st.navigation(pages)
    st.sidebar.radio(t("app.lang"), LANGS, key="lang", horizontal=True,
                     format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    filters.sidebar(db, as_of)
    page.run()
