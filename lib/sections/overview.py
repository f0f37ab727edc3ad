"""The Overview's figures: the KPIs the coordination meeting opens with, each section's headline
KPI, and how up to date each section is. Each number comes from its section's own function."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib import settings
from lib.filters import Filters
from lib.meeting import open_items
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


def headline(con, f: Filters, as_of: date) -> list[Kpi]:
    """The KPIs the coordination meeting opens with, with targets and the previous period."""
    prev = f.previous()
    open_n, overdue_n = open_items.action_counts(con, as_of)
    kpis = [
        Kpi("kpi.otd", sales.otd(con, f), settings.get("target_otd", con), sales.otd(con, prev)),
        Kpi("kpi.plan_achievement", pmc.plan_achievement(con, f), settings.get("target_plan_achievement", con),
            pmc.plan_achievement(con, prev)),
        pmc.peak_load_kpi(con, as_of),
        Kpi("kpi.open_actions", open_n, None, None, unit="count", higher_is_better=False),
        Kpi("kpi.overdue_actions", overdue_n, 0, None, unit="count", higher_is_better=False),
        late.late_kpi(con, as_of, f),
        Kpi("kpi.open_complaints", sales.open_complaint_count(con, f), settings.get("target_open_complaints", con),
            None, unit="count", higher_is_better=False),
    ]
    return kpis


def section_headlines(con, f: Filters, as_of: date) -> dict[str, Kpi]:
    """The headline KPI of each meeting section, for the Overview (department -> Kpi)."""
    prev = f.previous()
    g = lambda key: settings.get(key, con)  # noqa: E731
    return {
        "sales": Kpi("kpi.otd", sales.otd(con, f), g("target_otd"), sales.otd(con, prev)),
        "pmc": Kpi("kpi.plan_achievement", pmc.plan_achievement(con, f), g("target_plan_achievement"),
                   pmc.plan_achievement(con, prev)),
        "purchasing": Kpi("kpi.supplier_otd", purchasing.supplier_otd(con, f, as_of), g("target_supplier_otd"),
                          purchasing.supplier_otd(con, prev, as_of)),
        "quality": Kpi("kpi.fpy", quality.first_pass_yield(con, f), g("target_fpy"), quality.first_pass_yield(con, prev)),
        "engineering": Kpi("kpi.drawing_ontime", engineering.drawing_ontime(con, f, as_of), g("target_drawing_ontime"),
                           engineering.drawing_ontime(con, prev, as_of)),
    }
