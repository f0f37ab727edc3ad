"""Quality figures and table views, shared by its page and presenter mode."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import t
from lib.ui.charts import basic


# ------------------------------------------------------------------ quality
def fpy_trend(trend: pd.DataFrame, *, stage: str, target: float | None, height: int = 420, partial=None,
              partial_label: str | None = None) -> go.Figure | None:
    """First-pass yield per week, one line per production line, for one stage
    (lib.sections.quality.yield_trend); None when the stage has no inspections. `partial`: the
    Monday of the week holding today, drawn as to date."""
    d = trend[trend["stage"] == stage] if not trend.empty else trend
    if d.empty:
        return None
    wide = d.pivot_table(index="week", columns="line", values="fpy").reset_index()
    series = [(line, line, basic.colour_for(line)) for line in wide.columns if line != "week"]
    fig = basic.trend(wide, "week", series, x_title=t("quality.axis.week"), y_title=t("quality.axis.fpy"),
                       target=target, target_label=t("quality.target"), height=height, partial=partial,
                       partial_label=partial_label)
    return basic.zoom_rate_axis(fig, d["fpy"], target)


def defect_pareto(pareto: pd.DataFrame, *, top: int = 10, height: int = 420) -> go.Figure:
    """The defect Pareto (lib.sections.quality.defect_pareto), the `top` largest defect types."""
    return basic.pareto(pareto.head(top), "defect_type", "qty", x_title=t("quality.axis.defect_type"),
                         y_title=t("quality.axis.defect_qty"), cum_label=t("quality.axis.cumulative"),
                         category_labels={"": t("quality.defect.unrecorded")}, colours={"": "#bab0ac"},
                         height=height)
