"""Sales figures and table views, shared by its page and presenter mode."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui import theme
from lib.ui.charts import basic
from lib.ui.frames import translated


# ------------------------------------------------------------------ sales
def otd_trend(trend: pd.DataFrame, *, target: float | None, x_title: str, height: int = 420) -> go.Figure:
    """Delivery performance per period (lib.sections.sales.delivery_trend): OTD against the latest and the
    original promise and OTIF, with the OTD target."""
    return basic.trend(trend, "label", [("otd_latest", t("sales.otd_latest"), theme.ACTUAL),
                                         ("otd_original", t("sales.otd_original"), basic.SECOND),
                                         ("otif", t("sales.otif"), basic.PALETTE[2])],
                        x_title=x_title, y_title=t("sales.share_lines"), target=target,
                        target_label=t("sales.target_otd"), height=height)


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


def at_risk_view(risk: pd.DataFrame) -> pd.DataFrame:
    """The lines at risk (lib.sections.sales.at_risk_lines: the one late list) with translated
    headers: order/line, customer, product, remaining qty, due, projected finish, days late, why."""
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
