"""One colour for each meaning, everywhere; the chart layout that reads from the back of a room;
the projector's larger type.

Colours mean one thing each:
- status: RAG red / amber / green (and the load bands, the same scale) say good or bad and
  nothing else: red is overdue, over, a gap; no department, series or category is drawn in
  them.
- departments: DEPARTMENT, blue, violet, navy, cyan and slate: none near a status colour.
- plan (light blue) and actual (dark blue); a cumulative line in dark grey; a target line in
  dark grey, dashed.
- a bar whose colour would mean nothing (one bar per customer, per defect type, per cause) is
  NEUTRAL: the label says what it is.

Axes: tick labels at least 16 px and dark axis titles (Streamlit's own chart theme would draw
ticks at ~12 px in a pale grey: every axis gets its fonts set explicitly); `value_axis` gives an
axis of whole numbers whole-number ticks (never 0.5 or 1.5 actions) and, in Chinese, large
numbers in 万 / 亿.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from lib.i18n import get_lang

DEPARTMENT = {
    "sales": "#2f6db5", "pmc": "#6c4fa3", "purchasing": "#26365e",
    "quality": "#1f8fa3", "engineering": "#56657a",
}
LOAD_BAND = {"ok": "#2e9e5b", "tight": "#f2c94c", "risk": "#f2994a", "over": "#d64545", "none": "#e0e0e0"}
RAG = {"green": "#2e9e5b", "amber": "#e6a23c", "red": "#d64545", "none": "#9e9e9e"}
PLAN = "#9fb8d6"
ACTUAL = "#1f4e89"
GAP = "#d64545"
CUMULATIVE = "#444444"
TARGET = "#333333"          # a target line: dark, dashed (red would read as "overdue")
NEUTRAL = "#5b7a99"         # bars whose colour encodes nothing
OTHER = "#bab0ac"           # the "other" / "unrecorded" bucket
HIGHLIGHT = "#7b5ea7"       # the thing asked about (the inquiry on the promise page)
CAUSE = {"man": "#4e79a7", "machine": "#9c755f", "material": "#b07aa1", "method": "#76b7b2",
         "environment": "#86bcb6", "measurement": "#a0cbe8"}
TEXT = "#1a1a1a"            # axis titles, legend
TICK_TEXT = "#333333"       # tick labels
# type for a projector at 1920x1080: chart fonts, tick labels, axis titles
FONT_SIZE = 18
TICK_SIZE = 16
AXIS_TITLE_SIZE = 18
TITLE_SIZE = 22
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# the plotly toolbar (zoom, pan, download) where a chart is shown on a projector: none
PRESENTER_CONFIG = {"displaylogo": False, "displayModeBar": False}


def style_axes(fig, *, tick: int = TICK_SIZE, title: int = AXIS_TITLE_SIZE):
    """Every axis of `fig` (secondary ones too) with tick labels of `tick` px and dark titles
    of `title` px, set explicitly so no chart theme can shrink or pale them; returns `fig`."""
    for update in (fig.update_xaxes, fig.update_yaxes):
        update(tickfont=dict(size=tick, color=TICK_TEXT), title_font=dict(size=title, color=TEXT),
               automargin=True)
    return fig


def layout(fig, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
           height: int = 420):
    """Apply Tandem's projector layout to a plotly figure and return it. Titles go to the first
    x and y axes; fonts to every axis (call it after adding a secondary axis, or style_axes)."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=TITLE_SIZE, color=TEXT)) if title else None,
        font=dict(size=FONT_SIZE, family=FONT_FAMILY, color=TEXT), height=height,
        margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1,
                    font=dict(size=TICK_SIZE, color=TEXT)),
        plot_bgcolor="white", paper_bgcolor="white",
    )
    fig.layout.xaxis.title.text = x_title
    fig.layout.yaxis.title.text = y_title
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#eeeeee")
    return style_axes(fig)


# ------------------------------------------------------------------ value axes
def nice_step(span: float, ticks: int = 5, whole: bool = False) -> float:
    """A round tick step (1, 2, 2.5 or 5 x 10^k) giving about `ticks` ticks over `span`; with
    `whole`, a whole number (at least 1).

    >>> nice_step(0.8, whole=True), nice_step(7, whole=True), nice_step(18), nice_step(640_000)
    (1, 2, 5, 200000)
    """
    raw = max(float(span), 1e-12) / ticks
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * 0.999)
    if whole:
        step = max(1.0, step)
        if step != int(step):          # 2.5 -> 5
            step = 5 * mag if 5 * mag >= 1 else 1.0
    return int(step) if step == int(step) else step


def wan(v: float) -> str:
    """A tick label in Chinese units: 万 (10^4) and 亿 (10^8).

    >>> wan(0), wan(5_000), wan(25_000), wan(1_200_000), wan(-300_000_000)
    ('0', '5,000', '2.5万', '120万', '-3亿')
    """
    a = abs(v)
    if a >= 1e8:
        return f"{v / 1e8:,.4g}亿"
    if a >= 1e4:
        return f"{v / 1e4:,.4g}万"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.4g}"


def value_axis(fig, axis: str = "y", values=(), *, whole: bool | None = None):
    """Ticks for the value axis `axis` ("x", "y", "y2") holding `values` (for stacked bars:
    the stack totals): whole numbers (counts, pieces) tick at whole steps, never 0.5; in
    Chinese an axis reaching 10,000 is labelled in 万 / 亿. `whole` defaults to whether every
    value is a whole number. Returns `fig`."""
    vals = [float(v) for v in values if v is not None and v == v]
    if not vals:
        return fig
    whole = all(v == int(v) for v in vals) if whole is None else whole
    lo, hi = min(0.0, min(vals)), max(0.0, max(vals))
    if hi - lo <= 0:
        hi = lo + 1
    big = get_lang() == "zh" and max(abs(lo), abs(hi)) >= 1e4
    if not (whole or big):
        return fig
    step = nice_step(hi - lo, whole=whole)
    name = {"x": "xaxis", "y": "yaxis"}.get(axis, axis.replace("x", "xaxis").replace("y", "yaxis"))
    if big:
        first, last = math.floor(lo / step), math.ceil(hi / step)
        ticks = [k * step for k in range(first, last + 1)]
        fig.update_layout({name: dict(tickmode="array", tickvals=ticks, ticktext=[wan(v) for v in ticks])})
    else:
        fig.update_layout({name: dict(tickmode="linear", tick0=0, dtick=step)})
    return fig


# ------------------------------------------------------------------ projector
def projector(fig: go.Figure, *, height: int | None = None, font: int = 22) -> go.Figure:
    """A copy of `fig` with larger type (and optionally another height) for the projector."""
    big = go.Figure(fig)
    big.update_layout(font=dict(size=font), legend=dict(font=dict(size=font - 2)))
    big.update_annotations(font_size=font - 2)
    # drawn without Streamlit's chart theme, which is what otherwise makes room for tick labels
    style_axes(big, tick=font - 2, title=font)
    if height:
        big.update_layout(height=height)
    return big
