"""The moderators' workspace in a real browser: triage, bulk actions, shortcuts, accessibility.

A resident sends feedback through the public form; a moderator signs in with a password and a
code from the authenticator app, finds the submission with the queue's filters, re-categorises
it, replies from a response template and accepts it, and the resident reads the reply. Controls
are found by role and accessible name, with names read from the app's own catalogues, and
axe-core runs on every workspace page, error states included. The sweep takes its pages from
the URL map, so a new workspace page is checked without anyone adding it here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.helpers import MUNICIPALITY, LiveServer, assert_accessible
from tests.browser.workspace_fixtures import (
    Staff,
    Translate,
    create_response_template,
    create_submissions,
    fill_sign_in,
    make_staff,
    new_page,
    record_ids,
    round_and_lagesbild_ids,
    rule_url,
    set_password_token,
    sign_in,
    status_message,
    submission_state,
    unique,
)

QUEUE = f"/staff/{MUNICIPALITY}/"
TOWN = "Falköpings kommun"
LIGHTING = "Dålig belysning eller mörka områden"  # MILJO.LIGHT in Swedish
GRAFFITI = "Klotter"  # MILJO.GRAFFITI in Swedish
SUBMISSION_URL = re.compile(rf"/staff/{MUNICIPALITY}/submissions/(\d+)")


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def queue_rows(page: Page) -> Locator:
    return main(page).get_by_role("table").locator("tbody").get_by_role("row")


def row_of(page: Page, reference: str) -> Locator:
    return queue_rows(page).filter(has=page.get_by_role("link", name=reference, exact=True))


def expect_error_page(page: Page, t: Translate) -> None:
    """A refused form: the summary is announced, the title says so, and axe finds nothing."""
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name=t("There is a problem"))).to_be_visible()
    expect(page).to_have_title(re.compile("^" + re.escape(t("Error")) + ": "))
    assert_accessible(page)


# --------------------------------------------------------------------------- the resident


def send_feedback(page: Page, live_server: LiveServer, t: Translate, text: str, email: str) -> str:
    """Send feedback through the public form, asking for replies by e-mail; the receipt code."""
    page.goto(live_server(f"/{MUNICIPALITY}/submit"))
    page.get_by_role("radio", name=t("Something that makes me feel unsafe")).check()
    page.get_by_label(t("What is it about?")).select_option(label=LIGHTING)
    page.get_by_label(t("Describe what you want to tell us")).fill(text)
    page.get_by_label(t("E-mail address (optional)")).fill(email)
    page.get_by_label(
        t("I agree that my e-mail address is stored so that I can get replies about this case.")
    ).check()
    page.get_by_role("button", name=t("Send"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    return page.locator(".receipt-code").inner_text().strip()


def read_case(page: Page, live_server: LiveServer, t: Translate, code: str) -> None:
    page.goto(live_server(f"/{MUNICIPALITY}/case"))
    page.get_by_label(t("Your receipt code"), exact=True).fill(code)
    page.get_by_role("button", name=t("Open the case")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("Your case %(reference)s") % {"reference": ""}
    )


# --------------------------------------------------------------------------- triage


def sign_in_with_code(page: Page, live_server: LiveServer, t: Translate, staff: Staff) -> None:
    """Password, then the app's code, with a wrong try of each: every state is accessible."""
    page.goto(live_server("/staff/login"))
    assert_accessible(page)
    fill_sign_in(page, t, staff, password="inte det rätta lösenordet")
    expect_error_page(page, t)
    expect(page.get_by_label(t("E-mail address"), exact=True)).to_have_value(staff.email)

    fill_sign_in(page, t, staff)
    expect(page).to_have_url(live_server("/staff/login/code"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Enter the code from your app"))
    assert_accessible(page)
    code = page.get_by_label(t("Code"), exact=True)
    code.fill("12345")  # five digits: never a valid code, nor a recovery code
    page.get_by_role("button", name=t("Continue"), exact=True).click()
    expect_error_page(page, t)
    expect(code).to_have_attribute("aria-invalid", "true")

    code.fill(staff.code())
    page.get_by_role("button", name=t("Continue"), exact=True).click()
    expect(page).to_have_url(live_server(f"/staff/{MUNICIPALITY}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Submissions"))
    expect(page.locator(".account-menu summary")).to_contain_text(staff.name)
    assert_accessible(page)


def filter_queue(page: Page, t: Translate, *, search: str, status: str, category: str) -> None:
    filters = page.get_by_role("search", name=t("Filters"))
    filters.get_by_role("searchbox", name=t("Search the text and location")).fill(search)
    filters.get_by_role("combobox", name=t("Status"), exact=True).select_option(label=status)
    filters.get_by_role("combobox", name=t("Category"), exact=True).select_option(label=category)
    filters.get_by_role("button", name=t("Show submissions")).click()


@pytest.mark.browser
def test_moderator_triages_a_fresh_submission(
    browser: Browser, page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    word = unique("lyktstolpe")
    text = f"Lampan vid busshållplatsen har varit släckt i två veckor ({word})."
    email = f"{unique('boende-')}@example.se"
    admin = make_staff(live_server, "admin")
    moderator = make_staff(live_server, "moderator", totp=True)
    template_title = unique("Belysning ")
    template_body = "Tack för att du hörde av dig. Vi har beställt en ny lampa."
    create_response_template(live_server, admin, template_title, template_body)

    with new_page(browser) as resident:
        code = send_feedback(resident, live_server, t, text, email)

    sign_in_with_code(page, live_server, t, moderator)
    # Staff of one municipality land in its queue.
    expect(page).to_have_url(live_server(QUEUE))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Submissions"))
    assert_accessible(page)

    # Filter: new, about lighting, with the word from the text.
    filter_queue(page, t, search=word, status=t("New"), category=LIGHTING)
    expect(page).to_have_url(re.compile(r"[?&]status=new\b"))
    expect(page).to_have_url(re.compile(rf"[?&]q={word}\b"))
    expect(queue_rows(page)).to_have_count(1)
    expect(main(page)).to_contain_text(
        t("Showing %(shown)d of %(matching)d matching submissions.") % {"shown": 1, "matching": 1}
    )
    expect(main(page).get_by_role("link", name=t("Clear all filters"))).to_be_visible()
    assert_accessible(page)

    # Open it.
    link = queue_rows(page).first.get_by_role("link")
    reference = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(SUBMISSION_URL)
    match = SUBMISSION_URL.search(page.url)
    assert match is not None
    submission_id = int(match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Submission %(reference)s") % {"reference": reference}
    )
    expect(main(page).locator(".submitted-text").first).to_contain_text(word)
    assert_accessible(page)

    # Re-categorise: from lighting to graffiti.
    page.get_by_role("combobox", name=t("Category"), exact=True).select_option(label=GRAFFITI)
    page.get_by_role("button", name=t("Save category, place and priority")).click()
    expect(status_message(page)).to_have_text(t("The changes have been saved."))
    expect(page).to_have_url(re.compile(r"#classify-section$"))
    choices = page.get_by_role("region", name=t("What the submitter chose and what moderators set"))
    category_row = choices.get_by_role("row").filter(has_text=t("Category"))
    expect(category_row).to_contain_text(GRAFFITI)
    expect(category_row).to_contain_text(t("changed by a moderator"))
    expect(page.get_by_role("combobox", name=t("Category"), exact=True)).to_have_value(
        re.compile(r"^\d+$")
    )
    assert_accessible(page)

    # Reply, starting from the response template.
    page.get_by_role("combobox", name=t("Response template")).select_option(label=template_title)
    page.get_by_role("button", name=t("Use the template")).click()
    expect(page).to_have_url(re.compile(r"[?&]template=\d+#reply-body$"))
    reply = page.get_by_role("textbox", name=t("Reply to the submitter"), exact=True)
    expect(reply).to_have_value(template_body)
    assert_accessible(page)
    reply_text = f"{template_body} Den sätts upp nästa vecka."
    reply.fill(reply_text)
    page.get_by_role("button", name=t("Send the reply")).click()
    expect(status_message(page)).to_have_text(
        t(
            "The reply is published on the submitter's case page. If they gave an e-mail "
            "address, a notice is queued and goes out when the mail server accepts it."
        )
    )
    replies = page.get_by_role("region", name=t("Replies to the submitter"))
    expect(replies.locator(".submitted-text")).to_have_text(reply_text)
    expect(replies).to_contain_text(moderator.name)
    assert_accessible(page)

    # Rejecting needs a reason: the refusal is an accessible error state, nothing changes.
    new_status = page.get_by_role("combobox", name=t("New status"))
    new_status.select_option(label=t("Rejected"))
    page.get_by_role("button", name=t("Change the status")).click()
    expect_error_page(page, t)
    reason = page.get_by_role("textbox", name=t("Reason"), exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        t("Give a reason for rejecting the submission.")
    )
    assert submission_state(live_server, submission_id)["status"] == "new"

    # Accept it.
    new_status.select_option(label=t("Accepted"))
    page.get_by_role("button", name=t("Change the status")).click()
    expect(status_message(page)).to_have_text(t("The status has been changed."))
    facts = main(page).locator(".submission-facts")
    expect(facts).to_contain_text(t("Accepted"))
    assert_accessible(page)

    # The history tells each step, by whom.
    history = page.get_by_role("region", name=t("History"))
    for action in (
        t("Sent the submission"),
        t("Changed the submission"),
        t("Replied to the submitter"),
        t("Changed the status"),
    ):
        expect(history).to_contain_text(action)
    expect(history.get_by_role("listitem").filter(has_text=moderator.name)).to_have_count(3)

    state = submission_state(live_server, submission_id)
    assert state["status"] == "accepted"
    assert state["category"] == "MILJO.GRAFFITI"
    assert state["notices"] == [("reply_notice", email)], "the reply notice was not queued"

    # The resident reads the reply with the code from the receipt.
    with new_page(browser) as resident:
        read_case(resident, live_server, t, code)
        expect(main(resident)).to_contain_text(reply_text)
        expect(main(resident)).to_contain_text(reference)
        assert_accessible(resident)


# --------------------------------------------------------------------------- bulk actions


@pytest.mark.browser
def test_moderator_changes_two_of_three_submissions_at_once(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    word = unique("bank")
    moderator = make_staff(live_server, "moderator")
    oldest, middle, newest = create_submissions(
        live_server, [f"Trasig bänk nummer {n} i parken ({word})." for n in (1, 2, 3)]
    )
    sign_in(page, live_server, t, moderator)
    page.goto(live_server(QUEUE + "?" + urlencode({"q": word})))
    expect(queue_rows(page)).to_have_count(3)
    references = [queue_rows(page).nth(i).get_by_role("link").inner_text() for i in range(3)]
    assert references == [newest[1], middle[1], oldest[1]], "newest first"

    # One by its checkbox, one with the x shortcut on its focused row.
    def box(submission: tuple[int, str]) -> Locator:
        return page.get_by_role("checkbox", name=f"{t('Choose submission')} {submission[1]}")

    box(newest).check()
    page.get_by_role("link", name=oldest[1], exact=True).focus()
    page.keyboard.press("x")
    expect(box(oldest)).to_be_checked()
    expect(row_of(page, oldest[1])).to_have_class(re.compile(r"\bis-selected\b"))
    expect(box(middle)).not_to_be_checked()
    assert_accessible(page)

    # Applying without choosing an action is refused; the choice of rows is kept.
    apply = page.get_by_role("button", name=t("Apply to the chosen submissions"))
    apply.click()
    expect_error_page(page, t)
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        t("Choose what to do with the chosen submissions.")
    )
    for submission, checked in ((newest, True), (middle, False), (oldest, True)):
        expect(box(submission)).to_be_checked(checked=checked)

    page.get_by_role("radio", name=t("Set the status")).check()
    page.get_by_role("combobox", name=t("New status")).select_option(label=t("In review"))
    apply.click()
    expect(status_message(page)).to_have_text(t("Submissions changed: %(count)d.") % {"count": 2})
    expect(page).to_have_url(re.compile(rf"[?&]q={word}\b"))
    for submission, status in ((newest, "In review"), (middle, "New"), (oldest, "In review")):
        cell = row_of(page, submission[1]).get_by_role("cell", name=t(status), exact=True)
        expect(cell).to_have_count(1)
    assert_accessible(page)
    assert [submission_state(live_server, s[0])["status"] for s in (newest, middle, oldest)] == [
        "in_review",
        "new",
        "in_review",
    ]


# --------------------------------------------------------------------------- keyboard

_FOCUS_STYLE = """() => {
    const style = getComputedStyle(document.activeElement);
    return {
        tag: document.activeElement.tagName, outlineStyle: style.outlineStyle,
        outlineWidth: style.outlineWidth, boxShadow: style.boxShadow,
    };
}"""


def assert_focus_visible(page: Page) -> None:
    focus = page.evaluate(_FOCUS_STYLE)
    outline = focus["outlineStyle"] != "none" and focus["outlineWidth"] != "0px"
    assert outline or focus["boxShadow"] != "none", f"focus is not visible: {focus}"


@pytest.mark.browser
def test_queue_keyboard_shortcuts_move_between_rows_and_open_one(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    word = unique("tangent")
    moderator = make_staff(live_server, "moderator")
    oldest, newest = create_submissions(
        live_server, [f"Mörk gångväg {n} ({word})." for n in (1, 2)]
    )
    sign_in(page, live_server, t, moderator)
    page.goto(live_server(QUEUE + "?" + urlencode({"q": word})))
    expect(queue_rows(page)).to_have_count(2)
    first = page.get_by_role("link", name=newest[1], exact=True)
    second = page.get_by_role("link", name=oldest[1], exact=True)

    page.keyboard.press("j")
    expect(first).to_be_focused()
    expect(row_of(page, newest[1])).to_have_class(re.compile(r"\bis-current\b"))
    assert_focus_visible(page)
    page.keyboard.press("j")
    expect(second).to_be_focused()
    expect(row_of(page, newest[1])).not_to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("j")  # the last row stays current
    expect(second).to_be_focused()
    page.keyboard.press("k")
    expect(first).to_be_focused()

    # "/" goes to the search field, where letters are typed rather than taken as shortcuts.
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name=t("Search the text and location"))
    expect(search).to_be_focused()
    page.keyboard.press("j")
    expect(search).to_be_focused()
    # "?" opens the help and moves focus to it; j goes on from the row that was current.
    search.blur()
    page.keyboard.press("?")
    shortcuts = main(page).locator("details.shortcuts")
    expect(shortcuts).to_have_attribute("open", "")
    expect(shortcuts.locator("summary")).to_be_focused()
    expect(shortcuts).to_contain_text(t("Go to the next or the previous submission"))
    assert_accessible(page)

    page.keyboard.press("j")
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server(f"/staff/{MUNICIPALITY}/submissions/{oldest[0]}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Submission %(reference)s") % {"reference": oldest[1]}
    )
    assert_accessible(page)


# --------------------------------------------------------------------------- the sweep

# Visited before signing in: the sign-in page and, for an account with an app, its code page.
BEFORE_SIGN_IN = {"accounts.login", "accounts.code"}
# Files, not pages: fetched and checked for their type instead of being shown.
DOWNLOADS = {
    "report.export",
    "report.est_export",
    "organisations.import_template",
}
# Forms whose refusal of an empty submission is itself a page to check.
EMPTY_FORMS = {"admin.add_account", "organisations.new", "rounds.new", "rounds.add_question"}


def _violations(page: Page) -> str | None:
    try:
        assert_accessible(page)
    except AssertionError as error:
        return str(error)
    return None


class Sweep:
    """Visits pages, checks each with axe and collects every problem before failing."""

    def __init__(self, page: Page, live_server: LiveServer, locale: str) -> None:
        self.page, self.live_server, self.locale = page, live_server, locale
        self.problems: list[str] = []
        self.visited: list[str] = []

    def check(self, label: str) -> None:
        lang = self.page.locator("html").get_attribute("lang")
        if lang != self.locale:
            self.problems.append(f"{label}: the page is in {lang!r}, not {self.locale!r}")
        found = _violations(self.page)
        if found:
            self.problems.append(found)
        self.visited.append(label)

    def visit(self, path: str, endpoint: str, expected: int = 200) -> None:
        response = self.page.goto(self.live_server(path))
        status = response.status if response is not None else 0
        if status != expected:
            self.problems.append(f"GET {path} ({endpoint}) answered {status}, not {expected}")
        self.check(f"{endpoint} {path}")

    def submit_empty(self, label: str) -> None:
        """Send the page's form as it is, unfilled: a refusal (422) that is itself accessible."""
        form = main(self.page).locator("form[method=post]:not(.inline-form)").first
        if not form.locator("button[type=submit]").count():
            self.problems.append(f"{label}: no form to send empty")
            return
        with self.page.expect_response(lambda r: r.request.method == "POST") as answer:
            form.locator("button[type=submit]").last.click()
        status = answer.value.status
        if status != 422:
            self.problems.append(f"{label}: the empty form answered {status}, not 422")
            return
        expect(self.page.get_by_role("alert")).to_be_visible()
        self.check(f"{label} (sent empty)")

    def report(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} problem(s) on {len(self.visited)} workspace pages and states "
            f"in {self.locale!r}:\n\n" + "\n\n".join(self.problems)
        )


def choose_english(page: Page, sv: Translate) -> None:
    """The header's language link, on a page that is in Swedish."""
    switch = page.get_by_role("navigation", name=sv("Language"))
    switch.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def workspace_get_rules(live_server: LiveServer) -> list[Any]:
    rules = [
        rule
        for rule in live_server.app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "GET" in (rule.methods or ())
    ]
    assert len(rules) > 20, "the workspace's routes were not found"
    return sorted(rules, key=lambda rule: rule.rule)


def create_account(page: Page, live_server: LiveServer, t: Translate, sweep: Sweep) -> None:
    """The page that shows a new account's set-password link, once."""
    page.goto(live_server(f"/staff/{MUNICIPALITY}/admin/accounts/new"))
    page.get_by_label(t("Name"), exact=True).fill("Ny Moderator")
    page.get_by_label(t("E-mail address"), exact=True).fill(f"{unique('ny-')}@falkoping.example")
    page.get_by_role("radio", name=t("Moderator: triages the submissions")).check()
    page.get_by_role("button", name=t("Create the account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("The account is created"))
    expect(page.get_by_label(t("Link for setting the password"))).to_have_value(
        re.compile(r"/staff/set-password/")
    )
    sweep.check("admin.new_account (the account is created)")


def enrol_in_two_factor(page: Page, t: Translate, sweep: Sweep) -> None:
    """The setup page's error state, the recovery codes, and the page once it is on."""
    code = page.get_by_label(t("Code from the app"), exact=True)
    code.fill("12345")
    page.get_by_role("button", name=t("Turn on two-factor sign-in")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    sweep.check("accounts.two_factor (a wrong code)")
    secret = main(page).locator("code.secret").inner_text().strip()
    code.fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name=t("Turn on two-factor sign-in")).click()
    expect(main(page).locator(".recovery-codes li")).to_have_count(10)
    sweep.check("accounts.two_factor (recovery codes)")
    page.goto(page.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Two-factor sign-in is on"))
    sweep.check("accounts.two_factor (already on)")


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_workspace_page_is_accessible(
    page: Page,
    live_server: LiveServer,
    sv: Translate,
    en: Translate,
    locale: str,
) -> None:
    t = {"sv": sv, "en": en}[locale]
    admin = make_staff(live_server, "admin")
    with_app = make_staff(live_server, "moderator", totp=True)
    ((submission_id, _reference),) = create_submissions(
        live_server, [f"Det är mörkt vid stationen ({unique('svep')})."]
    )
    template_id = create_response_template(
        live_server, admin, unique("Svar "), "Tack, vi tittar på det."
    )
    values = record_ids(live_server, submission_id, set_password_token(live_server, admin))
    values |= round_and_lagesbild_ids(live_server, admin)
    sweep = Sweep(page, live_server, locale)

    # Before signing in: the language is chosen with the header's link.
    page.goto(live_server("/staff/login"))
    if locale == "en":
        choose_english(page, sv)
        expect(page).to_have_url(live_server("/staff/login"))
    sweep.check("accounts.login /staff/login")
    fill_sign_in(page, t, admin, password="inte det rätta lösenordet")
    expect(page.get_by_role("alert")).to_be_visible()
    sweep.check("accounts.login /staff/login (a wrong password)")
    fill_sign_in(page, t, with_app)
    expect(page).to_have_url(live_server("/staff/login/code"))
    sweep.check("accounts.code /staff/login/code")
    page.get_by_role("button", name=t("Continue"), exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    sweep.check("accounts.code /staff/login/code (no code)")

    # The administrator has no app yet; Falköping does not ask for one.
    sign_in(page, live_server, t, admin)
    for rule in workspace_get_rules(live_server):
        if rule.endpoint in BEFORE_SIGN_IN or rule.endpoint.startswith("area_report."):
            continue  # the police-area report is for analysts: tests/browser/test_lagesbild.py
        path = rule_url(rule, values)
        if rule.endpoint in DOWNLOADS:
            download = page.request.get(live_server(path))
            assert download.status == 200, f"{rule.endpoint} {path}: {download.status}"
            assert "attachment" in download.headers.get("content-disposition", "")
            continue
        if rule.endpoint == "admin.template":
            path += f"?template={template_id}"  # the template is named in the query
        sweep.visit(path, rule.endpoint)
        if rule.endpoint.startswith("admin.new_") or rule.endpoint in EMPTY_FORMS:
            sweep.submit_empty(f"{rule.endpoint} {path}")
        if rule.endpoint == "accounts.two_factor":
            expect(page.get_by_role("heading", level=1)).to_have_text(
                t("Set up two-factor sign-in")
            )

    # States reached by query arguments.
    sweep.visit(QUEUE + "?" + urlencode({"q": unique("ingenting")}), "triage.queue (none match)")
    expect(main(page)).to_contain_text(t("No submissions match these filters."))
    sweep.visit(
        QUEUE + "?" + urlencode({"received_from": "2024-05-17", "received_to": "2024-05-01"}),
        "triage.queue (dates the wrong way round)",
        expected=422,
    )
    sweep.visit(
        f"/staff/{MUNICIPALITY}/submissions/{submission_id}?template={template_id}",
        "triage.show (with a response template)",
    )
    sweep.visit(
        f"/staff/{MUNICIPALITY}/audit?" + urlencode({"since": "not a date"}),
        "audit.log (a date that is not one)",
        expected=422,
    )

    create_account(page, live_server, t, sweep)
    page.goto(live_server("/staff/account/two-factor"))
    enrol_in_two_factor(page, t, sweep)
    sweep.report()


@pytest.mark.browser
def test_the_chosen_language_is_kept_through_two_factor_sign_in(
    page: Page, live_server: LiveServer, sv: Translate, en: Translate
) -> None:
    with_app = make_staff(live_server, "moderator", totp=True)
    page.goto(live_server("/staff/login"))
    choose_english(page, sv)
    fill_sign_in(page, en, with_app)
    expect(page).to_have_url(live_server("/staff/login/code"))
    assert page.locator("html").get_attribute("lang") == "en", "the code page is not in English"
    page.get_by_label(en("Code"), exact=True).fill(with_app.code())
    page.get_by_role("button", name=en("Continue"), exact=True).click()
    expect(page).to_have_url(live_server(f"/staff/{MUNICIPALITY}/"))
    assert page.locator("html").get_attribute("lang") == "en", "the workspace is not in English"


def test_moderator_reviews_the_public_summary_before_it_can_be_quoted(
    page: Page, live_server: LiveServer, sv: Translate
) -> None:
    t = sv
    text = (
        "Grannen Kalle Andersson på Storgatan 12 säljer knark. "
        f"Ring honom på 070-123 45 67 ({unique('granne')})."
    )
    [(submission_id, _reference)] = create_submissions(live_server, [text])
    moderator = make_staff(live_server, "moderator")
    sign_in(page, live_server, t, moderator)
    page.goto(live_server(f"/staff/{MUNICIPALITY}/submissions/{submission_id}"))

    # The suggestion masks the phone number and says what was masked and why.
    section = page.locator("#summary-section")
    masked = section.get_by_role("table", name=t("What was masked and why"))
    expect(masked.get_by_role("row").filter(has_text="070-123 45 67")).to_contain_text(
        str(t("(possible phone number)")).strip("()")
    )
    summary = section.get_by_role("textbox", name=t("Public summary"))
    expect(summary).not_to_have_value(re.compile("070-123"))
    assert_accessible(page)

    # Saved without review, it is not published; saved and marked reviewed, it is.
    summary.fill("Någon säljer narkotika i ett bostadsområde.")
    section.get_by_role("button", name=t("Save without review")).click()
    expect(status_message(page)).to_contain_text(
        t(
            "The public summary has been saved without review. It is not published anywhere "
            "until a moderator marks it as reviewed."
        )
    )
    expect(page.locator("#summary-section")).to_contain_text(t("Not reviewed"))
    assert submission_state(live_server, submission_id)["public_summary"] == (
        "Någon säljer narkotika i ett bostadsområde."
    )
    page.locator("#summary-section").get_by_role(
        "button", name=t("Save and mark as reviewed")
    ).click()
    expect(page.locator("#summary-section")).to_contain_text(t("Reviewed"))
    expect(page.locator("#summary-section")).to_contain_text(moderator.name)
    assert submission_state(live_server, submission_id)["summary_reviewed_by_id"] == moderator.id
    assert_accessible(page)

    # Withdrawn, the review is gone and the text stays.
    page.get_by_role("button", name=t("Withdraw the review")).click()
    expect(page.locator("#summary-section")).to_contain_text(t("Not reviewed"))
    expect(page.get_by_role("textbox", name=t("Public summary"))).to_have_value(
        "Någon säljer narkotika i ett bostadsområde."
    )
