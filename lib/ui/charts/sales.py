"""Sales figures and table views, shared by its page and presenter mode."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui import theme
from lib.ui.charts import basic
from lib.ui.frames import translated


# ------------------------------------------------------------------ sales
def otd_trend(trend: pd.DataFrame, *, target: float | None, x_title: str, height: int = 420, partial=None,
              partial_label: str | None = None) -> go.Figure:
    """Delivery performance per period (lib.sections.sales.delivery_trend): OTD against the latest and the
    original promise and OTIF, with the OTD target; the `partial` period (today's) drawn as to date."""
    return basic.trend(trend, "label", [("otd_latest", t("sales.otd_latest"), theme.ACTUAL),
                                         ("otd_original", t("sales.otd_original"), basic.SECOND),
                                         ("otif", t("sales.otif"), basic.PALETTE[2])],
                        x_title=x_title, y_title=t("sales.share_lines"), target=target,
                        target_label=t("sales.target_otd"), height=height, partial=partial,
                        partial_label=partial_label)


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
