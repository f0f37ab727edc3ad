"""Reference lists that forms, filters and pickers offer, and small facts pages show about a
record: read through here so that pages and lib/ui never build SQL.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> with db.cursor() as cur:
    ...     _ = cur.execute("INSERT INTO work_centers (work_center, name, line, hours_per_day, efficiency) "
    ...                 "VALUES ('SMT-1', 'SMT 1', 'SMT', 8, 1)")
    ...     (filter_options(cur), distinct_values(cur, "work_centers", "line"))
    ({'lines': ['SMT'], 'families': []}, ['SMT'])
"""
from __future__ import annotations

import pandas as pd

from lib.store.tables import spec


def distinct_values(con, table: str, column: str) -> list[str]:
    """The distinct non-blank values of a stored column (as text, sorted), e.g. the choices of a
    reference field. The table and column must exist: names cannot be `?` parameters."""
    known = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                        [table, column]).fetchone()[0]
    if not known:
        raise ValueError(f"no column {table}.{column}")
    rows = con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL ORDER BY 1').fetchall()
    return [str(v) for (v,) in rows]


def filter_options(con) -> dict[str, list[str]]:
    """What the shared sidebar filters offer: production lines and product families."""
    lines = [str(v) for (v,) in con.execute("SELECT DISTINCT line FROM work_centers WHERE line IS NOT NULL "
                                            "ORDER BY 1").fetchall()]
    families = [str(v) for (v,) in con.execute("SELECT DISTINCT family FROM products WHERE family IS NOT NULL "
                                               "ORDER BY 1").fetchall()]
    return {"lines": lines, "families": families}


def open_line_choices(con) -> list[str]:
    """Open order lines as a picker offers them: "SO-1 / 2 · C-001 · P-100"."""
    df = con.execute("SELECT order_no, line_no, customer, product FROM order_lines "
                     "WHERE status = 'open' ORDER BY order_no, line_no").df()
    return [f"{r.order_no} / {r.line_no} · {r.customer} · {r.product}" for r in df.itertuples()]


def customers(con) -> pd.DataFrame:
    """Every customer with its name."""
    return con.execute("SELECT customer, name FROM customers ORDER BY customer").df()


def order_line_key(con, line_id: int) -> tuple[str, int] | None:
    """(order, line) of an order line id."""
    row = con.execute("SELECT order_no, line_no FROM order_lines WHERE line_id = ?", [line_id]).fetchone()
    return None if row is None else (row[0], int(row[1]))


def row_count(con, table: str) -> int:
    """Rows stored in a table the exchange format knows."""
    return int(con.execute(f"SELECT count(*) FROM {spec(table).table}").fetchone()[0])


def freshness(con, section: str) -> dict | None:
    """When a department's section was last changed, by whom (display name if known) and from
    which source; None if never."""
    row = con.execute("""
        SELECT u.updated_at, u.updated_by, coalesce(us.display_name, u.updated_by) AS updated_by_name, u.source
        FROM section_updates u LEFT JOIN users us ON us.username = u.updated_by
        WHERE u.section = ?""", [section]).fetchone()
    if row is None:
        return None
    return {"updated_at": row[0], "updated_by": row[1], "updated_by_name": row[2], "source": row[3]}
