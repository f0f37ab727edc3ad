"""The store: the one gateway to the database, its schema, the table specs, import, export,
edits, audit, backup and integrity checks."""

# PostgreSQL: Database("postgresql://...") opens lib.store.postgres.PostgresDatabase
from lib.store import postgres as _postgres  # noqa: E402,F401

