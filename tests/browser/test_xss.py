"""No value from outside runs or renders as markup in anyone's browser.

The first tests replay the two injections of issue 10 (CSV cells in the import preview, a
category group's name in the queue filter) with the Content Security Policy in force and
bypassed. The corpus test stores a published list of XSS payloads (``xss_payloads.txt``, its
source and licence in its header) through the services into every free-text field residents,
organisations and staff fill, checks that no stored text holds markup, then views every page
that shows them with the CSP bypassed, so that escaping alone must hold: no script runs (alert,
prompt, confirm, print and console are hooked, dialogs and a ``window.__x`` flag watched), no
request leaves for another origin, and no element comes from a payload. Names in lists get a
payload each; records viewed one page each (cases, submissions, organisations, answers,
pledges, rounds) carry six payloads, a line each, so the test runs in minutes.

These tests run on their own live server and database: the corpus adds hundreds of records to
Falköping, which the other browser tests must not see.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import JSON, String, Text, select

from dialogue.accounts.access import load_scope
from dialogue.accounts.administration import NewMember, create_member
from dialogue.accounts.context import Context
from dialogue.accounts.models import Account, Role
from dialogue.accounts.services import NewAccount, create_account
from dialogue.cases.services import add_information
from dialogue.categories.services import CategoryInput, NewCategory, create_category
from dialogue.db import Base, utcnow
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.intake.services import NewSubmission, submit_concern
from dialogue.models import Category, Municipality, OrganisationType, QuestionKind, RoundResponse
from dialogue.organisations.registration import OrganisationDetails
from dialogue.organisations.services import OrganisationInput, create_organisation
from dialogue.places.editing import PlaceInput, create_place
from dialogue.places.models import PlaceKind
from dialogue.pledges.commitments import (
    ProgressUpdateInput,
    add_commitment,
    add_progress_update,
)
from dialogue.pledges.editing import PledgeInput, Signatory, create_pledge, publish_pledge
from dialogue.pledges.initiatives import InitiativeInput, add_initiative
from dialogue.rounds import answers, visits
from dialogue.rounds.open_link import answer_via_open_link
from dialogue.rounds.questionnaire import QuestionInput, add_question
from dialogue.rounds.services import (
    RoundInput,
    RoundSource,
    create_round,
    enable_open_link,
    publish_round,
)
from dialogue.sanitize import holds_markup
from dialogue.submissions.models import Status, SubmissionKind, SubmitterType
from dialogue.triage.clusters import link_to_cluster
from dialogue.triage.notes import add_note
from dialogue.triage.replies import reply_to_submitter
from dialogue.triage.response_templates import TemplateInput, create_response_template
from dialogue.triage.services import StatusChange, change_status, set_tags
from dialogue.triage.summaries import set_public_summary
from tests.browser.helpers import MUNICIPALITY, TIMEOUT_MS, LiveServer, demo_server
from tests.browser.rounds_fixtures import stockholm_today
from tests.browser.workspace_fixtures import PASSWORD, Staff, sign_in
from tests.factories import valid_org_number

Translate = Callable[[str], str]
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
# An address that answers nothing: a payload that navigates or posts there shows up as a
# request to a foreign origin.
ELSEWHERE = "http://127.0.0.1:9/"

# Our own payloads on top of the published list: they set a flag the test reads instead of
# calling alert, and replay what issue 10 found.
FLAG_PAYLOADS = [
    "<img src=x onerror=window.__x=1>",
    "<svg onload=window.__x=1>",
    "x <input autofocus onfocus=window.__x=1//",
    '"><img src=x onerror=window.__x=1>',
    "'><img src=x onerror=window.__x=1>",
    "</textarea></title></option><script>window.__x=1</script>",
    f'<meta http-equiv=refresh content="0;url={ELSEWHERE}">',
    f'<form action="{ELSEWHERE}"><input name=password><button>Logga in</button></form>',
    "<script><!--",
]


def load_payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "xss") as server:
        yield server


@contextmanager
def app_session(server: LiveServer) -> Iterator[Any]:
    with server.app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def _town(session: Any) -> Any:
    return session.scalars(select(Municipality).filter_by(slug=MUNICIPALITY)).one()


def make_staff(server: LiveServer, role: str) -> Staff:
    email = f"{role}-{uuid.uuid4().hex[:10]}@falkoping.example"
    with app_session(server) as session:
        account = create_account(
            session,
            NewAccount(
                email=email,
                name=f"{role.title()} XSS",
                role=Role(role),
                municipality_id=_town(session).id,
                password=PASSWORD,
            ),
        )
        return Staff(account.id, email, account.name, PASSWORD)


# --------------------------------------------------------------------------- watching a page


def _app_tags() -> frozenset[str]:
    """Every element name the app writes: anything else came from somewhere else."""
    names = re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)", _template_text())
    return frozenset(name.lower() for name in names) | {"html", "head", "body", "tbody"}


def _template_text() -> str:
    """The templates, and the Python that writes markup (highlights of personal data)."""
    sources = [*TEMPLATES.rglob("*.html"), *(TEMPLATES.parent / "dialogue").rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in sources)


# Runs before any script of the page: counts every way a payload could show it ran.
HOOKS = """() => {
    window.__executions = [];
    for (const name of ['alert', 'prompt', 'confirm', 'print']) {
        const original = window[name];
        window[name] = function (...args) {
            window.__executions.push(name + '(' + args.join(',') + ')');
        };
    }
    for (const name of ['log', 'dir', 'info', 'warn', 'debug']) {
        const original = console[name].bind(console);
        console[name] = function (...args) {
            window.__executions.push('console.' + name);
            original(...args);
        };
    }
}"""

# Elements no page of the app has and a payload would bring: event handler attributes, script
# URLs, frames and plugins, scripts and styles outside the app's own, foreign forms, redirects.
INJECTED = """([appTags, origin]) => {
    const found = [];
    const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
                           'srcdoc', 'background', 'poster', 'codebase', 'dynsrc', 'lowsrc'];
    const describe = (el) => el.outerHTML.slice(0, 160);
    for (const el of document.querySelectorAll('*')) {
        const tag = el.localName;
        if (!appTags.includes(tag)) found.push('unknown element: ' + describe(el));
        if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal',
             'isindex', 'marquee', 'xss'].includes(tag)) found.push('element: ' + describe(el));
        if (tag === 'meta' && (el.hasAttribute('http-equiv') || el.closest('body')))
            found.push('meta: ' + describe(el));
        if (tag === 'script' && (!el.src || !el.src.startsWith(origin + '/static/')))
            found.push('script: ' + describe(el));
        if ((tag === 'style' || tag === 'link') && el.closest('body'))
            found.push('style: ' + describe(el));
        if (tag === 'form') {
            const action = el.getAttribute('action');
            if (action && !new URL(action, location.href).href.startsWith(origin + '/'))
                found.push('foreign form: ' + describe(el));
        }
        for (const attribute of el.attributes) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith('on')) found.push('handler: ' + describe(el));
            if (name === 'style') found.push('style attribute: ' + describe(el));
            if (urlAttributes.includes(name) &&
                /^\\s*(javascript|vbscript|data|livescript|mocha):/i.test(attribute.value))
                found.push('script URL: ' + describe(el));
        }
    }
    if (window.__x !== undefined) found.push('window.__x was set');
    return found;
}"""


@dataclass
class Watch:
    """What happened in a browser context that no page of the app does by itself."""

    origin: str
    app_tags: list[str]
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    findings: dict[str, list[str]] = field(default_factory=dict)
    views: int = 0

    def attach(self, context: Any) -> None:
        context.add_init_script(f"({HOOKS})()")
        context.on("request", self._request)

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.origin + "/"):
            self.foreign_requests.append(request.url)

    def on_page(self, page: Page) -> None:
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def check(self, page: Page, label: str | None = None) -> None:
        """Inspect the page as it is now; remember anything a payload did."""
        self.views += 1
        found = page.evaluate(INJECTED, [self.app_tags, self.origin])
        executions = page.evaluate("() => window.__executions || []")
        found += [f"ran: {e}" for e in executions]
        if not page.url.startswith(self.origin + "/"):
            found.append(f"navigated to {page.url}")
        if found:
            self.findings[label or page.url] = found

    def visit(self, page: Page, url: str) -> None:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (
            f"{url}: {response and response.status}"
        )
        self.check(page, url)

    def assert_clean(self) -> None:
        problems = dict(self.findings)
        if self.dialogs:
            problems["dialogs"] = self.dialogs
        if self.foreign_requests:
            problems["requests to other origins"] = sorted(set(self.foreign_requests))[:20]
        shown = "\n".join(f"{url}: {items[:5]}" for url, items in list(problems.items())[:30])
        assert not problems, f"{len(problems)} page(s) or channel(s) show payload effects:\n{shown}"


@contextmanager
def watched_page(
    browser: Browser, origin: str, *, bypass_csp: bool
) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(locale="sv-SE", bypass_csp=bypass_csp)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    watch = Watch(origin, sorted(_app_tags()))
    watch.attach(context)
    try:
        page = context.new_page()
        watch.on_page(page)
        yield page, watch
    finally:
        context.close()


# --------------------------------------------------------------------------- issue 10, item 1


HOSTILE_CELLS = {
    "refresh": f'<meta http-equiv=refresh content="0;url={ELSEWHERE}">',
    "form": (
        f'<form action="{ELSEWHERE}"><label>Lösenord <input name=password type=password>'
        "</label><button>Logga in igen</button></form>"
    ),
    "comment": "<script><!--",
}


def _hostile_csv() -> bytes:
    rows = [
        ["namn", "typ", "organisationsnummer", "platser"],
        ["Trygga gatan", "förening", valid_org_number(802000001), ""],
        ["Ett", HOSTILE_CELLS["refresh"], valid_org_number(802000002), ""],
        ["Två", "förening", valid_org_number(802000003), HOSTILE_CELLS["form"]],
        ["Tre", HOSTILE_CELLS["comment"], valid_org_number(802000004), HOSTILE_CELLS["comment"]],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-in-force", "csp-bypassed"])
def test_import_preview_shows_hostile_cells_as_text(
    browser: Browser, xss_server: LiveServer, sv: Translate, bypass_csp: bool
) -> None:
    moderator = make_staff(xss_server, "moderator")
    with watched_page(browser, xss_server.url, bypass_csp=bypass_csp) as (page, watch):
        sign_in(page, xss_server, sv, moderator)
        page.goto(xss_server(f"/staff/{MUNICIPALITY}/organisations/import"))
        page.locator("input[type=file]").set_input_files(
            {"name": "register.csv", "mimeType": "text/csv", "buffer": _hostile_csv()}
        )
        page.get_by_role("main").get_by_role("button", name=sv("Check the file")).click()
        expect(page.get_by_role("heading", name=sv("Check the preview"))).to_be_visible()
        page.wait_for_timeout(300)  # a refresh of 0 seconds would have left by now

        assert page.url.startswith(xss_server(f"/staff/{MUNICIPALITY}/organisations/import"))
        assert page.locator("meta[http-equiv]").count() == 0
        assert page.locator(f"form[action='{ELSEWHERE}'], input[name=password]").count() == 0
        rejected = page.locator("table").filter(has_text=sv("What is wrong"))
        for cell in HOSTILE_CELLS.values():
            expect(rejected).to_contain_text(cell)
        confirm = page.get_by_role("button", name=re.compile(sv("Import %(num)d organisation")[:8]))
        expect(confirm).to_be_visible()
        watch.check(page)
        watch.assert_clean()


@contextmanager
def _category_group_named(server: LiveServer, name: str) -> Iterator[None]:
    """A group with markup in its name, written as text stored before cleaning held; it is
    removed afterwards, since the services would never store it (see the corpus test)."""
    with app_session(server) as session:
        town = _town(session)
        group = Category(
            municipality_id=town.id,
            code=f"XSS{uuid.uuid4().hex[:8]}",
            label={"sv": name, "en": name},
            position=99,
        )
        session.add(group)
        session.flush()
        session.add(
            Category(
                municipality_id=town.id,
                code=f"{group.code}.ONE",
                parent_id=group.id,
                label={"sv": "Underkategori", "en": "Subcategory"},
                position=1,
            )
        )
        session.commit()
        codes = [group.code, f"{group.code}.ONE"]
    try:
        yield
    finally:
        with app_session(server) as session:
            for category in session.scalars(
                select(Category).where(Category.code.in_(codes)).order_by(Category.id.desc())
            ):
                session.delete(category)
                session.flush()
            session.commit()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-in-force", "csp-bypassed"])
def test_queue_filter_shows_a_category_group_name_as_text(
    browser: Browser, xss_server: LiveServer, sv: Translate, bypass_csp: bool
) -> None:
    name = f"Grupp</option></select><img src=x onerror=window.__x=1>{HOSTILE_CELLS['refresh']}"
    moderator = make_staff(xss_server, "moderator")
    with (
        _category_group_named(xss_server, name),
        watched_page(browser, xss_server.url, bypass_csp=bypass_csp) as (page, watch),
    ):
        sign_in(page, xss_server, sv, moderator)
        watch.visit(page, xss_server(f"/staff/{MUNICIPALITY}/"))
        page.wait_for_timeout(300)
        options = page.locator("option").all_inner_texts()
        assert sv("All in %(group)s") % {"group": name} in options
        assert page.locator("img, meta[http-equiv]").count() == 0
        assert page.url == xss_server(f"/staff/{MUNICIPALITY}/")
        watch.check(page)
        watch.assert_clean()


# --------------------------------------------------------------------------- the corpus


PER_RECORD = 6


def fit(text: str, limit: int) -> str:
    """A payload cut to a field's length limit (names and tags are short)."""
    return text[:limit]


@dataclass
class Corpus:
    """What was stored, and where it shows."""

    payloads: list[str]
    cases: list[tuple[int, str]] = field(default_factory=list)  # submission id, receipt code
    organisation_ids: list[int] = field(default_factory=list)
    response_ids: list[int] = field(default_factory=list)
    answer_tokens: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # other paths that show them
    refused: int = 0  # answers the service refused outright

    def records(self) -> list[tuple[int, str, str]]:
        """The payloads in groups of PER_RECORD, each numbered: (number, lines, one line).

        Multi-line fields get a group's payloads a line each; one-line fields get them
        separated by spaces, cut at the field's limit. Grouping keeps the page views few
        enough for the test to run in minutes.
        """
        groups = []
        for start in range(0, len(self.payloads), PER_RECORD):
            numbered = [
                f"{start + i} {p}" for i, p in enumerate(self.payloads[start:][:PER_RECORD])
            ]
            groups.append((start // PER_RECORD, "\n".join(numbered), " ".join(numbered)))
        return groups


def store_corpus(server: LiveServer, payloads: list[str], admin: Staff) -> Corpus:
    """Every payload into every free-text field, through the services that store them."""
    corpus = Corpus(payloads)
    with app_session(server) as session:
        actor = session.get(Account, admin.id)
        scope = load_scope(session, actor)
        town = _town(session)
        for step in (_store_submissions, _store_organisations, _store_round, _store_administration):
            began = time.monotonic()
            step(server, session, town, corpus, actor, scope)
            print(f"{step.__name__}: {time.monotonic() - began:.1f} s")
    return corpus


def _store_submissions(
    server: LiveServer, session: Any, town: Any, corpus: Corpus, actor: Any, scope: Any
) -> None:
    keys = server.app.extensions["dialogue.keys"]
    public_url = server.app.extensions["dialogue.settings"].public_url or server.url
    category = session.scalars(
        select(Category).filter_by(municipality_id=town.id).where(Category.parent_id.is_not(None))
    ).first()
    statuses = [
        StatusChange(Status.ACCEPTED),
        StatusChange(Status.FORWARDED, forwarded_to="{}"),
        StatusChange(Status.REJECTED, reason="{}"),
    ]
    acting = {"actor": actor, "scope": scope}
    previous = None
    for number, text, line in corpus.records():
        receipt = submit_concern(
            session,
            town.id,
            NewSubmission(
                kind=SubmissionKind.CONCERN,
                category_id=category.id,
                text=text,
                location_text=fit(line, 300),
                submitter_type=SubmitterType.RESIDENT,
                locale="sv",
            ),
            nonce=uuid.uuid4().hex,
            receipt_key=keys.receipt,
        )
        submission = receipt.submission
        corpus.cases.append((submission.id, receipt.code))
        add_information(session, submission, text)
        reply_to_submitter(
            session,
            submission,
            text,
            actor=actor,
            scope=scope,
            case_link=f"{public_url}/{MUNICIPALITY}/case",
        )
        add_note(session, submission, text, actor=actor, scope=scope)
        set_public_summary(session, submission, text, actor=actor, scope=scope)
        set_tags(session, submission, [fit(t, 60) for t in text.splitlines()], **acting)
        template = statuses[number % len(statuses)]
        change = StatusChange(
            template.to,
            reason=text if template.reason else None,
            forwarded_to=fit(line, 200) if template.forwarded_to else None,
        )
        change_status(session, submission, change, actor=actor, scope=scope)
        if previous is not None and number % 2:
            link_to_cluster(session, submission, previous, actor=actor, scope=scope)
        previous = submission.reference


def _store_organisations(
    server: LiveServer, session: Any, town: Any, corpus: Corpus, actor: Any, scope: Any
) -> None:
    for number, _text, line in corpus.records():
        organisation = create_organisation(
            session,
            town.id,
            OrganisationInput(
                name=fit(line, 200),
                type=OrganisationType.ASSOCIATION,
                org_number=valid_org_number(803000000 + number),
                contact_name=fit(line[200:] or line, 200),
            ),
            actor=actor,
            scope=scope,
        )
        corpus.organisation_ids.append(organisation.id)


def _store_round(
    server: LiveServer, session: Any, town: Any, corpus: Corpus, actor: Any, scope: Any
) -> None:
    key = server.app.extensions["dialogue.keys"].invitation
    public_url = server.app.extensions["dialogue.settings"].public_url
    today = stockholm_today()
    ctx = Context(actor=actor, scope=scope, municipality_id=town.id, now=utcnow(), locale="sv")

    def own_link(token: str) -> str:
        return f"{public_url}/{MUNICIPALITY}/rounds/{token}"

    site = visits.AnswerSite(
        key=key,
        today=today,
        municipality_name=town.name,
        locale="sv",
        default_locale="sv",
        link=own_link,
    )

    def new_round(title: str, introduction: str) -> Any:
        return create_round(
            session,
            ctx,
            RoundInput(
                title={"sv": title, "en": title},
                introduction={"sv": introduction, "en": introduction},
                opens_on=today - dt.timedelta(days=2),
                closes_on=today + dt.timedelta(days=30),
            ),
            RoundSource(use_current_pledge=False),
            today=today,
        )

    # Drafts named by payloads, and one draft asking a question per payload.
    for _number, text, line in corpus.records():
        made = new_round(fit(line, 200), text)
        corpus.pages.append(f"/staff/{MUNICIPALITY}/rounds/{made.id}")
    questions = new_round("Frågor", "Inledning")
    for _number, text, line in corpus.records():
        add_question(
            session,
            ctx,
            questions.id,
            QuestionInput(
                kind=QuestionKind.FREE_TEXT,
                text={"sv": fit(line, 300), "en": fit(line, 300)},
                hint={"sv": text, "en": text},
            ),
        )
    corpus.pages.append(f"/staff/{MUNICIPALITY}/rounds/{questions.id}")

    # An open round answered by an organisation per payload, through its open link.
    answered = new_round("Öppen runda", "Svara för er förening.")
    add_question(
        session,
        ctx,
        answered.id,
        QuestionInput(kind=QuestionKind.FREE_TEXT, text={"sv": "Vad oroar er?", "en": "What?"}),
    )
    publish_round(session, ctx, answered.id)
    open_token = enable_open_link(session, ctx, answered.id, key=key)
    for number, text, line in corpus.records():
        details = OrganisationDetails(
            name=fit(line, 200),
            type=OrganisationType.BUSINESS,
            org_number=valid_org_number(804000000 + number),
            contact_name=fit(line[200:] or line, 200),
        )
        token = answer_via_open_link(session, answered, details, site)
        visit = visits.load_visit(session, town.id, token, key=key, today=today)
        step = next(s for s in visit.steps if s.questions)
        raw = {visits.field_name(q): [text] for q in step.questions}
        try:
            answers.save_step(session, visit, step.number, raw, move=answers.Move.NEXT)
        except InvalidInputError:
            # Refused as a whole (control characters): nothing stored, nothing to show.
            session.rollback()
            corpus.refused += 1
            continue
        visit = visits.load_visit(session, town.id, token, key=key, today=today)
        answers.submit_response(session, visit, site)
        corpus.answer_tokens.append(token)
    corpus.response_ids = list(
        session.scalars(
            select(RoundResponse.id).filter_by(round_id=answered.id).order_by(RoundResponse.id)
        )
    )
    base = f"/staff/{MUNICIPALITY}/rounds/{answered.id}"
    corpus.pages += [base, f"{base}/responses", f"{base}/results", f"{base}/invitations"]
    corpus.pages += [f"/{MUNICIPALITY}/rounds/open/{open_token}"]


def _store_administration(
    server: LiveServer, session: Any, town: Any, corpus: Corpus, actor: Any, scope: Any
) -> None:
    locales = server.app.extensions["dialogue.settings"].locales
    acting = {"actor": actor, "scope": scope}

    def both(text: str) -> dict[str, str]:
        return dict.fromkeys(locales, text)

    today = stockholm_today()
    records = corpus.records()
    # One-line names: a payload each, so that every payload is in every list of names.
    for number, payload in enumerate(corpus.payloads):
        name = fit(f"{number} {payload}", 200)
        create_place(
            session,
            town.id,
            PlaceInput(name=name, kind=PlaceKind.POINT, slug=f"xss-{number}", aliases=(name,)),
            **acting,
        )
        create_category(
            session,
            town.id,
            NewCategory(category=CategoryInput(label=both(name)), group_label=both(name)),
            **acting,
        )
        create_response_template(
            session,
            town.id,
            TemplateInput(title=name, body=records[number // PER_RECORD][1], locale="sv"),
            locales=locales,
            **acting,
        )
        create_member(
            session,
            town.id,
            NewMember(
                email=f"xss-{number}-{uuid.uuid4().hex[:6]}@falkoping.example",
                name=name,
                role=Role.MODERATOR,
            ),
            **acting,
        )
    # A pledge per payload for its own texts; the last one holds the commitments, their
    # progress and the initiatives.
    pledge = None
    for _number, text, line in records:
        name = fit(line, 200)
        pledge = create_pledge(
            session,
            town.id,
            PledgeInput(
                title=both(name),
                focus=both(text),
                goal=both(text),
                valid_from=today,
                valid_to=today + dt.timedelta(days=365),
                sources=(both(name),),
                signatories=(Signatory(name, both(name)),),
            ),
            **acting,
        )
        corpus.pages.append(f"/staff/{MUNICIPALITY}/admin/pledges/{pledge.id}")
    assert pledge is not None
    commitment = None
    for _number, text, line in records:
        name = fit(line, 200)
        commitment = add_commitment(session, town.id, pledge.id, both(text), **acting)
        add_initiative(
            session,
            town.id,
            pledge.id,
            InitiativeInput(name=both(name), description=both(text)),
            **acting,
        )
    assert commitment is not None
    publish_pledge(session, town.id, pledge.id, **acting)
    for _number, text, _line in records:
        add_progress_update(
            session, town.id, commitment.id, ProgressUpdateInput(today, both(text)), **acting
        )
    admin = f"/staff/{MUNICIPALITY}/admin"
    corpus.pages += [
        f"{admin}/pledges/{pledge.id}",
        f"{admin}/commitments/{commitment.id}",
        f"{admin}/places",
        f"{admin}/categories",
        f"{admin}/templates",
        f"{admin}/pledges",
        f"{admin}/accounts",
        f"/{MUNICIPALITY}/places",
        f"/{MUNICIPALITY}/pledges/{pledge.id}",
    ]


# --------------------------------------------------------------------------- viewing


def _follow_pages(page: Page, watch: Watch, url: str) -> None:
    """A list page and every page after it (rel=next)."""
    watch.visit(page, url)
    while (following := page.locator("a[rel=next]")).count():
        watch.visit(page, str(following.first.evaluate("link => link.href")))


def _open_case(page: Page, server: LiveServer, code: str, csrf_token: str) -> None:
    """Open a case with its receipt code, as the resident does (the form posted directly)."""
    response = page.request.post(
        server(f"/{MUNICIPALITY}/case"),
        form={"csrf_token": csrf_token, "code": code},
        max_redirects=0,
    )
    assert response.status == 303, response.status


def test_published_xss_corpus_neither_runs_nor_renders_anywhere(
    browser: Browser, xss_server: LiveServer, sv: Translate
) -> None:
    payloads = load_payloads() + FLAG_PAYLOADS
    assert len(load_payloads()) >= 200
    admin = make_staff(xss_server, "admin")
    started = time.monotonic()
    corpus = store_corpus(xss_server, payloads, admin)
    stored = time.monotonic()

    assert_no_stored_markup(xss_server)

    with watched_page(browser, xss_server.url, bypass_csp=True) as (page, watch):
        # The resident's case pages.
        page.goto(xss_server(f"/{MUNICIPALITY}/case"))
        csrf_token = page.locator("input[name=csrf_token]").first.input_value()
        for _submission_id, code in corpus.cases:
            _open_case(page, xss_server, code, csrf_token)
            watch.visit(page, xss_server(f"/{MUNICIPALITY}/case"))
        # The organisations' own answers, through their links.
        for token in corpus.answer_tokens:
            watch.visit(page, xss_server(f"/{MUNICIPALITY}/rounds/{token}/review"))
        watch.visit(page, xss_server(f"/{MUNICIPALITY}/"))
        watch.visit(page, xss_server(f"/{MUNICIPALITY}/pledge"))

        sign_in(page, xss_server, sv, admin)
        staff = f"/staff/{MUNICIPALITY}"
        for status in ("", "accepted", "forwarded", "rejected"):
            _follow_pages(page, watch, xss_server(f"{staff}/?status={status}"))
        for submission_id, _code in corpus.cases:
            watch.visit(page, xss_server(f"{staff}/submissions/{submission_id}"))
        for organisation_id in corpus.organisation_ids:
            watch.visit(page, xss_server(f"{staff}/organisations/{organisation_id}"))
        _follow_pages(page, watch, xss_server(f"{staff}/organisations"))
        for response_id in corpus.response_ids:
            round_path = next(p for p in corpus.pages if p.endswith("/responses"))
            watch.visit(page, xss_server(f"{round_path}/{response_id}"))
        watch.visit(page, xss_server(f"{staff}/rounds"))
        for path in corpus.pages:
            watch.visit(page, xss_server(path))
        today = stockholm_today().isoformat()
        watch.visit(page, xss_server(f"{staff}/lagesbild?from={today}&to={today}"))
        watch.visit(page, xss_server(f"{staff}/lagesbild/quotes?from={today}&to={today}"))
        _follow_pages(page, watch, xss_server(f"{staff}/audit"))
        viewed = time.monotonic()

    print(
        f"XSS corpus: {len(payloads)} payloads, {watch.views} page views; "
        f"storing {stored - started:.0f} s, viewing {viewed - stored:.0f} s"
    )
    watch.assert_clean()


def assert_no_stored_markup(server: LiveServer) -> None:
    """Every text column of every table holds no '<' that could open a tag."""

    skipped = {"audit_events", "outbox_messages", "lagesbild_snapshots", "alembic_version"}
    offenders: list[str] = []

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)

    with app_session(server) as session:
        for table in Base.metadata.sorted_tables:
            if table.name in skipped:
                continue
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for column in columns:
                for value in session.scalars(select(column).where(column.is_not(None))):
                    for text in strings(value):
                        if holds_markup(text):
                            offenders.append(f"{table.name}.{column.name}: {text[:80]!r}")
    assert not offenders, f"{len(offenders)} stored texts hold markup:\n" + "\n".join(
        offenders[:20]
    )
