"""A department's open follow-ups, as its section page lists them: meeting actions it owns and
the open issues it carries (order-review issues it raised, and per department further sources).

Read-only; the meeting module owns writing actions. Every row has the same columns so a page
can show actions and issues in one table:

    kind, ref, title, owner, due_date, opened, days_open, days_overdue, overdue, status, meeting_id

`days_open` counts from the day it was raised to as_of; `overdue` is due_date < as_of.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.departments import DEPARTMENTS

COLUMNS = ["kind", "ref", "title", "owner", "due_date", "opened", "days_open", "days_overdue",
           "overdue", "status", "meeting_id"]

_ACTIONS = """
    SELECT 'action' AS kind, CAST(action_id AS VARCHAR) AS ref, title, owner, due_date,
           CAST(created_at AS DATE) AS opened, status, meeting_id
    FROM action_items
    WHERE owner_department = ? AND status IN ('open', 'in_progress')"""

# An order-review issue stays open while the line's review is still in 'issue' and the line is open.
_REVIEW_ISSUES = """
    SELECT 'review_issue' AS kind, o.order_no || '/' || CAST(o.line_no AS VARCHAR) AS ref,
           r.comment AS title, coalesce(r.signer, '') AS owner, o.requested_date AS due_date,
           CAST(coalesce(r.signed_at, r.opened_at) AS DATE) AS opened, 'issue' AS status,
           CAST(NULL AS BIGINT) AS meeting_id
    FROM order_reviews r JOIN order_lines o USING (line_id)
    WHERE r.department = ? AND r.status = 'issue' AND o.review_status = 'issue' AND o.status = 'open'
      AND r.round = (SELECT max(round) FROM order_reviews r2 WHERE r2.line_id = r.line_id)"""

# Further issue sources per department: SQL with the same columns as above and no parameters.
# Sections add theirs here (one place), e.g. quality could list lots on hold.
ISSUE_SOURCES: dict[str, list[str]] = {
    "sales": ["""
        SELECT 'complaint' AS kind, complaint AS ref, description AS title, coalesce(owner, '') AS owner,
               CAST(NULL AS DATE) AS due_date, received_date AS opened, status,
               CAST(NULL AS BIGINT) AS meeting_id
        FROM complaints WHERE status <> 'closed'"""],
    "pmc": ["""
        SELECT 'countermeasure' AS kind, CAST(note_id AS VARCHAR) AS ref,
               coalesce(countermeasure, description) AS title, coalesce(owner, '') AS owner,
               due_date, period_start AS opened, status, CAST(NULL AS BIGINT) AS meeting_id
        FROM variance_notes WHERE status = 'open'"""],
}


def open_actions(con, department: str, as_of: date) -> pd.DataFrame:
    """Open meeting actions owned by `department` and its open issues, most overdue first.

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     open_actions(cur, "sales", date(2026, 1, 1)).empty
    True
    """
    if department not in DEPARTMENTS:
        raise ValueError(f"unknown department {department!r}")
    parts = [_ACTIONS, _REVIEW_ISSUES] + ISSUE_SOURCES.get(department, [])
    union = "\nUNION ALL\n".join(f"SELECT * FROM ({p})" for p in parts)
    params = [department, department]
    return con.execute(f"""
        SELECT kind, ref, title, owner, due_date, opened,
               date_diff('day', opened, CAST(? AS DATE)) AS days_open,
               CASE WHEN due_date < CAST(? AS DATE) THEN date_diff('day', due_date, CAST(? AS DATE))
                    ELSE 0 END AS days_overdue,
               coalesce(due_date < CAST(? AS DATE), FALSE) AS overdue, status, meeting_id
        FROM ({union}) u
        ORDER BY overdue DESC, days_overdue DESC, due_date NULLS LAST, days_open DESC, kind, ref
    """, [as_of, as_of, as_of, as_of, *params]).df()


def counts(frame: pd.DataFrame) -> tuple[int, int]:
    """(open items, of which overdue) of an `open_actions` result."""
    return len(frame), int(frame["overdue"].sum()) if not frame.empty else 0


# Quality: open quality complaints (the 8D owner follows them). Material on hold has its own
# table on the Quality page (the demo holds over a hundred lots; a list that long buries the rest).
ISSUE_SOURCES["quality"] = ["""
        SELECT 'complaint' AS kind, complaint AS ref, description AS title, coalesce(owner, '') AS owner,
               CAST(NULL AS DATE) AS due_date, received_date AS opened, status,
               CAST(NULL AS BIGINT) AS meeting_id
        FROM complaints WHERE category = 'quality' AND status <> 'closed'"""]

# Engineering: engineering changes not yet implemented (due: the effective date) and
# improvements not yet done that have a due date (an idea not yet started has no days open: it
# was counted from its due date before, and showed -7 days open on the demo).
ISSUE_SOURCES["engineering"] = ["""
        SELECT 'ecn' AS kind, ecn AS ref, title, coalesce(owner, '') AS owner, effective_date AS due_date,
               created_date AS opened, status, CAST(NULL AS BIGINT) AS meeting_id
        FROM engineering_changes WHERE status IN ('open', 'approved')""", """
        SELECT 'improvement' AS kind, CAST(improvement_id AS VARCHAR) AS ref, title, coalesce(owner, '') AS owner,
               due_date, start_date AS opened, status, CAST(NULL AS BIGINT) AS meeting_id
        FROM improvements WHERE status IN ('idea', 'in_progress') AND due_date IS NOT NULL"""]


def action_counts(con, as_of: date) -> tuple[int, int]:
    """(open actions, of which overdue), by lib.meeting.actions' one rule: open until verified or
    cancelled; overdue = open or in progress and due before as_of."""
    from lib.meeting import actions
    live = actions.open_action_list(con, as_of)
    return len(live), int(live["overdue"].astype(bool).sum())
