"""The app's pages, grouped by meeting section. Add a page here and it is routed and tested.

Each entry: (file under pages/, url path, i18n title key, navigation section, icon).
Section keys are nav.* i18n keys. The url path is fixed so links survive a language switch.
"""
from __future__ import annotations

PAGES: list[tuple[str, str, str, str, str]] = [
    ("pages/overview.py", "overview", "page.overview", "nav.home", ":material/dashboard:"),
    ("pages/promise.py", "promise", "page.promise", "nav.sales", ":material/event_available:"),
    ("pages/review.py", "order-review", "page.review", "nav.sales", ":material/fact_check:"),
    ("pages/capacity.py", "capacity", "page.capacity", "nav.pmc", ":material/grid_on:"),
    ("pages/data.py", "data", "page.data", "nav.manage", ":material/upload_file:"),
    ("pages/audit.py", "audit", "page.audit", "nav.manage", ":material/history:"),
]


def sections() -> list[str]:
    """The navigation sections in order of first appearance."""
    seen: list[str] = []
    for _, _, _, section, _ in PAGES:
        if section not in seen:
            seen.append(section)
    return seen
