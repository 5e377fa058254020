"""Browser harness: one live server on a fresh database with the Falköping demo, one Chromium.

The live server is its own app on its own database (SQLite file, or a ``_browser`` PostgreSQL
database beside ``DIALOGUE_TEST_DATABASE_URL``), so the suite's rolled-back transactions and
the browser's real commits never meet. Every test gets a fresh browser context (cookies,
session, language), so tests do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.helpers import (
    TIMEOUT_MS,
    LiveServer,
    _new_context,
    demo_server,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser drives Chromium; mark it even if a test forgot to.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A fresh demo for each test file: what one file freezes or publishes, another never sees,
    whichever order (or worker) runs them."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with demo_server(tmp_path_factory, f"browser_{name}") as server:
        yield server


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = _new_context(browser)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def nojs_context(browser: Any) -> Iterator[Any]:
    context = _new_context(browser, java_script_enabled=False)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: Any) -> Any:
    expect.set_options(timeout=TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def nojs_page(nojs_context: Any) -> Any:
    expect.set_options(timeout=TIMEOUT_MS)
    return nojs_context.new_page()


# --------------------------------------------------------------------------- axe-core


# --------------------------------------------------------------------------- translations


# ``translator`` and the ``sv``/``en`` fixtures live in tests/conftest.py.


# --------------------------------------------------------------------------- guard

MISSING_CHROMIUM = (
    f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
    "Install it with `apt-get install -y chromium` (never `playwright install`)."
)

if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    # A missing browser must not turn the browser tests into skips or setup noise: each one
    # FAILS with the fix in its message, before any fixture (server, browser) is set up.

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        if Path(__file__).parent not in Path(str(item.path)).parents:
            return None  # not a browser test: run it as usual
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)

        def missing() -> None:
            pytest.fail(MISSING_CHROMIUM, pytrace=False)

        call = pytest.CallInfo.from_call(missing, when="call")
        report = pytest.TestReport.from_item_and_call(item, call)
        item.ihook.pytest_runtest_logreport(report=report)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True
