"""With login on, in a real browser: a reload keeps the sign-in (the session cookie), a second
tab is signed in too, logging out in one tab ends the other at its next click, and a display
link issued on the Users page shows the running meeting's presenter view, read-only, and stays
signed in when the screen reloads."""
import re

from tests.e2e.conftest import problems, see, use_language, wait_for_run
from tests.e2e.test_browser_login import MAIN, NAV, _log_in, _on_login_screen


def _h1(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def test_a_reload_keeps_the_sign_in_logout_ends_every_tab_and_a_display_stays(browser, auth_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    ctx.set_default_timeout(60_000)
    screen_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    screen_ctx.set_default_timeout(60_000)
    try:
        tab = ctx.new_page()
        tab.goto(auth_server)
        wait_for_run(tab)
        use_language(tab, "en")
        _log_in(tab, "admin", "demo")
        tab.locator("h1").filter(has_text="Overview").first.wait_for()
        # the browser keeps the session in a cookie: SameSite=Lax, not over https here
        tab.wait_for_function("() => document.cookie.includes('tandem_session=')")
        cookie = next(c for c in ctx.cookies() if c["name"] == "tandem_session")
        assert cookie["sameSite"] == "Lax" and not cookie["secure"]

        tab.reload()
        wait_for_run(tab)
        assert _h1(tab) == "Overview" and tab.locator(NAV).count() == 1          # still signed in

        # start the meeting (Presenter mode) and issue a display token (Users page)
        tab.goto(f"{auth_server}/presenter")
        wait_for_run(tab)
        tab.locator(MAIN).get_by_role("button", name="Start the meeting").click()
        wait_for_run(tab)
        tab.goto(f"{auth_server}/users")
        wait_for_run(tab)
        tab.get_by_role("tab", name="Display screens").click()
        tab.locator(MAIN).get_by_role("button", name="Issue token").click()
        wait_for_run(tab)
        link = tab.locator("[data-testid='stCode'] code").first.inner_text().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/display\?token=[A-Za-z0-9_-]{43}", link), link

        # a second tab of the same browser is signed in without a password
        other = ctx.new_page()
        other.goto(f"{auth_server}/sales")
        wait_for_run(other)
        assert _h1(other).startswith("Sales")

        # logging out in the first tab ends the second at its next click
        tab.get_by_role("button", name="Log out").click()
        wait_for_run(tab)
        assert _on_login_screen(tab) and see(tab, "You have logged out.")
        tab.wait_for_function("() => !document.cookie.includes('tandem_session=')")    # and forgotten
        other.locator(f"{NAV} a[href$='/pmc']").first.click()
        wait_for_run(other)
        assert _on_login_screen(other)
        assert see(other, "You were logged out, in another tab or on another device.")

        # the display link: the running meeting's presenter view, nothing to click, kept on reload
        screen = screen_ctx.new_page()
        screen.goto(link)
        wait_for_run(screen)
        for _ in range(2):
            screen.locator(".tdm-ptitle").filter(has_text="Last meeting's actions").wait_for()
            assert see(screen, "Section 1 of 8") and see(screen, "Meeting room projector")
            assert screen.locator(".tdm-clock").count() == 1                  # the countdown
            # no capture forms, no Next: no button, input or form of the app's (a chart's full-screen
            # button is the browser's own)
            assert screen.locator(f"{MAIN} [data-testid='stButton'], {MAIN} [data-testid='stForm'], "
                                  f"{MAIN} input, {MAIN} textarea").count() == 0
            assert not screen.locator(NAV).is_visible() and problems(screen) == []
            screen.reload()
            wait_for_run(screen)
        assert screen.url == link                                            # the address stays the link
    finally:
        ctx.close()
        screen_ctx.close()
