"""Saving the table editor's changes: edited, added and deleted rows, one transaction.

The editor shows a table as loaded (lib.store.exports.export_frame). On Save, every edited or deleted
row is compared, inside the transaction, with what is stored now: if anyone changed it since
it was loaded, nothing is saved and lib.errors.Conflict names each column with the value the
user loaded and the value stored now. Then the rows go through the import path
(lib.store.imports.write_frame): the same validation, the same audit rows, the same freshness stamp.
"""
from __future__ import annotations

import pandas as pd

from lib.errors import Conflict, ValidationError
from lib.i18n import t
from lib.store.exports import export_frame
from lib.store.imports import ImportResult, cell_text, write_frame
from lib.store.tables import spec as get_spec


def _same(a, b) -> bool:
    return cell_text(None if _blank(a) else a) == cell_text(None if _blank(b) else b)


def _blank(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _key(spec, row) -> tuple:
    return tuple(cell_text(row[k]) for k in spec.key)


def _db_key(tx, spec, row: dict) -> dict:
    """The stored row's primary key for an exchange row."""
    if spec.id and spec.id in spec.names:
        return {spec.id: int(row[spec.id])}
    if spec.id:   # orders
        found = tx.cur.execute("SELECT line_id FROM order_lines WHERE order_no = ? AND line_no = ?",
                               [row["order"], int(row["line"])]).fetchone()
        return {spec.id: found[0]}
    return {spec.column(k).column: row[k] for k in spec.key}


def save_edits(db, user, table: str, base: pd.DataFrame, edited_rows: dict | None = None,
               added_rows: list | None = None, deleted_rows: list | None = None) -> ImportResult | None:
    """Write the editor's changes to `table` in one transaction; None when there are none.

    `base` is the frame the editor was given; `edited_rows` {position: {column: value}},
    `added_rows` [{column: value}], `deleted_rows` [position] as st.data_editor reports them.
    Row numbers in messages are the editor's (1 = first row; added rows follow the table).
    """
    spec = get_spec(table)
    edited_rows = {int(k): v for k, v in (edited_rows or {}).items()}
    added_rows = [r for r in (added_rows or []) if any(not _blank(v) and v != "" for v in r.values())]
    deleted = sorted(set(int(i) for i in (deleted_rows or [])))
    edited_rows = {i: e for i, e in edited_rows.items() if i not in deleted}
    if not edited_rows and not added_rows and not deleted:
        return None
    rows, numbers = [], []
    for i, edits in sorted(edited_rows.items()):
        original = base.iloc[i].to_dict()
        for k in spec.key:
            if k in edits and not _same(edits[k], original[k]):
                raise ValidationError(t("io.edit.key_changed", column=k), where=t("io.edit.row", row=i + 1))
        rows.append({**original, **edits})
        numbers.append(i + 1)
    for j, added in enumerate(added_rows):
        rows.append({c: added.get(c) for c in spec.names if c in base.columns})
        numbers.append(len(base) + j + 1)
    texts = pd.DataFrame([{c: cell_text(None if _blank(r.get(c)) else r.get(c)) for c in base.columns}
                          for r in rows], columns=list(base.columns), dtype=str)
    # added rows of keyed tables must not land on an existing record (the editor adds, it does not overwrite)
    new_keys = [(numbers[len(edited_rows) + j], _key(spec, r)) for j, r in enumerate(rows[len(edited_rows):])]

    def before(tx):
        current = export_frame(tx.cur, table)
        now = {_key(spec, r): r for r in current.to_dict("records")}
        problems = []
        for i in list(edited_rows) + deleted:
            loaded = base.iloc[i].to_dict()
            stored = now.get(_key(spec, loaded))
            if stored is None:
                problems.append(t("io.edit.gone", row=i + 1))
                continue
            differ = [c for c in base.columns if c in stored and not _same(loaded[c], stored[c])]
            if differ:
                problems.append(t("io.edit.changed", row=i + 1, changes="; ".join(
                    t("io.edit.change", column=c, loaded=cell_text(None if _blank(loaded[c]) else loaded[c]),
                      now=cell_text(None if _blank(stored[c]) else stored[c])) for c in differ)))
        if not (spec.id and spec.id in spec.names):
            for n, k in new_keys:
                if k in now:
                    problems.append(t("io.edit.exists", row=n, record=" / ".join(k)))
        if problems:
            raise Conflict(" ".join(problems) + " " + t("io.edit.reload"))
        for i in deleted:
            tx.delete(spec.table, _db_key(tx, spec, base.iloc[i].to_dict()))

    if texts.empty:   # only deletions
        with db.transaction(user, source="editor") as tx:
            before(tx)
        return ImportResult(spec.name, "editor", 0, extra={"deleted": len(deleted)})
    result = write_frame(db, user, table, texts, "editor", source="editor", row_numbers=numbers, before=before,
                         accept_reformatted=True)     # typed in the editor: meant as written
    result.extra["deleted"] = len(deleted)
    return result
