"""Figure builders the purchasing, quality and engineering pages need beyond lib.ui.charts:
rates against a target (worst on top, red/amber/green), a diverging money bar (over / under
standard) and a plan-vs-actual Gantt. DataFrame in, Figure out; labels come translated.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.sections.kpi import rag
from lib.ui import theme
from lib.ui.charts import TARGET

# milestone / drawing states -> colour (done on time is green, late is amber, overdue is red)
STATE = {"on_time": theme.RAG["green"], "late": theme.RAG["amber"], "overdue": theme.RAG["red"],
         "open": theme.ACTUAL}


def rate_bars(df: pd.DataFrame, label: str, value: str, *, x_title: str, target: float | None = None,
              target_label: str | None = None, band: float = 0.05, top: int = 12,
              hover: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars of a rate (0..1), the worst (lowest) on top, each coloured red/amber/green
    against `target`, with the target as a dashed vertical line. At most `top` rows; ties
    keep a stable order by label. `hover` names a column with extra text for each bar."""
    d = df.dropna(subset=[value]).sort_values([value, label], ascending=[True, True]).head(top)
    d = d.iloc[::-1]                     # plotly draws the first row at the bottom
    colours = [theme.RAG[rag(v, target, True, band)] if target is not None else theme.ACTUAL for v in d[value]]
    fig = go.Figure(go.Bar(
        x=d[value], y=d[label].astype(str), orientation="h", marker_color=colours,
        text=[f"{v:.1%}" for v in d[value]], textposition="inside", insidetextanchor="end",
        customdata=d[[hover]].to_numpy() if hover else None,
        hovertemplate="%{y}: %{x:.1%}" + ("<br>%{customdata[0]}" if hover else "") + "<extra></extra>"))
    if target is not None:
        fig.add_vline(x=target, line=dict(color=TARGET, dash="dash", width=2),
                      annotation_text=target_label or "", annotation_position="top",
                      annotation_font=dict(color=TARGET, size=16))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_yaxes(type="category")
    return theme.layout(fig, x_title=x_title, height=height or max(280, 80 + 40 * len(d)))


def zoom_rate_axis(fig, values, target: float | None = None, axis: str = "y"):
    """Zoom a 0..1 rate axis to the data (and the target), so 96 % vs a 97 % target is visible;
    the axis starts at a round 5 % step below the lowest value, never above 90 %."""
    vals = [float(v) for v in values if v is not None and v == v]
    if target is not None:
        vals.append(float(target))
    if not vals:
        return fig
    low = min(0.9, int(min(vals) * 20) / 20 - 0.05)
    rng = [max(0.0, low), 1.005]
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(range=rng, rangemode="normal")
    return fig


def diverging_bars(df: pd.DataFrame, label: str, value: str, *, x_title: str, top: int = 12,
                   hover: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars around zero, the largest absolute value on top: above zero (worse, e.g.
    paid over standard) red, below zero green. Ties by label."""
    d = df.assign(_abs=df[value].abs()).sort_values(["_abs", label], ascending=[False, True]).head(top)
    d = d.iloc[::-1]
    colours = [theme.RAG["red"] if v > 0 else theme.RAG["green"] for v in d[value]]
    fig = go.Figure(go.Bar(
        x=d[value], y=d[label].astype(str), orientation="h", marker_color=colours,
        text=[f"{v:+,.0f}" for v in d[value]], textposition="outside", cliponaxis=False,
        customdata=d[[hover]].to_numpy() if hover else None,
        hovertemplate="%{y}: %{x:+,.0f}" + ("<br>%{customdata[0]}" if hover else "") + "<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=theme.CUMULATIVE, width=1))
    reach = float(d[value].abs().max() or 1) * 1.35      # room for the outside labels on both sides
    fig.update_xaxes(range=[-reach if (d[value] < 0).any() else -reach * 0.05,
                            reach if (d[value] > 0).any() else reach * 0.05])
    fig.update_yaxes(type="category")
    return theme.layout(fig, x_title=x_title, height=height or max(280, 80 + 40 * len(d)))


def gantt(df: pd.DataFrame, *, row: str, plan_start: str, plan_end: str, actual_start: str,
          actual_end: str, state: str, labels: dict, x_title: str, today=None,
          height: int | None = None) -> go.Figure:
    """Plan vs actual Gantt: per row a thin light plan bar and, inside it, the actual bar coloured
    by state (STATE colours); `today` as a dashed vertical line.

    `labels` holds translated names: plan, today, and one per state (on_time, late, overdue, open).
    Rows are drawn top to bottom in the frame's order.
    """
    d = df.reset_index(drop=True)
    rows = d[row].astype(str).tolist()
    fig = go.Figure()
    ms = 86_400_000
    p0, p1 = pd.to_datetime(d[plan_start]), pd.to_datetime(d[plan_end])
    fig.add_bar(y=rows, x=((p1 - p0).dt.days.clip(lower=1) * ms).tolist(), base=p0.dt.strftime("%Y-%m-%d").tolist(),
                orientation="h", name=labels["plan"], marker=dict(color="rgba(159,184,214,0.45)",
                                                                 line=dict(color=theme.PLAN, width=2)),
                width=0.8, hovertemplate="%{y}<br>" + labels["plan"] + ": %{base|%Y-%m-%d} → %{x}<extra></extra>")
    a0, a1 = pd.to_datetime(d[actual_start]), pd.to_datetime(d[actual_end])
    for s in ("on_time", "late", "overdue", "open"):
        sel = (d[state] == s) & a0.notna() & a1.notna()
        if not sel.any():
            continue
        fig.add_bar(y=[rows[i] for i in d.index[sel]],
                    x=((a1[sel] - a0[sel]).dt.days.clip(lower=1) * ms).tolist(),
                    base=a0[sel].dt.strftime("%Y-%m-%d").tolist(), orientation="h", name=labels[s],
                    marker_color=STATE[s], width=0.4,
                    hovertemplate="%{y}<br>" + labels[s] + ": %{base|%Y-%m-%d}<extra></extra>")
    # planned end as a marker, so a milestone not yet started still shows where it should land
    fig.add_scatter(y=rows, x=p1, mode="markers", name=labels["plan"], showlegend=False,
                    marker=dict(symbol="diamond", size=12, color=[STATE.get(s, theme.PLAN) for s in d[state]],
                                line=dict(color="#333", width=1)),
                    hovertemplate="%{y}<br>" + labels["plan"] + ": %{x|%Y-%m-%d}<extra></extra>")
    if today is not None:
        fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line=dict(color=TARGET, dash="dash", width=2),
                      annotation_text=labels.get("today", ""), annotation_position="top",
                      annotation_font=dict(color=TARGET, size=16))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows[::-1], autorange=True)
    return theme.layout(fig, x_title=x_title, height=height or max(320, 90 + 34 * len(rows)))
