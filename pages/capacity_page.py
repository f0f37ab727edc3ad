"""PMC · capacity load: heatmap work center × period, required (what the orders ask) or planned
(what the factory can run); drill-down of a cell; what-if re-planned; what would make a late line
on time."""
import html
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.plan import capacity, late, planned, whatif
from lib.plan.capacity import WhatIf
from lib.text import t_md
from lib.ui import cache, filters, section, session, state
from lib.ui.charts import locale as chart_locale
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
    st.caption(t(f"capacity.caption.{st.session_state.get('cap_view') or 'required'}", as_of=as_of.isoformat()))
    c1, c2, c3, _ = st.columns([2, 1, 2, 1])
    by = c1.segmented_control(t("capacity.by"), capacity.BY, default="week", key="cap_by",
                              format_func=lambda b: t(f"capacity.by.{b}")) or "week"
    weeks = int(c2.number_input(t("capacity.weeks"), 1, 52, default_weeks, key="cap_weeks"))
    load_view = c3.segmented_control(t("capacity.view"), capacity.VIEWS, default="required", key="cap_view",
                                format_func=lambda v: t(f"capacity.view.{v}"), help=t("capacity.view.help")) or "required"
    title.title(t("capacity.title", by=t(f"capacity.by.{by}")) + " · " + t(f"capacity.view.{load_view}"))

    wi_state = st.session_state.setdefault("cap_whatif", {"calendar": [], "due": []})
    wi = WhatIf(tuple(map(tuple, wi_state["calendar"])), tuple(map(tuple, wi_state["due"])))

    df = cache.load(db, capacity.load, as_of, by=by, weeks=weeks, whatif=wi, view=load_view)
    if f.lines:
        keep = set(wc_frame.loc[wc_frame["line"].isin(f.lines), "work_center"])
        df = df[df["work_center"].isin(keep)]

    if df.empty:
        empty("capacity.no_data")
        st.stop()

    overdue = df[df["overdue_hours"] > 1e-9]
    if load_view == "required" and len(overdue):
        st.warning(t("capacity.overdue_flag", hours=f"{overdue['overdue_hours'].sum():,.1f}",
                     n=overdue["work_center"].nunique()))
    late_now = cache.load(db, late.late_lines, as_of, f, whatif=wi)
    if load_view == "planned" and len(late_now):
        st.warning(t("capacity.late_flag", n=len(late_now), hours=f"{overdue['overdue_hours'].sum():,.1f}"))
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
                            selection_mode="points", config=chart_locale.config({"displaylogo": False}))
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
        drill = planned.drilldown if load_view == "planned" else capacity.drilldown
        rows = cache.load(db, drill, as_of, wc, pd.Timestamp(c["period_start"]).date(), by=by, whatif=wi)
        if rows.empty:
            empty()
        else:
            if load_view == "planned":
                rows = rows.assign(status=[t(f"capacity.status.{x}") for x in rows["status"]],
                                   days_late=rows["days_late"].astype("Int64").astype("string").fillna(""))
            shown = for_screen(rows, {
                "order_no": t("capacity.col.order"), "line_no": t("capacity.col.line"),
                "customer": t("capacity.col.customer"), "product": t("capacity.col.product"),
                "qty": t("capacity.col.qty"), "due_date": t("capacity.col.due"), "step": t("capacity.col.step"),
                "first_day": t("capacity.col.first_day"), "last_day": t("capacity.col.last_day"),
                "hours": t("capacity.col.hours"), "overdue_hours": t("capacity.col.overdue"),
                "projected_finish": t("capacity.col.finish"), "status": t("capacity.col.status"),
                "days_late": t("capacity.col.days_late")},
                dates=["due_date", "first_day", "last_day", "projected_finish"])
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
            cmp = cache.load(db, whatif.compare, as_of, wi)
            st.markdown("#### " + _compare_sentence(cmp))
            risk_cols = {"order_no": t("capacity.col.order"), "line_no": t("capacity.col.line"),
                         "customer": t("capacity.col.customer"), "product": t("capacity.col.product"),
                         "due_date": t("capacity.col.due"), "projected_finish": t("capacity.col.finish"),
                         "days_late": t("capacity.col.days_late"), "work_center": t("capacity.drill.wc")}
            keep = list(risk_cols)
            r1, r2 = st.columns(2)
            with r1:
                st.markdown(f"**{t('capacity.whatif.rescued')}** · {len(cmp.rescued)}")
                st.dataframe(for_screen(cmp.rescued[keep], risk_cols, dates=["due_date", "projected_finish"]),
                             hide_index=True, width="stretch", placeholder="")
            with r2:
                st.markdown(f"**{t('capacity.whatif.new_risk')}** · {len(cmp.newly_late)}")
                st.dataframe(for_screen(cmp.newly_late[keep], risk_cols, dates=["due_date", "projected_finish"]),
                             hide_index=True, width="stretch", placeholder="")
            s1, s2, _ = st.columns([1, 1, 3])
            if s1.button(t("capacity.whatif.clear"), key="wi_clear"):
                st.session_state["cap_whatif"] = {"calendar": [], "due": []}
                st.rerun()
            if wi.calendar and s2.button(t("capacity.whatif.save"), key="wi_save", type="primary"):
                n = capacity.save_calendar(db, session.current_user(), list(wi.calendar))
                st.session_state["cap_whatif"] = {"calendar": [], "due": []}
                st.cache_data.clear()
                st.success(t("capacity.whatif.saved", n=n))

    # ---------------------------------------------------------------- what would make a late line on time
    st.subheader(t("capacity.takes"), help=t("capacity.takes.help"))
    lateish = late_now[late_now["status"].isin(["late", "unplanned"])]
    if lateish.empty:
        st.success(t("capacity.takes.none"))
        return
    label = {r.line_id: f"{r.order_no}/{r.line_no} · {r.customer} · {r.product} · "
                        + (t("capacity.takes.late", days=int(r.days_late)) if r.status == "late" else t("capacity.status.unplanned"))
             for r in lateish.head(500).itertuples()}
    lid = st.selectbox(t("capacity.takes.line"), list(label), format_func=label.get, key="cap_takes_line")
    r = cache.load(db, whatif.rescue, as_of, int(lid), whatif=wi)
    if r is None:
        st.success(t("capacity.takes.on_time"))
    elif r.lead_bound:
        st.info(t("capacity.takes.lead_bound"))
    else:
        st.markdown(_takes_sentence(r))
        weekly = r.by_week.assign(calendar_hours=lambda d: d["calendar_hours"].round(1))
        st.dataframe(for_screen(weekly[["work_center", "week", "calendar_hours"]],
                                {"work_center": t("capacity.drill.wc"), "week": t("capacity.col.period"),
                                 "calendar_hours": t("capacity.takes.overtime_hours")}), hide_index=True, placeholder="")
        if st.button(t("capacity.takes.try"), key="cap_takes_try", icon=":material/science:"):
            rows = list(r.as_whatif(wi).calendar)
            wi_state["calendar"] = [list(x) for x in rows]
            wi_state.setdefault("labels", []).extend(
                {"wc": x.work_center, "start": x.day.isoformat(), "end": x.day.isoformat(), "n": 1}
                for x in r.overtime.itertuples())
            st.rerun()
    po = lateish.loc[lateish["line_id"] == lid, ["late_po", "late_po_material", "late_po_due"]].iloc[0]
    if isinstance(po["late_po"], str):
        st.caption(t_md("capacity.takes.po", po=po["late_po"], material=po["late_po_material"],
                     date=f"{po['late_po_due']:%Y-%m-%d}"))


def _compare_sentence(cmp) -> str:
    """'Late lines 23 → 9; still 41 h missing on SMT-2 in W52 (53 h in all).'"""
    head = t("capacity.whatif.late", before=cmp.before, after=cmp.after)
    if cmp.missing.empty:
        return head + (t("capacity.whatif.lead_only", n=cmp.lead_bound) if cmp.lead_bound else "")
    top = cmp.missing.iloc[0]
    return head + t_md("capacity.whatif.missing", hours=f"{top['hours']:,.0f}", wc=top["work_center"], week=top["week"],
                    total=f"{cmp.missing_total:,.0f}")


def _takes_sentence(r) -> str:
    """'12 h of overtime on SMT-2 in 2026-W50 would make it on time (checked: on time).'"""
    weekly = r.by_week
    parts = ", ".join(t_md("capacity.takes.part", hours=f"{x.calendar_hours:,.1f}", wc=x.work_center, week=x.week)
                      for x in weekly.itertuples())
    text = t("capacity.takes.overtime", parts=parts or "—")   # parts: escaped above
    if r.short > 1e-6:
        text += t("capacity.takes.short", hours=f"{r.short:,.1f}")
    if r.verified == "on_time" or r.verified == "forward":
        text += t("capacity.takes.checked_ok")
    elif r.verified == "late":
        text += t("capacity.takes.checked_late", days=r.days_late_after)
    return text
