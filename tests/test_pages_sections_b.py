"""Purchasing, Quality and Engineering pages: the tiles show what the lib functions return,
on the demo factory; and on an empty database every tile says "no data" instead of failing."""
import html
import re
from dataclasses import replace

import pytest

from lib.filters import default_filters
from lib.i18n import t
from lib.sections import engineering as eng
from lib.sections import purchasing as pur
from lib.sections import quality as q
from lib.store.db import get_db
from lib.ui.widgets import fmt_value
from tests.conftest import AS_OF, run_page

TILE = re.compile(r"<div class='tdm-name'>(.*?)</div><div class='tdm-value'[^>]*>(.*?)</div>", re.S)


def tiles(at) -> dict[str, str]:
    """Tile name -> the value text shown, from the page's markdown."""
    shown = {}
    for m in at.markdown:
        for name, value in TILE.findall(m.value):
            shown[html.unescape(name)] = html.unescape(value)
    return shown


def expected_purchasing(cur):
    f = default_filters(AS_OF)
    lines = pur.endangered_lines(cur, AS_OF, f)
    return {
        t("purchasing.kpi.supplier_otd", "en"): fmt_value(pur.supplier_otd(cur, f, AS_OF), "pct"),
        t("purchasing.kpi.incoming_fp", "en"): fmt_value(q.incoming_first_pass(cur, f), "pct"),
        t("purchasing.kpi.price_variance", "en"): fmt_value(pur.price_variance(cur, f), "money"),
        t("purchasing.kpi.late_pos", "en"): fmt_value(pur.po_counts(cur, AS_OF, f)[1], "count"),
        t("purchasing.kpi.lines_endangered", "en"): fmt_value(lines["line_id"].nunique(), "count"),
    }


def expected_quality(cur):
    f = default_filters(AS_OF)
    return {
        t("quality.kpi.incoming_fp", "en"): fmt_value(q.incoming_first_pass(cur, f), "pct"),
        t("quality.kpi.fpy_in_process", "en"): fmt_value(q.first_pass_yield(cur, f, "in_process"), "pct"),
        t("quality.kpi.fpy_final", "en"): fmt_value(q.first_pass_yield(cur, f, "final"), "pct"),
        t("quality.kpi.open_complaints", "en"): fmt_value(q.complaint_counts(cur, f)[0], "count"),
        t("quality.kpi.backlog", "en"): fmt_value(len(q.inspection_backlog(cur, AS_OF, f)), "count"),
        t("quality.kpi.on_hold", "en"): fmt_value(len(q.material_on_hold(cur, f)), "count"),
    }


def expected_engineering(cur):
    f = default_filters(AS_OF)
    ecn = eng.ecn_summary(cur, f, AS_OF)
    return {
        t("engineering.kpi.npi_ontime", "en"): fmt_value(eng.npi_ontime(cur, f, AS_OF), "pct"),
        t("engineering.kpi.drawing_ontime", "en"): fmt_value(eng.drawing_ontime(cur, f, AS_OF), "pct"),
        t("engineering.kpi.open_ecn", "en"): fmt_value(int(ecn["status"].isin(["open", "approved"]).sum()), "count"),
        t("engineering.kpi.hours_saved", "en"): fmt_value(eng.hours_saved(cur, f, AS_OF)[0], "hours"),
    }


PAGES = [("purchasing", expected_purchasing), ("quality", expected_quality),
         ("engineering", expected_engineering)]


@pytest.mark.parametrize("page,expected", PAGES)
def test_tiles_show_the_lib_values_on_the_demo(monkeypatch, demo_path, page, expected):
    at = run_page(monkeypatch, demo_path, page)
    assert not at.exception, at.exception
    with get_db(str(demo_path)).cursor() as cur:
        want = expected(cur)
    shown = tiles(at)
    assert {k: shown.get(k) for k in want} == want
    assert all(v != "—" for v in want.values()), "the demo should give every tile a value"


@pytest.mark.parametrize("page,expected", PAGES)
def test_tiles_say_no_data_on_an_empty_database(monkeypatch, empty_path, page, expected):
    at = run_page(monkeypatch, empty_path, page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    shown = tiles(at)
    rates = [v for k, v in shown.items() if "%" in v or v == "—"]
    assert rates and all(v == "—" for v in rates)        # undefined rates are "no data", not 0 %
    assert at.info, "an empty database shows empty-state messages"


def test_supplier_filter_narrows_the_purchasing_tiles(monkeypatch, demo_path):
    at = run_page(monkeypatch, demo_path, "purchasing")
    with get_db(str(demo_path)).cursor() as cur:
        supplier = pur.supplier_otd_ranking(cur, default_filters(AS_OF), AS_OF)["supplier"].iloc[-1]
        f = replace(default_filters(AS_OF), suppliers=(supplier,))
        want = fmt_value(pur.supplier_otd(cur, f, AS_OF), "pct")
    at.multiselect(key="pur_suppliers").set_value([supplier]).run()
    assert not at.exception, at.exception
    assert tiles(at)[t("purchasing.kpi.supplier_otd", "en")] == want
