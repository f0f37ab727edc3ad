"""The Update data widgets: table editor, import (template, preview, error report), export."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from lib.errors import TandemError
from lib.i18n import get_lang, t
from lib.people import auth
from lib.store import lookups
from lib.store.exports import (
    column_guide,
    csv_bytes,
    export_count,
    export_frame,
    template_frame,
    text_columns,
    xlsx_bytes,
)
from lib.store.imports import (
    ImportRejected,
    check,
    detect_table,
    import_file,
    import_many,
    read_file,
)
from lib.store.tables import TableSpec, choice_label
from lib.store.tables import spec as get_spec
from lib.text import md_text, t_md
from lib.ui import cache
from lib.ui.forms import label
from lib.ui.session import current_user
from lib.ui.widgets import show_error

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _column_config(spec: TableSpec) -> dict:
    cfg = {}
    for c in spec.columns:
        lab = label(c)
        disabled = not c.editable
        req = bool(c.required and c.default is None)
        if c.kind == "date":
            cfg[c.name] = st.column_config.DateColumn(lab, format="YYYY-MM-DD", required=req, disabled=disabled)
        elif c.kind in ("num", "int"):
            cfg[c.name] = st.column_config.NumberColumn(lab, required=req, disabled=disabled,
                                                        min_value=c.min, max_value=c.max,
                                                        step=1 if c.kind == "int" else None)
        elif c.kind == "choice":
            cfg[c.name] = st.column_config.SelectboxColumn(lab, options=list(c.choices), required=req,
                                                           disabled=disabled,
                                                           format_func=lambda v, c=c: choice_label(c, v))
        elif c.kind == "bool":
            cfg[c.name] = st.column_config.CheckboxColumn(lab, disabled=disabled)
        else:
            cfg[c.name] = st.column_config.TextColumn(lab, required=req, disabled=disabled)
    return cfg


def _problem_table(problems: pd.DataFrame, key: str) -> None:
    st.dataframe(problems, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(problems)),
                 column_config={"file": t("io.report.file"), "row": t("io.report.row"),
                                "column": t("io.report.column"), "value": t("io.report.value"),
                                "reason": t("io.report.reason")}, placeholder="")
    c1, c2, _ = st.columns([1, 1, 1])
    c1.download_button(t("io.report.download_csv"), csv_bytes(problems), file_name="import_problems.csv",
                       mime="text/csv", key=f"{key}-rep-csv")
    c2.download_button(t("io.report.download_xlsx"), xlsx_bytes({"problems": problems}),
                       file_name="import_problems.xlsx", mime=XLSX_MIME, key=f"{key}-rep-xlsx")


# ---------------------------------------------------------------------------- editor

EDIT_ROWS = 1000     # rows loaded into the editor at once (Find narrows them)


def editor(db, table: str) -> None:
    """Edit `table` in place; Save writes edited/added/deleted rows as one transaction.

    The frame the editor was given is kept (with the data version it came from) until Save or
    Reload, so a save can tell whether someone else changed a row since it was loaded.
    """
    spec = get_spec(table)
    user = current_user()
    allowed = auth.can(user, "edit", spec.department)
    base_key, ed_key = f"edit-base-{table}", f"edit-{table}"
    nonce = st.session_state.get(f"{ed_key}-nonce", 0)
    # the editor holds a bounded set of rows (a large factory's 500,000 order lines would be sent
    # to the browser and kept per session): the first EDIT_ROWS, narrowed by Find
    find = st.text_input(t("io.edit.find"), key=f"{ed_key}-find", help=t("io.edit.find.help"),
                         placeholder=t("io.edit.find.placeholder"))
    if st.session_state.get(base_key, (None,))[0] != find:
        with db.cursor() as cur:
            st.session_state[base_key] = (find, export_frame(cur, table, search=find, limit=EDIT_ROWS),
                                          export_count(cur, table, search=find))
        st.session_state[f"{ed_key}-nonce"] = nonce = nonce + 1     # a new frame: a fresh editor
    _, base, total = st.session_state[base_key]
    widget_key = f"{ed_key}-{nonce}"
    st.caption(t("io.edit.help", rows=len(base)))
    if total > len(base):
        st.caption(t("io.edit.bounded", shown=len(base), total=total))
    st.data_editor(base, key=widget_key, num_rows="dynamic" if allowed else "fixed", hide_index=True,
                   width="stretch", height=min(560, 40 + 35 * (len(base) + 2)),
                   column_config=_column_config(spec), disabled=not allowed, placeholder="")
    state = st.session_state.get(widget_key, {})
    edited, added, deleted = state.get("edited_rows", {}), state.get("added_rows", []), state.get("deleted_rows", [])
    pending = len(edited) + len(added) + len(deleted)
    c1, c2, c3 = st.columns([1, 1, 4])
    save = c1.button(t("io.edit.save", n=pending), type="primary", disabled=not allowed or pending == 0,
                     key=f"{ed_key}-save")
    reload = c2.button(t("io.edit.reload_button"), key=f"{ed_key}-reload")
    if not allowed:
        c3.caption(t("io.readonly", dept=t(f"dept.{spec.department}")))
    if reload:
        _reset_editor(table)
        st.rerun()
    if save:
        from lib.store.edits import save_edits
        try:
            result = save_edits(db, user, table, base, edited, added, deleted)
        except ImportRejected as e:
            st.error(t_md("io.edit.refused", detail=e.detail))
            if not e.problems.empty:
                _problem_table(e.problems, f"{ed_key}-problems")
            return
        except TandemError as e:
            show_error(e)
            return
        st.session_state["io-flash"] = t("io.edit.saved", inserted=result.inserted if result else 0,
                                         updated=result.updated if result else 0,
                                         deleted=(result.extra.get("deleted", 0) if result else 0))
        st.cache_data.clear()
        _reset_editor(table)
        st.rerun()


def _reset_editor(table: str) -> None:
    st.session_state.pop(f"edit-base-{table}", None)
    st.session_state[f"edit-{table}-nonce"] = st.session_state.get(f"edit-{table}-nonce", 0) + 1


# ---------------------------------------------------------------------------- import

@st.cache_data(ttl=900, show_spinner=False, max_entries=8)
def _checked(_db, version: int, table: str, digest: str, data: bytes, name: str, mode: str,
             accept_reformatted: bool = False):
    raw = read_file(data, name)
    return check(_db, table, raw, name, mode=mode, accept_reformatted=accept_reformatted)


def templates(table: str, key: str) -> None:
    """Download buttons for the empty template (CSV; XLSX with a column guide)."""
    spec = get_spec(table)
    lang = get_lang()
    c1, c2, _ = st.columns([1, 1.4, 2.6])
    c1.download_button(t("io.template.csv"), csv_bytes(template_frame(table)), file_name=f"{table}_template.csv",
                       mime="text/csv", key=f"{key}-tpl-csv")
    guide = guide_view(table, lang)
    c2.download_button(t("io.template.xlsx"), xlsx_bytes({table: template_frame(table), "columns": guide},
                                                        {table: text_columns(table)}),
                       file_name=f"{table}_template.xlsx", mime=XLSX_MIME, key=f"{key}-tpl-xlsx")
    with st.expander(t("io.template.guide", table=spec.title(lang))):
        st.dataframe(guide, hide_index=True, width="stretch", placeholder="")


def guide_view(table: str, lang: str) -> pd.DataFrame:
    """lib.store.exports.column_guide as the user reads it: headers, types, choices, defaults and
    references in `lang` (the accepted headers themselves as they are)."""
    spec = get_spec(table)
    guide = column_guide(table, lang)
    cols = {c.name: c for c in spec.columns}

    def kind(c) -> str:
        word = t(f"io.guide.type.{c.kind}", lang)
        if not c.choices:
            return word
        return word + ": " + (", " if lang == "en" else "、").join(c.choices if lang == "en" else
                                                                   [choice_label(c, x, lang) for x in c.choices])

    def default(c) -> str:
        if c.default is None or c.default == "":
            return ""
        if c.kind == "choice":
            return choice_label(c, c.default, lang)
        if c.kind == "bool":
            return t("common.yes" if c.default else "common.no", lang)
        return f"{c.default:g}" if isinstance(c.default, float) else str(c.default)

    def reference(c) -> str:
        if not c.ref:
            return ""
        ref = get_spec(c.ref[0])
        return f"{ref.title(lang)} · {ref.column(c.ref[1]).label(lang)}"

    return pd.DataFrame({
        t("io.guide.column", lang): guide["column"], t("io.guide.chinese", lang): guide["chinese"],
        t("io.guide.type", lang): [kind(cols[n]) for n in guide["column"]],
        t("io.guide.required", lang): [t("common.yes", lang) if r else "" for r in guide["required"]],
        t("io.guide.default", lang): [default(cols[n]) for n in guide["column"]],
        t("io.guide.range", lang): guide["range"].str.replace(" and ", f" {t('io.guide.and', lang)} ", regex=False),
        t("io.guide.reference", lang): [reference(cols[n]) for n in guide["column"]],
        t("io.guide.aliases", lang): guide["other headers"],
    })


UPLOAD_TYPES = ["csv", "txt", "xlsx"]


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uploader_words() -> None:
    """st.file_uploader's own words in the user's language, and the limit Tandem really applies.

    Streamlit 1.67 writes "Upload" and "200MB per file • CSV, TXT, XLSX" in English whatever
    the language, with no parameter to change them, and the 200 MB is the server's upload cap,
    not the import's (setting import_max_file_mb). CSS replaces the words (the English text is
    sized to nothing, the user's text drawn in its place): no script, nothing for React to undo
    on the next run; should Streamlit rename these test ids, its English words simply return.
    The hint shown while dragging a file over the box stays Streamlit's."""
    from lib.store.imports.limits import MB, current
    mb = min(current().max_bytes // MB, int(st.get_option("server.maxUploadSize")))   # whichever refuses first
    types = ("、" if get_lang() == "zh" else ", ").join(x.upper() for x in UPLOAD_TYPES)
    zone = '[data-testid="stFileUploaderDropzone"]'
    button = f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    st.markdown(f"<style>{button}, {hint} {{font-size: 0}}"
                f" {button}::after {{content: {_css_text(t('io.upload.button'))}; font-size: 1rem}}"
                f" {hint}::after {{content: {_css_text(t('io.upload.limit', mb=mb, types=types))};"
                f" font-size: 0.875rem}}</style>", unsafe_allow_html=True)


def importer(db, table: str) -> None:
    """Upload a CSV/XLSX file for `table`: preview, problem report, then all-or-nothing import."""
    spec = get_spec(table)
    user = current_user()
    allowed = auth.can(user, "edit", spec.department)
    key = f"imp-{table}-{st.session_state.get(f'imp-{table}-nonce', 0)}"
    templates(table, f"imp-{table}")
    uploader_words()
    upload = st.file_uploader(t("io.import.upload", table=spec.title(get_lang())), type=UPLOAD_TYPES,
                              key=key, help=t("io.import.upload_help"))
    if upload is None:
        return
    data = upload.getvalue()
    new_only = st.checkbox(t("io.import.new_only"), key=f"{key}-new-only", help=t("io.import.new_only_help"))
    mode = "insert" if new_only else "upsert"
    accept = bool(st.session_state.get(f"{key}-reformatted"))
    progress = st.progress(0.1, text=t_md("io.import.reading", file=upload.name))
    try:
        digest = hashlib.sha1(data).hexdigest()
        checked = _checked(db, db.data_version(), table, digest, data, upload.name, mode, accept)
    except ImportRejected as e:
        progress.empty()
        st.error(t_md("io.import.file_refused", detail=e.detail))
        return
    if checked.reformatted or accept:        # values a spreadsheet rewrote need the user's word
        st.checkbox(t("io.import.reformatted", n=checked.reformatted), key=f"{key}-reformatted",
                    help=t("io.import.reformatted_help"))
    progress.progress(0.5, text=t("io.import.checked", rows=checked.rows))
    st.markdown(t_md("io.import.summary", file=checked.file, rows=checked.rows, valid=checked.valid_rows,
                     bad=checked.bad_rows, problems=len(checked.problems)))
    with st.expander(t("io.import.preview", n=len(checked.preview)), expanded=checked.ok):
        st.dataframe(checked.preview, hide_index=True, width="stretch", placeholder="")
    valid_only = False
    if not checked.ok:
        st.warning(t("io.import.has_problems", problems=len(checked.problems), rows=checked.bad_rows))
        _problem_table(checked.problems, key)
        valid_only = st.checkbox(t("io.import.valid_only", valid=checked.valid_rows, bad=checked.bad_rows),
                                 key=f"{key}-valid-only", disabled=checked.valid_rows == 0)
    go = st.button(t("io.import.go", rows=checked.valid_rows if valid_only else checked.rows), type="primary",
                   disabled=not allowed or (not checked.ok and not valid_only), key=f"{key}-go")
    if not allowed:
        st.caption(t("io.readonly", dept=t(f"dept.{spec.department}")))
    if not go:
        progress.empty()
        return
    progress.progress(0.7, text=t("io.import.writing"))
    try:
        result = import_file(db, user, table, data, upload.name, valid_only=valid_only, mode=mode,
                             accept_reformatted=accept)
    except ImportRejected as e:
        progress.empty()
        st.error(t_md("io.import.file_refused", detail=e.detail))
        if not e.problems.empty:
            _problem_table(e.problems, f"{key}-after")
        return
    progress.progress(1.0, text=t("io.import.done"))
    st.session_state["io-flash"] = md_text(result.summary())     # names the file
    st.session_state[f"imp-{table}-nonce"] = st.session_state.get(f"imp-{table}-nonce", 0) + 1
    st.cache_data.clear()
    _reset_editor(table)
    st.rerun()


@st.cache_data(ttl=900, show_spinner=False, max_entries=4, hash_funcs={"lib.people.auth.User": lambda u: u.username})
def _previewed(_db, version: int, digests: tuple, mode: str, user, _files: list):
    from lib.store.imports import preview_many
    return preview_many(_db, user, _files, mode=mode)


def section_importer(db, tables: list[str], dept: str) -> None:
    """Several ERP exports at once (a whole section): each file's table is recognised from its
    headers (or name); all files are checked, then imported in one transaction — all or none."""
    user = current_user()
    allowed = auth.can(user, "edit", dept)
    lang = get_lang()
    key = f"many-{dept}-{st.session_state.get(f'many-{dept}-nonce', 0)}"
    uploader_words()
    uploads = st.file_uploader(t("io.many.upload"), type=UPLOAD_TYPES, accept_multiple_files=True,
                               key=key, help=t("io.import.upload_help"))
    if not uploads:
        return
    new_only = st.checkbox(t("io.import.new_only"), key=f"{key}-new-only", help=t("io.import.new_only_help"))
    mode = "insert" if new_only else "upsert"
    files, unknown = [], []
    for up in uploads:
        data = up.getvalue()
        try:
            table = detect_table(read_file(data, up.name), up.name, tables)
        except ImportRejected as e:
            unknown.append({"file": up.name, "row": 0, "column": "", "value": "", "reason": e.detail})
            continue
        if table is None:
            unknown.append({"file": up.name, "row": 0, "column": "", "value": "",
                            "reason": t("io.many.unknown_table", tables=", ".join(tables))})
        else:
            files.append((table, data, up.name))
    try:
        with st.spinner(t_md("io.import.reading", file=", ".join(u.name for u in uploads))):
            results, problems = _previewed(db, db.data_version(), tuple(
                (tb, hashlib.sha1(d).hexdigest(), n) for tb, d, n in files), mode, user, files)
    except TandemError as e:          # e.g. not allowed to edit this section
        show_error(e)
        return
    problems = pd.concat([pd.DataFrame(unknown, columns=problems.columns), problems], ignore_index=True) \
        if unknown else problems
    by_file = {r.file: r for r in results}
    summary = pd.DataFrame([{
        t("io.many.col.file"): n, t("io.many.col.table"): f"{get_spec(tb).title(lang)} ({tb})",
        t("io.many.col.rows"): by_file[n].rows if n in by_file else None,
        t("io.many.col.added"): by_file[n].inserted if n in by_file else None,
        t("io.many.col.updated"): by_file[n].updated if n in by_file else None,
        t("io.many.col.problems"): int((problems["file"] == n).sum()) if not problems.empty else 0}
        for tb, _, n in files])
    if not summary.empty:
        st.dataframe(summary.astype(object).where(summary.notna(), "—"), hide_index=True, width="stretch", placeholder="")
    valid_only = False
    if not problems.empty:
        st.warning(t("io.import.has_problems", problems=len(problems),
                     rows=problems[["file", "row"]].drop_duplicates().shape[0]))
        _problem_table(problems, key)
        if not unknown:
            valid_only = st.checkbox(t("io.many.valid_only"), key=f"{key}-valid-only")
    unreadable = bool(unknown)
    go = st.button(t("io.many.go", n=len(files)), type="primary", key=f"{key}-go",
                   disabled=not allowed or unreadable or (not problems.empty and not valid_only))
    if not go:
        return
    try:
        with st.spinner(t("io.import.writing")):
            results = import_many(db, user, files, valid_only=valid_only, mode=mode)
    except ImportRejected as e:
        st.error(t_md("io.import.file_refused", detail=e.detail))
        return
    st.session_state["io-flash"] = " ".join(md_text(r.summary()) for r in results)
    st.session_state[f"many-{dept}-nonce"] = st.session_state.get(f"many-{dept}-nonce", 0) + 1
    st.cache_data.clear()
    for table, _, _ in files:
        _reset_editor(table)
    st.rerun()


# ---------------------------------------------------------------------------- export

def _export(db, table: str, fmt: str):
    """A callable that builds the file when the button is clicked (nothing is built per page run)."""
    def build() -> bytes:
        from lib.store.exports import export_bytes
        with db.cursor() as cur:
            return export_bytes(cur, table, fmt)
    return build


def exporter(db, tables: list[str]) -> None:
    """CSV / Excel downloads of each table, in the exchange format."""
    lang = get_lang()
    for table in tables:
        spec = get_spec(table)
        n = cache.load(db, lookups.row_count, table)
        c0, c1, c2 = st.columns([3, 1, 1])
        c0.markdown(f"**{spec.title(lang)}** · `{table}` · {t('io.export.rows', n=n)}")
        c1.download_button(t("common.download_csv"), _export(db, table, "csv"), file_name=f"{table}.csv",
                           mime="text/csv", key=f"exp-{table}-csv")
        c2.download_button(t("common.download_xlsx"), _export(db, table, "xlsx"),
                           file_name=f"{table}.xlsx", mime=XLSX_MIME, key=f"exp-{table}-xlsx")
