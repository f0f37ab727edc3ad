"""Every page opens in a real browser with no exception or error box, in English and Chinese."""
import pytest

from lib.ui import nav
from tests.e2e.conftest import problems, wait_for_run

# presenter mode hides the sidebar (it is for the projector), so it is opened last
URLS = sorted((p.url for p in nav.PAGES), key=lambda u: u == "presenter")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_opens_in_the_browser(page, server, lang):
    # the sidebar language switch is the user's way to change language
    page.get_by_text("中文" if lang == "zh" else "English", exact=True).first.click()
    wait_for_run(page)
    # the language took: the Overview's title is in the chosen language
    assert page.locator("h1").first.inner_text().strip() == ("总览" if lang == "zh" else "Overview")
    seen = {}
    for url in URLS:
        # the default page (the Overview) is served at the root, not at its url path
        link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{'' if url == URLS[0] else url}']")
        # (presenter mode hides the sidebar for the projector: from there, go by address)
        if link.count() and link.first.is_visible():
            link.first.click()
        else:
            page.goto(f"{server}/{url}")
        wait_for_run(page)
        seen[url] = problems(page)
    assert {u: p for u, p in seen.items() if p} == {}


def test_lazy_tabs_and_tables_draw_when_clicked(page, server):
    """The variance review runs only the open tab, and a chart's table is built only once its
    expander is opened: clicking must rerun the page and draw what was not there."""
    from lib.i18n import t
    page.get_by_text("English", exact=True).first.click()
    wait_for_run(page)
    page.locator("[data-testid='stSidebarNav'] a[href$='/variance']").first.click()
    wait_for_run(page)
    delivery = t("variance.trend.delivery", "en")
    assert page.get_by_text(delivery, exact=True).count() == 0            # its tab is not open
    page.get_by_role("tab", name=t("variance.tab.delivery", "en")).click()
    wait_for_run(page)
    page.get_by_text(delivery, exact=True).first.wait_for(timeout=30000)
    assert problems(page) == []
    # a chart's table: not in the page until "Table" is clicked
    box = page.locator("[data-testid='stExpander']", has_text=t("common.table", "en")).first
    assert box.locator("[data-testid='stDataFrame']").count() == 0
    box.locator("summary").click()
    wait_for_run(page)
    box.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30000)
    assert problems(page) == []
