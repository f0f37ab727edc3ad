"""PMC (生产及物料控制): plan vs actual output, plan achievement, ahead/behind causes with
countermeasures, shortage idle hours, capacity load, items needing other departments."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.plan import capacity, late
from lib.sections import pmc
from lib.text import t_md
from lib.ui import filters, nav, section, state, theme
from lib.ui.charts import basic
from lib.ui.charts import capacity as capacity_charts
from lib.ui.charts.capacity import heatmap
from lib.ui.widgets import downloads, empty, flagged_table


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    section.section_header(db, "pmc", f, as_of, title=t("pmc.title"))

    top = st.columns([1, 1, 2, 1])
    grain = top[0].segmented_control(t("section.grain"), ["day", "week", "month"], default="day", key="pmc_grain",
                                     format_func=lambda g: t(f"section.grain.{g}")) or "day"
    by = top[1].selectbox(t("pmc.by"), ["all", "line", "work_center", "product"], key="pmc_by",
                          format_func=lambda b: t(f"pmc.by.{b}"))
    ranking = section.load(db, pmc.gap_ranking, f, "line" if by == "all" else by)
    item = None
    if by != "all":
        options = ranking["name"].dropna().tolist()          # most behind first
        item = top[2].selectbox(t(f"pmc.by.{by}"), options, key=f"pmc_item_{by}") if options else None
    with top[3]:
        section.targets_form(db, [("target_plan_achievement", "pct"), ("target_shortage_idle", "pct")], key="pmc-targets")

    tiles = section.section_tiles(db, "pmc", f, as_of)
    notes = section.load(db, pmc.variance_notes, f, as_of)

    trend_grain = "week" if grain == "day" else grain       # trends read better by week than by day

    # ------------------------------------------------------------------ plan vs actual
    what = t("pmc.by.all") if by == "all" else f"{t(f'pmc.by.{by}')} {item or ''}"
    st.subheader(t_md("pmc.plan_actual", what=what), help=t("pmc.plan_actual.help"))     # names a line or product
    pva = section.load(db, pmc.plan_vs_actual, f, grain, None if by == "all" else by)
    if by != "all" and not pva.empty:
        pva = pva[pva[by] == item]
    if pva.empty:
        empty()
    else:
        labels = dict(plan=t("pmc.plan"), actual=t("pmc.actual"), cum_plan=t("pmc.cum_plan"),
                      cum_actual=t("pmc.cum_actual"), gap=t("pmc.gap"))
        fig = section.build(basic.plan_vs_actual, pva, "label", labels=labels, x_title=t(f"section.axis.{grain}"),
                                    y_title=t("pmc.qty_pcs"), cum_title=t("pmc.cum_qty"), **section.partial(grain, as_of))
        section.figure(fig, pva, "plan-vs-actual", "pmc-pva")

    left, right = st.columns(2)
    with left:
        st.subheader(t("pmc.achievement_trend"), help=t("kpi.plan_achievement.help"))
        weekly = section.load(db, pmc.plan_vs_actual, f, trend_grain)
        if weekly.empty:
            empty()
        else:
            fig = section.build(basic.trend, weekly, "label", [("achievement", t("kpi.plan_achievement"), theme.ACTUAL)],
                               x_title=t(f"section.axis.{trend_grain}"),
                               y_title=t("pmc.achievement_pct"), target=tiles[0].target, target_label=t("pmc.target"),
                               **section.partial(trend_grain, as_of))
            section.figure(fig, weekly, "plan-achievement", "pmc-ach")
    with right:
        dim = "line" if by == "all" else by
        st.subheader(t("pmc.behind_most", by=t(f"pmc.by.{dim}").lower()), help=t("pmc.behind_most.help"))
        behind = ranking.assign(shortfall=-ranking["gap"])
        behind = behind[behind["shortfall"] > 0]
        if behind.empty:
            st.info(t("pmc.none_behind"))
        else:
            fig = section.build(basic.ranked_bars, behind, "name", "shortfall", x_title=t("pmc.shortfall_pcs"), top=10)
            section.figure(fig, ranking, "gap-ranking", "pmc-rank")

    # ------------------------------------------------------------------ causes and countermeasures
    st.subheader(t("pmc.causes"), help=t("pmc.causes.help"))
    direction = st.segmented_control(t("pmc.direction"), ["behind", "ahead"], default="behind", key="pmc_direction",
                                     format_func=lambda d: t(f"pmc.direction.{d}")) or "behind"
    pareto = section.load(db, pmc.cause_pareto, f, direction)
    left, right = st.columns([2, 3])
    with left:
        if pareto.empty:
            empty()
        else:
            fig = section.build(basic.pareto, pareto, "cause_category", "qty_impact", x_title=t("pmc.cause"),
                                y_title=t("pmc.qty_impact_pcs"), cum_label=t("pmc.cum_share"), colours=theme.CAUSE,
                                category_labels={c: t(f"cause.{c}") for c in theme.CAUSE})
            section.figure(fig, pareto, "cause-pareto", "pmc-pareto")
    with right:
        shown = notes[notes["direction"] == direction] if not notes.empty else notes
        if shown.empty:
            st.info(t("pmc.no_notes"))
        else:
            view = pd.DataFrame({
                t("pmc.col.cause"): [t(f"cause.{c}") for c in shown["cause_category"]],
                t("pmc.col.where"): shown["line"].fillna(shown["work_center"]).fillna("") + " " + shown["product"].fillna(""),
                t("pmc.col.what"): shown["description"],
                t("pmc.col.qty"): shown["qty_impact"].round(0).astype("Int64"),
                t("pmc.col.countermeasure"): shown["countermeasure"].fillna(""),
                t("pmc.col.owner"): shown["owner"].fillna(""),
                t("pmc.col.due"): shown["due_date"].dt.date,
                t("pmc.col.status"): [t(f"pmc.status.{s}") for s in shown["status"]],
            })
            flagged_table(view, shown["overdue"].fillna(False).astype(bool), height=section.table_height(len(view)))
            downloads(view, "ahead-behind-notes", "pmc-notes-dl")

    # ------------------------------------------------------------------ shortage idle
    left, right = st.columns(2)
    with left:
        st.subheader(t("pmc.shortage"), help=t("pmc.kpi.shortage_idle.help"))
        idle = section.load(db, pmc.shortage_idle, f, trend_grain)
        if idle.empty or not idle["idle_hours"].any():
            st.info(t("pmc.no_shortage"))
        else:
            fig = section.build(basic.bars, idle, "label", [("idle_hours", t("pmc.idle_hours"), theme.GAP)],
                              x_title=t(f"section.axis.{trend_grain}"),
                              y_title=t("pmc.hours"), overlay_line=("idle_rate", t("pmc.idle_rate"), theme.CUMULATIVE),
                              pct_line=True, **section.partial(trend_grain, as_of))
            section.figure(fig, idle, "shortage-idle", "pmc-idle")
    with right:
        st.subheader(t("pmc.shortage_materials"), help=t("pmc.shortage_materials.help"))
        mats = section.load(db, pmc.shortage_by_material, f)
        if mats.empty:
            st.info(t("pmc.no_shortage"))
        else:
            per = mats.groupby("material", as_index=False)["idle_hours"].sum()
            fig = section.build(basic.ranked_bars, per, "material", "idle_hours", x_title=t("pmc.idle_hours_h"), top=10)
            section.figure(fig, mats, "shortage-materials", "pmc-mats")

    # ------------------------------------------------------------------ capacity load
    st.subheader(t("pmc.capacity"), help=t("pmc.capacity.help"))
    load = section.load(db, capacity.load, as_of, "week")
    if f.lines and not load.empty:
        load = load[load["work_center"].isin(section.load(db, pmc.work_centers_of, f.lines))]
    if load.empty:
        empty()
    else:
        section.figure(section.build(heatmap, load), load, "capacity-load", "pmc-load")
    nav.link("capacity", t("pmc.capacity.link"), ":material/grid_on:")

    # ------------------------------------------------------------------ the late list
    late_lines = section.load(db, late.late_lines, as_of, replace(f, customers=()))
    st.subheader(t("pmc.late", n=len(late_lines)), help=t("kpi.late_lines.help"))
    if late_lines.empty:
        st.success(t("pmc.no_late"))
    else:
        view = section.derive(db, capacity_charts.late_view, late_lines, "late_lines", f, as_of)
        shown = view.head(1000)
        flagged_table(shown, (late_lines["due_date"] < pd.Timestamp(as_of)).head(1000),
                      height=section.table_height(len(shown)))
        if len(view) > len(shown):
            st.caption(t("scale.first_rows", shown=len(shown), total=len(view)))
        downloads(view, "late-lines", "pmc-late-dl")

    # ------------------------------------------------------------------ needs other departments
    needs = section.load(db, pmc.needs_other_departments, f, as_of)
    st.subheader(t("pmc.needs", n=len(needs)), help=t("pmc.needs.help"))
    if needs.empty:
        st.info(t("pmc.no_needs"))
    else:
        view = pd.DataFrame({
            t("pmc.col.kind"): [t(f"pmc.need.{k}") for k in needs["kind"]],
            t("pmc.col.department"): [t(f"dept.{d}") for d in needs["department"]],
            t("pmc.col.what"): needs["item"], t("pmc.col.owner"): needs["owner"],
            t("pmc.col.supplier"): needs["supplier"],
            t("pmc.col.due"): needs["due_date"].dt.date,
        })
        flagged_table(view, needs["overdue"].fillna(False).astype(bool), height=section.table_height(len(view)))
        downloads(view, "needs-other-departments", "pmc-needs-dl")

    section.actions_panel(db, "pmc", as_of)
