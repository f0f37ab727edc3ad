"""Overview: the headline numbers the coordination meeting opens with, and meeting readiness."""
import pandas as pd
import streamlit as st

from lib import kpis, settings
from lib.i18n import t
from lib.ui import filters, state
from lib.ui.widgets import kpi_tiles

db = state.db()
as_of = state.as_of()
f = filters.current(as_of)

st.title(t("overview.title"))
if db.meta("mode") == "demo":
    st.info(t("app.demo_banner", as_of=db.meta("demo_as_of", as_of.isoformat())), icon=":material/science:")
st.caption(t("overview.subtitle", start=f.start.isoformat(), end=f.end.isoformat()))

with db.cursor() as cur:
    headline = kpis.headline(cur, f, as_of)
    band = settings.get("amber_band", cur)
    ready = kpis.readiness(cur, as_of)
    stale_days = settings.get("stale_days", cur)

kpi_tiles(headline, band=band)

st.subheader(t("overview.readiness"), help=t("overview.readiness.help", days=stale_days))


def _state(row) -> str:
    if pd.isna(row["updated_at"]):
        return "🔴 " + t("overview.never")
    return ("🔴 " + t("overview.stale")) if row["stale"] else ("🟢 " + t("overview.fresh"))


view = pd.DataFrame({
    t("overview.section"): [t(f"dept.{s}") for s in ready["section"]],
    t("overview.state"): [_state(r) for _, r in ready.iterrows()],
    t("overview.updated_at"): [("" if pd.isna(r["updated_at"]) else
                                f"{r['updated_at']:%Y-%m-%d %H:%M} · {t('overview.days_ago', n=int(r['days_ago']))}")
                               for _, r in ready.iterrows()],
    t("overview.updated_by"): ready["updated_by"].fillna(""),
})
st.dataframe(view, hide_index=True, width="stretch")
