"""Order review (订单评审) and the promise history of order lines.

Every new or changed order line gets a review round: one row per department (sales, PMC,
purchasing, quality, engineering), pending until that department's head signs OK or a problem
with the date it can meet and a comment. When the round is complete the committed date is the
latest feasible date — never earlier than the capable-to-promise basis (the latest promise that
did not come from a review: ctp, change, override, import, manual) — unless a chair overrides
it with a reason. Changing a line's quantity or requested date re-quotes it and opens a NEW
round. Every date ever promised is kept in promise_history (its first row is the original).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.departments import DEPARTMENTS
from lib.errors import NotFound, ValidationError
from lib.people.auth import User
from lib.plan import promise

STATUSES = ("ok", "issue")


def committed_date(basis: date, feasible: list[date | None]) -> date:
    """The latest of the CTP basis and the departments' feasible dates.

    >>> committed_date(date(2026, 12, 11), [None, date(2026, 12, 18), date(2026, 12, 14)])
    datetime.date(2026, 12, 18)
    >>> committed_date(date(2026, 12, 11), [date(2026, 12, 1)])
    datetime.date(2026, 12, 11)
    """
    return max([basis, *[d for d in feasible if d is not None]])


# ---------------------------------------------------------------------------- promise reasons
# A reason Tandem writes itself (a review round, a quote, a change without one) is stored as a
# code and its values, as JSON, and put in words where it is shown (reason_text), in the reader's
# language; a reason a person typed is stored, and shown, as typed.

def coded_reason(code: str, **values) -> str:
    """A reason Tandem gives, as stored: its code (review.reason.<code>) and its values.

    >>> coded_reason("review_round", round=2, departments=["pmc"])
    '{"reason": "review_round", "round": 2, "departments": ["pmc"]}'
    """
    return json.dumps({"reason": code, **values}, ensure_ascii=False)


def reason_text(stored, lang: str | None = None) -> str:
    """A stored promise reason in words: a coded one (coded_reason) in `lang`, a typed one as it is.

    >>> reason_text(coded_reason("review_round", round=2, departments=["pmc", "quality"]), "zh")
    '订单评审第 2 轮：取各部门最晚的可行日期（PMC、品质）'
    >>> reason_text("customer asked for it", "zh"), reason_text(None, "en")
    ('customer asked for it', '')
    """
    from lib.i18n import CATALOGS, get_lang, t
    if not isinstance(stored, str):
        return ""
    if not stored.startswith('{"reason"'):
        return stored
    try:
        values = json.loads(stored)
    except ValueError:
        return stored
    lang = lang or get_lang()
    code = values.pop("reason")
    if "departments" in values:
        values["departments"] = ("、" if lang == "zh" else ", ").join(
            t(f"dept.{d}", lang) for d in values["departments"]) or "—"
    bound = values.pop("bound", None)         # a quote: what bound it (kind, what), if anything
    if bound and f"review.reason.{code}.{bound[0]}" in CATALOGS["en"]:
        code, values["what"] = f"{code}.{bound[0]}", bound[1]
    key = f"review.reason.{code}"
    return t(key, lang, **values) if key in CATALOGS["en"] else stored


# ---------------------------------------------------------------------------- writes (in a tx)

def _set_line(tx, line_id: int, changes: dict, consequence_of: str | None = None) -> None:
    """Update an order line, audited column by column. A review's sign-off (any department's
    head may give it) sets the line's review status and committed date as its consequence:
    `consequence_of="review"` (lib.people.auth.CONSEQUENCES)."""
    old = tx.fetch("order_lines", {"line_id": line_id})
    for col, new in changes.items():
        if _text(old.get(col)) != _text(new):
            tx.execute(f"UPDATE order_lines SET {col} = ? WHERE line_id = ?", [new, line_id],
                       consequence_of=consequence_of)
            tx.audit("update", "order_lines", line_id, col, old.get(col), new)


def _text(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date().isoformat()
    return v.isoformat() if isinstance(v, date) else str(v)


def add_promise(tx, line_id: int, promised: date, source: str, reason: str | None = None,
                consequence_of: str | None = None) -> None:
    """Record a promised date in promise_history (audited); `consequence_of` as in _set_line."""
    tx.execute("INSERT INTO promise_history (line_id, promised_date, promised_at, promised_by, source, reason) "
               "VALUES (?, ?, current_timestamp, ?, ?, ?)", [line_id, promised, tx.user.username, source, reason],
               consequence_of=consequence_of)
    tx.audit("insert", "promise_history", line_id, "promised_date", None, promised)


def open_round(tx, line_id: int) -> int:
    """Open a new review round for a line: one pending row per department, the consequence of
    accepting or changing the line (sales; lib.people.auth.CONSEQUENCES). Returns the round."""
    rnd = int(tx.query("SELECT coalesce(max(round), 0) + 1 AS r FROM order_reviews WHERE line_id = ?",
                       [line_id])["r"].iloc[0])
    for dept in DEPARTMENTS:
        tx.execute("INSERT INTO order_reviews (line_id, round, department, status) VALUES (?, ?, ?, 'pending')",
                   [line_id, rnd, dept], department=dept, consequence_of="edit")
        tx.audit("insert", "order_reviews", f"{line_id}|{rnd}|{dept}", "status", None, "pending")
    _set_line(tx, line_id, {"review_status": "pending"})
    return rnd


def _settle(tx, line_id: int, rnd: int) -> tuple[str, date | None]:
    """When every department has signed the round: set the committed date and the line's status."""
    rows = tx.query("SELECT department, status, feasible_date, opened_at FROM order_reviews "
                    "WHERE line_id = ? AND round = ?", [line_id, rnd])
    line = tx.fetch("order_lines", {"line_id": line_id})
    current = _date(line["promised_date"])
    if (rows["status"] == "pending").any():
        _set_line(tx, line_id, {"review_status": "pending"}, consequence_of="review")
        return "pending", current
    hist = tx.query("SELECT promised_date, source, promised_at FROM promise_history WHERE line_id = ? "
                    "AND source <> 'review' ORDER BY promised_at DESC, promise_id DESC LIMIT 1", [line_id])
    basis = _date(hist["promised_date"].iloc[0]) if len(hist) else (current or _date(line["requested_date"]))
    overridden = len(hist) and hist["source"].iloc[0] == "override" and hist["promised_at"].iloc[0] >= rows["opened_at"].min()
    issues = rows[rows["status"] == "issue"]
    new = basis if overridden else committed_date(basis, [_date(d) for d in issues["feasible_date"]])
    status = "issue" if len(issues) else "approved"
    if new != current:
        depts = issues.loc[issues["feasible_date"].map(_date) == new, "department"].tolist()
        add_promise(tx, line_id, new, "review", coded_reason("review_round", round=int(rnd), departments=depts),
                    consequence_of="review")
    _set_line(tx, line_id, {"review_status": status, "promised_date": new}, consequence_of="review")
    return status, new


def _date(v) -> date | None:
    if v is None or (not isinstance(v, (date, datetime)) and pd.isna(v)):
        return None
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date()
    return v


# ---------------------------------------------------------------------------- public actions

def sign(db, user: User, line_id: int, department: str, status: str, feasible_date=None,
         comment: str | None = None) -> tuple[str, date | None]:
    """Sign `department`'s row of the line's current review round; returns (line status,
    committed date). A problem needs the date the department can meet and a comment."""
    if department not in DEPARTMENTS:
        raise ValidationError(f"unknown department {department!r}.", where="department")
    if status not in STATUSES:
        raise ValidationError(f"the decision is ok or issue, not {status!r}.", where="status")
    comment = (comment or "").strip() or None
    feasible = None
    if status == "issue":
        if feasible_date in (None, ""):
            raise ValidationError("a problem needs the date your department can meet.", where="feasible date")
        feasible = promise.parse_date(feasible_date, "feasible date")
        if not comment:
            raise ValidationError("a problem needs a comment saying why.", where="comment")
    with db.transaction(user, source="review", need="review", department=department) as tx:
        line = tx.fetch("order_lines", {"line_id": int(line_id)})
        if line is None:
            raise NotFound(f"There is no order line {line_id}.")
        rnd = tx.query("SELECT max(round) AS r FROM order_reviews WHERE line_id = ?", [line_id])["r"].iloc[0]
        if pd.isna(rnd):
            raise NotFound(f"Order line {line['order_no']}/{line['line_no']} has no review open.")
        rnd = int(rnd)
        if feasible is not None and feasible < _date(line["order_date"]):
            raise ValidationError(f"{feasible} is before the order date {line['order_date']}.", where="feasible date")
        key = {"line_id": int(line_id), "round": rnd, "department": department}
        old = tx.fetch("order_reviews", key)
        changes = {"status": status, "feasible_date": feasible, "comment": comment,
                   "signer": user.username, "signed_at": datetime.now().replace(microsecond=0)}
        sets = ", ".join(f"{c} = ?" for c in changes)
        tx.execute(f"UPDATE order_reviews SET {sets} WHERE line_id = ? AND round = ? AND department = ?",
                   [*changes.values(), int(line_id), rnd, department], department=department)
        for c, v in changes.items():
            if _text(old.get(c)) != _text(v):
                tx.audit("update", "order_reviews", f"{line_id}|{rnd}|{department}", c, old.get(c), v)
        return _settle(tx, int(line_id), rnd)


@dataclass(frozen=True)
class Signed:
    """What `sign_all` did: lines signed OK, lines skipped (signed meanwhile, closed, or no
    longer in a review round), and how many of the signed lines have now been signed by every
    department (their round settled: approved, or approved with a later date)."""
    signed: int
    skipped: int
    complete: int


def sign_all(db, user: User, department: str, line_ids, comment: str | None = None) -> Signed:
    """Sign OK for `department` on every line of `line_ids` still waiting for it (the current
    round's row pending, the line open), in one transaction: one audit row per line (its
    status, pending -> ok; the audit row carries who and when), then each line's round is
    settled as `sign` settles it. Refused as a whole if the user may not sign for the
    department; a line signed by someone else meanwhile is skipped, not signed again."""
    if department not in DEPARTMENTS:
        raise ValidationError(f"unknown department {department!r}.", where="department")
    ids = sorted({int(x) for x in line_ids})
    if not ids:
        raise ValidationError("there are no lines to approve.", where="lines")
    comment = (comment or "").strip() or None
    with db.transaction(user, source="review", need="review", department=department) as tx:
        todo = tx.query("""
            WITH cur AS (SELECT line_id, max(round) AS round FROM order_reviews
                         WHERE list_contains(?, line_id) GROUP BY 1)
            SELECT r.line_id, r.round FROM order_reviews r JOIN cur USING (line_id, round)
            JOIN order_lines o USING (line_id)
            WHERE r.department = ? AND r.status = 'pending' AND o.status = 'open'
            ORDER BY r.line_id""", [ids, department])
        if todo.empty:
            return Signed(0, len(ids), 0)
        stamp = datetime.now().replace(microsecond=0)
        pairs = [f"{int(a)}|{int(b)}" for a, b in zip(todo["line_id"], todo["round"])]
        tx.execute("UPDATE order_reviews SET status = 'ok', feasible_date = NULL, comment = ?, signer = ?, "
                   "signed_at = ? WHERE department = ? AND status = 'pending' "
                   "AND list_contains(?, CAST(line_id AS VARCHAR) || '|' || CAST(round AS VARCHAR))",
                   [comment, user.username, stamp, department, pairs], department=department)
        tx.audit_frame(pd.DataFrame({
            "action": "update", "table_name": "order_reviews",
            "row_key": [f"{p}|{department}" for p in pairs], "column_name": "status",
            "old_value": "pending", "new_value": "ok"}))
        complete = sum(_settle(tx, int(a), int(b))[0] != "pending" for a, b in zip(todo["line_id"], todo["round"]))
    return Signed(len(todo), len(ids) - len(todo), complete)


def default_feasible(con, as_of: date, line_id: int) -> date:
    """The date a department can meet, as the review form offers it: the line's projected
    finish in the planned load (lib.plan.planned, finite capacity: what the factory can
    actually run), never before the line's due date (a line planned to finish early meets its
    date); the due date (promised, else requested) where the plan has no finish for it (no
    routing, or not plannable within the horizon)."""
    from lib.plan import planned
    row = con.execute("SELECT coalesce(promised_date, requested_date) AS due, order_date FROM order_lines "
                      "WHERE line_id = ?", [int(line_id)]).fetchone()
    if row is None:
        raise NotFound(f"There is no order line {line_id}.")
    due = _date(row[0])
    lines = planned.plan(con, as_of).lines
    hit = lines.loc[lines["line_id"] == int(line_id), "finish"]
    finish = _date(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else None
    return max(d for d in (finish, due, _date(row[1])) if d is not None)


def override(db, user: User, line_id: int, new_date, reason: str) -> date:
    """Commit a date regardless of the review rule (e.g. earlier than CTP with overtime agreed):
    a reason is required; the chair or sales head signs it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("an override needs a reason.", where="reason")
    d = promise.parse_date(new_date, "committed date")
    with db.transaction(user, source="override", need="edit", department="sales") as tx:
        line = tx.fetch("order_lines", {"line_id": int(line_id)})
        if line is None:
            raise NotFound(f"There is no order line {line_id}.")
        if d < _date(line["order_date"]):
            raise ValidationError(f"{d} is before the order date {line['order_date']}.", where="committed date")
        add_promise(tx, int(line_id), d, "override", reason)
        tx.update("order_lines", {"line_id": int(line_id)}, {"promised_date": d})
    return d


def change_line(db, user: User, line_id: int, *, qty=None, requested_date=None, reason: str = "",
                as_of: date | None = None) -> tuple[date | None, int]:
    """Change a line's quantity and/or requested date (a customer change): re-quote it against
    everyone else's load, record the new promise ('change') and re-open the review.
    Returns (new promised date, new round)."""
    as_of = as_of or date.today()
    with db.cursor() as cur:
        df = cur.execute("SELECT * FROM order_lines WHERE line_id = ?", [int(line_id)]).df()
        if df.empty:
            raise NotFound(f"There is no order line {line_id}.")
        line = df.iloc[0]
        new_qty = promise.parse_qty(qty) if qty not in (None, "") else float(line["qty"])
        new_req = promise.parse_date(requested_date, "requested date") if requested_date not in (None, "") else _date(line["requested_date"])
        if new_qty < float(line["shipped_qty"]):
            raise ValidationError(f"{new_qty:g} is less than the {line['shipped_qty']:g} already shipped.", where="qty")
        if new_req < _date(line["order_date"]):
            raise ValidationError(f"{new_req} is before the order date.", where="requested date")
        remaining = new_qty - float(line["shipped_qty"])
        p = (promise.quote(cur, line["product"], remaining, max(new_req, as_of), as_of=as_of, exclude_lines=[int(line_id)])
             if remaining > 0 else None)
    changed = {k: v for k, v in (("qty", new_qty), ("requested_date", new_req))
               if _text(v) != _text(line[k] if k != "requested_date" else _date(line[k]))}
    if not changed:
        raise ValidationError("nothing changed: give a new quantity or a new requested date.", where="change")
    new_promise = p.commit_date if p is not None and p.promise_date is not None else _date(line["promised_date"])
    if p is not None and new_promise is not None:
        new_promise = max(new_promise, new_req)
    with db.transaction(user, source="change", need="edit", department="sales") as tx:
        tx.update("order_lines", {"line_id": int(line_id)}, changed)
        for kind, col in (("qty", "qty"), ("date", "requested_date")):
            if col in changed:
                tx.insert("order_changes", {"line_id": int(line_id), "source": "external", "kind": kind,
                                            "old_value": _text(line[col] if col == "qty" else _date(line[col])),
                                            "new_value": _text(changed[col]), "reason": reason or None,
                                            "requested_date": as_of, "status": "accepted",
                                            "created_by": user.username})
        if new_promise is not None and new_promise != _date(line["promised_date"]):
            add_promise(tx, int(line_id), new_promise, "change", reason or coded_reason("change"))
            tx.update("order_lines", {"line_id": int(line_id)}, {"promised_date": new_promise})
        rnd = open_round(tx, int(line_id))
    return new_promise, rnd


def accept(db, user: User, p: promise.Promise, customer: str, order_no: str, line_no: int | None = None,
           unit_price: float | None = None) -> int:
    """Create the order line of an accepted quote, its first promise (source ctp) and its review
    round, in one transaction. The line is promised the requested date when that holds, else
    the earliest date. Returns the new line_id."""
    if p.promise_date is None:
        raise ValidationError("this inquiry has no date to promise.", where="promise")
    customer = (customer or "").strip()
    order_no = (order_no or "").strip()
    if not order_no:
        raise ValidationError("give the order number.", where="order no.")
    with db.transaction(user, source="ctp", need="edit", department="sales") as tx:
        if not customer or tx.fetch("customers", {"customer": customer}) is None:
            raise ValidationError(f"there is no customer '{customer}'.", where="customer")
        if line_no is None:
            line_no = int(tx.query("SELECT coalesce(max(line_no), 0) + 1 AS n FROM order_lines WHERE order_no = ?",
                                   [order_no])["n"].iloc[0])
        line_id = tx.insert("order_lines", {
            "order_no": order_no, "line_no": int(line_no), "customer": customer, "product": p.product,
            "qty": p.qty, "unit_price": unit_price, "order_date": p.as_of, "requested_date": p.requested,
            "promised_date": p.commit_date, "status": "open"}, returning="line_id")
        add_promise(tx, line_id, p.commit_date, "ctp", coded_reason(
            "ctp", earliest=p.promise_date.isoformat(),
            bound=[p.binding["kind"], str(p.binding["what"])] if p.binding else None))
        open_round(tx, line_id)
    return int(line_id)


# ---------------------------------------------------------------------------- reads

def pending(con, department: str) -> pd.DataFrame:
    """Lines waiting for `department`'s signature in their current round, oldest first."""
    return con.execute("""
        WITH cur AS (SELECT line_id, max(round) AS round FROM order_reviews GROUP BY 1)
        SELECT o.line_id, o.order_no, o.line_no, o.customer, o.product, o.qty, o.requested_date,
               o.promised_date, r.round, r.opened_at
        FROM order_reviews r JOIN cur USING (line_id, round) JOIN order_lines o USING (line_id)
        WHERE r.department = ? AND r.status = 'pending' AND o.status = 'open'
        ORDER BY r.opened_at, o.order_no, o.line_no""", [department]).df()


def in_review(con) -> pd.DataFrame:
    """Open lines with a review (any round), newest round first, with how many departments signed."""
    return con.execute("""
        WITH cur AS (SELECT line_id, max(round) AS round FROM order_reviews GROUP BY 1)
        SELECT o.line_id, o.order_no, o.line_no, o.customer, o.product, o.qty, o.requested_date,
               o.promised_date, o.review_status, cur.round,
               (SELECT count(*) FROM order_reviews r WHERE r.line_id = o.line_id AND r.round = cur.round
                AND r.status <> 'pending') AS signed
        FROM order_lines o JOIN cur USING (line_id)
        WHERE o.status = 'open'
        ORDER BY (o.review_status = 'pending') DESC, o.order_no, o.line_no""").df()


def grid(con, line_id: int) -> pd.DataFrame:
    """Every review row of a line, latest round first, departments in the meeting's order."""
    return con.execute("""
        SELECT round, department, status, feasible_date, comment, signer, signed_at
        FROM order_reviews WHERE line_id = ?
        ORDER BY round DESC, list_position(['sales', 'pmc', 'purchasing', 'quality', 'engineering'], department)
    """, [int(line_id)]).df()


def history(con, line_id: int) -> pd.DataFrame:
    """Every date promised for a line, oldest (the original promise) first."""
    return con.execute("SELECT promised_date, promised_at, promised_by, source, reason FROM promise_history "
                       "WHERE line_id = ? ORDER BY promised_at, promise_id", [int(line_id)]).df()
