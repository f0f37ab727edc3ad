"""Overview: the headline numbers the coordination meeting opens with, and meeting readiness."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from lib import settings
from lib.i18n import t
from lib.sections import group, overview
from lib.ui import filters, nav, state
from lib.ui.section import load
from lib.ui.widgets import kpi_tiles, status_cards


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    st.title(t("overview.title"))
    if db.meta("mode") == "demo":
        st.info(t("app.demo_banner", as_of=db.meta("demo_as_of", as_of.isoformat())), icon=":material/science:")
    st.caption(t("overview.subtitle", start=f.start.isoformat(), end=f.end.isoformat()))

    # the KPIs read every order line and plan/actual row: cached until the next write (data version)
    headline = load(db, overview.headline, f, as_of)
    with db.cursor() as cur:
        band = settings.get("amber_band", cur)
        ready = overview.readiness(cur, as_of)
        stale_days = settings.get("stale_days", cur)

    kpi_tiles(headline, band=band)

    # the headline KPI of each meeting section, side by side, named by its department
    st.subheader(t("overview.sections"), help=t("overview.sections.help"))
    by_section = load(db, overview.section_headlines, f, as_of)
    kpi_tiles([replace(k, note=t(f"dept.{dept}")) for dept, k in by_section.items()], band=band)

    st.subheader(t("overview.readiness"), help=t("overview.readiness.help", days=stale_days))


    cards = []
    for _, r in ready.iterrows():
        if pd.isna(r["updated_at"]):
            cards.append((t(f"dept.{r['section']}"), t("overview.never"), "", "red"))
            continue
        detail = f"{r['updated_at']:%m-%d %H:%M} · {t('overview.today') if r['days_ago'] == 0 else t('overview.days_ago', n=int(r['days_ago']))} · {r['updated_by']}"
        cards.append((t(f"dept.{r['section']}"), t("overview.stale") if r["stale"] else t("overview.fresh"),
                      detail, "red" if r["stale"] else "green"))
    status_cards(cards)
    if group.is_group(db):     # several plants on one PostgreSQL: their headlines side by side
        nav.link("group", t("group.link"), icon=":material/factory:")
