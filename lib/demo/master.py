"""Master data: lines and work centers, products and families, routings, suppliers and customers,
materials, the BOM and the factory calendar (holidays, overtime)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.demo.common import (
    BOTTLENECK,
    DAY,
    SLIPPING_SUPPLIER,
    Ctx,
    join,
    monday,
    numbered_codes,
    weekday,
)

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


def _holidays(first: date, last: date) -> list[tuple[np.datetime64, str]]:
    """Chinese public holidays between `first` and `last` (whole-factory closures)."""
    out = []
    for y in range(first.year, last.year + 1):
        days = [(f"{y}-01-01", 1, "New Year 元旦"), (f"{y}-05-01", 3, "Labour Day 劳动节"),
                (f"{y}-10-01", 7, "National Day 国庆节")]
        sf = _SPRING_FESTIVAL.get(y, f"{y}-02-01")
        days.append((str(np.datetime64(sf) - DAY), 7, "Spring Festival 春节"))
        for d0, n, why in days:
            for k in range(n):
                d = np.datetime64(d0) + k * DAY
                if np.datetime64(first) <= d <= np.datetime64(last):
                    out.append((d, why))
    return sorted(out)


def work_centers(c: Ctx) -> None:
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


def products(c: Ctx) -> None:
    s, rng = c.scale, c.rng
    fam = np.arange(s.products) % s.families
    base = fam % len(_FAMILIES)
    fam_name = np.array([_FAMILIES[b][0] + ("" if f < len(_FAMILIES) else f" {chr(65 + f // len(_FAMILIES))}")
                         for f, b in zip(range(s.families), np.arange(s.families) % len(_FAMILIES))], dtype=object)
    codes = np.array([f"P-{1000 + i}" for i in range(1, s.products + 1)], dtype=object)
    price = np.array([_FAMILIES[b][2] for b in base]) * rng.lognormal(0, 0.3, s.products)
    c.frames["products"] = pd.DataFrame({
        "product": codes, "name": join(pd.Series(fam_name[fam]).str.split(" ").str[0].to_numpy() + " ", codes),
        "family": fam_name[fam], "unit": "pcs", "unit_price": np.round(price, 2)})
    c.product_base = base


def routings(c: Ctx) -> None:
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


def suppliers_customers(c: Ctx) -> None:
    s = c.scale
    sup = numbered_codes("S-", s.suppliers, 3)
    cus = numbered_codes("C-", s.customers, 3)
    sn = [(_SUPPLIER_NAMES[i % len(_SUPPLIER_NAMES)] + ("" if i < len(_SUPPLIER_NAMES) else f" #{i // len(_SUPPLIER_NAMES) + 1}"))
          for i in range(s.suppliers)]
    cn = [(_CUSTOMER_NAMES[i % len(_CUSTOMER_NAMES)] + ("" if i < len(_CUSTOMER_NAMES) else f" #{i // len(_CUSTOMER_NAMES) + 1}"))
          for i in range(s.customers)]
    c.frames["suppliers"] = pd.DataFrame({"supplier": sup, "name": sn})
    c.frames["customers"] = pd.DataFrame({"customer": cus, "name": cn})


def materials(c: Ctx) -> None:
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
    codes = numbered_codes("M-", s.materials, 5)
    unit = np.where(np.isin(cat, ["Paint"]), "kg", np.where(np.isin(cat, ["Cable"]), "m", "pcs"))
    c.frames["materials"] = pd.DataFrame({
        "material": codes, "name": join(cat, " ", codes), "unit": unit, "lead_days": lead,
        "std_price": price, "supplier": supplier, "category": cat})


def bom(c: Ctx) -> None:
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


def calendar(c: Ctx) -> None:
    """Public holidays for everyone, overtime Saturdays for the bottleneck, one maintenance day."""
    rows = [(d, "", 0.0, why) for d, why in _holidays(c.start.item(), c.end.item())]
    hol = {d for d, *_ in rows}
    wcs = set(c.frames["work_centers"].work_center)
    if BOTTLENECK in wcs:
        sat = monday(c.as_of) + 5 * DAY
        for k in list(range(-4, 0)) + list(range(1, 6)):
            d = sat + 7 * k * DAY
            if d not in hol and c.start <= d <= c.end:
                rows.append((d, BOTTLENECK, 8.0, "overtime 加班"))
    mach = c.frames["work_centers"].query("line_type == 1").work_center
    if len(mach):
        d = monday(c.as_of) + 16 * DAY
        rows.append((d, mach.iloc[0], 0.0, "planned maintenance 计划保养"))
    c.frames["calendar"] = pd.DataFrame(rows, columns=["date", "work_center", "hours", "reason"])


def working_days(c: Ctx) -> np.ndarray:
    """Factory-wide working-day mask over c.days (Mon-Fri minus holidays)."""
    hol = c.frames["calendar"].query("work_center == ''").date.to_numpy().astype("datetime64[D]")
    return (weekday(c.days) < 5) & ~np.isin(c.days, hol)


def capacity_matrix(c: Ctx) -> np.ndarray:
    """Capacity hours per work center (rows, in frame order) and day (columns)."""
    wc = c.frames["work_centers"]
    cap = np.outer(wc.hours_per_day * wc.efficiency, working_days(c).astype(float))
    pos = {w: i for i, w in enumerate(wc.work_center)}
    for r in c.frames["calendar"].query("work_center != ''").itertuples():
        i, j = pos[r.work_center], int(c.day_index(np.array([r.date]))[0])
        cap[i, j] = r.hours * wc.efficiency.iloc[i]
    return cap
