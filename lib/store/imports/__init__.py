"""Import of the exchange format (CSV / XLSX) — and the one bulk write path forms and the editor share.

    read_file(bytes, name) -> raw text frame     (encoding, delimiter, XLSX, empty files)
    check(con, spec, raw)  -> Checked            (headers, types, ranges, dates, references,
                                                  duplicate keys, rules: one report of problems)
    import_file(db, user, table, bytes, name)    (check, then all-or-nothing upsert by key with
                                                  audit rows of the changed columns only)

Validation is set-based: the file is loaded into a DuckDB temp table as text, each column is
typed with TRY_CAST, and every problem comes from one SQL query (anti-joins for references,
window counts for duplicate keys), so 100,000 rows take about a second.

    >>> from lib.store.db import Database; from lib.people.auth import SYSTEM
    >>> db = Database(":memory:")
    >>> r = import_file(db, SYSTEM, "customers", b"customer,name\\nC1,Acme\\n", "c.csv")
    >>> (r.inserted, r.updated, r.unchanged)
    (1, 0, 0)
    >>> import_file(db, SYSTEM, "customers", b"customer,name\\nC1,Acme\\n", "c.csv").unchanged
    1

Modules: `read` (bytes -> frame of text), `validate` (frame -> problems), `apply` (checked frame ->
rows written). The names below are the package's public interface.
"""
from lib.store.imports.apply import (  # noqa: F401
    IMPORT_ORDER,
    ImportResult,
    add_record,
    detect_table,
    import_file,
    import_many,
    preview_many,
    write_frame,
)
from lib.store.imports.read import DELIMITERS, cell_text, match_headers, read_file  # noqa: F401
from lib.store.imports.report import REPORT_COLUMNS, ImportRejected  # noqa: F401
from lib.store.imports.validate import Checked, check  # noqa: F401
