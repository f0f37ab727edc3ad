"""Engineering / process (工艺): new-product progress, drawing release, engineering changes and
the orders they touch, method and process improvements."""
import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.sections import engineering as eng
from lib.ui import filters, section, state
from lib.ui.charts import basic
from lib.ui.charts import engineering as engineering_charts
from lib.ui.frames import translated_codes
from lib.ui.widgets import downloads, empty, flagged_table


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    section.section_header(db, "engineering", f, as_of)
    _, c_tgt = st.columns([5, 1])
    with c_tgt:
        section.targets_form(db, [("target_npi_ontime", "pct"), ("target_drawing_ontime", "pct")], key="eng-targets")

    section.section_tiles(db, "engineering", f, as_of)
    milestones = section.load(db, eng.npi_milestones, f, as_of)
    dwg = section.load(db, eng.drawings, f, as_of)
    ecn = section.load(db, eng.ecn_summary, f, as_of)

    # ------------------------------------------------------------------ NPI Gantt
    st.subheader(t("engineering.npi.title"), help=t("engineering.npi.help"))
    if milestones.empty:
        empty("engineering.npi.none")
    else:
        fig = engineering_charts.npi_gantt(milestones, today=as_of)
        section.figure(fig, translated_codes(milestones, {"project_status": "engineering.project_status.",
                                                          "state": "engineering.state."}),
                       "npi-milestones", "eng-gantt")
        projects = section.load(db, eng.npi_projects, f, as_of)
        st.dataframe(pd.DataFrame({
            t("engineering.col.project"): projects["project"] + " " + projects["project_name"],
            t("engineering.col.customer"): [section.customer_label(c, n) for c, n in
                                            zip(projects["customer"], projects["customer_name"])],
            t("engineering.col.status"): [t(f"engineering.project_status.{s}") for s in projects["project_status"]],
            t("engineering.col.target"): projects["target_date"].dt.date,
            t("engineering.col.met"): [f"{a}/{b}" for a, b in zip(projects["met"], projects["milestones"])],
            t("engineering.col.overdue"): projects["overdue"],
            t("engineering.col.next"): projects["next_milestone"].fillna("—"),
            t("engineering.col.next_planned"): projects["next_planned"].dt.date,
        }), hide_index=True, width="stretch", placeholder="")

    # ------------------------------------------------------------------ drawings
    st.subheader(t("engineering.drawings.title"), help=t("engineering.kpi.drawing_ontime.help"))
    c1, c2 = st.columns([2, 3])
    with c1:
        weekly = section.load(db, eng.drawing_weekly, f, as_of)
        if weekly.empty:
            empty("engineering.drawings.none")
        else:
            long = weekly.melt(id_vars="week", value_vars=["on_time", "late", "not_released"], var_name="state",
                               value_name="drawings")
            fig = basic.stacked_bars(long, "week", "state", "drawings", x_title=t("engineering.axis.week"),
                                      y_title=t("engineering.axis.drawings"),
                                      colours={"on_time": basic.STATE["on_time"], "late": basic.STATE["late"],
                                               "not_released": basic.STATE["overdue"]},
                                      stack_labels={k: t(f"engineering.dstate.{k}") for k in ("on_time", "late", "not_released")},
                                      **section.partial("week", as_of, by="start"))
            section.figure(fig, weekly, "drawings-weekly", "eng-dwg-week")
    with c2:
        if dwg.empty:
            empty("engineering.drawings.none")
        else:
            view = engineering_charts.drawings_view(dwg)
            flagged_table(view, dwg["state"].eq("overdue"))
            downloads(view, "drawings", "eng-dwg")

    # ------------------------------------------------------------------ engineering changes
    st.subheader(t("engineering.ecn.title"), help=t("engineering.ecn.help"))
    if ecn.empty:
        empty("engineering.ecn.none")
    else:
        view = pd.DataFrame({
            t("engineering.col.ecn"): ecn["ecn"], t("engineering.col.title"): ecn["title"],
            t("engineering.col.status"): [t(f"engineering.ecn_status.{s}") for s in ecn["status"]],
            t("engineering.col.effective"): ecn["effective_date"].dt.date,
            t("engineering.col.products"): ecn["products"], t("engineering.col.open_lines"): ecn["open_lines"],
            t("engineering.col.open_qty"): ecn["open_qty"], t("engineering.col.customers"): ecn["customers"],
            t("engineering.col.owner"): ecn["owner"].fillna(""),
        })
        st.dataframe(view, hide_index=True, width="stretch", height=min(380, 42 + 36 * len(view)), placeholder="")
        with st.expander(t("engineering.ecn.lines")):
            lines = section.load(db, eng.ecn_orders, f, as_of)
            lines = lines[lines["line_id"].notna()]
            if lines.empty:
                st.info(t("engineering.ecn.no_lines"))
            else:
                lv = pd.DataFrame({
                    t("engineering.col.ecn"): lines["ecn"],
                    t("engineering.col.order"): lines["order_no"] + "/" + lines["line_no"].astype("Int64").astype(str),
                    t("engineering.col.customer"): [section.customer_label(c, n) for c, n in
                                                    zip(lines["customer"], lines["customer_name"])],
                    t("engineering.col.product"): lines["product"],
                    t("engineering.col.open_qty"): lines["remaining_qty"], t("engineering.col.line_due"): lines["line_due"].dt.date,
                    t("engineering.col.after_effective"): [t("common.yes") if x else t("common.no")
                                                           for x in lines["after_effective"]],
                })
                st.dataframe(lv, hide_index=True, width="stretch", height=380, placeholder="")
                downloads(lv, "ecn-order-lines", "eng-ecn-lines")

    # ------------------------------------------------------------------ improvements
    st.subheader(t("engineering.imp.title"), help=t("engineering.imp.help"))
    imp = section.load(db, eng.improvements, f, as_of)
    if imp.empty:
        empty("engineering.imp.none")
    else:
        c1, c2 = st.columns([1, 2])
        with c1:
            hours = section.load(db, eng.improvement_hours, f, as_of)
            d = hours.assign(kind=[t(f"engineering.kind.{k}") for k in hours["kind"]])
            fig = basic.stacked_bars(d, "kind", "status", "expected_hours_saved", x_title=t("engineering.axis.kind"),
                                      y_title=t("engineering.axis.hours_saved"),
                                      colours={"done": basic.STATE["on_time"], "in_progress": "#4e79a7", "idea": "#bab0ac"},
                                      stack_labels={s: t(f"engineering.imp_status.{s}") for s in ("done", "in_progress", "idea")},
                                      height=380)
            section.figure(fig, hours, "improvement-hours", "eng-imp-hours")
        with c2:
            view = pd.DataFrame({
                t("engineering.col.title"): imp["title"],
                t("engineering.col.kind"): [t(f"engineering.kind.{k}") for k in imp["kind"]],
                t("engineering.col.work_center"): imp["work_center"].fillna(""),
                t("engineering.col.owner"): imp["owner"].fillna(""),
                t("engineering.col.status"): [t(f"engineering.imp_status.{s}") for s in imp["status"]],
                t("engineering.col.due"): imp["due_date"].dt.date,
                t("engineering.col.expected_hours"): imp["expected_hours_saved"],
                t("engineering.col.actual_hours"): imp["actual_hours_saved"],
            })
            flagged_table(view, imp["overdue"].astype(bool))
            downloads(view, "improvements", "eng-imp")

    st.divider()
    section.actions_panel(db, "engineering", as_of)
