"""Customer service answers "when can we deliver 40 of P-1003 by 16 December?" on the Delivery
promise page, accepts the answer for a customer, and finds the new order line in Order review
with every department's review pending. The database is checked after the server has stopped."""
import shutil
import tempfile
from datetime import date

import duckdb
import pytest

from lib.departments import DEPARTMENTS
from lib.i18n import set_lang
from lib.plan import promise, review
from tests.conftest import AS_OF
from tests.e2e.conftest import open_page, problems, see, use_language, wait_for_run

PRODUCT, QTY, REQUESTED, CUSTOMER = "P-1003", 40, date(2026, 12, 16), "C-002"
ORDER = f"SO-{AS_OF:%y%m%d}"
MAIN = "[data-testid='stMain']"     # the page itself, not the sidebar's filters


@pytest.fixture
def promise_server(start_server):
    srv = start_server("off", name="promise")
    yield srv
    srv.stop()


def _choose(page, label: str, option_text: str) -> None:
    """Pick an option of a selectbox found by its label, typing to filter as a user does."""
    box = page.locator(MAIN).get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option_text)
    page.get_by_role("option").filter(has_text=option_text).first.click()


def _date(page, label: str, day: date) -> None:
    box = page.locator(MAIN).get_by_label(label, exact=True)
    box.click()
    box.press("Control+a")
    box.type(day.isoformat())
    box.press("Enter")


def _expected(demo_path):
    """What lib.plan.promise answers for the same inquiry on an untouched copy of the demo data."""
    set_lang("en")
    # a private copy: this process may already hold demo_path open read-write (other tests'
    # gateway), and DuckDB refuses a second, read-only configuration of the same file
    with tempfile.TemporaryDirectory() as tmp:
        copy = shutil.copy(demo_path, tmp)
        con = duckdb.connect(copy, read_only=True)
        try:
            p = promise.quote(con, PRODUCT, str(QTY), REQUESTED, as_of=AS_OF)
            return p, promise.explain(p), len(review.pending(con, DEPARTMENTS[0]))
        finally:
            con.close()


def test_quote_accept_and_review(context, promise_server, demo_path):
    quote, sentence, pending_before = _expected(demo_path)
    assert quote.promise_date is not None and quote.requested_ok   # the scenario: the requested date holds
    page = context.new_page()
    page.goto(promise_server.url)
    wait_for_run(page)
    use_language(page, "en")

    open_page(page, "promise")
    assert see(page, "Enter a product, quantity and requested date, then press Quote.")
    _choose(page, "Product", PRODUCT)
    page.locator(MAIN).get_by_label("Quantity", exact=True).fill(str(QTY))
    _date(page, "Requested date", REQUESTED)
    _choose(page, "Customer", CUSTOMER)
    page.get_by_role("button", name="Quote").click()
    wait_for_run(page)

    # the one-sentence answer, as lib.plan.promise words it
    assert see(page, sentence)
    assert see(page, f"Inquiry: {QTY:,} × {PRODUCT}")
    assert problems(page) == []

    accept = page.get_by_role("button", name="Accept and create the order line")
    assert accept.is_enabled()
    accept.click()
    wait_for_run(page)
    done = f"Order line {ORDER}/1 created, promised {quote.commit_date.isoformat()}; it is now in order review."
    assert see(page, done)

    # the new line waits in order review: in the department's pending list and as the chosen line
    page.get_by_role("link", name="Open it in order review").click()
    wait_for_run(page)
    assert page.locator("h1").first.inner_text().strip().startswith("Order review")
    line = page.locator(MAIN).get_by_role("combobox", name="Order line", exact=True)
    label = line.input_value()
    assert f"{ORDER}/1 · {CUSTOMER} · {PRODUCT} × {QTY}" in label
    assert f"(0/{len(DEPARTMENTS)})" in label
    # Sales (the first department, shown when nobody is logged in) has one more line waiting
    assert see(page, f"Pending reviews for Sales: {pending_before + 1}")
    assert problems(page) == []

    # afterwards, in the database itself (only now that the server has stopped)
    promise_server.stop()
    con = duckdb.connect(str(promise_server.db), read_only=True)
    try:
        rows = con.execute(
            "SELECT customer, product, qty, requested_date, promised_date, line_id FROM order_lines "
            "WHERE order_no = ?", [ORDER]).fetchall()
        assert [r[:5] for r in rows] == [(CUSTOMER, PRODUCT, QTY, REQUESTED, quote.commit_date)]
        reviews = con.execute("SELECT department, status FROM order_reviews WHERE line_id = ? ORDER BY department",
                              [rows[0][5]]).fetchall()
        assert reviews == sorted((d, "pending") for d in DEPARTMENTS)
        history = con.execute("SELECT promised_date, source FROM promise_history WHERE line_id = ?",
                              [rows[0][5]]).fetchall()
        assert history == [(quote.commit_date, "ctp")]
    finally:
        con.close()
