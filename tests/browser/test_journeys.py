"""A resident's whole journey in a real browser: give feedback, keep the code, follow the case.

Controls are found by role and accessible name, with the names read from the app's own
catalogues, so every step also proves that labels, legends and links are wired up. axe-core
runs on every page the journeys reach, error states included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser.helpers import LiveServer, assert_accessible

CODE = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")
CATEGORY = {"sv": "Dålig belysning eller mörka områden", "en": "Poor lighting or dark areas"}

Translate = Callable[[str], str]


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def fill_form_without_text(page: Page, t: Translate, locale: str) -> None:
    page.get_by_role("radio", name=t("Something that makes me feel unsafe")).check()
    page.get_by_label(t("What is it about?")).select_option(label=CATEGORY[locale])
    page.get_by_label(t("Or describe the location in your own words")).fill("Vid gångtunneln")
    page.get_by_role("radio", name=t("Evening"), exact=True).check()
    page.get_by_label(t("It happens again and again")).check()
    page.get_by_role("radio", name=t("2 – rather unsafe")).check()
    page.get_by_role("radio", name=t("A resident"), exact=True).check()


def send(page: Page, t: Translate) -> None:
    page.get_by_role("button", name=t("Send"), exact=True).click()


def submit_with_missing_text(page: Page, t: Translate, locale: str) -> None:
    """Send without the description: the summary names the problem and nothing typed is lost."""
    fill_form_without_text(page, t, locale)
    category = page.get_by_label(t("What is it about?"))
    chosen_category = category.input_value()
    send(page, t)

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name=t("There is a problem"))).to_be_visible()
    link = summary.get_by_role("link", name=t("Write what you want to tell us."))
    expect(link).to_have_attribute("href", "#text")
    expect(page).to_have_title(re.compile("^" + re.escape(t("Error")) + ": "))

    description = page.get_by_label(t("Describe what you want to tell us"))
    expect(description).to_have_attribute("id", "text")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_attribute("aria-describedby", re.compile(r"\btext-error\b"))
    expect(page.locator("#text-error")).to_contain_text(t("Write what you want to tell us."))

    # Everything else that was typed or chosen is still there.
    expect(page.get_by_role("radio", name=t("Something that makes me feel unsafe"))).to_be_checked()
    expect(category).to_have_value(chosen_category)
    expect(page.get_by_label(t("Or describe the location in your own words"))).to_have_value(
        "Vid gångtunneln"
    )
    expect(page.get_by_role("radio", name=t("Evening"), exact=True)).to_be_checked()
    expect(page.get_by_label(t("It happens again and again"))).to_be_checked()
    expect(page.get_by_role("radio", name=t("2 – rather unsafe"))).to_be_checked()
    expect(page.get_by_role("radio", name=t("A resident"), exact=True)).to_be_checked()
    assert_accessible(page)


def read_receipt(page: Page, t: Translate) -> str:
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    code = page.locator(".receipt-code").inner_text().strip()
    assert CODE.match(code), f"the receipt code {code!r} is not four groups of four digits"
    expect(page.locator(".receipt-code")).to_have_attribute(
        "aria-label", t("Your code: %(code)s") % {"code": code}
    )
    assert_accessible(page)
    return code


def open_case(page: Page, t: Translate, code: str, *, try_wrong_code: bool = False) -> None:
    main(page).get_by_role("link", name=t("Follow your case")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Follow your case"))
    assert_accessible(page)
    code_field = page.get_by_label(t("Your receipt code"), exact=True)
    if try_wrong_code:
        # A wrong code is refused with an error state that is itself accessible.
        code_field.fill("0000 0000 0000 0000")
        page.get_by_role("button", name=t("Open the case")).click()
        expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#code")
        expect(code_field).to_have_attribute("aria-invalid", "true")
        assert_accessible(page)
    code_field.fill(code)
    page.get_by_role("button", name=t("Open the case")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("Your case %(reference)s") % {"reference": ""}
    )
    expect(page.locator(".summary-list .tag")).to_have_text(t("Received"))
    assert_accessible(page)


def add_information(page: Page, t: Translate, text: str, shown: str | None = None) -> None:
    page.get_by_label(t("Add more information")).fill(text)
    page.get_by_role("button", name=t("Add to the case")).click()
    expect(page.get_by_role("status")).to_have_text(
        t("Thank you. Your information has been added to the case.")
    )
    expect(main(page).get_by_role("heading", name=t("What you have added"))).to_be_visible()
    expect(page.locator(".message .submitted-text").last).to_have_text(shown or text)
    assert_accessible(page)


def withdraw(page: Page, t: Translate, *, try_unconfirmed: bool) -> None:
    # The wording of the confirmation and its messages is still being edited, so those are
    # found by role and checked for structure (a named checkbox, a linked error), not by text.
    main(page).get_by_role("link", name=t("Withdraw your message")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Withdraw your message"))
    assert_accessible(page)
    confirm = main(page).get_by_role("checkbox")
    expect(confirm).to_have_attribute("id", "confirm")
    expect(confirm).to_have_accessible_name(re.compile(r"\w"))
    button = page.get_by_role("button", name=t("Withdraw my message"), exact=True)
    if try_unconfirmed:
        button.click()
        link = page.get_by_role("alert").get_by_role("link")
        expect(link).to_have_attribute("href", "#confirm")
        expect(page.locator("#confirm-error")).to_contain_text(link.inner_text())
        expect(confirm).to_have_attribute("aria-invalid", "true")
        expect(confirm).to_have_attribute("aria-describedby", re.compile(r"\bconfirm-error\b"))
        assert_accessible(page)
    confirm.check()
    button.click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"\w"))
    expect(page.locator(".summary-list .tag")).to_have_text(t("Withdrawn by you"))
    # A withdrawn case takes no more information and cannot be withdrawn again.
    expect(page.get_by_label(t("Add more information"))).to_have_count(0)
    expect(main(page).get_by_role("link", name=t("Withdraw your message"))).to_have_count(0)
    assert_accessible(page)


@pytest.mark.browser
def test_resident_journey_in_swedish(page: Page, live_server: LiveServer, sv: Translate) -> None:
    t = sv
    page.goto(live_server("/falkoping/pledge"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page)

    # The first commitment's link carries its number for screen readers.
    first = t("commitment %(number)d") % {"number": 1}
    page.get_by_role(
        "link", name=f"{t('Give feedback about this commitment')} ({first})", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/falkoping/submit\?commitment=\d+$"))
    commitments = page.get_by_role("group", name=t("Is it about one of the pledge's commitments?"))
    expect(commitments.get_by_role("radio").nth(1)).to_be_checked()
    assert_accessible(page)

    submit_with_missing_text(page, t, "sv")
    # With JavaScript the error summary takes focus, so screen readers announce it at once.
    expect(page.get_by_role("alert")).to_be_focused()
    expect(commitments.get_by_role("radio").nth(1)).to_be_checked()
    page.get_by_role("alert").get_by_role("link").click()
    expect(page.get_by_label(t("Describe what you want to tell us"))).to_be_focused()

    page.get_by_label(t("Describe what you want to tell us")).fill(
        "Det är mörkt vid gångtunneln på kvällarna.\nLampan har varit trasig länge."
    )
    send(page, t)
    code = read_receipt(page, t)
    expect(page.get_by_role("button", name=t("Print this page"))).to_be_visible()

    open_case(page, t, code, try_wrong_code=True)
    expect(page.locator(".submitted-text").first).to_have_text(
        "Det är mörkt vid gångtunneln på kvällarna.\nLampan har varit trasig länge."
    )
    expect(main(page).get_by_text("Vid gångtunneln", exact=True)).to_be_visible()

    # Adding nothing is an error on the case page, announced and linked to the field.
    page.get_by_role("button", name=t("Add to the case")).click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        t("Write what you want to add.")
    )
    expect(page.get_by_label(t("Add more information"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    add_information(page, t, "Det gäller främst efter klockan 21.")
    withdraw(page, t, try_unconfirmed=True)
    # Literal Swedish, so a catalogue that failed to load cannot pass as English.
    expect(page.locator(".summary-list .tag")).to_have_text("Återkallat av dig")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_contain_text("Följ ditt ärende")

    # Closing the case forgets it in this browser: back to the code form.
    page.get_by_role("button", name=t("Close the case in this browser")).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_label(t("Your receipt code"), exact=True)).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
def test_resident_journey_in_english(
    page: Page, live_server: LiveServer, sv: Translate, en: Translate
) -> None:
    t = en
    page.goto(live_server("/falkoping/"))
    page.get_by_role("navigation", name=sv("Language")).get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server("/falkoping/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    # From a place (as from its QR poster) the form opens with that place chosen.
    page.get_by_role("navigation", name=t("Main menu")).get_by_role(
        "link", name=t("Places")
    ).click()
    assert_accessible(page)
    main(page).get_by_role("link", name="Ranten", exact=True).click()
    assert_accessible(page)
    main(page).get_by_role(
        "link", name=t("Give feedback about %(place)s") % {"place": "Ranten"}
    ).click()
    expect(page).to_have_url(re.compile(r"/falkoping/submit\?place=ranten$"))
    place = page.get_by_label(t("Place"), exact=True)
    expect(place.locator("option:checked")).to_have_text("Ranten")
    assert_accessible(page)

    submit_with_missing_text(page, t, "en")
    expect(place.locator("option:checked")).to_have_text("Ranten")
    page.get_by_label(t("Describe what you want to tell us")).fill("It is dark by the underpass.")
    send(page, t)
    code = read_receipt(page, t)

    open_case(page, t, code)
    expect(main(page).get_by_text("Ranten", exact=True)).to_be_visible()
    add_information(page, t, "Mostly after nine in the evening.")
    withdraw(page, t, try_unconfirmed=False)


@pytest.mark.browser
def test_resident_journey_without_javascript(
    nojs_page: Page, live_server: LiveServer, sv: Translate
) -> None:
    page, t = nojs_page, sv
    page.goto(live_server("/falkoping/submit?place=ranten"))
    expect(page.get_by_label(t("Place"), exact=True).locator("option:checked")).to_have_text(
        "Ranten"
    )
    assert_accessible(page)

    submit_with_missing_text(page, t, "sv")
    page.get_by_label(t("Describe what you want to tell us")).fill("Utan skript går det också.")
    send(page, t)
    code = read_receipt(page, t)
    # The print button needs a script, so without one it stays hidden.
    expect(page.get_by_role("button", name=t("Print this page"))).to_be_hidden()

    open_case(page, t, code)
    add_information(page, t, "Tillägg utan skript.")
    withdraw(page, t, try_unconfirmed=True)


def _focus_is_visible(page: Page) -> dict[str, Any]:
    """The focused element and the styles that show its focus."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName, id: el.id, type: el.type || '',
                // False when focus is on a part inside the browser's own shadow tree,
                // such as the calendar button of a date input.
                matchesFocus: el.matches(':focus'),
                outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                outlineColor: style.outlineColor, boxShadow: style.boxShadow,
            };
        }"""
    )
    return result


def _assert_focus_visible(page: Page) -> None:
    focus = _focus_is_visible(page)
    if not focus["matchesFocus"] and focus["type"] == "date":
        # Chromium's calendar button: page CSS cannot reach it; Chromium draws its own ring.
        return
    outline = (
        focus["outlineStyle"] != "none"
        and focus["outlineWidth"] != "0px"
        and focus["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    )
    assert outline or focus["boxShadow"] != "none", f"focus is not visible: {focus}"


def _tab_until(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has focus, checking focus on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        _assert_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


@pytest.mark.browser
def test_form_can_be_filled_and_sent_with_the_keyboard(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    page.goto(live_server("/falkoping/submit"))
    assert_accessible(page)

    # The first Tab reaches the skip link, which appears, and Enter moves focus to main.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=t("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    # From main onwards: choose what to tell, pick a category, write, and send.
    _tab_until(page, "input[name=kind]")
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name=t("Something that makes me feel unsafe"))).to_be_checked()
    # What the person came to say comes first, then where, then the category.
    _tab_until(page, "textarea[name=text]")
    page.keyboard.type("Skrivet med tangentbordet.")
    _tab_until(page, "select[name=category]")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(t("What is it about?"))).not_to_have_value("")
    _tab_until(page, "button[type=submit]:not([name=language])")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    expect(page.locator(".receipt-code")).to_have_text(CODE)
    assert_accessible(page)


@pytest.mark.browser
def test_error_summary_link_is_reachable_by_keyboard(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    page.goto(live_server("/falkoping/submit"))
    page.get_by_label(t("Describe what you want to tell us")).focus()
    page.keyboard.type("Bara text, inget annat valt.")
    _tab_until(page, "button[type=submit]:not([name=language])")
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)  # kind and category are missing
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    _assert_focus_visible(page)
    expect(page.get_by_label(t("Describe what you want to tell us"))).to_have_value(
        "Bara text, inget annat valt."
    )
    assert_accessible(page)


XSS_TEXT = (
    'Hej <img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=1;alert(2)</script> '
    "&lt;svg onload=alert(3)&gt; slut"
)
XSS_LOCATION = '"><img src=x onerror=alert(4)>'


@pytest.mark.browser
def test_markup_typed_by_a_resident_never_runs(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    """bypass_csp is on, so this proves the escaping and cleaning, not the CSP, stop it."""
    t = sv
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)

    page.goto(live_server("/falkoping/submit"))
    assert_accessible(page)
    page.get_by_role("radio", name=t("A suggestion")).check()
    page.get_by_label(t("What is it about?")).select_option(label=CATEGORY["sv"])
    page.get_by_label(t("Or describe the location in your own words")).fill(XSS_LOCATION)
    page.get_by_label(t("Describe what you want to tell us")).fill(XSS_TEXT)
    send(page, t)
    code = read_receipt(page, t)

    open_case(page, t, code)
    text = page.locator(".submitted-text").first
    expect(text).to_contain_text("Hej")
    expect(text).to_contain_text("slut")
    assert text.locator("*").count() == 0, "markup from the resident became elements"
    assert page.locator("main img, main svg, main script").count() == 0

    # Stored text is plain text: tags are stripped before saving, and output is escaped.
    add_information(
        page,
        t,
        "Mer <script>window.__xss=2;alert(5)</script> text",
        "Mer window.__xss=2;alert(5) text",
    )
    assert page.locator("main script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == [], f"a dialog was opened: {dialogs}"


@pytest.mark.browser
def test_stale_form_keeps_what_was_typed(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    """A form left open too long is refused with an explanation, and nothing typed is lost."""
    t = sv
    page.goto(live_server("/falkoping/submit"))
    fill_form_without_text(page, t, "sv")
    page.get_by_label(t("Describe what you want to tell us")).fill("Skrivet för länge sedan.")
    page.locator("input[name=form_token]").evaluate("(input) => { input.value = 'expired'; }")
    send(page, t)

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(
        t("The form had been open too long to be sent. Check your answers and send it again.")
    )
    expect(page.get_by_label(t("Describe what you want to tell us"))).to_have_value(
        "Skrivet för länge sedan."
    )
    expect(page.get_by_role("radio", name=t("Something that makes me feel unsafe"))).to_be_checked()
    assert_accessible(page)

    send(page, t)
    read_receipt(page, t)
