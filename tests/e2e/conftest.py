"""Browser tests: a real `streamlit run app.py` on the demo factory, driven by Playwright in
Debian's chromium (/usr/bin/chromium; no browser download). Skipped, with the reason, where
chromium or playwright is missing; `.ci/run` installs chromium so CI always runs them."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import AS_OF, ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(demo_path, tmp_path_factory):
    """A running dashboard on a copy of the demo database; yields its base URL."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.duckdb"
    shutil.copy(demo_path, db)
    port = _free_port()
    env = {**os.environ, "TANDEM_DB": str(db), "TANDEM_AS_OF": AS_OF.isoformat(), "TANDEM_AUTH": "off"}
    log = open(tmp_path_factory.mktemp("e2e-log") / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail(f"streamlit did not start; see {log.name}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


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
def page(browser, server):
    # an English browser: the app follows the browser's language unless the user switches
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    pg = ctx.new_page()
    pg.goto(server)
    wait_for_run(pg)
    yield pg
    ctx.close()
