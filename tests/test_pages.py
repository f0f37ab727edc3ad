"""An AppTest run of every registered page, on the demo factory and on an empty database."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import nav
from tests.conftest import AS_OF, ROOT

PAGES = [(path, url) for path, url, *_ in nav.PAGES]


def run_page(monkeypatch, db_path, page: str, lang: str = "en") -> AppTest:
    monkeypatch.setenv("TANDEM_DB", str(db_path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", lang)
    monkeypatch.setenv("TANDEM_AUTH", "off")   # pages without login; tests/test_login_app.py covers the gate
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if page != "views/overview.py":
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page,url", PAGES)
def test_page_runs_on_demo(monkeypatch, demo_path, page, url):
    at = run_page(monkeypatch, demo_path, page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page,url", PAGES)
def test_page_runs_on_empty_database(monkeypatch, empty_path, page, url):
    at = run_page(monkeypatch, empty_path, page, lang="zh")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
