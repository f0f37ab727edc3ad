"""An AppTest run of every registered page, on the demo factory and on an empty database."""
import pytest

from lib.ui import nav
from tests.conftest import run_page

# the display page is a display screen's alone (nobody else is offered it): tests/test_display.py
# runs it with a display token, on the demo and on an empty database
URLS = [p.url for p in nav.PAGES if p.url != nav.DISPLAY_URL]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.both_stores(only=["overview", "sales", "capacity"])
def test_page_runs_on_demo(monkeypatch, demo_path, url):
    at = run_page(monkeypatch, demo_path, url)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("url", URLS)
def test_page_runs_on_empty_database(monkeypatch, empty_path, url):
    at = run_page(monkeypatch, empty_path, url, lang="zh")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_one_duckdb_file_keeps_the_group_page_out_of_the_menu(monkeypatch, demo_path):
    """A DuckDB file is one plant: the Group page answers its address but is not listed."""
    at = run_page(monkeypatch, demo_path, "overview")
    pages = [p for section in at.session_state["_nav_pages"][1].values() for p in section]
    shown = {p.url_path: p.visibility for p in pages}
    assert shown[nav.GROUP_URL] == "hidden" and shown["sales"] == "visible"
    at = run_page(monkeypatch, demo_path, nav.GROUP_URL)
    assert not at.exception and at.title
