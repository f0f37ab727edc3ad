"""Every chart builder in lib/ui/charts reads from the back of a meeting room (lib.ui.theme):
tick labels of at least 16 px and dark axis titles on every axis, whole-number ticks on axes
that count (never 0.5 actions), 万 / 亿 on large axes in Chinese, and colours that mean one thing
(status colours only for status, bars that encode nothing in one neutral colour).

Each builder is called with a small hand-made frame; a builder added to lib/ui/charts without a
case here fails test_every_builder_has_a_case."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.i18n import set_lang
from lib.ui import charts, theme
from lib.ui.charts import (
    basic,
    capacity,
    engineering,
    meeting,
    purchasing,
    quality,
    sales,
)

D = pd.Timestamp("2026-11-25")
WEEKS = ["W45", "W46", "W47", "W48"]


def _load_frame() -> pd.DataFrame:
    rows = []
    for wc in ("SMT", "ASM"):
        for i, p in enumerate(("2026-W48", "2026-W49")):
            rows.append({"work_center": wc, "period": p, "period_start": D + pd.Timedelta(days=7 * i - 2),
                         "load_hours": 30.0 + i, "capacity_hours": 40.0, "load_pct": (30.0 + i) / 40,
                         "overdue_hours": 0.0, "band": "tight"})
    return pd.DataFrame(rows)


# builder -> (figure, axes that hold counts or whole pieces)
CASES = {
    "basic.plan_vs_actual": (lambda: basic.plan_vs_actual(
        pd.DataFrame({"label": WEEKS, "plan": [3, 2, 4, 1], "actual": [2, 2, 3, 1]}), "label",
        labels={k: k for k in ("plan", "actual", "cum_plan", "cum_actual", "gap")}, x_title="Week",
        y_title="pcs"), {"y", "y2"}),
    "basic.trend": (lambda: basic.trend(
        pd.DataFrame({"label": WEEKS, "a": [0.91, 0.95, None, 0.97]}), "label", [("a", "A", theme.ACTUAL)],
        x_title="Week", y_title="%", target=0.95, target_label="target"), set()),
    "basic.trend (counts)": (lambda: basic.trend(
        pd.DataFrame({"label": WEEKS, "n": [1, 0, 2, 1]}), "label", [("n", "N", theme.ACTUAL)],
        x_title="Week", y_title="lines", pct=False), {"y"}),
    "basic.pareto": (lambda: basic.pareto(
        pd.DataFrame({"cause": ["man", "machine", "method"], "qty": [3, 1, 1]}), "cause", "qty",
        x_title="Cause", y_title="pcs", cum_label="cum"), {"y"}),
    "basic.ranked_bars": (lambda: basic.ranked_bars(
        pd.DataFrame({"customer": ["C1", "C2", "C3"], "open": [2, 1, 1]}), "customer", "open",
        x_title="complaints", colour_by_name=True), {"x"}),
    "basic.stacked_bars": (lambda: basic.stacked_bars(
        pd.DataFrame({"week": ["W1", "W1", "W2"], "state": ["late", "on_time", "late"], "n": [1, 2, 1]}),
        "week", "state", "n", x_title="Week", y_title="drawings"), {"y"}),
    "basic.bars": (lambda: basic.bars(
        pd.DataFrame({"label": WEEKS, "received": [1, 3, 0, 2], "open": [0, 1, 0, 1], "rate": [0, .3, 0, .5]}),
        "label", [("received", "received", theme.PLAN), ("open", "open", theme.GAP)], x_title="Week",
        y_title="complaints", overlay_line=("rate", "rate", theme.CUMULATIVE), pct_line=True), {"y"}),
    "basic.rate_bars": (lambda: basic.rate_bars(
        pd.DataFrame({"s": ["S1", "S2"], "r": [0.8, 0.97]}), "s", "r", x_title="%", target=0.95), set()),
    "basic.diverging_bars": (lambda: basic.diverging_bars(
        pd.DataFrame({"m": ["M1", "M2"], "v": [1200.5, -300.25]}), "m", "v", x_title="¥"), set()),
    "basic.gantt": (lambda: basic.gantt(
        pd.DataFrame({"row": ["P1 · 1"], "ps": [D], "pe": [D + pd.Timedelta(days=9)], "as": [D],
                      "ae": [D + pd.Timedelta(days=3)], "state": ["open"]}),
        row="row", plan_start="ps", plan_end="pe", actual_start="as", actual_end="ae", state="state",
        labels={"plan": "plan", "today": "today", "on_time": "a", "late": "b", "overdue": "c", "open": "d"},
        x_title="Date", today=D), set()),
    "capacity.heatmap": (lambda: capacity.heatmap(_load_frame()), set()),
    "capacity.gantt": (lambda: capacity.gantt(
        pd.DataFrame({"step": [10, 20], "work_center": ["SMT", "ASM"], "start": [D, D + pd.Timedelta(days=1)],
                      "finish": [D, D + pd.Timedelta(days=2)], "wait_days": [0, 1], "hours": [8.0, 4.5]}),
        requested=D + pd.Timedelta(days=3)), set()),
    "capacity.load_with_inquiry": (lambda: capacity.load_with_inquiry(
        pd.DataFrame({"work_center": ["SMT", "SMT"], "period": ["2026-W48", "2026-W49"], "load_hours": [30.0, 20.0],
                      "inquiry_hours": [4.0, 0.0], "capacity_hours": [40.0, 40.0]})), {"y"}),
    "sales.otd_trend": (lambda: sales.otd_trend(
        pd.DataFrame({"label": WEEKS, "otd_latest": [.9, .92, .95, .97], "otd_original": [.8, .85, .9, .9],
                      "otif": [.85, .9, .9, .93]}), target=0.95, x_title="Week"), set()),
    "purchasing.supplier_ranking": (lambda: purchasing.supplier_ranking(
        pd.DataFrame({"supplier": ["S1", "S2"], "supplier_name": ["A", None], "qty_on_time": [90, 50],
                      "qty_due": [100, 100], "on_time_rate": [0.9, 0.5]}), target=0.95, band=0.05), set()),
    "quality.fpy_trend": (lambda: quality.fpy_trend(
        pd.DataFrame({"stage": "final", "week": [D, D + pd.Timedelta(days=7)], "line": "L1", "fpy": [0.96, 0.98]}),
        stage="final", target=0.97), set()),
    "quality.defect_pareto": (lambda: quality.defect_pareto(
        pd.DataFrame({"defect_type": ["scratch", "", "dent"], "qty": [3, 2, 1]})), {"y"}),
    "engineering.npi_gantt": (lambda: engineering.npi_gantt(
        pd.DataFrame({"project": ["NPI-1"], "project_name": ["Pump"], "seq": [1], "milestone": ["Prototype"],
                      "plan_start": [D], "planned_date": [D + pd.Timedelta(days=10)], "actual_start": [D],
                      "actual_end": [pd.NaT], "state": ["open"]}), today=D), set()),
    "meeting.funnel_figure": (lambda: meeting.funnel_figure(
        pd.Series({"discussed": 3, "decided": 3, "assigned": 2, "done": 1, "verified": 1})), {"x"}),
    "meeting.closure_figure": (lambda: meeting.closure_figure(
        pd.DataFrame({"meeting_date": [D - pd.Timedelta(days=7), D], "closure_on_time": [0.5, 0.75]}), 0.9), set()),
    "meeting.by_department_figure": (lambda: meeting.by_department_figure(
        pd.DataFrame({"owner_department": ["pmc", "sales"], "open": [3, 1], "overdue": [1, 0]})), {"y"}),
}


@pytest.fixture(autouse=True)
def _english():
    set_lang("en")
    yield
    set_lang("en")


def _builders() -> set[str]:
    """Every public function of lib/ui/charts that returns a plotly Figure."""
    found = set()
    for m in pkgutil.iter_modules(charts.__path__):
        mod = importlib.import_module(f"lib.ui.charts.{m.name}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_") and "Figure" in str(fn.__annotations__.get("return")):
                found.add(f"{m.name}.{name}")
    return found


def _axes(fig: go.Figure) -> dict:
    layout = fig.to_plotly_json()["layout"]
    return {k: v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}


def _short(axis_name: str) -> str:
    """'xaxis' -> 'x', 'yaxis2' -> 'y2'."""
    return axis_name.replace("axis", "")


def _dark(colour: str) -> bool:
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 90


def test_every_builder_has_a_case():
    assert _builders() == {k.split(" ")[0] for k in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tick_labels_are_16_px_or_more_and_axis_titles_dark(name):
    fig = CASES[name][0]()
    axes = _axes(fig)
    assert axes, name
    for axis, spec in axes.items():
        assert spec["tickfont"]["size"] >= 16, (name, axis, spec.get("tickfont"))
        assert spec["title"]["font"]["size"] >= 16 and _dark(spec["title"]["font"]["color"]), (name, axis)
    # and on the projector, larger still
    for axis, spec in _axes(theme.projector(fig)).items():
        assert spec["tickfont"]["size"] >= 20, (name, axis)


@pytest.mark.parametrize("name", sorted(k for k, v in CASES.items() if v[1]))
def test_count_axes_tick_at_whole_numbers(name):
    build, counted = CASES[name]
    axes = {_short(k): v for k, v in _axes(build()).items()}
    for axis in counted:
        spec = axes[axis]
        assert spec.get("tickmode") == "linear" and spec.get("tick0") == 0, (name, axis, spec)
        assert float(spec["dtick"]).is_integer() and spec["dtick"] >= 1, (name, axis, spec["dtick"])


def test_small_counts_tick_by_one_and_large_counts_by_a_round_whole_step():
    small = CASES["meeting.by_department_figure"][0]()
    assert small.layout.yaxis.dtick == 1                       # 0, 1, 2, 3: never 0.5
    big = basic.stacked_bars(pd.DataFrame({"w": ["W1", "W2"], "c": ["A", "A"], "n": [12_000, 64_000]}), "w", "c", "n",
                             x_title="Week", y_title="pcs")
    assert big.layout.yaxis.dtick == 20_000


def test_large_axes_read_in_wan_and_yi_in_chinese():
    df = pd.DataFrame({"label": WEEKS, "plan": [250_000, 600_000, 400_000, 10_000], "actual": [240_000, 580_000, 0, 0]})
    labels = {k: k for k in ("plan", "actual", "cum_plan", "cum_actual", "gap")}
    set_lang("zh")
    fig = basic.plan_vs_actual(df, "label", labels=labels, x_title="周", y_title="件")
    y, y2 = fig.layout.yaxis, fig.layout.yaxis2
    assert y.tickmode == "array" and list(y.ticktext) == ["0", "20万", "40万", "60万"]
    assert list(y.tickvals) == [0, 200_000, 400_000, 600_000]
    assert y2.ticktext[-1].endswith("万") and all(v == int(v) for v in y2.tickvals)
    money = basic.diverging_bars(pd.DataFrame({"m": ["M1"], "v": [-320_000_000.0]}), "m", "v", x_title="¥")
    assert any(s.endswith("亿") for s in money.layout.xaxis.ticktext)
    set_lang("en")
    assert basic.plan_vs_actual(df, "label", labels=labels, x_title="w", y_title="pcs").layout.yaxis.ticktext is None


def test_status_colours_mean_status_only():
    status = {c.lower() for c in (*theme.RAG.values(), *theme.LOAD_BAND.values(), basic.STATE["late"])} - {
        theme.RAG["none"].lower(), theme.LOAD_BAND["none"].lower()}
    meaning = [*theme.DEPARTMENT.values(), *basic.PALETTE, *theme.CAUSE.values(), theme.NEUTRAL, theme.TARGET,
               basic.SECOND, theme.HIGHLIGHT, theme.PLAN, theme.ACTUAL]
    assert not status & {c.lower() for c in meaning}
    # departments are not drawn in anything close to a status colour either (overdue red least of all)
    def distance(a, b):
        return sum((int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) ** 2 for i in (1, 3, 5)) ** 0.5
    for d, c in theme.DEPARTMENT.items():
        assert distance(c, theme.RAG["red"]) > 140, d
        assert min(distance(c, s) for s in status) > 70, d


def test_bars_that_encode_nothing_are_one_neutral_colour():
    pareto = CASES["basic.pareto"][0]()
    assert set(pareto.data[0].marker.color) == {theme.NEUTRAL}
    ranked = CASES["basic.ranked_bars"][0]()             # per customer, even when asked for colours by name
    assert ranked.data[0].marker.color == theme.NEUTRAL
    defects = CASES["quality.defect_pareto"][0]()        # the unrecorded defect type stays the "other" grey
    assert list(defects.data[0].marker.color) == [theme.NEUTRAL, theme.OTHER, theme.NEUTRAL]
    by_dept = CASES["meeting.by_department_figure"][0]()
    assert [t.marker.color for t in by_dept.data] == [theme.NEUTRAL, theme.RAG["red"]]


def test_nice_steps_and_wan_labels():
    assert [theme.nice_step(s, whole=True) for s in (1, 3, 9, 40, 700)] == [1, 1, 2, 10, 200]
    assert [theme.wan(v) for v in (0, 9_999, 10_000, 150_000, 250_000_000)] == ["0", "9,999", "1万", "15万", "2.5亿"]

