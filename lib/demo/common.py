"""What every part of the demo shares: its size (Scale), the planted stories' names, the
generation context (dates, random generator, frames so far) and small vectorised helpers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lib.departments import DEPARTMENTS


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
    orders_per_week: int = 20
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


CAUSES = np.array(["man", "machine", "material", "method", "environment"])


DAY = np.timedelta64(1, "D")


def weekday(d: np.ndarray) -> np.ndarray:
    """ISO weekday minus one (Monday = 0) of datetime64[D] values."""
    return (d.astype("datetime64[D]").astype("int64") + 3) % 7


def monday(d: np.datetime64) -> np.datetime64:
    return d - weekday(np.array([d]))[0] * DAY


def ts(d, hours) -> np.ndarray:
    """Timestamps (minute precision) at `hours` (float, may be an array) after the dates `d`."""
    return (np.asarray(d).astype("datetime64[D]").astype("datetime64[m]")
            + np.round(np.asarray(hours) * 60).astype("int64") * np.timedelta64(1, "m"))


def numbered_codes(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def join(*parts) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars (vectorised)."""
    out = pd.Series([""] * max(len(p) for p in parts if not isinstance(p, str)), dtype=object)
    for p in parts:
        out = out + (p if isinstance(p, str) else pd.Series(p).astype(str).to_numpy(dtype=object))
    return out.to_numpy(dtype=object)


class Ctx:
    """Everything generated so far, plus the dates and the random generator."""

    def __init__(self, as_of: date, seed: int, scale: Scale):
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.as_of = np.datetime64(as_of, "D")
        self.start = monday(self.as_of) - 7 * scale.history_weeks * DAY
        self.end = monday(self.as_of) + (7 * (scale.future_weeks + 1) - 1) * DAY
        self.days = np.arange(self.start, self.end + DAY, dtype="datetime64[D]")
        self.frames: dict[str, pd.DataFrame] = {}
        self.ids: dict[str, int] = {}

    def day_index(self, d) -> np.ndarray:
        return (np.asarray(d).astype("datetime64[D]") - self.start).astype("int64")

    def week_ahead(self, d) -> np.ndarray:
        """Weeks after the as-of week (0 = this week, negative = past)."""
        return (np.asarray(d).astype("datetime64[D]") - monday(self.as_of)).astype("int64") // 7
