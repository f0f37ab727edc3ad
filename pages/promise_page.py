"""Sales · delivery promise: 'when can we deliver N of X?' answered by the CTP rule, then accepted."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib.errors import TandemError
from lib.i18n import t
from lib.plan import promise, review, whatif
from lib.store import lookups
from lib.text import html_text, t_html, t_md
from lib.ui import cache, nav, session, state
from lib.ui.charts.capacity import gantt, load_with_inquiry
from lib.ui.frames import for_screen
from lib.ui.widgets import chart, empty, show_error, table


def render() -> None:
    db = state.db()
    as_of = state.as_of()

    st.title(t("promise.title"))
    st.caption(t("promise.caption", as_of=as_of.isoformat()))

    with db.cursor() as cur:
        prods = promise.products(cur)
        customers = lookups.customers(cur)
    if prods.empty or not prods["routed"].any():
        empty("promise.no_products")
        st.stop()

    names = dict(zip(prods["product"], prods["name"]))
    with st.form("promise_form"):
        a, b, c, d = st.columns([2, 1, 1, 2])
        product = a.selectbox(t("promise.product"), prods["product"].tolist(), key="pr_product",
                              format_func=lambda p: f"{p} · {names.get(p, '')}")
        qty = b.text_input(t("promise.qty"), value="100", key="pr_qty")
        requested = c.date_input(t("promise.requested"), value=as_of + timedelta(days=21), key="pr_requested",
                                 format="YYYY-MM-DD")
        customer_names = dict(zip(customers["customer"], customers["name"]))   # once, not once per option
        customer = d.selectbox(t("promise.customer"), customers["customer"].tolist(), index=None, key="pr_customer",
                               placeholder=t("common.choose"),
                               format_func=lambda x: f"{x} · {customer_names.get(x, '')}")
        asked = st.form_submit_button(t("promise.ask"), type="primary")
    if asked:
        st.session_state["pr_inquiry"] = (product, qty, requested)

    accepted = st.session_state.get("pr_accepted")
    if accepted and not asked:
        st.success(accepted[1], icon=":material/task_alt:")
        st.session_state["rv_line"] = accepted[0]
        nav.link("order-review", t("promise.to_review"), ":material/fact_check:")
    elif asked:
        st.session_state.pop("pr_accepted", None)

    inquiry = st.session_state.get("pr_inquiry")
    if not inquiry:
        if not accepted:
            st.info(t("promise.empty"))
        st.stop()

    with db.cursor() as cur:
        try:
            p = promise.quote(cur, *inquiry, as_of=as_of, matrix_key=(db.path, id(db), db.data_version()))
        except TandemError as e:
            show_error(e)
            st.stop()
        affected = promise.affected_load(cur, p) if p.steps and p.promise_date else pd.DataFrame()

    sentence = html_text(promise.explain(p))     # plain text naming a material or a work center
    colour = "#1e7a45" if p.requested_ok else ("#b3261e" if p.promise_date is None else "#9a5800")
    tint = "#e9f6ee" if p.requested_ok else ("#fbeaea" if p.promise_date is None else "#fdf3e4")
    inquiry_line = t_html("promise.inquiry", qty=f"{p.qty:,.0f}", product=p.product, name=names.get(p.product, ""),
                          requested=p.requested.isoformat())
    st.markdown(f"<div style='border-left:14px solid {colour};background:{tint};padding:18px 28px;margin:10px 0 18px;"
                f"border-radius:6px'><div style='font-size:1.4rem;color:#333'>{inquiry_line}</div>"
                f"<div style='font-size:3.1rem;font-weight:800;line-height:1.25;color:{colour}'>{sentence}</div></div>",
                unsafe_allow_html=True)
    if "no_bom" in p.warnings:
        st.warning(t("promise.no_bom"), icon=":material/warning:")

    if p.promise_date is not None:
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(t("promise.metric.date"), p.promise_date.isoformat(),
                  delta=f"{p.days_late:+d} {t('unit.days')}" if p.days_late else None, delta_color="inverse")
        m2.metric(t("promise.metric.requested"), p.requested.isoformat())
        m3.metric(t("promise.metric.max_qty"), f"{p.max_qty_by_requested:,.0f} / {p.qty:,.0f}")
        b = p.binding
        m4.metric(t("promise.metric.binding"),        # a metric's value is Markdown
                  t("promise.binding.none") if not b else
                  t_md("promise.binding.material", what=b["what"]) if b["kind"] == "material" else
                  t("promise.binding.lead_time", days=b["lead_days"]) if b["kind"] == "lead_time" else
                  t_md("promise.binding.capacity", what=b["what"], week=b["week"]))

    if not p.requested_ok and p.steps:
        takes = cache.load(db, whatif.for_inquiry, p.product, p.qty, p.requested, as_of)
        if takes is not None:
            st.info(_takes_text(takes, p), icon=":material/build:")

    # stacked, full width: the Gantt and both tables read from the back of the room
    left, right = st.container(), st.container()
    with left:
        st.subheader(t("promise.steps"))
        if p.steps:
            steps = pd.DataFrame(p.steps)
            chart(gantt(steps, requested=p.requested), key="pr_gantt")
            table(for_screen(steps, {
                "step": t("promise.col.step"), "work_center": t("promise.col.work_center"),
                "start": t("promise.col.start"), "finish": t("promise.col.finish"), "hours": t("promise.col.hours"),
                "wait_days": t("promise.col.wait")}, dates=["start", "finish"]), "promise_steps", "pr-steps",
                expanded=True, column_config={t("promise.col.hours"): st.column_config.NumberColumn(format="%.1f")})
        else:
            empty()
    with right:
        st.subheader(t("promise.materials"))
        if p.materials:
            mats = pd.DataFrame(p.materials)
            mats["source"] = [t(f"promise.source.{s}") for s in mats["source"]]
            qty_cols = ("need", "on_hand", "on_hold", "committed", "free")
            st.dataframe(for_screen(mats, {
                "material": t("promise.col.material"), "need": t("promise.col.need"),
                "on_hand": t("promise.col.on_hand"), "on_hold": t("promise.col.on_hold"),
                "committed": t("promise.col.committed"), "free": t("promise.col.free"),
                "po": t("promise.col.po"), "ready": t("promise.col.ready"), "source": t("promise.col.source")},
                dates=["ready"], blanks=["po"]), hide_index=True, width="stretch",
                column_config={t(f"promise.col.{c}"): st.column_config.NumberColumn(format="%.0f") for c in qty_cols}, placeholder="")
        else:
            st.info(t("promise.no_bom"))

    if len(affected):
        st.subheader(t("promise.load"))
        chart(load_with_inquiry(affected), key="pr_load")

    st.divider()
    if p.promise_date is None:
        st.info(t("promise.cannot_accept"))
        st.stop()
    a, b, c = st.columns([1, 1, 2])
    order_no = a.text_input(t("promise.order_no"), value=f"SO-{as_of:%y%m%d}", key="pr_order_no")
    customer = st.session_state.get("pr_customer")
    if c.button(t("promise.accept"), type="primary", help=t("promise.accept.help", date=p.commit_date.isoformat()),
                key="pr_accept", disabled=not customer):
        line_id = review.accept(db, session.current_user(), p, customer, order_no)
        with db.cursor() as cur:
            row = lookups.order_line_key(cur, line_id)
        st.session_state.pop("pr_inquiry", None)
        st.session_state["pr_accepted"] = (line_id, t_md("promise.accepted", order=row[0], line=row[1],
                                                          date=p.commit_date.isoformat()))
        st.rerun()
    if not customer:
        b.caption(t("promise.need_customer"))


def _takes_text(r, p) -> str:
    """What it would take to deliver by the requested date, in a sentence or two."""
    head = t("promise.takes.title", requested=p.requested.isoformat())
    if r.lead_bound:
        return head + t("promise.takes.lead_bound")
    parts = []
    if not r.overtime.empty:
        weeks = ", ".join(t_md("promise.takes.week", hours=f"{x.calendar_hours:,.1f}", wc=x.work_center, week=x.week)
                          for x in r.by_week.itertuples())
        parts.append(t("promise.takes.overtime", weeks=weeks))
    if r.material:
        parts.append(t_md("promise.takes.material", material=r.material["material"],
                       date=r.material["needed_by"].isoformat(), ready=r.material["ready"].isoformat()))
    if r.short > 1e-6:
        parts.append(t("promise.takes.short", hours=f"{r.short:,.1f}"))
    if not parts:
        return head + t("promise.takes.nothing")
    text = head + "; ".join(parts)
    if r.verified == "on_time":
        text += t("promise.takes.checked")
    elif r.verified == "late":
        text += t("promise.takes.checked_late", days=r.days_late_after)
    return text
