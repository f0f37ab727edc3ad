"""Order review (订单评审): each department's pending lines, the line's review grid and promise
history, signing, changes that re-open the review, and overrides with a reason."""
import pandas as pd
import streamlit as st

from lib.departments import DEPARTMENTS
from lib.i18n import t
from lib.people import auth
from lib.plan import review
from lib.ui import section, session, state
from lib.ui.frames import for_screen, translated
from lib.ui.widgets import downloads


def render() -> None:
    db = state.db()
    as_of = state.as_of()
    user = session.current_user()
    MAX_ROWS = 1000     # rows drawn in a table; the downloads carry all of them

    st.title(t("review.title"))
    st.caption(t("review.caption"))
    if "rv-flash" in st.session_state:     # what the last signature, change or override did (Markdown, escaped)
        st.success(st.session_state.pop("rv-flash"), icon=":material/check_circle:")

    default = DEPARTMENTS.index(user.department) if user.department in DEPARTMENTS else 0
    dept = st.segmented_control(t("review.department"), DEPARTMENTS, default=DEPARTMENTS[default], key="rv_dept",
                                format_func=lambda d: t(f"dept.{d}")) or DEPARTMENTS[default]



    def _pending_view(pend: pd.DataFrame) -> pd.DataFrame:
        return for_screen(pend, {
            "order_no": t("capacity.col.order"), "line_no": t("capacity.col.line"), "customer": t("capacity.col.customer"),
            "product": t("capacity.col.product"), "qty": t("review.col.qty"), "requested_date": t("review.col.requested"),
            "promised_date": t("review.col.promised"), "round": t("review.col.round"), "opened_at": t("review.col.opened")},
            dates=["requested_date", "promised_date"], stamps=["opened_at"])


    def _line_labels(lines: pd.DataFrame) -> dict:
        """One label per line, built set-wise (a format_func that searches the frame per option is
        quadratic: 30,000 lines in review on a large factory took ten seconds a run)."""
        return dict(zip(lines["line_id"].tolist(), (
            lines["order_no"] + "/" + lines["line_no"].astype(str) + " · " + lines["customer"] + " · " + lines["product"]
            + " × " + lines["qty"].map("{:,.0f}".format) + " · " + translated(lines["review_status"], "review.line_status.")
            + " (" + lines["signed"].astype(str) + f"/{len(DEPARTMENTS)})").tolist()))


    # cached until the next write; the views of them once per data version and language, for everyone
    pend = section.load(db, review.pending, dept)
    lines = section.load(db, review.in_review)

    st.subheader(t("review.pending", dept=t(f"dept.{dept}"), n=len(pend)))
    if pend.empty:
        st.info(t("review.none_pending", dept=t(f"dept.{dept}")))
    else:
        shown = section.derive(db, _pending_view, pend, "review.pending", dept)
        st.dataframe(shown.head(MAX_ROWS), hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 400),
                     column_config={t("review.col.qty"): st.column_config.NumberColumn(format="%.0f")}, placeholder="")
        if len(shown) > MAX_ROWS:
            st.caption(t("scale.first_rows", shown=MAX_ROWS, total=len(shown)))
        downloads(shown, "pending_reviews", "rv-pend")
        if auth.can(user, "review", dept):
            _approve_all(db, user, dept, pend["line_id"].head(MAX_ROWS).tolist())

    if lines.empty:
        st.stop()


    # the choice list is bounded so the browser is not sent every open line of the factory
    MAX_CHOICES = 1000
    labels = section.derive(db, _line_labels, lines, "review.in_review")
    ordered = list(dict.fromkeys(pend["line_id"].tolist() + lines["line_id"].tolist()))
    choices = ordered[:MAX_CHOICES]
    wanted = st.session_state.get("rv_line")
    if wanted in labels and wanted not in choices:     # a line opened from another page
        choices.append(wanted)
    line_id = st.selectbox(t("review.line"), choices, key="rv_line", format_func=lambda i: labels.get(i, str(i)))
    if len(ordered) > MAX_CHOICES:
        st.caption(t("scale.first_choices", shown=MAX_CHOICES, total=len(ordered)))
    line = lines.loc[lines["line_id"] == line_id].iloc[0]

    with db.cursor() as cur:
        grid = review.grid(cur, line_id)
        hist = review.history(cur, line_id)

    # stacked, full width: both tables stay readable on a projector (no clipped columns)
    g, h = st.container(), st.container()
    mark = {"ok": "✔ ", "issue": "⚠ ", "pending": "○ "}    # text symbols every font has (no emoji font needed)
    with g:
        st.subheader(t("review.grid"))
        shown = for_screen(grid.assign(department=[t(f"dept.{d}") for d in grid["department"]],
                                       status=[mark.get(s, "") + t(f"review.status.{s}").split(" — ")[0]
                                               for s in grid["status"]]), {
            "round": t("review.col.round"), "department": t("review.col.department"), "status": t("review.col.status"),
            "feasible_date": t("review.col.feasible"), "comment": t("review.col.comment"),
            "signer": t("review.col.signer"), "signed_at": t("review.col.signed_at")},
            dates=["feasible_date"], stamps=["signed_at"], blanks=["comment", "signer"])
        st.dataframe(shown, hide_index=True, width="stretch", placeholder="")
    with h:
        st.subheader(t("review.history"))
        if hist.empty:
            st.info(t("review.no_history"))
        else:
            shown = for_screen(hist.assign(source=[t(f"review.source.{x}") for x in hist["source"]],
                                           reason=hist["reason"].map(review.reason_text)), {
                "promised_date": t("review.col.promised"), "promised_at": t("review.col.promised_at"),
                "promised_by": t("review.col.by"), "source": t("review.col.source"), "reason": t("review.col.reason")},
                dates=["promised_date"], stamps=["promised_at"], blanks=["reason", "promised_by"])
            st.dataframe(shown, hide_index=True, width="stretch", placeholder="")
            downloads(shown, "promise_history", "rv-hist")

    current = grid[grid["round"] == grid["round"].max()]
    mine = current[current["department"] == dept]
    if auth.can(user, "review", dept) and len(mine):
        with st.form("rv_sign"):
            st.markdown(f"**{t('review.sign', dept=t(f'dept.{dept}'))}**")
            a, b = st.columns([2, 1])
            decision = a.radio(t("review.status"), review.STATUSES, horizontal=True, key="rv_status",
                               format_func=lambda s: t(f"review.status.{s}"))
            # the finite plan's projected finish of this line: the date the factory can actually make
            base = section.load(db, review.default_feasible, as_of, int(line_id))
            feasible = b.date_input(t("review.feasible"), value=base, key=f"rv_feasible_{line_id}",
                                    format="YYYY-MM-DD", help=t("review.feasible.help"))
            comment = st.text_input(t("review.comment"), key="rv_comment")
            if st.form_submit_button(t("review.sign", dept=t(f"dept.{dept}")), type="primary"):
                status, committed = review.sign(db, user, int(line_id), dept, decision,
                                                feasible if decision == "issue" else None, comment)
                # drawn again, so the grid, the pending list and the line's status show the signature
                _done(t("review.signed", dept=t(f"dept.{dept}"), status=t(f"review.line_status.{status}"),
                        date=committed.isoformat() if committed else "—"))
    elif len(mine):
        st.caption(t("review.cannot_sign", dept=t(f"dept.{dept}")))

    if auth.can(user, "edit", "sales"):
        with st.expander(t("review.change")):
            with st.form("rv_change"):
                a, b = st.columns(2)
                new_qty = a.text_input(t("review.change.qty"), value=f"{line['qty']:g}", key="rv_new_qty")
                new_req = b.date_input(t("review.change.requested"), value=pd.Timestamp(line["requested_date"]).date(),
                                       key="rv_new_req", format="YYYY-MM-DD")
                reason = st.text_input(t("review.change.reason"), key="rv_reason")
                if st.form_submit_button(t("review.change.save")):
                    d, rnd = review.change_line(db, user, int(line_id), qty=new_qty, requested_date=new_req,
                                                reason=reason, as_of=as_of)
                    _done(t("review.changed", date=d.isoformat() if d else "—", round=rnd))
        with st.expander(t("review.override")):
            with st.form("rv_override"):
                a, b = st.columns([1, 2])
                od = a.date_input(t("review.override.date"), value=pd.Timestamp(line["promised_date"] if pd.notna(
                    line["promised_date"]) else line["requested_date"]).date(), key="rv_od", format="YYYY-MM-DD")
                oreason = b.text_input(t("review.override.reason"), key="rv_oreason")
                if st.form_submit_button(t("review.override.save")):
                    d = review.override(db, user, int(line_id), od, oreason)
                    _done(t("review.overridden", date=d.isoformat()))


def _done(message: str) -> None:
    """Say what was saved on the next run, and run again: everything above shows the change."""
    st.session_state["rv-flash"] = message
    st.rerun()


def _approve_all(db, user, dept: str, line_ids: list[int]) -> None:
    """"Approve all shown": sign OK for `dept` on every pending line listed, after a
    confirmation naming how many (lib.plan.review.sign_all: one transaction, one audit row each)."""
    n = len(line_ids)
    asked = st.session_state.get("rv_all_ask") == (dept, n)
    if not asked:
        if st.button(t("review.all.ask", n=n, dept=t(f"dept.{dept}")), key="rv_all", icon=":material/done_all:"):
            st.session_state["rv_all_ask"] = (dept, n)
            st.rerun()
        return
    st.warning(t("review.all.confirm", n=n, dept=t(f"dept.{dept}")))
    yes, no, _ = st.columns([2, 1, 3])
    if yes.button(t("review.all.yes", n=n), type="primary", key="rv_all_yes"):
        st.session_state.pop("rv_all_ask", None)
        done = review.sign_all(db, user, dept, line_ids)
        _done(t("review.all.done", n=done.signed, dept=t(f"dept.{dept}"), complete=done.complete)
              + (" " + t("review.all.skipped", n=done.skipped) if done.skipped else ""))
    if no.button(t("review.all.no"), key="rv_all_no"):
        st.session_state.pop("rv_all_ask", None)
        st.rerun()
