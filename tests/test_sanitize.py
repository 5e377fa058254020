from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue.sanitize import clean_line, clean_text, holds_markup

# What an HTML tokenizer reads as the start of a tag, comment, declaration or instruction.
TAG_START = re.compile(r"<[A-Za-z!/?]")

# Text made mostly of the characters that matter to a tokenizer, so tags, entities and
# half-tags come up often; plus any character at all.
MARKUP_ALPHABET = st.sampled_from([*"<>/!?&;#=\"' -abcxsriptgmonl\x00\x01\r\n\t", "&lt;"])
ARBITRARY = st.one_of(
    st.text(),
    st.lists(st.one_of(MARKUP_ALPHABET, st.characters()), max_size=60).map("".join),
)


@settings(max_examples=600, deadline=None)
@given(ARBITRARY)
def test_cleaned_text_never_holds_the_start_of_a_tag(value: str) -> None:
    for cleaned in (clean_text(value), clean_line(value)):
        assert not TAG_START.search(cleaned)
        assert not holds_markup(cleaned)


@settings(max_examples=600, deadline=None)
@given(ARBITRARY)
def test_cleaning_clean_text_changes_nothing(value: str) -> None:
    cleaned = clean_text(value)
    assert clean_text(cleaned) == cleaned
    line = clean_line(value)
    assert clean_line(line) == line


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("x <input autofocus onfocus=alert(1)//", "x < input autofocus onfocus=alert(1)//"),
        ("trasig lampa </p", "trasig lampa < /p"),
        ("Åsa <Örjan", "Åsa < Örjan"),
        ("a<b", "a< b"),
        ('"><svg onload=alert(1) x="', '">'),
    ],
)
def test_unterminated_tags_are_defused(typed: str, stored: str) -> None:
    assert clean_text(typed) == stored


@pytest.mark.parametrize("text", ["a < b", "<3", "1 <= 2", "pil <- här", "<<>>", "5 <-> 6"])
def test_ordinary_less_than_signs_are_kept(text: str) -> None:
    assert clean_text(text) == text


def test_control_characters_cannot_hide_a_tag() -> None:
    assert clean_text("<\x01script>alert(1)</script>") == "alert(1)"
