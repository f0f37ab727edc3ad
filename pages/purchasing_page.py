"""Purchasing (采购): supply status, late POs and the orders they endanger, supplier on-time,
prices, supplier cooperation — what purchasing brings to the coordination meeting."""
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib import settings
from lib.i18n import t
from lib.periods import label_of
from lib.sections import purchasing as pur
from lib.ui import filters, section, state, theme
from lib.ui.charts import basic
from lib.ui.charts import purchasing as purchasing_charts
from lib.ui.widgets import downloads, empty


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    section.section_header(db, "purchasing", f, as_of)
    c_sup, c_tgt = st.columns([5, 1])
    chosen = c_sup.multiselect(t("purchasing.supplier"), section.load(db, pur.suppliers), key="pur_suppliers",
                               placeholder=t("filter.all"))
    f = replace(f, suppliers=tuple(chosen))
    with c_tgt:
        section.targets_form(db, [("target_supplier_otd", "pct"), ("target_incoming_fp", "pct"),
                                  ("target_price_variance", "money")], key="pur-targets")

    with db.cursor() as cur:
        target_otd = settings.get("target_supplier_otd", cur)
        band = settings.get("amber_band", cur)

    section.section_tiles(db, "purchasing", f, as_of)
    endangered = section.load(db, pur.endangered_lines, as_of, f)
    n_lines = int(endangered["line_id"].nunique()) if not endangered.empty else 0

    # ------------------------------------------------------------------ late POs and what they endanger
    st.subheader(t("purchasing.late.title"), help=t("purchasing.late.help"))
    pos = section.load(db, pur.open_pos, as_of, f)
    late = pos[pos["late"]] if not pos.empty else pos
    if late.empty:
        empty("purchasing.late.none")
    else:
        view = purchasing_charts.late_po_view(late, endangered)
        st.dataframe(view.head(1000), hide_index=True, width="stretch", height=min(460, 42 + 36 * len(view)), placeholder="")
        if len(view) > 1000:
            st.caption(t("scale.first_rows", shown=1000, total=len(view)))
        with st.expander(t("purchasing.endangered.title", n=n_lines)):
            if endangered.empty:
                st.info(t("purchasing.endangered.none"))
            else:
                st.caption(t("purchasing.endangered.help"))
                ev = pd.DataFrame({
                    t("purchasing.col.material"): endangered["material"], t("purchasing.col.po"): endangered["po"],
                    t("purchasing.col.supplier"): endangered["supplier"],
                    t("purchasing.col.po_due"): endangered["po_due"].dt.date,
                    t("purchasing.col.order"): endangered["order_no"] + "/" + endangered["line_no"].astype(str),
                    t("purchasing.col.customer"): [section.customer_label(c, n) for c, n in
                                                   zip(endangered["customer"], endangered["customer_name"])],
                    t("purchasing.col.product"): endangered["product"],
                    t("purchasing.col.line_due"): endangered["line_due"].dt.date,
                    t("purchasing.col.need_qty"): endangered["need_qty"], t("purchasing.col.short_qty"): endangered["short_qty"],
                })
                st.dataframe(ev.head(1000), hide_index=True, width="stretch", height=420, placeholder="")
                if len(ev) > 1000:     # drawn rows are bounded; the downloads carry every line
                    st.caption(t("scale.first_rows", shown=1000, total=len(ev)))
                downloads(ev, "late-po-endangered-lines", "pur-endangered")

    # ------------------------------------------------------------------ supplier on-time
    st.subheader(t("purchasing.otd.title"), help=t("purchasing.kpi.supplier_otd.help"))
    rank = section.load(db, pur.supplier_otd_ranking, f, as_of)
    trend = section.load(db, pur.supplier_otd_trend, f, as_of)
    c1, c2 = st.columns(2)
    with c1:
        if rank.empty:
            empty("purchasing.otd.none")
        else:
            fig = purchasing_charts.supplier_ranking(rank, target=target_otd, band=band)
            section.figure(fig, rank, "supplier-on-time", "pur-rank")
    with c2:
        if trend.empty:
            empty("purchasing.otd.none")
        else:
            # weeks named as every other trend names them (2026-W49), not by a date axis's ticks
            weeks = trend.assign(label=[label_of("week", w) for w in trend["week"]])
            fig = basic.trend(weeks, "label", [("on_time_rate", t("purchasing.kpi.supplier_otd"), theme.DEPARTMENT["purchasing"])],
                               x_title=t("purchasing.axis.week"), y_title=t("purchasing.axis.on_time_rate"),
                               target=target_otd, target_label=t("purchasing.target"),
                               **section.partial("week", as_of))
            section.figure(fig, trend, "supplier-on-time-trend", "pur-trend")

    # ------------------------------------------------------------------ prices
    st.subheader(t("purchasing.price.title"), help=t("purchasing.kpi.price_variance.help"))
    c1, c2 = st.columns(2)
    with c1:
        pv = section.load(db, pur.price_variance_by_material, f)
        if pv.empty:
            empty("purchasing.price.none")
        else:
            d = section.derive(db, purchasing_charts.price_variance_view, pv, "price_variance_by_material", f)
            fig = basic.diverging_bars(d, "name", "variance", x_title=t("purchasing.axis.variance"),
                                          hover="detail", top=10)
            section.figure(fig, pv, "price-variance", "pur-pv")
    with c2:
        # the materials with the largest variance first, so the default is the one worth discussing
        quoted = section.load(db, pur.materials_quoted)
        # sets built once: rebuilding them per material was quadratic (20,000 materials: 18 s a run)
        quoted_set = set(quoted)
        mats = [m for m in (pv["material"].tolist() if not pv.empty else []) if m in quoted_set]
        first = set(mats)
        mats += [m for m in quoted if m not in first]
        if not mats:
            empty("purchasing.price.none")
        else:
            mat = st.selectbox(t("purchasing.price.material"), mats, key="pur_material")
            # prices move slowly: the trend looks back a year from the period's end
            pt = section.load(db, pur.price_trend, replace(f, start=f.end - timedelta(days=365)), (mat,))
            st.caption(t("purchasing.price.window", end=f.end.isoformat()))
            if pt.empty:
                empty("purchasing.price.none")
            else:
                wide = pt.pivot_table(index="date", columns="supplier", values="unit_price").reset_index()
                wide["_std"] = float(pt["std_price"].iloc[0] or 0)
                series = [(s, s, basic.colour_for(s)) for s in wide.columns if s not in ("date", "_std")]
                fig = basic.trend(wide, "date", series, x_title=t("purchasing.axis.date"),
                                   y_title=t("purchasing.axis.unit_price"), target=float(wide["_std"].iloc[0]),
                                   target_label=t("purchasing.price.std"), pct=False)
                section.figure(fig, pt, f"price-trend-{mat}", "pur-pt")

    # ------------------------------------------------------------------ scorecard
    st.subheader(t("purchasing.score.title"), help=t("purchasing.score.help"))
    score = section.load(db, pur.supplier_scorecard, f, as_of)
    if score.empty:
        empty("purchasing.score.none")
    else:
        pct = lambda label: st.column_config.ProgressColumn(label, format="percent", min_value=0, max_value=1)  # noqa: E731
        view = pd.DataFrame({
            "supplier": score["supplier"] + " " + score["supplier_name"].fillna(""),
            "score": score["score"], "on_time": score["on_time_rate"], "fp": score["incoming_fp"],
            "response": score["response_rate"], "days_late": score["avg_days_late"],
            "pos": score["pos_due"].fillna(0).astype(int), "lots": score["lots_inspected"].fillna(0).astype(int),
            "rush": score["rush_pos"].fillna(0).astype(int),
        })
        st.dataframe(view, hide_index=True, width="stretch", height=min(560, 42 + 36 * len(view)), column_config={
            "supplier": t("purchasing.col.supplier"),
            "score": st.column_config.ProgressColumn(t("purchasing.col.score"), format="%.0f", min_value=0, max_value=100),
            "on_time": pct(t("purchasing.col.on_time")), "fp": pct(t("purchasing.col.incoming_fp")),
            "response": pct(t("purchasing.col.response")),
            "days_late": st.column_config.NumberColumn(t("purchasing.col.avg_days_late"), format="%.1f"),
            "pos": t("purchasing.col.pos_due"), "lots": t("purchasing.col.lots"), "rush": t("purchasing.col.rush_pos"),
        }, placeholder="")
        downloads(score, "supplier-scorecard", "pur-score")

    st.divider()
    section.actions_panel(db, "purchasing", as_of)
