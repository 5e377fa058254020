"""Records and steps the workspace's browser tests share: staff accounts, submissions, sign-in.

Everything here writes through the app's own services to the live server's database, in an
app context of the live server's app. That database is shared by the whole session, so every
helper names what it creates uniquely (``unique()``) and tests never count the whole queue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account, Role
from dialogue.accounts.services import NewAccount, create_account, enable_totp, password_link_token
from dialogue.extensions import db
from dialogue.intake.services import NewSubmission, submit_concern
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.report import build_report
from dialogue.lagesbild.snapshots import freeze
from dialogue.models import (
    Category,
    Commitment,
    Initiative,
    InputRound,
    Invitation,
    Municipality,
    Organisation,
    OrganisationType,
    Place,
    Pledge,
    Question,
    QuestionKind,
    RoundResponse,
)
from dialogue.outbox.models import OutboxMessage
from dialogue.rounds import tokens
from dialogue.submissions.models import Submission, SubmissionKind, SubmitterType
from dialogue.triage import response_templates
from dialogue.triage.response_templates import TemplateInput
from tests.browser.helpers import MUNICIPALITY, LiveServer, _new_context
from tests.factories import valid_org_number

Translate = Callable[[str], str]

# Long enough, not common, and without the address in it.
PASSWORD = "mossa granit kaffe fyrtorn"
CATEGORY_CODE = "MILJO.LIGHT"


def unique(prefix: str) -> str:
    """A word no other test (or the demo) uses: for e-mails, titles and search terms."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@contextmanager
def app_session(live_server: LiveServer) -> Iterator[Any]:
    """The live server's database session, in an app context of its app."""
    with live_server.app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def municipality_id(session: Any) -> int:
    found: int = session.scalars(select(Municipality.id).filter_by(slug=MUNICIPALITY)).one()
    return found


# --------------------------------------------------------------------------- accounts


@dataclasses.dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str
    password: str
    totp_secret: str | None = None

    def code(self) -> str:
        """The code the authenticator app shows now."""
        assert self.totp_secret, f"{self.email} has no two-factor sign-in"
        return str(pyotp.TOTP(self.totp_secret).now())


def make_staff(live_server: LiveServer, role: str, *, totp: bool = False) -> Staff:
    """A new account with ``role`` ("moderator" or "admin") in Falköping."""
    email = f"{unique(role + '-')}@falkoping.example"
    name = f"{role.capitalize()} {uuid.uuid4().hex[:6]}"
    with app_session(live_server) as session:
        account = create_account(
            session,
            NewAccount(
                email=email,
                name=name,
                role=Role(role),
                municipality_id=municipality_id(session),
                password=PASSWORD,
            ),
        )
        secret = None
        if totp:
            secret = pyotp.random_base32()
            keys = live_server.app.extensions["dialogue.keys"]
            # The previous step's code: the current one is left for signing in.
            code = pyotp.TOTP(secret).at(time.time() - 30)
            enable_totp(session, account, secret, code, keys.recovery)
        return Staff(account.id, account.email, name, PASSWORD, secret)


def set_password_token(live_server: LiveServer, staff: Staff) -> str:
    with app_session(live_server) as session:
        account = session.get(Account, staff.id)
        keys = live_server.app.extensions["dialogue.keys"]
        return password_link_token(keys.account_link, account)


# --------------------------------------------------------------------------- browser steps


@contextmanager
def new_page(browser: Browser) -> Iterator[Page]:
    """Another person's browser: its own cookies and session."""
    context = _new_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


def fill_sign_in(page: Page, t: Translate, staff: Staff, password: str | None = None) -> None:
    page.get_by_label(t("E-mail address"), exact=True).fill(staff.email)
    page.get_by_label(t("Password"), exact=True).fill(password or staff.password)
    page.get_by_role("main").get_by_role("button", name=t("Sign in"), exact=True).click()


def sign_in(page: Page, live_server: LiveServer, t: Translate, staff: Staff) -> None:
    """Sign in from the sign-in page (with the app's code if the account has one)."""
    page.goto(live_server("/staff/login"))
    fill_sign_in(page, t, staff)
    if staff.totp_secret:
        expect(page).to_have_url(live_server("/staff/login/code"))
        page.get_by_label(t("Code"), exact=True).fill(staff.code())
        page.get_by_role("button", name=t("Continue"), exact=True).click()
    # Staff of one municipality land in its queue; an analyst of a police area on the workspace.
    landing = re.compile(re.escape(live_server("/staff/")) + f"({MUNICIPALITY}/)?$")
    expect(page).to_have_url(landing)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(f"^({t('Submissions')}|{t('Workspace')})$"))


def status_message(page: Page) -> Any:
    """The flash message after a change (a notice with role=status)."""
    return page.get_by_role("main").get_by_role("status")


# --------------------------------------------------------------------------- records


def category_id(session: Any, code: str) -> int:
    found: int = session.scalars(
        select(Category.id).filter_by(municipality_id=municipality_id(session), code=code)
    ).one()
    return found


def create_submissions(live_server: LiveServer, texts: list[str]) -> list[tuple[int, str]]:
    """Submissions as residents would send them, oldest first: (id, reference) of each."""
    keys = live_server.app.extensions["dialogue.keys"]
    created = []
    with app_session(live_server) as session:
        town, category = municipality_id(session), category_id(session, CATEGORY_CODE)
        for text in texts:
            receipt = submit_concern(
                session,
                town,
                NewSubmission(
                    kind=SubmissionKind.CONCERN,
                    category_id=category,
                    text=text,
                    submitter_type=SubmitterType.RESIDENT,
                    locale="sv",
                ),
                nonce=uuid.uuid4().hex,
                receipt_key=keys.receipt,
            )
            created.append((receipt.submission.id, receipt.submission.reference))
    return created


def create_response_template(live_server: LiveServer, admin: Staff, title: str, body: str) -> int:
    """A Swedish template for any category and status, made by ``admin``."""
    with app_session(live_server) as session:
        actor = session.get(Account, admin.id)
        template = response_templates.create_response_template(
            session,
            municipality_id(session),
            TemplateInput(title=title, body=body, locale="sv"),
            locales=live_server.app.extensions["dialogue.settings"].locales,
            actor=actor,
            scope=load_scope(session, actor),
        )
        return int(template.id)


def submission_state(live_server: LiveServer, submission_id: int) -> dict[str, Any]:
    """What the database holds about a submission: status, category, tags, notices, summary."""
    with app_session(live_server) as session:
        submission = session.get(Submission, submission_id)
        category = session.get(Category, submission.category_id)
        notices = session.scalars(
            select(OutboxMessage).filter_by(submission_id=submission_id)
        ).all()
        return {
            "status": submission.status.value,
            "category": category.code,
            "tags": sorted(tag.name for tag in submission.tags),
            "notices": [(n.kind, n.to_address) for n in notices],
            "public_summary": submission.public_summary,
            "summary_reviewed_by_id": submission.summary_reviewed_by_id,
        }


def record_ids(live_server: LiveServer, submission_id: int, token: str) -> dict[str, Any]:
    """A Falköping value for every URL parameter a workspace route may have.

    Mirrors ``ids()`` of tests/test_authorization.py; a new parameter fails the sweep there
    and here until it is given a value.
    """
    with app_session(live_server) as session:
        town = municipality_id(session)

        def first(model: Any, **where: Any) -> int:
            found = session.scalars(
                select(model.id).filter_by(municipality_id=town, **where).order_by(model.id)
            ).first()
            assert found is not None, f"the demo has no {model.__name__}"
            return int(found)

        place = session.scalars(select(Place).filter_by(municipality_id=town, slug="ranten")).one()
        return {
            "municipality": MUNICIPALITY,
            "submission_id": submission_id,
            "pledge_id": first(Pledge),
            "commitment_id": first(Commitment),
            "initiative_id": first(Initiative),
            "category_id": category_id(session, CATEGORY_CODE),
            "place_id": place.id,
            "slug": place.slug,
            "token": token,
        }


def round_and_lagesbild_ids(live_server: LiveServer, staff: Staff) -> dict[str, Any]:
    """Falköping records for the routes of organisations, input rounds and snapshots: an
    invited organisation, a draft round with an editable question and a started response,
    and a frozen snapshot of the demo pledge's period."""
    with app_session(live_server) as session:
        town = session.get(Municipality, municipality_id(session))
        organisation = Organisation(
            municipality_id=town.id,
            name=unique("Svepföreningen "),
            type=OrganisationType.ASSOCIATION,
            org_number=unused_org_number(session, town.id),
        )
        input_round = InputRound(
            municipality_id=town.id,
            title={"sv": "Svepets dialogrunda", "en": "The sweep's input round"},
            introduction={"sv": "Inledning.", "en": "Introduction."},
            opens_on=dt.date(2023, 9, 1),
            closes_on=dt.date(2023, 10, 31),
        )
        session.add_all([organisation, input_round])
        session.flush()
        question = Question(
            municipality_id=town.id,
            round_id=input_round.id,
            position=1,
            kind=QuestionKind.SCALE,
            text={"sv": "Hur trygg är ni?", "en": "How safe are you?"},
        )
        salt, _token, lookup = tokens.issue(live_server.app.extensions["dialogue.keys"].invitation)
        invitation = Invitation(
            municipality_id=town.id,
            round_id=input_round.id,
            organisation_id=organisation.id,
            token_salt=salt,
            token_hash=lookup,
        )
        session.add_all([question, invitation])
        session.flush()
        response = RoundResponse(
            municipality_id=town.id,
            round_id=input_round.id,
            organisation_id=organisation.id,
            invitation_id=invitation.id,
        )
        session.add(response)
        session.commit()
        actor = session.get(Account, staff.id)
        period = Period(dt.date(2023, 4, 19), dt.date(2023, 12, 31))
        report = build_report(session, [town], period, title=town.name)
        snapshot = freeze(
            session, town, period, report, actor=actor, scope=load_scope(session, actor)
        )
        return {
            "organisation_id": organisation.id,
            "round_id": input_round.id,
            "question_id": question.id,
            "response_id": response.id,
            "snapshot_id": snapshot.id,
            "fmt": "csv",
        }


def unused_org_number(session: Any, town: int) -> str:
    taken = set(session.scalars(select(Organisation.org_number).filter_by(municipality_id=town)))
    number = 800000000 + uuid.uuid4().int % 99999999
    while valid_org_number(number) in taken:
        number += 1
    return valid_org_number(number)


def rule_url(rule: Any, values: dict[str, Any]) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.endpoint}: give the workspace sweep a value for {missing}"
    url = str(rule.rule)
    for name in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
    return url
