"""What every command group shares: its registry, where a command prints and what it opens,
argument types, and how a failure becomes a message and an exit code.

A command prints through `out()` / `err()` and opens the database with `open_db(args)`, resolves
file arguments with `where(path)` and takes "today" from `today(args)`: run here, these are this
process's streams, file, directory and TANDEM_AS_OF; handed to the dashboard (lib.cli.handoff),
the dashboard's thread gets the caller's, so a command prints and does the same either way.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, TextIO

from lib.errors import TandemError


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable      # add_arguments(parser)
    run: Callable            # run(args) -> exit code
    local: bool = False      # never handed to a running dashboard (it replaces or serves the file)
    prepare: Callable | None = None   # prepare(args) -> {name: value}: asked here, before handing over


@dataclass
class Group:
    """The commands of one module, in the order they are defined; lib.cli.parser lists the groups."""
    commands: list[Command] = field(default_factory=list)

    def command(self, name: str, help: str, arguments: Callable = lambda p: None, *, local: bool = False,
                prepare: Callable | None = None):
        """Register `run(args) -> exit code` as subcommand `name`. `local`: it runs only in this
        process (init, restore, serve); `prepare(args)` asks what needs this terminal (a password)
        and returns it as extra attributes of args."""
        def wrap(run):
            self.commands.append(Command(name, help, arguments, run, local, prepare))
            return run
        return wrap


# ---------------------------------------------------------------------------- where a command runs

@dataclass(frozen=True)
class Console:
    """The caller of a command as the dashboard runs it for them: their streams, working
    directory and 'today', and the dashboard's own database."""
    out: TextIO
    err: TextIO
    cwd: str
    as_of: date
    database: Callable           # () -> the dashboard's Database
    database_path: str           # the file it holds


_CONSOLE: ContextVar[Console | None] = ContextVar("tandem_console", default=None)


@contextmanager
def console(c: Console):
    """Run the commands of this thread for the caller `c` (lib.cli.handoff)."""
    token = _CONSOLE.set(c)
    try:
        yield c
    finally:
        _CONSOLE.reset(token)


def handed_over() -> Console | None:
    """The caller a command runs for in the dashboard, or None when it runs in its own process."""
    return _CONSOLE.get()


def out() -> TextIO:
    c = _CONSOLE.get()
    return c.out if c else sys.stdout


def err() -> TextIO:
    c = _CONSOLE.get()
    return c.err if c else sys.stderr


def say(*parts, error: bool = False) -> None:
    """print() to the command's standard output (or error)."""
    print(*parts, file=err() if error else out())


def where(path: str | Path) -> Path:
    """A file argument as the caller meant it: relative to the caller's working directory."""
    c = _CONSOLE.get()
    p = Path(path).expanduser()
    return p if p.is_absolute() or c is None else Path(c.cwd) / p


def today(args) -> date:
    """'Today' of a command: --as-of, else the caller's TANDEM_AS_OF (or real date)."""
    if getattr(args, "as_of", None):
        return args.as_of
    c = _CONSOLE.get()
    if c is not None:
        return c.as_of
    from lib import settings
    return settings.as_of()


def open_db(args, *, must_exist: bool = True):
    """The database named by --db: the dashboard's own when the command was handed to it, else
    opened here. Refuses a missing file unless must_exist=False."""
    c = _CONSOLE.get()
    path = c.database_path if c else args.db
    if must_exist and path != ":memory:" and "://" not in str(path) and not Path(path).exists():
        raise TandemError(f"There is no database at {args.db}. Create one with `python -m lib init --demo` "
                          "or `python -m lib init --empty`.", title="No database")
    if c is not None:
        return c.database()
    from lib.store.db import Database
    return Database(path)


# ---------------------------------------------------------------------------- argument types

class Parser(argparse.ArgumentParser):
    """argparse, printing through out()/err(): the dashboard answers a handed-over command's
    usage errors to its caller, not into its own log."""

    def _print_message(self, message, file=None):
        if message:
            (out() if file is sys.stdout else err()).write(message)


def parse_date(text: str) -> date:
    """An ISO date from the command line, or a message naming the expected format."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-25")


def whole(low: int, high: int | None = None, what: str = "number") -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole {what}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is out of range: choose {low} to {high}" if high is not None
                                             else f"{value} is too small: at least {low}")
        return value
    parse.__name__ = what           # argparse names the type in "invalid <name> value"
    return parse


def table_name(text: str) -> str:
    """An argument type: an exchange table (orders, or its database name order_lines)."""
    from lib.store import tables
    try:
        return tables.spec(text).name
    except TandemError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a table; choose one of: "
                                         + ", ".join(tables.names())) from None


# ---------------------------------------------------------------------------- failures

def run_guarded(run: Callable[[], int]) -> int:
    """Run a command: its exit code, or 1 with a one-line message on stderr for whatever it
    refused or what went wrong (a bug too: TANDEM_DEBUG=1 shows its traceback)."""
    try:
        return int(run() or 0)
    except TandemError as e:
        say(f"{e.title}: {e.detail}", error=True)
    except KeyboardInterrupt:
        say("interrupted; nothing more was written", error=True)
    except BrokenPipeError:
        if _CONSOLE.get() is None:
            raise                        # our own standard output was closed: lib.cli.main
        say("a pipe closed while the command ran; nothing more was written", error=True)
    except OSError as e:
        say(file_problem(e), error=True)
    except Exception as e:  # noqa: BLE001 - a bug must still end in one readable line
        if os.environ.get("TANDEM_DEBUG"):
            raise
        say(f"Unexpected error ({type(e).__name__}: {e}). Nothing more was written. "
            "Run again with TANDEM_DEBUG=1 to see the details.", error=True)
    return 1


def file_problem(e: OSError) -> str:
    """'Cannot use /x/y.csv: Permission denied.'"""
    name = e.filename if e.filename is not None else ""
    why = e.strerror or str(e)
    return f"Cannot use {name}: {why}." if name else f"A file could not be read or written: {why}."
