"""PMC figures: plan vs actual output, plan achievement, ahead/behind causes, shortage idle
hours and the items that need other departments.

Filters: the period, lines (through the work center's line) and product families.
Plan achievement = actual good output / planned output; a bucket with no plan has an
undefined achievement (NULL), never a division error.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from lib import settings
from lib.filters import Filters, combine, line_clause, product_clause
from lib.periods import bucket_sql, label_sql
from lib.plan import capacity, late
from lib.sections.kpi import Kpi, period, ratio

DIMENSIONS = {"line": "wc.line", "work_center": "x.work_center", "product": "x.product"}


def _where(f: Filters, alias: str = "x") -> tuple[str, list]:
    return combine(line_clause(f, f"{alias}.work_center"), product_clause(f, f"{alias}.product"))


def plan_vs_actual(con, f: Filters, grain: str = "day", by: str | None = None) -> pd.DataFrame:
    """Planned and actual good qty per bucket (and per line / work center / product with `by`),
    with the gap (actual - plan), achievement, and the running totals within each group."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"by is one of {tuple(DIMENSIONS)} or None")
    where, params = _where(f)
    b = bucket_sql(grain, "x.date")
    dim = f"{DIMENSIONS[by]} AS {by}," if by else ""
    part = f"PARTITION BY {by}" if by else ""
    return con.execute(f"""
        WITH x AS (
            SELECT date, work_center, product, sum(plan) AS plan, sum(actual) AS actual FROM (
                -- the period is cut before the union is grouped: 5M rows on a large factory
                SELECT date, work_center, product, qty AS plan, 0 AS actual FROM production_plan
                WHERE date BETWEEN ? AND ?
                UNION ALL
                SELECT date, work_center, product, 0, qty_good FROM production_actual
                WHERE date BETWEEN ? AND ?)
            GROUP BY ALL),
        g AS (
            SELECT {b} AS bucket, {dim} sum(x.plan) AS plan, sum(x.actual) AS actual
            FROM x LEFT JOIN work_centers wc USING (work_center)
            WHERE x.date BETWEEN ? AND ? {where}
            GROUP BY ALL)
        SELECT bucket, {label_sql(grain, 'bucket')} AS label, {by + ',' if by else ''} plan, actual,
               actual - plan AS gap, actual / nullif(plan, 0) AS achievement,
               sum(plan) OVER ({part} ORDER BY bucket) AS cum_plan,
               sum(actual) OVER ({part} ORDER BY bucket) AS cum_actual
        FROM g ORDER BY {by + ',' if by else ''} bucket""", [f.start, f.end, f.start, f.end, f.start, f.end, *params]).df()


def gap_ranking(con, f: Filters, by: str = "line") -> pd.DataFrame:
    """Plan, actual, gap and achievement over the whole period per line / work center /
    product, most behind first (ties by name)."""
    if by not in DIMENSIONS:
        raise ValueError(f"by is one of {tuple(DIMENSIONS)}")
    where, params = _where(f)
    return con.execute(f"""
        WITH x AS (
            SELECT date, work_center, product, qty AS plan, 0 AS actual FROM production_plan
            UNION ALL SELECT date, work_center, product, 0, qty_good FROM production_actual)
        SELECT {DIMENSIONS[by]} AS name, sum(plan) AS plan, sum(actual) AS actual,
               sum(actual) - sum(plan) AS gap, sum(actual) / nullif(sum(plan), 0) AS achievement
        FROM x LEFT JOIN work_centers wc USING (work_center)
        WHERE x.date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY gap, name""", [f.start, f.end, *params]).df()


def _notes_where(f: Filters) -> tuple[str, list]:
    lines = (f" AND (n.line IN ({', '.join('?' * len(f.lines))}) OR n.work_center IN "
             f"(SELECT work_center FROM work_centers WHERE line IN ({', '.join('?' * len(f.lines))})))",
             list(f.lines) * 2) if f.lines else ("", [])
    fam = (f" AND (n.product IS NULL OR n.product IN (SELECT product FROM products WHERE family IN "
           f"({', '.join('?' * len(f.families))})))", list(f.families)) if f.families else ("", [])
    return combine(lines, fam)


def cause_pareto(con, f: Filters, direction: str | None = "behind") -> pd.DataFrame:
    """Ahead/behind notes whose period overlaps the filter period, per cause (人机料法环测):
    notes, qty impact, open countermeasures; largest impact first, with its cumulative share.
    Notes without a qty impact count with 0."""
    where, params = _notes_where(f)
    dir_sql, dir_p = ("AND n.direction = ?", [direction]) if direction else ("", [])
    return con.execute(f"""
        SELECT cause_category, notes, qty_impact, open_notes,
               sum(qty_impact) OVER (ORDER BY qty_impact DESC, notes DESC, cause_category)
                   / nullif(sum(qty_impact) OVER (), 0) AS cum_share
        FROM (SELECT n.cause_category, count(*) AS notes, coalesce(sum(n.qty_impact), 0) AS qty_impact,
                     count(*) FILTER (WHERE n.status = 'open') AS open_notes
              FROM variance_notes n
              WHERE n.period_start <= ? AND n.period_end >= ? {dir_sql} {where}
              GROUP BY 1)
        ORDER BY qty_impact DESC, notes DESC, cause_category""", [f.end, f.start, *dir_p, *params]).df()


def variance_notes(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The ahead/behind notes overlapping the period with countermeasure, owner, due and
    whether the countermeasure is overdue."""
    where, params = _notes_where(f)
    return con.execute(f"""
        SELECT n.note_id, n.period_start, n.period_end, n.direction, n.line, n.work_center, n.product,
               n.cause_category, n.description, n.qty_impact, n.countermeasure, n.owner, n.due_date, n.status,
               (n.status = 'open' AND n.due_date < CAST(? AS DATE)) AS overdue
        FROM variance_notes n
        WHERE n.period_start <= ? AND n.period_end >= ? {where}
        ORDER BY n.status = 'open' DESC, n.qty_impact DESC NULLS LAST, n.note_id""",
        [as_of, f.end, f.start, *params]).df()


def shortage_idle(con, f: Filters, grain: str = "week") -> pd.DataFrame:
    """Per bucket: hours idle for lack of material (downtime with cause 'material'), hours
    actually worked, and the shortage idle rate = idle / worked (NULL with no hours worked)."""
    where_d, params_d = line_clause(f, "d.work_center")
    where_a, params_a = combine(line_clause(f, "a.work_center"), product_clause(f, "a.product"))
    bd, ba = bucket_sql(grain, "d.date"), bucket_sql(grain, "a.date")
    return con.execute(f"""
        WITH idle AS (SELECT {bd} AS bucket, sum(d.hours) AS idle_hours FROM downtime d
                      WHERE d.cause_category = 'material' AND d.date BETWEEN ? AND ? {where_d} GROUP BY 1),
        worked AS (SELECT {ba} AS bucket, sum(a.hours_worked) AS worked_hours FROM production_actual a
                   WHERE a.date BETWEEN ? AND ? {where_a} GROUP BY 1)
        SELECT bucket, {label_sql(grain, 'bucket')} AS label, coalesce(idle_hours, 0) AS idle_hours,
               coalesce(worked_hours, 0) AS worked_hours,
               coalesce(idle_hours, 0) / nullif(worked_hours, 0) AS idle_rate
        FROM idle FULL OUTER JOIN worked USING (bucket) ORDER BY bucket""",
        [f.start, f.end, *params_d, f.start, f.end, *params_a]).df()


def shortage_idle_rate(con, f: Filters) -> float | None:
    """Shortage idle rate over the period: material idle hours / actual hours worked."""
    df = shortage_idle(con, f, "month")
    worked = df["worked_hours"].sum() if not df.empty else 0
    return None if not worked else float(df["idle_hours"].sum() / worked)


def shortage_by_material(con, f: Filters) -> pd.DataFrame:
    """Idle hours for lack of material in the period per material and work center, largest
    first, with the material's supplier and its next open purchase order due date."""
    where, params = line_clause(f, "d.work_center")
    return con.execute(f"""
        SELECT coalesce(d.material, '?') AS material, m.name AS material_name, d.work_center,
               sum(d.hours) AS idle_hours, count(*) AS events, m.supplier,
               (SELECT min(p.due_date) FROM purchase_order_status p
                WHERE p.material = d.material AND p.status = 'open' AND p.open_qty > 0) AS next_po_due
        FROM downtime d LEFT JOIN materials m USING (material)
        WHERE d.cause_category = 'material' AND d.date BETWEEN ? AND ? {where}
        GROUP BY ALL ORDER BY idle_hours DESC, material, d.work_center""", [f.start, f.end, *params]).df()


def needs_other_departments(con, f: Filters, as_of: date) -> pd.DataFrame:
    """What PMC needs from other departments: open actions raised in the PMC section (or on a
    PMC variance note) owned by another department, and materials whose shortage idled
    production in the period (purchasing), one row each with owner department and due.

    `owner` is the person an action names (a shortage is the department's, no one's by name);
    `supplier` is whom purchasing must chase for a shortage (its default supplier), and its due
    date is that of the material's next open PO."""
    where, params = line_clause(f, "d.work_center")
    return con.execute(f"""
        SELECT 'action' AS kind, owner_department AS department, title AS item, owner,
               CAST(NULL AS VARCHAR) AS supplier, due_date, due_date < CAST(? AS DATE) AS overdue
        FROM action_items
        WHERE section = 'pmc' AND owner_department <> 'pmc' AND status IN ('open', 'in_progress')
        UNION ALL
        SELECT 'shortage', 'purchasing', d.material || coalesce(' ' || m.name, ''), NULL,
               coalesce(s.name, m.supplier),
               (SELECT min(p.due_date) FROM purchase_order_status p
                WHERE p.material = d.material AND p.status = 'open' AND p.open_qty > 0),
               FALSE
        FROM (SELECT DISTINCT material FROM downtime d
              WHERE d.cause_category = 'material' AND d.material IS NOT NULL
                AND d.date BETWEEN ? AND ? {where}) d
        LEFT JOIN materials m USING (material) LEFT JOIN suppliers s ON s.supplier = m.supplier
        ORDER BY overdue DESC, due_date NULLS LAST, department, item""",
        [as_of, f.start, f.end, *params]).df()


def output_totals(con, f: Filters) -> tuple[float, float]:
    """(planned qty, actual good qty) over the period and filters."""
    where, params = _where(f)
    row = con.execute(f"""
        SELECT coalesce(sum(plan), 0), coalesce(sum(actual), 0) FROM (
            SELECT work_center, product, qty AS plan, 0 AS actual FROM production_plan WHERE date BETWEEN ? AND ?
            UNION ALL
            SELECT work_center, product, 0, qty_good FROM production_actual WHERE date BETWEEN ? AND ?) x
        WHERE TRUE {where}""", [f.start, f.end, f.start, f.end, *params]).fetchone()
    return float(row[0]), float(row[1])


def plan_achievement_kpi(con, f: Filters, as_of: date) -> Kpi:
    """The plan-achievement tile (PMC, the Overview, the variance review)."""
    return Kpi("kpi.plan_achievement", plan_achievement(con, f), settings.get("target_plan_achievement", con),
               plan_achievement(con, f.previous()), **period(f, as_of))


def section_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list:
    """The PMC section's KPI tiles: plan achievement, good output, peak work-center load ahead
    (lib.plan.capacity.load_ahead), shortage idle rate, open countermeasures (ahead/behind notes
    still open; note and status: how many are past their due date) and the late lines.
    Notes are text in `lang` (default: the current language)."""
    from lib.i18n import t
    prev = f.previous()
    span = period(f, as_of)
    plan, actual = output_totals(con, f)
    _, actual_prev = output_totals(con, prev)
    notes = variance_notes(con, f, as_of)
    live = notes[notes["status"] == "open"] if not notes.empty else notes
    overdue = int(live["overdue"].fillna(False).astype(bool).sum()) if not live.empty else 0
    return [
        plan_achievement_kpi(con, f, as_of),
        Kpi("pmc.kpi.output", actual, plan if plan else None, actual_prev, unit="count", **span),
        peak_load_kpi(con, as_of, lang),
        Kpi("pmc.kpi.shortage_idle", shortage_idle_rate(con, f), settings.get("target_shortage_idle", con),
            shortage_idle_rate(con, prev), higher_is_better=False, **span),
        Kpi("pmc.kpi.open_countermeasures", len(live), 0, None, unit="count", higher_is_better=False,
            note=t("kpi.overdue_of", lang, n=overdue), overdue=overdue),
        late.late_kpi(con, as_of, replace(f, customers=()), lang),
    ]


def open_countermeasures(con, f: Filters, as_of: date) -> pd.DataFrame:
    """The notes behind the open-countermeasures tile: ahead/behind notes still open, overdue first."""
    notes = variance_notes(con, f, as_of)
    live = notes[notes["status"] == "open"] if not notes.empty else notes
    return live.sort_values("overdue", ascending=False, kind="stable").reset_index(drop=True)


# the list behind each tile (lib.sections.tiles): (con, f, as_of) -> DataFrame
DETAILS = {
    "kpi.plan_achievement": lambda con, f, as_of: gap_ranking(con, f, "work_center"),
    "pmc.kpi.output": lambda con, f, as_of: gap_ranking(con, f, "product"),
    "kpi.peak_load": lambda con, f, as_of: capacity.load_ahead(con, as_of),
    "pmc.kpi.shortage_idle": lambda con, f, as_of: shortage_by_material(con, f),
    "pmc.kpi.open_countermeasures": open_countermeasures,
    "kpi.late_lines": lambda con, f, as_of: late.late_lines(con, as_of, replace(f, customers=())),
}


def work_centers_of(con, lines: tuple[str, ...]) -> list[str]:
    """The work centers of the given lines."""
    if not lines:
        return []
    return con.execute(f"SELECT work_center FROM work_centers WHERE line IN ({', '.join('?' * len(lines))}) "
                       "ORDER BY 1", list(lines)).df()["work_center"].tolist()


def plan_achievement(con, f: Filters) -> float | None:
    """Plan achievement: actual good output / planned output in the period (None without a plan)."""
    where, params = combine(line_clause(f), product_clause(f))
    plan = con.execute(f"SELECT sum(qty) FROM production_plan WHERE date BETWEEN ? AND ? {where}",
                       [f.start, f.end, *params]).fetchone()[0]
    actual = con.execute(f"SELECT sum(qty_good) FROM production_actual WHERE date BETWEEN ? AND ? {where}",
                         [f.start, f.end, *params]).fetchone()[0]
    return ratio(actual, plan)


def peak_load_kpi(con, as_of: date, lang: str | None = None) -> Kpi:
    """Peak work-center load ahead: the highest weekly load hours / capacity hours of any work
    center in the whole weeks after this one, up to `load_weeks` (lib.plan.capacity.load_ahead:
    this week's past-due pile is the late list's, not an overload ahead); the note names the work
    center, the ISO week and the hours above capacity."""
    from lib.i18n import t
    ahead = capacity.load_ahead(con, as_of)
    if ahead.empty:
        return Kpi("kpi.peak_load", None, settings.get("target_peak_load", con), None, unit="pct",
                   higher_is_better=False)
    top = ahead.iloc[0]
    over = float(top["load_hours"] - top["capacity_hours"])
    note = (t("kpi.peak_load.note_over", lang, wc=top["work_center"], week=top["period"], hours=f"{over:,.0f}")
            if over > 0.5 else f"{top['work_center']} · {top['period']}")
    return Kpi("kpi.peak_load", float(top["load_pct"]), settings.get("target_peak_load", con), None, unit="pct",
               higher_is_better=False, note=note)
