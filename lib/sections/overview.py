"""The Overview's figures: the KPIs the coordination meeting opens with, each section's headline
KPI, and how up to date each section is. Each number comes from its section's own function."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib import settings
from lib.filters import Filters
from lib.meeting import actions
from lib.plan import late
from lib.sections import engineering, pmc, purchasing, quality, sales
from lib.sections.kpi import Kpi


def readiness(con, as_of: date) -> pd.DataFrame:
    """Per section: last updated at/by and whether it is stale (older than the stale_days setting)."""
    stale_days = settings.get("stale_days", con)
    return con.execute("""
        SELECT s.section, u.updated_at, coalesce(us.display_name, u.updated_by) AS updated_by,
               CASE WHEN u.updated_at IS NULL THEN NULL
                    ELSE date_diff('day', CAST(u.updated_at AS DATE), CAST(? AS DATE)) END AS days_ago,
               (u.updated_at IS NULL OR date_diff('day', CAST(u.updated_at AS DATE), CAST(? AS DATE)) > ?) AS stale
        FROM (VALUES ('sales', 1), ('pmc', 2), ('purchasing', 3), ('quality', 4), ('engineering', 5)) s(section, ord)
        LEFT JOIN section_updates u USING (section)
        LEFT JOIN users us ON us.username = u.updated_by
        ORDER BY s.ord""", [as_of, as_of, stale_days]).df()


def headline(con, f: Filters, as_of: date, lang: str | None = None) -> list[Kpi]:
    """The KPIs the coordination meeting opens with: each the very tile of its section (the same
    function, so the Overview and the section page show the same number)."""
    return [
        sales.otd_kpi(con, f, as_of),
        pmc.plan_achievement_kpi(con, f, as_of),
        pmc.peak_load_kpi(con, as_of, lang),
        actions.open_actions_kpi(con, as_of, lang),
        actions.overdue_actions_kpi(con, as_of),
        late.late_kpi(con, as_of, f, lang),
        sales.open_complaints_kpi(con, f, as_of),
    ]


def section_headlines(con, f: Filters, as_of: date, lang: str | None = None) -> dict[str, Kpi]:
    """The headline KPI of each meeting section, for the Overview (department -> Kpi): the
    section's own tile, computed by the section's own function."""
    return {
        "sales": sales.otd_kpi(con, f, as_of),
        "pmc": pmc.plan_achievement_kpi(con, f, as_of),
        "purchasing": purchasing.supplier_otd_kpi(con, f, as_of),
        "quality": quality.fpy_kpi(con, f, as_of, "final"),
        "engineering": engineering.drawing_ontime_kpi(con, f, as_of, lang),
    }


def tiles(con, f: Filters, as_of: date, lang: str | None = None) -> list[Kpi]:
    """Every tile the Overview shows (the headline, then the sections' headlines not already in
    it), for `python -m lib kpis` and the consistency test."""
    out = headline(con, f, as_of, lang)
    seen = {k.key for k in out}
    return out + [k for k in section_headlines(con, f, as_of, lang).values() if k.key not in seen]
