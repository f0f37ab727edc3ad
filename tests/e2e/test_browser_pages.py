"""Every page opens in a real browser with no exception or error box, in English and Chinese."""
import pytest

from lib.ui import nav
from tests.e2e.conftest import problems, wait_for_run

# presenter mode hides the sidebar (it is for the projector), so it is opened last
URLS = sorted((url for _, url, *_ in nav.PAGES), key=lambda u: u == "presenter")


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
