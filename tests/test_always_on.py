"""Always on: commands while the dashboard runs, nothing swapped under it, the folder sync, and
a write that changes nothing moving nothing.

The server tests start real dashboards on database files (`python -m lib serve`, as README
says, and plain `streamlit run app.py`), without a browser, and drive them the way cron and an
administrator would: `python -m lib ...` in another process. Two server starts in all."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from lib.people.auth import SYSTEM
from lib.store import handoff
from lib.store.db import Database
from lib.store.imports import import_file
from lib.store.sync import REPORT_NAME, sync_folder
from tests.conftest import AS_OF, ROOT, free_port, wait_until_healthy


def _env(**more) -> dict:
    """A child's environment: this one's (the autouse fixture has dropped TANDEM_*), a fixed 'today'."""
    return {**os.environ, "TANDEM_AS_OF": AS_OF.isoformat(), "TANDEM_AUTH": "off", "PYTHONPATH": str(ROOT), **more}


# ---------------------------------------------------------------------------- changing nothing moves nothing

def _freshness(db) -> list:
    return db.query("SELECT section, updated_at, updated_by, source FROM section_updates ORDER BY 1").values.tolist()


def test_an_import_that_changes_nothing_changes_nothing(db):
    import_file(db, SYSTEM, "customers", b"customer,name\nC1,Acme\nC2,Beta\n", "c.csv")
    v, fresh, audit = db.data_version(), _freshness(db), db.scalar("SELECT count(*) FROM audit_log")
    assert [r[0] for r in fresh] == ["sales"]
    time.sleep(0.01)                      # a stamp would differ from the first one
    r = import_file(db, SYSTEM, "customers", b"customer,name\nC1,Acme\nC2,Beta\n", "again.csv")
    assert (r.inserted, r.updated, r.unchanged) == (0, 0, 2)
    assert db.data_version() == v and _freshness(db) == fresh
    assert db.scalar("SELECT count(*) FROM audit_log") == audit


def test_only_a_unit_that_writes_moves_the_version_and_stamps_its_sections(db):
    v = db.data_version()
    with db.transaction(SYSTEM) as tx:
        tx.writing("customers")                                   # declared, nothing written
        tx.execute("CREATE TEMP TABLE _scratch AS SELECT 1 AS x")  # staging is no change
    assert db.data_version() == v and _freshness(db) == []
    with db.transaction(SYSTEM) as tx:                            # the system's own SQL: no stamp
        tx.execute("INSERT INTO customers (customer, name) VALUES ('C1', 'Acme')")
    assert db.data_version() == v + 1 and _freshness(db) == []
    with db.transaction(SYSTEM) as tx:                            # declared and written: stamped
        tx.writing("work_centers")
        tx.execute("INSERT INTO work_centers (work_center, name, line, hours_per_day) VALUES ('W1', 'Press', 'L1', 8)")
    assert db.data_version() == v + 2 and [r[0] for r in _freshness(db)] == ["pmc"]


# ---------------------------------------------------------------------------- sync DIR

ORDERS = "order,line,customer,product,qty,order_date,requested_date\nSO1,1,N1,P1,5,2026-11-20,2026-12-30\n"


def _erp_folder(folder: Path) -> Path:
    """What an ERP drops: orders (referring to a new customer and product), the customer file
    under a name that says nothing (its headers do), products by name, a refused file, a file
    no table fits, an office lock file and a PDF."""
    folder.mkdir()
    (folder / "orders_2026-11-25.csv").write_text(ORDERS, encoding="utf-8")
    (folder / "export-1.csv").write_text("客户,名称\nN1,New One\n", encoding="utf-8")
    (folder / "products.csv").write_text("product,name,family,unit\nP1,Bracket,F,pcs\n", encoding="utf-8")
    (folder / "suppliers.csv").write_text("supplier,name\nS1,\n", encoding="utf-8")       # name is required
    (folder / "mystery.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    (folder / "~$products.xlsx").write_bytes(b"lock")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    return folder


def test_sync_imports_a_folder_in_dependency_order_each_file_all_or_nothing(db, tmp_path):
    folder = _erp_folder(tmp_path / "erp")
    r = sync_folder(db, SYSTEM, folder)
    assert [(f.file, f.table, f.result) for f in r.files] == [
        ("products.csv", "products", "imported"),            # master data first (IMPORT_ORDER) ...
        ("suppliers.csv", "suppliers", "refused"),
        ("export-1.csv", "customers", "imported"),           # recognised by its (Chinese) headers
        ("orders_2026-11-25.csv", "orders", "imported"),     # ... then what refers to it
        ("mystery.csv", None, "not recognised")]
    assert r.ignored == ["notes.pdf"] and not r.complete
    assert db.scalar("SELECT count(*) FROM suppliers") == 0     # the refused file wrote nothing
    frame = r.frame()
    assert frame.query("result == 'problem'")[["file", "row", "column"]].values.tolist() == [["suppliers.csv", 2, "name"]]
    v = db.data_version()
    again = sync_folder(db, SYSTEM, folder)
    assert [f.result for f in again.files] == ["unchanged", "refused", "unchanged", "unchanged", "not recognised"]
    assert db.data_version() == v


def test_sync_command_writes_its_report_and_exits_1_unless_everything_is_in(tmp_path, capsys):
    from lib.cli import main
    path = str(tmp_path / "t.duckdb")
    Database(path).close()
    folder = _erp_folder(tmp_path / "erp")
    assert main(["sync", str(folder), "--db", path]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "products from products.csv: 1 added, 0 updated, 0 unchanged, 0 skipped."
    assert out.splitlines()[-1] == (f"{folder}: 5 table files (3 imported, 1 refused, 1 not recognised), "
                                    f"1 other file(s) left alone; report in {folder / REPORT_NAME}")
    assert "suppliers.csv" in err and "mystery.csv: neither its name nor its headers" in err
    report = pd.read_csv(folder / REPORT_NAME, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert report[report.result != "problem"][["file", "result", "added"]].values.tolist() == [
        ["products.csv", "imported", "1"], ["suppliers.csv", "refused", ""], ["export-1.csv", "imported", "1"],
        ["orders_2026-11-25.csv", "imported", "1"], ["mystery.csv", "not recognised", ""]]
    for name in ("suppliers.csv", "mystery.csv"):
        (folder / name).unlink()
    assert main(["sync", str(folder), "--db", path, "--report", str(tmp_path / "r.csv")]) == 0
    assert "(3 unchanged)" in capsys.readouterr().out


# ---------------------------------------------------------------------------- the handoff's security

def test_the_socket_record_and_directory_are_the_users_alone(tmp_path):
    listener = handoff.Listener(str(tmp_path / "x.duckdb"), lambda r: {"ok": True}).start()
    try:
        record = handoff.find(str(tmp_path / "x.duckdb"))
        assert record is not None and record.pid == os.getpid()
        mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
        assert mode(tmp_path / "x.duckdb.handoff") == 0o600
        assert mode(record.socket) == 0o600 and mode(Path(record.socket).parent) == 0o700
        forged = handoff.Record(**{**record.__dict__, "token": "guessed"})
        assert handoff.call(forged, {"op": "status"}) == {
            "ok": False, "error": "not authorised: the request does not carry this dashboard's token."}
        assert handoff.call(record, {"op": "status"})["ok"] is True
    finally:
        listener.close()
    assert handoff.find(str(tmp_path / "x.duckdb")) is None and not (tmp_path / "x.duckdb.handoff").exists()
    assert not Path(record.socket).exists()


def test_no_listener_where_the_socket_directory_is_open_to_others(tmp_path, monkeypatch, caplog):
    from lib.ui import server
    runtime = tmp_path / "run"
    (runtime / "tandem").mkdir(parents=True)
    os.chmod(runtime / "tandem", 0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    with pytest.raises(handoff.HandoffUnavailable, match="is not a private directory"):
        handoff.runtime_dir()
    try:
        assert server.listen(str(tmp_path / "x.duckdb")) is None
    finally:
        server.stop_listening()
    assert "is not a private directory" in caplog.text and not (tmp_path / "x.duckdb.handoff").exists()


# ---------------------------------------------------------------------------- a running dashboard

class Dashboard:
    """A dashboard process on `db` (argv: the command that starts it, with {port})."""

    def __init__(self, argv: list[str], db: Path, log: Path, env: dict | None = None):
        self.db, self.port = db, free_port()
        self._log = open(log, "w")
        self.proc = subprocess.Popen([a.format(port=self.port) for a in argv], cwd=str(ROOT), env=_env(**(env or {})),
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        if wait_until_healthy(self.url):
            return
        self.stop()
        pytest.fail(f"the dashboard did not start; see {log}: {log.read_text()[-2000:]}")

    def status(self) -> dict:
        record = handoff.find(str(self.db))
        assert record is not None and record.pid == self.proc.pid, "no dashboard takes commands for the file"
        return handoff.call(record, {"op": "status"})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def cli(*argv, cwd: Path, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *argv], cwd=str(cwd), input=stdin, capture_output=True,
                          text=True, timeout=300, env=_env(**(env or {})))


@pytest.fixture(scope="module")
def served(demo_path, tmp_path_factory):
    """`python -m lib serve` on a copy of the demo database; (dashboard, its database, a work folder)."""
    work = tmp_path_factory.mktemp("always-on")
    db = work / "live.duckdb"
    shutil.copy(demo_path, db)
    d = Dashboard([sys.executable, "-m", "lib", "serve", "--port={port}", "--address=127.0.0.1", "--db", str(db)],
                  db, work / "serve.log")
    yield d, db, work
    d.stop()


def _beside(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name))


def test_every_command_works_while_the_dashboard_runs(served):
    dash, db, work = served
    first = dash.status()
    assert first["pid"] == dash.proc.pid and first["database"] == str(db.resolve())
    # the nightly ERP job: a folder with new master data and an order referring to it
    erp = work / "erp"
    erp.mkdir()
    (erp / "customers.csv").write_text("customer,name\nNIGHT1,Night Shift Co\n", encoding="utf-8")
    (erp / "orders.csv").write_text("order,line,customer,product,qty,order_date,requested_date\n"
                                    "NIGHT-SO,1,NIGHT1,P-1001,5,2026-11-24,2027-01-29\n", encoding="utf-8")
    r = cli("sync", "erp", "--db", str(db), cwd=work)
    assert (r.returncode, r.stderr) == (0, "") and "(2 imported); report in" in r.stdout
    seen = dash.status()
    assert seen["holding"] and seen["data_version"] > (first["data_version"] or 0)   # every open page reloads
    r = cli("sync", "erp", "--db", str(db), cwd=work)                                                 # the next night: no change
    assert r.returncode == 0 and "(2 unchanged)" in r.stdout
    assert dash.status()["data_version"] == seen["data_version"]
    # reads, exports, checks and quotes, as they print and exit when run on a file nobody holds
    r = cli("export", "customers", "customers.xlsx", "--db", str(db), cwd=work)
    assert (r.returncode, r.stderr) == (0, "") and (work / "customers.xlsx").stat().st_size > 0
    r = cli("check", "--db", str(db), cwd=work)
    assert (r.returncode, r.stdout, r.stderr) == (0, f"{db}: no problems found\n", "")
    r = cli("load", "--by", "day", "--weeks", "104", "--db", str(db), cwd=work)
    assert r.returncode == 0 and r.stdout.startswith("work_center,period,")
    r = cli("promise", "--product", "NOPE", "--qty", "5", "--requested", "2026-12-01", "--db", str(db), cwd=work)
    assert (r.returncode, r.stderr) == (1, "Please check the input: product: there is no product 'NOPE'.\n")
    r = cli("promise", "--product", "P-1001", "--qty", "abc", "--requested", "2026-12-01", cwd=work)
    assert r.returncode == 2 and "'abc' is not a number" in r.stderr
    r = cli("reset-password", "admin", "--password-stdin", "--db", str(db), cwd=work, stdin="night shift 42\n")
    assert (r.returncode, r.stderr) == (0, "")
    r = cli("backup", "bk0", "--db", str(db), cwd=work)
    assert (r.returncode, r.stderr) == (0, "")
    # replacing the file under it is refused, naming the dashboard, leaving nothing behind
    version = dash.status()["data_version"]
    for argv in (["init", "--empty", "--force"], ["restore", "bk0"]):
        r = cli(*argv, "--db", str(db), cwd=work)
        assert r.returncode == 1 and f"the dashboard (PID {dash.proc.pid}, started" in r.stderr, r.stderr
        assert "Stop it first" in r.stderr and "Traceback" not in r.stderr
    assert set(_beside(db)) - {"live.duckdb.wal"} == {"live.duckdb", "live.duckdb.handoff"}
    assert dash.status()["data_version"] == version and dash.status()["holding"]


def test_a_backup_from_the_command_line_restores_to_the_same_rows(served):
    dash, db, work = served
    r = cli("backup", "bk", "--db", str(db), cwd=work)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    copy = work / "restored.duckdb"                   # nobody holds this file: restored here
    r = cli("restore", "bk", "--db", str(copy), cwd=work)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    import json
    manifest = json.loads((work / "bk" / "manifest.json").read_text())
    restored = Database(copy)
    try:
        counts = restored.table_counts()
        assert {t: counts[t] for t in manifest["tables"] if t != "audit_log"} == \
            {t: n for t, n in manifest["tables"].items() if t != "audit_log"}
        assert counts["audit_log"] == manifest["tables"]["audit_log"] + 1      # + the restore's own row
        assert restored.scalar("SELECT name FROM customers WHERE customer = 'NIGHT1'") == "Night Shift Co"
    finally:
        restored.close()
    quote = ["promise", "--product", "P-1001", "--qty", "100", "--requested", "2026-12-20", "--format", "json"]
    live, here = cli(*quote, "--db", str(db), cwd=work), cli(*quote, "--db", str(copy), cwd=work)
    assert (live.returncode, live.stdout, live.stderr) == (here.returncode, here.stdout, here.stderr)


def _big_customers(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("customer,name\n")
        f.writelines(f"BULK{i:07d},Bulk customer {i}\n" for i in range(n))


def test_kill_9_in_the_middle_of_a_handed_over_import_leaves_nothing_partial(served):
    """The last test of the module: it kills the dashboard."""
    dash, db, work = served
    n = 500_000
    _big_customers(work / "bulk.csv", n)
    before = dash.status()
    client = subprocess.Popen([sys.executable, "-m", "lib", "import", "customers", "bulk.csv", "--db", str(db)],
                              cwd=str(work), env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not any(w.startswith("import customers bulk.csv") for w in dash.status()["running"]):
        assert time.time() < deadline and client.poll() is None, "the import was never handed over"
        time.sleep(0.05)
    time.sleep(1.0)                                   # reading, checking and writing 500,000 rows: ~3 s
    os.killpg(dash.proc.pid, signal.SIGKILL)
    dash.proc.wait(timeout=30)
    out, err = client.communicate(timeout=60)
    assert client.returncode == 1 and "stopped before it answered" in err and "run the command again" in err
    assert handoff.find(str(db)) is None                  # a killed dashboard's record is no one's
    # the file, opened here now: the import is all there or not at all, and its audit with it
    d = Database(db)
    try:
        bulk = d.scalar("SELECT count(*) FROM customers WHERE customer LIKE 'BULK%'")
        audited = d.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND row_key LIKE 'BULK%' "
                           "AND column_name = 'name'")
        assert bulk in (0, n) and audited == bulk
        assert d.scalar("SELECT count(*) FROM customers WHERE customer = 'NIGHT1'") == 1    # nothing lost
        assert d.data_version() == before["data_version"] + (1 if bulk else 0)
    finally:
        d.close()
    r = cli("check", "--db", str(db), cwd=work)       # with no dashboard, commands open the file themselves
    assert (r.returncode, r.stderr) == (0, "")


# ---------------------------------------------------------------------------- plain `streamlit run app.py`

async def _open_session(url: str) -> None:
    """What a browser does when it opens the app: a websocket session and one script run."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    async with websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60, ping_interval=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
            if fwd.WhichOneof("type") == "script_finished":
                return


def test_streamlit_run_takes_commands_from_its_first_session(demo_path, tmp_path):
    pytest.importorskip("websockets")
    db = tmp_path / "app.duckdb"
    shutil.copy(demo_path, db)
    env_db = {"TANDEM_DB": str(db)}
    dash = Dashboard([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port={port}",
                      "--server.address=127.0.0.1"], db, tmp_path / "streamlit.log", env_db)
    try:
        assert handoff.find(str(db)) is None          # nothing has opened the database yet
        # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _open_session(dash.url)).result()
        assert dash.status()["holding"]
        r = cli("check", cwd=tmp_path, env=env_db)    # TANDEM_DB names it, as for the dashboard
        assert (r.returncode, r.stdout, r.stderr) == (0, f"{db}: no problems found\n", "")
        r = cli("init", "--demo", "--force", cwd=tmp_path, env=env_db)
        assert r.returncode == 1 and f"the dashboard (PID {dash.proc.pid}" in r.stderr
    finally:
        dash.stop()
    assert handoff.find(str(db)) is None and not Path(str(db) + ".handoff").exists()   # stopped: cleaned up
