"""Purchasing: purchase orders and receipts (the slipping supplier), prices, inventory."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import DAY, SLIPPING_SUPPLIER, Ctx, join


def purchase_orders(c: Ctx) -> None:
    """Price history, POs and receipts (the slipping supplier late recently), inventory."""
    rng, s = c.rng, c.scale
    m = c.frames["materials"]
    nm = len(m)
    # price history: a point every ~4 weeks per material; a few materials rise 8-15 % lately
    months = np.arange(c.start - 28 * DAY, c.as_of + DAY, 28 * DAY)
    walk = np.cumprod(1 + rng.normal(0, 0.01, (nm, len(months))), axis=1)
    movers = rng.random(nm) < 0.06
    jump = np.where(movers, rng.uniform(0.08, 0.15, nm), 0)
    walk[:, -2:] *= (1 + jump)[:, None]
    price = np.round(m.std_price.to_numpy()[:, None] * walk, 4)
    ph = pd.DataFrame({"material": np.repeat(m.material.to_numpy(), len(months)),
                       "supplier": np.repeat(m.supplier.to_numpy(), len(months)),
                       "date": np.tile(months, nm), "unit_price": price.ravel()})
    c.frames["price_history"] = ph
    # POs: per material and week with probability po_rate, plus the slipping supplier's recent ones
    weeks = np.arange(s.history_weeks + 2)
    mi, wk = np.nonzero(rng.random((nm, len(weeks))) < s.po_rate)
    slip = np.flatnonzero(m.supplier.to_numpy() == SLIPPING_SUPPLIER)
    extra_m = np.repeat(slip, 3)
    mi = np.concatenate([mi, extra_m])
    wk = np.concatenate([wk, len(weeks) - 1 - rng.integers(2, 9, len(extra_m))])
    od = c.start - 14 * DAY + wk * 7 * DAY + rng.integers(0, 5, len(mi)) * DAY
    keep = od <= c.as_of
    mi, od = mi[keep], od[keep]
    order = np.lexsort((mi, od))
    mi, od = mi[order], od[order]
    n = len(mi)
    lead = m.lead_days.to_numpy()[mi]
    due = od + lead * DAY
    qty = np.maximum(10, np.round(rng.lognormal(6, 0.9, n) / 10) * 10)
    pos = np.clip(np.searchsorted(months, od, side="right") - 1, 0, len(months) - 1)
    unit = price[mi, pos]
    sup = m.supplier.to_numpy()[mi]
    yr = od.astype("datetime64[Y]").astype(int) + 1970
    po = join("PO-", yr, "-", pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(6).to_numpy())
    # receipts
    is_slip = sup == SLIPPING_SUPPLIER
    weeks_ago = (c.as_of - due).astype("int64") / 7
    p_on = np.where(is_slip, np.where(weeks_ago <= 8, 0.35 + 0.5 * np.clip(weeks_ago / 8, 0, 1), 0.94),
                    rng.uniform(0.88, 0.98, n))
    late = rng.random(n) >= p_on
    late_by = np.where(is_slip & (weeks_ago <= 8), rng.integers(5, 21, n), rng.integers(1, 15, n))
    d1 = np.where(late, due + late_by * DAY, np.maximum(due - rng.integers(0, 4, n) * DAY, od))
    partial = rng.random(n) < 0.08
    q1 = np.where(partial, np.round(qty * rng.uniform(0.5, 0.9, n)), qty)
    d2 = d1 + rng.integers(3, 16, n) * DAY
    cancelled = (rng.random(n) < 0.01) & (due < c.as_of)
    rc = pd.concat([pd.DataFrame({"j": np.arange(n), "receipt_date": d1, "qty": q1}),
                    pd.DataFrame({"j": np.flatnonzero(partial), "receipt_date": d2[partial], "qty": (qty - q1)[partial]})],
                   ignore_index=True)
    rc = rc[(rc.receipt_date.to_numpy() <= c.as_of) & ~cancelled[rc.j] & (rc.qty > 0)].sort_values(["receipt_date", "j"], kind="stable")
    got = rc.groupby("j").qty.sum().reindex(range(n), fill_value=0).to_numpy()
    c.frames["purchase_orders"] = pd.DataFrame({
        "po": po, "supplier": sup, "material": m.material.to_numpy()[mi], "qty": qty, "order_date": od,
        "due_date": due, "unit_price": unit,
        "status": np.where(cancelled, "cancelled", np.where(got >= qty, "closed", "open"))})
    rc = rc.reset_index(drop=True)
    rc["receipt_id"] = c.ids["seq_receipt"] + np.arange(len(rc))
    rc["po"] = po[rc.j]
    c.receipts = rc.assign(supplier=sup[rc.j], material=m.material.to_numpy()[mi[rc.j]], slip=is_slip[rc.j])
    c.frames["receipts"] = rc[["receipt_id", "po", "receipt_date", "qty"]]
    # inventory: a few weeks of typical receipts on hand
    avg = pd.Series(qty).groupby(mi).mean().reindex(range(nm), fill_value=100).to_numpy()
    on_hand = np.round(avg * rng.uniform(0, 3, nm))
    on_hand[rng.random(nm) < 0.05] = 0
    # a planner keeps most materials covered for the open orders: without this nearly every quote
    # would be bound by material; the slipping supplier's materials and a few others stay short,
    # so late POs really endanger orders and some quotes are bound by material
    ol = c.frames["order_lines"]
    openl = ol[ol.status == "open"]
    rem = pd.DataFrame({"product": openl["product"].to_numpy(),
                        "rem": np.maximum(openl.qty.to_numpy() - openl.shipped_qty.to_numpy(), 0)})
    need = rem.merge(c.frames["bom"], on="product")
    need = (need.rem * need.qty_per).groupby(need.material).sum().reindex(m.material, fill_value=0).to_numpy()
    # a quarter of the slipping supplier's materials are short, 2 % of the others: the late POs endanger
    # some 5-10 % of the open lines, not most of them
    covered = rng.random(nm) < np.where(m.supplier.to_numpy() == SLIPPING_SUPPLIER, 0.75, 0.98)
    on_hand = np.where(covered, np.maximum(on_hand, np.round(need * rng.uniform(1.05, 1.6, nm))), on_hand)
    c.frames["inventory"] = pd.DataFrame({"material": m.material, "on_hand": on_hand, "on_hold": 0.0})
