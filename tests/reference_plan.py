"""The planned-load rule of DESIGN.md written as plainly as possible: a per-line Python loop over
lists, scanning day by day. It is the oracle the property tests compare lib.plan.planned with,
and the baseline of bench/plan_bench.py. Nothing in lib uses it."""
from __future__ import annotations

EPS = 1e-6


def _working(cap_row: list[float]) -> list[int]:
    return [d for d, c in enumerate(cap_row) if c > 0]


def plan_lines(cap: list[list[float]], lines: list[tuple[int, list[tuple[int, float, int]]]]):
    """`cap[w][d]` capacity hours from today (day 0) to the horizon; `lines` in priority order,
    each (due day, [(work center, hours, lead days), ...] in routing order). Returns
    (per line: (status, finish day or None, index of the step named), entries: (line, step, w, d, hours))."""
    free = [list(row) for row in cap]
    days = len(cap[0]) if cap else 0
    working = [_working(row) for row in cap]
    results, entries = [], []
    for li, (due, steps) in enumerate(lines):
        res = _backward(free, working, days, due, steps) if due >= 0 else None
        status = "on_time"
        if res is None:
            res = _forward(free, working, days, steps)
            if isinstance(res, int):
                results.append(("unplanned", None, res))
                continue
            finish = res[1][-1][1]
            status = "late" if finish > due else "forward"
        takes, spans = res
        for j, w, d, h in takes:
            free[w][d] -= h
            entries.append((li, j, w, d, h))
        results.append((status, spans[-1][1], len(steps) - 1))
    return results, entries


def _backward(free, working, days, due, steps):
    """Takes and (first, last) day per step of the on-time placement, or None."""
    used: dict[tuple[int, int], float] = {}
    takes, spans = [], [None] * len(steps)
    nxt_first = None
    for j in range(len(steps) - 1, -1, -1):
        w, hours, lead = steps[j]
        lim = min(due, days - 1) if j == len(steps) - 1 else nxt_first - 1
        before = [d for d in working[w] if d <= lim]
        if not before or len(before) < lead:
            return None
        x = before[-1]
        lead_first = before[-lead]
        rem, earliest, last = hours, x, None
        for d in range(x, -1, -1):
            if rem <= EPS:
                break
            f = free[w][d] - used.get((w, d), 0.0)
            if f > EPS:
                t = min(f, rem)
                used[(w, d)] = used.get((w, d), 0.0) + t
                takes.append((j, w, d, t))
                rem -= t
                earliest = d
                last = d if last is None else last
        if rem > EPS:
            return None
        spans[j] = (min(earliest, lead_first), x if last is None else last)
        nxt_first = spans[j][0]
    return takes, spans


def _forward(free, working, days, steps):
    """Takes and (start, finish) per step placed forward from today, or the index of the step
    that cannot be covered within the horizon."""
    used: dict[tuple[int, int], float] = {}
    takes, spans = [], []
    t = 0
    for j, (w, hours, lead) in enumerate(steps):
        after = [d for d in working[w] if d >= t]
        if len(after) < lead:
            return j
        start, lead_last = after[0], after[lead - 1]
        rem, covered = hours, start
        for d in range(start, days):
            if rem <= EPS:
                break
            f = free[w][d] - used.get((w, d), 0.0)
            if f > EPS:
                tk = min(f, rem)
                used[(w, d)] = used.get((w, d), 0.0) + tk
                takes.append((j, w, d, tk))
                rem -= tk
                covered = d
        if rem > EPS:
            return j
        spans.append((start, max(covered, lead_last)))
        t = spans[-1][1] + 1
    return takes, spans
