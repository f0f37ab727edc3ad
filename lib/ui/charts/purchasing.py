"""Purchasing figures and table views, shared by its page and presenter mode."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui.charts import basic


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
        t("purchasing.col.po"): view["po"],
        t("purchasing.col.supplier"): [f"{c} · {n}" if isinstance(n, str) and n and n != c else c
                                       for c, n in zip(view["supplier"], view.get("supplier_name", view["supplier"]))],
        t("purchasing.col.material"): view["material"] + " " + view["material_name"].fillna(""),
        t("purchasing.col.open_qty"): view["open_qty"], t("purchasing.col.po_due"): view["due_date"].dt.date,
        t("purchasing.col.days_late"): view["days_late"],
        t("purchasing.col.lines_endangered"): view["lines"].fillna(0).astype(int),
        t("purchasing.col.customers"): view["customers"].fillna(0).astype(int),
        # a late PO that endangers no line has no first due date: blank, not "None", on the screen
        t("purchasing.col.first_line_due"): [d.date().isoformat() if pd.notna(d) else ""
                                             for d in pd.to_datetime(view["first_due"])],
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
    return basic.rate_bars(r, "name", "on_time_rate", x_title=t("purchasing.axis.on_time_rate"),
                              target=target, target_label=t("purchasing.target"), band=band,
                              hover="detail", top=top, height=height)
