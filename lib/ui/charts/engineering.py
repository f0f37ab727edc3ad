"""Engineering figures and table views, shared by its page and presenter mode."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui.charts import basic


# ------------------------------------------------------------------ engineering
def npi_gantt(milestones: pd.DataFrame, *, today, height: int | None = None, names: bool = True) -> go.Figure:
    """NPI milestones plan vs actual (lib.sections.engineering.npi_milestones) with today's line; rows are
    labelled project (with its name when `names`) · seq milestone."""
    project = milestones["project"] + (" " + milestones["project_name"] if names else "")
    m = milestones.assign(row=project + " · " + milestones["seq"].astype(str) + " " + milestones["milestone"])
    labels = {"plan": t("engineering.gantt.plan"), "today": t("engineering.gantt.today"),
              **{s: t(f"engineering.state.{s}") for s in ("on_time", "late", "overdue", "open")}}
    return basic.gantt(m, row="row", plan_start="plan_start", plan_end="planned_date", actual_start="actual_start",
                          actual_end="actual_end", state="state", labels=labels, x_title=t("engineering.axis.date"),
                          today=today, height=height)


def drawings_view(dwg: pd.DataFrame) -> pd.DataFrame:
    """Drawings due, overdue and recently released (lib.sections.engineering.drawings), translated headers."""
    return pd.DataFrame({
        t("engineering.col.drawing"): dwg["drawing"] + " " + dwg["revision"],
        t("engineering.col.title"): dwg["title"].fillna(""), t("engineering.col.product"): dwg["product"].fillna(""),
        t("engineering.col.owner"): dwg["owner"].fillna(""),
        t("engineering.col.planned"): dwg["planned_release"].dt.date,
        t("engineering.col.released"): dwg["actual_release"].dt.date,
        t("engineering.col.state"): [t(f"engineering.state.{s}") for s in dwg["state"]],
        t("engineering.col.days_late"): dwg["days_late"],
    })
