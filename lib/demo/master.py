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


# family: name, route (line type, work-center kind) in order, base unit price, material categories,
# batch size of an order line (median, spread of the lognormal, smallest, largest, rounded to)
_FAMILIES = [
    ("Controller board 控制板", [(0, "SMT"), (0, "AOI"), (2, "TEST"), (3, "PCK")], 180.0,
     ["PCB", "IC", "Resistor", "Capacitor", "Connector", "Carton", "Label"], (300, 0.6, 50, 1500, 10)),
    ("Power supply 电源", [(0, "SMT"), (0, "AOI"), (2, "ASM"), (2, "TEST"), (3, "PCK")], 260.0,
     ["PCB", "IC", "Capacitor", "Transformer", "Connector", "Steel sheet", "Screw", "Carton"], (120, 0.6, 20, 600, 10)),
    ("Motor housing 电机壳体", [(1, "LATHE"), (1, "CNC"), (3, "PNT"), (3, "PCK")], 95.0,
     ["Aluminium bar", "Screw", "Paint", "Carton", "Label"], (100, 0.6, 20, 500, 10)),
    ("Pump assembly 泵组件", [(1, "CNC"), (2, "ASM"), (2, "TEST"), (3, "PNT"), (3, "PCK")], 420.0,
     ["Aluminium bar", "Seal", "Bearing", "Screw", "Connector", "Paint", "Carton"], (25, 0.5, 5, 120, 5)),
    ("Sensor module 传感器模块", [(0, "SMT"), (2, "ASM"), (2, "TEST"), (3, "PCK")], 150.0,
     ["PCB", "IC", "Connector", "Cable", "Aluminium bar", "Label", "Carton"], (200, 0.6, 50, 1000, 10)),
    ("Valve body 阀体", [(1, "LATHE"), (1, "CNC"), (3, "PNT"), (3, "PCK")], 120.0,
     ["Steel bar", "Seal", "Screw", "Paint", "Carton"], (60, 0.6, 10, 300, 10)),
]


# Cycle times a production engineer would recognise (hours per unit, by work-center kind and
# family index; each product varies ±20 % around them, each machine's speed ±30 %, lib.demo.sales
# calibrates): a controller board of ~400 placements runs 43 s on an SMT line, an AOI looks at it
# for 14 s, in-circuit test 15 s, packing 15 s; a motor housing is 2.7 min on a CNC and 2 min on a
# lathe, a pump body 6 min; an assembly line's time per unit is its takt (a pump leaves the line
# every 7 min, a power supply every 2), a pump is tested in 5 min; painting is a conveyor line
# (1-2 min a part). Setups (hours per order line and step): a CNC fixture and program change
# 1.5 h, an SMT feeder change 1 h, a lathe 45 min, a paint colour change 45 min, assembly and test
# 20-30 min, packing 12 min.
_CYCLE = {
    "SMT": {0: 0.012, 1: 0.018, 4: 0.008}, "AOI": {0: 0.004, 1: 0.005},
    "CNC": {2: 0.045, 3: 0.10, 5: 0.07}, "LATHE": {2: 0.03, 5: 0.05},
    "ASM": {1: 0.03, 3: 0.12, 4: 0.015}, "TEST": {0: 0.004, 1: 0.015, 3: 0.08, 4: 0.004},
    "PNT": {2: 0.02, 3: 0.04, 5: 0.02}, "PCK": {0: 0.004, 1: 0.01, 2: 0.008, 3: 0.03, 4: 0.005, 5: 0.008},
}
_SETUP = {"SMT": 1.0, "AOI": 0.3, "CNC": 1.5, "LATHE": 0.75, "ASM": 0.5, "TEST": 0.3, "PNT": 0.75, "PCK": 0.2}


# material category: lead days range, price range
_CATEGORIES = {
    "PCB": (10, 25, 8, 40), "IC": (20, 45, 5, 60), "Resistor": (5, 15, 0.01, 0.05),
    "Capacitor": (5, 20, 0.02, 0.5), "Connector": (10, 30, 0.3, 4), "Transformer": (15, 35, 6, 25),
    "Cable": (7, 20, 1, 6), "Aluminium bar": (7, 21, 12, 40), "Steel bar": (7, 21, 8, 30),
    "Steel sheet": (7, 21, 10, 35), "Seal": (5, 20, 0.2, 3), "Bearing": (10, 30, 2, 15),
    "Screw": (5, 10, 0.02, 0.2), "Paint": (5, 15, 20, 60), "Carton": (5, 10, 1, 4), "Label": (5, 10, 0.05, 0.3),
}


# Suppliers by trade: supplier k's trade is _TRADES[k % 17] (so S-003 sells connectors, the planted
# late supplier); a category without a supplier of its own trade buys from its neighbour's.
_TRADES = ["IC", "PCB", "Connector", "Aluminium bar", "IC", "Bearing", "Carton", "Seal", "Cable", "Screw",
           "Capacitor", "Resistor", "Transformer", "Steel bar", "Paint", "Steel sheet", "Label"]
_NEIGHBOUR = {"Steel sheet": "Steel bar", "Label": "Carton", "Resistor": "Capacitor", "Capacitor": "Resistor",
              "Transformer": "IC", "Paint": "Seal", "Steel bar": "Aluminium bar"}
# trade -> (Chinese trade word, English trade word) for generated names
_TRADE_WORDS = {
    "PCB": ("电路板", "PCB"), "IC": ("电子", "Semiconductor"), "Resistor": ("电子元件", "Components"),
    "Capacitor": ("电容器", "Capacitors"), "Connector": ("连接器", "Connectors"), "Transformer": ("磁电", "Magnetics"),
    "Cable": ("线缆", "Cable"), "Aluminium bar": ("铝业", "Aluminium"), "Steel bar": ("特钢", "Steel"),
    "Steel sheet": ("钣金材料", "Sheet Metal"), "Seal": ("密封件", "Seals"), "Bearing": ("轴承", "Bearings"),
    "Screw": ("紧固件", "Fasteners"), "Paint": ("涂料", "Coatings"), "Carton": ("包装材料", "Packaging"),
    "Label": ("印务", "Labels"),
}
# the first suppliers' names (in _TRADES order), then generated ones: never the same name twice
_SUPPLIER_NAMES = ["东莞宏达电子", "Shenzhen Kinglink PCB", "昆山立信连接器", "宁波铝业", "TI Distribution Asia",
                   "常州轴承厂", "佛山包装材料", "上海密封件", "无锡线缆", "Würth Fasteners CN", "南通江海电容器",
                   "风华高科电子元件", "Eaglerise Magnetics", "江阴兴澄特钢", "立邦工业涂料"]
_CUSTOMER_NAMES = ["华东电气有限公司", "Nordic Pumps AB", "深圳锐达科技", "Atlas Controls GmbH", "宏远机电",
                   "Pacific Motion Inc.", "苏州精工", "Keystone Valves Ltd", "广州恒通自动化", "Orion Sensors",
                   "杭州智联", "Meridian Fluid Systems", "青岛海川", "Apex Robotics", "成都天府仪表"]
_CITIES = ["苏州", "无锡", "常州", "宁波", "杭州", "嘉兴", "绍兴", "温州", "台州", "南京", "南通", "扬州", "合肥",
           "芜湖", "青岛", "烟台", "潍坊", "济南", "天津", "廊坊", "郑州", "武汉", "长沙", "株洲", "成都", "重庆",
           "西安", "厦门", "泉州", "福州", "东莞", "佛山", "中山", "珠海", "惠州", "深圳", "广州", "昆山", "江门", "沈阳"]
_BRANDS = ["宏达", "立信", "恒通", "华信", "金源", "永盛", "鑫达", "博远", "瑞丰", "精诚", "联发", "东升", "天成",
           "汇通", "长盛", "富华", "明辉", "新亚", "佳利", "顺昌", "嘉禾", "凯达", "中捷", "润泽", "众诚"]
_INDUSTRIES = ["电气", "机电", "自动化", "仪表", "泵业", "阀门", "智能装备", "动力", "流体设备", "机械", "控制技术",
               "环保设备"]
_EN_BRANDS = ["Nordic", "Atlas", "Pacific", "Keystone", "Orion", "Meridian", "Apex", "Summit", "Vector", "Harbor",
              "Crown", "Delta", "Nova", "Titan", "Zenith", "Polar", "Granite", "Beacon", "Falcon", "Cobalt"]
_EN_INDUSTRIES = ["Pumps", "Controls", "Motion", "Valves", "Sensors", "Fluid Systems", "Robotics", "Drives",
                  "Automation", "Instruments"]
_EN_SUFFIXES = ["AB", "GmbH", "Inc.", "Ltd", "S.p.A.", "B.V.", "Oy", "S.A."]


def _unique_names(curated: list[str], generated, n: int, rng) -> list[str]:
    """`n` different names: the curated ones first, then generated ones in a seeded order."""
    out, seen = [], set()
    for name in curated[:n]:
        out.append(name)
        seen.add(name)
    pool = [x for x in generated if x not in seen]
    order = rng.permutation(len(pool))
    for i in order[:n - len(out)]:
        out.append(pool[i])
    if len(out) < n:
        raise ValueError(f"only {len(out)} distinct names for {n}")
    return out


_SPRING_FESTIVAL = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17",
                    2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
                    2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31", 2034: "2034-02-19"}


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
    # how often each product is ordered (a few products make most of the volume); the newest
    # products are still in NPI and rarely ordered
    pw = 1 / np.arange(1, s.products + 1) ** 0.7
    pw = pw[rng.permutation(s.products)]
    pw[-max(1, s.npi_projects):] *= 0.05
    c.popularity = pw / pw.sum()


def routings(c: Ctx) -> None:
    """Each family's route (e.g. a controller board: SMT -> AOI -> test -> packing) on one line of
    each line type, one work center of each kind there, with the kind's cycle time and setup
    (_CYCLE, _SETUP) varied per product; lib.demo.sales calibrates machine speed, shifts and lead
    days. The first three controller boards run on the bottleneck: the surge products."""
    rng, wc = c.rng, c.frames["work_centers"]
    kind_of = wc.work_center.str.split("-").str[0]
    by_line_kind = {k: g["work_center"].tolist() for k, g in wc.assign(kind=kind_of).groupby(["line", "kind"], sort=False)}
    by_type = {t: [ln for ln, tt in c.lines if tt == t] for t in range(4)}
    b_line = wc.loc[wc.work_center == BOTTLENECK, "line"]
    b_line = b_line.iloc[0] if len(b_line) else None
    products = c.frames["products"]["product"].to_numpy()
    rows, surge = [], []
    fam0 = set(np.flatnonzero(c.product_base == 0)[:3].tolist())
    # a planner spreads the products over the lines and machines that can make them: each product
    # (the most ordered first) goes to the least loaded line of each type and machine of each kind
    load: dict[str, float] = {w: 0.0 for w in wc.work_center}
    line_load: dict[str, float] = {ln: 0.0 for ln, _ in c.lines}
    for i in np.argsort(-c.popularity, kind="stable"):
        p, b = products[i], c.product_base[i]
        med = _FAMILIES[b][4][0]
        is_surge = i in fam0 and b_line is not None
        line_of: dict[int, str | None] = {}
        steps = []
        for t, kind in _FAMILIES[b][1]:
            if t not in line_of:
                line_of[t] = (b_line if is_surge and t == 0 else
                              min(by_type[t], key=lambda ln: (line_load[ln], ln)) if by_type[t] else None)
            ws = by_line_kind.get((line_of[t], kind), [])
            if not ws:
                continue
            w = BOTTLENECK if is_surge and kind == "SMT" else min(ws, key=lambda x: (load[x], x))
            run, setup = _CYCLE[kind][b] * rng.lognormal(0, 0.18), _SETUP[kind] * rng.uniform(0.75, 1.25)
            hours = c.popularity[i] * (setup + med * run)
            load[w] += hours
            line_load[line_of[t]] += hours
            steps.append((w, run, setup))
        if is_surge:
            surge.append(p)
        for k, (w, run, setup) in enumerate(steps, start=1):
            rows.append((p, k, w, run, setup))
    r = pd.DataFrame(rows, columns=["product", "step", "work_center", "run_raw", "setup_raw"]) \
        .sort_values(["product", "step"], kind="stable").reset_index(drop=True)
    r["lead_days"] = 1          # set from the calibrated hours (lib.demo.sales._calibrate)
    c.frames["routings"] = r
    c.surge_products = surge


def suppliers_customers(c: Ctx) -> None:
    """Suppliers (each with a trade, _TRADES) and customers, every one with its own name."""
    s, rng = c.scale, c.rng
    sup = numbered_codes("S-", s.suppliers, 3)
    cus = numbered_codes("C-", s.customers, 3)
    trades = [_TRADES[k % len(_TRADES)] for k in range(s.suppliers)]
    names, seen = [], set()
    for k, trade in enumerate(trades):
        if k < len(_SUPPLIER_NAMES):
            name = _SUPPLIER_NAMES[k]
        else:
            cn, en = _TRADE_WORDS[trade]
            while True:
                if rng.random() < 0.8:
                    name = f"{_CITIES[rng.integers(len(_CITIES))]}{_BRANDS[rng.integers(len(_BRANDS))]}{cn}"
                else:
                    name = f"{_EN_BRANDS[rng.integers(len(_EN_BRANDS))]} {en} {_EN_SUFFIXES[rng.integers(len(_EN_SUFFIXES))]}"
                if name not in seen:
                    break
        seen.add(name)
        names.append(name)
    generated = ([f"{ci}{br}{ind}" for ci in _CITIES for br in _BRANDS for ind in _INDUSTRIES]
                 + [f"{br} {ind} {sf}" for br in _EN_BRANDS for ind in _EN_INDUSTRIES for sf in _EN_SUFFIXES])
    c.frames["suppliers"] = pd.DataFrame({"supplier": sup, "name": names})
    c.frames["customers"] = pd.DataFrame({"customer": cus, "name": _unique_names(_CUSTOMER_NAMES, generated,
                                                                                 s.customers, rng)})
    c.supplier_trades = dict(zip(sup, trades))


def materials(c: Ctx) -> None:
    """Materials by category, each bought from a supplier of its trade (or the neighbouring
    trade's); connectors mostly from the planted late supplier (SLIPPING_SUPPLIER)."""
    s, rng = c.scale, c.rng
    cats = np.array(list(_CATEGORIES))
    cat = cats[np.arange(s.materials) % len(cats)]
    spec = np.array([_CATEGORIES[k] for k in cat])
    lead = rng.integers(spec[:, 0], spec[:, 1] + 1)
    price = np.round(rng.uniform(spec[:, 2], spec[:, 3]), 3)
    by_trade: dict[str, list[str]] = {}
    for code, trade in c.supplier_trades.items():
        by_trade.setdefault(trade, []).append(code)
    every = list(c.supplier_trades)

    def sellers(category: str) -> list[str]:
        trade = category
        for _ in range(4):
            if trade in by_trade:
                return by_trade[trade]
            trade = _NEIGHBOUR.get(trade, trade)
        return every

    supplier = np.array([sellers(k)[rng.integers(len(sellers(k)))] for k in cat], dtype=object)
    if SLIPPING_SUPPLIER in c.supplier_trades:
        supplier = np.where((cat == "Connector") & (rng.random(s.materials) < 0.7), SLIPPING_SUPPLIER, supplier)
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
