"""PMC · capacity load: heatmap work center × period, drill-down of a cell, what-if."""
import html
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.plan import capacity
from lib.plan.capacity import WhatIf
from lib.text import t_md
from lib.ui import cache, filters, section, session, state
from lib.ui.charts.capacity import band_legend_html, heatmap, period_names
from lib.ui.frames import for_screen
from lib.ui.widgets import empty, table


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    f = filters.current(as_of)


    default_weeks = int(section.setting_values(db)["load_weeks"])
    unrouted = cache.load(db, capacity.unrouted_lines)
    wc_frame = cache.load(db, capacity.work_center_list)
    open_lines = cache.load(db, capacity.open_line_list)

    # the title comes first; the view controls sit under it (their values are read before the
    # title is drawn, so the title names the bucket)
    title = st.empty()
    st.caption(t("capacity.caption", as_of=as_of.isoformat()))
    c1, c2, _ = st.columns([2, 1, 3])
    by = c1.segmented_control(t("capacity.by"), capacity.BY, default="week", key="cap_by",
                              format_func=lambda b: t(f"capacity.by.{b}")) or "week"
    weeks = int(c2.number_input(t("capacity.weeks"), 1, 52, default_weeks, key="cap_weeks"))
    title.title(t("capacity.title", by=t(f"capacity.by.{by}")))

    wi_state = st.session_state.setdefault("cap_whatif", {"calendar": [], "due": []})
    wi = WhatIf(tuple(map(tuple, wi_state["calendar"])), tuple(map(tuple, wi_state["due"])))

    df = cache.load(db, capacity.load, as_of, by=by, weeks=weeks, whatif=wi)
    if f.lines:
        keep = set(wc_frame.loc[wc_frame["line"].isin(f.lines), "work_center"])
        df = df[df["work_center"].isin(keep)]

    if df.empty:
        empty("capacity.no_data")
        st.stop()

    overdue = df[df["overdue_hours"] > 1e-9]
    if len(overdue):
        st.warning(t("capacity.overdue_flag", hours=f"{overdue['overdue_hours'].sum():,.1f}",
                     n=overdue["work_center"].nunique()))
    if len(unrouted):
        st.info(t_md("capacity.unrouted", n=len(unrouted),
                     lines=", ".join(f"{r.order_no}/{r.line_no} ({r.product})" for r in unrouted.head(8).itertuples())
                     + (" …" if len(unrouted) > 8 else "")))
    if wi:
        items = [t_md("capacity.whatif.cal_item", wc=c["wc"], start=c["start"], end=c["end"], n=c["n"])
                 for c in wi_state.get("labels", [])]
        items += [t_md("capacity.whatif.due_item", order=lbl, date=d) for lbl, d in wi_state.get("due_labels", [])]
        st.warning(t("capacity.whatif.active", changes="; ".join(items)), icon=":material/science:")

    names = period_names(df)
    st.markdown(band_legend_html(), unsafe_allow_html=True)
    if by == "day" and len(names) > 40:
        st.caption(t("capacity.day_hover"))
    event = st.plotly_chart(section.build(heatmap, df, legend=False), width="stretch", key="cap_heatmap", on_select="rerun",
                            selection_mode="points", config={"displaylogo": False})
    view = df.assign(load_pct=(df["load_pct"] * 100).round(1), band=[t(f"capacity.band.{b}") for b in df["band"]],
                     period=[names[p] for p in df["period"]])
    num = {c: st.column_config.NumberColumn(format="%.1f") for c in
           (t("capacity.col.load"), t("capacity.col.capacity"), t("capacity.col.pct"), t("capacity.col.overdue"))}
    table(for_screen(view, {
        "work_center": t("capacity.drill.wc"), "period": t("capacity.col.period"), "load_hours": t("capacity.col.load"),
        "capacity_hours": t("capacity.col.capacity"), "load_pct": t("capacity.col.pct"),
        "overdue_hours": t("capacity.col.overdue"), "band": t("capacity.col.band")}), "capacity_load", "cap-table",
        height=420, column_config=num)

    # ---------------------------------------------------------------- drill-down
    st.subheader(t("capacity.drill"), help=t("capacity.drill.help"))
    wcs = sorted(df["work_center"].unique())
    periods = list(names)
    by_name = {v: k for k, v in names.items()}
    points = (event.selection.points if event and getattr(event, "selection", None) else []) or []
    if points:
        p0 = points[0]
        clicked = html.unescape(str(p0.get("y")))    # the heatmap holds work centers escaped (plot_text)
        if clicked in wcs and p0.get("x") in by_name:
            st.session_state["cap_drill_wc"], st.session_state["cap_drill_period"] = clicked, by_name[p0["x"]]
    if st.session_state.get("cap_drill_period") not in periods:
        st.session_state.pop("cap_drill_period", None)
    if st.session_state.get("cap_drill_wc") not in wcs:
        top = df.sort_values("load_hours", ascending=False).iloc[0]
        st.session_state["cap_drill_wc"] = top["work_center"]
        st.session_state["cap_drill_period"] = top["period"]
    d1, d2, _ = st.columns([1, 1, 2])
    wc = d1.selectbox(t("capacity.drill.wc"), wcs, key="cap_drill_wc")
    period = d2.selectbox(t("capacity.drill.period"), periods, key="cap_drill_period", format_func=names.get)
    cell = df[(df["work_center"] == wc) & (df["period"] == period)]
    if len(cell):
        c = cell.iloc[0]
        st.markdown("### " + t_md("capacity.drill.summary", wc=wc, period=names[period], load=f"{c['load_hours']:,.1f}",
                                  cap=f"{c['capacity_hours']:,.1f}",
                                  pct="—" if pd.isna(c["load_pct"]) else f"{c['load_pct'] * 100:.0f}%"))
        rows = cache.load(db, capacity.drilldown, as_of, wc, pd.Timestamp(c["period_start"]).date(), by=by, whatif=wi)
        if rows.empty:
            empty()
        else:
            shown = for_screen(rows, {
                "order_no": t("capacity.col.order"), "line_no": t("capacity.col.line"),
                "customer": t("capacity.col.customer"), "product": t("capacity.col.product"),
                "qty": t("capacity.col.qty"), "due_date": t("capacity.col.due"), "step": t("capacity.col.step"),
                "first_day": t("capacity.col.first_day"), "last_day": t("capacity.col.last_day"),
                "hours": t("capacity.col.hours"), "overdue_hours": t("capacity.col.overdue")},
                dates=["due_date", "first_day", "last_day"])
            table(shown, "capacity_cell", "cap-drill", expanded=True,
                  column_config={t("capacity.col.hours"): st.column_config.NumberColumn(format="%.1f"),
                                 t("capacity.col.overdue"): st.column_config.NumberColumn(format="%.1f"),
                                 t("capacity.col.qty"): st.column_config.NumberColumn(format="%.0f")})

    # ---------------------------------------------------------------- what-if
    with st.expander(t("capacity.whatif"), expanded=bool(wi), icon=":material/science:"):
        kind = st.radio(t("capacity.whatif.kind"), ("overtime", "shift", "move"), horizontal=True, key="wi_kind",
                        format_func=lambda k: t(f"capacity.whatif.{k}"))
        if kind in ("overtime", "shift"):
            a, b, c_, d = st.columns(4)
            wi_wc = a.selectbox(t("capacity.whatif.wc"), wc_frame["work_center"].tolist(), key="wi_wc")
            monday = as_of - timedelta(days=as_of.weekday())
            mondays = [monday + timedelta(weeks=i) for i in range(weeks)]
            start = b.selectbox(t("capacity.whatif.from"), mondays, key="wi_from",
                                format_func=lambda m: f"{capacity.period_label(m, 'week')} · {m.isoformat()}")
            n_weeks = int(c_.number_input(t("capacity.whatif.weeks"), 1, 52, 1, key="wi_weeks"))
            per_day = float(wc_frame.loc[wc_frame["work_center"] == wi_wc, "hours_per_day"].iloc[0]) if wi_wc else 8.0
            hours = (d.number_input(t("capacity.whatif.hours"), 0.5, 16.0, 2.0, 0.5, key="wi_hours")
                     if kind == "overtime" else per_day)
            saturday = st.checkbox(t("capacity.whatif.saturday"), key="wi_sat")
            if st.button(t("capacity.whatif.add"), key="wi_add", type="primary"):
                end = start + timedelta(weeks=n_weeks, days=-1)
                days = cache.load(db, capacity.work_center_days, wi_wc, max(start, as_of), end, whatif=wi)
                rows = []
                for r in days.itertuples():
                    day = pd.Timestamp(r.day).date()
                    if r.hours > 0:
                        rows.append((day, wi_wc, min(24.0, r.hours + hours)))
                    elif saturday and day.isoweekday() == 6:
                        rows.append((day, wi_wc, min(24.0, hours if kind == "overtime" else per_day)))
                if not rows:
                    st.warning(t_md("capacity.whatif.no_days", wc=wi_wc))
                else:
                    keys = {(d_, w) for d_, w, _ in rows}
                    wi_state["calendar"] = [x for x in wi_state["calendar"] if (x[0], x[1]) not in keys] + rows
                    wi_state.setdefault("labels", []).append(
                        {"wc": wi_wc, "start": rows[0][0].isoformat(), "end": rows[-1][0].isoformat(), "n": len(rows)})
                    st.rerun()
        else:
            if open_lines.empty:
                empty()
            else:
                a, b = st.columns([2, 1])
                lid = a.selectbox(t("capacity.whatif.line"), open_lines["line_id"].tolist(), key="wi_line",
                                  format_func=lambda i: (lambda r: f"{r.order_no}/{r.line_no} · {r.customer} · {r.product} · "
                                                         f"{pd.Timestamp(r.due).date()}")(
                                      open_lines.loc[open_lines["line_id"] == i].iloc[0]))
                new = b.date_input(t("capacity.whatif.new_date"), value=as_of + timedelta(days=14), key="wi_new_date",
                                   format="YYYY-MM-DD")
                st.caption(t("capacity.whatif.moves_not_saved"))
                if st.button(t("capacity.whatif.add"), key="wi_add_move", type="primary"):
                    r = open_lines.loc[open_lines["line_id"] == lid].iloc[0]
                    wi_state["due"] = [x for x in wi_state["due"] if x[0] != lid] + [(int(lid), new)]
                    wi_state.setdefault("due_labels", []).append((f"{r.order_no}/{r.line_no}", new.isoformat()))
                    st.rerun()
        if wi:
            end = cache.load(db, capacity.horizon_end, as_of, weeks)
            before = cache.load(db, capacity.lines_at_risk, as_of, end, whatif=WhatIf())
            after = cache.load(db, capacity.lines_at_risk, as_of, end, whatif=wi)
            st.markdown("#### " + t("capacity.whatif.risk", before=before["line_id"].nunique(),
                                    after=after["line_id"].nunique()))
            rescued = before[~before["line_id"].isin(after["line_id"])].drop_duplicates("line_id")
            new_risk = after[~after["line_id"].isin(before["line_id"])].drop_duplicates("line_id")
            risk_cols = {"order_no": t("capacity.col.order"), "line_no": t("capacity.col.line"),
                         "customer": t("capacity.col.customer"), "product": t("capacity.col.product"),
                         "due_date": t("capacity.col.due"), "work_center": t("capacity.drill.wc")}
            r1, r2 = st.columns(2)
            with r1:
                st.markdown(f"**{t('capacity.whatif.rescued')}** · {len(rescued)}")
                st.dataframe(for_screen(rescued, risk_cols, dates=["due_date"]), hide_index=True, width="stretch")
            with r2:
                st.markdown(f"**{t('capacity.whatif.new_risk')}** · {len(new_risk)}")
                st.dataframe(for_screen(new_risk, risk_cols, dates=["due_date"]), hide_index=True, width="stretch")
            s1, s2, _ = st.columns([1, 1, 3])
            if s1.button(t("capacity.whatif.clear"), key="wi_clear"):
                st.session_state["cap_whatif"] = {"calendar": [], "due": []}
                st.rerun()
            if wi.calendar and s2.button(t("capacity.whatif.save"), key="wi_save", type="primary"):
                n = capacity.save_calendar(db, session.current_user(), list(wi.calendar))
                st.session_state["cap_whatif"] = {"calendar": [], "due": []}
                st.cache_data.clear()
                st.success(t("capacity.whatif.saved", n=n))
