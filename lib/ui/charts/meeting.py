"""The meeting's figures: the follow-through funnel, closure on time per meeting, open actions per
department."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui import theme


def funnel_figure(row: pd.Series) -> go.Figure:
    """discussed → decided → assigned → done → verified of one meeting."""
    stages = ["discussed", "decided", "assigned", "done", "verified"]
    fig = go.Figure(go.Funnel(
        y=[t(f"action.funnel.{s}") for s in stages], x=[int(row[s]) for s in stages],
        textinfo="value", marker=dict(color=["#9fb8d6", "#6f97c6", "#1f4e89", theme.RAG["amber"], theme.RAG["green"]])))
    theme.layout(fig, x_title=t("action.funnel.count"), height=380)
    return theme.value_axis(fig, "x", [int(row[s]) for s in stages], whole=True)


def closure_figure(df: pd.DataFrame, target: float | None) -> go.Figure:
    """On-time closure rate per meeting date (%), with the target line."""
    d = df.dropna(subset=["closure_on_time"])
    fig = go.Figure(go.Scatter(x=d["meeting_date"], y=d["closure_on_time"] * 100, mode="lines+markers",
                               line=dict(color=theme.ACTUAL, width=3), marker=dict(size=10),
                               name=t("action.kpi.closure")))
    if target is not None:
        fig.add_hline(y=target * 100, line_dash="dash", line_color=theme.TARGET)
    fig = theme.layout(fig, x_title=t("action.funnel.meeting"), y_title=t("action.funnel.rate"), height=380)
    fig.update_yaxes(range=[0, 105])
    return fig


def by_department_figure(df: pd.DataFrame) -> go.Figure:
    """Open actions per owner department: the part not overdue neutral, the overdue part red
    (status), the open total above each bar; whole-number ticks."""
    names = [t(f"dept.{d}") for d in df["owner_department"]]
    fig = go.Figure([
        go.Bar(x=names, y=df["open"] - df["overdue"], name=t("action.open_count"), marker_color=theme.NEUTRAL),
        go.Bar(x=names, y=df["overdue"], name=t("action.overdue_count"), marker_color=theme.RAG["red"],
               text=df["open"], textposition="outside", cliponaxis=False),
    ])
    fig.update_layout(barmode="stack")
    theme.layout(fig, x_title=t("action.owner_department"), y_title=t("action.funnel.count"), height=380)
    return theme.value_axis(fig, "y", df["open"], whole=True)
