"""Figures of the capacity section: the load heatmap, the promise Gantt, load with an inquiry.
Pure builders (DataFrame in, Figure out) so the PMC page and the meeting's presenter mode
show the same picture."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.text import plot_text, plot_values
from lib.ui import theme

BAND_ORDER = ("none", "ok", "tight", "risk", "over")


def _band_scale() -> list:
    """A discrete colour scale: z = index of the band in BAND_ORDER."""
    n = len(BAND_ORDER)
    scale = []
    for i, b in enumerate(BAND_ORDER):
        scale += [[i / n, theme.LOAD_BAND[b]], [(i + 1) / n, theme.LOAD_BAND[b]]]
    return scale


def period_display(period: str, start=None) -> str:
    """A bucket's label as the room reads it: ISO week with its Monday ('W49 11-30'), a day
    ('12-01'), a month ('2026-12'). `start` defaults to the bucket's first day."""
    if "-W" in period:
        year, week = period.split("-W")
        start = start if start is not None else date.fromisocalendar(int(year), int(week), 1)
        return f"W{week} {pd.Timestamp(start):%m-%d}"
    if len(period) == 10:
        return f"{pd.Timestamp(start):%m-%d}"
    return period


def period_names(df: pd.DataFrame) -> dict[str, str]:
    """period -> display label, in time order, for a capacity.load frame."""
    first = df.sort_values("period_start").drop_duplicates("period")
    return {p: period_display(p, s) for p, s in zip(first["period"], first["period_start"])}


def band_legend_html() -> str:
    """The band colours as large chips (a legend that reads from the back of the room)."""
    chips = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:28px'>"
        f"<span style='display:inline-block;width:34px;height:22px;border-radius:4px;margin-right:10px;"
        f"background:{theme.LOAD_BAND[b]}'></span>{t(f'capacity.band.{b}')}</span>"
        for b in ("ok", "tight", "risk", "over", "none"))
    return f"<div style='font-size:1.25rem;margin:4px 0 6px'>{chips}<span>⚠ {t('capacity.legend.overdue')}</span></div>"


def _pct(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v * 100:.0f}%"


def heatmap(df: pd.DataFrame, *, title: str | None = None, height: int | None = None,
            show_text: bool = True, legend: bool = True) -> go.Figure:
    """Work center (rows) x period (columns), coloured by load band; hover shows load and
    capacity hours and past-due hours; a ⚠ marks cells holding past-due load. `legend` adds a
    colour bar naming the bands (off where the page shows band_legend_html above the chart).
    Work center codes are stored text: escaped (plot_text), so a clicked cell's y is too.

    `df` is capacity.load's frame (work_center, period, load_hours, capacity_hours, load_pct,
    overdue_hours, band)."""
    names = period_names(df)
    periods = list(names)
    wcs = sorted(df["work_center"].unique(), reverse=True)   # first work center on top
    idx = df.set_index(["work_center", "period"])
    z, text, hover = [], [], []
    for w in wcs:
        zr, tr, hr = [], [], []
        for p in periods:
            if (w, p) in idx.index:
                r = idx.loc[(w, p)]
                zr.append(BAND_ORDER.index(r["band"]) + 0.5)
                flag = "⚠" if r["overdue_hours"] > 1e-9 else ""
                tr.append(flag + (_pct(r["load_pct"]) if r["load_hours"] > 1e-9 or r["capacity_hours"] > 0 else ""))
                over = t("capacity.hover.overdue", hours=f"{r['overdue_hours']:,.1f}") if flag else ""
                hr.append(t("capacity.hover", wc=plot_text(w), period=names[p], load=f"{r['load_hours']:,.1f}",
                            cap=f"{r['capacity_hours']:,.1f}", pct=t(f"capacity.band.{r['band']}") + " · " + _pct(r["load_pct"]),
                            overdue=over))
            else:
                zr.append(0.5)
                tr.append("")
                hr.append(f"{plot_text(w)} · {names[p]}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    n = len(BAND_ORDER)   # z = band index + 0.5: band i is coloured over [i, i + 1) of [0, n]
    # cell text as large as the columns allow; beyond 40 columns (days over 8+ weeks) hover only
    show_text = show_text and len(periods) <= 40
    size = 18 if len(periods) <= 14 else 15 if len(periods) <= 20 else 12
    fig = go.Figure(go.Heatmap(
        z=z, x=[names[p] for p in periods], y=plot_values(wcs), text=text if show_text else None,
        texttemplate="%{text}" if show_text else None, textfont=dict(size=size),
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        colorscale=_band_scale(), zmin=0, zmax=n, showscale=legend, xgap=2, ygap=2,
        colorbar=dict(tickvals=[i + 0.5 for i in range(n)], ticktext=[t(f"capacity.band.{b}") for b in BAND_ORDER],
                      thickness=18, len=0.9, tickfont=dict(size=theme.TICK_SIZE, color=theme.TICK_TEXT))))
    # plotly.js fires no click on heatmap cells when the drag mode is 'select' (what Streamlit's
    # on_select sets): an invisible marker on each cell centre makes a click select the cell
    xs = [names[p] for p in periods]
    fig.add_trace(go.Scatter(
        x=[x for _ in wcs for x in xs], y=[plot_text(w) for w in wcs for _ in xs], mode="markers",
        marker=dict(size=24, opacity=0, color="#000000"), showlegend=False,
        hovertext=[h for row in hover for h in row], hovertemplate="%{hovertext}<extra></extra>"))
    theme.layout(fig, title=title, x_title=t("capacity.x"), y_title=t("capacity.y"),
                 height=height or max(360, 110 + 40 * len(wcs)))
    # fixed ranges: the marker trace must not pad the category axes around the cells
    # tick labels never below theme.TICK_SIZE: many columns turn them, they do not shrink them
    fig.update_xaxes(type="category", side="top", tickangle=-45 if len(periods) > 14 else 0,
                     tickfont=dict(size=theme.TICK_SIZE, color=theme.TICK_TEXT), range=[-0.5, len(periods) - 0.5],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(type="category", tickfont=dict(size=18, color=theme.TICK_TEXT), range=[-0.5, len(wcs) - 0.5],
                     showgrid=False, zeroline=False)
    fig.update_layout(hoverlabel=dict(font_size=18, font_color="#111111", bgcolor="#ffffff"))
    return fig


def gantt(steps: pd.DataFrame, requested=None, promised=None) -> go.Figure:
    """The inquiry's steps as bars from start to finish (whole days), with the requested date."""
    fig = go.Figure()
    labels = [f"{int(r.step)} · {plot_text(r.work_center)}" for r in steps.itertuples()]
    start = pd.to_datetime(steps["start"])
    finish = pd.to_datetime(steps["finish"]) + pd.Timedelta(days=1)
    fig.add_trace(go.Bar(
        y=labels, x=(finish - start).dt.total_seconds() * 1000, base=start, orientation="h",
        marker_color=[theme.LOAD_BAND["over"] if w > 0 else theme.ACTUAL for w in steps["wait_days"]],
        text=[f"{h:,.1f} h" for h in steps["hours"]], textposition="inside",
        hovertemplate="%{y}<br>%{base|%Y-%m-%d} → %{customdata}<extra></extra>",
        customdata=steps["finish"].astype(str), showlegend=False))
    if requested is not None:
        fig.add_vline(x=pd.Timestamp(requested).timestamp() * 1000, line_dash="dash", line_color=theme.GAP,
                      annotation_text=t("promise.requested_marker"), annotation_position="top")
    fig.update_yaxes(autorange="reversed")
    theme.layout(fig, x_title=t("promise.gantt.x"), y_title=t("promise.gantt.y"),
                 height=max(260, 90 + 60 * len(steps)))
    fig.update_xaxes(type="date", tickformat="%m-%d")
    return fig


def load_with_inquiry(df: pd.DataFrame) -> go.Figure:
    """Stacked weekly load (existing + this inquiry) against capacity, per affected work center.
    `df`: work_center, period, load_hours, inquiry_hours, capacity_hours."""
    x = [plot_values(df["work_center"]), [period_display(p) for p in df["period"]]]
    fig = go.Figure([
        go.Bar(x=x, y=df["load_hours"], name=t("capacity.col.load"), marker_color=theme.PLAN),
        go.Bar(x=x, y=df["inquiry_hours"], name=t("promise.load.inquiry"), marker_color=theme.HIGHLIGHT),
        go.Scatter(x=x, y=df["capacity_hours"], name=t("capacity.col.capacity"), mode="markers",
                   marker=dict(symbol="line-ew-open", size=28, color=theme.CUMULATIVE, line=dict(width=3))),
    ])
    fig.update_layout(barmode="stack")
    theme.layout(fig, x_title=t("capacity.x"), y_title=t("unit.hours"), height=380)
    return theme.value_axis(fig, "y", list(df["load_hours"] + df["inquiry_hours"]) + list(df["capacity_hours"]))


def late_reason(late: pd.DataFrame) -> pd.Series:
    """Why each line of lib.plan.late.late_lines is late, in a sentence: where it finishes, or
    which step cannot be planned; and the late PO pegged to it. Set-wise (35,000 lines on a
    large factory): translated once per distinct status, then joined."""
    finish = late["projected_finish"].dt.strftime("%m-%d").fillna("")
    step = late["step"].astype("Int64").astype("string").fillna("")
    wc = late["work_center"].fillna("").astype(str)
    base = pd.Series([
        t("sales.why.late", wc=w, step=sp, date=d) if st == "late" else
        t("sales.why.unplanned", wc=w, step=sp) if st == "unplanned" else t("sales.why.no_routing")
        for st, w, sp, d in zip(late["status"], wc, step, finish)], index=late.index, dtype=object)
    has_po = late["late_po"].notna()
    po = pd.Series("", index=late.index, dtype=object)
    if has_po.any():
        po[has_po] = [t("sales.why.late_po", po=x, material=m, date=f"{d:%m-%d}")
                      for x, m, d in zip(late.loc[has_po, "late_po"], late.loc[has_po, "late_po_material"],
                                         late.loc[has_po, "late_po_due"])]
    return base + po


def late_view(risk: pd.DataFrame) -> pd.DataFrame:
    """The late list (lib.plan.late.late_lines: Sales' lines at risk, PMC's late lines) with
    translated headers: order/line, customer, product, remaining qty, due, projected finish,
    days late, why."""
    return pd.DataFrame({
        t("sales.col.order"): risk["order_no"] + "/" + risk["line_no"].astype(str),
        t("sales.col.customer"): risk["customer"] + " · " + risk["customer_name"].astype(str),
        t("sales.col.product"): risk["product"],
        t("sales.col.remaining"): risk["remaining_qty"],
        t("sales.col.due"): risk["due_date"].dt.date,
        t("sales.col.finish"): risk["projected_finish"].dt.date,
        t("sales.col.days_late"): risk["days_late"].astype("Int64").astype("string").fillna(""),
        t("sales.col.why"): late_reason(risk),
    })
