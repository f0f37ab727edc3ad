"""`python -m lib backup` / `restore`: a manifest in every backup, and a restore that is all or
nothing. Every kind of damage is refused with exit 1 and a message saying what is wrong, and
leaves the live database exactly as it was (same rows, still opening) and no temporary file."""
import hashlib
import json
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from lib.cli import main
from lib.people.auth import SYSTEM
from lib.store.backup import write_backup
from lib.store.db import MIGRATIONS_DIR, Database
from tests.conftest import ROOT

MIGRATIONS = [p.stem for p in sorted(MIGRATIONS_DIR.glob("*.sql"))]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def fill_source(db: Database) -> None:
    """The backed-up factory: 2 customers, 3 order lines, and one known integrity problem
    (a BOM row naming material M404, which does not exist)."""
    with db.transaction(SYSTEM, source="test") as tx:
        tx.insert("work_centers", {"work_center": "W1", "name": "Press", "line": "L1", "hours_per_day": 8})
        tx.insert("products", {"product": "P1", "name": "Bracket", "family": "F"})
        tx.insert("routings", {"product": "P1", "step": 1, "work_center": "W1", "setup_hours": 1,
                               "run_hours_per_unit": 0.1, "lead_days": 1})
        tx.insert("bom", {"product": "P1", "material": "M404", "qty_per": 2})
        for c in ("C1", "C2"):
            tx.insert("customers", {"customer": c, "name": c})
        for n in (1, 2, 3):
            tx.insert("order_lines", {"order_no": "SO1", "line_no": n, "customer": "C1", "product": "P1",
                                      "qty": 10 * n, "order_date": date(2026, 11, 2),
                                      "requested_date": date(2026, 12, 1)})


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A backup of the source factory, and a live database that differs from it (one customer LIVE)."""
    base = tmp_path_factory.mktemp("backup")
    src = Database(base / "source.duckdb")
    fill_source(src)
    write_backup(src, base / "bk")
    src.close()
    live = Database(base / "live.duckdb")
    with live.transaction(SYSTEM, source="test") as tx:
        tx.insert("customers", {"customer": "LIVE", "name": "Live Co"})
    live.checkpoint()
    live.close()
    return base


@pytest.fixture
def case(made, tmp_path):
    """(live database file, backup directory): private copies for one test."""
    shutil.copy(made / "live.duckdb", tmp_path / "live.duckdb")
    shutil.copytree(made / "bk", tmp_path / "bk")
    return tmp_path / "live.duckdb", tmp_path / "bk"


def state(path: Path) -> dict:
    """Rows per table of the database file (which must open) and its customers."""
    d = Database(path, migrate=False)
    try:
        return {"rows": d.table_counts(),
                "customers": d.query("SELECT customer FROM customers ORDER BY 1")["customer"].tolist()}
    finally:
        d.close()


def leftovers(folder: Path) -> list[str]:
    """Files beside the live database other than the database itself."""
    return sorted(p.name for p in folder.iterdir() if p.name not in ("live.duckdb", "bk"))


# ---------------------------------------------------------------------------- damage

def _manifest(bk: Path) -> dict:
    return json.loads((bk / "manifest.json").read_text())


def _edit_manifest(bk: Path, change) -> None:
    m = _manifest(bk)
    change(m)
    (bk / "manifest.json").write_text(json.dumps(m))


def _rehash(bk: Path, name: str) -> None:
    """The manifest made to agree with a changed file, as a careless or crafted edit would."""
    _edit_manifest(bk, lambda m: m["files"].__setitem__(name, hashlib.sha256((bk / name).read_bytes()).hexdigest()))


def _cut_load_sql(bk: Path) -> None:
    lines = (bk / "load.sql").read_text().splitlines(keepends=True)
    (bk / "load.sql").write_text("".join(lines[:20]))


def _drop_copy_line(bk: Path, rehash: bool) -> None:
    text = (bk / "load.sql").read_text()
    (bk / "load.sql").write_text("".join(line for line in text.splitlines(keepends=True)
                                         if not line.startswith("COPY order_lines ")))
    if rehash:
        _rehash(bk, "load.sql")


def _garble(bk: Path, name: str, rehash: bool = False) -> None:
    data = bytearray((bk / name).read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    (bk / name).write_bytes(bytes(data))
    if rehash:
        _rehash(bk, name)


def _append(bk: Path, name: str, sql: str) -> None:
    with open(bk / name, "a") as f:
        f.write(sql)
    _rehash(bk, name)


def _not_a_backup(bk: Path) -> None:
    shutil.rmtree(bk)
    bk.mkdir()
    (bk / "notes.txt").write_text("holiday photos")


def _junk_schema(bk: Path) -> None:
    (bk / "schema.sql").write_text("garbage ;;; !!")
    _rehash(bk, "schema.sql")


DAMAGE = [
    ("load.sql cut to 20 lines", _cut_load_sql, ["load.sql does not match its checksum",
                                                 "order_lines", "tables are not loaded by load.sql"]),
    ("a COPY line removed", lambda bk: _drop_copy_line(bk, False),
     ["load.sql does not match its checksum", "order_lines is not loaded by load.sql (the manifest says 3 rows)"]),
    ("a COPY line removed, checksum made to agree", lambda bk: _drop_copy_line(bk, True),
     ["order_lines is not loaded by load.sql (the manifest says 3 rows)"]),
    ("a Parquet file missing", lambda bk: (bk / "order_lines.parquet").unlink(), ["order_lines.parquet is missing"]),
    ("a Parquet file garbled", lambda bk: _garble(bk, "order_lines.parquet"),
     ["order_lines.parquet does not match its checksum"]),
    ("a Parquet file garbled, checksum made to agree", lambda bk: _garble(bk, "order_lines.parquet", True),
     ["it could not be read"]),
    ("a wrong checksum", lambda bk: _edit_manifest(bk, lambda m: m["files"].__setitem__("customers.parquet", "0" * 64)),
     ["customers.parquet does not match its checksum"]),
    ("a row count that does not match", lambda bk: _edit_manifest(bk, lambda m: m["tables"].__setitem__("order_lines", 4)),
     ["order_lines has 3 rows after loading, the manifest says 4"]),
    ("a manifest for a newer schema", lambda bk: _edit_manifest(bk, lambda m: m["schema_version"].append("999_future")),
     ["written for a newer schema (999_future unknown to this Tandem)", "upgrade Tandem"]),
    ("a manifest for another schema version", lambda bk: _edit_manifest(bk, lambda m: m["schema_version"].pop()),
     [f"its schema_migrations hold {', '.join(MIGRATIONS)}, the manifest says {', '.join(MIGRATIONS[:-1])}"]),
    ("no manifest", lambda bk: (bk / "manifest.json").unlink(), ["has no manifest.json", "--no-manifest"]),
    ("a manifest that is not JSON", lambda bk: (bk / "manifest.json").write_text("{ not json"),
     ["manifest.json is damaged"]),
    ("a manifest of the wrong shape", lambda bk: _edit_manifest(bk, lambda m: m.__setitem__("tables", ["x"])),
     ["manifest.json is damaged (tables is missing or not a dict of int)"]),
    ("a directory that is not a backup", _not_a_backup, ["is not a Tandem backup (schema.sql and load.sql missing)"]),
    ("no such directory", lambda bk: shutil.rmtree(bk), ["is not a Tandem backup (no such directory)"]),
    ("schema.sql that is not SQL", _junk_schema, ["schema.sql is not valid SQL"]),
    ("schema.sql that attaches a file", lambda bk: _append(bk, "schema.sql", "ATTACH 'elsewhere.duckdb' AS x;\n"),
     ["schema.sql does more than create the schema", "ATTACH 'elsewhere.duckdb'"]),
    ("load.sql that writes a file", lambda bk: _append(bk, "load.sql", "COPY users TO 'leak.csv';\n"),
     ["load.sql does more than load the backup's files", "COPY users TO"]),
    ("an integrity problem the original did not have",
     lambda bk: _edit_manifest(bk, lambda m: m["check"].__setitem__("orphan bom.material -> materials", 0)),
     ["fails the integrity check where the original did not",
      "orphan bom.material -> materials finds 1 rows, 0 when the backup was taken"]),
]


@pytest.mark.parametrize("damage,messages", [(d, m) for _, d, m in DAMAGE], ids=[n for n, _, _ in DAMAGE])
def test_damaged_backup_is_refused_and_the_live_database_untouched(case, capsys, damage, messages):
    live, bk = case
    before = state(live)
    damage(bk)
    code, out, err = run(capsys, "restore", str(bk), "--db", str(live))
    assert code == 1, out
    for m in messages:
        assert m in err
    assert "The current database was left untouched." in err and "Traceback" not in err
    assert state(live) == before and before["customers"] == ["LIVE"]
    assert leftovers(live.parent) == []


# ---------------------------------------------------------------------------- what works

def test_round_trip_restores_the_backup_exactly_and_audits_it(case, capsys, made):
    live, bk = case
    code, out, err = run(capsys, "restore", str(bk), "--db", str(live))
    assert (code, err) == (0, "")
    assert f"{len(_manifest(bk)['tables'])} tables" in out and "(taken 20" in out
    got = state(live)
    m = _manifest(bk)
    assert got["customers"] == ["C1", "C2"]
    rows = {**m["tables"], "audit_log": m["tables"]["audit_log"] + 1}   # + the restore's own audit row
    assert got["rows"] == rows
    d = Database(live)
    try:
        assert d.query("SELECT username, action, source FROM audit_log ORDER BY audit_id DESC LIMIT 1"
                       ).values.tolist() == [["system", "restore", "restore"]]
    finally:
        d.close()
    assert leftovers(live.parent) == []


def test_manifest_says_what_the_backup_holds(made):
    m = _manifest(made / "bk")
    assert (m["format"], m["format_version"]) == ("tandem-backup", 1)
    assert m["schema_version"] == MIGRATIONS
    assert m["tables"]["order_lines"] == 3 and m["tables"]["customers"] == 2 and m["tables"]["settings"] == 0
    assert {"schema.sql", "load.sql", "order_lines.parquet"} <= set(m["files"])
    assert m["files"]["schema.sql"] == hashlib.sha256((made / "bk" / "schema.sql").read_bytes()).hexdigest()
    assert m["check"]["orphan bom.material -> materials"] == 1 and m["check"]["negative stock"] == 0
    assert m["duckdb_version"].startswith("v") and m["tandem_version"] and m["taken_at"][:2] == "20"


def test_an_old_backup_without_manifest_needs_the_flag_and_reports_problems(case, capsys):
    live, bk = case
    (bk / "manifest.json").unlink()
    code, out, err = run(capsys, "restore", str(bk), "--no-manifest", "--db", str(live))
    assert code == 0
    assert "no manifest" in out
    assert "warning: integrity check: orphan bom.material -> materials (1 rows)" in err
    assert state(live)["customers"] == ["C1", "C2"]


def test_without_manifest_a_table_that_is_not_loaded_is_still_refused(case, capsys):
    live, bk = case
    before = state(live)
    (bk / "manifest.json").unlink()
    _drop_copy_line(bk, False)
    code, _, err = run(capsys, "restore", str(bk), "--no-manifest", "--db", str(live))
    assert code == 1 and "order_lines is not loaded by load.sql." in err
    assert state(live) == before and leftovers(live.parent) == []


def test_a_backup_of_an_older_schema_is_brought_up_to_date(tmp_path, capsys):
    old = Database(tmp_path / "old.duckdb", migrate=False)      # a database of the first migration only
    with old.cursor() as cur:
        cur.execute((MIGRATIONS_DIR / f"{MIGRATIONS[0]}.sql").read_text(encoding="utf-8"))
    assert old.applied_migrations() == []
    with old.cursor() as cur:
        cur.execute("INSERT INTO schema_migrations (name) VALUES (?)", [MIGRATIONS[0]])
    write_backup(old, tmp_path / "bk")
    old.close()
    assert _manifest(tmp_path / "bk")["schema_version"] == MIGRATIONS[:1]
    live = tmp_path / "live.duckdb"
    Database(live).close()
    assert run(capsys, "restore", str(tmp_path / "bk"), "--db", str(live))[0] == 0
    d = Database(live, migrate=False)
    assert d.applied_migrations() == MIGRATIONS
    d.close()


def test_a_damaged_live_file_can_be_replaced(case, capsys):
    live, bk = case
    live.write_bytes(b"this is not a database" * 100)
    Path(str(live) + ".wal").write_bytes(b"stale")
    code, _, err = run(capsys, "restore", str(bk), "--db", str(live))
    assert (code, err) == (0, "")
    assert state(live)["customers"] == ["C1", "C2"] and leftovers(live.parent) == []


def test_leftovers_of_a_killed_restore_are_cleaned_up(case, capsys):
    live, bk = case
    (live.parent / "live.duckdb.restore").write_bytes(b"half a database")
    (live.parent / "live.duckdb.restore.wal").write_bytes(b"half a log")
    assert run(capsys, "restore", str(bk), "--db", str(live))[0] == 0
    assert leftovers(live.parent) == []


def test_restore_refuses_a_database_held_by_another_process_and_leaves_nothing(case, capsys):
    live, bk = case
    before = state(live)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(live)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    try:
        assert holder.stdout.readline().strip() == "ready"
        code, _, err = run(capsys, "restore", str(bk), "--db", str(live))
        assert code == 1 and f"another process (PID {holder.pid}: python" in err and "left untouched" in err
        assert "Stop it first" in err and "--db OTHER.duckdb" in err
        assert leftovers(live.parent) == []
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert state(live) == before


@contextmanager
def _busy_at_the_swap(target, refusal):
    raise refusal("another process (PID 1: python -m lib serve)")
    yield


def _interrupted(db):
    raise KeyboardInterrupt


@pytest.mark.parametrize("name,replacement,message", [
    ("replacing", _busy_at_the_swap, "another process (PID 1: python -m lib serve) holds"),   # started meanwhile
    ("check_counts", _interrupted, "interrupted"),                              # Ctrl+C while building
])
def test_a_failure_after_the_build_removes_the_new_file(case, capsys, monkeypatch, name, replacement, message):
    live, bk = case
    before = state(live)
    monkeypatch.setattr(f"lib.store.backup.{name}", replacement)
    code, _, err = run(capsys, "restore", str(bk), "--db", str(live))
    assert code == 1 and message in err
    assert state(live) == before and leftovers(live.parent) == []


# ---------------------------------------------------------------------------- backup refusals

def test_backup_refuses_a_non_empty_target_and_leaves_it_alone(tmp_path, capsys):
    path = tmp_path / "t.duckdb"
    Database(path).close()
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "x").write_text("x")
    code, _, err = run(capsys, "backup", str(tmp_path / "bk"), "--db", str(path))
    assert code == 1 and "not an empty directory" in err
    assert [p.name for p in (tmp_path / "bk").iterdir()] == ["x"]
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "backup", str(tmp_path / "file"), "--db", str(path))
    assert code == 1 and "not an empty directory" in err


def test_backup_into_an_empty_directory_writes_the_manifest_last(tmp_path, capsys):
    path = tmp_path / "t.duckdb"
    Database(path).close()
    (tmp_path / "bk").mkdir()
    code, out, _ = run(capsys, "backup", str(tmp_path / "bk"), "--db", str(path))
    assert code == 0 and "checksums in manifest.json" in out
    files = _manifest(tmp_path / "bk")["files"]
    assert sorted(files) == sorted(p.name for p in (tmp_path / "bk").iterdir() if p.name != "manifest.json")
