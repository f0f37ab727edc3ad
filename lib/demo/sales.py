"""Sales: order lines (with the SMT surge), promises and re-promises, shipments, order reviews,
order changes (the changing customer) and complaints."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import (
    BOTTLENECK,
    CAUSES,
    CHANGING_CUSTOMER,
    DAY,
    DEFECT,
    QUALITY_LINE,
    Ctx,
    join,
    monday,
    ts,
    weekday,
)
from lib.demo.master import _FAMILIES, capacity_matrix, working_days
from lib.departments import DEPARTMENTS


def _order_lines(c: Ctx) -> pd.DataFrame:
    """Order lines placed over the history (working days), 1-4 lines per order."""
    s, rng = c.scale, c.rng
    work_days = c.days[working_days(c) & (c.days <= c.as_of)]
    n_orders = s.orders_per_week * s.history_weeks
    n_lines = rng.integers(1, 5, n_orders)
    order = np.repeat(np.arange(n_orders), n_lines)
    line_no = np.arange(len(order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    od = np.sort(rng.choice(work_days, n_orders))[order]
    cw = 1 / np.arange(1, s.customers + 1) ** 0.8
    cw[rng.permutation(s.customers)] = cw.copy()
    cus_i = int(CHANGING_CUSTOMER[2:]) - 1
    if cus_i < s.customers:
        cw[cus_i] = max(cw[cus_i], np.sort(cw)[-3])
    cust = c.frames["customers"].customer.to_numpy()[rng.choice(s.customers, n_orders, p=cw / cw.sum())][order]
    prod_i = rng.choice(s.products, len(order), p=c.popularity)
    # batch sizes by family (lib.demo.master._FAMILIES): 300 controller boards, 25 pumps a line ...
    base = c.product_base[prod_i]
    med, sig, lo, hi, step = (np.array([_FAMILIES[b][4][k] for b in base], dtype=float) for k in range(5))
    qty = np.clip(np.round(med * rng.lognormal(0, 1, len(order)) ** sig / step) * step, lo, hi)
    lead = np.where(rng.random(len(order)) < 0.15, rng.integers(56, 85, len(order)), rng.integers(14, 57, len(order)))
    req = od + lead * DAY
    req = req + np.where(weekday(req) == 5, 2, np.where(weekday(req) == 6, 1, 0)) * DAY   # customers ask for a weekday
    return pd.DataFrame({"order": order, "line_no": line_no, "customer": cust,
                         "product": c.frames["products"]["product"].to_numpy()[prod_i], "qty": qty,
                         "order_date": od, "requested_date": req, "surge": False})


def _calibrate(c: Ctx, lines: pd.DataFrame) -> None:
    """Size each work center for its demand, as a plant would: from the hours the order history
    asks of it (setup + qty x cycle time, lib.demo.master), one to three shifts of 8 h, and each
    machine's speed set around the standard cycle time so its average load is a plausible 60-85 %
    of capacity (85 % at the bottleneck, which runs two shifts). On the demo factory the speeds
    land within ±30 % of the standard (tests/test_demo.py checks); the large factory asks ~19
    times as many order lines of each work center, so there the speeds (and, where setups alone
    would take over 40 % of the load, the setups) shrink to fit: its volumes are to be read, not
    its cycle times. Lead days of a step: the working days its work center needs for the family's
    largest batch, 1 to 5."""
    rng, wc, r = c.rng, c.frames["work_centers"], c.frames["routings"]
    hist = lines[lines.order_date < c.as_of - 28 * DAY]
    weeks = max(1.0, c.scale.history_weeks - 4 - 5)   # orders placed in the last 4 weeks are not all due yet
    m = hist[["product", "qty"]].merge(r, on="product")
    m["run"] = m.qty * m.run_raw
    d = m.groupby("work_center").agg(S=("setup_raw", "sum"), R=("run", "sum")) / weeks
    d = wc[["work_center", "efficiency"]].merge(d, on="work_center", how="left").fillna({"S": 0.0, "R": 0.0})
    is_b = (d.work_center == BOTTLENECK).to_numpy()
    util = np.where(is_b, 0.85, rng.uniform(0.6, 0.85, len(d)))
    shift_week = 8 * 5 * d.efficiency.to_numpy()              # one shift, a week
    shifts = np.where(is_b, 2, np.clip(np.ceil(((d.S + d.R) / util).to_numpy() / shift_week - 0.25), 1, 3))
    cap = shifts * shift_week
    setup_scale = np.minimum(1.0, 0.4 * util * cap / np.where(d.S > 0, d.S, np.nan))
    setup_scale = np.where(np.isfinite(setup_scale), setup_scale, 1.0)
    speed = (util * cap - d.S.to_numpy() * setup_scale) / np.where(d.R > 0, d.R, np.nan)
    speed = np.where(np.isfinite(speed) & (speed > 0), speed, 1.0)
    wc["shifts"] = shifts.astype(int)
    wc["hours_per_day"] = shifts * 8.0
    c.util = dict(zip(d.work_center, util))
    c.speed = dict(zip(d.work_center, speed))
    r["setup_hours"] = np.maximum(0.05, np.round(r.setup_raw * r.work_center.map(dict(zip(d.work_center, setup_scale))), 2))
    r["run_hours_per_unit"] = np.round(r.run_raw * r.work_center.map(c.speed), 5)
    _lead_days(c)
    _overtime_hours(c)


def _lead_days(c: Ctx) -> None:
    """Working days the step's work center needs for the family's largest batch (so every line's
    step fits the days the required load spreads it over)."""
    wc, r = c.frames["work_centers"].set_index("work_center"), c.frames["routings"]
    fam = pd.Series(c.product_base, index=c.frames["products"]["product"])
    big = fam.map(lambda b: _FAMILIES[b][4][3]).reindex(r["product"]).to_numpy()
    day = (wc.shifts * 8 * wc.efficiency).reindex(r.work_center).to_numpy()
    r["lead_days"] = np.clip(np.ceil((r.setup_hours + big * r.run_hours_per_unit) / day), 1, 5).astype(int)


def _overtime_hours(c: Ctx) -> None:
    """The bottleneck's Saturday overtime is one shift."""
    cal, wc = c.frames["calendar"], c.frames["work_centers"]
    hpd = wc.loc[wc.work_center == BOTTLENECK, "hours_per_day"]
    if len(hpd):
        cal.loc[(cal.work_center == BOTTLENECK) & (cal.hours > 0), "hours"] = float(hpd.iloc[0]) / 2


def _surge(c: Ctx, lines: pd.DataFrame) -> pd.DataFrame:
    """Extra controller-board lines due in weeks 3-5 ahead, so the bottleneck (two shifts, 85 % of
    its capacity on average) is asked for ~145 % of its capacity in each of those weeks: lines of at
    most one shift each (~6-7 h on the bottleneck), spread over the week's working days, from three
    big customers, accepted while PMC's review flagged them (lib.demo.sales._reviews)."""
    rng, r = c.rng, c.frames["routings"]
    if not c.surge_products:
        return lines
    cap = capacity_matrix(c)
    wc = c.frames["work_centers"]
    b = int(np.flatnonzero(wc.work_center == BOTTLENECK)[0])
    shift = 8 * wc.efficiency.iloc[b]                    # one shift of the bottleneck
    step = r[(r["product"].isin(c.surge_products)) & (r.work_center == BOTTLENECK)].set_index("product")
    sr = r[r["product"].isin(c.surge_products)]
    later = {p0: int(g.loc[g.step > step.loc[p0, "step"], "lead_days"].sum()) for p0, g in sr.groupby("product")}
    extra, working = [], working_days(c)
    base = _weekly_hours(c, lines)
    base = base[base.work_center == BOTTLENECK].set_index("week").h
    for wk in (3, 4, 5):
        mon = monday(c.as_of) + 7 * wk * DAY
        j = c.day_index(np.array([mon]))[0]
        # what the lines already ordered ask of it that week, topped up to 145 % of its capacity
        hours = max(0.0, 1.45 * cap[b, j:j + 7].sum() - float(base.get(wk, 0.0)))
        days = [mon + k * DAY for k in range(5) if working[j + k]] or [mon + 4 * DAY]
        n = max(3, int(np.ceil(hours / (0.85 * shift))))
        prods = np.array(c.surge_products)[rng.integers(0, len(c.surge_products), n)]
        per = hours / n
        qty = np.floor((per - step.loc[prods, "setup_hours"].to_numpy())
                       / step.loc[prods, "run_hours_per_unit"].to_numpy() / 10) * 10
        od = c.as_of - rng.integers(3, 15, n) * DAY
        od = od - (weekday(od) >= 5) * 2 * DAY
        smt_day = np.array(days)[np.arange(n) % len(days)]
        # due when the steps after the bottleneck are through: its line's later lead days, in working days
        due = np.array([_working_days_after(c, d0, int(later[p0])) for d0, p0 in zip(smt_day, prods)])
        extra.append(pd.DataFrame({"line_no": 1, "product": prods, "qty": np.maximum(qty, 10),
                                   "order_date": od, "requested_date": due, "surge": True}))
    ex = pd.concat(extra, ignore_index=True)
    big = c.frames["customers"].customer.to_numpy()[:3]
    ex["customer"] = big[rng.integers(0, len(big), len(ex))]
    ex["order"] = lines.order.max() + 1 + np.arange(len(ex))
    return pd.concat([lines, ex[lines.columns]], ignore_index=True)


def _working_days_after(c: Ctx, day, n: int):
    """The n-th factory working day after `day` (the day itself when n is 0)."""
    working = working_days(c)
    j = int(c.day_index(np.array([day]))[0])
    while n > 0 and j + 1 < len(c.days):
        j += 1
        n -= int(working[j])
    return c.days[j]


def _weekly_hours(c: Ctx, lines: pd.DataFrame) -> pd.DataFrame:
    """Hours the lines due after next Monday ask of each work center per week ahead (1 = next
    week): each step in the week its backward window ends (lead days back from the due date, five
    working days a week), as the required load places them. Columns: work_center, week, h."""
    r = c.frames["routings"]
    ahead = lines[lines.requested_date > monday(c.as_of) + 7 * DAY].reset_index(drop=True)
    m = ahead[["qty", "requested_date"]].assign(i=np.arange(len(ahead)), product=ahead["product"].to_numpy()) \
        .merge(r, on="product").sort_values(["i", "step"], ascending=[True, False], kind="stable")
    later = m.groupby("i").lead_days.cumsum() - m.lead_days
    m["week"] = c.week_ahead(m.requested_date.to_numpy() - np.ceil(later.to_numpy() * 7 / 5).astype(int) * DAY)
    m["h"] = m.setup_hours + m.qty * m.run_hours_per_unit
    return m[m.week >= 1].groupby(["work_center", "week"], as_index=False).h.sum()


def _headroom(c: Ctx, lines: pd.DataFrame) -> None:
    """PMC keeps every work center but the bottleneck below 90 % in each week ahead: where the
    open lines (the surge's boards too) would ask for more, that work center gets a shift (or,
    at three, a machine). Each step's hours are counted in the week its backward window ends, as
    the required load places them (lead days back from the line's due date, 5 working days a week)."""
    wc, r = c.frames["work_centers"], c.frames["routings"]
    h0 = wc.hours_per_day.to_numpy().copy()
    peak = _weekly_hours(c, lines).groupby("work_center").h.max().reindex(wc.work_center).fillna(0).to_numpy()
    for _ in range(3):
        cap = (wc.hours_per_day * wc.efficiency * 5).to_numpy()
        over = (peak > 0.9 * cap) & (wc.work_center != BOTTLENECK).to_numpy() & (wc.shifts < 3).to_numpy()
        if not over.any():
            break
        wc.loc[over, "shifts"] += 1
        wc["hours_per_day"] = wc.shifts * 8.0
    # at three shifts and still over: a faster machine (the large factory's work centers)
    cap = (wc.hours_per_day * wc.efficiency * 5).to_numpy()
    faster = np.where((peak > 0.9 * cap) & (wc.work_center != BOTTLENECK).to_numpy(), 0.9 * cap / np.maximum(peak, 1e-9), 1.0)
    f = dict(zip(wc.work_center, faster))
    r["run_hours_per_unit"] = np.round(r.run_hours_per_unit * r.work_center.map(f), 5)
    c.speed = {w: c.speed[w] * f[w] for w in c.speed}
    c.util = {w: c.util[w] * a / b * f[w] for w, a, b in zip(wc.work_center, h0, wc.hours_per_day)}
    _lead_days(c)


def _promises(c: Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """The first promise of every line (its requested date for 70 % of lines, else up to two
    weeks later), and re-promises: 8 % of lines are re-promised, the changing customer's 40 %
    (one re-promise, one in five twice), each between the first promise and the date it replaces,
    never after as_of (a re-promise that would fall later has not happened yet). 40 % of the
    re-promises are the customer's request (all of the changing customer's), the rest internal
    (material, machine, capacity). Returns the promise history and sets ol.promised_date."""
    rng, n = c.rng, len(ol)
    od, req = ol.order_date.to_numpy(), ol.requested_date.to_numpy()
    orig = req + np.where(ol.surge | (rng.random(n) < 0.7), 0, rng.integers(0, 15, n)) * DAY
    first_at = ts(od + rng.integers(0, 3, n) * DAY, rng.uniform(9, 18, n))
    unpromised = (od >= c.as_of - 2 * DAY) & (rng.random(n) < 0.5) & ~ol.surge
    today = ts(np.full(n, c.as_of), 8.0)
    first_at = np.minimum(first_at, today)
    changer = (ol.customer == CHANGING_CUSTOMER).to_numpy()
    p = np.where(changer, 0.4, 0.08)
    reps = np.where((rng.random(n) < p) & ~unpromised & ~ol.surge, np.where(rng.random(n) < 0.8, 1, 2), 0)
    idx = np.repeat(np.arange(n), reps)
    k = pd.Series(idx).groupby(idx).cumcount().to_numpy() + 1
    # when: spread between a day after the first promise and half a day before the date it replaces
    lo = first_at[idx] + np.timedelta64(24 * 60, "m")
    hi = np.maximum(orig[idx].astype("datetime64[m]") - np.timedelta64(12 * 60, "m"), lo + np.timedelta64(60, "m"))
    span = (hi - lo).astype("int64")
    at = lo + ((k - 1 + rng.random(len(idx))) / reps[idx] * span).astype("int64") * np.timedelta64(1, "m")
    happened = at <= today[idx]
    idx, at = idx[happened], at[happened]
    k = pd.Series(idx).groupby(idx).cumcount().to_numpy() + 1
    shift = rng.integers(-5, 15, len(idx))
    shift[shift == 0] = 7
    cum = pd.Series(shift).groupby(idx).cumsum().to_numpy()
    # a new date is never before the day after it is given, nor before the order date
    new = np.maximum(orig[idx] + cum * DAY, np.maximum(at.astype("datetime64[D]") + DAY, od[idx]))
    final = orig.copy()
    if len(idx):
        last = pd.Series(np.arange(len(idx))).groupby(idx).max()
        final[last.index.to_numpy()] = new[last.to_numpy()]
    ol["promised_date"] = np.where(unpromised, np.datetime64("NaT"), final)
    ext = changer[idx] | (rng.random(len(idx)) < 0.4)
    reasons = np.where(ext, "customer requested new date 客户要求改期",
                       np.array(["material late 物料延迟", "machine down 设备故障", "capacity 产能不足"])[rng.integers(0, 3, len(idx))])
    keep = ~unpromised
    ph = pd.concat([
        pd.DataFrame({"i": np.flatnonzero(keep), "promised_date": orig[keep], "promised_at": first_at[keep],
                      "promised_by": "sales", "source": np.where(ol.surge[keep], "review", "ctp"), "reason": None, "k": 0}),
        pd.DataFrame({"i": idx, "promised_date": new, "promised_at": at, "promised_by": np.where(ext, "sales", "pmc"),
                      "source": "change", "reason": reasons, "k": k}),
    ], ignore_index=True).sort_values(["i", "k"], kind="stable")
    ph["old"] = ph.groupby("i").promised_date.shift()
    ph["external"] = np.concatenate([np.zeros(keep.sum(), bool), ext])[ph.index.to_numpy()]
    return ph.reset_index(drop=True)


def _shipments(c: Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """Past-due lines ship: most on time, some late, some partial (in two shipments);
    a few lines are cancelled. Sets shipped_qty and status on `ol`."""
    rng, n = c.rng, len(ol)
    due = ol.promised_date.fillna(ol.requested_date).to_numpy().astype("datetime64[D]")
    od = ol.order_date.to_numpy().astype("datetime64[D]")
    cancel = (rng.random(n) < 0.02) & (od < c.as_of - 7 * DAY) & ~ol.surge.to_numpy()
    u = rng.random(n)
    late = (u >= 0.88) & (u < 0.95)        # 7 % ship late, 5 % in two shipments (the second late)
    partial = u >= 0.95
    d1 = np.where(late, due + rng.integers(1, 13, n) * DAY, np.maximum(due - rng.integers(0, 4, n) * DAY, od))
    q1 = np.where(partial, np.round(ol.qty * rng.uniform(0.4, 0.8, n)), ol.qty)
    d2 = due + rng.integers(3, 16, n) * DAY
    s = pd.concat([pd.DataFrame({"i": np.arange(n), "ship_date": d1, "qty": q1}),
                   pd.DataFrame({"i": np.flatnonzero(partial), "ship_date": d2[partial],
                                 "qty": (ol.qty.to_numpy() - q1)[partial]})], ignore_index=True)
    s = s[(s.ship_date.to_numpy() < c.as_of) & ~cancel[s.i] & (s.qty > 0)].sort_values(["i", "ship_date"])
    shipped = s.groupby("i").qty.sum().reindex(range(n), fill_value=0.0).to_numpy()
    ol["shipped_qty"] = shipped
    ol["status"] = np.where(cancel, "cancelled", np.where(shipped >= ol.qty, "closed", "open"))
    return s.reset_index(drop=True)


def _reviews(c: Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """Order review for lines placed in the last three weeks: five departments each."""
    rng = c.rng
    recent = np.flatnonzero((ol.order_date.to_numpy() >= c.as_of - 21 * DAY) & (ol.status != "cancelled").to_numpy())
    i = np.repeat(recent, len(DEPARTMENTS))
    dept = np.tile(np.array(DEPARTMENTS, dtype=object), len(recent))
    od = ol.order_date.to_numpy()[i]
    opened = ts(od, 9 + rng.uniform(0, 1, len(i)))
    signed = opened + (rng.uniform(1, 30, len(i)) * 60).astype("int64") * np.timedelta64(1, "m")
    now = ts(np.full(len(i), c.as_of), 8.0)
    pending = (signed > now) | ((od >= c.as_of - 2 * DAY) & (rng.random(len(i)) < 0.5))
    surge_pmc = ol.surge.to_numpy()[i] & (dept == "pmc")
    issue = ~pending & ((rng.random(len(i)) < 0.05) | surge_pmc)
    req = ol.requested_date.to_numpy()[i]
    feasible = np.where(issue, req + np.where(surge_pmc, 14, rng.integers(5, 22, len(i))) * DAY, np.datetime64("NaT"))
    comments = {"sales": "customer insists on date 客户坚持交期", "pmc": "capacity short, feasible later 产能不足",
                "purchasing": "component lead time too long 物料交期不足", "quality": "new inspection spec needed 需确认检验标准",
                "engineering": "drawing revision pending 图纸待更新"}
    comment = np.where(surge_pmc & issue, f"{BOTTLENECK} overloaded in requested week {BOTTLENECK}超负荷",
                       pd.Series(dept).map(comments).to_numpy())
    rv = pd.DataFrame({"i": i, "round": 1, "department": dept,
                       "status": np.where(pending, "pending", np.where(issue, "issue", "ok")),
                       "feasible_date": feasible, "comment": np.where(issue, comment, None),
                       "signer": np.where(pending, None, dept), "signed_at": np.where(pending, np.datetime64("NaT"), signed),
                       "opened_at": opened})
    agg = _review_status(rv)
    ol["review_status"] = "none"
    ol.loc[agg.index, "review_status"] = agg.to_numpy()
    return rv


def _review_status(rv: pd.DataFrame) -> pd.Series:
    """The line's review status from its department rows."""
    g = rv.assign(iss=rv.status == "issue", pen=rv.status == "pending").groupby("i")[["iss", "pen"]].any()
    return pd.Series(np.where(g.iss, "issue", np.where(g.pen, "pending", "approved")), index=g.index)


def _changes(c: Ctx, ol: pd.DataFrame, ph: pd.DataFrame) -> pd.DataFrame:
    """Order changes: every re-promise (external = the customer asked for the date, else an
    internal cause), and quantity or spec changes asked by customers on 4 % of the lines (the
    changing customer's: 30 %) between 2 and 20 days after the order, before it is due. A change
    asked in the last five days is still open; of the others 85 % were done (a done quantity
    change is in the line's qty, before anything shipped) and the rest rejected. So a week has
    about 0.15 changes per new line (~0.35 for the changing customer), as a make-to-order plant
    with a frozen week sees; cancellations are added by _cancellations."""
    rng, r = c.rng, c.frames["routings"]
    run = r.groupby("product").run_hours_per_unit.sum()
    rep = ph[ph.k > 0]
    kinds = np.where(rep.external, "date", np.array(["material", "machine", "engineering"])[rng.integers(0, 3, len(rep))])
    parts = [pd.DataFrame({"i": rep.i.to_numpy(), "source": np.where(rep.external, "external", "internal"), "kind": kinds,
                           "old_value": rep.old.dt.strftime("%Y-%m-%d").to_numpy(), "new_value": rep.promised_date.dt.strftime("%Y-%m-%d").to_numpy(),
                           "reason": rep.reason.to_numpy(), "requested_date": rep.promised_at.to_numpy().astype("datetime64[D]"),
                           "load_impact_hours": np.where(kinds == "machine", np.round(rng.uniform(1, 8, len(rep)), 1), 0.0),
                           "created_by": rep.promised_by.to_numpy(), "status": "done"})]
    od = ol.order_date.to_numpy().astype("datetime64[D]")
    due = ol.requested_date.to_numpy().astype("datetime64[D]")
    changer = (ol.customer == CHANGING_CUSTOMER).to_numpy()
    asked = od + rng.integers(2, 21, len(ol)) * DAY
    pick = np.flatnonzero((rng.random(len(ol)) < np.where(changer, 0.3, 0.04)) & ~ol.surge.to_numpy()
                          & (asked < due - 2 * DAY) & (asked <= c.as_of))
    qty_kind = rng.random(len(pick)) < 0.7
    old_q = ol.qty.to_numpy()[pick]
    largest = pd.Series([_FAMILIES[b][4][3] for b in c.product_base], index=c.frames["products"]["product"])
    hi = largest.reindex(ol["product"].to_numpy()[pick]).to_numpy(dtype=float)
    new_q = np.clip(np.round(old_q * rng.uniform(0.5, 1.6, len(pick)) / 5) * 5, 5, hi)
    req_d = asked[pick]
    status = np.where(req_d >= c.as_of - 5 * DAY, "open", np.where(rng.random(len(pick)) < 0.85, "done", "rejected"))
    prod = ol["product"].to_numpy()[pick]
    apply = qty_kind & (status == "done")
    ol.loc[ol.index[pick[apply]], "qty"] = new_q[apply]
    parts.append(pd.DataFrame({
        "i": pick, "source": "external", "kind": np.where(qty_kind, "qty", "spec"),
        "old_value": np.where(qty_kind, old_q.astype(int).astype(str), "rev A"),
        "new_value": np.where(qty_kind, new_q.astype(int).astype(str), "rev B"),
        "reason": np.where(qty_kind, "customer changed quantity 客户改数量", "customer changed spec 客户改规格"),
        "requested_date": req_d,
        "load_impact_hours": np.round(np.where(qty_kind, (new_q - old_q) * run.reindex(prod).fillna(0).to_numpy(),
                                               rng.uniform(2, 10, len(pick))), 1),
        "created_by": "sales", "status": status}))
    ch = pd.concat(parts, ignore_index=True)
    ch["requested_date"] = np.minimum(ch.requested_date.to_numpy().astype("datetime64[D]"), c.as_of)
    return ch


def _cancellations(c: Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """A cancel row (external) for every cancelled line, five days after it was ordered."""
    r = c.frames["routings"]
    run = r.groupby("product").run_hours_per_unit.sum()
    setup = r.groupby("product").setup_hours.sum()
    cx = np.flatnonzero((ol.status == "cancelled").to_numpy())
    prod = ol["product"].to_numpy()[cx]
    return pd.DataFrame({
        "i": cx, "source": "external", "kind": "cancel", "old_value": "open", "new_value": "cancelled",
        "reason": "customer cancelled 客户取消",
        "requested_date": np.minimum(ol.order_date.to_numpy()[cx].astype("datetime64[D]") + 5 * DAY, c.as_of),
        "load_impact_hours": -np.round(setup.reindex(prod).fillna(0).to_numpy()
                                       + ol.qty.to_numpy()[cx] * run.reindex(prod).fillna(0).to_numpy(), 1),
        "created_by": "sales", "status": "done"})


def _complaints(c: Ctx, ol: pd.DataFrame, sh: pd.DataFrame) -> pd.DataFrame:
    """Complaints on shipped lines; recent quality complaints name DEFECT on assembly products."""
    rng, s = c.rng, c.scale
    last_ship = sh.groupby("i").ship_date.max()
    n = max(10, round(s.history_weeks * 1.2 * s.orders_per_week / 45))
    i = rng.choice(last_ship.index.to_numpy(), n)
    received = last_ship.loc[i].to_numpy().astype("datetime64[D]") + rng.integers(3, 30, n) * DAY
    cat = np.array(["quality", "delivery", "packaging", "service", "documentation"])[
        rng.choice(5, n, p=[0.4, 0.3, 0.12, 0.1, 0.08])]
    steps = c.frames["routings"].merge(c.frames["work_centers"], on="work_center")
    assy = steps.loc[steps["line"] == QUALITY_LINE, "product"].unique()
    recent_i = last_ship[(last_ship >= c.as_of - 35 * DAY) & last_ship.index.isin(
        np.flatnonzero(ol["product"].isin(assy).to_numpy()))].index.to_numpy()
    m = min(len(recent_i), max(6, n // 5))
    j = rng.choice(recent_i, m, replace=False) if m else np.array([], int)
    i = np.concatenate([i, j])
    received = np.concatenate([received, last_ship.loc[j].to_numpy().astype("datetime64[D]") + rng.integers(2, 10, m) * DAY])
    cat = np.concatenate([cat, np.full(m, "quality")])
    keep = received <= c.as_of
    i, received, cat = i[keep], received[keep], cat[keep]
    story = np.concatenate([np.zeros(n, bool), np.ones(m, bool)])[keep]
    n = len(i)
    desc = {"quality": "defect found at customer incoming inspection 客户来料检验发现不良", "delivery": "shipment late 交货延迟",
            "packaging": "carton damaged in transit 包装破损", "service": "slow reply to inquiry 回复不及时",
            "documentation": "certificate missing 缺少出货报告"}
    description = np.where(story, f"{DEFECT} found on arrival 接插件松动", pd.Series(cat).map(desc).to_numpy())
    age = (c.as_of - received).astype("int64")
    closed_d = received + rng.integers(7, 40, n) * DAY
    closed = (closed_d <= c.as_of) & ~story
    status = np.where(closed, "closed", np.where(age > 5, "in_progress", "open"))
    d8 = np.where(closed, 8, np.where(status == "in_progress", rng.integers(2, 7, n), rng.integers(0, 2, n)))
    cause = np.where(story, "method", CAUSES[rng.integers(0, 5, n)])
    order = np.argsort(received, kind="stable")
    yr = received.astype("datetime64[Y]").astype(int) + 1970
    df = pd.DataFrame({"i": i, "received_date": received, "category": cat, "description": description,
                       "cause_category": np.where(d8 >= 4, cause, None),
                       "severity": np.where(story, "major", np.array(["minor", "major", "critical"])[rng.choice(3, n, p=[0.7, 0.25, 0.05])]),
                       "d8_step": d8, "status": status, "owner": np.where(cat == "quality", "quality", "sales"),
                       "closed_date": np.where(closed, closed_d, np.datetime64("NaT")), "yr": yr}).iloc[order]
    df["complaint"] = join("CC-", df.yr.to_numpy(), "-", pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(4).to_numpy())
    df["customer"] = ol.customer.to_numpy()[df.i]
    df["product"] = ol["product"].to_numpy()[df.i]
    return df.drop(columns="yr")


def orders(c: Ctx) -> None:
    """Order lines with promises, shipments, reviews, changes and complaints."""
    lines = _order_lines(c)
    _calibrate(c, lines)
    lines = _surge(c, lines).sort_values(["order_date", "order", "line_no"], kind="stable").reset_index(drop=True)
    _headroom(c, lines)
    ph = _promises(c, lines)
    ch = _changes(c, lines, ph)          # before shipping: a done quantity change is what ships
    sh = _shipments(c, lines)
    ch = pd.concat([ch, _cancellations(c, lines)], ignore_index=True)
    rv = _reviews(c, lines)
    cp = _complaints(c, lines, sh)
    price = c.frames["products"].set_index("product").unit_price
    base = c.ids["seq_line_id"]
    line_id = base + np.arange(len(lines))
    first = lines.groupby("order", sort=False).cumcount() == 0
    seqno = np.cumsum(first.to_numpy())[first.to_numpy()]
    ono = pd.Series(join("SO-", lines.order_date.dt.year.to_numpy()[first.to_numpy()], "-",
                          pd.Series(seqno).astype(str).str.zfill(5).to_numpy()), index=lines.order[first].to_numpy())
    lines["line_no"] = lines.groupby("order", sort=False).cumcount() + 1
    ol = pd.DataFrame({"line_id": line_id, "order_no": ono.loc[lines.order].to_numpy(), "line_no": lines.line_no,
                       "customer": lines.customer, "product": lines["product"], "qty": lines.qty,
                       "unit_price": np.round(price.loc[lines["product"]].to_numpy() * c.rng.uniform(0.95, 1.05, len(lines)), 2),
                       "order_date": lines.order_date, "requested_date": lines.requested_date,
                       "promised_date": lines.promised_date, "shipped_qty": lines.shipped_qty,
                       "status": lines.status, "review_status": lines.review_status})
    c.frames["order_lines"] = ol
    c.lines_df = lines.assign(line_id=line_id)
    ph["line_id"] = line_id[ph.i]
    c.frames["promise_history"] = ph.drop(columns=["i", "k", "old", "external"])
    sh["line_id"] = line_id[sh.i]
    c.frames["shipments"] = sh.drop(columns="i")
    rv["line_id"] = line_id[rv.i]
    c.frames["order_reviews"] = rv.drop(columns="i")
    ch["line_id"] = line_id[ch.i]
    c.frames["order_changes"] = ch.drop(columns="i")
    cp["line_id"] = line_id[cp.i]
    c.frames["complaints"] = cp.drop(columns="i")
