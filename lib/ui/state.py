"""The per-process database and per-session choices (language, as-of date), for pages."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from lib import settings
from lib.store.db import Database, get_db


def _exists(path: str) -> bool:
    """Whether the database exists: the file, or the plant's schema on a PostgreSQL server."""
    from lib.store import postgres
    if postgres.is_url(path):
        return settings.plant() in postgres.plants(path)
    return path == ":memory:" or Path(path).exists()


@st.cache_resource(show_spinner=False)
def _database(path: str, plant: str | None = None) -> Database:
    fresh = not _exists(path)
    db = get_db(path)
    if fresh:
        from lib import demo
        demo.generate(db, as_of=as_of_setting())
    if path != ":memory:":
        from lib.ui import server
        server.listen_in_app(path)     # commands run meanwhile hand their work to this process
    return db


def db() -> Database:
    """The app's one Database (created with the demo factory on the very first start)."""
    path = settings.db_path()
    plant = settings.plant() if "://" in path else None     # a PostgreSQL URL: one store per plant
    if path != ":memory:" and not Path(path).exists() and "://" not in path:
        from lib.i18n import t
        with st.spinner(t("app.creating_demo")):
            return _database(path, plant)
    return _database(path, plant)


def session_lang() -> str | None:
    """The language chosen in this Streamlit session, or None outside a script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    if get_script_run_ctx() is None:
        return None
    return st.session_state.get("lang")


def as_of_setting() -> date:
    return settings.as_of()


def as_of() -> date:
    """'Today' for the engines: the TANDEM_AS_OF setting or the real date."""
    return as_of_setting()
