"""Generic plotly figure builders for the section pages: DataFrame in, Figure out.

Every builder takes already-translated labels (the page calls `t()`), applies the projector
layout (`theme.layout`) and uses the same colour for the same thing everywhere: plan and actual
from `theme`, causes from `theme.CAUSE`, and a stable colour per customer/supplier/product
(`colour_for`), so "Acme" is the same blue on every page.

Builders never decide whether there is something to show: pages check `df.empty` first and
show `widgets.empty()` instead of an empty chart.

Names that come from the data (customers, suppliers, materials, lines, defect types, projects)
go into a figure through lib.text.plot_text / plot_values: plotly.js reads tags such as <b>,
<br> and <a href> in any text. Hover templates name a series with %{fullData.name}, never by
pasting the name in. A click on a bar returns the escaped name; lib.ui.section.figure unescapes it.
"""
from __future__ import annotations

import zlib
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.sections.kpi import rag
from lib.text import plot_text, plot_values
from lib.ui import theme

# A qualitative palette without the status colours (no red, orange, yellow or green), so a
# series is never read as good or bad.
PALETTE = ["#4e79a7", "#76b7b2", "#b07aa1", "#9c755f", "#1f4e89", "#a0cbe8", "#6b5b95", "#2f8f9d",
           "#d4a6c8", "#5c5c5c", "#86bcb6", "#c9a78b"]
TARGET = theme.TARGET
SECOND = "#7fa7d6"        # the second series of a comparison (e.g. OTD vs original promise)


def colour_for(name) -> str:
    """The same colour for the same name (customer, supplier, product, kind) everywhere.

    >>> colour_for("Acme") == colour_for("Acme")
    True
    """
    return PALETTE[zlib.crc32(str(name).encode("utf-8")) % len(PALETTE)]


def distinct_colours(names) -> dict:
    """Each name's `colour_for` colour, moved to the next free palette colour where two names
    in the same chart would otherwise share one (deterministic for the same set of names)."""
    used: dict = {}
    for name in sorted({str(n) for n in names}):
        i = zlib.crc32(name.encode("utf-8")) % len(PALETTE)
        for step in range(len(PALETTE)):
            c = PALETTE[(i + step) % len(PALETTE)]
            if c not in used.values():
                break
        used[name] = c
    return used


# ------------------------------------------------------------------ the current, partial period
# (docs/rules.md, "Partial periods"): its bucket is shaded and labelled "to date", its bars are
# hatched and the line into its point is dotted with an open marker, so a week of two days never
# reads as a cliff. Pages pass `partial` = the x value of the bucket holding today
# (lib.ui.section.partial) and `partial_label` = "to date" in the user's language.

def _is_partial(values, partial) -> np.ndarray:
    """Which of `values` (an x column) is the partial bucket."""
    vals = pd.Series(list(values))
    if partial is None or vals.empty:
        return np.zeros(len(vals), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(vals) or isinstance(partial, (date, pd.Timestamp)):
        try:
            return (pd.to_datetime(vals) == pd.Timestamp(partial)).to_numpy()
        except (TypeError, ValueError):
            pass
    return (vals.astype(str) == str(partial)).to_numpy()


def _mark_partial(fig: go.Figure, xs, partial, label: str | None) -> go.Figure:
    """Shade the partial bucket of `xs` (the x values in drawn order) and label it at the top."""
    mask = _is_partial(xs, partial)
    if not mask.any():
        return fig
    i = int(np.flatnonzero(mask)[0])
    xs = list(xs)
    if isinstance(xs[i], str):
        x0, x1, at = i - 0.5, i + 0.5, xs[i]
    else:
        t = pd.to_datetime(pd.Series(xs))
        step = t.sort_values().diff().dropna()
        half = (step.median() if len(step) else pd.Timedelta(days=7)) / 2
        x0, x1, at = t.iloc[i] - half, t.iloc[i] + half, t.iloc[i]
    fig.add_vrect(x0=x0, x1=x1, fillcolor=PARTIAL, opacity=0.14, layer="below", line_width=0)
    if label:
        fig.add_annotation(x=at, y=1, yref="paper", yanchor="top", showarrow=False, text=plot_text(label),
                           font=dict(size=15, color=PARTIAL_TEXT), bgcolor="rgba(255,255,255,0.85)")
    return fig


PARTIAL = "#7f8c9a"          # the shaded partial bucket
PARTIAL_TEXT = "#1f4e89"     # its "to date" label


def plan_vs_actual(df: pd.DataFrame, x: str, *, plan: str = "plan", actual: str = "actual",
                   labels: dict, x_title: str, y_title: str, cum_title: str | None = None,
                   height: int = 460, partial=None, partial_label: str | None = None) -> go.Figure:
    """Bars for plan and actual per bucket, cumulative plan and actual as lines (right axis).

    `labels` holds the translated names: plan, actual, cum_plan, cum_actual, gap. The gap
    (actual - plan) and its running total are in each bar's hover. The `partial` bucket (today's)
    is hatched, shaded and labelled `partial_label`.
    """
    d = df.sort_values(x).reset_index(drop=True)
    gap = d[actual] - d[plan]
    cum_p, cum_a = d[plan].cumsum(), d[actual].cumsum()
    hover = pd.DataFrame({"gap": gap, "cgap": cum_a - cum_p}).to_numpy()
    tmpl = (f"%{{x}}<br>%{{fullData.name}}: %{{y:,.0f}}<br>{labels['gap']}: %{{customdata[0]:+,.0f}}"
            f"<br>Σ {labels['gap']}: %{{customdata[1]:+,.0f}}<extra></extra>")
    hatch = _hatch(d[x], partial)
    fig = go.Figure()
    fig.add_bar(x=d[x], y=d[plan], name=labels["plan"], marker_color=theme.PLAN, customdata=hover,
                hovertemplate=tmpl, marker_pattern_shape=hatch)
    fig.add_bar(x=d[x], y=d[actual], name=labels["actual"], marker_color=theme.ACTUAL, customdata=hover,
                hovertemplate=tmpl, marker_pattern_shape=hatch)
    fig.add_scatter(x=d[x], y=cum_p, name=labels["cum_plan"], yaxis="y2", mode="lines",
                    line=dict(color=theme.CUMULATIVE, dash="dash", width=3))
    fig.add_scatter(x=d[x], y=cum_a, name=labels["cum_actual"], yaxis="y2", mode="lines+markers",
                    line=dict(color=theme.CUMULATIVE, width=3))
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(barmode="group", yaxis2=dict(overlaying="y", side="right", showgrid=False,
                                                   rangemode="tozero", title=dict(text=cum_title or "")))
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height)
    theme.value_axis(fig, "y", pd.concat([d[plan], d[actual]]))
    theme.value_axis(fig, "y2", pd.concat([cum_p, cum_a]))
    return _mark_partial(fig, d[x], partial, partial_label)


def _hatch(xs, partial) -> list[str]:
    """Bar pattern per bar: hatched for the partial bucket."""
    return ["/" if p else "" for p in _is_partial(xs, partial)]


def trend(df: pd.DataFrame, x: str, series: list[tuple[str, str, str]], *, x_title: str, y_title: str,
          target: float | None = None, target_label: str | None = None, pct: bool = True,
          height: int = 420, partial=None, partial_label: str | None = None) -> go.Figure:
    """Lines with markers for each (column, label, colour), and the target as a dashed line.

    Missing values (a bucket with no denominator) leave a gap rather than a false zero. The
    `partial` bucket (today's) is shaded and labelled `partial_label`; each line reaches its point
    dotted, with an open marker: a figure to date, not the full period's.
    """
    d = df.sort_values(x)
    fig = go.Figure()
    fmt = ".1%" if pct else ",.1f"
    last = _is_partial(d[x], partial)
    for col, label, colour in series:       # a label may be a supplier or a line
        tmpl = f"%{{x}}<br>%{{fullData.name}}: %{{y:{fmt}}}<extra></extra>"
        whole = d[~last]
        fig.add_scatter(x=whole[x], y=whole[col], name=plot_text(label), mode="lines+markers", connectgaps=False,
                        line=dict(color=colour, width=4), marker=dict(size=10), legendgroup=plot_text(str(col)),
                        hovertemplate=tmpl)
        if last.any():
            tail = d.iloc[max(0, int(np.flatnonzero(last)[0]) - 1):int(np.flatnonzero(last)[0]) + 1]
            fig.add_scatter(x=tail[x], y=tail[col], name=plot_text(label), mode="lines+markers", showlegend=False,
                            legendgroup=plot_text(str(col)), line=dict(color=colour, width=3, dash="dot"),
                            marker=dict(size=[0] * (len(tail) - 1) + [13], symbol="circle-open",
                                        line=dict(width=3, color=colour)),
                            hovertemplate=f"%{{x}} ({plot_text(partial_label or '')})<br>%{{fullData.name}}: "
                                          f"%{{y:{fmt}}}<extra></extra>")
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, dash="dash", width=2),
                      annotation_text=target_label or "", annotation_position="top left",
                      annotation_font=dict(color=TARGET, size=16))
    if pct:
        # not from zero (a rate near its target would be a flat line), but the target in view
        values = pd.concat([pd.to_numeric(d[c], errors="coerce") for c, _, _ in series]).dropna().tolist()
        values += [target] if target is not None else []
        if values:
            lo, hi = min(values), max(values)
            pad = max((hi - lo) * 0.15, 0.01)
            fig.update_yaxes(range=[max(lo - pad, 0), min(hi + pad, 1.05) if hi <= 1 else hi + pad],
                             tickformat=".1%" if hi - lo < 0.1 else ".0%")
    else:
        fig.update_yaxes(rangemode="tozero")
        theme.value_axis(fig, "y", pd.concat([pd.to_numeric(d[c], errors="coerce") for c, _, _ in series]))
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height)
    return _mark_partial(fig, d[x], partial, partial_label)


def pareto(df: pd.DataFrame, category: str, value: str, *, x_title: str, y_title: str, cum_label: str,
           colours: dict | None = None, category_labels: dict | None = None, height: int = 420) -> go.Figure:
    """A Pareto: bars sorted largest first, and the cumulative share as a line on the right axis.
    The bars are one neutral colour (the label says what each is); `colours` only marks special
    categories (e.g. defects with no type recorded, in the "other" grey)."""
    d = df.sort_values([value, category], ascending=[False, True]).reset_index(drop=True)
    total = d[value].sum()
    cum = d[value].cumsum() / total if total else d[value] * 0
    names = plot_values(category_labels.get(c, c) if category_labels else c for c in d[category])
    cols = [(colours or {}).get(c) or theme.NEUTRAL for c in d[category]]
    fig = go.Figure()
    fig.add_bar(x=names, y=d[value], marker_color=cols, name=y_title, showlegend=False,
                hovertemplate="%{x}: %{y:,.1f}<extra></extra>")
    fig.add_scatter(x=names, y=cum, name=cum_label, yaxis="y2", mode="lines+markers",
                    line=dict(color=theme.CUMULATIVE, width=3),
                    hovertemplate=f"{cum_label}: %{{y:.0%}}<extra></extra>")
    fig.update_layout(yaxis=dict(rangemode="tozero"),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, range=[0, 1.05],
                                  tickformat=".0%", dtick=0.2, title=dict(text=cum_label)))
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height)
    return theme.value_axis(fig, "y", d[value])


def ranked_bars(df: pd.DataFrame, label: str, value: str, *, x_title: str, y_title: str | None = None,
                top: int = 10, colour: str | None = None, pct: bool = False, colour_by_name: bool = False,
                height: int | None = None) -> go.Figure:
    """Horizontal bars, the worst (largest `value`) at the top; at most `top` rows, in one
    neutral colour unless `colour` says what they are (`colour_by_name` is kept for callers
    and ignored: a colour per customer on a ranking encodes nothing the label does not say).

    Ties keep a stable order by label so the same data always draws the same chart.
    """
    d = df.sort_values([value, label], ascending=[False, True]).head(top)
    d = d.iloc[::-1]                     # plotly draws the first row at the bottom
    cols = colour or theme.NEUTRAL
    whole = bool(len(d)) and bool((d[value].fillna(0) % 1 == 0).all())
    fmt = ".1%" if pct else (",.0f" if whole else ",.1f")
    fig = go.Figure(go.Bar(x=d[value], y=plot_values(d[label].astype(str)), orientation="h", marker_color=cols,
                           text=[format(v, fmt) for v in d[value]], textposition="auto", textangle=0,
                           hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra></extra>"))
    if pct:
        fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(type="category")
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height or max(260, 60 + 42 * len(d)))
    return fig if pct else theme.value_axis(fig, "x", d[value])


def stacked_bars(df: pd.DataFrame, x: str, stack: str, value: str, *, x_title: str, y_title: str,
                 colours: dict | None = None, stack_labels: dict | None = None, top: int = 8,
                 other_label: str = "…", height: int = 420, partial=None,
                 partial_label: str | None = None) -> go.Figure:
    """Bars per `x` stacked by `stack` (e.g. new orders per week by customer).

    Only the `top` largest stacks get their own colour; the rest are summed as `other_label`,
    so a chart with forty customers stays readable on a projector. The `partial` bucket (today's)
    is hatched, shaded and labelled `partial_label`.
    """
    d = df.copy()
    order = d.groupby(stack)[value].sum().sort_values(ascending=False)
    keep = list(order.index[:top])
    if len(order) > top:
        d[stack] = d[stack].where(d[stack].isin(keep), other_label)
        d = d.groupby([x, stack], as_index=False)[value].sum()
        keep.append(other_label)
    fig = go.Figure()
    auto = distinct_colours([s for s in keep if s != other_label and s not in (colours or {})])
    for s in keep:
        part = d[d[stack] == s].sort_values(x)
        name = (stack_labels or {}).get(s, s)      # e.g. a customer's name
        colour = theme.OTHER if s == other_label else ((colours or {}).get(s) or auto[str(s)])
        fig.add_bar(x=plot_values(part[x]), y=part[value], name=plot_text(name), marker_color=colour,
                    marker_pattern_shape=_hatch(part[x], partial),
                    hovertemplate="%{x}<br>%{fullData.name}: %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="stack")
    order = sorted(d[x].unique())
    fig.update_xaxes(categoryorder="array", categoryarray=plot_values(order))
    fig.update_yaxes(rangemode="tozero")
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height)
    theme.value_axis(fig, "y", d.groupby(x)[value].sum())
    return _mark_partial(fig, plot_values(order), plot_text(partial) if isinstance(partial, str) else partial,
                         partial_label)


def bars(df: pd.DataFrame, x: str, series: list[tuple[str, str, str]], *, x_title: str, y_title: str,
         overlay_line: tuple[str, str, str] | None = None, pct_line: bool = False,
         height: int = 420, partial=None, partial_label: str | None = None) -> go.Figure:
    """Grouped bars for each (column, label, colour), optionally one line on a right axis. The
    `partial` bucket (today's) is hatched, shaded and labelled `partial_label`."""
    d = df.sort_values(x)
    fig = go.Figure()
    hatch = _hatch(d[x], partial)
    for col, label, colour in series:
        fig.add_bar(x=d[x], y=d[col], name=label, marker_color=colour, marker_pattern_shape=hatch,
                    hovertemplate=f"%{{x}}<br>{label}: %{{y:,.1f}}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(rangemode="tozero")
    if overlay_line:
        col, label, colour = overlay_line
        fig.add_scatter(x=d[x], y=d[col], name=label, yaxis="y2", mode="lines+markers",
                        line=dict(color=colour, width=3))
        fig.update_layout(yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero",
                                      tickformat=".1%" if pct_line else None, title=dict(text=label)))
    theme.layout(fig, x_title=x_title, y_title=y_title, height=height)
    theme.value_axis(fig, "y", pd.concat([d[c] for c, _, _ in series]))
    if overlay_line and not pct_line:
        theme.value_axis(fig, "y2", d[overlay_line[0]])
    return _mark_partial(fig, d[x], partial, partial_label)


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
        x=d[value], y=plot_values(d[label].astype(str)), orientation="h", marker_color=colours,
        text=[f"{v:.1%}" for v in d[value]], textposition="inside", insidetextanchor="end",
        customdata=[[plot_text(h)] for h in d[hover]] if hover else None,
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
        x=d[value], y=plot_values(d[label].astype(str)), orientation="h", marker_color=colours,
        text=[f"{v:+,.0f}" for v in d[value]], textposition="outside", cliponaxis=False,
        customdata=[[plot_text(h)] for h in d[hover]] if hover else None,
        hovertemplate="%{y}: %{x:+,.0f}" + ("<br>%{customdata[0]}" if hover else "") + "<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=theme.CUMULATIVE, width=1))
    reach = float(d[value].abs().max() or 1) * 1.35      # room for the outside labels on both sides
    fig.update_xaxes(range=[-reach if (d[value] < 0).any() else -reach * 0.05,
                            reach if (d[value] > 0).any() else reach * 0.05])
    fig.update_yaxes(type="category")
    theme.layout(fig, x_title=x_title, height=height or max(280, 80 + 40 * len(d)))
    return theme.value_axis(fig, "x", list(d[value]) + [-reach if (d[value] < 0).any() else 0, reach], whole=False)


def gantt(df: pd.DataFrame, *, row: str, plan_start: str, plan_end: str, actual_start: str,
          actual_end: str, state: str, labels: dict, x_title: str, today=None,
          height: int | None = None) -> go.Figure:
    """Plan vs actual Gantt: per row a thin light plan bar and, inside it, the actual bar coloured
    by state (STATE colours); `today` as a dashed vertical line.

    `labels` holds translated names: plan, today, and one per state (on_time, late, overdue, open).
    Rows are drawn top to bottom in the frame's order.
    """
    d = df.reset_index(drop=True)
    rows = plot_values(d[row].astype(str))     # project and milestone names
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
