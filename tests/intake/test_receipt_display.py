from __future__ import annotations

from typing import Any

import pytest

from dialogue.intake import receipt_display
from dialogue.intake.receipt_display import (
    BINDING_KEY,
    REDISPLAY_MINUTES,
    SHOWN_KEY,
    may_show_code,
    session_binding,
)
from dialogue.submissions.receipts import FormToken

KEY = b"k" * 32


def at(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    monkeypatch.setattr(receipt_display, "clock", lambda: 1_000_000.0 + minutes * 60)


def test_a_repeat_is_shown_only_within_the_window_of_its_first_showing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session: dict[str, Any] = {}
    token = FormToken("nonce", session_binding(session))
    at(monkeypatch, 0)
    assert may_show_code(session, KEY, token, is_new=True)
    at(monkeypatch, REDISPLAY_MINUTES - 0.5)
    assert may_show_code(session, KEY, token, is_new=False)
    at(monkeypatch, REDISPLAY_MINUTES + 0.5)  # measured from the first showing, not the last
    assert not may_show_code(session, KEY, token, is_new=False)


def test_showing_a_code_renews_the_binding_and_old_codes_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session: dict[str, Any] = {}
    bound = session_binding(session)
    at(monkeypatch, 0)
    for n in range(5):
        may_show_code(session, KEY, FormToken(f"nonce{n}", bound), is_new=True)
    assert session[BINDING_KEY] != bound
    at(monkeypatch, REDISPLAY_MINUTES + 1)
    may_show_code(session, KEY, FormToken("new", session_binding(session)), is_new=True)
    assert len(session[SHOWN_KEY]) == 1, "the cookie keeps only codes that may still be shown"
    assert not may_show_code(session, KEY, FormToken("nonce0", bound), is_new=False)


def test_a_form_without_a_binding_never_shows_its_code_again_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at(monkeypatch, 0)
    assert not may_show_code({}, KEY, FormToken("nonce", ""), is_new=False)
    assert not may_show_code({BINDING_KEY: "b"}, KEY, FormToken("nonce", "a"), is_new=False)
    assert may_show_code({BINDING_KEY: "b"}, KEY, FormToken("nonce", "b"), is_new=False)
