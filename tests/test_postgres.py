"""The PostgreSQL store itself: one write path with its audit rows in one PostgreSQL transaction,
row-level conflict checks, retries after serialisation failures, and a second process seeing a
commit (TANDEM_TEST_PG; skipped without it)."""
import subprocess
import sys
import textwrap
import time

import pytest

from lib.errors import Conflict
from lib.people.auth import SYSTEM
from tests.conftest import PG_URL, ROOT

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL store: set TANDEM_TEST_PG=postgresql://... "
                                "(.ci/run starts a server)")


@pytest.fixture
def plant():
    from tests.conftest import drop_pg, pg_database
    d = pg_database()
    with d.transaction(SYSTEM, source="test") as tx:
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
    yield d
    drop_pg(d)


def pg_rows(d, sql: str) -> list[tuple]:
    """Rows straight from PostgreSQL (not the mirror), in the plant's schema."""
    from lib.store.postgres import _connect
    con = _connect(PG_URL, autocommit=True)
    try:
        cur = con.cursor()
        cur.execute(f"SET search_path TO {d.schema}")
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]
    finally:
        con.close()


def pg_run(d, sql: str) -> None:
    """A writer that bypasses Tandem (an ERP job writing to the tables directly)."""
    from lib.store.postgres import _connect
    con = _connect(PG_URL, autocommit=True)
    try:
        cur = con.cursor()
        cur.execute(f"SET search_path TO {d.schema}")
        cur.execute(sql)
    finally:
        con.close()


def audit_count(d) -> int:
    return pg_rows(d, "SELECT count(*) FROM audit_log")[0][0]


def test_a_write_and_its_audit_rows_reach_postgresql_together(plant):
    from lib.store.postgres import PostgresDatabase
    other = PostgresDatabase(PG_URL, plant=plant.plant, migrate=False)     # as another process has it
    try:
        before = audit_count(plant)
        with plant.transaction(SYSTEM, source="test") as tx:
            tx.update("customers", {"customer": "C1"}, {"name": "Acme Ltd"})
        assert pg_rows(plant, "SELECT name FROM customers WHERE customer = 'C1'") == [("Acme Ltd",)]
        audit = pg_rows(plant, f"SELECT audit_id, table_name, row_key, column_name, old_value, new_value "
                               f"FROM audit_log ORDER BY audit_id OFFSET {before}")
        assert [r[1:] for r in audit] == [("customers", "C1", "name", "Acme", "Acme Ltd")]
        # the other store fetches the appended audit rows (above the highest id it holds)
        other.sync(force=True)
        assert [tuple(r) for r in other.query(
            "SELECT audit_id, table_name, row_key, column_name, old_value, new_value FROM audit_log "
            f"ORDER BY audit_id OFFSET {before}").itertuples(index=False)] == audit
        assert other.scalar("SELECT name FROM customers WHERE customer = 'C1'") == "Acme Ltd"
    finally:
        other.close()


def test_a_row_changed_behind_the_mirror_refuses_the_write_and_saves_nothing(plant):
    before = audit_count(plant)
    with pytest.raises(Conflict, match="customers C1 was changed by someone else"):
        with plant.transaction(SYSTEM, source="test") as tx:
            tx.update("customers", {"customer": "C1"}, {"name": "Acme Ltd"})
            pg_run(plant, "UPDATE customers SET name = 'Acme GmbH' WHERE customer = 'C1'")
    assert pg_rows(plant, "SELECT name FROM customers WHERE customer = 'C1'") == [("Acme GmbH",)]
    assert audit_count(plant) == before
    # the refused write reloads the table, so "reload and try again" starts from PostgreSQL's row
    plant.sync(force=True)
    assert plant.scalar("SELECT name FROM customers WHERE customer = 'C1'") == "Acme GmbH"
    with plant.transaction(SYSTEM, source="test") as tx:
        tx.update("customers", {"customer": "C1"}, {"name": "Acme Ltd"})
    assert pg_rows(plant, "SELECT name FROM customers WHERE customer = 'C1'") == [("Acme Ltd",)]


def test_a_new_row_whose_key_postgresql_already_holds_is_a_conflict(plant):
    with pytest.raises(Conflict, match="another process added this record"):
        with plant.transaction(SYSTEM, source="test") as tx:
            tx.insert("customers", {"customer": "C2", "name": "Mine"})
            pg_run(plant, "INSERT INTO customers VALUES ('C2', 'Theirs')")
    assert pg_rows(plant, "SELECT name FROM customers WHERE customer = 'C2'") == [("Theirs",)]
    plant.sync(force=True)
    assert plant.scalar("SELECT name FROM customers WHERE customer = 'C2'") == "Theirs"


class _SerialisationFailure(Exception):
    sqlstate = "40001"


def test_a_serialisation_failure_is_retried_and_the_write_lands_once(plant, monkeypatch):
    from lib.store.postgres import PostgresDatabase
    real, calls = PostgresDatabase._replay_once, []

    def flaky(self, pg, capture, tx):
        calls.append(1)
        real(self, pg, capture, tx)
        if len(calls) == 1:          # PostgreSQL gave up this attempt after the rows were written
            raise _SerialisationFailure("could not serialize access due to concurrent update")
    monkeypatch.setattr(PostgresDatabase, "_replay_once", flaky)
    before = audit_count(plant)
    with plant.transaction(SYSTEM, source="test") as tx:
        tx.update("customers", {"customer": "C1"}, {"name": "Acme Ltd"})
    assert len(calls) == 2 and plant.retries == 1
    assert pg_rows(plant, "SELECT name FROM customers") == [("Acme Ltd",)]
    assert audit_count(plant) == before + 1


READER = textwrap.dedent("""
    import sys, time
    from lib.people.auth import SYSTEM
    from lib.store.postgres import PostgresDatabase
    d = PostgresDatabase(sys.argv[1], plant=sys.argv[2], migrate=False)
    d.scalar("SELECT count(*) FROM customers")
    print("ready", flush=True)
    deadline = time.time() + 20
    while d.scalar("SELECT name FROM customers WHERE customer = 'C1'") != "seen?" and time.time() < deadline:
        time.sleep(0.01)
    print(time.time(), flush=True)
    with d.transaction(SYSTEM, source="test") as tx:      # and a write back, for the first process
        tx.update("customers", {"customer": "C1"}, {"name": "seen!"})
    print(time.time(), flush=True)
    d.close()
""")


def test_a_commit_in_one_process_is_seen_by_another_within_a_second(plant):
    other = subprocess.Popen([sys.executable, "-c", READER, PG_URL, plant.plant], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "ready", other.stderr.read()
        with plant.transaction(SYSTEM, source="test") as tx:
            tx.update("customers", {"customer": "C1"}, {"name": "seen?"})
        committed = time.time()
        line = other.stdout.readline()
        assert line.strip(), other.stderr.read()
        seen = float(line)
        deadline = time.time() + 20
        while plant.scalar("SELECT name FROM customers WHERE customer = 'C1'") != "seen!" and time.time() < deadline:
            time.sleep(0.01)
        seen_here = time.time()
        assert seen - committed < 1.0
        assert seen_here - float(other.stdout.readline()) < 1.0   # and the other way round
        assert other.wait(timeout=20) == 0, other.stderr.read()
    finally:
        other.kill()


# ---------------------------------------------------------------------------- several plants

def _period():
    from datetime import date

    from lib.filters import Filters
    return Filters(start=date(2026, 11, 2), end=date(2026, 11, 15)), date(2026, 11, 25)


def _shipped(d, line_id: int, promised: str, shipped: str) -> None:
    with d.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, "
                   "requested_date, promised_date, shipped_qty, status) VALUES (?, 'O1', 1, 'C1', 'P1', 10, "
                   "'2026-10-01', ?, ?, 10, 'closed')", [line_id, promised, promised])
        tx.execute("INSERT INTO shipments (line_id, ship_date, qty) VALUES (?, ?, 10)", [line_id, shipped])


def _account(d, username: str) -> None:
    with d.transaction(SYSTEM, source="test") as tx:
        tx.insert("users", {"username": username, "display_name": username, "role": "viewer"})


@pytest.fixture
def two_plants(plant):
    from tests.conftest import drop_pg, pg_database
    other = pg_database()
    _shipped(plant, 1, "2026-11-05", "2026-11-04")      # on time: OTD 100 %
    _shipped(other, 1, "2026-11-05", "2026-11-09")      # late: OTD 0 %
    yield plant, other
    drop_pg(other)


def test_group_overview_reads_each_plant_with_the_tiles_function(two_plants):
    from lib.sections import group, overview
    here, there = two_plants
    f, as_of = _period()
    found = dict(group.table(here, f, as_of))
    assert list(found)[0] == here.plant and there.plant in found
    for d in (here, there):
        with d.cursor() as cur:
            assert [(k.key, k.value) for k in found[d.plant]] == [(k.key, k.value) for k in overview.headline(cur, f, as_of)]
    otd = {p: next(k.value for k in kpis if k.key == "kpi.otd") for p, kpis in found.items() if p in (here.plant, there.plant)}
    assert otd == {here.plant: 1.0, there.plant: 0.0}


def test_a_plant_is_read_only_by_those_with_an_account_there(two_plants):
    from lib.people.auth import User
    from lib.sections import group
    here, there = two_plants
    _account(here, "ann")
    _account(here, "bo")
    _account(there, "bo")
    readable = lambda name: {p.name: p.store is not None for p in group.plants(here, User(name, "viewer"))}  # noqa: E731
    assert readable("ann")[there.plant] is False
    assert readable("bo")[there.plant] is True


def test_group_command_lists_every_plant(two_plants, monkeypatch, capsys):
    from lib.cli import main
    here, there = two_plants
    monkeypatch.setenv("TANDEM_PLANT", here.plant)
    assert main(["group", "--db", PG_URL, "--as-of", "2026-11-25", "--format", "json"]) == 0
    import json
    rows = json.loads(capsys.readouterr().out)
    assert {r["plant"] for r in rows} >= {here.plant, there.plant}
    assert {r["plant"]: r["value"] for r in rows if r["kpi"] == "otd" and r["plant"] in (here.plant, there.plant)} \
        == {here.plant: 1.0, there.plant: 0.0}


def test_group_page_shows_every_plant(two_plants, monkeypatch):
    from tests.conftest import PgTarget, run_page
    here, there = two_plants
    at = run_page(monkeypatch, PgTarget(PG_URL, here.plant), "group")
    assert not at.exception, at.exception
    heads = [h.value.replace("\\", "") for h in at.subheader]     # names drawn as text (md_text)
    assert any(here.plant in h for h in heads) and there.plant in heads
