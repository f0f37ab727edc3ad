"""The chair runs the weekly meeting from the projector: starts the upcoming meeting, moves to the
next agenda section in presenter mode, records a decision and an action from the capture panel
beside the slide (in view at 1920x1080 without scrolling, from the keyboard) and sees both listed
at once, and the action is on the Actions page afterwards."""
import re
from datetime import date

from playwright.sync_api import expect

from lib.departments import AGENDA
from tests.e2e.conftest import open_page, problems, see, use_language, wait_for_run

MAIN = "[data-testid='stMain']"
DECISION = "Expedite M-00085 by air freight for the December orders"
ACTION = "Confirm the air-freight booking with the supplier"
OWNER, DEPT = "高明 E2E", "Purchasing"      # an owner with no account: typed into the owner box
DUE = date(2026, 12, 8)                       # the default: a week after the demo's next meeting (12-01)


def _main(page):
    return page.locator(MAIN)


def test_run_the_meeting_from_the_presenter_screen(page):
    use_language(page, "en")
    open_page(page, "meetings")
    main = _main(page)
    # the upcoming (scheduled) meeting is the one shown first
    picked = main.get_by_role("combobox", name="Meeting", exact=True).input_value()
    assert picked.endswith("Scheduled"), picked
    title = picked.split(" · ")[1]

    main.get_by_role("button", name="Start the meeting").click()
    wait_for_run(page)
    # starting goes straight to presenter mode, on the first agenda section
    assert see(page, f"{title} · Section 1 of {len(AGENDA)}")
    assert see(page, "Last meeting's actions")

    main.get_by_role("button", name="Next ▶").click()
    wait_for_run(page)
    assert see(page, f"{title} · Section 2 of {len(AGENDA)}")
    assert main.locator(".tdm-ptitle").first.inner_text().strip() == "Sales / customer service"

    # the capture panel sits beside the slide: every field and button in view at 1920x1080, unscrolled
    panel = main.locator(".st-key-tdm-capture")
    expect(panel.get_by_role("tab")).to_have_count(2, timeout=60_000)
    _in_view(page, panel.get_by_role("textbox", name="Decision", exact=True),
             panel.get_by_role("button", name="Record decision"))
    # a decision from the keyboard (Ctrl+Enter submits), listed at once, confirmed beside the clock
    decision = panel.get_by_role("textbox", name="Decision", exact=True)
    decision.fill(DECISION)
    decision.press("Control+Enter")
    expect(panel).to_contain_text("Recorded in this meeting: 1 decisions, 0 actions", timeout=60_000)
    expect(panel).to_contain_text(DECISION)
    done = panel.locator("[data-testid='stAlert']").filter(has_text="Decision #")
    expect(done).to_be_visible()
    _apart(done, main.locator(".tdm-clock"))

    # an action: the section's department and its head are offered; the chair picks Purchasing and
    # types an owner who has no account, keeps the due date offered; Enter in the title submits
    panel.get_by_role("tab", name="Action", exact=True).click()
    dept = panel.get_by_role("combobox", name="Owner department", exact=True)
    expect(dept).to_have_value("Sales")
    owner = panel.get_by_role("combobox", name="Owner", exact=True)
    expect(owner).to_have_value(re.compile(r"Sales head \(sales\)$"))
    _in_view(page, panel.get_by_role("textbox", name="Action", exact=True), owner,
             panel.get_by_role("button", name="Record action"))
    dept.click()
    page.get_by_role("option", name=DEPT, exact=True).click()
    expect(owner).to_have_value(re.compile(r"Purchasing head \(purchasing\)$"), timeout=60_000)
    owner.click()
    owner.fill(OWNER)
    owner.press("Enter")
    title_box = panel.get_by_role("textbox", name="Action", exact=True)
    title_box.fill(ACTION)
    title_box.press("Enter")
    expect(panel).to_contain_text("Recorded in this meeting: 1 decisions, 1 actions", timeout=60_000)
    row = panel.locator(".tdm-rec").filter(has_text=ACTION)
    expect(row).to_contain_text(f"{DEPT} · {OWNER} · {DUE:%m-%d}")
    assert problems(page) == []

    # presenter mode hides the sidebar; its link leads back to the Meetings page, then on to Actions
    main.get_by_role("link", name="Meetings", exact=True).click()
    wait_for_run(page)
    assert page.locator("h1").first.inner_text().strip() == "Meetings"
    open_page(page, "actions")
    main = _main(page)
    owner = main.get_by_role("combobox", name="Owner", exact=True)
    owner.click()
    page.get_by_role("option", name=OWNER, exact=True).click()
    wait_for_run(page)
    expect(owner).to_have_value(OWNER)
    # the only action of that owner is the one to move on
    pick = main.get_by_role("combobox", name="Action", exact=True)
    expect(pick).to_have_value(re.compile(rf"^#\d+ {re.escape(ACTION)} · {re.escape(OWNER)} · Open$"), timeout=60_000)
    assert problems(page) == []


def _in_view(page, *locators) -> None:
    """Each element wholly inside the 1920x1080 viewport, and the page not scrolled to get there."""
    assert page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop") == 0
    for loc in locators:
        box = loc.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920, box


def _apart(a, b) -> None:
    """The two elements do not overlap (a confirmation never covers the countdown)."""
    p, q = a.bounding_box(), b.bounding_box()
    assert (p["x"] + p["width"] <= q["x"] or q["x"] + q["width"] <= p["x"]
            or p["y"] + p["height"] <= q["y"] or q["y"] + q["height"] <= p["y"]), (p, q)
