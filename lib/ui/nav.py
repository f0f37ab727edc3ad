"""The app's pages, grouped by meeting section. Add a page here and it is routed and tested.

Each entry: (file under views/, url path, i18n title key, navigation section, icon).
Section keys are nav.* i18n keys. The url path is fixed so links survive a language switch.

Who sees a page: PAGE_NEEDS maps a url path to the lib.people.auth need its user must have
(lib.people.auth.can_see); a page not listed there is for every signed-in user, viewers included,
and must then hide its own edit controls from those who may not use them
(lib.ui.session.can / can_write). Hiding is for clarity only: lib refuses the write anyway.
"""
from __future__ import annotations

from lib.people import auth

PAGES: list[tuple[str, str, str, str, str]] = [
    ("views/overview.py", "overview", "page.overview", "nav.home", ":material/dashboard:"),
    ("views/variance.py", "variance", "page.variance", "nav.home", ":material/query_stats:"),
    ("views/sales.py", "sales", "page.sales", "nav.sales", ":material/local_shipping:"),
    ("views/promise.py", "promise", "page.promise", "nav.sales", ":material/event_available:"),
    ("views/review.py", "order-review", "page.review", "nav.sales", ":material/fact_check:"),
    ("views/pmc.py", "pmc", "page.pmc", "nav.pmc", ":material/precision_manufacturing:"),
    ("views/capacity.py", "capacity", "page.capacity", "nav.pmc", ":material/grid_on:"),
    ("views/purchasing.py", "purchasing", "page.purchasing", "nav.purchasing", ":material/shopping_cart:"),
    ("views/quality.py", "quality", "page.quality", "nav.quality", ":material/verified:"),
    ("views/engineering.py", "engineering", "page.engineering", "nav.engineering", ":material/engineering:"),
    ("views/meetings.py", "meetings", "meeting.page.meetings", "nav.meeting", ":material/event:"),
    ("views/presenter.py", "presenter", "meeting.page.presenter", "nav.meeting", ":material/co_present:"),
    ("views/actions.py", "actions", "action.page.list", "nav.meeting", ":material/task_alt:"),
    ("views/data.py", "data", "page.data", "nav.manage", ":material/upload_file:"),
    ("views/audit.py", "audit", "page.audit", "nav.manage", ":material/history:"),
    ("views/settings.py", "settings", "page.settings", "nav.manage", ":material/tune:"),
    ("views/users.py", "users", "admin.page", "nav.manage", ":material/manage_accounts:"),
]

# url path -> the permission a user needs to see the page (see lib.people.auth.NEEDS)
PAGE_NEEDS: dict[str, str] = {
    "order-review": "review",
    "users": "users",
    "settings": "settings",
    "data": "edit",      # updating data: heads (their own department), chair, admin
    "audit": "edit",     # who changed what: for those who change things, not the projector
}


def sections() -> list[str]:
    """The navigation sections in order of first appearance."""
    seen: list[str] = []
    for _, _, _, section, _ in PAGES:
        if section not in seen:
            seen.append(section)
    return seen


def visible(user: auth.User) -> list[tuple[str, str, str, str, str]]:
    """The PAGES entries `user` may open, in order.

    >>> [p[1] for p in visible(auth.User("wall", "viewer"))]
    ['overview']
    """
    return [p for p in PAGES if auth.can_see(user, PAGE_NEEDS.get(p[1]))]


def pages_for(user: auth.User, lang: str) -> dict:
    """The st.Page objects of the pages `user` may open, grouped by translated section, for
    st.navigation. Built once per session, language and set of pages: st.Page resolves its
    file's path on the disk, a few per cent of the server's time when rebuilt on every run.
    (Kept per session, not shared: st.navigation marks the chosen page object runnable.)"""
    import streamlit as st

    from lib.i18n import t
    visible_pages = visible(user)
    key = (lang, tuple(p[1] for p in visible_pages))
    kept = st.session_state.get("_nav_pages")
    if kept and kept[0] == key:
        return kept[1]
    pages: dict = {}
    for path, url, title, section, icon in visible_pages:
        pages.setdefault(t(section, lang), []).append(
            st.Page(path, title=t(title, lang), url_path=url, icon=icon, default=(url == "overview")))
    st.session_state["_nav_pages"] = (key, pages)
    return pages
