"""Shared fixtures: a fresh in-memory database, demo/empty database files for page tests, and the
AppTest helpers every page test uses (app_test, select_page, run_page)."""
from __future__ import annotations

import os
import shutil
import socket
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from lib.store.db import Database

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
AS_OF = date(2026, 11, 25)   # a Wednesday; fixed so page tests are reproducible


@pytest.fixture(autouse=True)
def _no_developer_config(monkeypatch):
    """Tests never read a developer's own TANDEM_* settings."""
    for key in list(os.environ):
        if key.startswith("TANDEM_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def db() -> Database:
    """A fresh in-memory database with every migration applied."""
    d = Database(":memory:")
    yield d
    d.close()


def load_scenario(db, prefix: str, folder: Path = DATA / "capacity") -> None:
    """Load <folder>/<prefix>_<table>.csv into each table (calendar: blank work center = all), and
    the folder's customers.csv (the hand-built factory of tests/data/capacity by default)."""
    with db.cursor() as cur:
        for path in sorted(folder.glob(f"{prefix}_*.csv")):
            table = path.stem[len(prefix) + 1:]
            select = "SELECT * EXCLUDE (work_center), coalesce(work_center, '') AS work_center" if table == "calendar" else "SELECT *"
            cur.execute(f"INSERT INTO {table} BY NAME {select} FROM read_csv(?, header = true, auto_detect = true)",
                        [str(path)])
        cur.execute("INSERT INTO customers BY NAME SELECT * FROM read_csv(?, header = true)", [str(folder / "customers.csv")])


@pytest.fixture
def con(db, request):
    """A cursor on a fresh database holding the test module's hand-built scenario: the module
    sets SCENARIO = "quality" for tests/data/quality/scenario.sql."""
    with db.cursor() as cur:
        cur.execute((DATA / request.module.SCENARIO / "scenario.sql").read_text(encoding="utf-8"))
        yield cur


@pytest.fixture
def empty(db):
    """A cursor on a fresh, empty database."""
    with db.cursor() as cur:
        yield cur


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A demo factory database file around AS_OF, generated once per test session."""
    from lib import demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    d = Database(path)
    demo.generate(d, as_of=AS_OF)
    d.checkpoint()
    d.close()
    return path


@pytest.fixture(scope="session")
def empty_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Database(path).close()
    return path


@pytest.fixture
def demo_copy(demo_path, tmp_path) -> Path:
    """A private copy of the demo database, for tests that write (logins, forms, imports)."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, path)
    return path


def app_test(monkeypatch, db_path, *, lang: str = "en", auth: str = "off", state: dict | None = None):
    """The whole app (app.py) on `db_path` at AS_OF, run once (the Overview, or the login)."""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("TANDEM_DB", str(db_path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", lang)
    monkeypatch.setenv("TANDEM_AUTH", auth)    # off: pages without login; tests/test_login_app.py covers the gate
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    return at


def select_page(at, url: str):
    """Open the page registered at `url` on the next run. Pages are st.Page(callable): Streamlit
    names a page by the hash of its url path, and AppTest.switch_page only finds file pages."""
    from streamlit.util import calc_hash
    at._page_hash = calc_hash(url)
    return at


def run_page(monkeypatch, db_path, url: str, lang: str = "en", state: dict | None = None):
    """An AppTest with the page at `url` drawn (after one run of the Overview, as a browser would)."""
    at = app_test(monkeypatch, db_path, lang=lang, state=state)
    if url != "overview":
        select_page(at, url).run()
    return at


def free_port() -> int:
    """A TCP port nobody listens on now, for a test's own server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, seconds: float = 90, pause: float = 0.3) -> bool:
    """True once the Streamlit server at `url` answers its health check; False after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                return True
        except OSError:
            time.sleep(pause)
    return False
