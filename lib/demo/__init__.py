"""A living demo factory: every table of the schema filled around an as-of date.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> counts = generate(db, as_of=date(2026, 3, 2), seed=7)
    >>> counts["order_lines"] > 1000
    True

The data is generated around `as_of` (default: today) so the dashboard always looks current:
`history_weeks` of the past (orders, shipments, production, purchasing, quality, meetings) and
`future_weeks` ahead (open orders, open POs, milestones). The same seed and as-of date give
identical data.

The plant. Twelve work centers on four lines (SMT, machining, assembly, painting & packing), each
running one to three 8-hour shifts; six product families, each with its route (a controller
board: SMT -> AOI -> in-circuit test -> packing; a pump: CNC -> assembly -> test -> painting ->
packing). Figures chosen, and why:

* cycle times and setups a production engineer recognises (lib.demo.master._CYCLE, _SETUP): a
  controller board 43 s on an SMT line, a motor housing 2.7 min on a CNC, a pump 7 min of
  assembly-line takt; a CNC changeover 1.5 h, packing 12 min. Each machine's speed is calibrated
  within ±30 % of the standard so its average load is 60-85 % (lib.demo.sales._calibrate);
* batch sizes by family (_FAMILIES): 300 controller boards, 120 power supplies, 100 housings,
  60 valve bodies, 25 pumps an order line (lognormal, capped at the family's largest batch);
  lead days of a step cover that largest batch, so no step asks more of a day than it has;
* 20 orders a week of 1-4 lines (~50 lines), requested 2-8 weeks out (15 %: 8-12 weeks): about
  as many order lines as twelve work centers with 1-3 shifts make when each line visits 4-5 of
  them; open lines are ~7 weeks of intake;
* delivery: 88 % of lines ship on time, 7 % late (1-12 days), 5 % in two shipments; 2 % are
  cancelled;
* re-promises: 8 % of lines are re-promised (one in five twice): about 0.1 per line, the
  target; order changes (re-promises, customer quantity or spec changes on 4 % of lines, and
  cancellations) run at ~0.15 per new line a week, as a make-to-order plant with a frozen week
  sees; nothing is dated after as_of, so the current week holds no pile;
* purchasing: suppliers each have a trade (S-003 connectors ...), POs arrive on time 88-98 %;
  a planner covers the open orders' needs for 97 % of materials;
* incoming inspection samples by lot size with AQL 1.0 (accept, hold for the review board,
  reject); held lots are decided within ten days.

Four stories are planted, each where a meeting finds it:

1. BOTTLENECK (SMT-2, two shifts and Saturday overtime) is asked for ~145 % of its capacity in
   weeks 3-5 ahead: sales accepted a surge of controller-board orders from three big customers
   that PMC flagged in order review ("SMT-2 overloaded in requested week"). PMC page and
   Overview: the peak-load-ahead tile names SMT-2 and the week; Capacity load: the red row;
   Order review: PMC's issues on the surge lines.
2. SLIPPING_SUPPLIER (S-003 昆山立信连接器, connectors) slips over the last 8 weeks (on time falls
   from 94 % to ~35 %); some of its POs are open and late and endanger order lines. Purchasing page:
   last in the on-time ranking, the late POs and the lines they endanger; PMC: material idle
   hours on its connectors.
3. QUALITY_LINE (ASSY) loses first-pass yield in recent weeks, dominated by DEFECT ("loose
   connector"), with customer complaints. Quality page: yield by line (ASSY lowest), the
   defect Pareto, the complaints.
4. CHANGING_CUSTOMER (C-005 宏远机电) changes its orders: 40 % of its lines are re-promised (at its
   request) and 30 % see a quantity or spec change. Sales page: first in "who changes orders",
   most of the re-promised lines.

Everything is vectorised with numpy/pandas so the "large" scale runs through the same code;
loops only run over master data (work centers, products) and the few meetings. The large scale
keeps the proportions per order line (re-promises, changes, late share, the planted stories) and
the load shape (one overloaded work center; the others at most ~105 % in a week ahead, the
holiday week around New Year); with 9,600 new lines
a week on 200 work centers, its machines run ~19 times the demo's lines each, so there the
calibration shrinks cycle times and setups to fit: read its volumes, not its run hours.
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
