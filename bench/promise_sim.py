"""Closed-loop promise simulation: do the promises hold when the factory is busy?

A benchmark, not a test. A seeded factory is run for 26 weeks, day by day, in a real DuckDB
database through the project's own lib:

* customer inquiries (product, qty, wanted as soon as possible) arrive at random on working days,
  sized so that the offered load is 70 %, 85 %, 95 % and 105 % of the bottleneck's capacity;
* each inquiry is quoted by the rule under test, as of that day, and accepted at the quoted date
  (an order line with that promised date is written); purchasing keeps a reorder point per
  material (its demand over its lead time plus 5 days), ordering up to 10 more days of demand
  when the position (on hand + on order - what open lines need) falls below it;
* an executor that knows nothing of the plan runs production day by day: material received is
  given to the waiting lines in the order of their promised dates (what a line cannot get in full
  stays reserved for it); each work center works its day's hours on the released operation with
  the earliest promised date (routing order respected, the next step released the working day
  after, a step lasts at least its lead days, the first step starts only once all its material is
  there); a line ships the day it finishes;
* the shop floor reports every day how far each line has got (order_operations: the steps done,
  the qty done at the step under way), so the plan counts only the work that is left;
* disturbances the plan does not know of: 5 % of work-center days lose half their hours, 20 % of
  purchase orders arrive 1-5 days late.

Rules, side by side, on the same inquiries and disturbances (common random numbers):
  (a) fixed lead time per product, as Odoo's customer lead time: the routing's lead days (as
      calendar days, x 7/5) + the longest material lead time;
  (b) infinite capacity: lib.plan.promise.quote with the free capacity taken from the required
      load (capacity - load placed backwards from the due dates), the promise before this change;
  (c) finite capacity: lib.plan.promise.quote as it is (the free hours the planned load leaves).
Lower bound: each inquiry's own processing on an empty factory (every step on full capacity,
material at hand).

Measured per rule and load, over the inquiries of weeks 3-20 (weeks 1-2 warm the factory up,
21-26 let the last ones finish): share of lines shipped by their promised date, mean and p90
quoted lead time (promise - inquiry, calendar days), quoted / lower bound, mean days late of the
late lines, achieved utilisation of the bottleneck, mean quote time.

    python bench/promise_sim.py [--weeks 26] [--seed 11] [--loads 0.70,0.85,0.95,1.05] [--rules a,b,c]
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.people.auth import SYSTEM  # noqa: E402
from lib.plan import capacity, planned, promise  # noqa: E402
from lib.plan.grid import NO_WHATIF  # noqa: E402
from lib.store.db import Database  # noqa: E402

START = date(2027, 1, 4)          # a Monday
EPS = 1e-6

# ---------------------------------------------------------------------------- the factory
# work center: hours a working day (efficiency 1)
WORK_CENTERS = {"SAW": 16, "CNC": 16, "WELD": 16, "PAINT": 16, "ASSY": 16}
# product: [(work center, setup h, run h/unit, lead days)], mix weight
PRODUCTS = {
    "FRAME": ([("SAW", 0.5, 0.04, 1), ("WELD", 1.0, 0.10, 1), ("PAINT", 0.5, 0.05, 2)], 3),
    "SHAFT": ([("SAW", 0.5, 0.03, 1), ("CNC", 1.5, 0.12, 1)], 2),
    "HOUSING": ([("CNC", 1.0, 0.10, 1), ("PAINT", 0.5, 0.04, 2), ("ASSY", 0.5, 0.05, 1)], 3),
    "BRACKET": ([("SAW", 0.3, 0.02, 1), ("WELD", 0.5, 0.06, 1)], 2),
    "UNIT": ([("CNC", 1.0, 0.08, 1), ("WELD", 0.5, 0.05, 1), ("ASSY", 1.0, 0.15, 1)], 2),
}
# material: lead days (calendar), unused; bom: product -> [(material, qty per)]
MATERIALS = {"STEEL": (7, 0), "TUBE": (10, 0), "PAINTKIT": (5, 0), "MOTOR": (14, 0)}
BOM = {"FRAME": [("TUBE", 2), ("PAINTKIT", 0.2)], "SHAFT": [("STEEL", 1)],
       "HOUSING": [("STEEL", 2), ("PAINTKIT", 0.2)], "BRACKET": [("STEEL", 0.5)],
       "UNIT": [("STEEL", 1), ("MOTOR", 1)]}
QTY = (20, 120)                   # an inquiry's qty, uniform


SAFETY_DAYS, COVER_DAYS = 5, 10     # purchasing: safety time and order cover, in days of demand


def material_demand(rate: float) -> dict[str, float]:
    """Expected use of each material per calendar day at `rate` inquiries a working day."""
    weights = np.array([w for _, w in PRODUCTS.values()], float)
    share = dict(zip(PRODUCTS, weights / weights.sum()))
    mean_qty = sum(QTY) / 2
    out = {m: 0.0 for m in MATERIALS}
    for p, comps in BOM.items():
        for m, q in comps:
            out[m] += rate * share[p] * mean_qty * q * 5 / 7
    return out


def build_factory(db: Database, stock: dict[str, float]) -> None:
    with db.transaction(SYSTEM, source="sim") as tx:
        for wc, h in WORK_CENTERS.items():
            tx.execute("INSERT INTO work_centers VALUES (?, ?, 'L1', ?, 1.0)", [wc, wc, h])
        for p, (routing, _) in PRODUCTS.items():
            tx.execute("INSERT INTO products (product, name, family) VALUES (?, ?, 'F')", [p, p])
            for i, (wc, s, r, lead) in enumerate(routing, 1):
                tx.execute("INSERT INTO routings VALUES (?, ?, ?, ?, ?, ?)", [p, 10 * i, wc, s, r, lead])
        tx.execute("INSERT INTO suppliers VALUES ('SUP', 'Supplier')")
        tx.execute("INSERT INTO customers VALUES ('C1', 'Customer')")
        for m, (lead, _) in MATERIALS.items():
            tx.execute("INSERT INTO materials VALUES (?, ?, 'pcs', ?, 1.0, 'SUP')", [m, m, lead])
            tx.execute("INSERT INTO inventory VALUES (?, ?, 0)", [m, stock[m]])
        for p, comps in BOM.items():
            for m, q in comps:
                tx.execute("INSERT INTO bom VALUES (?, ?, ?)", [p, m, q])


def working(d: date) -> bool:
    return d.weekday() < 5


def next_working(d: date) -> date:
    d += timedelta(days=1)
    while not working(d):
        d += timedelta(days=1)
    return d


def hours_of(product: str, qty: float) -> list[tuple[str, float, int]]:
    return [(wc, s + r * qty, max(lead, 1)) for wc, s, r, lead in PRODUCTS[product][0]]


def arrival_rate(load: float) -> tuple[float, str]:
    """Inquiries per working day that offer `load` x the bottleneck's capacity."""
    weights = np.array([w for _, w in PRODUCTS.values()], float)
    share = weights / weights.sum()
    mean_qty = sum(QTY) / 2
    per_wc = {wc: 0.0 for wc in WORK_CENTERS}
    for (p, (routing, _)), sh in zip(PRODUCTS.items(), share):
        for wc, s, r, _ in routing:
            per_wc[wc] += sh * (s + r * mean_qty)
    bottleneck = max(per_wc, key=lambda w: per_wc[w] / WORK_CENTERS[w])
    return load * WORK_CENTERS[bottleneck] / per_wc[bottleneck], bottleneck


# ---------------------------------------------------------------------------- the rules

def _fixed_days(product: str) -> int:
    lead = sum(max(x[3], 1) for x in PRODUCTS[product][0])
    return math.ceil(lead * 7 / 5) + max(MATERIALS[m][0] for m, _ in BOM[product])


def _required_matrix(con, as_of, exclude_lines=(), whatif=NO_WHATIF, key=None):
    """Rule (b): free capacity = capacity - the required load (infinite capacity)."""
    end = planned.horizon_end(con, as_of)
    wcs, cap, ld = capacity.remaining_matrix(con, as_of, end, whatif=whatif, exclude_lines=exclude_lines)
    return promise.Matrix(as_of, wcs, cap, ld)


MARGIN = 0.15        # rule (f): the share of each day's free hours a quote leaves alone


def _margin_matrix(con, as_of, exclude_lines=(), whatif=NO_WHATIF, key=None):
    """Rule (f): the finite rule's free hours, less MARGIN of each day's capacity."""
    m = _finite_matrix(con, as_of, exclude_lines, whatif, key)
    return promise.Matrix(m.start, m.work_centers, m.cap, np.minimum(m.load + MARGIN * m.cap, m.cap))


_finite_matrix = promise.build_matrix


class _Undo(Exception):
    pass


def _keeps_the_plan(db, product: str, qty: float, day: date, promised: date, before: set) -> bool:
    """Rule (g)'s check: with the inquiry accepted at `promised` (an order line due then, planned in
    its due-date place), is it on time and is every line the plan had on time still on time?"""
    ok = False
    try:
        with db.transaction(SYSTEM, source="sim-check") as tx:
            tx.insert("order_lines", {"order_no": "CHECK", "line_no": 1, "customer": "C1", "product": product,
                                      "qty": qty, "order_date": day, "requested_date": day, "promised_date": promised})
            p = planned.build(tx.cur, day)
            on_time = set(p.lines.loc[p.lines["status"].isin(["on_time", "forward"]), "order_no"])
            ok = "CHECK" in on_time and before <= on_time
            raise _Undo
    except _Undo:
        pass
    return ok


def quote(rule: str, con, product: str, qty: float, day: date, db=None) -> date:
    if rule == "a":
        return day + timedelta(days=_fixed_days(product))
    if rule in ("g", "h", "i"):
        d = _in_priority(con, product, qty, day, db, "c" if rule == "g" else "d")
        return d + timedelta(days=1 if rule == "i" else 0)
    return _quote(rule, con, product, qty, day)


def _in_priority(con, product, qty, day, db, base):
    """Rules (g), (h): the base rule's date, moved later until accepting the inquiry at it (as an
    order line due then, planned in its due-date place) keeps it and every line the plan had on
    time on time."""
    first = _quote(base, con, product, qty, day)
    planned.BACKWARD = base != "d"
    try:
        p = planned.build(con, day)
        before = set(p.lines.loc[p.lines["status"].isin(["on_time", "forward"]), "order_no"])
        for k in range(60):
            if _keeps_the_plan(db, product, qty, day, first + timedelta(days=k), before):
                return first + timedelta(days=k)
        return first + timedelta(days=60)
    finally:
        planned.BACKWARD = True


def _quote(rule: str, con, product: str, qty: float, day: date) -> date:
    build = promise.build_matrix
    if rule == "b":
        promise.build_matrix = _required_matrix
    if rule == "f":
        promise.build_matrix = _margin_matrix
    planned.BACKWARD = rule != "d"
    try:
        p = promise.quote(con, product, qty, day, as_of=day)
    finally:
        promise.build_matrix = build
        planned.BACKWARD = True
    if p.promise_date is None:
        raise RuntimeError(f"no date for {product} x {qty} on {day}: {p.problem}")
    return p.promise_date + timedelta(days=1 if rule == "e" else 0)


def lower_bound(product: str, qty: float, day: date) -> date:
    """The inquiry's own processing on an empty factory (full capacity, material at hand)."""
    days = 120
    names = list(WORK_CENTERS)
    cap = np.zeros((len(names), days))
    for i, wc in enumerate(names):
        for k in range(days):
            cap[i, k] = WORK_CENTERS[wc] if working(day + timedelta(days=k)) else 0.0
    m = promise.Matrix(day, names, cap, np.zeros_like(cap))
    routing = [(10 * i, wc, s, r, lead) for i, (wc, s, r, lead) in enumerate(PRODUCTS[product][0], 1)]
    steps, problem = promise._forward(m, routing, qty, 0, detail=False)
    return day + timedelta(days=steps[-1]["finish"])


# ---------------------------------------------------------------------------- the executor

@dataclass
class Line:
    line_id: int
    product: str
    qty: float
    inquiry: date
    promised: date
    lower: date
    steps: list = field(default_factory=list)       # [(wc, hours, lead)]
    k: int = 0                                      # current step
    rem: float = 0.0                                # hours left in it
    started: date | None = None
    worked: int = 0                                 # working days since its start
    release: date | None = None
    has_material: bool = False
    material_day: date | None = None
    log: list = field(default_factory=list)         # (step, start, finish) as executed
    shipped: date | None = None


@dataclass
class Stats:
    hours: dict = field(default_factory=dict)       # wc -> hours worked (measured window)
    cap: dict = field(default_factory=dict)
    quote_s: list = field(default_factory=list)


DISTURBED_DAYS, LATE_POS = 0.05, 0.20     # shares of work-center days losing half, of POs 1-5 days late


def run(rule: str, load: float, weeks: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)                # the same stream for every rule at a load
    rate, bottleneck = arrival_rate(load)
    names = list(PRODUCTS)
    weights = np.array([PRODUCTS[p][1] for p in names], float)
    weights /= weights.sum()
    end = START + timedelta(weeks=weeks)
    days = [START + timedelta(days=i) for i in range((end - START).days)]
    inquiries = {d: [(str(rng.choice(names, p=weights)), float(rng.integers(QTY[0], QTY[1] + 1)))
                     for _ in range(rng.poisson(rate))] if working(d) else [] for d in days}
    disturbed = {(wc, d): rng.random() < DISTURBED_DAYS for wc in WORK_CENTERS for d in days}
    po_rng = np.random.default_rng(seed + 1)
    po_delay = [int(po_rng.integers(1, 6)) if po_rng.random() < LATE_POS else 0 for _ in range(100_000)]

    demand = material_demand(rate)
    rop = {m: demand[m] * (MATERIALS[m][0] + SAFETY_DAYS) for m in MATERIALS}
    cover = {m: demand[m] * COVER_DAYS for m in MATERIALS}
    db = Database(":memory:")
    build_factory(db, {m: rop[m] + cover[m] / 2 for m in MATERIALS})
    lines: list[Line] = []
    stock = {m: rop[m] + cover[m] / 2 for m in MATERIALS}
    allocated = {m: 0.0 for m in MATERIALS}
    arrivals: dict[date, list[tuple[str, str, float]]] = {}
    n_po = 0
    stats = Stats({wc: 0.0 for wc in WORK_CENTERS}, {wc: 0.0 for wc in WORK_CENTERS})
    measure_from, measure_to = START + timedelta(weeks=2), START + timedelta(weeks=weeks - 6)

    for d in days:
        # goods received today
        for po, m, q in arrivals.pop(d, []):
            stock[m] += q
            with db.transaction(SYSTEM, source="sim") as tx:
                tx.execute("INSERT INTO receipts (po, receipt_date, qty) VALUES (?, ?, ?)", [po, d, q])
                tx.execute("UPDATE inventory SET on_hand = on_hand + ? WHERE material = ?", [q, m])
                tx.execute("UPDATE purchase_orders SET status = 'closed' WHERE po = ?", [po])
        if not working(d):
            continue
        # inquiries: quote, accept, order the material short
        for product, qty in inquiries[d]:
            with db.cursor() as cur:
                t0 = time.perf_counter()
                promised = quote(rule, cur, product, qty, d, db)
                stats.quote_s.append(time.perf_counter() - t0)
            with db.transaction(SYSTEM, source="sim") as tx:
                line_id = tx.insert("order_lines", {
                    "order_no": f"S{len(lines) + 1:06d}", "line_no": 1, "customer": "C1", "product": product,
                    "qty": qty, "order_date": d, "requested_date": d, "promised_date": promised}, returning="line_id")
            ln = Line(int(line_id), product, qty, d, promised, lower_bound(product, qty, d), hours_of(product, qty))
            ln.rem, ln.release = ln.steps[0][1], d
            lines.append(ln)
        # purchasing: a reorder point per material (demand over its lead time + SAFETY_DAYS),
        # ordered up to ROP + COVER_DAYS of demand when the position (on hand + on order - what
        # open lines need) falls below it
        with db.transaction(SYSTEM, source="sim") as tx:
            pos = tx.query("""
                WITH need AS (SELECT b.material, sum((o.qty - o.shipped_qty) * b.qty_per) AS need
                              FROM order_lines o JOIN bom b USING (product) WHERE o.status = 'open' GROUP BY 1),
                po AS (SELECT material, sum(open_qty) AS open FROM purchase_order_status WHERE status = 'open' GROUP BY 1)
                SELECT i.material, i.on_hand + coalesce(po.open, 0) - coalesce(need.need, 0) AS position
                FROM inventory i LEFT JOIN need USING (material) LEFT JOIN po USING (material)""")
            for r in pos.itertuples():
                if r.position < rop[r.material]:
                    n_po += 1
                    po, qty = f"PO{n_po}", float(rop[r.material] + cover[r.material] - r.position)
                    due = d + timedelta(days=MATERIALS[r.material][0])
                    tx.execute("INSERT INTO purchase_orders VALUES (?, 'SUP', ?, ?, ?, ?, 1.0, 'open')",
                               [po, r.material, qty, d, due])
                    arrivals.setdefault(due + timedelta(days=po_delay[n_po % len(po_delay)]), []).append(
                        (po, r.material, qty))
        # material to the lines waiting for it, earliest promised date first: what a line cannot get
        # in full stays reserved for it (a later line does not take it)
        free = {m: stock[m] - allocated[m] for m in MATERIALS}
        for ln in sorted((x for x in lines if x.shipped is None and not x.has_material), key=lambda x: (x.promised, x.line_id)):
            comps = BOM[ln.product]
            if all(free[m] >= q * ln.qty - EPS for m, q in comps):
                for m, q in comps:
                    allocated[m] += q * ln.qty
                ln.has_material, ln.material_day = True, d
            for m, q in comps:
                free[m] -= min(max(free[m], 0.0), q * ln.qty)
        # production: each work center, earliest promised date first
        done_today = []
        for wc, hours in WORK_CENTERS.items():
            avail = hours * (0.5 if disturbed[(wc, d)] else 1.0)
            if measure_from <= d < measure_to:
                stats.cap[wc] += avail
            queue = sorted((ln for ln in lines if ln.shipped is None and ln.steps[ln.k][0] == wc
                            and ln.release <= d), key=lambda ln: (ln.promised, ln.line_id))
            for ln in queue:
                if ln.k == 0 and not ln.has_material:
                    continue                         # its material is not here yet
                if avail > EPS and ln.rem > EPS:
                    take = min(avail, ln.rem)
                    avail -= take
                    ln.rem -= take
                    if measure_from <= d < measure_to:
                        stats.hours[wc] += take
                    if ln.started is None:
                        ln.started, ln.worked = d, 0
                elif ln.rem <= EPS and ln.started is None:
                    ln.started, ln.worked = d, 0          # a step without hours still takes its lead days
        for ln in lines:
            if ln.shipped is None and ln.started is not None and ln.release <= d:
                ln.worked += 1
                lead = ln.steps[ln.k][2]
                if ln.rem <= EPS and ln.worked >= lead:
                    ln.log.append((ln.steps[ln.k][0], ln.started, d))
                    if ln.k + 1 < len(ln.steps):
                        ln.k += 1
                        ln.rem, ln.started, ln.release = ln.steps[ln.k][1], None, next_working(d)
                    else:
                        ln.shipped = d
                        done_today.append(ln)
        # the shop floor reports how far each line has got (order_operations), as an MES would:
        # steps finished for the whole qty, the step under way by the share of its hours done
        with db.transaction(SYSTEM, source="sim") as tx:
            for ln in lines:
                if ln.shipped is None and (ln.k > 0 or ln.started is not None):
                    rows = [(10 * (j + 1), ln.qty) for j in range(ln.k)]
                    if ln.started is not None:    # units done at the step under way: after its setup
                        _, setup, run, _ = PRODUCTS[ln.product][0][ln.k]
                        worked = ln.steps[ln.k][1] - ln.rem
                        done = ln.qty if ln.rem <= EPS else min(ln.qty, max(0.0, (worked - setup) / run) if run else 0.0)
                        rows.append((10 * (ln.k + 1), math.floor(done + EPS)))
                    for step, done in rows:
                        tx.execute("INSERT INTO order_operations VALUES (?, ?, ?) ON CONFLICT (line_id, step) "
                                   "DO UPDATE SET qty_done = excluded.qty_done", [ln.line_id, step, float(done)])
        if done_today:
            with db.transaction(SYSTEM, source="sim") as tx:
                for ln in done_today:
                    tx.execute("INSERT INTO shipments (line_id, ship_date, qty) VALUES (?, ?, ?)", [ln.line_id, d, ln.qty])
                    tx.execute("UPDATE order_lines SET shipped_qty = qty, status = 'closed' WHERE line_id = ?", [ln.line_id])
                    for m, q in BOM[ln.product]:
                        stock[m] -= q * ln.qty
                        allocated[m] -= q * ln.qty
                        tx.execute("UPDATE inventory SET on_hand = ? WHERE material = ?", [max(stock[m], 0.0), m])
    db.close()
    return summarise(rule, load, lines, stats, bottleneck, measure_from, measure_to, end)


LAST_LINES: list = []


def summarise(rule, load, lines, stats, bottleneck, measure_from, measure_to, end) -> dict:
    LAST_LINES[:] = lines
    sample = [ln for ln in lines if measure_from <= ln.inquiry < measure_to]
    shipped_on = [(ln.shipped or end) for ln in sample]
    late = [(s - ln.promised).days for ln, s in zip(sample, shipped_on) if s > ln.promised]
    quoted = [(ln.promised - ln.inquiry).days for ln in sample]
    lower = [(ln.lower - ln.inquiry).days for ln in sample]
    return {
        "rule": rule, "load": load, "lines": len(sample),
        "on_time": 1 - len(late) / len(sample) if sample else None,
        "quoted_mean": statistics.mean(quoted) if quoted else None,
        "quoted_p90": float(np.percentile(quoted, 90)) if quoted else None,
        "lower_mean": statistics.mean(lower) if lower else None,
        "late_days": statistics.mean(late) if late else 0.0,
        "unshipped": sum(ln.shipped is None for ln in sample),
        "utilisation": stats.hours[bottleneck] / stats.cap[bottleneck] if stats.cap[bottleneck] else None,
        "quote_ms": 1000 * statistics.mean(stats.quote_s) if stats.quote_s else None,
        "bottleneck": bottleneck,
    }


RULE_NAMES = {"a": "(a) fixed lead time", "b": "(b) infinite capacity", "c": "(c) finite capacity",
              "d": "(d) finite, open lines as soon as possible",
              "e": "(e) finite + 1 day shipping buffer", "f": "(f) finite, 15 % of capacity kept free",
              "g": "(g) finite, kept in due-date priority",
              "h": "(h) finite, open lines as soon as possible, kept in due-date priority",
              "i": "(i) = (h) + 1 day shipping buffer"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--loads", default="0.70,0.85,0.95,1.05")
    ap.add_argument("--rules", default="a,b,c")
    ap.add_argument("--calm", action="store_true", help="no disturbances (to see what they cost)")
    args = ap.parse_args()
    if args.calm:
        global DISTURBED_DAYS, LATE_POS
        DISTURBED_DAYS, LATE_POS = 0.0, 0.0
    rows = []
    for load in [float(x) for x in args.loads.split(",")]:
        for rule in args.rules.split(","):
            t0 = time.perf_counter()
            r = run(rule, load, args.weeks, args.seed)
            r["seconds"] = time.perf_counter() - t0
            rows.append(r)
            print(f"load {load:.0%} {RULE_NAMES[rule]}: {r['lines']} lines, on time {r['on_time']:.1%}, "
                  f"quoted {r['quoted_mean']:.1f} d (p90 {r['quoted_p90']:.0f}), lower bound {r['lower_mean']:.1f} d, "
                  f"late lines {r['late_days']:.1f} d late, unshipped {r['unshipped']}, "
                  f"{r['bottleneck']} {r['utilisation']:.0%}, quote {r['quote_ms']:.1f} ms ({r['seconds']:.0f} s)",
                  flush=True)
    print("\n| offered load | rule | lines | shipped by promise | quoted lead mean / p90 (d) | quoted / lower bound "
          "| days late (late lines) | bottleneck utilisation | quote (ms) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['load']:.0%} | {RULE_NAMES[r['rule']]} | {r['lines']} | {r['on_time']:.1%} | "
              f"{r['quoted_mean']:.1f} / {r['quoted_p90']:.0f} | {r['quoted_mean'] / r['lower_mean']:.2f} | "
              f"{r['late_days']:.1f} | {r['utilisation']:.0%} | {r['quote_ms']:.1f} |")


if __name__ == "__main__":
    main()
