"""What every command group shares: its registry, --db opening, date arguments."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from lib.errors import TandemError


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable      # add_arguments(parser)
    run: Callable            # run(args) -> exit code


@dataclass
class Group:
    """The commands of one module, in the order they are defined; lib.cli lists the groups."""
    commands: list[Command] = field(default_factory=list)

    def command(self, name: str, help: str, arguments: Callable = lambda p: None):
        """Register `run(args) -> exit code` as subcommand `name`."""
        def wrap(run):
            self.commands.append(Command(name, help, arguments, run))
            return run
        return wrap


def parse_date(text: str) -> date:
    """An ISO date from the command line, or a message naming the expected format."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-25")


def open_db(args, *, must_exist: bool = True):
    """The database named by --db, opened once; refuses a missing file unless must_exist=False."""
    from lib.store.db import Database
    path = args.db
    if must_exist and path != ":memory:" and "://" not in str(path) and not Path(path).exists():
        raise TandemError(f"There is no database at {path}. Create one with `python -m lib init --demo` "
                          "or `python -m lib init --empty`.", title="No database")
    return Database(path)
