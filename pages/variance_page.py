"""Variance review (for managers): output vs plan, delivery vs promise, price vs standard and
yield vs target, each as a trend with the worst lines/products/customers/suppliers ranked, and
drill-down to the records behind a bar."""
from dataclasses import replace

import streamlit as st

from lib.i18n import t
from lib.sections import sales, variance
from lib.text import t_md
from lib.ui import filters, section, state, theme
from lib.ui.charts import basic
from lib.ui.widgets import TABLE_ROWS, downloads, empty


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)

    st.title(t("variance.title"))
    st.caption(t("section.period", start=f.start.isoformat(), end=f.end.isoformat(), as_of=as_of.isoformat())
               + " · " + t("variance.subtitle"))

    top = st.columns([1, 2, 2, 1])
    grain = top[0].segmented_control(t("section.grain"), ["week", "month"], default="week", key="var_grain",
                                     format_func=lambda g: t(f"section.grain.{g}")) or "week"
    cust = section.load(db, sales.customers)
    supp = section.load(db, variance.suppliers)
    cust_name = dict(zip(cust["customer"], cust["name"]))
    supp_name = dict(zip(supp["supplier"], supp["name"]))
    chosen_c = top[1].multiselect(t("variance.customers"), cust["customer"].tolist(), key="var_customers",
                                  format_func=lambda c: f"{c} · {cust_name.get(c, c)}", placeholder=t("filter.all"),
                                  help=t("variance.customers.help"))
    chosen_s = top[2].multiselect(t("variance.suppliers"), supp["supplier"].tolist(), key="var_suppliers",
                                  format_func=lambda c: f"{c} · {supp_name.get(c, c)}", placeholder=t("filter.all"),
                                  help=t("variance.suppliers.help"))
    f = replace(f, customers=tuple(chosen_c), suppliers=tuple(chosen_s))
    with top[3]:
        section.targets_form(db, [("target_plan_achievement", "pct"), ("target_otd", "pct"),
                                  ("target_price_variance", "money"), ("target_fpy", "pct")], key="var-targets")

    tiles = section.section_tiles(db, "variance", f, as_of)
    targets = {k.key: k.target for k in tiles}

    # kind -> (trend series [(column, label key, colour)], pct axis, y label key, target, ranking measure, x label key)
    VIEWS = {
        "output": ([("achievement", "kpi.plan_achievement", theme.ACTUAL)], True, "variance.y.achievement",
                   targets.get("kpi.plan_achievement"), "badness", "variance.x.shortfall"),
        "delivery": ([("late_share", "variance.late_share", theme.GAP)], True, "variance.y.late_share",
                     None if targets.get("kpi.otd") is None else 1 - targets["kpi.otd"], "late_lines", "variance.x.late_lines"),
        "price": ([("variance", "variance.price_variance", theme.GAP)], False, "variance.y.price",
                  targets.get("variance.kpi.price"), "variance", "variance.x.price"),
        "yield": ([("fpy", "kpi.fpy", theme.ACTUAL)], True, "variance.y.fpy", targets.get("kpi.fpy"),
                  "defective", "variance.x.defective"),
        "incoming": ([("fpy", "variance.incoming_fpy", theme.DEPARTMENT["purchasing"])], True, "variance.y.fpy",
                     targets.get("kpi.fpy"), "defective", "variance.x.defective"),
    }


    def review(kind: str) -> None:
        series, pct, y_key, target, measure, x_key = VIEWS[kind]
        spec = variance.SPECS[kind]
        left, right = st.columns(2)
        with left:
            st.markdown(f"#### {t(f'variance.trend.{kind}')}", help=t(f"variance.help.{kind}"))
            tr = section.load(db, variance.trend, kind, f, grain)
            if tr.empty:
                empty()
            else:
                fig = section.build(basic.trend, tr, "label", [(c, t(k), col) for c, k, col in series], x_title=t(f"section.axis.{grain}"),
                                   y_title=t(y_key), target=target, target_label=t("variance.target"), pct=pct,
                                   **section.partial(grain, as_of))
                section.figure(fig, tr, f"{kind}-trend", f"var-{kind}-trend")
        with right:
            by = st.segmented_control(t("variance.worst_by"), list(spec.dims), default=spec.dims[0], key=f"var_{kind}_by",
                                      format_func=lambda d: t(f"variance.dim.{d}")) or spec.dims[0]
            st.markdown(f"#### {t('variance.worst', by=t(f'variance.dim.{by}'))}")
            worst = section.load(db, variance.worst, kind, f, by)
            bad = worst[worst[measure] > 0] if not worst.empty else worst
            # customers and suppliers by code and name, on the bars and in the drill-down
            named = {"customer": cust_name, "supplier": supp_name}.get(by, {})
            label_of = {str(n): section.customer_label(n, named.get(n)) for n in bad["name"]} if not bad.empty else {}
            picked = []
            if bad.empty:
                st.info(t("variance.none_bad"))
            else:
                fig = section.build(basic.ranked_bars, bad.assign(label=[label_of[str(n)] for n in bad["name"]]), "label",
                                    measure, x_title=t(x_key), top=10, colour_by_name=by in ("customer", "supplier"))
                picked = section.figure(fig, worst, f"{kind}-worst-{by}", f"var-{kind}-worst-{by}", select=True)
        # drill-down: the records behind the clicked (or chosen) bar
        names = bad["name"].astype(str).tolist() if not bad.empty else []
        if names:
            key = f"var_{kind}_drill_{by}"
            code_of = {v: k for k, v in label_of.items()}
            picked = [code_of.get(str(p), str(p)) for p in picked]
            if picked and str(picked[0]) in names and st.session_state.get(key + "_last") != str(picked[0]):
                st.session_state[key] = str(picked[0])
                st.session_state[key + "_last"] = str(picked[0])
            buckets = ["all"] + (tr["bucket"].astype(str).str[:10].tolist() if not tr.empty else [])
            labels = dict(zip(buckets[1:], tr["label"].tolist() if not tr.empty else []))
            c1, c2 = st.columns([2, 1])
            name = c1.selectbox(t("section.drill"), names, key=key, help=t("section.drill.help"),
                                format_func=lambda n: label_of.get(n, n))
            bucket = c2.selectbox(t("filter.period"), buckets, key=f"{key}_bucket",
                                  format_func=lambda b: t("variance.all_periods") if b == "all" else labels.get(b, b))
            rec = section.load(db, variance.records, kind, f, by, name, None if bucket == "all" else bucket, grain)
            what = label_of.get(name, name) + ("" if bucket == "all" else f" · {labels.get(bucket, bucket)}")
            st.caption(t_md("section.drill.records", what=what) + f" · {len(rec):,}")
            shown = section.records_view(rec.head(TABLE_ROWS), "variance.col")   # drawn rows bounded
            st.dataframe(shown, hide_index=True, width="stretch", height=section.table_height(min(len(rec), 8)), placeholder="")
            if len(rec) > TABLE_ROWS:
                st.caption(t("scale.first_rows", shown=TABLE_ROWS, total=len(rec)))
                downloads(section.records_view(rec, "variance.col"), f"{kind}-records", f"{key}-dl")


    # only the chosen tab runs (each draws charts and tables from its own queries); the choice
    # survives reruns in session state
    tabs = st.tabs([t(f"variance.tab.{k}") for k in ("output", "delivery", "price", "yield")], key="variance-tab",
                   on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            review("output")
    with tabs[1]:
        if tabs[1].open:
            review("delivery")
    with tabs[2]:
        if tabs[2].open:
            review("price")
    with tabs[3]:
        if tabs[3].open:
            review("yield")
            st.divider()
            review("incoming")
