"""Enter in a single-line field sends the form it is in, by its primary action.

The header's language buttons of public forms belong to the page's form (``form="…"``) and
come first in tree order, so without care they are the form's default button: Enter would
switch the language instead of sending. For every public, answering and workspace form this
presses Enter in each text, e-mail, number, date (and search, password) field, in Swedish and
English, with JavaScript on and off, and checks the request the browser sent (the form's own
address, no language field, no secondary button) and what came back (same language; the
form's result or its validation errors). Workspace forms are found from the URL map, so a
new workspace page is covered without anyone adding it here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from dialogue.models import (
    InputRound,
    Invitation,
    Organisation,
    OrganisationType,
    Question,
    QuestionKind,
)
from dialogue.rounds import tokens
from tests.browser.helpers import (
    MUNICIPALITY,
    LiveServer,
    _new_context,
    assert_accessible,
    demo_server,
)
from tests.browser.rounds_fixtures import stockholm_today
from tests.browser.test_workspace import BEFORE_SIGN_IN, DOWNLOADS, workspace_get_rules
from tests.browser.workspace_fixtures import (
    Translate,
    app_session,
    create_submissions,
    make_staff,
    municipality_id,
    record_ids,
    round_and_lagesbild_ids,
    rule_url,
    set_password_token,
    sign_in,
    unique,
    unused_org_number,
)

SINGLE_LINE = ["text", "email", "number", "date", "search", "password", "tel", "url"]
CHOICES = ["radio", "checkbox"]

# Mark the form's fields in tree order and describe its submit buttons. Runs through
# Playwright's own evaluation, so it works with the page's JavaScript off too.
_DESCRIBE = """([selector, types]) => {
  const form = document.querySelector(selector);
  if (!form) { return null; }
  const shown = (el) => el.getClientRects().length > 0;
  const seen = new Set();
  let index = 0;
  for (const el of form.elements) {
    const single = el.tagName === "INPUT" && types.includes(el.type);
    // Left out: fields people cannot reach (the intake form's honeypot for bots).
    if (!single || !shown(el) || el.disabled || el.tabIndex < 0) { continue; }
    if (el.type === "radio" || el.type === "checkbox") {
      if (seen.has(el.name)) { continue; }
      seen.add(el.name);
    }
    el.setAttribute("data-enter-field", String(index++));
  }
  const buttons = Array.from(form.elements).filter(
    (el) => (el.tagName === "BUTTON" || el.tagName === "INPUT") && el.type === "submit");
  // The primary action: the form's own visible button that is not styled as a secondary one.
  const own = buttons.filter((b) => form.contains(b) && shown(b));
  const secondary = /\b(button-secondary|button-warning|link-button)\b/;
  const primary = own.find((b) => !secondary.test(b.className)) || own[0];
  return {
    action: form.action,
    method: (form.getAttribute("method") || "get").toLowerCase(),
    fields: index,
    primary: primary
      ? {name: primary.name, value: primary.value, text: primary.textContent.trim()}
      : null,
    others: buttons.filter((b) => b !== primary && b.name).map((b) => [b.name, b.value]),
  };
}"""


@dataclasses.dataclass(frozen=True)
class FormAt:
    label: str
    path: str
    selector: str
    types: tuple[str, ...] = tuple(SINGLE_LINE)


class EnterCheck:
    """Presses Enter in each field of forms and collects every problem before failing."""

    def __init__(self, page: Page, live_server: LiveServer, locale: str) -> None:
        self.page, self.live_server, self.locale = page, live_server, locale
        self.problems: list[str] = []
        self.presses = 0
        self.forms = 0

    def describe(self, form: FormAt) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.page.evaluate(
            _DESCRIBE, [form.selector, list(form.types)]
        )
        return found

    def form(self, form: FormAt, *, required: bool = True) -> None:
        self.page.goto(self.live_server(form.path))
        shape = self.describe(form)
        if shape is None or not shape["fields"]:
            if required:
                self.problems.append(f"{form.label}: no form {form.selector} with fields")
            return
        if shape["primary"] is None:
            self.problems.append(f"{form.label}: the form has no visible submit button")
            return
        self.forms += 1
        for index in range(shape["fields"]):
            if index:
                self.page.goto(self.live_server(form.path))
                shape = self.describe(form) or shape
            self.press(form, shape, index, check_axe=index == 0)

    def press(self, form: FormAt, shape: dict[str, Any], index: int, *, check_axe: bool) -> None:
        page = self.page
        where = f"{form.label} {form.path}, field {index}"
        field = page.locator(f'[data-enter-field="{index}"]')
        name = field.get_attribute("name")
        where += f" ({name})"
        with page.expect_request(
            lambda r: r.is_navigation_request() and r.frame == page.main_frame
        ) as sent:
            field.press("Enter")
        request = sent.value
        page.wait_for_load_state("load")
        self.presses += 1
        response = request.response()
        status = response.status if response is not None else 0
        if urlsplit(request.url).path != urlsplit(shape["action"]).path:
            self.problems.append(f"{where}: Enter went to {request.url}, not {shape['action']}")
        data = parse_qs(
            request.post_data or "" if request.method == "POST" else urlsplit(request.url).query,
            keep_blank_values=True,
        )
        if "language" in data:
            self.problems.append(f"{where}: Enter pressed the language button {data['language']}")
        primary = shape["primary"]
        if primary["name"] and primary["value"] not in data.get(primary["name"], []):
            self.problems.append(f"{where}: the primary button {primary['text']!r} was not sent")
        for button_name, value in shape["others"]:
            if (button_name, value) != (primary["name"], primary["value"]) and value in data.get(
                button_name, []
            ):
                self.problems.append(f"{where}: Enter pressed the button {button_name}={value}")
        if status >= 500 or status in {400, 404, 405} or status == 0:
            self.problems.append(f"{where}: the form answered {status}")
        lang = page.locator("html").get_attribute("lang")
        if lang != self.locale:
            self.problems.append(f"{where}: the page turned to {lang!r} from {self.locale!r}")
        moved_on = urlsplit(page.url)[2:4] != urlsplit(self.live_server(form.path))[2:4]
        shown = page.locator("[data-error-summary], .notice-success, .notice-info").count() > 0
        if not (moved_on or shown):
            self.problems.append(f"{where}: neither the form's result nor its errors showed")
        if check_axe:
            try:
                assert_accessible(page)
            except AssertionError as error:
                self.problems.append(f"{where}: {error}")

    def report(self) -> None:
        assert self.forms and self.presses, "no form was tried"
        assert not self.problems, (
            f"{len(self.problems)} problem(s) in {self.presses} presses of Enter on "
            f"{self.forms} forms in {self.locale!r}:\n" + "\n".join(self.problems)
        )


# --------------------------------------------------------------------------- records


@dataclasses.dataclass(frozen=True)
class OpenRound:
    open_token: str
    visit_token: str


def open_round(live_server: LiveServer) -> OpenRound:
    """A published round open today, with an open link and an invited association."""
    key = live_server.app.extensions["dialogue.keys"].invitation
    today = stockholm_today()
    with app_session(live_server) as session:
        town = municipality_id(session)
        open_salt, open_token, open_lookup = tokens.issue(key)
        input_round = InputRound(
            municipality_id=town,
            title={"sv": unique("Enter-runda "), "en": unique("Enter round ")},
            introduction={"sv": "Inledning.", "en": "Introduction."},
            opens_on=today - dt.timedelta(days=2),
            closes_on=today + dt.timedelta(days=30),
            published_at=dt.datetime.now(dt.UTC),
            open_token_salt=open_salt,
            open_token_hash=open_lookup,
        )
        organisation = Organisation(
            municipality_id=town,
            name=unique("Enterföreningen "),
            type=OrganisationType.ASSOCIATION,
            org_number=unused_org_number(session, town),
        )
        session.add_all([input_round, organisation])
        session.flush()
        session.add_all(
            [
                Question(
                    municipality_id=town,
                    round_id=input_round.id,
                    position=1,
                    kind=QuestionKind.SCALE,
                    text={"sv": "Hur trygga är ni?", "en": "How safe are you?"},
                ),
                Question(
                    municipality_id=town,
                    round_id=input_round.id,
                    position=2,
                    kind=QuestionKind.FREE_TEXT,
                    text={"sv": "Något mer?", "en": "Anything else?"},
                ),
            ]
        )
        salt, visit_token, lookup = tokens.issue(key)
        session.add(
            Invitation(
                municipality_id=town,
                round_id=input_round.id,
                organisation_id=organisation.id,
                token_salt=salt,
                token_hash=lookup,
            )
        )
        session.commit()
    return OpenRound(open_token, visit_token)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Pressing Enter in every workspace form changes data (it freezes snapshots, publishes
    rounds): on a server of its own, so the other journeys still start from the demo."""
    with demo_server(tmp_path_factory, "browser_enter") as server:
        yield server


@pytest.fixture(scope="module")
def answering(live_server: LiveServer) -> OpenRound:
    return open_round(live_server)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def enter_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = _new_context(browser, java_script_enabled=request.param)
    try:
        yield context.new_page()
    finally:
        context.close()


def choose_language(page: Page, live_server: LiveServer, locale: str) -> None:
    page.goto(live_server(f"/language/{locale}?next=/"))


# --------------------------------------------------------------------------- tests


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["sv", "en"])
def test_enter_sends_public_and_answering_forms_by_their_primary_action(
    enter_page: Page, live_server: LiveServer, answering: OpenRound, locale: str
) -> None:
    town = f"/{MUNICIPALITY}"
    choose_language(enter_page, live_server, locale)
    check = EnterCheck(enter_page, live_server, locale)
    for form in [
        FormAt("intake", f"{town}/submit", "#intake-form"),
        FormAt("case look-up", f"{town}/case", "main form[action$='/case']"),
        FormAt("open link", f"{town}/rounds/open/{answering.open_token}", "#open-link-form"),
        FormAt("sign-in", "/staff/login", "main form"),
        FormAt("password reset", "/staff/password-reset", "main form"),
    ]:
        check.form(form)
    # A round step has no single-line field: Enter on its first choice sends it all the same.
    step = f"{town}/rounds/{answering.visit_token}/step/1"
    check.form(FormAt("round step", step, "#answer-form", tuple(CHOICES)))
    check.report()


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["sv", "en"])
def test_enter_sends_every_workspace_form_by_its_primary_action(
    enter_page: Page,
    live_server: LiveServer,
    sv: Translate,
    en: Translate,
    locale: str,
) -> None:
    t = {"sv": sv, "en": en}[locale]
    admin = make_staff(live_server, "admin")
    ((submission_id, _reference),) = create_submissions(
        live_server, [f"Mörkt vid busshållplatsen ({unique('enter')})."]
    )
    values = record_ids(live_server, submission_id, set_password_token(live_server, admin))
    values |= round_and_lagesbild_ids(live_server, admin)
    choose_language(enter_page, live_server, locale)
    sign_in(enter_page, live_server, t, admin)
    check = EnterCheck(enter_page, live_server, locale)
    for rule in workspace_get_rules(live_server):
        if (
            rule.endpoint in BEFORE_SIGN_IN
            or rule.endpoint in DOWNLOADS
            or rule.endpoint.startswith("area_report.")
            or rule.endpoint == "accounts.set_password"  # would set the admin's password
        ):
            continue
        path = rule_url(rule, values)
        enter_page.goto(live_server(path))
        for number in range(enter_page.locator("main form").count()):
            label = f"{rule.endpoint} form {number + 1}"
            check_nth_form(check, FormAt(label, path, f"[data-enter-form='{number}']"), number)
    check.report()


TAG_FORM = "(n) => document.querySelectorAll('main form')[n].setAttribute('data-enter-form', n)"


def check_nth_form(check: EnterCheck, form: FormAt, number: int) -> None:
    """``check.form`` for the ``number``-th form of the page's main content."""
    page = check.page
    shape: dict[str, Any] | None = None
    for index in range(10_000):
        page.goto(check.live_server(form.path))
        page.evaluate(TAG_FORM, number)
        shape = check.describe(form)
        if shape is None or not shape["fields"] or shape["primary"] is None:
            return  # a form of buttons only (delete, publish …): no field to press Enter in
        if index >= shape["fields"]:
            return
        if index == 0:
            check.forms += 1
        check.press(form, shape, index, check_axe=index == 0)
