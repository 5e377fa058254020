"""axe-core finds no WCAG 2.1 A/AA violation on any public page, in Swedish or in English."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import LiveServer, assert_accessible

PUBLIC_PAGES = [
    "/",
    "/falkoping/",
    "/falkoping/pledge",
    "/falkoping/places",
    "/falkoping/places/ranten",
    "/falkoping/places/ranten/poster",
    "/falkoping/submit",
    "/falkoping/case",
    "/accessibility",
    "/privacy",
    "/falkoping/no-such-page",
]


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["sv", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(
    page: Page, live_server: LiveServer, sv: Callable[[str], str], path: str, locale: str
) -> None:
    response = page.goto(live_server(path))
    assert response is not None
    expected_status = 404 if path.endswith("no-such-page") else 200
    assert response.status == expected_status
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    if locale == "en":
        # The header's switch: a link on most pages, a button that keeps typed text on forms.
        switch = page.get_by_role("navigation", name=sv("Language"))
        link = switch.get_by_role("link", name="English")
        if link.count():
            # "/" leads to the start page of the only municipality: the switch returns there.
            here = urlsplit(page.url).path
            expect(link).to_have_attribute("href", f"/language/en?next={quote(here, safe='/')}")
            link.click()
        else:
            switch.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
