"""The store: the one gateway to the database, its schema, the table specs, import, export,
edits, audit, backup and integrity checks."""
