"""Integrity checks: what the schema does not enforce (it declares no foreign keys).

    >>> from lib.store.db import Database
    >>> integrity_problems(Database(":memory:")).empty
    True

Each check is one SQL query returning the offending rows' keys; `integrity_problems` runs them
all and lists those that found something. Empty = healthy.
"""
from __future__ import annotations

import pandas as pd

# (child table, child column, parent table, parent column) — every reference in the schema
REFERENCES: list[tuple[str, str, str, str]] = [
    ("routings", "product", "products", "product"),
    ("routings", "work_center", "work_centers", "work_center"),
    ("materials", "supplier", "suppliers", "supplier"),
    ("bom", "product", "products", "product"),
    ("bom", "material", "materials", "material"),
    ("inventory", "material", "materials", "material"),
    ("order_lines", "customer", "customers", "customer"),
    ("order_lines", "product", "products", "product"),
    ("promise_history", "line_id", "order_lines", "line_id"),
    ("order_reviews", "line_id", "order_lines", "line_id"),
    ("order_changes", "line_id", "order_lines", "line_id"),
    ("shipments", "line_id", "order_lines", "line_id"),
    ("complaints", "customer", "customers", "customer"),
    ("complaints", "line_id", "order_lines", "line_id"),
    ("complaints", "product", "products", "product"),
    ("production_plan", "work_center", "work_centers", "work_center"),
    ("production_plan", "product", "products", "product"),
    ("production_actual", "work_center", "work_centers", "work_center"),
    ("production_actual", "product", "products", "product"),
    ("variance_notes", "work_center", "work_centers", "work_center"),
    ("variance_notes", "product", "products", "product"),
    ("downtime", "work_center", "work_centers", "work_center"),
    ("downtime", "material", "materials", "material"),
    ("purchase_orders", "supplier", "suppliers", "supplier"),
    ("purchase_orders", "material", "materials", "material"),
    ("receipts", "po", "purchase_orders", "po"),
    ("price_history", "material", "materials", "material"),
    ("price_history", "supplier", "suppliers", "supplier"),
    ("inspections", "supplier", "suppliers", "supplier"),
    ("inspections", "material", "materials", "material"),
    ("inspections", "po", "purchase_orders", "po"),
    ("inspections", "work_center", "work_centers", "work_center"),
    ("inspections", "product", "products", "product"),
    ("npi_projects", "product", "products", "product"),
    ("npi_projects", "customer", "customers", "customer"),
    ("npi_milestones", "project", "npi_projects", "project"),
    ("drawings", "product", "products", "product"),
    ("drawings", "project", "npi_projects", "project"),
    ("engineering_change_products", "ecn", "engineering_changes", "ecn"),
    ("engineering_change_products", "product", "products", "product"),
    ("improvements", "work_center", "work_centers", "work_center"),
    ("meeting_attendance", "meeting_id", "meetings", "meeting_id"),
    ("agenda_items", "meeting_id", "meetings", "meeting_id"),
    ("decisions", "meeting_id", "meetings", "meeting_id"),
    ("action_items", "meeting_id", "meetings", "meeting_id"),
    ("action_items", "decision_id", "decisions", "decision_id"),
    ("action_items", "line_id", "order_lines", "line_id"),
    ("action_items", "work_center", "work_centers", "work_center"),
    ("action_items", "supplier", "suppliers", "supplier"),
    ("action_items", "material", "materials", "material"),
    ("action_discussions", "action_id", "action_items", "action_id"),
    ("action_discussions", "meeting_id", "meetings", "meeting_id"),
    ("action_events", "action_id", "action_items", "action_id"),
    ("snapshots", "meeting_id", "meetings", "meeting_id"),
    ("meeting_documents", "meeting_id", "meetings", "meeting_id"),
]

# Lines and work centers are codes too: a work center's line is free text, but the
# inspections' line must name a line that some work center is on.
_RULES: list[tuple[str, str, str]] = [
    ("negative stock", "inventory",
     "SELECT material AS key FROM inventory WHERE on_hand < 0 OR on_hold < 0"),
    ("more on hold than on hand", "inventory",
     "SELECT material AS key FROM inventory WHERE on_hold > on_hand"),
    ("shipped more than ordered", "order_lines",
     "SELECT line_id AS key FROM order_lines WHERE shipped_qty > qty + 1e-9"),
    ("shipped_qty differs from shipments", "order_lines",
     "SELECT o.line_id AS key FROM order_lines o LEFT JOIN (SELECT line_id, sum(qty) AS q FROM shipments "
     "GROUP BY line_id) s USING (line_id) WHERE abs(o.shipped_qty - coalesce(s.q, 0)) > 1e-6"),
    ("closed line not fully shipped", "order_lines",
     "SELECT line_id AS key FROM order_lines WHERE status = 'closed' AND shipped_qty < qty"),
    ("open order for a product without routing", "order_lines",
     "SELECT line_id AS key FROM order_lines o WHERE status = 'open' "
     "AND NOT EXISTS (SELECT 1 FROM routings r WHERE r.product = o.product)"),
    ("promised line without promise history", "order_lines",
     "SELECT line_id AS key FROM order_lines o WHERE promised_date IS NOT NULL "
     "AND NOT EXISTS (SELECT 1 FROM promise_history p WHERE p.line_id = o.line_id)"),
    ("routing step without positive run or setup hours", "routings",
     "SELECT product || '/' || step AS key FROM routings WHERE setup_hours + run_hours_per_unit <= 0"),
    ("inspection on an unknown line", "inspections",
     "SELECT inspection_id AS key FROM inspections WHERE line IS NOT NULL "
     "AND line NOT IN (SELECT line FROM work_centers)"),
    ("variance note on an unknown line", "variance_notes",
     "SELECT note_id AS key FROM variance_notes WHERE line IS NOT NULL "
     "AND line NOT IN (SELECT line FROM work_centers)"),
    ("calendar row for an unknown work center", "calendar",
     "SELECT CAST(date AS VARCHAR) || '/' || work_center AS key FROM calendar WHERE work_center <> '' "
     "AND work_center NOT IN (SELECT work_center FROM work_centers)"),
    ("received more than ordered", "purchase_orders",
     "SELECT po AS key FROM purchase_order_status WHERE received_qty > qty * 1.1"),
    ("action verified by its owner", "action_items",
     "SELECT action_id AS key FROM action_items WHERE status = 'verified' AND verifier = owner"),
    ("review line set but no review rows", "order_lines",
     "SELECT line_id AS key FROM order_lines o WHERE review_status IN ('pending', 'approved', 'issue') "
     "AND NOT EXISTS (SELECT 1 FROM order_reviews r WHERE r.line_id = o.line_id)"),
]


def _orphan_sql(child: str, col: str, parent: str, pcol: str) -> str:
    """Rows of `child` whose non-empty `col` has no `parent` row (names come from REFERENCES)."""
    return (f"SELECT CAST(c.{col} AS VARCHAR) AS key FROM {child} c WHERE c.{col} IS NOT NULL "
            f"AND CAST(c.{col} AS VARCHAR) <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})")


def checks() -> list[tuple[str, str, str]]:
    """Every check as (name, table, SQL returning one `key` column per offending row)."""
    out = [(f"orphan {child}.{col} -> {parent}", child, _orphan_sql(child, col, parent, pcol))
           for child, col, parent, pcol in REFERENCES]
    return out + _RULES


def integrity_problems(db) -> pd.DataFrame:
    """One row per failing check: check, table, count, example (a key of an offending row)."""
    rows = []
    for name, table, sql in checks():
        r = db.query(f"SELECT count(*) AS n, min(key) AS example FROM ({sql})").iloc[0]
        if r["n"]:
            rows.append({"check": name, "table": table, "count": int(r["n"]), "example": str(r["example"])})
    return pd.DataFrame(rows, columns=["check", "table", "count", "example"])


def check_counts(db) -> dict[str, int]:
    """How many rows every check finds (0 included): what a backup's manifest records, so a
    restore can tell problems the original had from problems the restore brought."""
    return {name: int(db.scalar(f"SELECT count(*) FROM ({sql})")) for name, _table, sql in checks()}
