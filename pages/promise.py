"""Sales · delivery promise: 'when can we deliver N of X?' answered by the CTP rule, then accepted."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib import promise, review
from lib.errors import TandemError
from lib.i18n import t
from lib.ui import acting, state
from lib.ui.capacity_charts import gantt, load_with_inquiry
from lib.ui.widgets import chart, empty, table

db = state.db()
as_of = state.as_of()

st.title(t("promise.title"))
st.caption(t("promise.caption", as_of=as_of.isoformat()))

with db.cursor() as cur:
    prods = promise.products(cur)
    customers = cur.execute("SELECT customer, name FROM customers ORDER BY customer").df()
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
    customer = d.selectbox(t("promise.customer"), customers["customer"].tolist(), index=None, key="pr_customer",
                           format_func=lambda x: f"{x} · {dict(zip(customers['customer'], customers['name'])).get(x, '')}")
    asked = st.form_submit_button(t("promise.ask"), type="primary")
if asked:
    st.session_state["pr_inquiry"] = (product, qty, requested)

inquiry = st.session_state.get("pr_inquiry")
if not inquiry:
    st.info(t("promise.empty"))
    st.stop()

with db.cursor() as cur:
    try:
        p = promise.quote(cur, *inquiry, as_of=as_of, matrix_key=(db.path, id(db), db.data_version()))
    except TandemError as e:
        st.error(t("app.error", title=e.title, detail=e.detail))
        st.stop()
    affected = promise.affected_load(cur, p) if p.steps and p.promise_date else pd.DataFrame()

sentence = promise.explain(p)
colour = "#2e9e5b" if p.requested_ok else ("#d64545" if p.promise_date is None else "#b26a00")
st.markdown(f"<div style='font-size:2.1rem;font-weight:700;line-height:1.3;color:{colour};margin:8px 0 16px'>"
            f"{sentence}</div>", unsafe_allow_html=True)
if "no_bom" in p.warnings:
    st.warning(t("promise.no_bom"), icon=":material/warning:")

if p.promise_date is not None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("promise.metric.date"), p.promise_date.isoformat(),
              delta=f"{p.days_late:+d} d" if p.days_late else None, delta_color="inverse")
    m2.metric(t("promise.metric.requested"), p.requested.isoformat())
    m3.metric(t("promise.metric.max_qty"), f"{p.max_qty_by_requested:,.0f} / {p.qty:,.0f}")
    b = p.binding
    m4.metric(t("promise.metric.binding"),
              t("promise.binding.none") if not b else
              t("promise.binding.material", what=b["what"]) if b["kind"] == "material" else
              t("promise.binding.capacity", what=b["what"], week=b["week"]))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("promise.steps"))
    if p.steps:
        steps = pd.DataFrame(p.steps)
        chart(gantt(steps, requested=p.requested), key="pr_gantt")
        table(steps[["step", "work_center", "start", "finish", "hours", "wait_days"]].rename(columns={
            "step": t("promise.col.step"), "work_center": t("promise.col.work_center"),
            "start": t("promise.col.start"), "finish": t("promise.col.finish"), "hours": t("promise.col.hours"),
            "wait_days": t("promise.col.wait")}), "promise_steps", "pr-steps", expanded=True, height=240)
    else:
        empty()
with right:
    st.subheader(t("promise.materials"))
    if p.materials:
        mats = pd.DataFrame(p.materials)
        mats["source"] = [t(f"promise.source.{s}") for s in mats["source"]]
        st.dataframe(mats[["material", "need", "on_hand", "on_hold", "committed", "free", "po", "ready", "source"]].rename(
            columns={"material": t("promise.col.material"), "need": t("promise.col.need"),
                     "on_hand": t("promise.col.on_hand"), "on_hold": t("promise.col.on_hold"),
                     "committed": t("promise.col.committed"), "free": t("promise.col.free"),
                     "po": t("promise.col.po"), "ready": t("promise.col.ready"), "source": t("promise.col.source")}),
            hide_index=True, width="stretch")
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
    line_id = review.accept(db, acting.user(), p, customer, order_no)
    with db.cursor() as cur:
        row = cur.execute("SELECT order_no, line_no FROM order_lines WHERE line_id = ?", [line_id]).fetchall()[0]
    st.session_state.pop("pr_inquiry", None)
    st.success(t("promise.accepted", order=row[0], line=row[1], date=p.commit_date.isoformat()))
if not customer:
    b.caption(t("promise.need_customer"))
