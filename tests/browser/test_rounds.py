"""An input round in a real browser: a moderator asks, an association answers, the moderator reads.

A moderator creates a round from the current pledge, publishes it, invites an association of
the register and sends the invitation. The association answers with its own link over two
visits, each in a browser of its own: it saves the second step to come back later, returns,
continues where it left off, is told when it chooses too many categories, switches to English
on the last step without losing what it typed, checks its answers and sends them. The
moderator then reads the aggregate: the response rate, the distribution of the first question
and the free-text answer with its phone number marked. Controls are found by role and by the
names the app's catalogues give them, and axe-core runs on every page, error states included.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.numbers import format_decimal
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.helpers import MUNICIPALITY, LiveServer, assert_accessible
from tests.browser.rounds_fixtures import (
    Association,
    Plural,
    RoundShape,
    create_association,
    plural_translator,
    queued_mail,
    round_shape,
    stockholm_today,
)
from tests.browser.workspace_fixtures import (
    Staff,
    Translate,
    make_staff,
    new_page,
    sign_in,
    status_message,
    unique,
)

ROUND_URL = re.compile(rf"/staff/{MUNICIPALITY}/rounds/(\d+)$")
TOWN = "Falköpings kommun"
PLACE = "Ranten"  # the place the round asks about
# Categories of the demo (Swedish labels) with their English labels, in the list's order.
CATEGORIES = {
    "Klotter": "Graffiti",
    "Dålig belysning eller mörka områden": "Poor lighting or dark areas",
    "Narkotikaförsäljning": "Drug dealing",
}
ONE_TOO_MANY = "Nedskräpning"

IMPORTANCE = "How important is this commitment to your organisation: %(commitment)s"
PROGRESS = "How well is this commitment going, as your organisation sees it: %(commitment)s"
DAYTIME = "How safe do the people of your organisation feel at %(place)s in the daytime?"
NIGHT = "How safe do the people of your organisation feel at %(place)s in the evening and at night?"
TOP_CATEGORIES = "Which kinds of problems worry your organisation the most?"
FOCUS = "What should next year's pledge focus on?"
ANYTHING_ELSE = "Is there anything else you want the municipality and the police to know?"

FIRST_IMPORTANCE = 4  # the association's answer to the round's first question
FOCUS_TEXT = "Mer belysning på gångvägarna mellan Ranten och centrum."
PHONE = "070-123 45 67"
EMAIL = "kim.kontakt@example.se"
ANYTHING_ELSE_TEXT = f"Ring mig på {PHONE} eller skriv till {EMAIL} om ni vill veta mer."


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def before_placeholder(text: str) -> str:
    """``text`` up to its first placeholder: what a message always starts with."""
    return text.partition("%(")[0]


def starting_with(text: str) -> re.Pattern[str]:
    """A name that starts with ``text`` up to its first placeholder."""
    return re.compile("^" + re.escape(before_placeholder(text)))


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def expect_error_page(page: Page, t: Translate, *messages: str) -> None:
    """A refused form: the summary names each problem, the title says so, axe finds nothing."""
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name=t("There is a problem"))).to_be_visible()
    for message in messages:
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile("^" + re.escape(t("Error")) + ": "))
    assert_accessible(page)


# --------------------------------------------------------------------------- the moderator


def create_round(page: Page, t: Translate, title: str, today: dt.date) -> int:
    """Create a round from the current pledge about one place; its id."""
    main(page).get_by_role("link", name=t("Create a round"), exact=True).click()
    expect(heading(page)).to_have_text(t("Create a round"))
    assert_accessible(page)

    # Sent empty: every missing field is named, and axe finds nothing on the error state.
    page.get_by_role("button", name=t("Create the round"), exact=True).click()
    expect_error_page(
        page,
        t,
        t("Give the title in Swedish."),
        t("Write the introduction in Swedish."),
        t("Give the date the round opens."),
        t("Give the date the round closes."),
    )
    title_field = page.get_by_role("textbox", name=t("Title in Swedish"), exact=True)
    expect(title_field).to_have_attribute("aria-invalid", "true")

    title_field.fill(title)
    page.get_by_role("textbox", name=t("Title in English (optional)"), exact=True).fill(
        f"{title} (English)"
    )
    page.get_by_role("textbox", name=t("Introduction in Swedish"), exact=True).fill(
        "Kommunen och polisen vill veta hur er förening ser på tryggheten i Falköping."
    )
    page.get_by_role("textbox", name=t("Introduction in English (optional)"), exact=True).fill(
        "The municipality and the police want to know how your association sees safety."
    )
    page.get_by_role("textbox", name=t("Opens on"), exact=True).fill(today.isoformat())
    closes_on = today + dt.timedelta(days=14)
    page.get_by_role("textbox", name=t("Closes on"), exact=True).fill(closes_on.isoformat())
    # The current published pledge is chosen for us.
    pledge = page.get_by_role("combobox", name=t("Pledge the questions are made from"))
    expect(pledge).to_have_value(re.compile(r"^\d+$"))
    places = page.get_by_role("group", name=t("Places to ask about"))
    for box in places.get_by_role("checkbox").all():
        box.set_checked(False)
    places.get_by_role("checkbox", name=PLACE, exact=True).check()
    page.get_by_role("button", name=t("Create the round"), exact=True).click()

    expect(page).to_have_url(ROUND_URL)
    expect(status_message(page)).to_have_text(
        t("The round is created with its default questions. Check them before you publish it.")
    )
    expect(heading(page)).to_have_text(title)
    match = ROUND_URL.search(page.url)
    assert match is not None
    return int(match.group(1))


def check_questions(page: Page, t: Translate, count: int) -> None:
    """The generated questionnaire: commitments first, then the place, categories, free text."""
    questions = page.get_by_role("region", name=t("Questions")).locator("ol.round-questions > li")
    expect(questions).to_have_count(count)
    expect(questions.first).to_contain_text(before_placeholder(t(IMPORTANCE)))
    expect(questions.nth(count - 5)).to_contain_text(t(DAYTIME) % {"place": PLACE})
    expect(questions.nth(count - 4)).to_contain_text(t(NIGHT) % {"place": PLACE})
    expect(questions.nth(count - 3)).to_contain_text(t(TOP_CATEGORIES))
    expect(questions.nth(count - 2)).to_contain_text(t(FOCUS))
    expect(questions.last).to_contain_text(t(ANYTHING_ELSE))
    assert_accessible(page)


def publish(page: Page, t: Translate, n: Plural, count: int) -> None:
    main(page).get_by_role("link", name=t("Publish the round"), exact=True).click()
    expect(heading(page)).to_have_text(t("Publish the round"))
    expect(main(page)).to_contain_text(
        n("The round asks %(num)d question.", "The round asks %(num)d questions.", count)
        % {"num": count}
    )
    assert_accessible(page)
    main(page).get_by_role("button", name=t("Publish the round"), exact=True).click()
    expect(page).to_have_url(ROUND_URL)
    expect(status_message(page)).to_have_text(
        t("The round is published. Its questions can no longer change.")
    )
    expect(main(page).locator(".round-state")).to_have_text(t("Open"))
    expect(main(page).get_by_role("link", name=t("Publish the round"))).to_have_count(0)
    assert_accessible(page)


def invite(page: Page, t: Translate, n: Plural, association: Association) -> str:
    """Invite the association, send the invitation, and read its own link."""
    invitations = page.get_by_role("region", name=t("Invitations"))
    expect(invitations).to_contain_text(t("No organisations are invited yet."))
    invitations.get_by_role("link", name=t("Invite organisations"), exact=True).click()
    expect(heading(page)).to_have_text(t("Invitations"))
    assert_accessible(page)

    page.get_by_role("radio", name=t("The organisations chosen below"), exact=True).check()
    chosen = page.get_by_role("group", name=t("Organisations"), exact=True)
    chosen.locator("summary").click()  # the long list waits behind a disclosure
    chosen.get_by_role("checkbox", name=association.name, exact=True).check()
    page.get_by_role("button", name=t("Invite"), exact=True).click()
    # Back on the invitations page, with the button that sends them at its top.
    expect(page).to_have_url(re.compile(r"/rounds/\d+/invitations#send$"))
    expect(status_message(page)).to_have_text(
        n(
            "%(num)d organisation is invited. Send the invitation when you are ready.",
            "%(num)d organisations are invited. Send the invitations when you are ready.",
            1,
        )
        % {"num": 1}
    )
    row = main(page).get_by_role("row").filter(has_text=association.name)
    expect(row).to_contain_text(t("Not sent"))
    assert_accessible(page)

    sending = page.get_by_role("region", name=t("Send the invitations"))
    send = n("Send %(num)d invitation", "Send %(num)d invitations", 1) % {"num": 1}
    sending.get_by_role("button", name=send, exact=True).click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+/invitations#send$"))
    expect(status_message(page)).to_have_text(
        n(
            "%(num)d invitation is queued for sending.",
            "%(num)d invitations are queued for sending.",
            1,
        )
        % {"num": 1}
    )
    # Queued, not sent: no mail server has accepted it (none is set in the tests).
    expect(row).to_contain_text(t("Invited to the round"))
    before, after = t("Queued %(when)s, not sent yet").split("%(when)s")
    expect(row).to_contain_text(re.compile(f"{re.escape(before)}.+{re.escape(after)}"))
    assert_accessible(page)

    page.get_by_role("navigation", name=t("Pages of this round")).get_by_role(
        "link", name=t("Invitations"), exact=True
    ).click()
    expect(heading(page)).to_have_text(t("Invitations"))
    assert_accessible(page)
    link_field = main(page).get_by_role(
        "textbox", name=t("Link of %(name)s") % {"name": association.name}, exact=True
    )
    link: str = link_field.input_value()
    assert re.search(rf"/{MUNICIPALITY}/rounds/[^/]+$", link), link
    return link


# --------------------------------------------------------------------------- the association


def scale(page: Page, question: str | re.Pattern[str]) -> Locator:
    """The fieldset of one 1-5 question on the current step."""
    return main(page).get_by_role("group", name=question)


def expect_step(page: Page, t: Translate, number: int, total: int, title: str) -> None:
    progress = t("Step %(number)d of %(total)d") % {"number": number, "total": total}
    expect(page).to_have_url(re.compile(rf"/step/{number}$"))
    expect(heading(page)).to_have_text(title)
    expect(main(page).get_by_role("progressbar", name=progress)).to_have_attribute(
        "value", str(number)
    )


def save_and_continue(page: Page, t: Translate) -> None:
    page.get_by_role("button", name=t("Save and continue"), exact=True).click()


def answer_commitment(page: Page, t: Translate, importance: str, progress: str) -> None:
    scale(page, starting_with(t(IMPORTANCE))).get_by_role(
        "radio", name=importance, exact=True
    ).check()
    scale(page, starting_with(t(PROGRESS))).get_by_role("radio", name=progress, exact=True).check()


def first_visit(
    browser: Browser,
    t: Translate,
    link: str,
    title: str,
    association: Association,
    shape: RoundShape,
    closes_on: dt.date,
) -> None:
    """Start, answer the first commitment, then leave on the second to come back later."""
    with new_page(browser) as page:
        page.goto(link)
        expect(heading(page)).to_have_text(title)
        expect(main(page)).to_contain_text(
            t("For %(organisation)s") % {"organisation": association.name}
        )
        expect(main(page)).to_contain_text(t("Not started"))
        assert_accessible(page)
        main(page).get_by_role("link", name=t("Start"), exact=True).click()

        expect_step(page, t, 1, shape.steps, t("Commitment %(number)d") % {"number": 1})
        assert_accessible(page)
        answer_commitment(page, t, str(FIRST_IMPORTANCE), t("5 – very well"))
        save_and_continue(page, t)

        expect_step(page, t, 2, shape.steps, t("Commitment %(number)d") % {"number": 2})
        assert_accessible(page)
        scale(page, starting_with(t(IMPORTANCE))).get_by_role("radio", name="2", exact=True).check()
        page.get_by_role("button", name=t("Save and come back later"), exact=True).click()

        expect(page).to_have_url(link)
        expect(status_message(page)).to_have_text(
            t(
                "Your answers are saved. Come back with the same link to continue, at the "
                "latest on %(date)s."
            )
            % {"date": closes_on.isoformat()}
        )
        expect(main(page)).to_contain_text(t("Started, not sent yet"))
        expect(main(page)).to_contain_text(
            t("%(answered)d of %(total)d questions answered")
            % {"answered": 3, "total": shape.questions}
        )
        assert_accessible(page)


def second_visit(
    browser: Browser, t: Translate, en: Translate, link: str, shape: RoundShape
) -> None:
    """Continue at step 2, answer everything, hit the category limit, send in English."""
    with new_page(browser) as page:
        page.goto(link)
        expect(main(page)).to_contain_text(t("Started, not sent yet"))
        assert_accessible(page)
        main(page).get_by_role("link", name=t("Continue where you left off"), exact=True).click()

        # Back on the step it left, with what it chose there.
        expect_step(page, t, 2, shape.steps, t("Commitment %(number)d") % {"number": 2})
        importance = scale(page, starting_with(t(IMPORTANCE)))
        expect(importance.get_by_role("radio", name="2", exact=True)).to_be_checked()
        assert_accessible(page)
        scale(page, starting_with(t(PROGRESS))).get_by_role(
            "radio", name=t("Don't know"), exact=True
        ).check()
        save_and_continue(page, t)

        for number in range(3, shape.commitments + 1):
            expect_step(
                page, t, number, shape.steps, t("Commitment %(number)d") % {"number": number}
            )
            assert_accessible(page)
            answer_commitment(page, t, "3", "4")
            save_and_continue(page, t)

        number = shape.commitments + 1
        expect_step(page, t, number, shape.steps, t("Safety at %(place)s") % {"place": PLACE})
        assert_accessible(page)
        scale(page, starting_with(t(DAYTIME) % {"place": PLACE})).get_by_role(
            "radio", name="4", exact=True
        ).check()
        scale(page, starting_with(t(NIGHT) % {"place": PLACE})).get_by_role(
            "radio", name="2", exact=True
        ).check()
        save_and_continue(page, t)

        # One category too many: the step is refused and nothing chosen is lost.
        number += 1
        expect_step(page, t, number, shape.steps, t("What worries you most"))
        assert_accessible(page)
        categories = main(page).get_by_role("group", name=starting_with(t(TOP_CATEGORIES)))
        chosen = [*CATEGORIES, ONE_TOO_MANY]
        for name in chosen:
            categories.get_by_role("checkbox", name=name, exact=True).check()
        save_and_continue(page, t)
        too_many = t("Choose at most %(limit)d. You have chosen %(count)d.") % {
            "limit": 3,
            "count": 4,
        }
        expect(page).to_have_url(re.compile(rf"/step/{number}$"))
        expect_error_page(page, t, too_many)
        expect(categories).to_have_attribute("aria-describedby", re.compile(r"-error\b"))
        for name in chosen:
            expect(categories.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
        categories.get_by_role("checkbox", name=ONE_TOO_MANY, exact=True).uncheck()
        save_and_continue(page, t)

        # The last step: written in Swedish, then switched to English without losing a word.
        number += 1
        assert number == shape.steps
        expect_step(page, t, number, shape.steps, t("Other questions"))
        assert_accessible(page)
        main(page).get_by_role("textbox", name=starting_with(t(FOCUS))).fill(FOCUS_TEXT)
        main(page).get_by_role("textbox", name=starting_with(t(ANYTHING_ELSE))).fill(
            ANYTHING_ELSE_TEXT
        )
        page.get_by_role("navigation", name=t("Language")).get_by_role(
            "button", name="English", exact=True
        ).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect_step(page, en, number, shape.steps, en("Other questions"))
        expect(main(page).get_by_role("textbox", name=starting_with(en(FOCUS)))).to_have_value(
            FOCUS_TEXT
        )
        expect(
            main(page).get_by_role("textbox", name=starting_with(en(ANYTHING_ELSE)))
        ).to_have_value(ANYTHING_ELSE_TEXT)
        assert_accessible(page)
        save_and_continue(page, en)

        # The review, in English: every step with its answers and a link to change them.
        expect(page).to_have_url(re.compile(r"/review$"))
        expect(heading(page)).to_have_text(en("Check your answers"))
        answers = main(page)
        expect(answers).to_contain_text(", ".join(CATEGORIES.values()))
        expect(answers).to_contain_text(FOCUS_TEXT)
        expect(answers).to_contain_text(ANYTHING_ELSE_TEXT)
        expect(answers).to_contain_text(en("5 – very well"))
        expect(answers).to_contain_text(en("Don't know"))
        change = answers.get_by_role("link", name=re.compile("^" + re.escape(en("Change"))))
        expect(change).to_have_count(shape.steps)
        expect(change.first).to_have_attribute("href", re.compile(r"/step/1$"))
        assert_accessible(page)
        page.get_by_role("button", name=en("Send your answers"), exact=True).click()

        expect(page).to_have_url(re.compile(r"/done$"))
        expect(heading(page)).to_have_text(en("Your answers have been sent"))
        expect(main(page)).to_contain_text(
            en(
                "We will e-mail a copy of your answers to the address we have for your "
                "organisation."
            )
        )
        assert_accessible(page)


# --------------------------------------------------------------------------- the aggregate


def read_results(page: Page, t: Translate, association: Association) -> None:
    page.get_by_role("navigation", name=t("Pages of this round")).get_by_role(
        "link", name=t("Results"), exact=True
    ).click()
    expect(heading(page)).to_have_text(t("Results"))
    expect(main(page)).to_contain_text(
        t("%(responded)d of %(invited)d invited organisations have submitted their answers.")
        % {"responded": 1, "invited": 1}
    )
    rate = main(page).get_by_role("table", name=t("Invited and answered organisations, by type"))
    expect(rate.locator("tfoot").get_by_role("row")).to_contain_text(t("All"))
    expect(rate.locator("tfoot td")).to_have_text(["1", "1", re.compile(r"^100\s?%$")])

    first = main(page).get_by_role("region", name=re.compile(r"^1\. "))
    expect(first).to_contain_text(before_placeholder(t(IMPORTANCE)))
    mean = format_decimal(FIRST_IMPORTANCE, "0.00", locale="sv_SE")
    expect(first).to_contain_text(
        t("Answered: %(answered)d. Mean: %(mean)s.") % {"answered": 1, "mean": mean}
    )
    distribution = first.get_by_role("table", name=t("Answers from 1 to 5"))
    counts = ["1" if value == FIRST_IMPORTANCE else "0" for value in range(1, 6)]
    expect(distribution.locator("tbody td")).to_have_text(counts)

    free_text = main(page).get_by_role("region", name=re.compile(re.escape(t(ANYTHING_ELSE))))
    expect(free_text).to_contain_text(ANYTHING_ELSE_TEXT.partition(PHONE)[0])
    phone = free_text.locator("mark.pii[data-kind=phone]")
    expect(phone).to_have_count(1)
    expect(phone).to_contain_text(PHONE)
    expect(phone).to_contain_text(t("(possible phone number)"))
    expect(free_text.locator("mark.pii[data-kind=email]")).to_contain_text(EMAIL)
    assert_accessible(page)

    # One response, read in full.
    page.get_by_role("navigation", name=t("Pages of this round")).get_by_role(
        "link", name=t("Responses"), exact=True
    ).click()
    expect(heading(page)).to_have_text(t("Responses"))
    assert_accessible(page)
    main(page).get_by_role("link", name=association.name, exact=True).click()
    expect(heading(page)).to_have_text(t("The response of %(name)s") % {"name": association.name})
    expect(main(page)).to_contain_text(FOCUS_TEXT)
    expect(main(page).locator("mark.pii[data-kind=phone]")).to_contain_text(PHONE)
    assert_accessible(page)


@pytest.mark.browser
def test_association_answers_a_round_over_two_visits_and_a_moderator_reads_the_results(
    browser: Browser, page: Page, live_server: LiveServer, sv: Translate, en: Translate
) -> None:
    t = sv
    n = plural_translator("sv")
    association = create_association(live_server)
    moderator: Staff = make_staff(live_server, "moderator")
    title = unique("Trygghetsenkät ")
    today = stockholm_today()

    sign_in(page, live_server, t, moderator)
    assert_accessible(page)
    page.goto(live_server(f"/staff/{MUNICIPALITY}/"))
    assert_accessible(page)
    page.get_by_role("navigation", name=t("Workspace")).get_by_role(
        "link", name=t("Input rounds"), exact=True
    ).click()
    expect(heading(page)).to_have_text(t("Input rounds"))
    assert_accessible(page)

    round_id = create_round(page, t, title, today)
    shape = round_shape(live_server, round_id)
    assert shape.commitments >= 2 and shape.places == 1
    assert shape.questions == 2 * shape.commitments + 2 + 3
    check_questions(page, t, shape.questions)
    publish(page, t, n, shape.questions)
    link = invite(page, t, n, association)
    invitation_mail = queued_mail(live_server, association.email, "round_invitation")
    assert len(invitation_mail) == 1
    assert link.rsplit("/", 1)[1] in invitation_mail[0].body

    first_visit(browser, t, link, title, association, shape, today + dt.timedelta(days=14))
    second_visit(browser, t, en, link, shape)

    confirmations = queued_mail(live_server, association.email, "round_confirmation")
    assert len(confirmations) == 1
    # Sent from the English page: the copy is in English, with the round's English title.
    assert confirmations[0].subject == en("Your answers to %(round)s – %(municipality)s") % {
        "round": f"{title} (English)",
        "municipality": TOWN,
    }
    assert PHONE in confirmations[0].body and link.rsplit("/", 1)[1] in confirmations[0].body

    read_results(page, t, association)
