"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from werkzeug.serving import make_server

from dialogue.demo.services import load_demo
from dialogue.extensions import db
from tests.helpers import make_settings, migrated_app, recreate_postgres_database

MUNICIPALITY = "falkoping"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

TIMEOUT_MS = 5_000


class LiveServer:
    """A server on a free port; the app is given once the port, its public URL, is known."""

    def __init__(self) -> None:
        self.app: Any = None
        self.server = make_server("127.0.0.1", 0, self._serve, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="live-server", daemon=True
        )

    def _serve(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)

    def start(self, app: Any) -> None:
        self.app = app
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@contextmanager
def demo_server(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    *,
    today: dt.date | None = None,
    **overrides: Any,
) -> Iterator[LiveServer]:
    """A live server with the Falköping demo on a database of its own (``name``).

    With ``today``, the demo is loaded as ``dialogue demo load`` does on that day: its pledge is
    in force.
    """
    postgres = os.environ.get("DIALOGUE_TEST_DATABASE_URL")
    if postgres:
        url = recreate_postgres_database(postgres, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(f'{name}-db') / f'{name}.sqlite3'}"
    instance = tmp_path_factory.mktemp(f"{name}-instance")
    server = LiveServer()
    values: dict[str, Any] = {"reference_cache_seconds": 0.0, "public_url": server.url}
    values.update(overrides)
    app = migrated_app(make_settings(url, instance, **values))
    with app.app_context():
        load_demo(db.session, today=today)
        db.session.remove()
    server.start(app)
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


def _new_context(browser: Any, **options: Any) -> Any:
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids.
    context = browser.new_context(locale="sv-SE", bypass_csp=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    return context


def _axe_source() -> str:
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


_AXE_SOURCE: list[str] = []

_HAS_AXE = "() => typeof window.axe !== 'undefined'"

_MICROTASK_TIMERS = """() => {
    window.setTimeout = (callback, delay, ...args) => {
        Promise.resolve().then(() => callback(...args));
        return 0;
    };
    window.clearTimeout = () => {};
}"""


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", []):
            lines.append(f"    target: {json.dumps(node.get('target'))}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now; fail on any violation.

    The context must have bypass_csp=True: the app's CSP (script-src 'self') blocks the
    inline script. Works with JavaScript disabled too (see below).
    """
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(_axe_source())
    if not page.evaluate(_HAS_AXE):
        page.add_script_tag(content=_AXE_SOURCE[0])
        if not page.evaluate(_HAS_AXE):
            # JavaScript is off (the no-JS journey): the tag is in the page but never ran.
            # Playwright's own evaluation still works, so run the same source that way. Timers
            # never fire in such a page and axe.run waits on setTimeout, so its callbacks
            # become microtasks; the page's own scripts stay off, so nothing else sees this.
            page.evaluate("(source) => { (0, eval)(source); }", _AXE_SOURCE[0])
            page.evaluate(_MICROTASK_TIMERS)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = result["violations"]
    assert not violations, (
        f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )
