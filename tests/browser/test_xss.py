"""No value from outside runs or renders as markup in anyone's browser.

The first tests replay the two injections of issue 10 (CSV cells in the import preview, a
category group's name in the queue filter) with the Content Security Policy in force and
bypassed. The corpus test stores a published list of XSS payloads (``xss_payloads.txt``, its
source and licence in its header) through the services into every free-text field residents,
organisations and staff fill, then views every page that shows them with the CSP bypassed, so
that escaping alone must hold: no script runs and no element comes from a payload.

These tests run on their own live server and database: the corpus adds hundreds of records to
Falköping, which the other browser tests must not see.
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.browser.conftest import MUNICIPALITY, TIMEOUT_MS, LiveServer
from tests.browser.workspace_fixtures import PASSWORD, Staff, sign_in

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
    from tests.conftest import make_settings, migrated_app, recreate_postgres_database

    postgres = os.environ.get("DIALOGUE_TEST_DATABASE_URL")
    if postgres:
        url = recreate_postgres_database(postgres, "xss")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('xss-db') / 'xss.sqlite3'}"
    instance = tmp_path_factory.mktemp("xss-instance")
    app = migrated_app(make_settings(url, instance, reference_cache_seconds=0.0))
    with app.app_context():
        from dialogue.demo.services import load_demo
        from dialogue.extensions import db

        load_demo(db.session)
        db.session.remove()
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            from dialogue.extensions import db

            db.engine.dispose()


@contextmanager
def app_session(server: LiveServer) -> Iterator[Any]:
    from dialogue.extensions import db

    with server.app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def _town(session: Any) -> Any:
    from dialogue.models import Municipality

    return session.scalars(select(Municipality).filter_by(slug=MUNICIPALITY)).one()


def make_staff(server: LiveServer, role: str) -> Staff:
    from dialogue.accounts.models import Role
    from dialogue.accounts.services import create_account

    email = f"{role}-{uuid.uuid4().hex[:10]}@falkoping.example"
    with app_session(server) as session:
        account = create_account(
            session,
            email=email,
            name=f"{role.title()} XSS",
            role=Role(role),
            municipality_id=_town(session).id,
            password=PASSWORD,
        )
        return Staff(account.id, email, account.name, PASSWORD)


# --------------------------------------------------------------------------- watching a page


def _app_tags() -> frozenset[str]:
    """Every element name the app's templates write: anything else came from somewhere else."""
    names = re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)", _template_text())
    return frozenset(name.lower() for name in names) | {"html", "head", "body", "tbody"}


def _template_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html"))


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
    from tests.factories import valid_org_number

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


def _category_group_named(server: LiveServer, name: str) -> None:
    """A group with markup in its name, written as text stored before cleaning held."""
    from dialogue.models import Category

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


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-in-force", "csp-bypassed"])
def test_queue_filter_shows_a_category_group_name_as_text(
    browser: Browser, xss_server: LiveServer, sv: Translate, bypass_csp: bool
) -> None:
    name = f"Grupp</option></select><img src=x onerror=window.__x=1>{HOSTILE_CELLS['refresh']}"
    _category_group_named(xss_server, name)
    moderator = make_staff(xss_server, "moderator")
    with watched_page(browser, xss_server.url, bypass_csp=bypass_csp) as (page, watch):
        sign_in(page, xss_server, sv, moderator)
        watch.visit(page, xss_server(f"/staff/{MUNICIPALITY}/"))
        page.wait_for_timeout(300)
        options = page.locator("option").all_inner_texts()
        assert sv("All in %(group)s") % {"group": name} in options
        assert page.locator("img, meta[http-equiv]").count() == 0
        assert page.url == xss_server(f"/staff/{MUNICIPALITY}/")
        watch.check(page)
        watch.assert_clean()
