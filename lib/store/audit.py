"""The audit log, read only: who changed what, when, from which form, editor or import file.

Rows are written only by the gateway (lib.store.db.Tx); nothing in Tandem updates or deletes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


@dataclass(frozen=True)
class AuditFilter:
    start: date | None = None
    end: date | None = None
    users: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    key: str = ""          # part of the record key
    source: str = ""       # part of the source (e.g. an import file name)
    limit: int = 5000


def _where(f: AuditFilter) -> tuple[str, list]:
    where, params = ["TRUE"], []
    if f.start:
        where.append("logged_at >= ?")
        params.append(f.start)
    if f.end:
        where.append("logged_at < ?")
        params.append(f.end + timedelta(days=1))
    for col, values in (("username", f.users), ("table_name", f.tables), ("action", f.actions)):
        if values:
            where.append(f"{col} IN (SELECT UNNEST(?::VARCHAR[]))")
            params.append(list(values))
    if f.key:
        where.append("row_key ILIKE ?")
        params.append(f"%{f.key}%")
    if f.source:
        where.append("source ILIKE ?")
        params.append(f"%{f.source}%")
    return " AND ".join(where), params


def entries(con, f: AuditFilter) -> pd.DataFrame:
    """Audit rows matching `f`, newest first (at most f.limit)."""
    where, params = _where(f)
    return con.execute(
        "SELECT audit_id, logged_at, username, action, table_name, row_key, column_name, old_value, "
        f"new_value, source FROM audit_log WHERE {where} ORDER BY audit_id DESC LIMIT ?",
        params + [int(f.limit)]).df()


def count(con, f: AuditFilter) -> int:
    """How many audit rows match `f` (ignoring the limit)."""
    where, params = _where(f)
    return int(con.execute(f"SELECT count(*) FROM audit_log WHERE {where}", params).fetchone()[0])


def options(con) -> dict[str, list[str]]:
    """Distinct users, tables and actions in the log, for the filter widgets."""
    return {col: con.execute(f"SELECT DISTINCT {col} FROM audit_log WHERE {col} IS NOT NULL ORDER BY 1")
            .df().iloc[:, 0].tolist() for col in ("username", "table_name", "action")}
