"""PMC: production plan and actual output, downtime, and the variance notes behind being ahead or
behind."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import (
    CAUSES,
    DAY,
    QUALITY_LINE,
    SLIPPING_SUPPLIER,
    Ctx,
    join,
    weekday,
)
from lib.demo.master import capacity_matrix


def production(c: Ctx) -> None:
    """Daily plan per work center x product over the history, actuals at 85-105 %, downtime
    (material waits mostly for the slipping supplier's parts) and variance notes per line-week."""
    rng, s = c.rng, c.scale
    wc, r = c.frames["work_centers"], c.frames["routings"]
    cap = capacity_matrix(c)
    past = np.flatnonzero(c.days < c.as_of)
    wi, di = np.nonzero(cap[:, past] > 0)
    di = past[di]
    # downtime first: it lowers that day's output
    p_dt = rng.random(len(wi)) < 0.05
    dw, dd = wi[p_dt], di[p_dt]
    cause = CAUSES[rng.choice(5, len(dw), p=[0.2, 0.4, 0.25, 0.1, 0.05])]
    recent = c.days[dd] >= c.as_of - 56 * DAY
    cause = np.where(recent & (rng.random(len(dw)) < 0.3), "material", cause)
    mats = c.frames["materials"]
    slip_m = mats.loc[mats.supplier == SLIPPING_SUPPLIER, "material"].to_numpy()
    if len(slip_m) == 0:
        slip_m = mats.material.to_numpy()
    mat = np.where(cause == "material", slip_m[rng.integers(0, len(slip_m), len(dw))], None)
    hours = np.round(np.minimum(rng.uniform(0.5, 6, len(dw)), cap[dw, dd]), 1)
    reasons = {"man": "operator absent 人员缺勤", "machine": "breakdown 设备故障", "method": "long changeover 换线时间长",
               "environment": "power cut 停电"}
    reason = np.where(cause == "material", join("waiting for material 待料 ", mat.astype(str)), pd.Series(cause).map(reasons).to_numpy())
    dt = pd.DataFrame({"date": c.days[dd], "work_center": wc.work_center.to_numpy()[dw], "hours": np.maximum(hours, 0.1),
                       "cause_category": cause, "reason": reason, "material": mat})
    dt.insert(0, "downtime_id", c.ids["seq_downtime"] + np.arange(len(dt)))
    c.frames["downtime"] = dt
    lost = np.zeros(cap.shape)
    np.add.at(lost, (dw, dd), hours)

    # plan: k products per work-center day, drawn from the products routed there
    rs = r.merge(wc[["work_center"]].reset_index().rename(columns={"index": "w"}), on="work_center").sort_values("w", kind="stable")
    cnt = np.bincount(rs.w, minlength=len(wc))
    off = np.cumsum(cnt) - cnt
    k = s.plan_products_per_day
    pw, pd_ = np.repeat(wi, k), np.repeat(di, k)
    has = cnt[pw] > 0
    pw, pd_ = pw[has], pd_[has]
    pick = off[pw] + (rng.random(len(pw)) * cnt[pw]).astype(int)
    plan = pd.DataFrame({"w": pw, "d": pd_, "r": pick}).drop_duplicates(["w", "d", "r"])
    plan["n"] = plan.groupby(["w", "d"]).r.transform("size")
    util = wc.work_center.map(c.util).to_numpy()
    share = cap[plan.w, plan.d] * util[plan.w] * rng.uniform(0.9, 1.05, len(plan)) / plan.n
    setup = rs.setup_hours.to_numpy()[plan.r]
    run = np.maximum(rs.run_hours_per_unit.to_numpy()[plan.r], 1e-4)
    plan["qty"] = np.maximum(1, np.round((share - np.minimum(setup, share / 2)) / run))
    ach = np.clip(rng.normal(0.97, 0.05, len(plan)), 0.6, 1.15) * (1 - lost[plan.w, plan.d] / np.maximum(cap[plan.w, plan.d], 1e-9))
    total = np.round(plan.qty * np.maximum(ach, 0))
    ahead = c.week_ahead(c.days[plan.d])
    prob_line = (wc.line.to_numpy()[plan.w] == QUALITY_LINE) & (ahead >= -6)
    scrap_rate = rng.uniform(0.005, 0.025, len(plan)) + np.where(prob_line, 0.01 * (ahead + 7), 0)
    scrap = np.round(total * scrap_rate)
    prod = rs["product"].to_numpy()[plan.r]
    wcs = wc.work_center.to_numpy()[plan.w]
    c.frames["production_plan"] = pd.DataFrame({"date": c.days[plan.d], "work_center": wcs, "product": prod, "qty": plan.qty.to_numpy()})
    c.frames["production_actual"] = pd.DataFrame({
        "date": c.days[plan.d], "work_center": wcs, "product": prod, "qty_good": total - scrap, "qty_scrap": scrap,
        "hours_worked": np.round(np.where(total > 0, setup + run * total, 0), 2)})
    c.plan_steps = pd.DataFrame({"d": plan.d.to_numpy(), "w": plan.w.to_numpy(), "step": rs.step.to_numpy()[plan.r],
                                 "last": (rs.step.to_numpy() == rs.groupby("product").step.transform("max").to_numpy())[plan.r]})
    _variance(c, dt)


def _variance(c: Ctx, dt: pd.DataFrame) -> None:
    """A note for every line-week more than 5 % behind or 4 % ahead of plan."""
    rng = c.rng
    wc = c.frames["work_centers"].set_index("work_center").line
    a = c.frames["production_actual"].assign(plan=c.frames["production_plan"].qty.to_numpy())
    a["line"] = a.work_center.map(wc).to_numpy()
    a["week"] = a.date.to_numpy().astype("datetime64[D]") - weekday(a.date.to_numpy()) * DAY
    g = a.groupby(["line", "week"], as_index=False).agg(plan=("plan", "sum"), good=("qty_good", "sum"))
    g["ratio"] = g.good / g.plan
    g = g[(g.ratio < 0.95) | (g.ratio > 1.04)].reset_index(drop=True)
    dt = dt.assign(line=dt.work_center.map(wc).to_numpy(),
                   week=dt.date.to_numpy().astype("datetime64[D]") - weekday(dt.date.to_numpy()) * DAY)
    mat_weeks = set(map(tuple, dt.loc[dt.cause_category == "material", ["line", "week"]].to_numpy().tolist()))
    behind = g.ratio < 1
    n = len(g)
    cause = CAUSES[rng.choice(5, n, p=[0.3, 0.3, 0.15, 0.2, 0.05])]
    is_mat = np.array([(l, w) in mat_weeks for l, w in zip(g.line, g.week)], dtype=bool) if n < 20000 else np.zeros(n, bool)
    cause = np.where(behind & is_mat, "material", np.where(~behind, np.where(rng.random(n) < 0.5, "method", "man"), cause))
    desc = {"man": "short of operators 人员不足", "machine": "unplanned breakdown 设备故障", "material": "waiting for material 缺料待料",
            "method": "changeover longer than standard 换线超时", "environment": "power interruption 停电"}
    cm = {"man": "borrow operators from packing; overtime 借调人员加班", "machine": "PM schedule reviewed 完善点检保养",
          "material": "expedite supplier; daily shortage list 每日缺料跟催", "method": "SMED workshop 快速换线",
          "environment": "backup generator check 备用电源检查"}
    owner = {"man": "pmc", "machine": "engineering", "material": "purchasing", "method": "engineering", "environment": "pmc"}
    ahead_desc = "ahead: extra shift and short changeovers 超产: 加班及换线快"
    end = g.week.to_numpy().astype("datetime64[D]") + 4 * DAY
    due = end + rng.integers(7, 15, n) * DAY
    vn = pd.DataFrame({"period_start": g.week, "period_end": end, "line": g.line, "work_center": None, "product": None,
                       "direction": np.where(behind, "behind", "ahead"), "cause_category": cause,
                       "description": np.where(behind, pd.Series(cause).map(desc).to_numpy(), ahead_desc),
                       "qty_impact": np.round(np.abs(g.plan - g.good)),
                       "countermeasure": np.where(behind, pd.Series(cause).map(cm).to_numpy(), "keep the practice 保持"),
                       "owner": pd.Series(cause).map(owner).to_numpy(), "due_date": due,
                       "status": np.where(due < c.as_of, "done", "open")})
    vn.insert(0, "note_id", c.ids["seq_variance"] + np.arange(n))
    c.frames["variance_notes"] = vn


# how far the open lines have got: each step's window backward from the line's due date, its
# lead days as calendar days (x 7/5); a step whose window ended before as_of is done, except one
# in five, which is behind (half done); a step under way is done in proportion to its window
OPERATIONS_SQL = """
    INSERT INTO order_operations (line_id, step, qty_done)
    WITH s AS (
        SELECT o.line_id, o.qty, r.step, greatest(r.lead_days, 1) AS lead,
               coalesce(o.promised_date, o.requested_date) AS due,
               coalesce(sum(greatest(r.lead_days, 1)) OVER (
                   PARTITION BY o.line_id ORDER BY r.step DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS later
        FROM order_lines o JOIN routings r USING (product)
        WHERE o.status = 'open' AND o.qty > o.shipped_qty),
    w AS (
        SELECT *, due - CAST(ceil(later * 7 / 5.0) AS INTEGER) AS w_end,
               due - CAST(ceil((later + lead) * 7 / 5.0) AS INTEGER) AS w_start,
               hash(line_id * 1009 + step) % 100 AS dice
        FROM s)
    SELECT line_id, step,
           CASE WHEN w_end < ?::DATE THEN (CASE WHEN dice < 20 THEN round(qty / 2) ELSE qty END)
                ELSE round(qty * date_diff('day', w_start, ?::DATE) / greatest(date_diff('day', w_start, w_end), 1)) END
    FROM w WHERE w_start < ?::DATE
"""


def operations(tx, as_of) -> int:
    """Write how far the open lines have got (order_operations); returns the rows written."""
    tx.execute(OPERATIONS_SQL, [as_of, as_of, as_of])
    n = int(tx.query("SELECT count(*) FROM order_operations").iloc[0, 0])
    tx.audit("generate", "order_operations", None, None, None, n)
    return n
