"""A living demo factory: every table of the schema filled around an as-of date.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> counts = generate(db, as_of=date(2026, 3, 2), seed=7)
    >>> counts["order_lines"] > 1000
    True

The data is generated around `as_of` (default: today) so the dashboard always looks current:
`history_weeks` of the past (orders, shipments, production, purchasing, quality, meetings) and
`future_weeks` ahead (open orders, open POs, milestones). The same seed and as-of date give
identical data. Four stories are planted so a meeting has something to discuss:

1. BOTTLENECK (SMT-2) is loaded above 100 % in weeks 3-5 ahead: sales accepted a surge of
   controller-board orders that PMC flagged in review.
2. SLIPPING_SUPPLIER's on-time rate falls over the last 8 weeks; some of its POs are open and late.
3. QUALITY_LINE's first-pass yield drops in recent weeks, dominated by DEFECT, with complaints.
4. CHANGING_CUSTOMER changes its orders often (external order changes and re-promises).

Everything is vectorised with numpy/pandas so the "large" scale runs through the same code;
loops only run over master data (work centers, products) and the few meetings.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import numpy as np
import pandas as pd

from lib.demo import (
    common,
    engineering,
    master,
    meeting,
    pmc,
    purchasing,
    quality,
    sales,
)
from lib.demo.common import (  # noqa: F401 - the demo's interface: its size and the planted stories
    BOTTLENECK,
    CHANGING_CUSTOMER,
    DEFECT,
    QUALITY_LINE,
    SCALES,
    SLIPPING_SUPPLIER,
    Ctx,
    Scale,
)
from lib.people.auth import SYSTEM
from lib.store.db import Database

# ---------------------------------------------------------------------------- writing

_SEQUENCES = {"order_lines": "seq_line_id", "promise_history": "seq_promise", "order_changes": "seq_change",
              "shipments": "seq_shipment", "variance_notes": "seq_variance", "downtime": "seq_downtime",
              "receipts": "seq_receipt", "inspections": "seq_inspection", "improvements": "seq_improvement",
              "meetings": "seq_meeting", "decisions": "seq_decision", "action_items": "seq_action",
              "action_events": "seq_action_event"}
_ID_COL = {"order_lines": "line_id", "promise_history": "promise_id", "order_changes": "change_id",
           "shipments": "shipment_id"}
# tables written, in an order where masters come first; meeting documents/snapshots stay empty
TABLES = ["users", "section_updates", "work_centers", "calendar", "products", "routings", "suppliers", "customers",
          "materials", "bom", "inventory", "order_lines", "promise_history", "order_reviews", "order_changes",
          "shipments", "complaints", "production_plan", "production_actual", "variance_notes", "downtime",
          "purchase_orders", "receipts", "price_history", "inspections", "npi_projects", "npi_milestones", "drawings",
          "engineering_changes", "engineering_change_products", "improvements", "meetings", "meeting_attendance",
          "agenda_items", "decisions", "action_items", "action_discussions", "action_events"]


def _reserve(cur, seq: str, n: int) -> int:
    """Take `n` consecutive values from a sequence so later app inserts do not collide."""
    return int(cur.execute(f"SELECT min(v) FROM (SELECT nextval('{seq}') AS v FROM range(?))", [n]).fetchone()[0])


def _columns(cur, table: str) -> list[str]:
    return [r[0] for r in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()]


def _write(tx, table: str, frame: pd.DataFrame) -> int:
    """Bulk-insert the schema's columns of `frame` into `table`; one audit row with the count."""
    cols = [c for c in _columns(tx.cur, table) if c in frame.columns]
    tx.cur.register("_demo_frame", frame[cols])
    # no `finally`: after a failed insert DuckDB refuses even the unregister and would hide the cause
    tx.cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_frame")
    tx.cur.unregister("_demo_frame")
    tx.audit("generate", table, None, None, None, len(frame))
    return len(frame)


def generate(db: Database, as_of: date | None = None, seed: int = 7, scale: Scale | str = "demo",
             progress: Callable[[float, str], None] | None = None) -> dict[str, int]:
    """Replace the database's data with a demo factory around `as_of`; return rows per table.

    Deterministic: the same seed, as_of and scale give the same rows (ids start where the
    sequences stand, so on a fresh database they are identical too).
    """
    as_of = as_of or date.today()
    sc = SCALES[scale] if isinstance(scale, str) else scale
    step = progress or (lambda f, label: None)
    c = Ctx(as_of, seed, sc)
    with db.transaction(SYSTEM, source="demo") as tx:
        tx.cur.execute("DELETE FROM order_operations")
        for t in reversed(TABLES):
            tx.cur.execute(f"DELETE FROM {t}")
        # ids: lengths are only known after generation, so reserve lazily via a large-enough guess
        step(0.02, "master data")
        master.work_centers(c), master.products(c), master.routings(c), master.suppliers_customers(c), master.materials(c), master.bom(c), master.calendar(c)
        step(0.1, "orders")
        # ids are generated zero-based; _assign_ids shifts them into blocks taken from the sequences
        c.ids["seq_line_id"] = 0
        sales.orders(c)
        step(0.35, "production")
        for seq in ("seq_downtime", "seq_variance", "seq_receipt", "seq_inspection", "seq_improvement",
                    "seq_meeting", "seq_decision", "seq_action", "seq_action_event"):
            c.ids[seq] = 0
        pmc.production(c)
        step(0.55, "purchasing")
        purchasing.purchase_orders(c)
        step(0.65, "quality")
        quality.inspections(c)
        step(0.75, "engineering and meetings")
        engineering.projects(c)
        meeting.meetings(c)
        meeting.governance(c, seed)
        _assign_ids(c, tx)
        step(0.8, "writing")
        counts = {}
        for i, t in enumerate(TABLES):
            counts[t] = _write(tx, t, c.frames[t])
            step(0.8 + 0.2 * (i + 1) / len(TABLES), t)
        for k, v in (("mode", "demo"), ("demo_as_of", as_of.isoformat()), ("demo_seed", str(seed))):
            tx.cur.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [k, v])
        # one account per role, each with the password "demo" (shown on the login screen in demo mode)
        from lib.people.users import set_demo_passwords
        set_demo_passwords(tx)
        counts["order_operations"] = pmc.operations(tx, as_of)
    return counts


def _assign_ids(c: Ctx, tx) -> None:
    """Shift every generated surrogate id (zero-based) to a block reserved from its sequence,
    and every reference to it, so the app's later inserts never collide."""
    f = c.frames
    f["promise_history"].insert(0, "promise_id", np.arange(len(f["promise_history"])))
    f["order_changes"].insert(0, "change_id", np.arange(len(f["order_changes"])))
    f["shipments"].insert(0, "shipment_id", np.arange(len(f["shipments"])))
    for table, seq in _SEQUENCES.items():
        n = len(f[table])
        base = _reserve(tx.cur, seq, n) if n else 1
        col = _ID_COL.get(table, {"variance_notes": "note_id", "downtime": "downtime_id", "receipts": "receipt_id",
                                  "inspections": "inspection_id", "improvements": "improvement_id",
                                  "meetings": "meeting_id", "decisions": "decision_id", "action_items": "action_id",
                                  "action_events": "event_id"}.get(table))
        f[table][col] = f[table][col] + base
        refs = {"order_lines": [("promise_history", "line_id"), ("order_reviews", "line_id"), ("order_changes", "line_id"),
                                ("shipments", "line_id"), ("complaints", "line_id"), ("action_items", "line_id")],
                "meetings": [("meeting_attendance", "meeting_id"), ("agenda_items", "meeting_id"), ("decisions", "meeting_id"),
                             ("action_items", "meeting_id"), ("action_discussions", "meeting_id")],
                "decisions": [("action_items", "decision_id")],
                "action_items": [("action_discussions", "action_id"), ("action_events", "action_id")],
                "receipts": []}.get(table, [])
        for t, col2 in refs:
            f[t][col2] = pd.to_numeric(f[t][col2]) + base
        if table == "receipts":
            # inspection lots name the receipt id
            ins = f["inspections"]
            inc = ins.stage == "incoming"
            ins.loc[inc, "lot"] = common.join("L-", (ins.loc[inc, "lot"].str[2:].astype("int64") + base).to_numpy())
