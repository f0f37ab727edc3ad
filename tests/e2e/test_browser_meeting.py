"""The chair runs the weekly meeting from the projector: starts the upcoming meeting, moves to the
next agenda section in presenter mode, records a decision and an action there and sees both listed
live, and the action is on the Actions page afterwards."""
import re
from datetime import date

from playwright.sync_api import expect

from lib.departments import AGENDA
from tests.e2e.conftest import open_page, problems, see, use_language, wait_for_run

MAIN = "[data-testid='stMain']"
DECISION = "Expedite M-00085 by air freight for the December orders"
ACTION = "Confirm the air-freight booking with the supplier"
OWNER, DEPT, DUE = "刘洋 E2E", "Purchasing", date(2026, 12, 4)


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

    # a decision, recorded without leaving the screen (the first section's extra tabs are gone)
    expect(main.get_by_role("tab")).to_have_count(2, timeout=60_000)
    main.get_by_role("tab", name="Decision", exact=True).click()
    main.get_by_role("textbox", name="Decision", exact=True).fill(DECISION)
    main.get_by_role("button", name="Record decision").click()
    wait_for_run(page)
    # listed live on the same screen (the record below the forms; textContent, folded or not)
    record = main.locator("[data-testid='stExpander']").filter(has_text="Actions raised in this meeting")
    expect(record).to_contain_text("Decisions of this meeting · 1", timeout=60_000)
    expect(record).to_contain_text(DECISION)

    # an action with its owner department, owner and due date
    main.get_by_role("tab", name="Action", exact=True).click()
    main.get_by_role("textbox", name="Action", exact=True).fill(ACTION)
    dept = main.get_by_role("combobox", name="Owner department", exact=True)
    dept.click()
    page.get_by_role("option", name=DEPT, exact=True).click()
    main.get_by_role("textbox", name="Owner", exact=True).fill(OWNER)
    due = main.get_by_label("Due", exact=True)
    due.click()
    due.press("Control+a")
    due.type(DUE.isoformat())
    due.press("Enter")
    main.get_by_role("button", name="Record action").click()
    wait_for_run(page)
    expect(record).to_contain_text("Actions raised in this meeting · 1", timeout=60_000)
    main.get_by_text("Decisions of this meeting / Actions raised in this meeting").click()
    assert DECISION in record.inner_text()
    row = record.locator("tr").filter(has_text=ACTION)
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1:5] == [ACTION, DEPT, OWNER, f"{DUE:%m-%d}"], cells
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
