"""Domain errors: what went wrong, said so a person can act on it.

Every error that may reach a screen or the command line is a TandemError with a short
`title` and a `detail` sentence. Low-level DuckDB errors are translated at the gateway
(`lib.store.db.translate`), never shown raw.
"""
from __future__ import annotations


class TandemError(Exception):
    """Base of all errors a user may see. str(e) is the full human message."""

    title = "Something went wrong"

    def __init__(self, detail: str, *, title: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if title:
            self.title = title

    def __str__(self) -> str:
        return self.detail


class DatabaseBusy(TandemError):
    title = "The database is in use"


class DatabaseUnavailable(TandemError):
    title = "The database cannot be opened"


class RuleViolation(TandemError):
    """A write broke a rule of the data model (a key, a NOT NULL or a CHECK)."""
    title = "Not saved: a value breaks a rule"


class ValidationError(TandemError):
    """Input refused before any write; `where` names the field, file/row/column."""
    title = "Please check the input"

    def __init__(self, detail: str, *, where: str | None = None, title: str | None = None):
        super().__init__(f"{where}: {detail}" if where else detail, title=title)
        self.where = where


class PermissionDenied(TandemError):
    title = "Not allowed"


class NotFound(TandemError):
    title = "Not found"


class Conflict(TandemError):
    """Someone else changed the record since it was loaded."""
    title = "Changed by someone else"
