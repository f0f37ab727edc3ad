"""A living demo factory: every table of the schema filled around an as-of date.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> counts = generate(db, as_of=date(2026, 3, 2), seed=7)
    >>> counts["order_lines"] > 1000
    True

The data is generated around `as_of` (default: today) so the dashboard always looks current:
`history_weeks` of the past (orders, shipments, production, purchasing, quality, meetings) and
`future_weeks` ahead (open orders, open POs, milestones). The same seed and as-of date give
identical data. Four stories are planted so a meeting has something to discuss:

1. BOTTLENECK (SMT-2) is loaded above 100 % in weeks 3-5 ahead: sales accepted a surge of
   controller-board orders that PMC flagged in review.
2. SLIPPING_SUPPLIER's on-time rate falls over the last 8 weeks; some of its POs are open and late.
3. QUALITY_LINE's first-pass yield drops in recent weeks, dominated by DEFECT, with complaints.
4. CHANGING_CUSTOMER changes its orders often (external order changes and re-promises).

Everything is vectorised with numpy/pandas so the "large" scale runs through the same code;
loops only run over master data (work centers, products) and the few meetings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd

from lib.departments import AGENDA, DEPARTMENTS
from lib.people.auth import SYSTEM
from lib.store.db import Database


@dataclass(frozen=True)
class Scale:
    """How big the demo factory is."""
    work_centers: int = 12
    lines: int = 4
    products: int = 60
    families: int = 6
    materials: int = 150
    suppliers: int = 15
    customers: int = 40
    history_weeks: int = 26
    future_weeks: int = 12
    orders_per_week: int = 45
    plan_products_per_day: int = 4     # products planned per work center and working day
    po_rate: float = 0.3               # chance that a material is ordered in a given week
    inspect_rate: float = 0.35         # share of production rows that get an inspection
    meetings: int = 8                  # past weekly meetings (plus one upcoming)
    npi_projects: int = 5
    ecns: int = 8
    improvements: int = 10


SCALES: dict[str, Scale] = {
    "demo": Scale(),
    # ~500k order lines (~50k open), ~2.6M plan + ~2.6M actual rows, ~200k POs, ~1M inspections.
    # Open lines are about five weeks of intake (lead times 2-12 weeks), so 50k open out of
    # 500k means one year of history at ~9,600 lines a week; 72 draws a work-center day give
    # ~52 distinct products planned out of the ~100 routed there.
    "large": Scale(work_centers=200, lines=20, products=5000, families=36, materials=20000,
                   suppliers=300, customers=2000, history_weeks=52, orders_per_week=3850,
                   plan_products_per_day=72, po_rate=0.18, inspect_rate=0.3, npi_projects=30,
                   ecns=120, improvements=80),
}

BOTTLENECK = "SMT-2"
QUALITY_LINE = "ASSY"
DEFECT = "loose connector"
SLIPPING_SUPPLIER = "S-003"
CHANGING_CUSTOMER = "C-005"

HEADS = {d: d for d in DEPARTMENTS}     # username of each department head
CHAIR = "chair"

# line types: code, name, work-center name prefixes in the order a line has them
_LINE_TYPES = [
    ("SMT", "SMT 贴片", ["SMT", "SMT", "AOI"]),
    ("MACH", "Machining 机加工", ["CNC", "CNC", "LATHE"]),
    ("ASSY", "Assembly 装配", ["ASM", "ASM", "TEST"]),
    ("PACK", "Painting & packing 喷涂包装", ["PNT", "PCK", "PCK"]),
]
# family: name, line types visited in order, base unit price, material categories used
_FAMILIES = [
    ("Controller board 控制板", [0, 2, 3], 180.0, ["PCB", "IC", "Resistor", "Capacitor", "Connector", "Carton", "Label"]),
    ("Power supply 电源", [0, 1, 2, 3], 260.0, ["PCB", "IC", "Capacitor", "Transformer", "Connector", "Steel sheet", "Screw", "Carton"]),
    ("Motor housing 电机壳体", [1, 3], 95.0, ["Aluminium bar", "Screw", "Paint", "Carton", "Label"]),
    ("Pump assembly 泵组件", [1, 2, 3], 420.0, ["Aluminium bar", "Seal", "Bearing", "Screw", "Connector", "Paint", "Carton"]),
    ("Sensor module 传感器模块", [0, 1, 2, 3], 150.0, ["PCB", "IC", "Connector", "Cable", "Aluminium bar", "Label", "Carton"]),
    ("Valve body 阀体", [1, 3], 120.0, ["Steel bar", "Seal", "Screw", "Paint", "Carton"]),
]
# material category: lead days range, price range
_CATEGORIES = {
    "PCB": (10, 25, 8, 40), "IC": (20, 45, 5, 60), "Resistor": (5, 15, 0.01, 0.05),
    "Capacitor": (5, 20, 0.02, 0.5), "Connector": (10, 30, 0.3, 4), "Transformer": (15, 35, 6, 25),
    "Cable": (7, 20, 1, 6), "Aluminium bar": (7, 21, 12, 40), "Steel bar": (7, 21, 8, 30),
    "Steel sheet": (7, 21, 10, 35), "Seal": (5, 20, 0.2, 3), "Bearing": (10, 30, 2, 15),
    "Screw": (5, 10, 0.02, 0.2), "Paint": (5, 15, 20, 60), "Carton": (5, 10, 1, 4), "Label": (5, 10, 0.05, 0.3),
}
_SPRING_FESTIVAL = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17",
                    2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
                    2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31", 2034: "2034-02-19"}
_CUSTOMER_NAMES = ["华东电气有限公司", "Nordic Pumps AB", "深圳锐达科技", "Atlas Controls GmbH", "宏远机电",
                   "Pacific Motion Inc.", "苏州精工", "Keystone Valves Ltd", "广州恒通自动化", "Orion Sensors",
                   "杭州智联", "Meridian Fluid Systems", "青岛海川", "Apex Robotics", "成都天府仪表"]
_SUPPLIER_NAMES = ["东莞宏达电子", "Shenzhen Kinglink", "昆山立信连接器", "宁波铝业", "TI Distribution Asia",
                   "常州轴承厂", "佛山包装材料", "上海密封件", "无锡线缆", "Würth Fasteners CN"]
_DEFECTS = np.array(["solder bridge", "scratch", "dimension out of tolerance", "missing part",
                     "paint run", "label error", DEFECT])
_INCOMING_DEFECTS = np.array(["dimension", "appearance", "wrong label", "missing certificate", "solderability"])
_CAUSES = np.array(["man", "machine", "material", "method", "environment"])
_DAY = np.timedelta64(1, "D")


# ---------------------------------------------------------------------------- small helpers

def _weekday(d: np.ndarray) -> np.ndarray:
    """ISO weekday minus one (Monday = 0) of datetime64[D] values."""
    return (d.astype("datetime64[D]").astype("int64") + 3) % 7


def _monday(d: np.datetime64) -> np.datetime64:
    return d - _weekday(np.array([d]))[0] * _DAY


def _ts(d, hours) -> np.ndarray:
    """Timestamps (minute precision) at `hours` (float, may be an array) after the dates `d`."""
    return (np.asarray(d).astype("datetime64[D]").astype("datetime64[m]")
            + np.round(np.asarray(hours) * 60).astype("int64") * np.timedelta64(1, "m"))


def _codes(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _join(*parts) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars (vectorised)."""
    out = pd.Series([""] * max(len(p) for p in parts if not isinstance(p, str)), dtype=object)
    for p in parts:
        out = out + (p if isinstance(p, str) else pd.Series(p).astype(str).to_numpy(dtype=object))
    return out.to_numpy(dtype=object)


def _holidays(first: date, last: date) -> list[tuple[np.datetime64, str]]:
    """Chinese public holidays between `first` and `last` (whole-factory closures)."""
    out = []
    for y in range(first.year, last.year + 1):
        days = [(f"{y}-01-01", 1, "New Year 元旦"), (f"{y}-05-01", 3, "Labour Day 劳动节"),
                (f"{y}-10-01", 7, "National Day 国庆节")]
        sf = _SPRING_FESTIVAL.get(y, f"{y}-02-01")
        days.append((str(np.datetime64(sf) - _DAY), 7, "Spring Festival 春节"))
        for d0, n, why in days:
            for k in range(n):
                d = np.datetime64(d0) + k * _DAY
                if np.datetime64(first) <= d <= np.datetime64(last):
                    out.append((d, why))
    return sorted(out)


class _Ctx:
    """Everything generated so far, plus the dates and the random generator."""

    def __init__(self, as_of: date, seed: int, scale: Scale):
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.as_of = np.datetime64(as_of, "D")
        self.start = _monday(self.as_of) - 7 * scale.history_weeks * _DAY
        self.end = _monday(self.as_of) + (7 * (scale.future_weeks + 1) - 1) * _DAY
        self.days = np.arange(self.start, self.end + _DAY, dtype="datetime64[D]")
        self.frames: dict[str, pd.DataFrame] = {}
        self.ids: dict[str, int] = {}

    def day_index(self, d) -> np.ndarray:
        return (np.asarray(d).astype("datetime64[D]") - self.start).astype("int64")

    def week_ahead(self, d) -> np.ndarray:
        """Weeks after the as-of week (0 = this week, negative = past)."""
        return (np.asarray(d).astype("datetime64[D]") - _monday(self.as_of)).astype("int64") // 7


# ---------------------------------------------------------------------------- master data

def _work_centers(c: _Ctx) -> None:
    """Lines and their work centers; hours/efficiency are set later from the demand."""
    s, rng = c.scale, c.rng
    lines, rows, counters = [], [], {}
    for i in range(s.lines):
        code, name, prefixes = _LINE_TYPES[i % 4]
        line = code if i < 4 else f"{code}{i // 4 + 1}"
        lines.append((line, i % 4))
        n = s.work_centers // s.lines + (1 if i < s.work_centers % s.lines else 0)
        for j in range(n):
            p = prefixes[j % len(prefixes)]
            counters[p] = counters.get(p, 0) + 1
            rows.append({"work_center": f"{p}-{counters[p]}", "name": f"{name.split(' ')[0]} {p}-{counters[p]}",
                         "line": line, "line_type": i % 4})
    wc = pd.DataFrame(rows)
    wc["efficiency"] = np.round(rng.uniform(0.80, 0.95, len(wc)), 2)
    c.lines = lines
    c.frames["work_centers"] = wc


def _products(c: _Ctx) -> None:
    s, rng = c.scale, c.rng
    fam = np.arange(s.products) % s.families
    base = fam % len(_FAMILIES)
    fam_name = np.array([_FAMILIES[b][0] + ("" if f < len(_FAMILIES) else f" {chr(65 + f // len(_FAMILIES))}")
                         for f, b in zip(range(s.families), np.arange(s.families) % len(_FAMILIES))], dtype=object)
    codes = np.array([f"P-{1000 + i}" for i in range(1, s.products + 1)], dtype=object)
    price = np.array([_FAMILIES[b][2] for b in base]) * rng.lognormal(0, 0.3, s.products)
    c.frames["products"] = pd.DataFrame({
        "product": codes, "name": _join(pd.Series(fam_name[fam]).str.split(" ").str[0].to_numpy() + " ", codes),
        "family": fam_name[fam], "unit": "pcs", "unit_price": np.round(price, 2)})
    c.product_base = base


def _routings(c: _Ctx) -> None:
    """2-6 sequential steps across the family's lines; the first controller boards are the
    surge products (SMT-2 -> assembly -> packing, one day each) so the story is unambiguous."""
    rng, wc = c.rng, c.frames["work_centers"]
    line_wcs = {ln: wc.loc[wc.line == ln, "work_center"].tolist() for ln, _ in c.lines}
    by_type = {t: [ln for ln, tt in c.lines if tt == t and line_wcs[ln]] for t in range(4)}
    products = c.frames["products"]["product"].to_numpy()
    rows, surge = [], []
    fam0 = np.flatnonzero(c.product_base == 0)
    for i, p in enumerate(products):
        b = c.product_base[i]
        if i in fam0[:3] and by_type[2] and by_type[3] and BOTTLENECK in line_wcs.get("SMT", []):
            steps = [(BOTTLENECK, 1), (line_wcs[by_type[2][0]][0], 1), (line_wcs[by_type[3][0]][-1], 1)]
            surge.append(p)
        else:
            steps = []
            for t in _FAMILIES[b][1]:
                if not by_type[t]:
                    continue
                ws = line_wcs[by_type[t][rng.integers(len(by_type[t]))]]
                k = min(len(ws), int(rng.integers(1, 3)))
                picks = np.sort(rng.choice(len(ws), k, replace=False))
                steps += [(ws[j], int(rng.integers(1, 4))) for j in picks]
            if len(steps) > 6:
                steps = steps[:5] + steps[-1:]
        for k, (w, lead) in enumerate(steps, start=1):
            rows.append((p, k, w, lead))
    r = pd.DataFrame(rows, columns=["product", "step", "work_center", "lead_days"])
    r["setup_raw"] = 0.5 + 2.5 * rng.beta(1.3, 3.5, len(r))
    r["run_raw"] = rng.uniform(0.5, 1.5, len(r))
    c.frames["routings"] = r
    c.surge_products = surge


def _suppliers_customers(c: _Ctx) -> None:
    s = c.scale
    sup = _codes("S-", s.suppliers, 3)
    cus = _codes("C-", s.customers, 3)
    sn = [(_SUPPLIER_NAMES[i % len(_SUPPLIER_NAMES)] + ("" if i < len(_SUPPLIER_NAMES) else f" #{i // len(_SUPPLIER_NAMES) + 1}"))
          for i in range(s.suppliers)]
    cn = [(_CUSTOMER_NAMES[i % len(_CUSTOMER_NAMES)] + ("" if i < len(_CUSTOMER_NAMES) else f" #{i // len(_CUSTOMER_NAMES) + 1}"))
          for i in range(s.customers)]
    c.frames["suppliers"] = pd.DataFrame({"supplier": sup, "name": sn})
    c.frames["customers"] = pd.DataFrame({"customer": cus, "name": cn})


def _materials(c: _Ctx) -> None:
    """Materials by category; the slipping supplier delivers connectors and some ICs."""
    s, rng = c.scale, c.rng
    cats = np.array(list(_CATEGORIES))
    cat = cats[np.arange(s.materials) % len(cats)]
    spec = np.array([_CATEGORIES[k] for k in cat])
    lead = rng.integers(spec[:, 0], spec[:, 1] + 1)
    price = np.round(rng.uniform(spec[:, 2], spec[:, 3]), 3)
    sup = c.frames["suppliers"]["supplier"].to_numpy()
    # each category has a few suppliers; connectors go mostly to the slipping supplier
    cat_i = np.arange(s.materials) % len(cats)
    supplier = sup[(cat_i * 3 + rng.integers(0, 3, s.materials)) % len(sup)]
    slip = (cat == "Connector") | ((cat == "IC") & (rng.random(s.materials) < 0.3))
    if SLIPPING_SUPPLIER in set(sup):
        supplier = np.where(slip, SLIPPING_SUPPLIER, supplier)
    codes = _codes("M-", s.materials, 5)
    unit = np.where(np.isin(cat, ["Paint"]), "kg", np.where(np.isin(cat, ["Cable"]), "m", "pcs"))
    c.frames["materials"] = pd.DataFrame({
        "material": codes, "name": _join(cat, " ", codes), "unit": unit, "lead_days": lead,
        "std_price": price, "supplier": supplier, "category": cat})


def _bom(c: _Ctx) -> None:
    """3-8 components per product from its family's material categories."""
    rng, m = c.rng, c.frames["materials"]
    by_cat = {k: g["material"].to_numpy() for k, g in m.groupby("category", sort=True)}
    rows = []
    for p, b in zip(c.frames["products"]["product"], c.product_base):
        cats = _FAMILIES[b][3]
        k = int(rng.integers(3, 9))
        chosen = set()
        for j in range(k):
            pool = by_cat.get(cats[j % len(cats)])
            if pool is None or len(pool) == 0:
                continue
            mat = pool[rng.integers(len(pool))]
            if mat not in chosen:
                chosen.add(mat)
                rows.append((p, mat, cats[j % len(cats)]))
    bom = pd.DataFrame(rows, columns=["product", "material", "category"])
    small = bom.category.isin(["Resistor", "Capacitor", "Screw"])
    bom["qty_per"] = np.where(small, rng.integers(2, 13, len(bom)).astype(float),
                              np.where(bom.category == "Paint", 0.05, 1.0))
    c.frames["bom"] = bom.drop(columns="category")


def _calendar(c: _Ctx) -> None:
    """Public holidays for everyone, overtime Saturdays for the bottleneck, one maintenance day."""
    rows = [(d, "", 0.0, why) for d, why in _holidays(c.start.item(), c.end.item())]
    hol = {d for d, *_ in rows}
    wcs = set(c.frames["work_centers"].work_center)
    if BOTTLENECK in wcs:
        sat = _monday(c.as_of) + 5 * _DAY
        for k in list(range(-4, 0)) + list(range(1, 6)):
            d = sat + 7 * k * _DAY
            if d not in hol and c.start <= d <= c.end:
                rows.append((d, BOTTLENECK, 8.0, "overtime 加班"))
    mach = c.frames["work_centers"].query("line_type == 1").work_center
    if len(mach):
        d = _monday(c.as_of) + 16 * _DAY
        rows.append((d, mach.iloc[0], 0.0, "planned maintenance 计划保养"))
    c.frames["calendar"] = pd.DataFrame(rows, columns=["date", "work_center", "hours", "reason"])


def _working(c: _Ctx) -> np.ndarray:
    """Factory-wide working-day mask over c.days (Mon-Fri minus holidays)."""
    hol = c.frames["calendar"].query("work_center == ''").date.to_numpy().astype("datetime64[D]")
    return (_weekday(c.days) < 5) & ~np.isin(c.days, hol)


def _capacity(c: _Ctx) -> np.ndarray:
    """Capacity hours per work center (rows, in frame order) and day (columns)."""
    wc = c.frames["work_centers"]
    cap = np.outer(wc.hours_per_day * wc.efficiency, _working(c).astype(float))
    pos = {w: i for i, w in enumerate(wc.work_center)}
    for r in c.frames["calendar"].query("work_center != ''").itertuples():
        i, j = pos[r.work_center], int(c.day_index(np.array([r.date]))[0])
        cap[i, j] = r.hours * wc.efficiency.iloc[i]
    return cap


# ---------------------------------------------------------------------------- orders

def _order_lines(c: _Ctx) -> pd.DataFrame:
    """Order lines placed over the history (working days), 1-4 lines per order."""
    s, rng = c.scale, c.rng
    work_days = c.days[_working(c) & (c.days <= c.as_of)]
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
    pw = 1 / np.arange(1, s.products + 1) ** 0.7
    pw = pw[rng.permutation(s.products)]
    pw[-max(1, s.npi_projects):] *= 0.05          # the newest products are still in NPI
    prod_i = rng.choice(s.products, len(order), p=pw / pw.sum())
    qty = np.maximum(10, np.round(rng.lognormal(5.0, 0.8, len(order)) / 10) * 10)
    lead = np.where(rng.random(len(order)) < 0.15, rng.integers(56, 85, len(order)), rng.integers(14, 57, len(order)))
    return pd.DataFrame({"order": order, "line_no": line_no, "customer": cust,
                         "product": c.frames["products"]["product"].to_numpy()[prod_i], "qty": qty,
                         "order_date": od, "requested_date": od + lead * _DAY, "surge": False})


def _calibrate(c: _Ctx, lines: pd.DataFrame) -> None:
    """Hours per day, setup and run hours chosen so each work center's average load is a
    plausible 60-85 % of its capacity (85 % at the bottleneck) at any scale."""
    rng, wc, r = c.rng, c.frames["work_centers"], c.frames["routings"]
    weeks = c.scale.history_weeks
    hist = lines[lines.order_date < c.as_of - 28 * _DAY]
    weeks = max(1.0, weeks - 4 - 5)   # orders placed in the last 4 weeks are not all due yet
    m = hist[["product", "qty"]].merge(r, on="product")
    m["run"] = m.qty * m.run_raw
    d = m.groupby("work_center").agg(S=("setup_raw", "sum"), R=("run", "sum")) / weeks
    d = wc[["work_center", "efficiency"]].merge(d, on="work_center", how="left").fillna({"S": 0.0, "R": 0.0})
    util = np.where(d.work_center == BOTTLENECK, 0.85, rng.uniform(0.6, 0.85, len(d)))
    # the busiest work centers run two shifts; at 45 orders a week the setups alone would fill
    # a single shift, so setups are scaled down where they would exceed 40 % of the target load
    rank = (d.S / (d.efficiency * util)).rank(pct=True, method="first")
    hpd = np.select([rank > 0.6, rank > 0.35, rank > 0.15], [16.0, 12.0, 10.0], 8.0)
    hpd = np.where(d.work_center == BOTTLENECK, 16.0, hpd)
    cap = hpd * d.efficiency * 5
    setup_scale = np.minimum(1.0, 0.4 * util * cap / d.S.replace(0, np.nan)).fillna(1.0)
    run_scale = ((util * cap - d.S * setup_scale) / d.R.replace(0, np.nan)).fillna(0.05)
    wc["hours_per_day"] = hpd
    c.util = dict(zip(d.work_center, util))
    k = dict(zip(d.work_center, setup_scale)), dict(zip(d.work_center, run_scale))
    r["setup_hours"] = np.maximum(0.1, np.round(r.setup_raw * r.work_center.map(k[0]), 2))
    r["run_hours_per_unit"] = np.round(r.run_raw * r.work_center.map(k[1]), 5)


def _surge(c: _Ctx, lines: pd.DataFrame) -> pd.DataFrame:
    """Extra controller-board lines due in weeks 3-5 ahead, sized so SMT-2 is loaded to ~150 %."""
    rng, r = c.rng, c.frames["routings"]
    if not c.surge_products:
        return lines
    cap = _capacity(c)
    wc = c.frames["work_centers"]
    b = int(np.flatnonzero(wc.work_center == BOTTLENECK)[0])
    naive = wc.hours_per_day.iloc[b] * wc.efficiency.iloc[b] * 5
    step = r[(r["product"].isin(c.surge_products)) & (r.work_center == BOTTLENECK)].set_index("product")
    due = np.where(lines.requested_date.to_numpy() > c.as_of, lines.requested_date.to_numpy(), np.datetime64("NaT"))
    base = lines.assign(due=due).merge(r[r.work_center == BOTTLENECK], on="product")
    base["h"] = base.setup_hours + base.qty * base.run_hours_per_unit
    base["wk"] = c.week_ahead(base.due.to_numpy())
    n = max(3, round(c.scale.orders_per_week / 15))
    extra, working = [], _working(c)
    for wk in (3, 4, 5):
        mon = _monday(c.as_of) + 7 * wk * _DAY
        j = c.day_index(np.array([mon]))[0]
        hours = 1.5 * max(naive, cap[b, j:j + 7].sum()) - base.loc[base.wk == wk, "h"].sum()
        days = [mon + k * _DAY for k in range(5) if working[j + k]]
        duedate = days[-1] if days else mon + 4 * _DAY
        prods = np.array(c.surge_products)[rng.integers(0, len(c.surge_products), n)]
        per = max(hours, 0) / n
        qty = np.ceil((per - step.loc[prods, "setup_hours"].to_numpy())
                      / step.loc[prods, "run_hours_per_unit"].to_numpy() / 10) * 10
        od = c.as_of - rng.integers(3, 15, n) * _DAY
        od = od - (_weekday(od) >= 5) * 2 * _DAY
        extra.append(pd.DataFrame({"line_no": 1, "product": prods, "qty": np.maximum(qty, 10),
                                   "order_date": od, "requested_date": duedate, "surge": True}))
    ex = pd.concat(extra, ignore_index=True)
    big = c.frames["customers"].customer.to_numpy()[:3]
    ex["customer"] = big[rng.integers(0, len(big), len(ex))]
    ex["order"] = lines.order.max() + 1 + np.arange(len(ex))
    return pd.concat([lines, ex[lines.columns]], ignore_index=True)


def _promises(c: _Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """Original promise, re-promises (1-3 for some lines; often for the changing customer);
    returns the promise history and sets ol.promised_date."""
    rng, n = c.rng, len(ol)
    od, req = ol.order_date.to_numpy(), ol.requested_date.to_numpy()
    orig = req + np.where(ol.surge | (rng.random(n) < 0.7), 0, rng.integers(0, 15, n)) * _DAY
    first_at = _ts(od + rng.integers(0, 3, n) * _DAY, rng.uniform(9, 18, n))
    unpromised = (od >= c.as_of - 2 * _DAY) & (rng.random(n) < 0.5) & ~ol.surge
    first_at = np.minimum(first_at, _ts(np.full(n, c.as_of), 8.5))
    changer = (ol.customer == CHANGING_CUSTOMER).to_numpy()
    p = np.where(changer, 0.6, 0.06)
    reps = np.where((rng.random(n) < p) & (od <= c.as_of - 7 * _DAY) & ~unpromised & ~ol.surge,
                    rng.integers(1, 4, n), 0)
    idx = np.repeat(np.arange(n), reps)
    shift = rng.integers(-5, 15, len(idx))
    shift[shift == 0] = 7
    cum = pd.Series(shift).groupby(idx).cumsum().to_numpy()
    new = np.maximum(orig[idx] + cum * _DAY, od[idx])
    span = np.maximum(1, (np.minimum(c.as_of, orig[idx]) - od[idx]).astype("int64"))
    k = pd.Series(idx).groupby(idx).cumcount().to_numpy() + 1
    at = first_at[idx] + (span * k / (reps[idx] + 1) * 24 * 60).astype("int64") * np.timedelta64(1, "m")
    at = np.minimum(at, _ts(np.full(len(idx), c.as_of), 8.5))
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


def _shipments(c: _Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """Past-due lines ship: most on time, some late, some partial (in two shipments);
    a few lines are cancelled. Sets shipped_qty and status on `ol`."""
    rng, n = c.rng, len(ol)
    due = ol.promised_date.fillna(ol.requested_date).to_numpy().astype("datetime64[D]")
    od = ol.order_date.to_numpy().astype("datetime64[D]")
    cancel = (rng.random(n) < 0.02) & (od < c.as_of - 7 * _DAY) & ~ol.surge.to_numpy()
    u = rng.random(n)
    late = (u >= 0.84) & (u < 0.94)
    partial = u >= 0.94
    d1 = np.where(late, due + rng.integers(1, 13, n) * _DAY, np.maximum(due - rng.integers(0, 4, n) * _DAY, od))
    q1 = np.where(partial, np.round(ol.qty * rng.uniform(0.4, 0.8, n)), ol.qty)
    d2 = due + rng.integers(3, 16, n) * _DAY
    s = pd.concat([pd.DataFrame({"i": np.arange(n), "ship_date": d1, "qty": q1}),
                   pd.DataFrame({"i": np.flatnonzero(partial), "ship_date": d2[partial],
                                 "qty": (ol.qty.to_numpy() - q1)[partial]})], ignore_index=True)
    s = s[(s.ship_date.to_numpy() < c.as_of) & ~cancel[s.i] & (s.qty > 0)].sort_values(["i", "ship_date"])
    shipped = s.groupby("i").qty.sum().reindex(range(n), fill_value=0.0).to_numpy()
    ol["shipped_qty"] = shipped
    ol["status"] = np.where(cancel, "cancelled", np.where(shipped >= ol.qty, "closed", "open"))
    return s.reset_index(drop=True)


def _reviews(c: _Ctx, ol: pd.DataFrame) -> pd.DataFrame:
    """Order review for lines placed in the last three weeks: five departments each."""
    rng = c.rng
    recent = np.flatnonzero((ol.order_date.to_numpy() >= c.as_of - 21 * _DAY) & (ol.status != "cancelled").to_numpy())
    i = np.repeat(recent, len(DEPARTMENTS))
    dept = np.tile(np.array(DEPARTMENTS, dtype=object), len(recent))
    od = ol.order_date.to_numpy()[i]
    opened = _ts(od, 9 + rng.uniform(0, 1, len(i)))
    signed = opened + (rng.uniform(1, 30, len(i)) * 60).astype("int64") * np.timedelta64(1, "m")
    now = _ts(np.full(len(i), c.as_of), 8.0)
    pending = (signed > now) | ((od >= c.as_of - 2 * _DAY) & (rng.random(len(i)) < 0.5))
    surge_pmc = ol.surge.to_numpy()[i] & (dept == "pmc")
    issue = ~pending & ((rng.random(len(i)) < 0.05) | surge_pmc)
    req = ol.requested_date.to_numpy()[i]
    feasible = np.where(issue, req + np.where(surge_pmc, 14, rng.integers(5, 22, len(i))) * _DAY, np.datetime64("NaT"))
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


def _changes(c: _Ctx, ol: pd.DataFrame, ph: pd.DataFrame) -> pd.DataFrame:
    """Order changes: every re-promise (external = customer date change, else internal cause),
    plus qty/spec changes on open lines and a cancel row for every cancelled line."""
    rng, r = c.rng, c.frames["routings"]
    run = r.groupby("product").run_hours_per_unit.sum()
    setup = r.groupby("product").setup_hours.sum()
    rep = ph[ph.k > 0]
    kinds = np.where(rep.external, "date", np.array(["material", "machine", "engineering"])[rng.integers(0, 3, len(rep))])
    parts = [pd.DataFrame({"i": rep.i.to_numpy(), "source": np.where(rep.external, "external", "internal"), "kind": kinds,
                           "old_value": rep.old.dt.strftime("%Y-%m-%d").to_numpy(), "new_value": rep.promised_date.dt.strftime("%Y-%m-%d").to_numpy(),
                           "reason": rep.reason.to_numpy(), "requested_date": rep.promised_at.to_numpy().astype("datetime64[D]"),
                           "load_impact_hours": np.where(kinds == "machine", np.round(rng.uniform(1, 8, len(rep)), 1), 0.0),
                           "created_by": rep.promised_by.to_numpy()})]
    open_ = np.flatnonzero((ol.status == "open").to_numpy() & (ol.shipped_qty == 0).to_numpy() & ~ol.surge.to_numpy()
                           & (ol.order_date.to_numpy() < c.as_of - 3 * _DAY))
    w = np.where(ol.customer.to_numpy()[open_] == CHANGING_CUSTOMER, 12.0, 1.0)
    k = min(len(open_), max(4, len(ol) // 60))
    pick = rng.choice(open_, k, replace=False, p=w / w.sum()) if k else np.array([], int)
    qty_kind = rng.random(len(pick)) < 0.7
    old_q = ol.qty.to_numpy()[pick]
    new_q = np.maximum(10, np.round(old_q * rng.uniform(0.5, 1.6, len(pick)) / 10) * 10)
    req_d = np.minimum(ol.order_date.to_numpy()[pick] + rng.integers(2, 20, len(pick)) * _DAY, c.as_of)
    status = np.where(req_d >= c.as_of - 5 * _DAY, "open", np.where(rng.random(len(pick)) < 0.85, "done", "rejected"))
    prod = ol["product"].to_numpy()[pick]
    apply = qty_kind & (status == "done")
    ol.loc[ol.index[pick[apply]], "qty"] = new_q[apply]
    parts.append(pd.DataFrame({
        "i": pick, "source": "external", "kind": np.where(qty_kind, "qty", "spec"),
        "old_value": np.where(qty_kind, old_q.astype(int).astype(str), "rev A"),
        "new_value": np.where(qty_kind, new_q.astype(int).astype(str), "rev B"),
        "reason": np.where(qty_kind, "customer changed quantity 客户改数量", "customer changed spec 客户改规格"),
        "requested_date": req_d,
        "load_impact_hours": np.round(np.where(qty_kind, (new_q - old_q) * run.loc[prod].to_numpy(), rng.uniform(2, 10, len(pick))), 1),
        "created_by": "sales", "status": status}))
    cx = np.flatnonzero((ol.status == "cancelled").to_numpy())
    prod = ol["product"].to_numpy()[cx]
    parts.append(pd.DataFrame({
        "i": cx, "source": "external", "kind": "cancel", "old_value": "open", "new_value": "cancelled",
        "reason": "customer cancelled 客户取消", "requested_date": ol.order_date.to_numpy()[cx] + 5 * _DAY,
        "load_impact_hours": -np.round(setup.loc[prod].to_numpy() + ol.qty.to_numpy()[cx] * run.loc[prod].to_numpy(), 1),
        "created_by": "sales", "status": "done"}))
    ch = pd.concat(parts, ignore_index=True)
    ch["requested_date"] = np.minimum(ch.requested_date.to_numpy().astype("datetime64[D]"), c.as_of)
    ch["status"] = ch.status.fillna(pd.Series(np.where(ch.requested_date.to_numpy() >= c.as_of - 3 * _DAY, "open", "done")))
    return ch


def _complaints(c: _Ctx, ol: pd.DataFrame, sh: pd.DataFrame) -> pd.DataFrame:
    """Complaints on shipped lines; recent quality complaints name DEFECT on assembly products."""
    rng, s = c.rng, c.scale
    last_ship = sh.groupby("i").ship_date.max()
    n = max(10, round(s.history_weeks * 1.2 * s.orders_per_week / 45))
    i = rng.choice(last_ship.index.to_numpy(), n)
    received = last_ship.loc[i].to_numpy().astype("datetime64[D]") + rng.integers(3, 30, n) * _DAY
    cat = np.array(["quality", "delivery", "packaging", "service", "documentation"])[
        rng.choice(5, n, p=[0.4, 0.3, 0.12, 0.1, 0.08])]
    assy = c.frames["routings"].merge(c.frames["work_centers"], on="work_center").query("line == @QUALITY_LINE")["product"].unique()
    recent_i = last_ship[(last_ship >= c.as_of - 35 * _DAY) & last_ship.index.isin(
        np.flatnonzero(ol["product"].isin(assy).to_numpy()))].index.to_numpy()
    m = min(len(recent_i), max(6, n // 5))
    j = rng.choice(recent_i, m, replace=False) if m else np.array([], int)
    i = np.concatenate([i, j])
    received = np.concatenate([received, last_ship.loc[j].to_numpy().astype("datetime64[D]") + rng.integers(2, 10, m) * _DAY])
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
    closed_d = received + rng.integers(7, 40, n) * _DAY
    closed = (closed_d <= c.as_of) & ~story
    status = np.where(closed, "closed", np.where(age > 5, "in_progress", "open"))
    d8 = np.where(closed, 8, np.where(status == "in_progress", rng.integers(2, 7, n), rng.integers(0, 2, n)))
    cause = np.where(story, "method", _CAUSES[rng.integers(0, 5, n)])
    order = np.argsort(received, kind="stable")
    yr = received.astype("datetime64[Y]").astype(int) + 1970
    df = pd.DataFrame({"i": i, "received_date": received, "category": cat, "description": description,
                       "cause_category": np.where(d8 >= 4, cause, None),
                       "severity": np.where(story, "major", np.array(["minor", "major", "critical"])[rng.choice(3, n, p=[0.7, 0.25, 0.05])]),
                       "d8_step": d8, "status": status, "owner": np.where(cat == "quality", "quality", "sales"),
                       "closed_date": np.where(closed, closed_d, np.datetime64("NaT")), "yr": yr}).iloc[order]
    df["complaint"] = _join("CC-", df.yr.to_numpy(), "-", pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(4).to_numpy())
    df["customer"] = ol.customer.to_numpy()[df.i]
    df["product"] = ol["product"].to_numpy()[df.i]
    return df.drop(columns="yr")


def _orders(c: _Ctx) -> None:
    """Order lines with promises, shipments, reviews, changes and complaints."""
    lines = _order_lines(c)
    _calibrate(c, lines)
    lines = _surge(c, lines).sort_values(["order_date", "order", "line_no"], kind="stable").reset_index(drop=True)
    ph = _promises(c, lines)
    sh = _shipments(c, lines)
    rv = _reviews(c, lines)
    ch = _changes(c, lines, ph)
    cp = _complaints(c, lines, sh)
    price = c.frames["products"].set_index("product").unit_price
    base = c.ids["seq_line_id"]
    line_id = base + np.arange(len(lines))
    first = lines.groupby("order", sort=False).cumcount() == 0
    seqno = np.cumsum(first.to_numpy())[first.to_numpy()]
    ono = pd.Series(_join("SO-", lines.order_date.dt.year.to_numpy()[first.to_numpy()], "-",
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


# ---------------------------------------------------------------------------- production

def _production(c: _Ctx) -> None:
    """Daily plan per work center x product over the history, actuals at 85-105 %, downtime
    (material waits mostly for the slipping supplier's parts) and variance notes per line-week."""
    rng, s = c.rng, c.scale
    wc, r = c.frames["work_centers"], c.frames["routings"]
    cap = _capacity(c)
    past = np.flatnonzero(c.days < c.as_of)
    wi, di = np.nonzero(cap[:, past] > 0)
    di = past[di]
    # downtime first: it lowers that day's output
    p_dt = rng.random(len(wi)) < 0.05
    dw, dd = wi[p_dt], di[p_dt]
    cause = _CAUSES[rng.choice(5, len(dw), p=[0.2, 0.4, 0.25, 0.1, 0.05])]
    recent = c.days[dd] >= c.as_of - 56 * _DAY
    cause = np.where(recent & (rng.random(len(dw)) < 0.3), "material", cause)
    mats = c.frames["materials"]
    slip_m = mats.loc[mats.supplier == SLIPPING_SUPPLIER, "material"].to_numpy()
    if len(slip_m) == 0:
        slip_m = mats.material.to_numpy()
    mat = np.where(cause == "material", slip_m[rng.integers(0, len(slip_m), len(dw))], None)
    hours = np.round(np.minimum(rng.uniform(0.5, 6, len(dw)), cap[dw, dd]), 1)
    reasons = {"man": "operator absent 人员缺勤", "machine": "breakdown 设备故障", "method": "long changeover 换线时间长",
               "environment": "power cut 停电"}
    reason = np.where(cause == "material", _join("waiting for material 待料 ", mat.astype(str)), pd.Series(cause).map(reasons).to_numpy())
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


def _variance(c: _Ctx, dt: pd.DataFrame) -> None:
    """A note for every line-week more than 5 % behind or 4 % ahead of plan."""
    rng = c.rng
    wc = c.frames["work_centers"].set_index("work_center").line
    a = c.frames["production_actual"].assign(plan=c.frames["production_plan"].qty.to_numpy())
    a["line"] = a.work_center.map(wc).to_numpy()
    a["week"] = a.date.to_numpy().astype("datetime64[D]") - _weekday(a.date.to_numpy()) * _DAY
    g = a.groupby(["line", "week"], as_index=False).agg(plan=("plan", "sum"), good=("qty_good", "sum"))
    g["ratio"] = g.good / g.plan
    g = g[(g.ratio < 0.95) | (g.ratio > 1.04)].reset_index(drop=True)
    dt = dt.assign(line=dt.work_center.map(wc).to_numpy(),
                   week=dt.date.to_numpy().astype("datetime64[D]") - _weekday(dt.date.to_numpy()) * _DAY)
    mat_weeks = set(map(tuple, dt.loc[dt.cause_category == "material", ["line", "week"]].to_numpy().tolist()))
    behind = g.ratio < 1
    n = len(g)
    cause = _CAUSES[rng.choice(5, n, p=[0.3, 0.3, 0.15, 0.2, 0.05])]
    is_mat = np.array([(l, w) in mat_weeks for l, w in zip(g.line, g.week)], dtype=bool) if n < 20000 else np.zeros(n, bool)
    cause = np.where(behind & is_mat, "material", np.where(~behind, np.where(rng.random(n) < 0.5, "method", "man"), cause))
    desc = {"man": "short of operators 人员不足", "machine": "unplanned breakdown 设备故障", "material": "waiting for material 缺料待料",
            "method": "changeover longer than standard 换线超时", "environment": "power interruption 停电"}
    cm = {"man": "borrow operators from packing; overtime 借调人员加班", "machine": "PM schedule reviewed 完善点检保养",
          "material": "expedite supplier; daily shortage list 每日缺料跟催", "method": "SMED workshop 快速换线",
          "environment": "backup generator check 备用电源检查"}
    owner = {"man": "pmc", "machine": "engineering", "material": "purchasing", "method": "engineering", "environment": "pmc"}
    ahead_desc = "ahead: extra shift and short changeovers 超产: 加班及换线快"
    end = g.week.to_numpy().astype("datetime64[D]") + 4 * _DAY
    due = end + rng.integers(7, 15, n) * _DAY
    vn = pd.DataFrame({"period_start": g.week, "period_end": end, "line": g.line, "work_center": None, "product": None,
                       "direction": np.where(behind, "behind", "ahead"), "cause_category": cause,
                       "description": np.where(behind, pd.Series(cause).map(desc).to_numpy(), ahead_desc),
                       "qty_impact": np.round(np.abs(g.plan - g.good)),
                       "countermeasure": np.where(behind, pd.Series(cause).map(cm).to_numpy(), "keep the practice 保持"),
                       "owner": pd.Series(cause).map(owner).to_numpy(), "due_date": due,
                       "status": np.where(due < c.as_of, "done", "open")})
    vn.insert(0, "note_id", c.ids["seq_variance"] + np.arange(n))
    c.frames["variance_notes"] = vn


# ---------------------------------------------------------------------------- purchasing

def _purchasing(c: _Ctx) -> None:
    """Price history, POs and receipts (the slipping supplier late recently), inventory."""
    rng, s = c.rng, c.scale
    m = c.frames["materials"]
    nm = len(m)
    # price history: a point every ~4 weeks per material; a few materials rise 8-15 % lately
    months = np.arange(c.start - 28 * _DAY, c.as_of + _DAY, 28 * _DAY)
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
    od = c.start - 14 * _DAY + wk * 7 * _DAY + rng.integers(0, 5, len(mi)) * _DAY
    keep = od <= c.as_of
    mi, od = mi[keep], od[keep]
    order = np.lexsort((mi, od))
    mi, od = mi[order], od[order]
    n = len(mi)
    lead = m.lead_days.to_numpy()[mi]
    due = od + lead * _DAY
    qty = np.maximum(10, np.round(rng.lognormal(6, 0.9, n) / 10) * 10)
    pos = np.clip(np.searchsorted(months, od, side="right") - 1, 0, len(months) - 1)
    unit = price[mi, pos]
    sup = m.supplier.to_numpy()[mi]
    yr = od.astype("datetime64[Y]").astype(int) + 1970
    po = _join("PO-", yr, "-", pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(6).to_numpy())
    # receipts
    is_slip = sup == SLIPPING_SUPPLIER
    weeks_ago = (c.as_of - due).astype("int64") / 7
    p_on = np.where(is_slip, np.where(weeks_ago <= 8, 0.35 + 0.5 * np.clip(weeks_ago / 8, 0, 1), 0.94),
                    rng.uniform(0.88, 0.98, n))
    late = rng.random(n) >= p_on
    late_by = np.where(is_slip & (weeks_ago <= 8), rng.integers(5, 21, n), rng.integers(1, 15, n))
    d1 = np.where(late, due + late_by * _DAY, np.maximum(due - rng.integers(0, 4, n) * _DAY, od))
    partial = rng.random(n) < 0.08
    q1 = np.where(partial, np.round(qty * rng.uniform(0.5, 0.9, n)), qty)
    d2 = d1 + rng.integers(3, 16, n) * _DAY
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
    covered = (rng.random(nm) < 0.96) & (m.supplier.to_numpy() != SLIPPING_SUPPLIER)
    on_hand = np.where(covered, np.maximum(on_hand, np.round(need * rng.uniform(1.05, 1.6, nm))), on_hand)
    c.frames["inventory"] = pd.DataFrame({"material": m.material, "on_hand": on_hand, "on_hold": 0.0})


# ---------------------------------------------------------------------------- quality

def _inspections(c: _Ctx) -> None:
    """Incoming (one per receipt), in-process and final (a share of production rows)."""
    rng, s = c.rng, c.scale
    rc = c.receipts
    n = len(rc)
    recent = (c.as_of - rc.receipt_date.to_numpy().astype("datetime64[D]")).astype("int64")
    insp = np.minimum(rc.qty.to_numpy(), rng.choice([32, 50, 80, 125], n))
    p = np.where(rc.slip & (recent <= 56), 0.03, 0.006)
    bad = np.minimum(rng.binomial(insp.astype(int), p), insp)
    rate = bad / insp
    pending = recent <= 1
    result = np.where(pending, "pending", np.where(rate > 0.05, "fail", np.where(rate > 0.025, "hold", "pass")))
    inc = pd.DataFrame({"date": rc.receipt_date, "stage": "incoming", "supplier": rc.supplier, "material": rc.material,
                        "po": rc.po, "line": None, "work_center": None, "product": None,
                        "lot": _join("L-", rc.receipt_id.to_numpy()), "qty_inspected": insp,
                        "qty_defective": np.where(pending, 0, bad),
                        "defect_type": np.where(~pending & (bad > 0), _INCOMING_DEFECTS[rng.integers(0, 5, n)], None),
                        "result": result, "first_pass": True, "inspector": "IQC-01"})
    held = rc.loc[np.isin(result, ["hold", "pending"])].groupby("material").qty.sum()
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
    pending = dates >= c.as_of - 1 * _DAY
    rate = bad / qi
    dtype = np.where(rng.random(m) < extra / (base + extra), DEFECT, _DEFECTS[rng.integers(0, len(_DEFECTS) - 1, m)])
    wip = pd.DataFrame({"date": dates, "stage": np.where(final, "final", "in_process"), "supplier": None, "material": None,
                        "po": None, "line": line, "work_center": a.work_center.to_numpy()[take],
                        "product": a["product"].to_numpy()[take], "lot": None, "qty_inspected": qi,
                        "qty_defective": np.where(pending, 0, bad),
                        "defect_type": np.where(~pending & (bad > 0), dtype, None),
                        "result": np.where(pending, "pending", np.where(rate > 0.06, "fail", np.where(rate > 0.03, "hold", "pass"))),
                        "first_pass": True, "inspector": np.where(final, "FQC-01", "IPQC-01")})
    wip["lot"] = _join("W", pd.Series(dates).dt.strftime("%y%m%d").to_numpy(), "-", wip.work_center.to_numpy())
    ins = pd.concat([inc, wip], ignore_index=True).sort_values("date", kind="stable").reset_index(drop=True)
    ins.insert(0, "inspection_id", c.ids["seq_inspection"] + np.arange(len(ins)))
    c.frames["inspections"] = ins


# ---------------------------------------------------------------------------- engineering

def _engineering(c: _Ctx) -> None:
    """NPI projects with milestones, drawings, ECNs touching open orders, improvements."""
    rng, s, a = c.rng, c.scale, c.as_of
    prods = c.frames["products"]["product"].to_numpy()
    cus = c.frames["customers"].customer.to_numpy()
    wcs = c.frames["work_centers"].work_center.to_numpy()
    yr = a.astype("datetime64[Y]").astype(int) + 1970
    np_ = s.npi_projects
    start = a - rng.integers(30, 160, np_) * _DAY
    target = start + rng.integers(120, 220, np_) * _DAY
    status = np.where(target < a, "done", "active").astype(object)
    if np_ > 2:
        status[1] = "on_hold"
    proj = np.array([f"NPI-{yr}-{k:02d}" for k in range(1, np_ + 1)], dtype=object)
    c.frames["npi_projects"] = pd.DataFrame({
        "project": proj, "name": _join("New ", c.frames["products"].family.to_numpy()[-np_:], " ", prods[-np_:]),
        "product": prods[-np_:], "customer": cus[rng.integers(0, len(cus), np_)], "owner": "engineering",
        "start_date": start, "target_date": target, "status": status})
    names = ["Concept 概念", "Design review 设计评审", "Prototype 样机", "Pilot run 试产", "First article 首件确认", "Mass production 量产"]
    pi = np.repeat(np.arange(np_), len(names))
    seq = np.tile(np.arange(1, len(names) + 1), np_)
    planned = start[pi] + ((target - start).astype("int64")[pi] * seq / len(names)).astype("int64") * _DAY
    slip = rng.integers(-3, 12, len(pi))
    actual = planned + np.where(rng.random(len(pi)) < 0.65, np.minimum(slip, 0), slip) * _DAY
    done = (actual <= a) & ((rng.random(len(pi)) < 0.9) | (status[pi] == "done"))
    c.frames["npi_milestones"] = pd.DataFrame({
        "project": proj[pi], "seq": seq, "milestone": np.array(names, dtype=object)[seq - 1], "planned_date": planned,
        "actual_date": np.where(done & (planned <= a + 7 * _DAY), actual, np.datetime64("NaT")), "owner": "engineering"})
    nd = np_ * 4 + s.products // 10
    planned = a + rng.integers(-90, 35, nd) * _DAY
    u = rng.random(nd)
    actual = np.where(planned <= a, np.where(u < 0.75, planned - rng.integers(0, 5, nd) * _DAY,
                                            np.where(u < 0.9, planned + rng.integers(1, 12, nd) * _DAY, np.datetime64("NaT"))),
                      np.where(u < 0.2, a - rng.integers(0, 3, nd) * _DAY, np.datetime64("NaT")))
    actual = np.where(actual > a, np.datetime64("NaT"), actual)
    dp = np.where(np.arange(nd) < np_ * 4, prods[-np_:][np.arange(nd) % np_], prods[rng.integers(0, len(prods), nd)])
    c.frames["drawings"] = pd.DataFrame({
        "drawing": _join("DWG-", dp, "-", pd.Series(np.arange(nd) // np_ + 1).astype(str).str.zfill(2).to_numpy()),
        "revision": np.where(np.arange(nd) < np_ * 4, "A", "B"), "title": _join("Drawing ", dp),
        "product": dp, "project": np.where(np.arange(nd) < np_ * 4, proj[np.arange(nd) % np_], None),
        "planned_release": planned, "actual_release": actual, "owner": "engineering"}).drop_duplicates(["drawing", "revision"])
    ne = s.ecns
    created = a - rng.integers(1, 90, ne) * _DAY
    eff = created + rng.integers(7, 45, ne) * _DAY
    st = np.where(eff <= a, "implemented", np.where(rng.random(ne) < 0.5, "approved", "open"))
    if ne > 3:
        st[0] = "cancelled"
    ecn = np.array([f"ECN-{yr}-{k:03d}" for k in range(1, ne + 1)], dtype=object)
    whats = np.array(["connector change 更换接插件", "add screw-lock 增加防松胶", "PCB rev B 改版", "material substitution 替代料",
                      "tolerance relaxed 公差放宽", "packaging change 包装变更"])
    w = rng.integers(0, len(whats), ne)
    c.frames["engineering_changes"] = pd.DataFrame({
        "ecn": ecn, "title": whats[w], "description": _join("Change: ", whats[w]), "reason": "quality / cost 质量与成本",
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
    sd = a - rng.integers(10, 120, ni) * _DAY
    due = sd + rng.integers(20, 90, ni) * _DAY
    done_d = np.minimum(due + rng.integers(-10, 10, ni) * _DAY, a)
    exp = np.round(rng.uniform(5, 60, ni), 0)
    iw = wcs[rng.integers(0, len(wcs), ni)]
    if BOTTLENECK in set(wcs):
        iw[0], ti[0], st[0] = BOTTLENECK, 0, "in_progress"
    c.frames["improvements"] = pd.DataFrame({
        "improvement_id": c.ids["seq_improvement"] + np.arange(ni), "title": _join(titles[ti], " @ ", iw),
        "kind": np.where(ti % 2 == 0, "method", "process"), "work_center": iw, "owner": "engineering", "status": st,
        "start_date": np.where(st == "idea", np.datetime64("NaT"), sd), "due_date": due,
        "done_date": np.where(st == "done", done_d, np.datetime64("NaT")), "expected_hours_saved": exp,
        "actual_hours_saved": np.where(st == "done", np.round(exp * rng.uniform(0.5, 1.2, ni)), np.nan)})


# ---------------------------------------------------------------------------- meetings

_ACTION_TEMPLATES = {
    "pmc": (f"Saturday overtime and overflow to SMT-1 for {BOTTLENECK} 加班与分流", "work_center", BOTTLENECK),
    "purchasing": (f"Expedite late POs from {SLIPPING_SUPPLIER}; find second source 跟催并开发第二供应商", "supplier", SLIPPING_SUPPLIER),
    "quality": (f"8D on '{DEFECT}' at {QUALITY_LINE} line 接插件松动8D", None, None),
    "sales": (f"Agree change freeze window with {CHANGING_CUSTOMER} 与客户约定冻结期", None, None),
    "engineering": ("Release overdue NPI drawings 发布逾期图纸", None, None),
}


def _meetings(c: _Ctx) -> None:
    """Past weekly meetings (closed) with attendance, agenda, decisions and actions in every
    state, the action history, and the next meeting (scheduled)."""
    rng, a, s = c.rng, c.as_of, c.scale
    upcoming = a + (((1 - _weekday(np.array([a]))[0]) % 7) or 7) * _DAY    # next Tuesday
    dates = [upcoming - 7 * k * _DAY for k in range(s.meetings, 0, -1)] + [upcoming]
    mid0 = c.ids["seq_meeting"]
    ids = [mid0 + k for k in range(len(dates))]
    people = [(CHAIR, None)] + [(d, d) for d in DEPARTMENTS]
    minutes = dict(zip(AGENDA, [10, 10, 15, 10, 10, 10, 10, 5]))
    mt, att, ag, de, ac, disc, ev = [], [], [], [], [], [], []
    aid, did = c.ids["seq_action"], c.ids["seq_decision"]
    states = ["verified", "verified", "done", "cancelled", "in_progress", "open", "verified", "done"]
    open_actions: list[dict] = []
    for n, (mid, d) in enumerate(zip(ids, dates)):
        closed = n < s.meetings
        wk = int(pd.Timestamp(d).isocalendar().week)
        start = pd.Timestamp(d) + pd.Timedelta(hours=9, minutes=int(rng.integers(0, 10)))
        end = start + pd.Timedelta(minutes=int(rng.integers(60, 95)))
        mt.append({"meeting_id": mid, "title": f"产销协调会 Production-sales meeting W{wk:02d}", "meeting_date": d,
                   "chair": CHAIR, "note_taker": "pmc", "status": "closed" if closed else "scheduled",
                   "started_at": start if closed else pd.NaT, "ended_at": end if closed else pd.NaT,
                   "notes": "Weekly coordination 周例会" if closed else None})
        t = start
        for q, sec in enumerate(AGENDA, start=1):
            t2 = t + pd.Timedelta(minutes=minutes[sec] * float(rng.uniform(0.7, 1.3)))
            ag.append({"meeting_id": mid, "seq": q, "section": sec, "minutes_planned": float(minutes[sec]),
                       "started_at": t if closed else pd.NaT, "ended_at": min(t2, end) if closed else pd.NaT})
            t = min(t2, end)
        if not closed:
            # the upcoming meeting: everyone invited, expected present until the roll is taken
            att.extend({"meeting_id": mid, "person": p, "department": dep, "status": "present"} for p, dep in people)
            break
        for p, dep in people:
            stt = "present" if rng.random() > 0.12 or p == CHAIR else ("absent" if rng.random() < 0.5 else "excused")
            att.append({"meeting_id": mid, "person": p, "department": dep, "status": stt})
        for x in open_actions:      # carried-over actions are discussed again
            if x["status"] in ("open", "in_progress") or x.get("closed_meeting", n) >= n:
                disc.append({"action_id": x["action_id"], "meeting_id": mid, "note": "progress reviewed 跟进", "new_due": None})
        for j, sec in enumerate(DEPARTMENTS if n % 2 == 0 else DEPARTMENTS[:3]):
            title, link, val = _ACTION_TEMPLATES[sec]
            de.append({"decision_id": did, "meeting_id": mid, "section": sec, "text": f"Decided: {title}",
                       "decided_by": CHAIR, "decided_at": end - pd.Timedelta(minutes=10)})
            due = pd.Timestamp(d) + pd.Timedelta(days=int(rng.integers(5, 22)))
            stt = states[(n * 5 + j) % len(states)]
            if due.to_datetime64() >= a and stt in ("verified", "done"):
                stt = "in_progress"
            x = {"action_id": aid, "meeting_id": mid, "decision_id": did, "section": sec, "title": title,
                 "owner_department": sec, "owner": HEADS[sec], "due_date": due, "status": stt, "result": None,
                 "verifier": None, "verified_at": pd.NaT, "cancel_reason": None, "created_at": end,
                 "created_by": CHAIR, "done_at": pd.NaT, "line_id": None, "work_center": None, "supplier": None, "material": None}
            if link:
                x[link] = val
            if sec == "sales":
                cl = c.lines_df[c.lines_df.customer == CHANGING_CUSTOMER]
                x["line_id"] = int(cl.line_id.iloc[-1]) if len(cl) else None
            ev.append({"action_id": aid, "event_at": end, "username": CHAIR, "from_status": None, "to_status": "open", "note": "created"})
            prog = end + pd.Timedelta(days=int(rng.integers(1, 4)))
            if stt in ("in_progress", "done", "verified") and prog.to_datetime64() <= a:
                ev.append({"action_id": aid, "event_at": prog, "username": x["owner"], "from_status": "open", "to_status": "in_progress", "note": None})
            elif stt in ("in_progress", "done", "verified"):
                stt = x["status"] = "open"
            if stt in ("done", "verified"):
                x["done_at"] = min(due - pd.Timedelta(days=int(rng.integers(0, 3))), pd.Timestamp(a)) + pd.Timedelta(hours=16)
                x["done_at"] = max(x["done_at"], prog + pd.Timedelta(hours=2))
                x["result"] = "done and checked on site 已完成现场确认"
                ev.append({"action_id": aid, "event_at": x["done_at"], "username": x["owner"], "from_status": "in_progress", "to_status": "done", "note": x["result"]})
            if stt == "verified":
                x["verifier"], x["verified_at"] = CHAIR, x["done_at"] + pd.Timedelta(days=1)
                ev.append({"action_id": aid, "event_at": x["verified_at"], "username": CHAIR, "from_status": "done", "to_status": "verified", "note": "verified 已验证"})
            if stt == "cancelled":
                x["cancel_reason"] = "superseded by a later decision 被后续决议取代"
                ev.append({"action_id": aid, "event_at": end + pd.Timedelta(days=2), "username": CHAIR, "from_status": "open", "to_status": "cancelled", "note": x["cancel_reason"]})
            # closed actions stop being discussed at the meeting after they closed
            if stt in ("done", "verified", "cancelled"):
                closed_at = x["done_at"] if stt != "cancelled" else end + pd.Timedelta(days=2)
                x["closed_meeting"] = n + 1 + sum(1 for dd in dates[n + 1:s.meetings] if pd.Timestamp(dd) < closed_at)
            ac.append(x)
            open_actions.append(x)
            aid += 1
            did += 1
    c.frames["meetings"] = pd.DataFrame(mt)
    c.frames["meeting_attendance"] = pd.DataFrame(att)
    c.frames["agenda_items"] = pd.DataFrame(ag)
    c.frames["decisions"] = pd.DataFrame(de)
    c.frames["action_items"] = pd.DataFrame(ac).drop(columns="closed_meeting", errors="ignore")
    c.frames["action_discussions"] = pd.DataFrame(disc, columns=["action_id", "meeting_id", "note", "new_due"])
    evf = pd.DataFrame(ev)
    evf.insert(0, "event_id", c.ids["seq_action_event"] + np.arange(len(evf)))
    c.frames["action_events"] = evf


def _governance(c: _Ctx, seed: int) -> None:
    """Users (one per role, a head per department, system), freshness of each section."""
    t0 = pd.Timestamp(c.as_of) - pd.Timedelta(days=200)
    names = {"admin": "系统管理员 Admin", CHAIR: "王建国 Plant manager", "sales": "李娜 Sales head",
             "pmc": "张伟 PMC head", "purchasing": "刘洋 Purchasing head", "quality": "陈静 Quality head",
             "engineering": "赵磊 Engineering head", "viewer": "会议室投影 Projector", "system": "Tandem"}
    role = {"admin": "admin", CHAIR: "chair", "viewer": "viewer", "system": "system"}
    c.frames["users"] = pd.DataFrame([{
        "username": u, "display_name": n, "role": role.get(u, "head"), "department": u if u in DEPARTMENTS else None,
        "email": f"{u}@tandem.example", "password_hash": None, "active": True, "failed_logins": 0,
        "locked_until": pd.NaT, "created_at": t0} for u, n in names.items()])
    a = pd.Timestamp(c.as_of)
    ago = {"sales": (1, 17.5), "pmc": (0, 8.7), "purchasing": (2, 16.0), "quality": (1, 11.2), "engineering": (10, 15.0)}
    c.frames["section_updates"] = pd.DataFrame([{
        "section": s, "updated_at": a - pd.Timedelta(days=d) + pd.Timedelta(hours=h), "updated_by": s, "source": "demo"}
        for s, (d, h) in ago.items()])


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
    c = _Ctx(as_of, seed, sc)
    with db.transaction(SYSTEM, source="demo") as tx:
        for t in reversed(TABLES):
            tx.cur.execute(f"DELETE FROM {t}")
        # ids: lengths are only known after generation, so reserve lazily via a large-enough guess
        step(0.02, "master data")
        _work_centers(c), _products(c), _routings(c), _suppliers_customers(c), _materials(c), _bom(c), _calendar(c)
        step(0.1, "orders")
        # ids are generated zero-based; _assign_ids shifts them into blocks taken from the sequences
        c.ids["seq_line_id"] = 0
        _orders(c)
        step(0.35, "production")
        for seq in ("seq_downtime", "seq_variance", "seq_receipt", "seq_inspection", "seq_improvement",
                    "seq_meeting", "seq_decision", "seq_action", "seq_action_event"):
            c.ids[seq] = 0
        _production(c)
        step(0.55, "purchasing")
        _purchasing(c)
        step(0.65, "quality")
        _inspections(c)
        step(0.75, "engineering and meetings")
        _engineering(c)
        _meetings(c)
        _governance(c, seed)
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
    return counts


def _assign_ids(c: _Ctx, tx) -> None:
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
            ins.loc[inc, "lot"] = _join("L-", (ins.loc[inc, "lot"].str[2:].astype("int64") + base).to_numpy())
