"""Staff are warned before the idle limit ends their session, and nothing typed is lost.

These run against a live server of their own whose idle limit is one minute, so the waits are
real: the server's clock decides when a session has ended.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from dialogue.models import Reply
from tests.browser.helpers import MUNICIPALITY, LiveServer, assert_accessible, demo_server
from tests.browser.workspace_fixtures import (
    Translate,
    app_session,
    create_submissions,
    fill_sign_in,
    make_staff,
    sign_in,
    unique,
)

IDLE_MINUTES = 1
REPLY = "Tack! Vi har bett fastighetsägaren att laga belysningen vid cykelbanan."


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The Falköping demo on its own database, served with a one-minute idle limit."""
    with demo_server(tmp_path_factory, "browser_idle", staff_idle_minutes=IDLE_MINUTES) as server:
        yield server


def replies_to(live_server: LiveServer, submission_id: int) -> int:
    with app_session(live_server) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Reply).filter_by(submission_id=submission_id)
            )
            or 0
        )


def submission_page(live_server: LiveServer) -> tuple[int, str]:
    ((submission_id, _reference),) = create_submissions(
        live_server, [f"Trasig belysning vid cykelbanan ({unique('idle')})."]
    )
    return submission_id, f"/staff/{MUNICIPALITY}/submissions/{submission_id}"


def wait_past_the_idle_limit() -> None:
    time.sleep(IDLE_MINUTES * 60 + 2)


@pytest.mark.browser
def test_a_reply_sent_after_the_idle_limit_comes_back_after_signing_in_unsent(
    nojs_page: Page, idle_server: LiveServer, sv: Translate
) -> None:
    page, t = nojs_page, sv
    moderator = make_staff(idle_server, "moderator")
    submission_id, path = submission_page(idle_server)
    sign_in(page, idle_server, t, moderator)
    page.goto(idle_server(path))
    page.get_by_label(t("Reply to the submitter"), exact=True).fill(REPLY)

    wait_past_the_idle_limit()
    page.get_by_role("button", name=t("Send the reply"), exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(idle_server("/staff/login"))))
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        t(
            "You were signed out after a period of inactivity, so what you sent was not "
            "saved. Sign in again: what you typed will be back in the form, for you to "
            "check and send again."
        )
    )
    assert_accessible(page)
    assert replies_to(idle_server, submission_id) == 0

    fill_sign_in(page, t, moderator)
    expect(page).to_have_url(idle_server(path))
    reply = page.get_by_label(t("Reply to the submitter"), exact=True)
    expect(reply).to_have_value(REPLY)
    expect(page.get_by_label(t("Internal note"), exact=True)).to_have_value("")
    expect(page.get_by_role("main").get_by_role("status").first).to_contain_text(
        t(
            "You were signed out before this form was sent, so nothing was saved or sent. "
            "What you typed is back in the form: check it and send it again."
        )
    )
    assert_accessible(page)
    assert replies_to(idle_server, submission_id) == 0, "restored, not sent"

    page.reload()
    expect(page.get_by_label(t("Reply to the submitter"), exact=True)).to_have_value("")


@pytest.mark.browser
def test_staff_are_warned_before_the_idle_limit_and_can_stay_signed_in(
    page: Page, idle_server: LiveServer, sv: Translate
) -> None:
    t = sv
    moderator = make_staff(idle_server, "moderator")
    _submission_id, path = submission_page(idle_server)
    sign_in(page, idle_server, t, moderator)
    page.goto(idle_server(path))
    loaded = time.monotonic()
    reply = page.get_by_label(t("Reply to the submitter"), exact=True)
    reply.fill(REPLY)
    reply.focus()

    warning = page.get_by_role("alertdialog", name=t("You will soon be signed out"))
    expect(warning).to_be_hidden()
    # Half-way through a one-minute limit; give the page a few seconds' slack.
    expect(warning).to_be_visible(timeout=40_000)
    assert time.monotonic() - loaded < IDLE_MINUTES * 60, "the warning came too late"
    stay = warning.get_by_role("button", name=t("Stay signed in"))
    expect(stay).to_be_focused()
    assert_accessible(page)
    stay.click()
    expect(warning).to_be_hidden()
    expect(reply).to_be_focused()

    # Past the first limit the session still holds, and the text is still in the box.
    time.sleep(max(0.0, IDLE_MINUTES * 60 + 5 - (time.monotonic() - loaded)))
    expect(reply).to_have_value(REPLY)
    page.get_by_role("button", name=t("Send the reply"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(idle_server(path))))
    expect(page.get_by_role("main").get_by_role("status").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(t("Sign in"))
