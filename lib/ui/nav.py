"""The app's pages, grouped by meeting section. Add a page here and it is routed and tested.

Each entry: (file under pages/, url path, i18n title key, navigation section, icon).
Section keys are nav.* i18n keys. The url path is fixed so links survive a language switch.
"""
from __future__ import annotations

PAGES: list[tuple[str, str, str, str, str]] = [
    ("pages/overview.py", "overview", "page.overview", "nav.home", ":material/dashboard:"),
    ("pages/variance.py", "variance", "page.variance", "nav.home", ":material/query_stats:"),
    ("pages/sales.py", "sales", "page.sales", "nav.sales", ":material/local_shipping:"),
    ("pages/promise.py", "promise", "page.promise", "nav.sales", ":material/event_available:"),
    ("pages/review.py", "order-review", "page.review", "nav.sales", ":material/fact_check:"),
    ("pages/pmc.py", "pmc", "page.pmc", "nav.pmc", ":material/precision_manufacturing:"),
    ("pages/capacity.py", "capacity", "page.capacity", "nav.pmc", ":material/grid_on:"),
    ("pages/purchasing.py", "purchasing", "page.purchasing", "nav.purchasing", ":material/shopping_cart:"),
    ("pages/quality.py", "quality", "page.quality", "nav.quality", ":material/verified:"),
    ("pages/engineering.py", "engineering", "page.engineering", "nav.engineering", ":material/engineering:"),
    ("pages/settings.py", "settings", "page.settings", "nav.manage", ":material/tune:"),
]


def sections() -> list[str]:
    """The navigation sections in order of first appearance."""
    seen: list[str] = []
    for _, _, _, section, _ in PAGES:
        if section not in seen:
            seen.append(section)
    return seen
