"""Quality (品质): supplier quality, first-pass yield by line, defects, complaints from the
quality side, the inspection backlog and material on hold."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from lib import settings
from lib.i18n import t
from lib.sections import purchasing as pur
from lib.sections import quality as q
from lib.ui import filters, section, state, theme
from lib.ui.charts import basic
from lib.ui.charts import quality as quality_charts
from lib.ui.charts import sales as sales_charts
from lib.ui.widgets import TABLE_ROWS, downloads, empty


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    section.section_header(db, "quality", f, as_of)
    c_sup, c_tgt = st.columns([5, 1])
    chosen = c_sup.multiselect(t("quality.supplier"), section.load(db, pur.suppliers), key="qa_suppliers",
                               placeholder=t("filter.all"), help=t("quality.supplier.help"))
    f = replace(f, suppliers=tuple(chosen))
    with c_tgt:
        section.targets_form(db, [("target_incoming_fp", "pct"), ("target_fpy", "pct")], key="qa-targets")

    with db.cursor() as cur:
        target_fp = settings.get("target_incoming_fp", cur)
        target_fpy = settings.get("target_fpy", cur)
        band = settings.get("amber_band", cur)

    section.section_tiles(db, "quality", f, as_of)
    backlog = section.load(db, q.inspection_backlog, as_of, f)
    hold = section.load(db, q.material_on_hold, f)

    # ------------------------------------------------------------------ incoming (supplier quality)
    st.subheader(t("quality.incoming.title"), help=t("quality.kpi.incoming_fp.help"))
    by = st.segmented_control(t("quality.incoming.by"), ["supplier", "material"], default="supplier", key="qa_by",
                              format_func=lambda k: t(f"quality.incoming.by.{k}")) or "supplier"
    inc = section.load(db, q.incoming_by, f, by)
    if inc.empty:
        empty("quality.incoming.none")
    else:
        # a supplier or material by its code and name, as Purchasing names them (S-003 昆山立信连接器)
        d = inc.assign(detail=[t("quality.incoming.hover", lots=a, failed=b, held=c)
                               for a, b, c in zip(inc["lots"], inc["failed"], inc["held"])],
                       label=[f"{k} {n}" if isinstance(n, str) and n and n != k else k
                              for k, n in zip(inc[by], inc["name"])])
        fig = basic.rate_bars(d, "label", "first_pass_rate", x_title=t("quality.axis.first_pass_rate"),
                                 target=target_fp, target_label=t("quality.target"), band=band, hover="detail", top=10)
        section.figure(fig, inc, f"incoming-first-pass-by-{by}", "qa-inc")

    # ------------------------------------------------------------------ first-pass yield by line
    st.subheader(t("quality.fpy.title"), help=t("quality.fpy.help"))
    stage = st.segmented_control(t("quality.fpy.stage"), ["in_process", "final"], default="final", key="qa_stage",
                                 format_func=lambda k: t(f"quality.stage.{k}")) or "final"
    c1, c2 = st.columns([3, 2])
    trend = section.load(db, q.yield_trend, f)
    with c1:
        fig = quality_charts.fpy_trend(trend, stage=stage, target=target_fpy, **section.partial("week", as_of, by="start"))
        if fig is None:
            empty("quality.fpy.none")
        else:
            section.figure(fig, trend[trend["stage"] == stage], f"first-pass-yield-{stage}", "qa-fpy")
    with c2:
        lines = section.load(db, q.yield_by_line, f)
        lines = lines[lines["stage"] == stage] if not lines.empty else lines
        if lines.empty:
            empty("quality.fpy.none")
        else:
            fig = basic.rate_bars(lines, "line", "fpy", x_title=t("quality.axis.fpy"), target=target_fpy,
                                     target_label=t("quality.target"), band=band)
            basic.zoom_rate_axis(fig, lines["fpy"], target_fpy, axis="x")
            section.figure(fig, lines, f"first-pass-yield-by-line-{stage}", "qa-fpy-line")

    # ------------------------------------------------------------------ defects
    st.subheader(t("quality.pareto.title"), help=t("quality.pareto.help"))
    pareto = section.load(db, q.defect_pareto, f)
    if pareto.empty:
        empty("quality.pareto.none")
    else:
        fig = quality_charts.defect_pareto(pareto)
        section.figure(fig, pareto, "defect-pareto", "qa-pareto")

    # ------------------------------------------------------------------ complaints
    st.subheader(t("quality.complaints.title"), help=t("quality.complaints.help"))
    comp = section.load(db, q.quality_complaints, f, as_of)
    causes = section.load(db, q.complaint_causes, f)
    c1, c2 = st.columns([3, 2])
    with c1:
        if comp.empty:
            empty("quality.complaints.none")
        else:
            view = pd.DataFrame({
                t("quality.col.complaint"): comp["complaint"],
                t("quality.col.customer"): [section.customer_label(c, n) for c, n in zip(comp["customer"], comp["customer_name"])],
                t("quality.col.product"): comp["product"], t("quality.col.received"): comp["received_date"].dt.date,
                t("quality.col.severity"): [t(f"quality.severity.{s}") for s in comp["severity"]],
                t("quality.col.cause"): [t(f"cause.{c}") if isinstance(c, str) and c else t("quality.cause.unknown")
                                         for c in comp["cause_category"]],
                t("quality.col.d8"): [f"D{int(s)}/8" for s in comp["d8_step"]],
                t("quality.col.status"): [t(f"quality.status.{s}") for s in comp["status"]],
                t("quality.col.owner"): comp["owner"].fillna(""),
                t("quality.col.days_open"): comp["days_open"],
                t("quality.col.description"): comp["description"],
            })
            st.dataframe(view.head(TABLE_ROWS), hide_index=True, width="stretch", height=min(420, 42 + 36 * len(view)),
                         column_config={t("quality.col.d8"): st.column_config.TextColumn(help=t("quality.d8.help"))}, placeholder="")
            if len(view) > TABLE_ROWS:   # drawn rows bounded; the download has all
                st.caption(t("scale.first_rows", shown=TABLE_ROWS, total=len(view)))
            downloads(view, "quality-complaints", "qa-comp")
    with c2:
        if causes.empty:
            empty("quality.complaints.none")
        else:
            d = causes.assign(label=[t(f"cause.{c}") if c else t("quality.cause.unknown") for c in causes["cause_category"]])
            fig = basic.ranked_bars(d, "label", "complaints", x_title=t("quality.axis.complaints"),
                                     colour=theme.DEPARTMENT["quality"], height=320)
            section.figure(fig, causes, "complaint-causes", "qa-causes")

    # ------------------------------------------------------------------ backlog and hold
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(t("quality.backlog.title", n=len(backlog)), help=t("quality.backlog.help"))
        if backlog.empty:
            empty("quality.backlog.none")
        else:
            view = section.derive(db, sales_charts.backlog_view, backlog, "quality.backlog", f, as_of)
            st.dataframe(view.head(TABLE_ROWS), hide_index=True, width="stretch", height=min(380, 42 + 36 * len(view)), placeholder="")
            if len(view) > TABLE_ROWS:   # drawn rows bounded; the download has all
                st.caption(t("scale.first_rows", shown=TABLE_ROWS, total=len(view)))
            downloads(view, "inspection-backlog", "qa-backlog")
    with c2:
        st.subheader(t("quality.hold.title", n=len(hold)), help=t("quality.hold.help"))
        if hold.empty:
            empty("quality.hold.none")
        else:
            view = pd.DataFrame({
                t("quality.col.material"): hold["material"] + " " + hold["material_name"].fillna(""),
                t("quality.col.supplier"): hold["supplier"].fillna(""), t("quality.col.on_hold"): hold["on_hold"],
                t("quality.col.on_hand"): hold["on_hand"], t("quality.col.hold_value"): hold["hold_value"].round(0),
                t("quality.col.lots"): hold["held_lots"].fillna(""),
            })
            st.dataframe(view.head(TABLE_ROWS), hide_index=True, width="stretch", height=min(380, 42 + 36 * len(view)), placeholder="")
            if len(view) > TABLE_ROWS:   # drawn rows bounded; the download has all
                st.caption(t("scale.first_rows", shown=TABLE_ROWS, total=len(view)))
            downloads(view, "material-on-hold", "qa-hold")

    st.divider()
    section.actions_panel(db, "quality", as_of)
