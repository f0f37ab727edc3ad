"""Backup and restore of the whole database, through the gateway.

A backup is a directory DuckDB writes with EXPORT DATABASE (schema.sql, load.sql and one Parquet
file per table): portable across machines and DuckDB versions. A restore builds a new database
file beside the live one from such a directory and moves it into place only when it is whole,
so a failed restore leaves the existing database untouched.
"""
from __future__ import annotations

from pathlib import Path

from lib.errors import TandemError, ValidationError
from lib.store.db import Database

REQUIRED_TABLES = {"schema_migrations", "order_lines", "work_centers"}


def write_backup(db: Database, target: Path) -> None:
    """Write a backup of `db` into the new (or empty) directory `target`."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise TandemError(f"{target} exists and is not empty; choose a new directory.", title="Not written")
    db.export_database(target)


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


def replace_file(new: Path, target: Path) -> None:
    """Move a freshly built database file over `target` (and drop target's stale WAL)."""
    Path(str(target) + ".wal").unlink(missing_ok=True)
    Path(str(new) + ".wal").unlink(missing_ok=True)
    new.replace(target)


def restore_backup(source: Path, target: Path) -> None:
    """Replace the database file `target` with the backup in `source` (all or nothing)."""
    source, target = Path(source), Path(target)
    if not (source / "schema.sql").is_file() or not (source / "load.sql").is_file():
        raise ValidationError(f"{source} is not a Tandem backup (schema.sql and load.sql are missing); "
                              "the current database was left untouched.", title="Not restored")
    tmp = target.with_name(target.name + ".restore")
    _remove(tmp)
    try:
        db = Database(tmp, migrate=False)
        try:
            try:
                db.import_database(source)
            except TandemError as e:
                raise ValidationError(f"{source} could not be read as a backup ({e.detail}); "
                                      "the current database was left untouched.", title="Not restored") from e
            missing = REQUIRED_TABLES - set(db.tables())
            if missing:
                raise ValidationError(f"{source} does not hold a Tandem database (missing {', '.join(sorted(missing))}); "
                                      "the current database was left untouched.", title="Not restored")
            db.checkpoint()
        finally:
            db.close()
    except BaseException:
        _remove(tmp)
        raise
    if target.exists():
        Database(target, migrate=False).close()    # refuses if another process holds the file
    replace_file(tmp, target)
    Database(target).close()   # bring an older backup's schema up to date
