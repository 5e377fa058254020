"""The first hour: a resident on a phone and a newly provisioned administrator on a desktop.

The demo is loaded as ``make run`` loads it (its pledge in force today), the administrator gets
the one-time link ``dialogue demo admin`` prints, and axe checks every page on the way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from dialogue.accounts.services import password_link_token
from dialogue.demo.services import DEMO_ADMIN, ensure_demo_administrator, load_demo_municipality
from dialogue.extensions import db
from dialogue.keys import current_keys
from dialogue.web.urls import external_url
from tests.browser.helpers import (
    MUNICIPALITY,
    LiveServer,
    _new_context,
    assert_accessible,
    demo_server,
)

Translate = Callable[[str], str]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TODAY = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()  # the demo's own time zone
PASSWORD = "Trygghet-i-Falköping-2026"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "browser_first_hour", today=TODAY) as server:
        yield server


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def fits(page: Page) -> None:
    """Nothing makes the page scroll sideways (WCAG 1.4.10 at this width)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width} px wide"


def check(page: Page) -> None:
    fits(page)
    assert_accessible(page)


@pytest.mark.browser
def test_a_resident_on_a_phone_finds_the_pledge_tells_us_something_and_follows_it(
    browser: Any, live_server: LiveServer, sv: Translate
) -> None:
    context = _new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    t = sv

    # One municipality: the service's address is its start page, whose pledge is in force.
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server(f"/{MUNICIPALITY}/"))
    expect(main(page)).to_contain_text(t("In force"))
    check(page)

    nav = page.get_by_role("navigation", name=t("Main menu"))
    nav.get_by_role("link", name=t("Give feedback")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name=t("Breadcrumb"))).to_be_visible()
    check(page)

    page.get_by_role("radio", name=t("Something that makes me feel unsafe")).check()
    page.get_by_label(t("Describe what you want to tell us")).fill(
        "Belysningen vid gångtunneln under järnvägen är trasig sedan en vecka."
    )
    page.get_by_label(t("Or describe the location in your own words")).fill("Gångtunneln")
    page.get_by_label(t("What is it about?")).select_option(index=1)
    page.get_by_label(t("E-mail address (optional)")).fill("boende@example.org")
    page.get_by_label(
        t("I agree that my e-mail address is stored so that I can get replies about this case.")
    ).check()
    page.get_by_role("button", name=t("Send"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    # An address was given: the receipt does not claim it cannot reach the resident.
    expect(main(page)).not_to_contain_text("we do not know who you are")
    expect(main(page)).to_contain_text(t("Case reference"))
    check(page)
    code = re.sub(r"\D", "", main(page).locator(".receipt-code").inner_text())
    assert len(code) == 16

    main(page).get_by_role("link", name=t("Follow your case")).first.click()
    field = page.get_by_label(t("Your receipt code"), exact=True)
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_have_attribute("autocomplete", "off")
    check(page)
    field.fill(code)
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        (t("Your case %(reference)s") % {"reference": ""}).strip()
    )
    check(page)
    context.close()


@pytest.mark.browser
def test_a_new_administrator_on_a_desktop_sets_a_password_and_finds_the_work(
    browser: Any, live_server: LiveServer, sv: Translate
) -> None:
    with live_server.app.app_context():
        municipality = load_demo_municipality(db.session)
        assert municipality is not None
        account = ensure_demo_administrator(db.session, municipality, DEMO_ADMIN)
        db.session.commit()
        token = password_link_token(current_keys().account_link, account)
        link = external_url("accounts.set_password", token=token)
        db.session.remove()
    assert link.startswith(live_server.url)

    context = _new_context(browser, viewport=DESKTOP)
    page = context.new_page()
    t = sv
    page.goto(link)
    check(page)
    for field in page.locator("input[type=password]").all():
        field.fill(PASSWORD)
    page.locator("input[type=password]").last.press("Enter")

    # Signed in straight away or asked to sign in: either way, the queue of the one municipality.
    if page.url.endswith("/staff/login"):
        page.get_by_label(t("E-mail address"), exact=True).fill(DEMO_ADMIN)
        page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(t("Password"), exact=True).press("Enter")
    expect(page).to_have_url(live_server(f"/staff/{MUNICIPALITY}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Submissions"))
    check(page)

    # The account's own links sit in one menu, not in the workspace menu.
    workspace = page.get_by_role("navigation", name=t("Workspace"))
    expect(workspace.get_by_role("link", name=t("Two-factor sign-in"))).to_have_count(0)
    menu = page.locator("details.account-menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name=t("Two-factor sign-in"))).to_be_visible()
    assert_accessible(page)

    workspace.get_by_role("link", name=t("Administration")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Administration of %(municipality)s") % {"municipality": "Falköpings kommun"}
    )
    check(page)

    menu = page.locator("details.account-menu")
    menu.locator("summary").press("Enter")
    menu.get_by_role("button", name=re.compile(t("Sign out"))).click()
    expect(page).to_have_url(re.compile(r"/staff/login"))
    context.close()
