"""Quality: incoming, in-process and final inspections (the assembly line's yield problem)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import DAY, DEFECT, QUALITY_LINE, Ctx, join

_DEFECTS = np.array(["solder bridge", "scratch", "dimension out of tolerance", "missing part",
                     "paint run", "label error", DEFECT])


_INCOMING_DEFECTS = np.array(["dimension", "appearance", "wrong label", "missing certificate", "solderability"])


def inspections(c: Ctx) -> None:
    """Incoming (one per receipt), in-process and final (a share of production rows)."""
    rng, s = c.rng, c.scale
    rc = c.receipts
    n = len(rc)
    recent = (c.as_of - rc.receipt_date.to_numpy().astype("datetime64[D]")).astype("int64")
    # sampling by the lot's size (GB/T 2828.1, level II) and AQL 1.0: accept up to Ac defectives; one
    # more is held for the review board (MRB), more than that rejected
    lot = rc.qty.to_numpy()
    insp = np.minimum(lot, np.select([lot <= 150, lot <= 500, lot <= 1200, lot <= 3200], [20, 50, 80, 125], 200))
    ac = np.select([insp <= 20, insp <= 50, insp <= 80, insp <= 125], [0, 1, 2, 3], 5)
    p = np.where(rc.slip & (recent <= 56), 0.03, 0.003)
    bad = np.minimum(rng.binomial(insp.astype(int), p), insp)
    pending = (recent == 0) | ((recent == 1) & (rng.random(n) < 0.5))    # yesterday's lots: half checked
    result = np.where(pending, "pending", np.where(bad > ac + 1, "fail", np.where(bad > ac, "hold", "pass")))
    inc = pd.DataFrame({"date": rc.receipt_date, "stage": "incoming", "supplier": rc.supplier, "material": rc.material,
                        "po": rc.po, "line": None, "work_center": None, "product": None,
                        "lot": join("L-", rc.receipt_id.to_numpy()), "qty_inspected": insp,
                        "qty_defective": np.where(pending, 0, bad),
                        "defect_type": np.where(~pending & (bad > 0), _INCOMING_DEFECTS[rng.integers(0, 5, n)], None),
                        "result": result, "first_pass": True, "inspector": "IQC-01"})
    # on hold: lots waiting for inspection, and held lots the review board has not decided yet
    # (it meets weekly: holds of the last 10 days)
    held = rc.loc[(result == "pending") | ((result == "hold") & (recent <= 10))].groupby("material").qty.sum()
    inv = c.frames["inventory"].set_index("material")
    inv.loc[held.index, "on_hold"] = held.to_numpy()
    inv["on_hand"] = np.maximum(inv.on_hand, inv.on_hold)
    c.frames["inventory"] = inv.reset_index()
    # in-process / final from production rows
    a, ps, wc = c.frames["production_actual"], c.plan_steps, c.frames["work_centers"]
    take = np.flatnonzero((rng.random(len(a)) < s.inspect_rate) & ((a.qty_good + a.qty_scrap).to_numpy() > 0))
    m = len(take)
    dates = a.date.to_numpy()[take].astype("datetime64[D]")
    line = wc.line.to_numpy()[ps.w.to_numpy()[take]]
    final = ps["last"].to_numpy()[take]
    ahead = c.week_ahead(dates)
    extra = np.where((line == QUALITY_LINE) & ~final & (ahead >= -6), 0.009 * (ahead + 7), 0) \
        + np.where(final & (ahead >= -6), 0.004 * (ahead + 7), 0)
    base = rng.uniform(0.004, 0.015, m)
    qi = (a.qty_good + a.qty_scrap).to_numpy()[take]
    bad = np.minimum(rng.binomial(qi.astype(int), base + extra), qi)
    pending = (dates >= c.as_of) | ((dates == c.as_of - DAY) & (rng.random(m) < 0.4))   # yesterday's, partly
    rate = bad / qi
    dtype = np.where(rng.random(m) < extra / (base + extra), DEFECT, _DEFECTS[rng.integers(0, len(_DEFECTS) - 1, m)])
    wip = pd.DataFrame({"date": dates, "stage": np.where(final, "final", "in_process"), "supplier": None, "material": None,
                        "po": None, "line": line, "work_center": a.work_center.to_numpy()[take],
                        "product": a["product"].to_numpy()[take], "lot": None, "qty_inspected": qi,
                        "qty_defective": np.where(pending, 0, bad),
                        "defect_type": np.where(~pending & (bad > 0), dtype, None),
                        "result": np.where(pending, "pending", np.where(rate > 0.06, "fail", np.where(rate > 0.03, "hold", "pass"))),
                        "first_pass": True, "inspector": np.where(final, "FQC-01", "IPQC-01")})
    wip["lot"] = join("W", pd.Series(dates).dt.strftime("%y%m%d").to_numpy(), "-", wip.work_center.to_numpy())
    ins = pd.concat([inc, wip], ignore_index=True).sort_values("date", kind="stable").reset_index(drop=True)
    ins.insert(0, "inspection_id", c.ids["seq_inspection"] + np.arange(len(ins)))
    c.frames["inspections"] = ins
