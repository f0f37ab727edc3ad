"""A command handed to the dashboard that holds the database, and the dashboard running it.

    caller (python -m lib import ...)             dashboard (lib.ui.server.listen)
    parse argv; prepare (a password prompt)
    record = lib.store.handoff.find(db)   --->    serve(request): parse the same argv with the
      request: argv (+ its --db), the caller's     same parser, in a thread whose Console is
      working directory, TANDEM_AS_OF,              the caller's (lib.cli.common): its streams,
      what prepare asked                            directory and 'today'; the database is the
                                          <---      dashboard's own (one write lock, audit,
    print its stdout / stderr, exit with its code   data version); answer stdout, stderr, code

Commands marked `local` (init, restore, serve) are never handed over: they replace or serve the
file, and refuse while a dashboard holds it (lib.store.db.holder, replacing).
"""
from __future__ import annotations

import io
import os
from datetime import date

from lib import settings
from lib.cli.common import Console, console, err, out, run_guarded, say, where
from lib.cli.parser import build_parser
from lib.store import handoff


def hand_over(args, argv: list[str], extra: dict) -> int | None:
    """Have the dashboard on args.db run this command: print what it printed and return its
    exit code; None when no dashboard takes commands for that database (run it here)."""
    if args.db == ":memory:" or "://" in str(args.db):
        return None                  # a PostgreSQL URL: every process opens it itself
    record = handoff.find(args.db)
    if record is None:
        return None
    request = {"op": "run", "argv": [*argv, "--db", args.db], "cwd": os.getcwd(),
               "as_of": settings.as_of().isoformat(), "extra": extra}
    try:
        response = handoff.call(record, request)
    except handoff.Unreachable:
        return None                  # a killed dashboard's record: nobody holds the file for it
    except handoff.Lost as e:
        raise handoff.Lost(f"{e.detail} Whether its work was saved is unknown: each write is all or "
                           "nothing, so run the command again once the dashboard is back (an import "
                           "already made changes nothing).") from None
    except KeyboardInterrupt:
        say(f"interrupted; {record.describe()} finishes the command on its own "
            "(each write is all or nothing)", error=True)
        return 1
    if not response.get("ok"):
        say(f"Not run by {record.describe()}: {response.get('error')}", error=True)
        return 1
    _write(out(), response.get("stdout", ""))
    _write(err(), response.get("stderr", ""))
    return int(response.get("code", 1))


def _write(stream, text: str, chunk: int = 1 << 16) -> None:
    """Write in pieces, as the command would have: a reader that stops early (`| head -1`) then
    closes the pipe on a later piece (BrokenPipeError, lib.cli.main), as in a run here."""
    for i in range(0, len(text), chunk):
        stream.write(text[i:i + chunk])
        stream.flush()


def serve(request: dict, database_path: str, database) -> dict:
    """Answer one request of a caller (lib.store.handoff.Listener's `handle`): `status`, or `run`
    a command line for them. `database()` returns the dashboard's own Database on `database_path`."""
    op = request.get("op")
    if op == "status":
        from lib.store.db import opened
        db = opened(database_path)
        return {"ok": True, "pid": os.getpid(), "database": handoff.identity(database_path),
                "holding": db is not None, "data_version": db.data_version() if db is not None else None}
    if op != "run":
        return {"ok": False, "error": f"unknown request {op!r}"}
    out, errors = io.StringIO(), io.StringIO()
    caller = Console(out, errors, str(request.get("cwd") or "/"), date.fromisoformat(request["as_of"]),
                     database, database_path)
    with console(caller):
        code = _run(list(request.get("argv", [])), dict(request.get("extra") or {}), database_path)
    return {"ok": True, "code": code, "stdout": out.getvalue(), "stderr": errors.getvalue()}


def _run(argv: list[str], extra: dict, database_path: str) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:          # the caller's Tandem parsed it, this one does not: a version apart
        return int(e.code or 0)
    command = args.spec
    if command.local:
        say(f"Not run: `{command.name}` replaces or serves the database file, so it never runs inside the "
            "dashboard; stop the dashboard first.", error=True)
        return 1
    if handoff.identity(str(where(args.db))) != handoff.identity(database_path):
        say(f"Not run: this dashboard holds {handoff.identity(database_path)}, not {args.db}.", error=True)
        return 1
    for name, value in extra.items():
        setattr(args, name, value)
    return run_guarded(lambda: command.run(args))
