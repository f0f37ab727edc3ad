"""The group overview: every plant's headline KPIs side by side.

A group's plants are the schemas of one PostgreSQL database (`TANDEM_PLANT`, lib/store/postgres.py),
each with its own data, users and roles. A DuckDB file is one plant. Each plant's figures are
computed on that plant's own store by the one function the Overview's tiles use
(`headline_kpis` below is the only place this module names it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lib.errors import TandemError
from lib.filters import Filters
from lib.people.auth import User
from lib.sections import overview
from lib.sections.kpi import Kpi


def headline_kpis(con, f: Filters, as_of: date, lang: str | None = None) -> list[Kpi]:
    """A plant's headline KPIs: the Overview tiles' own function (repoint here if it moves)."""
    return overview.headline(con, f, as_of, lang)


@dataclass(frozen=True)
class Plant:
    name: str              # the PostgreSQL schema (or the DuckDB file's name)
    current: bool          # the plant this process was opened on
    store: object | None   # its Database, or None when the user has no account there
    problem: str | None = None   # why it cannot be read (e.g. a newer Tandem upgraded it)


def is_group(db) -> bool:
    """True when `db` is a plant of a PostgreSQL database (which may hold further plants)."""
    return getattr(db, "plant", None) is not None and hasattr(db, "url")


def plants(db, user: User | None = None) -> list[Plant]:
    """The plants of `db`'s group, the current one first, then by name. A plant is readable
    (`store` set) by `user` when they hold an active account of that name there; None (the
    command line, login off) reads every plant. A DuckDB file is the only plant of its group."""
    if not is_group(db):
        return [Plant(Path(str(db.path)).stem or str(db.path), True, db)]
    from lib.store import postgres
    names = postgres.plants(db.url)
    out = [Plant(db.plant, True, db)]
    for name in sorted(n for n in names if n != db.plant):
        try:
            store = postgres.plant_db(db.url, name)
            readable = user is None or member(store, user)
        except TandemError as e:
            out.append(Plant(name, False, None, e.detail))
            continue
        out.append(Plant(name, False, store if readable else None))
    return out


def member(store, user: User) -> bool:
    """Whether `user` holds an active account (same username) in the plant of `store`."""
    return bool(store.scalar("SELECT count(*) FROM users WHERE username = ? AND active",
                             [user.username]))


def table(db, f: Filters, as_of: date, user: User | None = None) -> list[tuple[str, list[Kpi] | None]]:
    """Every plant's headline KPIs (None: no account there), for the command line and tests."""
    out = []
    for p in plants(db, user):
        if p.store is None:
            if p.problem:
                raise TandemError(f"Plant {p.name}: {p.problem}", title="Not read")
            out.append((p.name, None))
            continue
        with p.store.cursor() as cur:
            out.append((p.name, headline_kpis(cur, f, as_of)))
    return out
