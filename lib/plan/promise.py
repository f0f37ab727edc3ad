"""The delivery-date promise (capable-to-promise), exactly as DESIGN.md → Engines states it.

1. Material: per BOM component, need = qty x qty_per; free stock = on hand - on hold - what all
   open lines still need of it (remaining qty x qty_per). DESIGN says "on hand"; held stock is
   quarantined by quality and a planner cannot build with it, so it is left out of free stock.
   If free covers the need the component is ready today; else open POs (qty - received) are
   taken in due-date order until the shortfall (need - free) is covered: ready on that PO's
   due date, or on today + the material's lead days if that is earlier (a new PO would arrive
   first); if they never cover it, today + the lead days. R = the latest, so R never gets
   earlier as qty grows.
2. Capacity: the free hours the planned load leaves (lib.plan.planned: the inquiry comes after
   every open line, so quoting never moves a promise already given). The first step starts on
   the later of today and R; each step consumes free capacity day by day on working days from
   its start and finishes when its hours are covered or after lead_days working days, whichever
   is later; the next step starts on the next working day of its work center.
3. Promise = last finish + shipping buffer. Binding: the component that set R (when R > today),
   else the step that waited longest for capacity, with the most loaded week it waited in, else
   the routing's own lead days (`lead_time`). The largest qty still meeting the requested date
   is found by bisection (the rule is monotonic), also when no date exists within the horizon.

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     quote(cur, "X", 1, date(2026, 12, 1), as_of=date(2026, 11, 25))
    Traceback (most recent call last):
    lib.errors.ValidationError: product: there is no product 'X'.
"""
from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from lib import settings
from lib.errors import ValidationError
from lib.plan import capacity, planned

EPS = 1e-6


# ---------------------------------------------------------------------------- the result

@dataclass
class Promise:
    """A capable-to-promise answer; the page, the CLI and the tests all read this."""
    product: str
    qty: float
    requested: date
    as_of: date
    promise_date: date | None = None
    requested_ok: bool | None = None
    binding: dict | None = None          # {kind: material|capacity|lead_time, what, date|week, load_pct|lead_days}
    max_qty_by_requested: float = 0
    steps: list[dict] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    material_ready: date | None = None
    warnings: list[str] = field(default_factory=list)   # 'no_bom'
    problem: dict | None = None          # {kind: no_routing|no_capacity|no_lead_time|horizon, what}
    allocation: list[dict] = field(default_factory=list)  # remaining hours the steps take: work_center, day, hours

    @property
    def days_late(self) -> int | None:
        """Days after the requested date (0 or less: on time)."""
        return None if self.promise_date is None else (self.promise_date - self.requested).days

    @property
    def commit_date(self) -> date | None:
        """The date to commit to the customer: the requested date when it holds, else the promise."""
        return None if self.promise_date is None else max(self.promise_date, self.requested)

    def to_dict(self) -> dict:
        def conv(v):
            if isinstance(v, (date, datetime)):
                return v.isoformat()
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, (np.floating, np.integer)):
                return v.item()
            return v
        return {k: conv(v) for k, v in asdict(self).items()}


def explain(p: Promise, lang: str | None = None) -> str:
    """The one sentence a meeting can read from the back of the room."""
    from lib.i18n import t
    if p.promise_date is None:
        prob = p.problem or {}
        return t(f"promise.no_date.{prob.get('kind', 'horizon')}", lang, what=prob.get("what", ""),
                 horizon=prob.get("horizon", ""))
    if p.requested_ok:
        head = t("promise.sentence.ok", lang, date=p.promise_date.isoformat(), requested=p.requested.isoformat())
    else:
        key = "promise.sentence.late_one" if p.days_late == 1 else "promise.sentence.late"
        head = t(key, lang, date=p.promise_date.isoformat(), days=p.days_late)
    b = p.binding
    if b and b["kind"] == "material":
        head += t("promise.sentence.material", lang, what=b["what"], date=b["date"].isoformat())
    elif b and b["kind"] == "capacity":
        pct = "—" if b.get("load_pct") is None else f"{b['load_pct'] * 100:.0f}%"
        head += t("promise.sentence.capacity", lang, what=b["what"], week=b["week"], pct=pct)
    elif b and b["kind"] == "lead_time":
        head += t("promise.sentence.lead_time", lang, days=b["lead_days"])
    if not p.requested_ok:
        key = "promise.sentence.split" if p.max_qty_by_requested > 0 else "promise.sentence.split_none"
        head += t(key, lang, n=_num(p.max_qty_by_requested), qty=_num(p.qty), requested=p.requested.strftime("%m-%d"))
    return head


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


# ---------------------------------------------------------------------------- validation

def parse_qty(qty) -> float:
    """A positive finite quantity, or ValidationError naming the field."""
    try:
        value = float(str(qty).strip().replace(",", "")) if not isinstance(qty, (int, float)) else float(qty)
    except (TypeError, ValueError):
        raise ValidationError(f"{qty!r} is not a number.", where="qty") from None
    if not math.isfinite(value) or value <= 0:
        raise ValidationError(f"the quantity must be more than 0 (got {qty}).", where="qty")
    return value


def parse_date(value, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{value!r} is not a date; expected YYYY-MM-DD.", where=where) from None


def validate(con, product: str, qty, requested, as_of: date) -> tuple[str, float, date]:
    """The inquiry's values, checked: a known product, qty > 0, requested on or after as_of."""
    product = (product or "").strip()
    if not product:
        raise ValidationError("choose a product.", where="product")
    if not con.execute("SELECT count(*) FROM products WHERE product = ?", [product]).fetchall()[0][0]:
        raise ValidationError(f"there is no product '{product}'.", where="product")
    q = parse_qty(qty)
    req = parse_date(requested, "requested date")
    if req < as_of:
        raise ValidationError(f"{req.isoformat()} is before today ({as_of.isoformat()}).", where="requested date")
    return product, q, req


# ---------------------------------------------------------------------------- remaining capacity

@dataclass
class Matrix:
    """Capacity, load and remaining hours per work center (rows) and day (columns) from `start`."""
    start: date
    work_centers: list[str]
    cap: np.ndarray
    load: np.ndarray

    @property
    def rem(self) -> np.ndarray:
        return np.maximum(self.cap - self.load, 0)

    def row(self, wc: str) -> int | None:
        return self._index.get(wc)

    def __post_init__(self):
        self._index = {w: i for i, w in enumerate(self.work_centers)}

    @property
    def days(self) -> int:
        return self.cap.shape[1]


def build_matrix(con, as_of: date, exclude_lines=(), whatif: capacity.WhatIf = capacity.NO_WHATIF,
                 key=None) -> Matrix:
    """Capacity and the planned load (lib.plan.planned) per work center and day from as_of to the
    planning horizon: what an inquiry may take is what the plan leaves free."""
    p = planned.plan(con, as_of, whatif, exclude_lines, key=key)
    days = (p.end - as_of).days + 1                 # an inquiry may not finish past the horizon
    return Matrix(as_of, p.grid.work_centers, p.grid.cap[:, :days], p.load[:, :days])


_BOOKS: dict[tuple, dict] = {}      # data key -> material book
_BOOKS_LOCK = threading.Lock()


def _book(con, key) -> dict | None:
    """The material book, read once per data (`key`, else planned.data_key); None when the
    database cannot be keyed (in memory), then the quote reads its own components."""
    key = key if key is not None else planned.data_key(con)
    if key is None:
        return None
    with _BOOKS_LOCK:
        hit = _BOOKS.get(key)
    if hit is None:
        hit = material_book(con)
        with _BOOKS_LOCK:
            if len(_BOOKS) >= 8:
                _BOOKS.pop(next(iter(_BOOKS)))
            _BOOKS[key] = hit
    return hit


# ---------------------------------------------------------------------------- material

@dataclass
class _Component:
    material: str
    qty_per: float
    name: str | None
    lead_days: int | None
    known: bool
    on_hand: float
    on_hold: float
    committed: float
    po: list = field(default_factory=list)        # open POs in due-date order: po numbers
    po_due: list = field(default_factory=list)    # their due dates
    po_cum: np.ndarray = field(default_factory=lambda: np.zeros(0))   # cumulative open qty


_COMMITTED = """
    SELECT b.material, sum((o.qty - o.shipped_qty) * b.qty_per) AS committed
    FROM order_lines o JOIN bom b ON b.product = o.product
    WHERE o.status = 'open' AND o.qty > o.shipped_qty {material_filter}
      AND o.line_id NOT IN (SELECT unnest(?::BIGINT[]))
    GROUP BY 1"""

_COMPONENTS = """
    WITH need AS ({need}), committed AS ({committed})
    SELECT n.material, n.qty_per, m.name, m.lead_days, m.material IS NOT NULL AS known,
           coalesce(i.on_hand, 0) AS on_hand, coalesce(i.on_hold, 0) AS on_hold,
           coalesce(c.committed, 0) AS committed
    FROM need n LEFT JOIN materials m USING (material) LEFT JOIN inventory i USING (material)
    LEFT JOIN committed c USING (material) ORDER BY n.material"""


def _with_pos(con, comps: dict[str, _Component]) -> dict[str, _Component]:
    """Attach each component's open POs (qty - received) in due-date order."""
    if not comps:
        return comps
    pos = con.execute("""
        SELECT po, material, due_date, open_qty FROM purchase_order_status
        WHERE status = 'open' AND open_qty > 0 AND material IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY material, due_date, po""", [list(comps)]).fetchall()
    qty: dict[str, list[float]] = {}
    for po, material, due, open_qty in pos:
        c = comps[material]
        c.po.append(po)
        c.po_due.append(_d(due))
        qty.setdefault(material, []).append(float(open_qty))
    for material, q in qty.items():
        comps[material].po_cum = np.cumsum(q)
    return comps


def material_book(con) -> dict[str, _Component]:
    """Every BOM material with its stock, what all open lines still need of it and its open
    POs (qty_per left at 1): what a quote reads, computed once per data version."""
    rows = con.execute(_COMPONENTS.format(need="SELECT DISTINCT material, 1.0 AS qty_per FROM bom",
                                          committed=_COMMITTED.format(material_filter="")), [[]]).fetchall()
    return _with_pos(con, {r[0]: _Component(*r) for r in rows})


def _materials(con, product: str, exclude_lines=(), book: dict | None = None) -> list[_Component]:
    """The product's BOM components with stock, what open lines already need (leaving out
    `exclude_lines`), and open POs; from `book` (a cached material_book) when given."""
    if book is not None:
        bom = con.execute("SELECT material, qty_per FROM bom WHERE product = ? ORDER BY material", [product]).fetchall()
        return [replace(book[m], qty_per=q) for m, q in bom]
    rows = con.execute(_COMPONENTS.format(
        need="SELECT material, qty_per FROM bom WHERE product = ?",
        committed=_COMMITTED.format(material_filter="AND b.material IN (SELECT material FROM need)")),
        [product, [int(x) for x in exclude_lines]]).fetchall()
    return list(_with_pos(con, {r[0]: _Component(*r) for r in rows}).values())


def _material_check(comps: list[_Component], qty: float, as_of: date, detail: bool = True):
    """Per component: need, free, covering PO, ready date; and R (None when a component has no
    date). Without `detail` only R and the problem are worked out (the split-qty search)."""
    rows, ready_all, problem = [], as_of, None
    for c in comps:
        need = qty * c.qty_per
        free = c.on_hand - c.on_hold - c.committed
        ready, po, po_due, source = as_of, None, None, "stock"
        if free < need - EPS:
            short = need - free
            hit = int(np.searchsorted(c.po_cum, short - EPS)) if len(c.po_cum) else 0
            lead = as_of + timedelta(days=int(c.lead_days)) if c.known and c.lead_days and c.lead_days > 0 else None
            if hit < len(c.po_cum):
                po, po_due, source = c.po[hit], c.po_due[hit], "po"
                ready = max(as_of, po_due)
                if lead is not None and lead < ready:        # a new purchase order would arrive first
                    ready, source = lead, "lead_time"
            elif lead is not None:
                ready, source = lead, "lead_time"
            else:
                ready, source = None, "none"
                problem = problem or {"kind": "no_lead_time", "what": c.material}
        if detail:
            row = {"material": c.material, "name": c.name, "need": need, "on_hand": c.on_hand, "on_hold": c.on_hold,
                   "committed": c.committed, "free": free, "po": po, "ready": ready, "source": source}
            if po_due is not None:
                row["po_due"] = po_due
            rows.append(row)
        if ready is not None and ready > ready_all:
            ready_all = ready
    return rows, (None if problem else ready_all), problem


def _d(v) -> date:
    return v.date() if isinstance(v, (pd.Timestamp, datetime)) else v


# ---------------------------------------------------------------------------- capacity (forward)

def _forward(m: Matrix, routing: list[tuple], qty: float, start: int, detail: bool = True):
    """Place the steps forward from day offset `start`; (steps, None) or (steps so far, problem).
    `routing`: (step, work_center, setup_hours, run_hours_per_unit, lead_days) in step order."""
    rem = {}
    steps, t = [], start
    for step, wc, setup, run, lead_days in routing:
        i = m.row(wc)
        hours = setup + run * qty
        lead = max(int(lead_days), 1)
        if i is None or not (m.cap[i] > 0).any():
            return steps, {"kind": "no_capacity", "what": wc, "step": int(step)}
        wd = np.flatnonzero(m.cap[i, t:] > 0) + t     # none left: the step runs past the horizon
        if i not in rem:
            rem[i] = np.maximum(m.cap[i] - m.load[i], 0)
        if len(wd) < lead:
            return steps, {"kind": "horizon", "what": wc, "step": int(step)}
        cum = np.cumsum(rem[i][wd])
        k = 0 if hours <= EPS else int(np.searchsorted(cum, hours - EPS))
        if k >= len(wd):
            return steps, {"kind": "horizon", "what": wc, "step": int(step)}
        finish = max(wd[lead - 1], wd[k])
        # consume day by day what this step took, for a later step on the same work center
        taken = np.minimum(rem[i][wd[:k + 1]], np.maximum(hours - np.concatenate(([0], cum[:k])), 0))
        rem[i][wd[:k + 1]] -= taken
        s = {"step": int(step), "work_center": wc, "start": int(wd[0]), "finish": int(finish)}
        if detail:
            # what the step would have needed with the whole capacity: the difference is its wait
            full = np.cumsum(m.cap[i][wd])
            kf = 0 if hours <= EPS else min(int(np.searchsorted(full, hours - EPS)), len(wd) - 1)
            free_finish = max(wd[lead - 1], wd[kf])
            s.update(hours=float(hours), lead_days=lead, wait_days=int(finish - free_finish),
                     _taken=[(int(d), float(h)) for d, h in zip(wd[:k + 1], taken) if h > 0])
        steps.append(s)
        t = finish + 1
    return steps, None


def _week_load(m: Matrix, wc: str, start: int, finish: int) -> tuple[str, float | None]:
    """The most loaded ISO week of `wc` between two day offsets (existing load / capacity, from
    as_of on); a week with load and no capacity ranks highest and has no percentage."""
    i = m.row(wc)
    best_label, best_pct = None, -1.0
    day = m.start + timedelta(days=start)
    monday = day - timedelta(days=day.weekday())
    while (monday - m.start).days <= finish:
        a, b = max(0, (monday - m.start).days), min(m.days, (monday - m.start).days + 7)
        cap, ld = m.cap[i, a:b].sum(), m.load[i, a:b].sum()
        pct = ld / cap if cap > 0 else (math.inf if ld > 0 else 0.0)
        if pct > best_pct:
            best_label, best_pct = capacity.period_label(monday, "week"), pct
        monday += timedelta(days=7)
    return best_label, (None if best_pct == math.inf else float(best_pct))


# ---------------------------------------------------------------------------- quote

def quote(con, product: str, qty, requested, as_of: date | None = None, *, matrix_key=None,
          exclude_lines=(), whatif: capacity.WhatIf = capacity.NO_WHATIF) -> Promise:
    """Answer an inquiry (product, qty, requested date) by the capable-to-promise rule.

    Bad input raises ValidationError; a product without routing, a work center without
    capacity, a material without lead time or a finish beyond the horizon give a Promise with
    promise_date None and `problem` saying which (and still the largest qty that meets the
    requested date). `matrix_key` (e.g. (db.path, db.data_version())) names the data for the
    cached plan and material book; by default the database file and its data version do.
    """
    as_of = as_of or date.today()
    product, q, req = validate(con, product, qty, requested, as_of)
    p = Promise(product, q, req, as_of)
    end = planned.horizon_end(con, as_of)
    routing = con.execute("SELECT step, work_center, setup_hours, run_hours_per_unit, lead_days FROM routings "
                          "WHERE product = ? ORDER BY step", [product]).fetchall()
    book = _book(con, matrix_key) if routing and not exclude_lines else None
    comps = _materials(con, product, exclude_lines, book)
    if not comps:
        p.warnings.append("no_bom")
    p.materials, ready, problem = _material_check(comps, q, as_of)
    p.material_ready = ready
    if not routing:
        p.problem = {"kind": "no_routing", "what": product}
        return p
    buffer = int(settings.get("shipping_buffer_days", con))
    m = build_matrix(con, as_of, exclude_lines, whatif, key=matrix_key)
    split = lambda: _max_qty(m, routing, comps, q, req, as_of, buffer)  # noqa: E731
    if problem:
        p.problem = problem
        p.max_qty_by_requested = split()
        return p
    if ready > end:
        p.problem = {"kind": "horizon", "what": max(p.materials, key=lambda r: r["ready"])["material"],
                     "horizon": end.isoformat()}
        p.max_qty_by_requested = split()
        return p
    steps, problem = _forward(m, routing, q, (ready - as_of).days)
    if problem:
        problem["horizon"] = end.isoformat()
        p.problem = problem
        p.steps = _dated(m, steps)
        p.max_qty_by_requested = split()
        return p
    p.steps = _dated(m, steps)
    p.allocation = _allocation(m, steps)
    p.promise_date = p.steps[-1]["finish"] + timedelta(days=buffer)
    p.requested_ok = p.promise_date <= req
    p.binding = _binding(m, p, ready, steps)
    p.max_qty_by_requested = q if p.requested_ok else split()
    return p


def _dated(m: Matrix, steps: list[dict]) -> list[dict]:
    return [{**{k: v for k, v in s.items() if k != "_taken"},
             "start": m.start + timedelta(days=s["start"]), "finish": m.start + timedelta(days=s["finish"])}
            for s in steps]


def _allocation(m: Matrix, steps: list[dict]) -> list[dict]:
    return [{"work_center": s["work_center"], "day": m.start + timedelta(days=d), "hours": h}
            for s in steps for d, h in s["_taken"]]


def _binding(m: Matrix, p: Promise, ready: date, steps: list[dict]) -> dict | None:
    if ready > p.as_of:
        comp = max(p.materials, key=lambda r: r["ready"])
        return {"kind": "material", "what": comp["material"], "date": ready, "po": comp.get("po")}
    worst = max(steps, key=lambda s: s["wait_days"], default=None)
    if worst is None or worst["wait_days"] <= 0:
        return {"kind": "lead_time", "what": p.product, "lead_days": sum(s["lead_days"] for s in steps)}
    week, pct = _week_load(m, worst["work_center"], worst["start"], worst["finish"])
    return {"kind": "capacity", "what": worst["work_center"], "step": worst["step"], "week": week,
            "load_pct": pct, "wait_days": worst["wait_days"]}


def affected_load(con, p: Promise, weeks: int | None = None) -> pd.DataFrame:
    """Weekly planned load (what the inquiry comes after) of the work centers it uses, with the
    inquiry's hours added where its steps take them: work_center, period, load_hours,
    inquiry_hours, capacity_hours, load_pct."""
    if not p.steps:
        return pd.DataFrame(columns=["work_center", "period", "load_hours", "inquiry_hours", "capacity_hours", "load_pct"])
    last = max(s["finish"] for s in p.steps)
    end = max(capacity.horizon_end(con, p.as_of, weeks), last + timedelta(days=6 - last.weekday()))
    wcs = sorted({s["work_center"] for s in p.steps})
    base = capacity.load(con, p.as_of, by="week", end=end, view="planned")
    base = base[base["work_center"].isin(wcs)][["work_center", "period", "period_start", "load_hours", "capacity_hours"]]
    alloc = pd.DataFrame(p.allocation, columns=["work_center", "day", "hours"])
    alloc["period"] = [capacity.period_label(d, "week") for d in alloc["day"]]
    add = alloc.groupby(["work_center", "period"], as_index=False)["hours"].sum().rename(columns={"hours": "inquiry_hours"})
    out = base.merge(add, on=["work_center", "period"], how="left").fillna({"inquiry_hours": 0.0})
    out = out[out["period_start"] <= pd.Timestamp(last)]
    total = out["load_hours"] + out["inquiry_hours"]
    out["load_pct"] = (total / out["capacity_hours"]).where(out["capacity_hours"] > 0)
    return out.drop(columns="period_start").reset_index(drop=True)


def products(con) -> pd.DataFrame:
    """Products a quote can be asked for (with a routing first), for the form's choice."""
    return con.execute("""
        SELECT p.product, p.name, EXISTS (SELECT 1 FROM routings r WHERE r.product = p.product) AS routed
        FROM products p ORDER BY routed DESC, p.product""").df()


def _max_qty(m, routing, comps, qty, req, as_of, buffer) -> float:
    """The largest whole qty (≤ qty) whose promise still meets `req`; 0 when none does."""
    if qty <= 0:
        return 0.0

    def ok(x: float) -> bool:
        _, ready, problem = _material_check(comps, x, as_of, detail=False)
        if problem or ready is None or ready > req:
            return False
        steps, problem = _forward(m, routing, x, (ready - as_of).days, detail=False)
        return problem is None and as_of + timedelta(days=steps[-1]["finish"] + buffer) <= req
    lo, hi = 0, int(math.floor(qty))
    if hi >= qty:
        hi -= 1  # qty itself was already found late
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return float(lo)
