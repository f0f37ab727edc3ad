"""A department head updates a section from an ERP export in a real browser: a bad file shows
its problem report and writes nothing; the corrected file (GBK, Chinese headers) is imported."""
from tests.e2e.conftest import problems, use_language, wait_for_run


def _upload(page, path):
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    wait_for_run(page)
    _see(page, f"{path.name}:")


def _open(page, url):
    """Open a page from the sidebar as a user does (expanding "View n more" when it is folded away)."""
    link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{url}']").first
    if not link.is_visible():
        more = page.get_by_text("View", exact=False).filter(has_text="more")
        if more.count():
            more.first.click()
    for attempt in range(3):          # a click while the first run still draws can be lost: again
        link.click()
        try:
            page.wait_for_url(f"**/{url}", timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; the last try raises below
            if attempt == 2:
                raise
    wait_for_run(page)


def _see(page, text):
    """Until `text` is on the screen (in the page's visible text, wherever Streamlit put it)."""
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=60_000)
    return True


def test_import_a_bad_then_a_good_file(page, tmp_path):
    bad = tmp_path / "erp_customers.csv"
    bad.write_text("customer,name\nC-900,Nine Hundred\nC-901,\nC-900,Again\n", encoding="utf-8")
    good = tmp_path / "erp_customers_fixed.csv"
    good.write_bytes("客户编码,客户名称\nC-900,九百号客户\nC-901,九零一客户\n".encode("gbk"))

    use_language(page, "en")
    _open(page, "data")
    # importing is what the page opens on
    _upload(page, bad)
    assert _see(page, "2 problems in 2 rows")
    report = page.locator("[data-testid='stDataFrame']").last.inner_text()
    assert "erp_customers.csv" in report or page.get_by_text("Download problem report (CSV)").count() == 1
    # all or nothing: the import button stays disabled until valid-only is chosen explicitly
    assert page.get_by_role("button", name="Import 3 rows").is_disabled()

    _upload(page, good)
    assert _see(page, "2 rows — 2 valid, 0 refused")
    page.get_by_role("button", name="Import 2 rows").click()
    wait_for_run(page)
    page.wait_for_timeout(1000)
    assert _see(page, "customers from erp_customers_fixed.csv: 2 added, 0 updated")
    assert problems(page) == []
    # the audit log shows the rows, with the file they came from
    _open(page, "audit")
    page.get_by_role("textbox", name="Source contains").fill("erp_customers_fixed")
    page.keyboard.press("Enter")
    wait_for_run(page)
    assert _see(page, "4 entries match")


def test_a_whole_section_from_several_erp_exports(page, tmp_path):
    customers = tmp_path / "erp_customers.csv"
    customers.write_bytes("客户编码,客户名称\nC-950,九五零客户\n".encode("gbk"))
    orders = tmp_path / "erp_orders.csv"
    orders.write_text("order,line,customer,product,qty,order_date,requested_date\n"
                      "SO-E2E,1,C-950,P-1001,10,2026-11-20,2026-12-20\n", encoding="utf-8")
    use_language(page, "en")
    _open(page, "data")
    page.get_by_text("Several files at once (a whole section)").first.click()
    wait_for_run(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files([str(customers), str(orders)])
    wait_for_run(page)
    button = page.get_by_role("button", name="Import all 2 files")
    button.wait_for(timeout=60_000)
    button.click()
    wait_for_run(page)
    assert _see(page, "customers from erp_customers.csv: 1 added")
    assert _see(page, "orders from erp_orders.csv: 1 added")
    assert problems(page) == []
