"""With authentication on: the login screen comes first, a wrong password is refused with a
message, the chair logs in to the Overview, a page's URL opened directly shows the login instead
of the page, and the projector's viewer account is not offered the "Update data" page."""
import pytest

from tests.e2e.conftest import problems, see, use_language, wait_for_run

MAIN = "[data-testid='stMain']"
NAV = "[data-testid='stSidebarNav']"


@pytest.fixture
def fresh(browser, auth_server):
    """Open a path in a fresh browser context (no cookies, no session) on the server with login
    on, switched to English."""
    contexts = []

    def open_(path: str = ""):
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
        ctx.set_default_timeout(60_000)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.goto(f"{auth_server}/{path}")
        wait_for_run(pg)
        use_language(pg, "en")
        return pg
    yield open_
    for ctx in contexts:
        ctx.close()


def _on_login_screen(page) -> bool:
    main = page.locator(MAIN)
    main.get_by_role("button", name="Log in", exact=True).wait_for()
    # the form's inputs may still be drawing (skeletons) when its button is there: wait for them
    for name in ("Username", "Password"):
        main.get_by_label(name, exact=True).wait_for(state="visible")
    return page.locator(NAV).count() == 0


def _log_in(page, username: str, password: str) -> None:
    main = page.locator(MAIN)
    main.get_by_label("Username", exact=True).fill(username)
    main.get_by_label("Password", exact=True).fill(password)
    main.get_by_role("button", name="Log in", exact=True).click()
    wait_for_run(page)


def _nav_titles(page) -> list[str]:
    page.locator(NAV).wait_for()
    # each link reads "<icon name>\n\n<title>"
    return [t.strip().splitlines()[-1] for t in page.locator(f"{NAV} a").all_inner_texts()]


def test_login_refuses_a_wrong_password_then_lets_the_chair_in(fresh):
    page = fresh()
    assert _on_login_screen(page)
    assert see(page, "Log in to continue.")

    _log_in(page, "chair", "not-the-password")
    assert see(page, "Wrong username or password.")
    assert _on_login_screen(page)

    _log_in(page, "chair", "demo")
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    assert page.locator("h1").first.inner_text().strip() == "Overview"
    assert "Update data" in _nav_titles(page)     # the chair edits data
    assert problems(page) == []


def test_a_direct_url_shows_the_login_not_the_page(fresh):
    page = fresh("sales")
    assert _on_login_screen(page)
    # nothing of the Sales page was drawn (the table there is the demo accounts list)
    assert page.locator("h1").first.inner_text().strip() == "Tandem"
    assert page.locator("[data-testid='stPlotlyChart'], [data-testid='stMetric']").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    # once logged in, the user is on the page the link named
    _log_in(page, "sales", "demo")
    page.locator("h1").filter(has_text="Sales").first.wait_for()
    assert page.url.rstrip("/").endswith("/sales")
    assert problems(page) == []


def test_the_viewer_sees_no_update_data_page(fresh):
    page = fresh()
    _log_in(page, "viewer", "demo")
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    titles = _nav_titles(page)
    assert "Overview" in titles and "Update data" not in titles, titles
    assert page.locator(f"{NAV} a[href$='/data']").count() == 0
    assert problems(page) == []


@pytest.mark.parametrize("path,title,who", [("sales", "Sales", "sales"), ("users", "Users and access", "admin")])
def test_a_deep_link_is_the_first_request_of_a_fresh_server(browser, start_server, path, title, who):
    """Streamlit serves a pages/ folder file by file until st.navigation is first called in the
    process. On a server that has served nothing yet, a deep link still shows only the login,
    no list of page files appears in the sidebar before or after login, and after login the
    user lands on the page the link named."""
    fresh_server = start_server("on", name=f"fresh-{path}")
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    ctx.set_default_timeout(60_000)
    try:
        page = ctx.new_page()
        page.goto(f"{fresh_server.url}/{path}")
        wait_for_run(page)
        assert _on_login_screen(page)
        assert page.locator("[data-testid='stSidebarNav'] a").count() == 0
        assert page.get_by_text("Page not found").count() == 0
        use_language(page, "en")
        _log_in(page, who, "demo")
        page.locator("h1").filter(has_text=title).first.wait_for()
        assert page.url.rstrip("/").endswith(f"/{path}")
        hrefs = page.locator(f"{NAV} a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs and not any("_page" in h for h in hrefs), hrefs   # our url paths only, no file pages
        assert problems(page) == []
    finally:
        ctx.close()
        fresh_server.stop()
