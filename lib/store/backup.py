"""Backup and restore of the whole database, through the gateway.

A backup is a directory DuckDB writes with EXPORT DATABASE (schema.sql, load.sql and one Parquet
file per table: portable across machines and DuckDB versions) and Tandem's `manifest.json`:
the tables and their row counts, a sha256 checksum of every file, the schema version (the
applied migrations), the Tandem and DuckDB versions, when it was taken, and how many rows each
integrity check found (lib.store.check) at that moment.

A restore is all or nothing:
1. the backup is read without running any of it: the manifest, every file against its checksum,
   the schema it was written for, and what schema.sql and load.sql would do (schema.sql may only
   create the schema, load.sql only load the backup's own files, and every table must be loaded);
2. a new database file is built beside the live one (`<name>.restore`) from it; every table's
   row count is compared with the manifest, the schema brought up to date and the integrity
   check run (a check may not find more than it found when the backup was taken);
3. only then is the new file moved over the live one (os.replace, atomic on one file system),
   holding the live file meanwhile (lib.store.db.replacing) so that nobody opens it.
A restore is refused, before anything is built, while a dashboard runs on the live file or any
process holds it: nothing replaces a database a process holds (stop it first). On any failure
the temporary files are removed and the live database was never touched.

A backup without manifest.json (written before Tandem recorded one) is refused unless the caller
asks for it (`without_manifest=True`, `restore --no-manifest`): then nothing can be compared with
what was backed up, so only steps 1–3 without the manifest's parts are done and the integrity
problems found are reported, not refused (the old backup cannot say whether it had them).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import lib
from lib.errors import DatabaseBusy, TandemError, ValidationError
from lib.people.auth import SYSTEM
from lib.store import postgres, statements
from lib.store.check import check_counts
from lib.store.db import MIGRATIONS_DIR, Database, holder, replacing

MANIFEST = "manifest.json"
FORMAT = "tandem-backup"
FORMAT_VERSION = 1
# without a manifest, a directory must at least create these to be taken for a Tandem database
REQUIRED_TABLES = {"schema_migrations", "order_lines", "work_centers"}
UNTOUCHED = "The current database was left untouched."


@dataclass
class Restored:
    """What a restore brought back."""
    tables: dict[str, int]                              # rows per table, as restored
    taken_at: str | None                                # when the backup was taken (manifest)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Backup:
    """A backup directory, read and checked without running any of it."""
    path: Path
    manifest: dict | None
    created: set[str]        # tables schema.sql creates


# ---------------------------------------------------------------------------- backup

def write_backup(db: Database, target: Path) -> dict:
    """Write a backup of `db` into the new (or empty) directory `target`; return its manifest.

    Writes are held off while it is taken, so the row counts and checks in the manifest are
    those of the exported data. A failed backup removes what it wrote.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TandemError(f"{target} exists and is not an empty directory; choose a new directory.",
                          title="Not written")
    created = not target.exists()
    try:
        with db.writes_held():
            db.export_database(target)
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION,
                "taken_at": datetime.now().isoformat(timespec="seconds"),
                "tandem_version": lib.__version__, "duckdb_version": db.duckdb_version(),
                "schema_version": db.applied_migrations(),
                "tables": db.table_counts(),
                "check": check_counts(db),
                "files": {p.name: _sha256(p) for p in sorted(target.iterdir()) if p.is_file()},
            }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        elif target.is_dir():
            for p in target.iterdir():            # it was empty: everything in it is ours
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
        raise
    return manifest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------- restore

def restore_backup(source: Path, target: Path | str, *, without_manifest: bool = False) -> Restored:
    """Replace the database file `target` (or a PostgreSQL plant: a postgresql:// URL) with the
    backup in `source`: all or nothing (see the module doc). Raises a TandemError saying what is
    wrong; the live database is then untouched."""
    source = Path(source)
    if postgres.is_url(str(target)):
        return _restore_postgres(source, str(target), without_manifest)
    target = Path(target)
    backup = read_backup(source, without_manifest=without_manifest)
    held = _held(source, target)
    who = holder(target)
    if who:
        raise held(who)                            # before anything is built: no temporary file
    tmp = target.with_name(target.name + ".restore")
    remove_temporary(tmp)                          # left by a restore that was killed
    try:
        restored = _build(tmp, backup)
        with replacing(target, held):              # again, holding it: the build took a while
            # the live file has no WAL after its checkpoint; one left here belongs to a damaged
            # file, and must not be replayed onto the restored one
            Path(str(target) + ".wal").unlink(missing_ok=True)
            os.replace(tmp, target)
    except BaseException:
        remove_temporary(tmp)
        raise
    return restored


def _restore_postgres(source: Path, url: str, without_manifest: bool) -> Restored:
    """A restore into a PostgreSQL plant: the backup is checked and built into a DuckDB file
    exactly as for a file, then every row of the plant is replaced in one PostgreSQL transaction."""
    backup = read_backup(source, without_manifest=without_manifest)
    tmp = build_path(url)
    try:
        restored = _build(tmp, backup)
        replace_database(tmp, url, source="restore")
    finally:
        remove_temporary(tmp)
        shutil.rmtree(tmp.parent, ignore_errors=True)
    return restored


def _held(source: Path, target: Path):
    """The refusal of a restore onto a file that `who` holds."""
    def refusal(who: str) -> DatabaseBusy:
        return DatabaseBusy(
            f"{who} holds {target}, and a restore would replace the database under it: what is saved there "
            "afterwards would be lost. Stop it first (the dashboard: Ctrl+C in its terminal, or stop its "
            "service), then restore; replacing live data is a deliberate act, never a side effect of a "
            f"running job. To look at the backup meanwhile, restore it into a new file: `python -m lib restore "
            f"{source} --db OTHER.duckdb`. Nothing was restored. {UNTOUCHED}")
    return refusal


def _refuse(source: Path, problems: list[str] | str) -> ValidationError:
    text = "; ".join(problems) if isinstance(problems, list) else problems
    return ValidationError(f"{source} cannot be restored: {text}. {UNTOUCHED}", title="Not restored")


def read_backup(source: Path, *, without_manifest: bool = False) -> _Backup:
    """Check a backup directory without running any of it; raise ValidationError listing every
    problem found (missing or changed files, a schema this Tandem does not know, SQL that does
    more than create and load, tables that are not loaded)."""
    source = Path(source)
    missing = [n for n in ("schema.sql", "load.sql") if not (source / n).is_file()]
    if not source.is_dir() or missing:
        why = "no such directory" if not source.exists() else (
            "not a directory" if not source.is_dir() else f"{' and '.join(missing)} missing")
        raise ValidationError(f"{source} is not a Tandem backup ({why}). {UNTOUCHED}", title="Not restored")
    manifest = _read_manifest(source, without_manifest)
    problems = _file_problems(source, manifest) if manifest else []
    created, schema_problems = _schema_sql(source)
    problems += schema_problems
    loaded, load_problems = _load_sql(source, created, set(manifest["files"]) if manifest else None)
    problems += load_problems
    tables = manifest["tables"] if manifest else None
    if unloaded := sorted(created - loaded):
        problems.append(_not_loaded(unloaded, tables or {}))
    if manifest:
        problems += [f"{t} is in the manifest but schema.sql does not create it" for t in sorted(set(tables) - created)]
        problems += [f"schema.sql creates {t}, which the manifest does not list" for t in sorted(created - set(tables))]
        problems += _schema_version_problems(manifest["schema_version"])
    elif not problems and (absent := REQUIRED_TABLES - created):
        problems.append(f"it does not hold a Tandem database (no {', '.join(sorted(absent))})")
    if problems:
        raise _refuse(source, problems)
    return _Backup(source, manifest, created)


def _not_loaded(tables: list[str], rows: dict[str, int]) -> str:
    """order_lines is not loaded by load.sql (the manifest says 2,866 rows)"""
    known = [rows[t] for t in tables if t in rows]
    said = f" (the manifest says {sum(known):,} rows{' in them' if len(tables) > 1 else ''})" if known else ""
    if len(tables) == 1:
        return f"{tables[0]} is not loaded by load.sql{said}"
    return f"{len(tables)} tables are not loaded by load.sql: {', '.join(tables)}{said}"


def _read_manifest(source: Path, without_manifest: bool) -> dict | None:
    path = source / MANIFEST
    if not path.is_file():
        if without_manifest:
            return None
        raise _refuse(source, f"it has no {MANIFEST}, so what it holds cannot be verified. A backup written "
                              "by an older Tandem can be restored with --no-manifest (its files are then not "
                              "checked against checksums and row counts)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _refuse(source, f"{MANIFEST} is damaged ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(source, f"{MANIFEST} is not a Tandem backup manifest")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise _refuse(source, f"{MANIFEST} is of format {manifest.get('format_version')!r}, newer than this "
                              f"Tandem reads ({FORMAT_VERSION}): upgrade Tandem first")
    shapes = {"tables": (dict, int), "files": (dict, str), "check": (dict, int), "schema_version": (list, str)}
    for key, (outer, inner) in shapes.items():
        value = manifest.get(key)
        items = value.values() if isinstance(value, dict) else value
        if not isinstance(value, outer) or not all(isinstance(v, inner) and not isinstance(v, bool) for v in items):
            raise _refuse(source, f"{MANIFEST} is damaged ({key} is missing or not a {outer.__name__} "
                                  f"of {inner.__name__})")
    return manifest


def _file_problems(source: Path, manifest: dict) -> list[str]:
    problems = []
    files = manifest["files"]
    for name in ("schema.sql", "load.sql"):
        if name not in files:
            problems.append(f"{MANIFEST} has no checksum of {name}")
    for name, digest in sorted(files.items()):
        path = source / name
        if Path(name).name != name or name in ("", ".", ".."):
            problems.append(f"{MANIFEST} names a file outside the backup ({name!r})")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif _sha256(path) != digest:
            problems.append(f"{name} does not match its checksum in {MANIFEST} (changed or damaged)")
    return problems


def _statements(source: Path, name: str) -> tuple[list[statements.Statement], list[str]]:
    try:
        return statements.analyse((source / name).read_text(encoding="utf-8")), []
    except UnicodeDecodeError:
        return [], [f"{name} is not text (damaged)"]
    except Exception as e:  # noqa: BLE001 - duckdb.ParserException: the file is not SQL
        return [], [f"{name} is not valid SQL ({str(e).splitlines()[0]})"]


def _schema_sql(source: Path) -> tuple[set[str], list[str]]:
    """The tables schema.sql creates; it may only create (tables, views, sequences, ...)."""
    stmts, problems = _statements(source, "schema.sql")
    created = set()
    for n, st in enumerate(stmts, 1):
        if st.type != "CREATE" or st.problem or any(w.kind != "create" for w in st.writes):
            problems.append(f"schema.sql does more than create the schema (statement {n}: {_short(st.text)})")
        created |= {w.table for w in st.writes if w.object == "table" and w.kind == "create"}
    return created, problems


def _load_sql(source: Path, created: set[str], listed: set[str] | None) -> tuple[set[str], list[str]]:
    """The tables load.sql loads; it may only COPY the backup's own files (those the manifest
    lists, when there is one) into tables schema.sql creates."""
    stmts, problems = _statements(source, "load.sql")
    loaded = set()
    for n, st in enumerate(stmts, 1):
        w = st.writes[0] if len(st.writes) == 1 else None
        if st.type != "COPY" or w is None or w.kind != "copy" or not w.source:
            problems.append(f"load.sql does more than load the backup's files (statement {n}: {_short(st.text)})")
            continue
        name = Path(w.source).name
        if listed is not None and name not in listed:
            problems.append(f"load.sql loads {w.table} from {name}, which the manifest does not list")
        elif listed is None and not (source / name).is_file():
            problems.append(f"{name} is missing (load.sql loads {w.table} from it)")
        elif w.table not in created:
            problems.append(f"load.sql loads {w.table}, which schema.sql does not create")
        else:
            loaded.add(w.table)
    return loaded, problems


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_version_problems(version: list[str]) -> list[str]:
    known = [p.stem for p in sorted(MIGRATIONS_DIR.glob("*.sql"))]
    unknown = [m for m in version if m not in known]
    if unknown:
        return [f"it was written for a newer schema ({', '.join(unknown)} unknown to this Tandem): "
                "upgrade Tandem before restoring it"]
    return []


def _build(tmp: Path, backup: _Backup) -> Restored:
    """The restored database in `tmp`, verified and brought up to date (or an error)."""
    manifest = backup.manifest
    db = Database(tmp, migrate=False)
    try:
        try:
            db.import_database(backup.path)
        except TandemError as e:
            raise _refuse(backup.path, f"it could not be read ({e.detail})") from e
        counts = db.table_counts()
        if manifest:
            problems = [f"{t} has {counts.get(t, 0):,} rows after loading, the manifest says {n:,}"
                        for t, n in sorted(manifest["tables"].items()) if counts.get(t) != n]
            applied = db.applied_migrations()
            if applied != manifest["schema_version"]:
                problems.append(f"its schema_migrations hold {', '.join(applied) or 'nothing'}, "
                                f"the manifest says {', '.join(manifest['schema_version'])}")
            if problems:
                raise _refuse(backup.path, problems)
    finally:
        db.close()
    try:
        db = Database(tmp)                         # an older backup's schema brought up to date
    except TandemError as e:
        raise _refuse(backup.path, f"its schema could not be brought up to date ({e.detail})") from e
    try:
        warnings = _check(db, backup)
        with db.transaction(SYSTEM, source="restore") as tx:
            tx.audit("restore", None, None, None, None,
                     f"{backup.path.resolve()}" + (f" (taken {manifest['taken_at']})" if manifest else ""))
        counts = db.table_counts()
        db.checkpoint()
    finally:
        db.close()
    return Restored(counts, manifest.get("taken_at") if manifest else None, warnings)


def _check(db: Database, backup: _Backup) -> list[str]:
    """Refuse a restored database in which a check finds more than when the backup was taken;
    return what is worth a warning (problems an old backup or an older Tandem cannot vouch for)."""
    found = {k: n for k, n in check_counts(db).items() if n}
    if backup.manifest is None:
        return [f"integrity check: {k} ({n:,} rows); see `python -m lib check`" for k, n in sorted(found.items())]
    recorded = backup.manifest["check"]
    worse = [f"{k} finds {n:,} rows, {recorded[k]:,} when the backup was taken"
             for k, n in sorted(found.items()) if k in recorded and n > recorded[k]]
    if worse:
        raise _refuse(backup.path, "the restored database fails the integrity check where the original did not: "
                      + ", ".join(worse))
    return [f"integrity check: {k} ({n:,} rows; not checked when the backup was taken)"
            for k, n in sorted(found.items()) if k not in recorded]


def remove_temporary(path: Path) -> None:
    """A temporary database file and what DuckDB keeps beside it (WAL, spill directory)."""
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(Path(str(path) + ".tmp"), ignore_errors=True)


def database_exists(target: str) -> bool:
    """Whether `target` (a file, or a PostgreSQL plant) already holds a Tandem database with data."""
    if not postgres.is_url(str(target)):
        return Path(target).exists()
    from lib import settings
    if settings.plant() not in postgres.plants(str(target)):
        return False
    db = Database(str(target))
    try:
        return bool(db.scalar("SELECT count(*) FROM meta")) or bool(db.scalar("SELECT count(*) FROM users"))
    finally:
        db.close()


def build_path(target: str) -> Path:
    """Where a new database is built before it replaces `target`: beside the file, or for a
    PostgreSQL plant in a temporary directory."""
    if not postgres.is_url(str(target)):
        path = Path(target)
        return path.with_name(path.name + ".new")
    import tempfile
    return Path(tempfile.mkdtemp(prefix="tandem-build-")) / "new.duckdb"


def replace_database(new: Path, target: str, *, source: str = "init") -> None:
    """Move a freshly built database over `target`: a file is replaced atomically, a PostgreSQL
    plant has every row replaced in one transaction (its schema brought up to date first)."""
    if not postgres.is_url(str(target)):
        replace_file(new, Path(target))
        return
    db = Database(str(target))
    try:
        db.replace_with(new, source=source)
    finally:
        db.close()
        remove_temporary(new)
        if new.parent.name.startswith("tandem-build-"):
            shutil.rmtree(new.parent, ignore_errors=True)


def replace_file(new: Path, target: Path) -> None:
    """Move a freshly built database file over `target` (and drop target's stale WAL)."""
    Path(str(target) + ".wal").unlink(missing_ok=True)
    Path(str(new) + ".wal").unlink(missing_ok=True)
    new.replace(target)
