"""Audit log: every insert, update and delete, who and when, from which form, editor or file. Read only."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.store import audit
from lib.ui import state
from lib.ui.frames import (
    code_label,
    column_title,
    source_label,
    stored_value,
    table_title,
)
from lib.ui.widgets import downloads, empty


def render() -> None:
    db = state.db()
    today = date.today()   # the log holds real timestamps, whatever the engines' as-of date

    st.title(t("audit.title"))
    st.caption(t("audit.subtitle"))

    with db.cursor() as cur:
        opts = audit.options(cur)
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    period = c1.date_input(t("audit.period"), value=(today - timedelta(days=30), today), key="audit-period",
                           format="YYYY-MM-DD")
    start, end = period if isinstance(period, (tuple, list)) and len(period) == 2 else (None, None)
    users = c2.multiselect(t("audit.user"), opts["username"], key="audit-users", placeholder=t("filter.all"))
    tbls = c3.multiselect(t("audit.table"), opts["table_name"], key="audit-tables", placeholder=t("filter.all"),
                          format_func=table_title)
    actions = c4.multiselect(t("audit.action"), opts["action"], key="audit-actions", placeholder=t("filter.all"),
                             format_func=_action)
    c5, c6, _ = st.columns([2, 2, 4])
    key = c5.text_input(t("audit.key"), key="audit-key")
    source = c6.text_input(t("audit.source"), key="audit-source", help=t("audit.source.help"))

    f = audit.AuditFilter(start=start, end=end, users=tuple(users), tables=tuple(tbls), actions=tuple(actions),
                          key=key.strip(), source=source.strip())
    with db.cursor() as cur:
        total = audit.count(cur, f)
        rows = audit.entries(cur, f)
    st.markdown(t("audit.count", n=total, shown=len(rows)))
    if rows.empty:
        empty("audit.none")
    else:
        labels = {c: t(f"audit.col.{c}") for c in rows.columns}
        st.dataframe(_readable(rows).rename(columns=labels), hide_index=True, width="stretch", height=620,
                     column_config={labels["logged_at"]: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")}, placeholder="")
        downloads(rows, "audit_log", "audit-dl")


def _action(action: str) -> str:
    """What was done, in words (a sign-in event by the Users page's words)."""
    word = code_label(action, "audit.act.")
    return word if word != action else code_label(action, "admin.action.")


def _readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Audit rows as a person reads them: actions, tables, columns and sources in words, hidden
    values marked as such. Keys and values stay as stored (they are what was written)."""
    return rows.assign(
        action=rows["action"].map(_action), source=rows["source"].map(source_label),
        column_name=[column_title(tb, c) for tb, c in zip(rows["table_name"], rows["column_name"])],
        table_name=rows["table_name"].map(table_title),
        old_value=rows["old_value"].map(stored_value), new_value=rows["new_value"].map(stored_value))
