"""Group overview: each plant's headline KPIs side by side (several plants on one PostgreSQL)."""
import streamlit as st

from lib.i18n import get_lang, t
from lib.sections import group
from lib.text import md_text, t_md
from lib.ui import filters, session, state
from lib.ui.section import kpi_row, load


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)
    st.title(t("group.title"))
    st.caption(t("group.subtitle", start=f.start.isoformat(), end=f.end.isoformat()))
    user = session.current_user() if session.login_required() else None
    with st.spinner(t("group.loading")):      # the first view in a process loads each plant's data
        found = group.plants(db, user)
    if len(found) == 1:
        st.info(t("group.one_plant"), icon=":material/factory:")
    for p in found:
        st.subheader(t_md("group.current", plant=p.name) if p.current else md_text(p.name))
        if p.store is None:
            if p.problem:
                st.warning(t_md("group.unreadable", detail=p.problem), icon=":material/error:")
            else:
                st.caption(t("group.no_account"))
            continue
        # the Overview's tiles, on that plant's own data (a click opens the list behind a number)
        kpi_row(load(p.store, group.headline_kpis, f, as_of, get_lang()), p.store, "overview", f, as_of,
                key=f"tiles-group-{p.name}")

