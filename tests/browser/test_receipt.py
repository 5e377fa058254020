"""The receipt code in a real browser: reloading shows it again for a few minutes, then never."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dialogue.intake import receipt_display
from tests.browser.helpers import LiveServer, assert_accessible
from tests.browser.test_journeys import fill_form_without_text, read_receipt, send

Translate = Callable[[str], str]


def send_a_message(page: Page, live_server: LiveServer, t: Translate) -> str:
    page.goto(live_server("/falkoping/submit"))
    fill_form_without_text(page, t, "sv")
    page.get_by_label(t("Describe what you want to tell us")).fill("Trasig lampa i tunneln.")
    send(page, t)
    return read_receipt(page, t)


@pytest.mark.browser
def test_reloading_the_receipt_shows_the_code_for_minutes_then_only_the_reference(
    page: Page, live_server: LiveServer, sv: Translate, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = sv
    code = send_a_message(page, live_server, t)
    reference = page.locator(".receipt-reference strong").inner_text().strip()

    page.reload()  # the browser sends the form again
    expect(page.locator(".receipt-code")).to_have_text(code)
    expect(
        page.get_by_text(
            t("The form was sent more than once. We have saved your message only once.")
        )
    ).to_be_visible()

    start = time.time()
    monkeypatch.setattr(
        receipt_display, "clock", lambda: start + (receipt_display.REDISPLAY_MINUTES + 1) * 60
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    expect(page.get_by_role("heading", name=t("The code was shown once"))).to_be_visible()
    expect(page.locator(".receipt-code")).to_have_count(0)
    expect(page.get_by_text(code)).to_have_count(0)
    expect(page.locator(".summary-list dd").first).to_have_text(reference)
    assert_accessible(page)


@pytest.mark.browser
def test_the_receipt_can_be_saved_as_a_text_file_with_the_code_and_the_reference(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    code = send_a_message(page, live_server, t)
    reference = page.locator(".receipt-reference strong").inner_text().strip()
    expect(page.get_by_role("button", name=t("Print this page"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name=t("Save the code as a text file")).click()
    saved = download.value
    assert saved.suggested_filename == f"{t('receipt')}-{reference}.txt"
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert code in text and reference in text
    assert t("Receipt code (secret, opens your case)") in text
