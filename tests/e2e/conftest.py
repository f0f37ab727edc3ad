"""Browser tests: a real `streamlit run app.py` on the demo factory, driven by Playwright in
Debian's chromium (/usr/bin/chromium; no browser download). Skipped, with the reason, where
chromium or playwright is missing; `.ci/run` installs chromium so CI always runs them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import AS_OF, ROOT, free_port, wait_until_healthy

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Served:
    """One dashboard (`python -m lib serve`, the README's command) on its own copy of the demo database."""

    def __init__(self, db: Path, log: Path, auth: str):
        self.db, self.log, self.auth = db, log, auth
        port = free_port()
        env = {**os.environ, "TANDEM_DB": str(db), "TANDEM_AS_OF": AS_OF.isoformat(), "TANDEM_AUTH": auth}
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lib", "serve", f"--port={port}", "--address=127.0.0.1", "--db", str(db)],
            cwd=str(ROOT), env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        if wait_until_healthy(self.url, pause=0.5):
            return
        self.stop()
        pytest.fail(f"streamlit did not start; see {log}")

    def stop(self) -> None:
        """Stop the server (idempotent). Only then may a test open `db`: DuckDB allows one
        process per database file."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture(scope="session")
def start_server(demo_path, tmp_path_factory):
    """Start a dashboard on a fresh copy of the demo database: `start_server(auth="on")`.
    Each call with the same `name` returns the same running server; all are stopped at the end."""
    running: dict[str, Served] = {}

    def start(auth: str = "off", name: str | None = None) -> Served:
        name = name or f"auth-{auth}"
        if name not in running or running[name].proc.poll() is not None:
            work = tmp_path_factory.mktemp(f"e2e-{name}")
            db = work / "e2e.duckdb"
            shutil.copy(demo_path, db)
            running[name] = Served(db, work / "streamlit.log", auth)
        return running[name]

    yield start
    for s in running.values():
        s.stop()


@pytest.fixture(scope="session")
def server(start_server):
    """A running dashboard (authentication off) on a copy of the demo database; its base URL."""
    return start_server("off").url


@pytest.fixture(scope="session")
def auth_server(start_server):
    """A running dashboard with authentication on (TANDEM_AUTH=on), on its own demo copy."""
    return start_server("on").url


def wait_for_run(page, timeout_ms: int = 60_000) -> None:
    """Until Streamlit has finished the script run (the status widget stops saying Running)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
        " || !/Running|Connecting/i.test(document.querySelector(\"[data-testid='stStatusWidget']\").innerText)",
        timeout=timeout_ms)
    page.wait_for_timeout(300)


def problems(page) -> list[str]:
    """Exceptions and error boxes a user would see on the page."""
    return [e.inner_text()[:300] for e in
            page.query_selector_all("[data-testid='stException'], [data-testid='stAlertContentError']")]


@pytest.fixture
def context(browser):
    """A fresh browser context (own cookies and Streamlit session), closed after the test."""
    # an English browser: the app follows the browser's language unless the user switches
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    ctx.set_default_timeout(60_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server):
    pg = context.new_page()
    pg.goto(server)
    wait_for_run(pg)
    return pg


def use_language(page, lang: str = "en") -> None:
    """Switch the language with the sidebar switch, as a user does (the default follows the
    `lang` setting and the browser's locale, so tests that read English text choose it)."""
    page.get_by_text("中文" if lang == "zh" else "English", exact=True).first.click()
    wait_for_run(page)


def open_page(page, url: str) -> None:
    """Open a page from the sidebar navigation as a user does."""
    page.locator(f"[data-testid='stSidebarNav'] a[href$='/{url}']").first.click()
    wait_for_run(page)


def see(page, text: str, timeout_ms: int = 60_000) -> bool:
    """Wait until `text` is on the screen."""
    page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    return True
