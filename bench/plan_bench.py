"""Benchmark: the planned load (lib.plan.planned) and the promise on it, on the large factory.

* planned load: cold (first in the process, the compiled kernel loaded from numba's cache) and
  cached per data version (a second call), beside the baseline: the plain per-line Python loop of
  tests/reference_plan.py on the same arrays, checked to give the same statuses;
* a promise (lib.plan.promise.quote): cold (plan and material book read for this data version)
  and warm (both cached);
* the what-if re-plan (overtime on the most loaded work center for two weeks) and its comparison
  (lib.plan.whatif.compare).

    python bench/plan_bench.py [--db /tmp/large.duckdb] [--runs 3] [--baseline-lines 59166]

Without --db a large factory is generated first (about 40 s; `python -m lib init --demo --scale
large --db /tmp/large.duckdb --as-of 2026-11-25` makes one to reuse).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_capacity import timed  # noqa: E402
from lib.plan import late, planned, promise, whatif  # noqa: E402
from lib.plan.grid import WhatIf  # noqa: E402
from lib.store.db import Database  # noqa: E402
from tests.reference_plan import plan_lines  # noqa: E402

AS_OF = date(2026, 11, 25)


def large_db(path: str | None) -> str:
    if path and Path(path).exists():
        return path
    from lib import demo
    path = path or str(Path(tempfile.mkdtemp()) / "large.duckdb")
    d = Database(path)
    demo.generate(d, as_of=AS_OF, scale="large")
    d.checkpoint()
    d.close()
    return path


def baseline(p: planned.Plan, n: int) -> tuple[float, int, int]:
    """The plain per-line loop on the first `n` lines of the same inputs: seconds, lines, agreeing statuses."""
    cnt, wd, l_due, l_first, l_n, s_hours, s_lead, horizon = p.inputs
    days = min(p.grid.days, horizon + 1)
    cap = p.grid.cap[:, :days].tolist()
    lines = [(int(l_due[i]), [(int(p.s_wc[j]), float(s_hours[j]), int(s_lead[j]))
                              for j in range(l_first[i], l_first[i] + l_n[i])]) for i in range(min(n, len(l_due)))]
    t0 = time.perf_counter()
    res, _ = plan_lines(cap, lines)
    seconds = time.perf_counter() - t0
    # the compiled kernel on exactly these lines and days
    sub = planned._run(np.ascontiguousarray(p.grid.cap[:, :days]), cnt[:, :days].copy(), wd, l_due[:len(lines)],
                       l_first[:len(lines)], l_n[:len(lines)], p.s_wc, s_hours, s_lead, days - 1, planned.EPS)
    agree = sum(planned.STATUS[int(s)] == r[0] for s, r in zip(sub[0], res))
    return seconds, len(lines), agree


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-lines", type=int, default=10_000,
                    help="lines the plain loop plans (it is slow: minutes for all of them)")
    args = ap.parse_args()
    db = Database(large_db(args.db))          # brings an older file up to date (migrations)
    with db.cursor() as cur:
        t_cold, p = timed(lambda: planned.plan(cur, AS_OF))
        t_cached, _ = timed(lambda: planned.plan(cur, AS_OF), args.runs)
        t_build, _ = timed(lambda: planned.build(cur, AS_OF), args.runs)
        print(f"planned load: {len(p.lines):,} open routed lines, {len(p.s_wc):,} steps, "
              f"{len(p.grid.work_centers)} work centers, {p.grid.days} days; "
              f"{(p.lines['status'] == 'late').sum():,} late, {(p.lines['status'] == 'unplanned').sum():,} unplanned")
        print(f"  cold (first call, kernel from cache) {t_cold:.2f} s; build again {t_build:.2f} s; "
              f"cached per data version {t_cached * 1000:.2f} ms")
        b_s, b_n, agree = baseline(p, args.baseline_lines)
        sub_t, _ = timed(lambda: planned._run(np.ascontiguousarray(p.grid.cap[:, :p.inputs[-1] + 1]),
                                              p.inputs[0][:, :p.inputs[-1] + 1].copy(), p.inputs[1],
                                              p.inputs[2][:b_n], p.inputs[3][:b_n], p.inputs[4][:b_n], p.s_wc,
                                              p.inputs[5], p.inputs[6], p.inputs[-1], planned.EPS), args.runs)
        print(f"  baseline (plain per-line Python loop) on the first {b_n:,} lines: {b_s:.2f} s; the kernel on the "
              f"same: {sub_t * 1000:.1f} ms ({b_s / sub_t:.0f}x); statuses agree {agree:,}/{b_n:,}")
        product = cur.execute("SELECT product FROM routings GROUP BY product ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        req = AS_OF + timedelta(days=21)
        planned._CACHE.clear()
        promise._BOOKS.clear()
        t_q_cold, q = timed(lambda: promise.quote(cur, product, 300, req, as_of=AS_OF))
        t_q_warm, _ = timed(lambda: promise.quote(cur, product, 300, req, as_of=AS_OF), args.runs)
        print(f"promise {product} x 300 by {req}: {q.promise_date} ({q.binding and q.binding['kind']}); "
              f"cold {t_q_cold:.2f} s (plans the factory), warm {t_q_warm * 1000:.1f} ms")
        load = planned.plan(cur, AS_OF).load
        top = p.grid.work_centers[int(np.argmax(load[:, :14].sum(axis=1)))]
        rows = tuple((AS_OF + timedelta(days=i), top, 12.0) for i in range(14) if (AS_OF + timedelta(days=i)).weekday() < 5)
        wi = WhatIf(calendar=rows)
        t_wi, _ = timed(lambda: planned.build(cur, AS_OF, wi), args.runs)
        t_cmp, c = timed(lambda: whatif.compare(cur, AS_OF, wi))
        print(f"what-if: 12 h days on {top} for two weeks: re-plan {t_wi:.2f} s; comparison {t_cmp:.2f} s "
              f"(late lines {c.before:,} -> {c.after:,}, still {c.missing_total:,.0f} h missing)")
        t_late, lst = timed(lambda: late.late_lines(cur, AS_OF), args.runs)
        print(f"late list: {len(lst):,} lines in {t_late:.2f} s (plan cached, pegged late POs read)")


if __name__ == "__main__":
    main()
