"""Update data: a department head brings their section up to date (forms, editing, import, export)."""
import streamlit as st

from lib.departments import DEPARTMENTS
from lib.i18n import get_lang, t
from lib.people import auth
from lib.store import lookups, tables
from lib.text import t_md
from lib.ui import cache, data_io, forms, state
from lib.ui.frames import source_label
from lib.ui.session import current_user


def render() -> None:
    db = state.db()
    user = current_user()

    st.title(t("io.page.title"))
    if "io-flash" in st.session_state:      # Markdown, its values escaped where it was written (lib.ui.data_io)
        st.success(st.session_state.pop("io-flash"), icon=":material/check_circle:")

    default = user.department if user.department in DEPARTMENTS else DEPARTMENTS[0]
    dept = st.segmented_control(t("io.page.department"), DEPARTMENTS, default=default, key="io-dept",
                                format_func=lambda d: t(f"dept.{d}")) or default
    r = cache.load(db, lookups.freshness, dept)
    if r is None:
        st.caption(t("io.page.never", dept=t(f"dept.{dept}")))
    else:
        st.caption(t_md("io.page.fresh", dept=t(f"dept.{dept}"), at=f"{r['updated_at']:%Y-%m-%d %H:%M}",
                        by=r["updated_by_name"], source=source_label(r["source"])))
    if not auth.can(user, "edit", dept):
        st.info(t("io.readonly", dept=t(f"dept.{dept}")), icon=":material/lock:")

    specs = tables.for_department(dept)
    names = [s.name for s in specs]
    lang = get_lang()
    MODES = ("forms", "edit", "import", "export")
    # a segmented control, not st.tabs: the chosen part survives the rerun after a save or an import,
    # and only that part is computed
    mode = st.segmented_control(t("io.page.mode"), MODES, default="import", key="io-mode",
                                format_func=lambda m: t(f"io.tab.{m}"), label_visibility="collapsed") or "import"
    st.divider()

    if mode == "forms":
        for form in forms.FORMS.get(dept, []):
            form(db)
    elif mode == "edit":
        table = st.selectbox(t("io.page.table"), names, key=f"io-edit-table-{dept}",
                             format_func=lambda n: tables.spec(n).title(lang))
        data_io.editor(db, table)
    elif mode == "import":
        st.caption(t("io.import.rules"))
        several = st.toggle(t("io.many.toggle"), key="io-import-many", help=t("io.many.help"))
        if several:
            data_io.section_importer(db, names, dept)
        else:
            table = st.selectbox(t("io.page.table"), names, key=f"io-import-table-{dept}",
                                 format_func=lambda n: tables.spec(n).title(lang))
            data_io.importer(db, table)
    else:
        st.caption(t("io.export.help"))
        data_io.exporter(db, names)
