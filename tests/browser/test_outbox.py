"""The outbox page: reached from the administration, readable on a phone, retry by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dialogue.db import utcnow
from dialogue.outbox.mail import Mail
from dialogue.outbox.models import OutboxState
from dialogue.outbox.services import MAX_ATTEMPTS, enqueue
from tests.browser.helpers import LiveServer, assert_accessible
from tests.browser.workspace_fixtures import (
    Translate,
    app_session,
    make_staff,
    municipality_id,
    sign_in,
    status_message,
    unique,
)


def queue_messages(live_server: LiveServer) -> tuple[int, str]:
    """A sent, a queued and a failed message in Falköping: (id of the failed one, its address)."""
    address = f"{unique('mottagare')}@example.se"
    with app_session(live_server) as session:
        town = municipality_id(session)
        messages = [
            enqueue(
                session,
                municipality_id=town,
                to_address=address,
                mail=Mail("Inbjudan", "Hej!"),
                kind=kind,
            )
            for kind in ("reply_notice", "round_invitation", "round_reminder")
        ]
        sent, _queued, failed = messages
        sent.state, sent.sent_at, sent.attempts, sent.to_address = (
            OutboxState.SENT,
            utcnow(),
            1,
            None,
        )
        failed.state, failed.attempts, failed.failed_at = OutboxState.FAILED, MAX_ATTEMPTS, utcnow()
        failed.last_error = "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"
        session.commit()
        return failed.id, address


@pytest.mark.parametrize("locale", ["sv"])
def test_an_administrator_finds_the_outbox_and_retries_a_failed_message(
    page: Page, live_server: LiveServer, sv: Translate, locale: str
) -> None:
    failed_id, address = queue_messages(live_server)
    admin = make_staff(live_server, "admin")
    sign_in(page, live_server, sv, admin)
    page.goto(live_server("/staff/falkoping/admin/"))
    # No mail server is set in the tests: the banner says so, on every workspace page.
    expect(page.get_by_role("region", name=sv("E-mail is not being sent"))).to_be_visible()
    page.get_by_role("link", name=sv("Outbox"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("Outbox"))
    table = page.get_by_role(
        "table",
        name=sv("Messages of %(municipality)s, newest first")
        % {"municipality": "Falköpings kommun"},
    )
    expect(table).to_contain_text("550 5.1.1 No such mailbox")
    expect(page.get_by_role("main")).not_to_contain_text(address)
    assert_accessible(page)

    # A phone: the page does not scroll sideways; the table scrolls in its own region.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.locator(".table-scroll")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_accessible(page)

    retry = page.get_by_role(
        "button", name=f"{sv('Retry')} ({sv('message no. %(number)d') % {'number': failed_id}})"
    )
    retry.focus()
    page.keyboard.press("Enter")
    expect(status_message(page)).to_have_text(
        sv("Message %(number)d is queued again. It is sent the next time mail goes out.")
        % {"number": failed_id}
    )
    expect(retry).to_have_count(0)
    assert_accessible(page)
