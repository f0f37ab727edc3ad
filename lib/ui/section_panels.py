"""The charts and tables a section page and presenter mode both show, built once here.

DataFrame in (a lib result), Figure or display DataFrame out; text through t() in the current
language. The section page draws them at page size, presenter mode (lib.ui.presenter) enlarges
them for the projector (`projector`). One definition, so the meeting sees what the page shows.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui import charts, charts_b, theme
from lib.ui.frames import translated


# ------------------------------------------------------------------ sales
def otd_trend(trend: pd.DataFrame, *, target: float | None, x_title: str, height: int = 420) -> go.Figure:
    """Delivery performance per period (lib.sections.sales.delivery_trend): OTD against the latest and the
    original promise and OTIF, with the OTD target."""
    return charts.trend(trend, "label", [("otd_latest", t("sales.otd_latest"), theme.ACTUAL),
                                         ("otd_original", t("sales.otd_original"), charts.SECOND),
                                         ("otif", t("sales.otif"), charts.PALETTE[2])],
                        x_title=x_title, y_title=t("sales.share_lines"), target=target,
                        target_label=t("sales.target_otd"), height=height)


def at_risk_view(risk: pd.DataFrame) -> pd.DataFrame:
    """At-risk order lines (lib.sections.sales.at_risk_lines) with translated headers and why each is at risk."""
    # set-wise: a row loop took seconds for the ~35,000 at-risk lines of a large factory
    parts = pd.DataFrame({
        "overdue": risk["overdue"].astype(bool).map({True: t("sales.why.overdue"), False: ""}),
        "promise_after_request": risk["promise_after_request"].astype(bool).map(
            {True: t("sales.why.promise_after_request"), False: ""}),
        "load_late": [t("sales.why.load_late", where=w or "") if late else ""
                      for late, w in zip(risk["load_late"].astype(bool), risk["load_note"])]
        if risk["load_late"].any() else "",
    }, index=risk.index)
    why = parts.apply(lambda col: col.where(col == "", col + ", ")).sum(axis=1).str.rstrip(", ")
    return pd.DataFrame({
        t("sales.col.order"): risk["order_no"] + "/" + risk["line_no"].astype(str),
        t("sales.col.customer"): risk["customer"], t("sales.col.product"): risk["product"],
        t("sales.col.remaining"): risk["remaining_qty"],
        t("sales.col.requested"): risk["requested_date"].dt.date, t("sales.col.promised"): risk["promised_date"].dt.date,
        t("sales.col.why"): why,
    })


# ------------------------------------------------------------------ purchasing
def late_po_view(late: pd.DataFrame, endangered: pd.DataFrame) -> pd.DataFrame:
    """Late POs (lib.sections.purchasing.open_pos rows with late) with how many order lines and customers each
    endangers (lib.sections.purchasing.endangered_lines) and the first of those lines' due dates."""
    per_po = (endangered.groupby("po").agg(lines=("line_id", "nunique"), customers=("customer", "nunique"),
                                           first_due=("line_due", "min"))
              if not endangered.empty else
              pd.DataFrame({"lines": pd.Series([], dtype="int64"), "customers": pd.Series([], dtype="int64"),
                            "first_due": pd.Series([], dtype="datetime64[ns]")}))
    view = late.merge(per_po, how="left", left_on="po", right_index=True)
    return pd.DataFrame({
        t("purchasing.col.po"): view["po"], t("purchasing.col.supplier"): view["supplier"],
        t("purchasing.col.material"): view["material"] + " " + view["material_name"].fillna(""),
        t("purchasing.col.open_qty"): view["open_qty"], t("purchasing.col.po_due"): view["due_date"].dt.date,
        t("purchasing.col.days_late"): view["days_late"],
        t("purchasing.col.lines_endangered"): view["lines"].fillna(0).astype(int),
        t("purchasing.col.customers"): view["customers"].fillna(0).astype(int),
        t("purchasing.col.first_line_due"): pd.to_datetime(view["first_due"]).dt.date,
    })


def price_variance_view(pv: pd.DataFrame) -> pd.DataFrame:
    """Price variance per material (lib.sections.purchasing.price_variance_by_material) with a bar name and
    the hover text of each bar."""
    return pv.assign(name=pv["material"] + " " + pv["material_name"].fillna(""),
                     detail=[t("purchasing.price.hover", avg=f"{a:,.2f}", std=f"{s:,.2f}", qty=f"{n:,.0f}")
                             for a, s, n in zip(pv["avg_price"], pv["std_price"].fillna(0), pv["qty"])])


def supplier_ranking(rank: pd.DataFrame, *, target: float | None, band: float, top: int = 10,
                     height: int | None = None) -> go.Figure:
    """Supplier on-time (lib.sections.purchasing.supplier_otd_ranking) as bars against the target, worst on top."""
    r = rank.assign(name=rank["supplier"] + " " + rank["supplier_name"].fillna(""),
                    detail=[t("purchasing.otd.hover", on_time=f"{a:,.0f}", due=f"{b:,.0f}")
                            for a, b in zip(rank["qty_on_time"], rank["qty_due"])])
    return charts_b.rate_bars(r, "name", "on_time_rate", x_title=t("purchasing.axis.on_time_rate"),
                              target=target, target_label=t("purchasing.target"), band=band,
                              hover="detail", top=top, height=height)


# ------------------------------------------------------------------ quality
def fpy_trend(trend: pd.DataFrame, *, stage: str, target: float | None, height: int = 420) -> go.Figure | None:
    """First-pass yield per week, one line per production line, for one stage
    (lib.sections.quality.yield_trend); None when the stage has no inspections."""
    d = trend[trend["stage"] == stage] if not trend.empty else trend
    if d.empty:
        return None
    wide = d.pivot_table(index="week", columns="line", values="fpy").reset_index()
    series = [(line, line, charts.colour_for(line)) for line in wide.columns if line != "week"]
    fig = charts.trend(wide, "week", series, x_title=t("quality.axis.week"), y_title=t("quality.axis.fpy"),
                       target=target, target_label=t("quality.target"), height=height)
    return charts_b.zoom_rate_axis(fig, d["fpy"], target)


def defect_pareto(pareto: pd.DataFrame, *, top: int = 10, height: int = 420) -> go.Figure:
    """The defect Pareto (lib.sections.quality.defect_pareto), the `top` largest defect types."""
    return charts.pareto(pareto.head(top), "defect_type", "qty", x_title=t("quality.axis.defect_type"),
                         y_title=t("quality.axis.defect_qty"), cum_label=t("quality.axis.cumulative"),
                         category_labels={"": t("quality.defect.unrecorded")}, colours={"": "#bab0ac"},
                         height=height)


# ------------------------------------------------------------------ engineering
def npi_gantt(milestones: pd.DataFrame, *, today, height: int | None = None, names: bool = True) -> go.Figure:
    """NPI milestones plan vs actual (lib.sections.engineering.npi_milestones) with today's line; rows are
    labelled project (with its name when `names`) · seq milestone."""
    project = milestones["project"] + (" " + milestones["project_name"] if names else "")
    m = milestones.assign(row=project + " · " + milestones["seq"].astype(str) + " " + milestones["milestone"])
    labels = {"plan": t("engineering.gantt.plan"), "today": t("engineering.gantt.today"),
              **{s: t(f"engineering.state.{s}") for s in ("on_time", "late", "overdue", "open")}}
    return charts_b.gantt(m, row="row", plan_start="plan_start", plan_end="planned_date", actual_start="actual_start",
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


# ------------------------------------------------------------------ projector
def projector(fig: go.Figure, *, height: int | None = None, font: int = 22) -> go.Figure:
    """A copy of `fig` with larger type (and optionally another height) for the projector."""
    big = go.Figure(fig)
    big.update_layout(font=dict(size=font), legend=dict(font=dict(size=font - 2)))
    big.update_annotations(font_size=font - 2)
    # drawn without Streamlit's chart theme, which is what otherwise makes room for tick labels
    big.update_xaxes(automargin=True)
    big.update_yaxes(automargin=True)
    if height:
        big.update_layout(height=height)
    return big


def backlog_view(backlog: pd.DataFrame) -> pd.DataFrame:
    """Inspections waiting (lib.sections.quality inspection backlog): date, stage, what, qty, days waiting."""
    what = [" · ".join(str(x) for x in (r.supplier, r.material, r.po, r.line, r.product, r.lot) if isinstance(x, str) and x)
            for r in backlog.itertuples()]
    return pd.DataFrame({
        t("quality.col.date"): backlog["date"].dt.date,
        t("quality.col.stage"): translated(backlog["stage"], "quality.stage."),
        t("quality.col.what"): what,
        t("quality.col.qty"): backlog["qty_inspected"], t("quality.col.days_waiting"): backlog["days_waiting"],
    })
