"""Shared fixtures: a fresh in-memory database, demo/empty database files for page tests, and the
AppTest helpers every page test uses (app_test, select_page, run_page).

Both stores: a test marked `both_stores` (`pytestmark` for a whole module) that uses `db` (and so
`con`, `empty`, ...) or `demo_path` / `demo_copy` runs twice, on DuckDB and on PostgreSQL (a fresh
plant, i.e. PostgreSQL schema, per test; the demo once per session). PostgreSQL is the server at
TANDEM_TEST_PG (e.g. postgresql://postgres@127.0.0.1:5433/postgres; `.ci/run` starts one); without
it the PostgreSQL variants skip, saying so."""
from __future__ import annotations

import itertools
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
# read once, at import: the fixture below hides every TANDEM_* variable from the tests themselves
PG_URL = os.environ.get("TANDEM_TEST_PG") or None
STORES = ("duckdb", "postgres")
_PLANT_NUMBERS = itertools.count(1)


class PgTarget(str):
    """A PostgreSQL plant where a test expects a database path: the URL, with its plant."""

    def __new__(cls, url: str, plant: str):
        obj = super().__new__(cls, url)
        obj.plant = plant
        return obj


def new_plant_name(prefix: str = "t") -> str:
    """A plant name no other test (or test run) uses."""
    return f"{prefix}_{os.getpid()}_{next(_PLANT_NUMBERS)}"


def _both_stores(node) -> "pytest.Mark | None":
    return node.get_closest_marker("both_stores")


def pytest_generate_tests(metafunc):
    """A test marked both_stores (or in a module marked so) runs on each store."""
    if _both_stores(metafunc.definition) and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", STORES, indirect=True, scope="session")


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.both_stores(only=[...])`: of a parametrised test, only the cases whose id
    holds one of these parts also run on PostgreSQL (the suite's time budget)."""
    keep, drop = [], []
    for item in items:
        mark = _both_stores(item)
        spec = getattr(item, "callspec", None)
        only = mark.kwargs.get("only") if mark else None
        if only and spec and spec.params.get("store") == "postgres" and \
                not set(spec.id.split("-")) & set(only):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def store(request) -> str:
    """Which store the test's database is on: duckdb, or postgres (skipped without a server)."""
    name = getattr(request, "param", "duckdb")
    if name == "postgres" and not PG_URL:
        pytest.skip("PostgreSQL variant: set TANDEM_TEST_PG=postgresql://... (.ci/run starts a server)")
    return name


@pytest.fixture(autouse=True)
def _no_developer_config(monkeypatch):
    """Tests never read a developer's own TANDEM_* settings (TANDEM_TEST_PG was read at import)."""
    for key in list(os.environ):
        if key.startswith("TANDEM_"):
            monkeypatch.delenv(key, raising=False)


_CLEAN_PLANTS: list[str] = []     # migrated plants emptied by a finished test, ready for the next


def pg_database(plant: str | None = None):
    """A fresh, migrated plant on the test PostgreSQL server (give it back with drop_pg)."""
    from lib.store.postgres import PostgresDatabase, drop_plant
    if plant is None and _CLEAN_PLANTS:
        return PostgresDatabase(PG_URL, plant=_CLEAN_PLANTS.pop())
    plant = plant or new_plant_name()
    drop_plant(PG_URL, plant)
    return PostgresDatabase(PG_URL, plant=plant)


def drop_pg(d) -> None:
    """Close a test's plant and empty it for the next test (creating one costs a second or more)."""
    from lib.store.postgres import _PLANTS, _connect, drop_plant
    d.close()
    for other in list(_PLANTS.values()):     # stores a test opened on further plants (the group)
        other.close()
    con = _connect(PG_URL, autocommit=True)
    try:
        con.cursor().execute(f"""DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = '{d.plant}'
                     AND tablename <> 'schema_migrations' LOOP
                EXECUTE format('TRUNCATE %I.%I', '{d.plant}', r.tablename);
            END LOOP;
            FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = '{d.plant}' LOOP
                EXECUTE format('ALTER SEQUENCE %I.%I RESTART', '{d.plant}', r.sequencename);
            END LOOP;
            INSERT INTO "{d.plant}"._tandem_versions VALUES ('schema_migrations', 1, 1);
            INSERT INTO "{d.plant}"._tandem_commits (commit_no, source) VALUES (1, 'test reset');
        END $$""")
        _CLEAN_PLANTS.append(d.plant)
    except Exception:  # noqa: BLE001 - a plant that cannot be emptied is dropped
        drop_plant(PG_URL, d.plant)
    finally:
        con.close()


def pytest_sessionfinish(session, exitstatus):
    """The plants tests left on the server are dropped."""
    if PG_URL and _CLEAN_PLANTS:
        from lib.store.postgres import drop_plant
        for plant in _CLEAN_PLANTS:
            drop_plant(PG_URL, plant)


@pytest.fixture
def db(store) -> Database:
    """A fresh in-memory database with every migration applied (or a fresh PostgreSQL plant)."""
    if store == "postgres":
        d = pg_database()
        yield d
        drop_pg(d)
        return
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
    sets SCENARIO = "quality" for tests/data/quality/scenario.sql (on PostgreSQL written through
    the gateway, so that it is in PostgreSQL too)."""
    sql = (DATA / request.module.SCENARIO / "scenario.sql").read_text(encoding="utf-8")
    if getattr(db, "plant", None):
        with db.transaction(source="test") as tx:
            tx.cur.execute(sql)
        with db.cursor() as cur:
            yield cur
        return
    with db.cursor() as cur:
        cur.execute(sql)
        yield cur


@pytest.fixture
def empty(db):
    """A cursor on a fresh, empty database."""
    with db.cursor() as cur:
        yield cur


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo factory database file around AS_OF, generated once per test session."""
    from lib import demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    d = Database(path)
    demo.generate(d, as_of=AS_OF)
    d.checkpoint()
    d.close()
    return path


@pytest.fixture(scope="session")
def pg_source(demo_file, tmp_path_factory) -> Path:
    """A copy of demo_file that PostgreSQL plants are loaded from (read while DuckDB tests may
    hold demo_file itself open in this process)."""
    path = tmp_path_factory.mktemp("pg_source") / "demo.duckdb"
    shutil.copy(demo_file, path)
    return path


@pytest.fixture(scope="session")
def pg_demo(pg_source):
    """The demo factory in a PostgreSQL plant (the same rows as demo_file), once per session."""
    if not PG_URL:
        pytest.skip("PostgreSQL variant: set TANDEM_TEST_PG=postgresql://... (.ci/run starts a server)")
    d = pg_database(new_plant_name("demo"))
    d.replace_with(pg_source)
    yield PgTarget(PG_URL, d.plant)
    drop_pg(d)


@pytest.fixture(scope="session")
def demo_path(request, store, demo_file):
    """The demo factory: a database file (or, in a BOTH_STORES module, also a PostgreSQL plant)."""
    if store == "postgres":
        return request.getfixturevalue("pg_demo")
    return demo_file


@pytest.fixture(scope="session")
def empty_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Database(path).close()
    return path


@pytest.fixture
def demo_copy(request, store, demo_file, tmp_path) -> Path:
    """A private copy of the demo database, for tests that write (logins, forms, imports)."""
    if store == "postgres":
        d = pg_database()
        d.replace_with(request.getfixturevalue("pg_source"))
        yield PgTarget(PG_URL, d.plant)
        drop_pg(d)
        return
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    yield path


def app_test(monkeypatch, db_path, *, lang: str = "en", auth: str = "off", state: dict | None = None):
    """The whole app (app.py) on `db_path` at AS_OF, run once (the Overview, or the login)."""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("TANDEM_DB", str(db_path))
    if getattr(db_path, "plant", None):
        monkeypatch.setenv("TANDEM_PLANT", db_path.plant)
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
