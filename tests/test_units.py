"""Small pure functions: settings, cleaning, receipt codes, contrast."""

from __future__ import annotations

import pytest

from dialogue.config import Settings
from dialogue.sanitize import clean_line, clean_text, has_forbidden_characters
from dialogue.submissions import receipts
from dialogue.web.theme import accent_colors, contrast

KEY = b"r" * 32
XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(document.cookie)</script>',
    '<a href="javascript:alert(1)">klicka</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    "<iframe src=//evil.example></iframe>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def test_settings_read_dialogue_variables_only() -> None:
    settings = Settings.from_env(
        {
            "DIALOGUE_DATABASE_URL": "postgresql+psycopg://db/x",
            "DIALOGUE_RATELIMIT_ENABLED": "false",
            "DIALOGUE_MAX_TEXT_LENGTH": "2000",
            "DIALOGUE_LOCALES": " en, sv ",
            "DATABASE_URL": "ignored",
        }
    )
    assert settings.database_url == "postgresql+psycopg://db/x"
    assert settings.ratelimit_enabled is False
    assert settings.max_text_length == 2000
    assert settings.locales == ("en", "sv")


def test_settings_refuse_a_bad_boolean() -> None:
    with pytest.raises(ValueError, match="DIALOGUE_RATELIMIT_ENABLED"):
        Settings.from_env({"DIALOGUE_RATELIMIT_ENABLED": "maybe"})


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_cleaned_text_holds_no_markup(payload: str) -> None:
    cleaned = clean_text(payload)
    assert "<" not in cleaned or not any(
        tag in cleaned.lower() for tag in ("<script", "<img", "<svg", "<iframe", "<a ", "<body")
    )
    assert clean_text(cleaned) == cleaned


def test_cleaning_keeps_ordinary_text() -> None:
    assert clean_text("  Åäö < 5 & > 3\r\nrad två  ") == "Åäö < 5 & > 3\nrad två"
    assert clean_line("Vid   kiosken\n") == "Vid kiosken"


def test_control_characters_and_replacement_characters_are_flagged() -> None:
    assert has_forbidden_characters("a\x00b")
    assert has_forbidden_characters("a\ufffdb")
    assert not has_forbidden_characters("rad ett\nrad två\tflik")


def test_receipt_code_is_sixteen_digits_derived_from_the_token() -> None:
    code = receipts.code_for(KEY, "nonce")
    assert len(code) == 16 and code.isdigit()
    assert receipts.code_for(KEY, "nonce") == code
    assert receipts.code_for(KEY, "other") != code
    assert receipts.code_for(b"x" * 32, "nonce") != code


def test_typed_codes_are_normalized() -> None:
    assert receipts.normalize_code("1234 5678-9012 3456") == "1234567890123456"
    assert receipts.normalize_code("1234") is None
    assert receipts.normalize_code("１２３４５６７８９０１２３４５６") is None  # full-width digits
    assert receipts.group_code("1234567890123456") == "1234 5678 9012 3456"


def test_form_tokens_refuse_forgery_and_age() -> None:
    token = receipts.new_form_token(KEY)
    assert receipts.read_form_token(KEY, token)
    with pytest.raises(receipts.FormTokenError):
        receipts.read_form_token(b"y" * 32, token)
    with pytest.raises(receipts.FormTokenError):
        receipts.read_form_token(KEY, token, max_age=-1)


def test_form_tokens_carry_the_browser_session_they_were_opened_in() -> None:
    bound = receipts.parse_form_token(KEY, receipts.new_form_token(KEY, "session-1"))
    unbound = receipts.parse_form_token(KEY, receipts.new_form_token(KEY))
    assert bound.binding == "session-1" and bound.nonce
    assert unbound.binding == "" and unbound.nonce
    assert receipts.read_form_token(KEY, receipts.new_form_token(KEY, "s")) != "s"


@pytest.mark.parametrize(
    "color", ["#ffffff", "#ffee00", "#00ff00", "#1d4f91", "not-a-colour", None]
)
def test_accent_always_meets_aa_on_white(color: str | None) -> None:
    assert contrast(accent_colors(color)["accent"], "#ffffff") >= 4.5
