"""Sales / customer service (客服): delivery performance, new orders, backlog, shipments vs plan,
re-promises, order changes, complaints, at-risk lines, and the department's open items."""
from dataclasses import replace

import streamlit as st

from lib.i18n import t
from lib.sections import sales
from lib.ui import filters, section, state, theme
from lib.ui.charts import basic
from lib.ui.charts import capacity as capacity_charts
from lib.ui.charts import sales as sales_charts
from lib.ui.widgets import downloads, empty


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    section.section_header(db, "sales", f, as_of, title=t("sales.title"))

    top = st.columns([3, 1, 1])
    names = section.load(db, sales.customers)
    label_of = dict(zip(names["customer"], names["name"]))
    chosen = top[0].multiselect(t("sales.customers"), names["customer"].tolist(), key="sales_customers",
                                format_func=lambda c: f"{c} · {label_of.get(c, c)}", placeholder=t("filter.all"))
    f = replace(f, customers=tuple(chosen))
    grain = top[1].segmented_control(t("section.grain"), ["week", "month"], default="week", key="sales_grain",
                                     format_func=lambda g: t(f"section.grain.{g}")) or "week"
    with top[2]:
        section.targets_form(db, [("target_otd", "pct"), ("target_otif", "pct"), ("target_repromise_rate", "ratio"),
                                  ("target_open_complaints", "count"), ("target_complaint_days", "days")], key="sales-targets")

    tiles = section.section_tiles(db, "sales", f, as_of)

    unit = t(f"section.axis.{grain}")
    now = section.partial(grain, as_of)          # the bucket holding today is drawn as "to date"

    # ------------------------------------------------------------------ delivery performance
    left, right = st.columns(2)
    with left:
        st.subheader(t("sales.otd_trend"), help=t("sales.otd_trend.help"))
        trend = section.load(db, sales.delivery_trend, f, as_of, grain)
        if trend.empty:
            empty()
        else:
            fig = section.build(sales_charts.otd_trend, trend, target=tiles[0].target, x_title=unit, **now)
            section.figure(fig, trend, "otd-trend", "sales-otd")
    with right:
        st.subheader(t("sales.new_orders"), help=t("sales.new_orders.help"))
        new = section.load(db, sales.new_orders, f, grain)
        measure = st.segmented_control(t("sales.measure"), ["value", "qty", "lines"], default="value",
                                       key="sales_new_measure", format_func=lambda m: t(f"sales.measure.{m}")) or "value"
        if new.empty:
            empty()
        else:
            fig = section.build(basic.stacked_bars, new, "label", "customer", measure, x_title=unit,
                                y_title=t(f"sales.axis.{measure}"), other_label=t("sales.other_customers"),
                                stack_labels=section.customer_labels(new), **now)
            section.figure(fig, new, "new-orders", "sales-new")

    # ------------------------------------------------------------------ shipments and backlog
    left, right = st.columns(2)
    with left:
        st.subheader(t("sales.shipments"), help=t("sales.shipments.help"))
        ship = section.load(db, sales.shipments_vs_plan, f, grain)
        if ship.empty:
            empty()
        else:
            fig = section.build(basic.bars, ship, "label", [("planned_qty", t("sales.planned_ship"), theme.PLAN),
                                              ("shipped_qty", t("sales.shipped"), theme.ACTUAL)],
                              x_title=unit, y_title=t("sales.qty_pcs"), **now)
            section.figure(fig, ship, "shipments-vs-plan", "sales-ship")
    with right:
        backlog = section.load(db, sales.backlog, f, as_of)
        st.subheader(t("sales.backlog", lines=len(backlog), value=f"¥{backlog['remaining_value'].sum():,.0f}"),
                     help=t("sales.backlog.help"))
        if backlog.empty:
            empty()
        else:
            by_week = (backlog.assign(state=backlog["overdue"].map({True: "overdue", False: "due"}))
                       .groupby(["due_label", "state"], as_index=False)["remaining_value"].sum())
            fig = section.build(basic.stacked_bars, by_week, "due_label", "state", "remaining_value", x_title=t("sales.due_week"),
                                      y_title=t("sales.value_cny"), colours={"overdue": theme.GAP, "due": theme.ACTUAL},
                                      stack_labels={"overdue": t("sales.overdue"), "due": t("sales.not_yet_due")})
            section.figure(fig, backlog, "backlog", "sales-backlog")

    # ------------------------------------------------------------------ changes and re-promises
    left, right = st.columns(2)
    with left:
        st.subheader(t("sales.changes"), help=t("sales.changes.help"))
        changes = section.load(db, sales.order_changes, f)
        if changes.empty:
            empty()
        else:
            view = changes.assign(kind_label=[t(f"sales.kind.{k}") for k in changes["kind"]])
            fig = section.build(basic.stacked_bars, view, "kind_label", "source", "changes", x_title=t("sales.change_kind"),
                                      y_title=t("sales.count_changes"),
                                      colours={"external": theme.DEPARTMENT["sales"], "internal": theme.DEPARTMENT["pmc"]},
                                      stack_labels={"external": t("sales.external"), "internal": t("sales.internal")})
            section.figure(fig, lambda: section.load(db, sales.order_change_list, f), "order-changes", "sales-changes")
            load_add = changes["load_hours"].clip(lower=0).sum()
            load_free = -changes["load_hours"].clip(upper=0).sum()
            st.markdown(t("sales.changes.load", add=f"{load_add:,.0f}", free=f"{load_free:,.0f}"))
    with right:
        st.subheader(t("sales.repromises"), help=t("sales.repromises.help"))
        rp = section.load(db, sales.repromises, f, grain)
        if rp.empty:
            empty()
        else:
            fig = section.build(basic.bars, rp, "label", [("promises", t("sales.promises"), theme.PLAN),
                                            ("repromises", t("sales.repromise_n"), theme.GAP)],
                              x_title=unit, y_title=t("sales.count_promises"), **now)
            section.figure(fig, lambda: section.load(db, sales.repromised_lines, f), "repromised-lines", "sales-rp")

    # ------------------------------------------------------------------ who changes orders
    st.subheader(t("sales.changers"), help=t("sales.changers.help"))
    who = section.load(db, sales.changes_by_customer, f)
    if who.empty:
        empty()
    else:
        who = who.assign(label=[section.customer_label(c, n) for c, n in zip(who["customer"], who["customer_name"])])
        fig = section.build(basic.ranked_bars, who, "label", "changes", x_title=t("sales.count_changes"), top=8,
                            colour=theme.DEPARTMENT["sales"], height=min(420, 80 + 40 * min(len(who), 8)))
        section.figure(fig, who, "changes-by-customer", "sales-changers")

    # ------------------------------------------------------------------ complaints
    st.subheader(t("sales.complaints"), help=t("sales.complaints.help"))
    summary = section.load(db, sales.complaints_summary, f)
    left, right = st.columns(2)
    if summary.empty:
        empty()
    else:
        with left:
            by_cat = summary.groupby("category", as_index=False)[["received", "open"]].sum()
            by_cat["category"] = [t(f"sales.cat.{c}") for c in by_cat["category"]]
            fig = section.build(basic.bars, by_cat, "category", [("received", t("sales.received"), theme.PLAN),
                                                   ("open", t("sales.open"), theme.GAP)],
                              x_title=t("sales.category"), y_title=t("sales.count_complaints"))
            section.figure(fig, summary, "complaints-summary", "sales-compl")
        with right:
            by_cust = summary.groupby(["customer", "customer_name"], as_index=False)[["received", "open"]].sum()
            by_cust["total"] = by_cust["open"] + by_cust["received"]
            by_cust["label"] = [section.customer_label(c, n) for c, n in zip(by_cust["customer"], by_cust["customer_name"])]
            fig = section.build(basic.ranked_bars, by_cust[by_cust["open"] > 0], "label", "open", x_title=t("sales.open_complaints"),
                                     colour_by_name=True, top=8)
            if (by_cust["open"] > 0).any():
                section.figure(fig, section.load(db, sales.open_complaints, f, as_of), "open-complaints", "sales-open-compl")
            else:
                st.info(t("sales.no_open_complaints"))

    # ------------------------------------------------------------------ at-risk lines
    risk = section.load(db, sales.at_risk_lines, f, as_of)
    st.subheader(t("sales.at_risk", n=len(risk)), help=t("sales.at_risk.help"))
    if risk.empty:
        st.info(t("sales.no_risk"))
    else:
        view = section.derive(db, capacity_charts.late_view, risk, "at_risk_lines", f, as_of)
        shown = view.head(1000)     # drawn rows are bounded; the downloads carry every line
        st.dataframe(shown, hide_index=True, width="stretch", height=section.table_height(len(shown)), placeholder="")
        if len(view) > len(shown):
            st.caption(t("scale.first_rows", shown=len(shown), total=len(view)))
        downloads(view, "at-risk-lines", "sales-risk-dl")

    section.actions_panel(db, "sales", as_of)
