"""The app's pages, grouped by meeting section. Add a page here and it is routed and tested.

Each page is a module under pages/ that defines `render()` and draws nothing when imported or
executed (Streamlit runs the files of a pages/ folder directly until st.navigation is first
called in the process; tests/test_layout.py checks). It is registered as st.Page(render,
url_path=...); its file stem differs from its url path, so a deep link on a freshly started
server falls back to app.py (and its login gate) instead of the blank file page.

Who sees a page: PAGE_NEEDS maps a url path to the lib.people.auth need its user must have
(lib.people.auth.can_see); a page not listed there is for every signed-in user, viewers included,
and must then hide its own edit controls from those who may not use them
(lib.ui.session.can / can_write). Hiding is for clarity only: lib refuses the write anyway.
A display screen (lib.ui.session.open_display) sees only the display page, which nobody else sees.
"""
from __future__ import annotations

from importlib import import_module
from typing import NamedTuple

from lib.people import auth


class Page(NamedTuple):
    module: str      # pages/<module>.py defines render(); its stem differs from the url path
    url: str         # fixed, so links survive a language switch
    title: str       # i18n key
    section: str     # i18n key of the navigation section
    icon: str


PAGES: list[Page] = [
    Page("pages.overview_page", "overview", "page.overview", "nav.home", ":material/dashboard:"),
    Page("pages.variance_page", "variance", "page.variance", "nav.home", ":material/query_stats:"),
    Page("pages.group_page", "group", "group.page", "nav.home", ":material/factory:"),
    Page("pages.sales_page", "sales", "page.sales", "nav.sales", ":material/local_shipping:"),
    Page("pages.promise_page", "promise", "page.promise", "nav.sales", ":material/event_available:"),
    Page("pages.review_page", "order-review", "page.review", "nav.sales", ":material/fact_check:"),
    Page("pages.pmc_page", "pmc", "page.pmc", "nav.pmc", ":material/precision_manufacturing:"),
    Page("pages.capacity_page", "capacity", "page.capacity", "nav.pmc", ":material/grid_on:"),
    Page("pages.purchasing_page", "purchasing", "page.purchasing", "nav.purchasing", ":material/shopping_cart:"),
    Page("pages.quality_page", "quality", "page.quality", "nav.quality", ":material/verified:"),
    Page("pages.engineering_page", "engineering", "page.engineering", "nav.engineering", ":material/engineering:"),
    Page("pages.meetings_page", "meetings", "meeting.page.meetings", "nav.meeting", ":material/event:"),
    Page("pages.presenter_page", "presenter", "meeting.page.presenter", "nav.meeting", ":material/co_present:"),
    Page("pages.actions_page", "actions", "action.page.list", "nav.meeting", ":material/task_alt:"),
    Page("pages.data_page", "data", "page.data", "nav.manage", ":material/upload_file:"),
    Page("pages.audit_page", "audit", "page.audit", "nav.manage", ":material/history:"),
    Page("pages.settings_page", "settings", "page.settings", "nav.manage", ":material/tune:"),
    Page("pages.users_page", "users", "admin.page", "nav.manage", ":material/manage_accounts:"),
    Page("pages.display_page", "display", "display.page", "nav.meeting", ":material/tv:"),
]

# The page of a display screen (lib.people.sessions display tokens): the only page a display
# sees, and a page nobody else is offered.
DISPLAY_URL = "display"

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
    for page in PAGES:
        if page.section not in seen:
            seen.append(page.section)
    return seen


def visible(user: auth.User) -> list[Page]:
    """The PAGES entries `user` may open, in order: a display screen only its display page.

    >>> urls = [p.url for p in visible(auth.User("wall", "viewer"))]
    >>> urls[:3], "data" in urls, "users" in urls, "display" in urls
    (['overview', 'variance', 'group'], False, False, False)
    >>> [p.url for p in visible(auth.User("display:1", auth.DISPLAY))]
    ['display']
    """
    if auth.is_display(user):
        return [p for p in PAGES if p.url == DISPLAY_URL]
    return [p for p in PAGES if p.url != DISPLAY_URL and auth.can_see(user, PAGE_NEEDS.get(p.url))]


GROUP_URL = "group"


def pages_for(user: auth.User, lang: str, *, group: bool = True) -> dict:
    """The st.Page objects of the pages `user` may open, grouped by translated section, for
    st.navigation. Built once per session, language and set of pages: st.Page resolves its
    file's path on the disk, a few per cent of the server's time when rebuilt on every run.
    (Kept per session, not shared: st.navigation marks the chosen page object runnable.)
    `group`: whether the store holds a group of plants (PostgreSQL); on one DuckDB file the Group
    page keeps its address but is not listed in the menu (it would show the one plant)."""
    import streamlit as st

    from lib.i18n import t
    visible_pages = visible(user)
    key = (lang, group, tuple(p.url for p in visible_pages))
    kept = st.session_state.get("_nav_pages")
    if kept and kept[0] == key:
        return kept[1]
    pages: dict = {}
    if auth.is_display(user):
        pages = {"": _display_pages(visible_pages[0], lang)}
    for p in ([] if pages else visible_pages):
        pages.setdefault(t(p.section, lang), []).append(
            st.Page(import_module(p.module).render, title=t(p.title, lang), url_path=p.url, icon=p.icon,
                    default=(p.url == "overview"),
                    visibility="hidden" if p.url == GROUP_URL and not group else "visible"))
    if not auth.is_display(user) and visible_pages:
        # a display link opened without (or with a revoked) token: say what the address is for,
        # not Streamlit's English "Page not found" box over the page
        first = next(iter(pages.values()))
        first.append(st.Page(import_module("pages.display_page").not_a_display, title=t("display.page", lang), url_path=DISPLAY_URL,
                             icon=":material/tv:", visibility="hidden"))
    st.session_state["_nav_pages"] = (key, pages)
    return pages


def _display_pages(p: Page, lang: str) -> list:
    """A display screen's navigation: its page at the root (the default page is served at "/",
    whatever its url path) and at /display, the address its link opens (a default page alone
    would answer /display with Streamlit's "Page not found"); no menu."""
    import streamlit as st

    from lib.i18n import t
    render = import_module(p.module).render
    return [st.Page(render, title=t(p.title, lang), url_path=f"{p.url}-home", icon=p.icon, default=True,
                    visibility="hidden"),
            st.Page(render, title=t(p.title, lang), url_path=p.url, icon=p.icon, visibility="hidden")]


def page(url: str):
    """This session's st.Page registered at `url`, or None when the user may not open it
    (st.page_link and st.switch_page need the Page object of a callable page)."""
    import streamlit as st
    kept = st.session_state.get("_nav_pages")
    if not kept:
        return None
    return next((p for section in kept[1].values() for p in section if p.url_path == url), None)


def link(url: str, label: str, icon: str | None = None, container=None) -> None:
    """A link to the page at `url`, drawn only when this user may open it."""
    import streamlit as st
    target = page(url)
    if target is not None:
        (container or st).page_link(target, label=label, icon=icon)


def switch(url: str) -> None:
    """Go to the page at `url` (it must be one this user may open)."""
    import streamlit as st
    target = page(url)
    if target is not None:
        st.switch_page(target)
