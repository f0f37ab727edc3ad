"""Section pages (Sales, PMC, Purchasing, Quality, Engineering, Variance review, Settings, the
Overview's section row): the tiles show what the lib functions return (each section's one
`section_kpis`), say "no data" on an empty database, and the Settings page writes targets
through the gateway."""
from dataclasses import replace

import pytest

from lib import settings
from lib.filters import default_filters
from lib.i18n import t
from lib.sections import (
    engineering,
    overview,
    pmc,
    purchasing,
    quality,
    sales,
    variance,
)
from lib.store.db import Database, get_db
from lib.ui.widgets import fmt_value
from tests.conftest import AS_OF, run_page, select_page


def _tile_values(at) -> list[str]:
    """The value text of every KPI tile on the page."""
    out = []
    for m in at.markdown:
        text = m.value
        if "class='tdm-tile'" in text and "class='tdm-value'" in text:
            out.append(text.split("class='tdm-value'")[1].split(">", 1)[1].split("</div>", 1)[0])
    return out


def _expected(fn, path, *args):
    with get_db(str(path)).cursor() as cur:     # the app's own instance: one connection per file
        return fn(cur, default_filters(AS_OF), *args)


@pytest.mark.parametrize("page,fn", [
    ("sales", sales.section_kpis),
    ("pmc", pmc.section_kpis),
    ("purchasing", purchasing.section_kpis),
    ("quality", quality.section_kpis),
    ("engineering", engineering.section_kpis),
    ("variance", variance.review_kpis),
])
def test_tiles_show_the_lib_values(monkeypatch, demo_path, page, fn):
    expected = [fmt_value(k.value, k.unit) for k in _expected(fn, demo_path, AS_OF)]
    at = run_page(monkeypatch, demo_path, page)
    assert not at.exception, at.exception
    shown = _tile_values(at)
    assert sorted(shown) == sorted(expected)         # tiles wrap into columns, so compare as a set
    assert any(v != "—" for v in expected)          # the demo has data for these tiles


def test_overview_shows_each_sections_headline(monkeypatch, demo_path):
    expected = [fmt_value(k.value, k.unit) for k in _expected(overview.section_headlines, demo_path, AS_OF).values()]
    at = run_page(monkeypatch, demo_path, "overview")
    assert not at.exception
    shown = _tile_values(at)
    # the five section tiles appear together, in agenda order (other rows come before and after)
    assert any(shown[i:i + 5] == expected for i in range(len(shown))), (shown, expected)


@pytest.mark.parametrize("page", ["sales", "pmc", "purchasing", "quality", "engineering", "variance"])
def test_empty_database_shows_empty_states_not_charts(monkeypatch, empty_path, page):
    at = run_page(monkeypatch, empty_path, page, lang="zh")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert set(_tile_values(at)) <= {"—", "0", "¥0", "0.0 h"}  # no data: a dash or zero, never an error
    assert at.info                                   # empty-state messages instead of empty charts


def test_supplier_filter_narrows_the_purchasing_tiles(monkeypatch, demo_path):
    at = run_page(monkeypatch, demo_path, "purchasing")
    with get_db(str(demo_path)).cursor() as cur:
        supplier = purchasing.supplier_otd_ranking(cur, default_filters(AS_OF), AS_OF)["supplier"].iloc[-1]
        f = replace(default_filters(AS_OF), suppliers=(supplier,))
        want = fmt_value(purchasing.supplier_otd(cur, f, AS_OF), "pct")
    at.multiselect(key="pur_suppliers").set_value([supplier]).run()
    assert not at.exception, at.exception
    assert _tile_values(at)[0] == want, t("purchasing.kpi.supplier_otd", "en")


def test_variance_runs_only_the_chosen_tab(monkeypatch, demo_path):
    """Tabs are lazy: each holds charts and tables from its own queries, so only the open one runs."""
    from lib.i18n import t
    at = run_page(monkeypatch, demo_path, "variance")
    titles = lambda: [m.value for m in at.markdown if m.value.startswith("#### ")]  # noqa: E731
    assert f"#### {t('variance.trend.output')}" in titles()
    for kind, extra in (("delivery", ()), ("price", ()), ("yield", ("incoming",))):
        at.session_state["variance-tab"] = t(f"variance.tab.{kind}")
        at.run()
        assert not at.exception, at.exception
        shown = titles()
        assert f"#### {t(f'variance.trend.{kind}')}" in shown
        assert f"#### {t('variance.trend.output')}" not in shown
        for other in extra:
            assert f"#### {t(f'variance.trend.{other}')}" in shown


def test_settings_page_saves_a_target(monkeypatch, tmp_path):
    path = tmp_path / "s.duckdb"
    Database(path).close()
    at = run_page(monkeypatch, path, "settings")
    assert not at.exception
    box = next(n for n in at.number_input if n.key == "set-target_otd")
    assert box.value == pytest.approx(95.0)          # shares are shown in %
    box.set_value(90.0)
    at.button[0].click()
    at.run()
    assert not at.exception and not at.error
    assert at.success
    with get_db(str(path)).cursor() as cur:
        assert settings.get("target_otd", cur) == pytest.approx(0.90)


def test_a_charts_table_is_drawn_only_once_opened(monkeypatch, demo_path):
    """A closed expander's content is otherwise built and sent on every run, for every session."""
    at = run_page(monkeypatch, demo_path, "pmc")
    closed = len(at.dataframe)
    assert not any({"Plan", "Actual", "Cumulative plan"} <= set(d.value.columns) for d in at.dataframe)
    at.session_state["pmc-pva-table-open"] = True       # what a click on "Table" stores
    at.run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == closed + 1
    tables = [d.value for d in at.dataframe]
    assert any({"Plan", "Actual", "Cumulative plan"} <= set(v.columns) and len(v) > 0 for v in tables)   # the chart's own rows, headers readable


def test_a_record_list_behind_a_chart_is_loaded_only_once_opened(monkeypatch, demo_path):
    from lib.sections import sales as lib_sales
    calls = []
    real = lib_sales.order_change_list
    monkeypatch.setattr(lib_sales, "order_change_list", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run_page(monkeypatch, demo_path, "sales")
    assert not at.exception and calls == []
    at.session_state["sales-changes-table-open"] = True
    at.run()
    assert not at.exception, at.exception
    assert calls and any("Change" in d.value.columns and "Was" in d.value.columns for d in at.dataframe)


@pytest.mark.slow
def test_every_chart_table_header_has_a_translation(monkeypatch, demo_path):
    """Tables behind charts come straight from lib (snake_case names): each name needs a `col.`
    entry in lib/i18n/columns.py, or the Chinese page shows English code names."""
    import re

    from lib.i18n import CATALOGS
    from lib.ui import nav, section, widgets
    seen: set[str] = set()
    real = widgets.table

    def spy(df, name, key, **kw):
        frame = df() if callable(df) else df
        seen.update(str(c) for c in frame.columns)
        return real(df, name, key, **kw)

    monkeypatch.setattr(widgets, "table", spy)
    monkeypatch.setattr(section, "table", spy)
    at = run_page(monkeypatch, demo_path, "overview")
    for page in (p.url for p in nav.PAGES):
        select_page(at, page).run()
        assert not at.exception, (page, at.exception)
    raw = {c for c in seen if re.fullmatch(r"[a-z][a-z0-9_]*", c)}
    assert len(seen) > 50
    assert sorted(c for c in raw if f"col.{c}" not in CATALOGS["zh"]) == []
