"""Engineering: NPI projects and milestones, drawings, engineering changes and improvements."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo.common import BOTTLENECK, DAY, Ctx, join


def projects(c: Ctx) -> None:
    """NPI projects with milestones, drawings, ECNs touching open orders, improvements."""
    rng, s, a = c.rng, c.scale, c.as_of
    prods = c.frames["products"]["product"].to_numpy()
    cus = c.frames["customers"].customer.to_numpy()
    wcs = c.frames["work_centers"].work_center.to_numpy()
    yr = a.astype("datetime64[Y]").astype(int) + 1970
    np_ = s.npi_projects
    start = a - rng.integers(30, 160, np_) * DAY
    target = start + rng.integers(120, 220, np_) * DAY
    status = np.where(target < a, "done", "active").astype(object)
    if np_ > 2:
        status[1] = "on_hold"
    proj = np.array([f"NPI-{yr}-{k:02d}" for k in range(1, np_ + 1)], dtype=object)
    c.frames["npi_projects"] = pd.DataFrame({
        "project": proj, "name": join("New ", c.frames["products"].family.to_numpy()[-np_:], " ", prods[-np_:]),
        "product": prods[-np_:], "customer": cus[rng.integers(0, len(cus), np_)], "owner": "engineering",
        "start_date": start, "target_date": target, "status": status})
    names = ["Concept 概念", "Design review 设计评审", "Prototype 样机", "Pilot run 试产", "First article 首件确认", "Mass production 量产"]
    pi = np.repeat(np.arange(np_), len(names))
    seq = np.tile(np.arange(1, len(names) + 1), np_)
    planned = start[pi] + ((target - start).astype("int64")[pi] * seq / len(names)).astype("int64") * DAY
    slip = rng.integers(-3, 12, len(pi))
    actual = planned + np.where(rng.random(len(pi)) < 0.65, np.minimum(slip, 0), slip) * DAY
    done = (actual <= a) & ((rng.random(len(pi)) < 0.9) | (status[pi] == "done"))
    c.frames["npi_milestones"] = pd.DataFrame({
        "project": proj[pi], "seq": seq, "milestone": np.array(names, dtype=object)[seq - 1], "planned_date": planned,
        "actual_date": np.where(done & (planned <= a + 7 * DAY), actual, np.datetime64("NaT")), "owner": "engineering"})
    nd = np_ * 4 + s.products // 10
    planned = a + rng.integers(-90, 35, nd) * DAY
    u = rng.random(nd)
    actual = np.where(planned <= a, np.where(u < 0.75, planned - rng.integers(0, 5, nd) * DAY,
                                            np.where(u < 0.9, planned + rng.integers(1, 12, nd) * DAY, np.datetime64("NaT"))),
                      np.where(u < 0.2, a - rng.integers(0, 3, nd) * DAY, np.datetime64("NaT")))
    actual = np.where(actual > a, np.datetime64("NaT"), actual)
    dp = np.where(np.arange(nd) < np_ * 4, prods[-np_:][np.arange(nd) % np_], prods[rng.integers(0, len(prods), nd)])
    c.frames["drawings"] = pd.DataFrame({
        "drawing": join("DWG-", dp, "-", pd.Series(np.arange(nd) // np_ + 1).astype(str).str.zfill(2).to_numpy()),
        "revision": np.where(np.arange(nd) < np_ * 4, "A", "B"), "title": join("Drawing ", dp),
        "product": dp, "project": np.where(np.arange(nd) < np_ * 4, proj[np.arange(nd) % np_], None),
        "planned_release": planned, "actual_release": actual, "owner": "engineering"}).drop_duplicates(["drawing", "revision"])
    ne = s.ecns
    created = a - rng.integers(1, 90, ne) * DAY
    eff = created + rng.integers(7, 45, ne) * DAY
    st = np.where(eff <= a, "implemented", np.where(rng.random(ne) < 0.5, "approved", "open"))
    if ne > 3:
        st[0] = "cancelled"
    ecn = np.array([f"ECN-{yr}-{k:03d}" for k in range(1, ne + 1)], dtype=object)
    whats = np.array(["connector change 更换接插件", "add screw-lock 增加防松胶", "PCB rev B 改版", "material substitution 替代料",
                      "tolerance relaxed 公差放宽", "packaging change 包装变更"])
    w = rng.integers(0, len(whats), ne)
    c.frames["engineering_changes"] = pd.DataFrame({
        "ecn": ecn, "title": whats[w], "description": join("Change: ", whats[w]), "reason": "quality / cost 质量与成本",
        "created_date": created, "effective_date": eff, "status": st, "owner": "engineering"})
    open_p = c.frames["order_lines"].query("status == 'open'")["product"].unique()
    pool = open_p if len(open_p) else prods
    ep = pd.DataFrame({"ecn": np.repeat(ecn, 2), "product": pool[rng.integers(0, len(pool), 2 * ne)]})
    c.frames["engineering_change_products"] = ep.drop_duplicates()
    ni = s.improvements
    titles = np.array(["SMED quick changeover 快速换线", "fixture redesign 工装改进", "one-piece flow 单件流",
                       "auto screwdriver 自动锁付", "visual work instruction 可视化作业指导", "reflow profile optimisation 回流曲线优化"])
    ti = rng.integers(0, len(titles), ni)
    st = np.array(["idea", "in_progress", "done", "dropped"])[rng.choice(4, ni, p=[0.25, 0.4, 0.3, 0.05])]
    sd = a - rng.integers(10, 120, ni) * DAY
    due = sd + rng.integers(20, 90, ni) * DAY
    done_d = np.minimum(due + rng.integers(-10, 10, ni) * DAY, a)
    exp = np.round(rng.uniform(5, 60, ni), 0)
    iw = wcs[rng.integers(0, len(wcs), ni)]
    if BOTTLENECK in set(wcs):
        iw[0], ti[0], st[0] = BOTTLENECK, 0, "in_progress"
    c.frames["improvements"] = pd.DataFrame({
        "improvement_id": c.ids["seq_improvement"] + np.arange(ni), "title": join(titles[ti], " @ ", iw),
        "kind": np.where(ti % 2 == 0, "method", "process"), "work_center": iw, "owner": "engineering", "status": st,
        "start_date": np.where(st == "idea", np.datetime64("NaT"), sd), "due_date": due,
        "done_date": np.where(st == "done", done_d, np.datetime64("NaT")), "expected_hours_saved": exp,
        "actual_hours_saved": np.where(st == "done", np.round(exp * rng.uniform(0.5, 1.2, ni)), np.nan)})
