"""What AppTest cannot see of Chinese mode: the file uploader's own words (Streamlit draws them in
the browser) and plotly's date ticks (drawn by plotly.js from the chart's locale)."""
import re

from tests.e2e.conftest import problems, use_language, wait_for_run
from tests.e2e.test_browser_import import _open

BUTTON = "[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-secondary'] p"
HINT = "[data-testid='stFileUploaderDropzoneInstructions'] span"


def _drawn(page, selector: str) -> tuple[str, str]:
    """(the element's own text size, what its ::after draws) of the first `selector`."""
    return page.evaluate("s => { const e = document.querySelector(s); return [getComputedStyle(e).fontSize,"
                         " getComputedStyle(e, '::after').content]; }", selector)


def test_the_uploader_speaks_chinese(page):
    use_language(page, "zh")
    _open(page, "data")
    page.wait_for_selector(BUTTON)
    assert tuple(_drawn(page, BUTTON)) == ("0px", '"选择文件"')          # Streamlit's "Upload" is drawn as nothing
    size, hint = _drawn(page, HINT)
    assert size == "0px" and re.fullmatch(r'"每个文件不超过 \d+ MB · CSV、TXT、XLSX"', hint), hint
    assert not problems(page)


def test_chart_dates_tick_in_chinese(page):
    use_language(page, "zh")
    _open(page, "engineering")         # the NPI milestones Gantt has a date axis
    page.wait_for_selector(".js-plotly-plot .xtick text")
    wait_for_run(page)
    ticks = [t for t in page.locator(".js-plotly-plot .xtick text").all_text_contents() if t.strip()]
    assert ticks and not any(re.search(r"[A-Za-z]", t) for t in ticks), ticks
    assert any("月" in t for t in ticks), ticks
