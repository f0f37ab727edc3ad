"""Small forms for the single records a department head adds by hand.

Each form is drawn from the table's spec (lib.store.tables) and saved through lib.store.imports.add_record,
so a form refuses exactly what an import of the same row would, with the same reasons.
Section pages embed them: `forms.complaint(db)` draws "add a complaint" anywhere.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from lib.departments import CAUSES
from lib.errors import TandemError
from lib.i18n import get_lang, t
from lib.people import auth
from lib.store import lookups
from lib.store.imports import ImportRejected, add_record
from lib.store.tables import Col, choice_label
from lib.store.tables import spec as get_spec
from lib.text import t_md
from lib.ui import cache
from lib.ui.session import current_user
from lib.ui.widgets import show_error

_NONE = ""


def label(c: Col) -> str:
    """A column's label in the current language (its Chinese header, or its name in words)."""
    if get_lang() == "zh" and c.zh:
        return c.zh
    return c.name.replace("_", " ").capitalize()


def value_label(value: str, c: Col | None = None) -> str:
    """A choice value in words ('in_process' -> 'In process' / '制程检验'), as imports also accept
    it (lib.store.tables.choice_spellings); a blank as a dash."""
    if not value:
        return "—"
    if c is not None:
        return choice_label(c, value)
    return t(f"cause.{value}") if value in CAUSES else t(f"io.value.{value}")


def _field(db, c: Col, key: str, default=None):
    """One input for column `c`; returns the value typed (None = blank)."""
    lab = label(c) + (" *" if c.required and c.default is None else "")
    if c.ref and c.kind == "text":
        opts = cache.load(db, lookups.distinct_values, c.ref[0], c.ref[1])
        options = ([_NONE] if not c.required else []) + opts
        index = options.index(default) if default in options else 0
        return st.selectbox(lab, options, index=index if options else None, key=key,
                            format_func=lambda v: v or "—", placeholder=t("common.choose")) or None
    if c.kind == "choice":
        options = ([_NONE] if not (c.required or c.default is not None) else []) + list(c.choices)
        start = default if default is not None else c.default
        index = options.index(start) if start in options else 0
        return st.selectbox(lab, options, index=index, key=key, format_func=lambda v: value_label(v, c)) or None
    if c.kind == "date":
        start = default if default is not None else (date.today() if c.required else None)
        return st.date_input(lab, value=start, key=key, format="YYYY-MM-DD")
    if c.kind in ("num", "int"):
        start = default if default is not None else c.default
        return st.number_input(lab, value=start, step=1 if c.kind == "int" else None,
                               format="%d" if c.kind == "int" else None, key=key)
    if c.kind == "bool":
        return st.checkbox(lab, value=bool(c.default if default is None else default), key=key)
    if c.name in ("description", "countermeasure", "reason") and c.kind == "text":
        return st.text_area(lab, value=default or "", key=key, height=90) or None
    return st.text_input(lab, value=default or "", key=key) or None


def record_form(db, table: str, fields: list[str], key: str, *, mode: str = "insert",
                title: str | None = None, columns: int = 2, defaults: dict | None = None) -> bool:
    """A form for one record of `table` with `fields`.

    On a successful save the app reruns with an empty form and a toast saying what was saved;
    otherwise it returns False (a refused record keeps its inputs and shows why).
    Fields `order`+`line` become one choice of open order line.
    """
    spec = get_spec(table)
    user = current_user()
    allowed = auth.can(user, "edit", spec.department)
    defaults = defaults or {}
    done = st.session_state.pop(f"{key}-done", None)
    if done:
        st.toast(done, icon=":material/check_circle:")
    # not cleared on submit: a refused record keeps what was typed; a saved one is cleared below
    with st.form(key, clear_on_submit=False, border=True):
        if title:
            st.markdown(f"**{title}**")
        values = {}
        cols = st.columns(columns)
        i = 0
        for name in fields:
            if name == "line":
                continue
            with cols[i % columns]:
                if name == "order":
                    lines = cache.load(db, lookups.open_line_choices)
                    required = spec.column("order").required
                    pick = st.selectbox(t("io.form.order_line") + (" *" if required else ""),
                                        ([] if required else [_NONE]) + lines, key=f"{key}-line",
                                        index=None if required else 0, placeholder=t("io.form.choose"))
                    if pick:
                        order, line = pick.split(" · ")[0].split(" / ")
                        values.update(order=order, line=line)
                    else:
                        values.update(order=None, line=None)
                else:
                    values[name] = _field(db, spec.column(name), f"{key}-{name}", defaults.get(name))
            i += 1
        saved = st.form_submit_button(t("io.form.save"), type="primary", disabled=not allowed)
    if not allowed:
        st.caption(t("io.readonly", dept=t(f"dept.{spec.department}")))
    if not saved:
        return False
    try:
        result = add_record(db, user, table, values, mode=mode)
    except ImportRejected as e:
        st.error(t_md("io.form.refused", detail=e.detail))
        return False
    except TandemError as e:
        show_error(e)
        return False
    st.cache_data.clear()
    if result.updated:      # an upsert form (calendar day, drawing revision) replaced stored values: say so
        message = t("io.form.updated", table=spec.title(get_lang()))
    elif result.unchanged:
        message = t("io.form.unchanged")
    else:
        message = t("io.form.saved", table=spec.title(get_lang()))
    st.session_state[f"{key}-done"] = message
    for k in [k for k in st.session_state if str(k).startswith(f"{key}-")]:
        if k != f"{key}-done":
            del st.session_state[k]       # the next run draws an empty form
    st.rerun()


# ---------------------------------------------------------------------------- the forms

def complaint(db, key: str = "form-complaint") -> bool:
    """Add a customer complaint (sales)."""
    return record_form(db, "complaints", ["complaint", "customer", "received_date", "category", "severity",
                                          "order", "product", "description", "cause_category", "owner"],
                       key, title=t("io.form.complaint"))


def order_change(db, key: str = "form-order-change") -> bool:
    """Record an order change: customer (external) or internal, what changes, old and new."""
    return record_form(db, "order_changes", ["order", "source", "kind", "old_value", "new_value",
                                             "requested_date", "reason", "created_by"],
                       key, title=t("io.form.order_change"))


def variance_note(db, key: str = "form-variance") -> bool:
    """A cause of being ahead or behind plan, with its countermeasure (PMC)."""
    return record_form(db, "variance_notes", ["period_start", "period_end", "work_center", "product", "direction",
                                              "cause_category", "qty_impact", "owner", "description",
                                              "countermeasure", "due_date"],
                       key, title=t("io.form.variance"))


def calendar_exception(db, key: str = "form-calendar") -> bool:
    """A day's hours replaced: holiday (0), overtime, maintenance (PMC). A blank work center = all."""
    return record_form(db, "calendar", ["date", "work_center", "hours", "reason"], key, mode="upsert",
                       title=t("io.form.calendar"))


def inspection(db, key: str = "form-inspection") -> bool:
    """An inspection result: incoming (supplier, material) or in-process / final (line)."""
    return record_form(db, "inspections", ["date", "stage", "result", "supplier", "material", "po", "line",
                                           "work_center", "product", "lot", "qty_inspected", "qty_defective",
                                           "defect_type", "inspector"],
                       key, title=t("io.form.inspection"), columns=3)


def drawing_release(db, key: str = "form-drawing") -> bool:
    """A drawing revision planned or released (an existing drawing/revision is updated)."""
    return record_form(db, "drawings", ["drawing", "revision", "title", "product", "project",
                                        "planned_release", "actual_release", "owner"],
                       key, mode="upsert", title=t("io.form.drawing"))


def improvement(db, key: str = "form-improvement") -> bool:
    """A method or process improvement (engineering)."""
    return record_form(db, "improvements", ["title", "kind", "work_center", "owner", "status", "start_date",
                                            "due_date", "expected_hours_saved"],
                       key, title=t("io.form.improvement"))


def receipt(db, key: str = "form-receipt") -> bool:
    """A goods receipt against a purchase order (purchasing)."""
    return record_form(db, "receipts", ["po", "receipt_date", "qty"], key, title=t("io.form.receipt"), columns=3)


FORMS = {
    "sales": [complaint, order_change],
    "pmc": [variance_note, calendar_exception],
    "purchasing": [receipt],
    "quality": [inspection],
    "engineering": [drawing_release, improvement],
}
