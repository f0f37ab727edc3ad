"""Quality (品质): incoming first-pass rate, in-process and final first-pass yield, the defect
Pareto, customer complaints seen from quality, the inspection backlog and material on hold.

Conventions:
* Only *first* inspections count in a rate (first_pass = TRUE); a re-inspection after rework
  is not a second chance. A pending inspection has no result yet and is not counted.
* Incoming first-pass rate = lots passed first time / lots inspected first time.
* First-pass yield (in_process, final) = good / inspected, good = qty_inspected - qty_defective.
* Filters: period (inspection date), line (inspections.line), product family (product),
  supplier (incoming).
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.filters import (
    Filters,
    combine,
    customer_clause,
    line_clause,
    product_clause,
    supplier_clause,
)
from lib.sections.kpi import Kpi, period, ratio

STAGES = ("incoming", "in_process", "final")




def _stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"stage is one of {STAGES}, not {stage!r}")
    return stage


def _filters(f: Filters, stage: str) -> tuple[str, list]:
    """Filter clauses that apply to a stage: supplier for incoming, line and family otherwise."""
    if stage == "incoming":
        return supplier_clause(f)
    return combine(line_clause(f, line_col="line"), product_clause(f))


# ---------------------------------------------------------------------------- incoming

def incoming_first_pass(con, f: Filters) -> float | None:
    """Incoming first-pass rate: lots passed first time / lots inspected first time, in the period."""
    where, params = _filters(f, "incoming")
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE result = 'pass'), count(*) FROM inspections
        WHERE stage = 'incoming' AND first_pass AND result <> 'pending' AND date BETWEEN ? AND ? {where}
    """, [f.start, f.end, *params]).fetchone()
    return ratio(row[0], row[1])


def incoming_by(con, f: Filters, by: str = "supplier") -> pd.DataFrame:
    """Incoming first-pass rate per supplier or per material: key, lots, passed, failed, on hold,
    rate, and the key's name (name: the room reads a supplier by its name); worst first (ties:
    more lots first, then key)."""
    if by not in ("supplier", "material"):
        raise ValueError("by is 'supplier' or 'material'")
    where, params = _filters(f, "incoming")
    names = "suppliers" if by == "supplier" else "materials"
    return con.execute(f"""
        SELECT x.*, n.name FROM (
            SELECT coalesce({by}, '') AS {by}, count(*) AS lots,
                   count(*) FILTER (WHERE result = 'pass') AS passed,
                   count(*) FILTER (WHERE result = 'fail') AS failed,
                   count(*) FILTER (WHERE result = 'hold') AS held,
                   count(*) FILTER (WHERE result = 'pass') / count(*) AS first_pass_rate
            FROM inspections
            WHERE stage = 'incoming' AND first_pass AND result <> 'pending' AND date BETWEEN ? AND ? {where}
            GROUP BY 1) x LEFT JOIN {names} n ON n.{by} = x.{by}
        ORDER BY x.first_pass_rate, x.lots DESC, x.{by}
    """, [f.start, f.end, *params]).df()


# ---------------------------------------------------------------------------- yield

def first_pass_yield(con, f: Filters, stage: str | None = None) -> float | None:
    """First-pass yield of a stage (in_process or final; None = both): good / inspected,
    first inspections with a result."""
    stages = [_stage(stage)] if stage else ["in_process", "final"]
    where, params = _filters(f, stages[0])
    row = con.execute(f"""
        SELECT sum(qty_inspected - qty_defective), sum(qty_inspected) FROM inspections
        WHERE stage IN ({', '.join('?' * len(stages))}) AND first_pass AND result <> 'pending'
          AND date BETWEEN ? AND ? {where}
    """, [*stages, f.start, f.end, *params]).fetchone()
    return ratio(row[0], row[1])


def yield_trend(con, f: Filters) -> pd.DataFrame:
    """First-pass yield per ISO week (Monday), stage (in_process, final) and line.

    Columns: week, stage, line, inspected, good, fpy.
    """
    where, params = _filters(f, "final")
    return con.execute(f"""
        SELECT CAST(date_trunc('week', date) AS DATE) AS week, stage, line,
               sum(qty_inspected) AS inspected, sum(qty_inspected - qty_defective) AS good,
               sum(qty_inspected - qty_defective) / sum(qty_inspected) AS fpy
        FROM inspections
        WHERE stage IN ('in_process', 'final') AND first_pass AND result <> 'pending'
          AND date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY stage, line, week
    """, [f.start, f.end, *params]).df()


def yield_by_line(con, f: Filters) -> pd.DataFrame:
    """First-pass yield per line and stage over the whole period: line, stage, inspected, good, fpy."""
    where, params = _filters(f, "final")
    return con.execute(f"""
        SELECT line, stage, sum(qty_inspected) AS inspected,
               sum(qty_inspected - qty_defective) AS good,
               sum(qty_inspected - qty_defective) / sum(qty_inspected) AS fpy
        FROM inspections
        WHERE stage IN ('in_process', 'final') AND first_pass AND result <> 'pending'
          AND date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY line, stage
    """, [f.start, f.end, *params]).df()


# ---------------------------------------------------------------------------- defects

def defect_pareto(con, f: Filters, stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """Defective qty by defect type, largest first (ties by type), with the cumulative share.

    Every inspection counts (first or re-inspection: a defect found is a defect). A defect
    without a recorded type is grouped under '' (the page names it "not recorded").
    Columns: defect_type, qty, share, cumulative_share.
    """
    stages = tuple(_stage(s) for s in stages) or STAGES
    # line/family apply to in-process/final rows, supplier to incoming rows
    lw, lp = combine(line_clause(f, line_col="line"), product_clause(f))
    sw, sp = supplier_clause(f)
    marks = ", ".join("?" * len(stages))
    return con.execute(f"""
        WITH d AS (
            SELECT coalesce(defect_type, '') AS defect_type, sum(qty_defective) AS qty
            FROM inspections
            WHERE qty_defective > 0 AND stage IN ({marks}) AND date BETWEEN ? AND ?
              AND ((stage = 'incoming' {sw}) OR (stage <> 'incoming' {lw}))
            GROUP BY 1)
        SELECT defect_type, qty, qty / sum(qty) OVER () AS share,
               sum(qty) OVER (ORDER BY qty DESC, defect_type ROWS UNBOUNDED PRECEDING)
                   / sum(qty) OVER () AS cumulative_share
        FROM d ORDER BY qty DESC, defect_type
    """, [*stages, f.start, f.end, *sp, *lp]).df()


# ---------------------------------------------------------------------------- complaints

def quality_complaints(con, f: Filters, as_of: date) -> pd.DataFrame:
    """Quality complaints that are open, or were received or closed in the period.

    Columns: complaint, customer, product, received_date, severity, cause_category, d8_step,
    status, owner, closed_date, days_open (to closing, or to as_of while open).
    Open first, oldest first.
    """
    where, params = combine(customer_clause(f), product_clause(f))
    return con.execute(f"""
        SELECT complaint, customer, coalesce((SELECT name FROM customers cu WHERE cu.customer = complaints.customer),
                                             customer) AS customer_name,
               product, received_date, severity, cause_category, d8_step,
               status, owner, closed_date, description,
               date_diff('day', received_date, coalesce(closed_date, CAST(? AS DATE))) AS days_open
        FROM complaints
        WHERE category = 'quality' {where}
          AND (status <> 'closed' OR received_date BETWEEN ? AND ? OR closed_date BETWEEN ? AND ?)
        ORDER BY status = 'closed', received_date, complaint
    """, [as_of, *params, f.start, f.end, f.start, f.end]).df()


def complaint_causes(con, f: Filters) -> pd.DataFrame:
    """Quality complaints received in the period per cause category ('' = not yet known), most first."""
    where, params = combine(customer_clause(f), product_clause(f))
    return con.execute(f"""
        SELECT coalesce(cause_category, '') AS cause_category, count(*) AS complaints
        FROM complaints WHERE category = 'quality' AND received_date BETWEEN ? AND ? {where}
        GROUP BY 1 ORDER BY complaints DESC, 1
    """, [f.start, f.end, *params]).df()


def complaint_counts(con, f: Filters) -> tuple[int, int]:
    """(open quality complaints, of which the 8D is not yet at step 8). Filters: customer, family."""
    where, params = combine(customer_clause(f), product_clause(f))
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE d8_step < 8) FROM complaints
        WHERE category = 'quality' AND status <> 'closed' {where}
    """, params).fetchone()
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------------------- backlog and hold

def inspection_backlog(con, as_of: date, f: Filters | None = None) -> pd.DataFrame:
    """Inspections waiting for a result (result pending) up to as_of, oldest first, with days waiting.

    Columns: inspection_id, date, stage, supplier, material, po, line, product, lot,
    qty_inspected, days_waiting.
    """
    where, params = ("", [])
    if f is not None:
        sw, sp = supplier_clause(f)
        lw, lp = combine(line_clause(f, line_col="line"), product_clause(f))
        where, params = f" AND ((stage = 'incoming' {sw}) OR (stage <> 'incoming' {lw}))", [*sp, *lp]
    return con.execute(f"""
        SELECT inspection_id, date, stage, supplier, material, po, line, product, lot, qty_inspected,
               date_diff('day', date, CAST(? AS DATE)) AS days_waiting
        FROM inspections WHERE result = 'pending' AND date <= ? {where}
        ORDER BY date, inspection_id
    """, [as_of, as_of, *params]).df()


def material_on_hold(con, f: Filters | None = None) -> pd.DataFrame:
    """Material quarantined by quality (inventory.on_hold > 0) with its value at standard price,
    and the lots on hold that explain it. Largest value first (ties by material).

    Columns: material, material_name, supplier, on_hand, on_hold, hold_value, held_lots.
    """
    where, params = supplier_clause(f, "m.supplier") if f is not None else ("", [])
    return con.execute(f"""
        SELECT i.material, m.name AS material_name, m.supplier, i.on_hand, i.on_hold,
               i.on_hold * coalesce(m.std_price, 0) AS hold_value,
               (SELECT string_agg(coalesce(x.lot, x.po, '#' || x.inspection_id), ', ' ORDER BY x.date)
                FROM inspections x
                WHERE x.stage = 'incoming' AND x.result = 'hold' AND x.material = i.material) AS held_lots
        FROM inventory i LEFT JOIN materials m USING (material)
        WHERE i.on_hold > 0 {where}
        ORDER BY hold_value DESC, i.material
    """, params).df()


def hold_value(con, f: Filters | None = None) -> float:
    """Value of the material on hold at standard price (0 when none)."""
    df = material_on_hold(con, f)
    return float(df["hold_value"].sum()) if not df.empty else 0.0


def fpy_kpi(con, f: Filters, as_of: date, stage: str = "final") -> Kpi:
    """The first-pass-yield tile of a stage (in process or final; the Overview shows final)."""
    from lib import settings
    return Kpi(f"quality.kpi.fpy_{stage}", first_pass_yield(con, f, stage), settings.get("target_fpy", con),
               first_pass_yield(con, f.previous(), stage), **period(f, as_of))


def section_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list:
    """The Quality section's KPI tiles (page, presenter and the meeting snapshot): incoming first
    pass, first-pass yield in process and at final (each with target and previous period), open
    quality complaints (note: 8D not finished), the inspection backlog (note: the oldest wait) and
    materials on hold (note: their value at standard price).
    Notes are text in `lang` (default: the current language).
    """
    from lib import settings
    from lib.i18n import t
    g = lambda key: settings.get(key, con)  # noqa: E731
    n_open, n_8d = complaint_counts(con, f)
    backlog = inspection_backlog(con, as_of, f)
    hold = material_on_hold(con, f)
    value = float(hold["hold_value"].sum()) if not hold.empty else 0.0
    return [
        Kpi("quality.kpi.incoming_fp", incoming_first_pass(con, f), g("target_incoming_fp"),
            incoming_first_pass(con, f.previous()), **period(f, as_of)),
        fpy_kpi(con, f, as_of, "in_process"),
        fpy_kpi(con, f, as_of, "final"),
        Kpi("quality.kpi.open_complaints", n_open, None, None, unit="count", higher_is_better=False,
            note=t("quality.kpi.open_complaints.note", lang, n=n_8d)),
        Kpi("quality.kpi.backlog", len(backlog), 0, None, unit="count", higher_is_better=False,
            note=(t("quality.kpi.backlog.note", lang, days=int(backlog["days_waiting"].max()))
                  if not backlog.empty else None)),
        Kpi("quality.kpi.on_hold", len(hold), 0, None, unit="count", higher_is_better=False,
            note=t("quality.kpi.on_hold.note", lang, value=f"¥{value:,.0f}")),
    ]


def incoming_lots(con, f: Filters) -> pd.DataFrame:
    """The lots behind the incoming first-pass rate: first incoming inspections with a result in
    the period, failed and held first. Passed / lots = incoming_first_pass."""
    where, params = _filters(f, "incoming")
    return con.execute(f"""
        SELECT i.date, i.supplier, s.name AS supplier_name, i.material, i.po, i.lot, i.qty_inspected,
               i.qty_defective, i.defect_type, i.result
        FROM inspections i LEFT JOIN suppliers s USING (supplier)
        WHERE i.stage = 'incoming' AND i.first_pass AND i.result <> 'pending' AND i.date BETWEEN ? AND ? {where}
        ORDER BY i.result = 'pass', i.date DESC, i.inspection_id""", [f.start, f.end, *params]).df()


def stage_inspections(con, f: Filters, stage: str) -> pd.DataFrame:
    """The inspections behind a stage's first-pass yield: first inspections with a result in the
    period, most defective first. (Inspected - defective) / inspected = first_pass_yield."""
    where, params = _filters(f, _stage(stage))
    return con.execute(f"""
        SELECT date, line, work_center, product, lot, qty_inspected, qty_defective, defect_type, result
        FROM inspections
        WHERE stage = ? AND first_pass AND result <> 'pending' AND date BETWEEN ? AND ? {where}
        ORDER BY qty_defective DESC, date DESC, inspection_id""", [stage, f.start, f.end, *params]).df()


def open_quality_complaints(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The complaints behind the open quality complaints tile (quality_complaints still open)."""
    df = quality_complaints(con, f, as_of)
    return df[df["status"] != "closed"].reset_index(drop=True)


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "quality.kpi.incoming_fp": lambda con, f, as_of: incoming_lots(con, f),
    "quality.kpi.fpy_in_process": lambda con, f, as_of: stage_inspections(con, f, "in_process"),
    "quality.kpi.fpy_final": lambda con, f, as_of: stage_inspections(con, f, "final"),
    "quality.kpi.open_complaints": open_quality_complaints,
    "quality.kpi.backlog": lambda con, f, as_of: inspection_backlog(con, as_of, f),
    "quality.kpi.on_hold": lambda con, f, as_of: material_on_hold(con, f),
}
