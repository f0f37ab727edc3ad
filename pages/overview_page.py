"""Overview: the headline numbers the coordination meeting opens with, and meeting readiness."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from lib import settings
from lib.i18n import get_lang, t
from lib.sections import group, overview
from lib.ui import filters, nav, state
from lib.ui.section import kpi_row, load
from lib.ui.widgets import status_cards


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    st.title(t("overview.title"))
    if db.meta("mode") == "demo":
        st.info(t("app.demo_banner", as_of=db.meta("demo_as_of", as_of.isoformat())), icon=":material/science:")
    st.caption(t("overview.subtitle", start=f.start.isoformat(), end=f.end.isoformat()))

    # the KPIs read every order line and plan/actual row: cached until the next write (data version)
    with db.cursor() as cur:
        ready = overview.readiness(cur, as_of)
        stale_days = settings.get("stale_days", cur)

    kpi_row(load(db, overview.headline, f, as_of, get_lang()), db, "overview", f, as_of)

    # the headline KPI of each meeting section, side by side, named by its department
    st.subheader(t("overview.sections"), help=t("overview.sections.help"))
    by_section = load(db, overview.section_headlines, f, as_of, get_lang())
    kpi_row([replace(k, note=" · ".join(x for x in (t(f"dept.{dept}"), k.note) if x)) for dept, k in by_section.items()],
            db, "overview", f, as_of, key="tiles-overview-sections")

    st.subheader(t("overview.readiness"), help=t("overview.readiness.help", days=stale_days))
    cards = []
    for _, r in ready.iterrows():
        if pd.isna(r["updated_at"]):
            cards.append((t(f"dept.{r['section']}"), t("overview.never"), "", "red"))
            continue
        days = int(r["days_ago"])
        ago = t("overview.today") if days == 0 else t("overview.days_ago", n=days)
        detail = f"{r['updated_at']:%m-%d %H:%M} · {ago} · {r['updated_by']}"
        cards.append((t(f"dept.{r['section']}"), t("overview.stale") if r["stale"] else t("overview.fresh"),
                      detail, "red" if r["stale"] else "green"))
    status_cards(cards)
    if group.is_group(db):     # several plants on one PostgreSQL: their headlines side by side
        nav.link("group", t("group.link"), icon=":material/factory:")
