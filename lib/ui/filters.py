"""The shared sidebar filters (period, line, product family), kept across pages."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from lib.filters import Filters, default_filters
from lib.i18n import t
from lib.store import lookups
from lib.ui import cache


def sidebar(db, as_of: date) -> Filters:
    """Draw the filters in the sidebar and return them; values live in session state."""
    st.sidebar.markdown(f"**{t('filter.title')}** · {t('filter.as_of', date=as_of.isoformat())}")
    default = default_filters(as_of)
    period = st.sidebar.date_input(t("filter.period"), value=(default.start, default.end),
                                   max_value=as_of + timedelta(days=366), key="flt_period",
                                   format="YYYY-MM-DD")
    start, end = (period if isinstance(period, (tuple, list)) and len(period) == 2
                  else (default.start, default.end))
    options = cache.load(db, lookups.filter_options)   # cached until the next write: drawn on every run
    lines = st.sidebar.multiselect(t("filter.line"), options["lines"],
                                   key="flt_lines", placeholder=t("filter.all"))
    families = st.sidebar.multiselect(t("filter.family"), options["families"],
                                      key="flt_families", placeholder=t("filter.all"))
    f = Filters(start=start, end=end, lines=tuple(lines), families=tuple(families))
    st.session_state["filters"] = f
    return f


def current(as_of: date) -> Filters:
    """The filters chosen in the sidebar this run (default: the last four weeks)."""
    return st.session_state.get("filters") or default_filters(as_of)
