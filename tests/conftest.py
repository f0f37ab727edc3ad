"""Shared fixtures: a fresh in-memory database, and demo/empty database files for page tests."""
from __future__ import annotations

import os
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


def load_csv(db: Database, table: str, path: Path) -> None:
    """Load a scenario CSV from tests/data into `table` (columns by name)."""
    with db.cursor() as cur:
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_csv(?, header = true, auto_detect = true)",
                    [str(path)])


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
