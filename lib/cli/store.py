"""Commands that create, copy and check the whole database:

    python -m lib init --demo|--empty [--as-of YYYY-MM-DD] [--seed N] [--scale demo|large] [--force]
    python -m lib backup DIR  /  restore DIR
    python -m lib check
"""
from __future__ import annotations

import sys
from pathlib import Path

from lib.cli.common import Group, open_db, parse_date
from lib.errors import TandemError
from lib.store.backup import build_path, database_exists, replace_database
from lib.store.postgres import is_url

group = Group()
command = group.command


# ---------------------------------------------------------------------------- init

def _init_args(p):
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--demo", action="store_true", help="fill with the generated demo factory")
    kind.add_argument("--empty", action="store_true", help="only the schema, for real use")
    p.add_argument("--as-of", type=parse_date, default=None, help="the demo's 'today' (YYYY-MM-DD)")
    p.add_argument("--seed", type=int, default=7, help="demo random seed")
    p.add_argument("--scale", default="demo", choices=("demo", "large"), help="demo size")
    p.add_argument("--force", action="store_true", help="replace an existing database")


@command("init", "create the database (demo factory or empty)", _init_args)
def cmd_init(args) -> int:
    path = args.db if is_url(args.db) else Path(args.db)   # a PostgreSQL plant: built in DuckDB, then copied
    if database_exists(args.db) and not args.force:
        raise TandemError(f"{path} already exists. Use --force to replace it (its data will be lost; "
                          "make a backup first with `python -m lib backup DIR`).", title="Not replaced")
    # build into a temporary file first, so a failure leaves the existing database untouched
    tmp = build_path(args.db)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    from lib.store.db import Database
    db = Database(tmp)
    try:
        if args.demo:
            from lib import demo
            counts = demo.generate(db, as_of=args.as_of, seed=args.seed, scale=args.scale,
                                   progress=_progress if sys.stderr.isatty() else None)
            print(f"demo factory written to {path}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))
        else:
            with db.transaction(source="cli") as tx:
                tx.execute("INSERT INTO meta VALUES ('mode', 'empty') ON CONFLICT (key) DO UPDATE SET value = 'empty'")
            print(f"empty database written to {path}")
        db.checkpoint()
    finally:
        db.close()
    replace_database(tmp, args.db)
    return 0


def _progress(share: float, what: str) -> None:
    bar = "#" * int(share * 30)
    print(f"\r[{bar:<30}] {share * 100:5.1f}% {what:<30}", end="", file=sys.stderr, flush=True)
    if share >= 1:
        print(file=sys.stderr)


# ---------------------------------------------------------------------------- backup / restore

@command("backup", "write a portable backup (Parquet and manifest.json) to a new directory",
         lambda p: p.add_argument("target", help="directory to create (or an empty one)"))
def cmd_backup(args) -> int:
    from lib.store.backup import write_backup
    manifest = write_backup(open_db(args), Path(args.target))
    tables = manifest["tables"]
    print(f"backup written to {args.target}: {len(tables)} tables, {sum(tables.values()):,} rows, "
          f"{len(manifest['files'])} files with their checksums in manifest.json")
    return 0


def _restore_args(p):
    p.add_argument("source", help="a directory written by backup")
    p.add_argument("--no-manifest", action="store_true",
                   help="restore a backup written before Tandem recorded manifest.json: its files cannot "
                        "be checked against checksums and row counts")
    p.add_argument("--force", action="store_true", help="(kept for scripts; restore always replaces)")


@command("restore", "replace the database with a backup directory (all or nothing)", _restore_args)
def cmd_restore(args) -> int:
    from lib.store.backup import restore_backup
    r = restore_backup(Path(args.source), args.db, without_manifest=args.no_manifest)
    for w in r.warnings:
        print(f"warning: {w}", file=sys.stderr)
    taken = f" (taken {r.taken_at})" if r.taken_at else " (no manifest: not verified against one)"
    print(f"restored {args.db} from {args.source}{taken}: {len(r.tables)} tables, {sum(r.tables.values()):,} rows")
    return 0


# ---------------------------------------------------------------------------- check

@command("check", "check the database's integrity (orphans, negative stock, ...)")
def cmd_check(args) -> int:
    from lib.store.check import integrity_problems
    db = open_db(args)
    problems = integrity_problems(db)
    if problems.empty:
        print(f"{args.db}: no problems found")
        return 0
    print(problems.to_string(index=False))
    print(f"{len(problems)} kinds of problem found", file=sys.stderr)
    return 1
