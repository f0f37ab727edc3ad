"""Actions: the list with filters, status moves, the chair's escalation list, the follow-through funnel."""
import pandas as pd
import streamlit as st

from lib import settings
from lib.departments import DEPARTMENTS
from lib.i18n import t
from lib.meeting import actions
from lib.people import auth
from lib.ui import filters, state
from lib.ui.charts.meeting import closure_figure, funnel_figure
from lib.ui.frames import translated_codes, translated_headers
from lib.ui.meeting import action_form, action_view, default_due, move_form, status_name
from lib.ui.section import section_tiles
from lib.ui.session import current_user
from lib.ui.widgets import TABLE_ROWS, chart, empty, table


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    user = current_user()

    st.title(t("action.page.list"))

    with db.cursor() as cur:
        everything = actions.action_list(cur, as_of)
        rate, _, _ = actions.closure_on_time(cur, as_of)
        target = settings.get("target_action_closure", cur)
        fun = actions.funnel(cur, as_of)

    section_tiles(db, "actions", filters.current(as_of), as_of)

    # ---------------------------------------------------------------- the chair's list
    st.subheader(t("action.escalations"), help=t("action.escalations.help", n=actions.ESCALATE_AFTER))
    esc = everything[everything["escalated"].astype(bool)]
    if esc.empty:
        st.success(t("action.escalations.none"))
    else:
        st.dataframe(action_view(esc), hide_index=True, width="stretch", placeholder="")

    # ---------------------------------------------------------------- the list
    st.subheader(t("action.list"))
    c1, c2, c3 = st.columns([2, 2, 3])
    depts = c1.multiselect(t("action.filter.department"), DEPARTMENTS, format_func=lambda d: t(f"dept.{d}"),
                           key="act_depts", placeholder=t("filter.all"))
    owners = sorted(everything["owner"].dropna().unique().tolist())
    owner = c2.selectbox(t("action.filter.owner"), [None] + owners, format_func=lambda o: t("filter.all") if o is None else o,
                         key="act_owner", placeholder=t("common.choose"))
    statuses = c3.multiselect(t("action.filter.status"), actions.STATUSES, default=["open", "in_progress", "done"],
                              format_func=lambda s: t(f"action.status.{s}"), key="act_status",
                              placeholder=t("filter.all"))
    with db.cursor() as cur:
        shown = actions.action_list(cur, as_of, departments=tuple(depts), owner=owner, statuses=tuple(statuses))
    if shown.empty:
        empty("action.none")
    else:
        st.dataframe(action_view(shown.head(TABLE_ROWS)), hide_index=True, width="stretch",
                     height=min(600, 40 + 35 * min(len(shown), TABLE_ROWS)), placeholder="")
        # says how many rows there are; downloads all (its statuses as the list above names them)
        table(translated_codes(shown, {"status": "action.status."}), "actions", key="act-table", height=400)

    # ---------------------------------------------------------------- move one
    if not shown.empty:
        st.subheader(t("action.change"))
        aid = move_form(db, user, shown, "act")
        with db.cursor() as cur:
            hist = actions.history(cur, aid)
        with st.expander(t("action.history") + f" · #{aid}"):
            st.dataframe(translated_headers(hist.assign(
                from_status=[status_name(s) if isinstance(s, str) else "" for s in hist["from_status"]],
                to_status=[status_name(s) for s in hist["to_status"]]), "col"),
                         hide_index=True, width="stretch", placeholder="")

    # ---------------------------------------------------------------- funnel
    st.subheader(t("action.funnel"), help=t("action.funnel.help"))
    if fun.empty:
        empty("action.funnel.none")
    else:
        f1, f2 = st.columns(2)
        labels = {int(r.meeting_id): f"{pd.Timestamp(r.meeting_date):%Y-%m-%d} · {r.title}" for r in fun.itertuples()}
        with f1:
            pick = st.selectbox(t("meeting.pick"), list(labels)[::-1], format_func=labels.get, key="act_funnel_meeting")
            chart(funnel_figure(fun.set_index("meeting_id").loc[pick]), key="act-funnel")
        with f2:
            if fun["closure_on_time"].notna().any():
                chart(closure_figure(fun, target), key="act-closure")
            else:
                empty("action.funnel.none")
        table(fun, "action-funnel", key="act-funnel-table", height=400)

    # ---------------------------------------------------------------- record outside a meeting
    if user.role == "head" or auth.can(user, "meeting"):
        with st.expander(t("action.save"), icon=":material/add:"):
            action_form(db, user, None, "decisions", "a", default_due(as_of))
