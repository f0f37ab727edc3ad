"""What the capacity, promise and review pages show, as text a meeting reads: dates as
YYYY-MM-DD, no 'None', translated headers, heatmap columns named by week and Monday."""
from datetime import date

import pandas as pd
import pytest

from lib.ui.charts.capacity import heatmap, period_display, period_names
from lib.ui.frames import for_screen
from tests.conftest import AS_OF, run_page


@pytest.mark.parametrize("period,start,shown", [
    ("2026-W49", date(2026, 11, 30), "W49 11-30"),
    ("2026-W53", None, "W53 12-28"),         # Monday from the ISO week itself
    ("2026-12-01", date(2026, 12, 1), "12-01"),
    ("2026-12", date(2026, 12, 1), "2026-12"),
])
def test_period_display(period, start, shown):
    assert period_display(period, start) == shown


def test_for_screen_formats_dates_times_and_blanks():
    df = pd.DataFrame({"d": [pd.Timestamp("2027-01-02"), pd.NaT], "ts": [pd.Timestamp("2026-11-23 09:08:41"), None],
                       "c": [None, "late"], "x": [1, 2]})
    out = for_screen(df, {"d": "Due", "ts": "When", "c": "Comment"}, dates=["d"], stamps=["ts"], blanks=["c"])
    assert list(out.columns) == ["Due", "When", "Comment"]
    assert out.values.tolist() == [["2027-01-02", "2026-11-23 09:08", ""], ["", "", "late"]]


def test_heatmap_columns_are_weeks_with_their_monday():
    df = pd.DataFrame({"work_center": ["CUT", "CUT"], "period": ["2026-W48", "2026-W49"],
                       "period_start": pd.to_datetime(["2026-11-23", "2026-11-30"]), "load_hours": [6.0, 11.0],
                       "capacity_hours": [26.0, 40.0], "load_pct": [6 / 26, 0.275], "overdue_hours": [6.0, 0.0],
                       "band": ["ok", "ok"]})
    assert period_names(df) == {"2026-W48": "W48 11-23", "2026-W49": "W49 11-30"}
    trace = heatmap(df).data[0]
    assert list(trace.x) == ["W48 11-23", "W49 11-30"]
    assert [list(r) for r in trace.text] == [["⚠23%", "28%"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_review_tables_show_plain_dates_and_no_none(monkeypatch, demo_path, lang):
    at = run_page(monkeypatch, demo_path, "order-review", lang)
    assert not at.exception and not at.error
    pending = at.dataframe[0].value
    assert "qty" not in pending.columns and ("Qty" in pending.columns or "数量" in pending.columns)
    text = pending.astype(str)
    assert not text.apply(lambda c: c.str.contains("00:00:00|None|NaT")).any().any()
    assert text.iloc[:, 5].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()          # requested date


def _walk(node, out):
    for c in getattr(node, "children", {}).values():
        out.append((type(c).__name__, str(getattr(c, "label", None) or getattr(c, "value", ""))))
        _walk(c, out)
    return out


def test_capacity_page_title_comes_before_its_controls(monkeypatch, demo_path):
    at = run_page(monkeypatch, demo_path, "capacity")
    assert not at.exception and not at.error
    kinds = [k for k, _ in _walk(at.main, [])]
    assert kinds.index("Title") < kinds.index("ButtonGroup") < kinds.index("NumberInput")
    assert at.title[0].value == "Capacity load — work center × week · required"


def test_the_planned_view_drills_into_lines_with_their_projected_finish(monkeypatch, demo_path):
    at = run_page(monkeypatch, demo_path, "capacity")
    at.button_group(key="cap_view").set_value("planned").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Capacity load — work center × week · planned"
    drill = next(d.value for d in at.dataframe if "Projected finish" in d.value.columns)
    assert {"Plan", "Days late"} <= set(drill.columns)
    # what would make a late line on time: a sentence about overtime, or that none can help
    assert any("Overtime that would make it on time" in m.value or "No overtime can make" in m.value
               for m in list(at.markdown) + list(at.info))


def test_the_promise_page_says_what_it_would_take(monkeypatch, demo_path):
    """A large inquiry due in a week cannot be met: the page says what it would take (overtime by
    work center and week, or the material, or that the lead times alone do not fit)."""
    from datetime import timedelta

    from lib.store.db import get_db
    with get_db(str(demo_path)).cursor() as cur:
        product = cur.execute("SELECT product FROM routings GROUP BY product ORDER BY count(*) DESC, product LIMIT 1").fetchone()[0]
    at = run_page(monkeypatch, demo_path, "promise", state={"pr_inquiry": (product, 2000, AS_OF + timedelta(days=7))})
    assert not at.exception and not at.error
    said = [i.value for i in at.info if i.value.startswith("To deliver by")]
    assert said and any(w in said[0] for w in ("overtime", "material", "not possible"))
