"""Commands that create, copy and check the whole database:

    python -m lib init --demo|--empty [--as-of YYYY-MM-DD] [--seed N] [--scale demo|large] [--force]
    python -m lib backup DIR  /  restore DIR
    python -m lib check

`init` and `restore` replace the file, so they run only in their own process and refuse while a
dashboard (or any process) holds it; `backup` and `check` are handed to a running dashboard.
"""
from __future__ import annotations

import sys
from pathlib import Path

from lib import settings
from lib.cli.common import Group, err, open_db, parse_date, say, where, whole
from lib.errors import DatabaseBusy, TandemError

group = Group()
command = group.command


def is_url(db) -> bool:
    """A PostgreSQL URL (lib.store.postgres.is_url; not imported here: the command line starts
    without the engines)."""
    return str(db).startswith(("postgresql://", "postgres://"))


# ---------------------------------------------------------------------------- init

def _init_args(p):
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--demo", action="store_true", help="fill with the generated demo factory")
    kind.add_argument("--empty", action="store_true", help="only the schema, for real use")
    p.add_argument("--as-of", type=parse_date, default=None, metavar="YYYY-MM-DD",
                   help="the demo's 'today' (default: TANDEM_AS_OF, else the real date)")
    p.add_argument("--seed", type=whole(0, None, "seed"), default=7, metavar="N", help="demo random seed")
    p.add_argument("--scale", default="demo", choices=("demo", "large"), help="demo size")
    p.add_argument("--force", action="store_true", help="replace an existing database (never one a process holds)")


def _init_held(path: Path):
    def refusal(who: str) -> DatabaseBusy:
        return DatabaseBusy(
            f"{who} holds {path}, and `init` would replace the database under it: everything saved there "
            "afterwards would be lost. Stop it first (the dashboard: Ctrl+C in its terminal, or stop its "
            "service), then run the command again; replacing live data is a deliberate act, never a side "
            "effect of a running job. To try an empty database meanwhile, create a new file: "
            "`python -m lib init --empty --db OTHER.duckdb`. Nothing was replaced.")
    return refusal


@command("init", "create the database: the demo factory, or empty for real use", _init_args, local=True)
def cmd_init(args) -> int:
    if is_url(args.db):
        return _init_plant(args)
    from lib.store.backup import remove_temporary, replace_file
    from lib.store.db import Database, holder, replacing
    path = where(args.db)
    if path.exists() and not args.force:
        raise TandemError(f"{path} already exists. Use --force to replace it (its data will be lost; "
                          "make a backup first with `python -m lib backup DIR`).", title="Not replaced")
    refusal = _init_held(path)
    who = holder(path)
    if who:
        raise refusal(who)                     # before anything is built: no temporary file
    # build into a temporary file first, so a failure leaves the existing database untouched
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    remove_temporary(tmp)
    try:
        text = _fill(Database(tmp), args, path)
        with replacing(path, refusal):         # again, holding it: the build took a while
            replace_file(tmp, path)
    except BaseException:
        remove_temporary(tmp)
        raise
    say(text)
    return 0


def _fill(db, args, path) -> str:
    """Fill a new database (the demo, or empty) and close it; the line saying what was written."""
    try:
        if args.demo:
            from lib import demo
            counts = demo.generate(db, as_of=args.as_of, seed=args.seed, scale=args.scale,
                                   progress=_progress if err().isatty() else None)
            text = f"demo factory written to {path}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)
        else:
            with db.transaction(source="cli") as tx:
                tx.execute("INSERT INTO meta VALUES ('mode', 'empty') ON CONFLICT (key) DO UPDATE "
                           "SET value = 'empty'")
            text = f"empty database written to {path}"
        db.checkpoint()
    finally:
        db.close()
    return text


def _init_plant(args) -> int:
    """init on a PostgreSQL plant: built in a DuckDB file first, then every row of the plant
    replaced in one PostgreSQL transaction (no process holds a plant: others see the new rows)."""
    import shutil

    from lib.store.backup import (
        build_path,
        database_exists,
        remove_temporary,
        replace_database,
    )
    from lib.store.db import Database
    from lib.store.postgres import masked
    label = f"{masked(args.db)} (plant {settings.plant()})"
    if database_exists(args.db) and not args.force:
        raise TandemError(f"{label} already holds a database. Use --force to replace it (its data will be lost; "
                          "make a backup first with `python -m lib backup DIR`).", title="Not replaced")
    tmp = build_path(args.db)
    try:
        text = _fill(Database(tmp), args, label)
        replace_database(tmp, args.db)
    except BaseException:
        remove_temporary(tmp)
        shutil.rmtree(tmp.parent, ignore_errors=True)
        raise
    say(text)
    return 0


def _progress(share: float, what: str) -> None:
    bar = "#" * int(share * 30)
    print(f"\r[{bar:<30}] {share * 100:5.1f}% {what:<30}", end="", file=sys.stderr, flush=True)
    if share >= 1:
        print(file=sys.stderr)


# ---------------------------------------------------------------------------- backup / restore

@command("backup", "write a portable backup (Parquet and manifest.json) to a new directory",
         lambda p: p.add_argument("target", metavar="DIR", help="directory to create (or an empty one)"))
def cmd_backup(args) -> int:
    from lib.store.backup import write_backup
    manifest = write_backup(open_db(args), where(args.target))
    tables = manifest["tables"]
    say(f"backup written to {args.target}: {len(tables)} tables, {sum(tables.values()):,} rows, "
        f"{len(manifest['files'])} files with their checksums in manifest.json")
    return 0


def _restore_args(p):
    p.add_argument("source", metavar="DIR", help="a directory written by backup")
    p.add_argument("--no-manifest", action="store_true",
                   help="restore a backup written before Tandem recorded manifest.json: its files cannot "
                        "be checked against checksums and row counts")
    p.add_argument("--force", action="store_true", help="(kept for scripts; restore always replaces)")


@command("restore", "replace the database with a backup, all or nothing (never while a process holds it)",
         _restore_args, local=True)
def cmd_restore(args) -> int:
    from lib.store.backup import restore_backup
    r = restore_backup(where(args.source), args.db if is_url(args.db) else where(args.db),
                       without_manifest=args.no_manifest)
    for w in r.warnings:
        say(f"warning: {w}", error=True)
    taken = f" (taken {r.taken_at})" if r.taken_at else " (no manifest: not verified against one)"
    say(f"restored {args.db} from {args.source}{taken}: {len(r.tables)} tables, {sum(r.tables.values()):,} rows")
    return 0


# ---------------------------------------------------------------------------- check

@command("check", "check the database's integrity (orphans, negative stock, ...)")
def cmd_check(args) -> int:
    from lib.store.check import integrity_problems
    db = open_db(args)
    problems = integrity_problems(db)
    if problems.empty:
        say(f"{args.db}: no problems found")
        return 0
    say(problems.to_string(index=False))
    say(f"{len(problems)} kinds of problem found", error=True)
    return 1
