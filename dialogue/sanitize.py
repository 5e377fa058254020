"""The one place free text is cleaned. Only this module imports bleach.

Submitted text is plain text: every tag is stripped and entities are decoded until the value
no longer changes, so what is stored holds no markup at all. Output is escaped by Jinja's
autoescaping as well; the two together mean nothing a submitter types can run in a browser.
"""

from __future__ import annotations

import html
import re
import unicodedata

import bleach

ALLOWED_TAGS: frozenset[str] = frozenset()
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {}
MAX_PASSES = 8

# C0 and C1 control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNDECODABLE = "\ufffd"


def has_forbidden_characters(value: str) -> bool:
    """True if the text holds control characters or bytes that were not valid UTF-8."""
    return bool(_CONTROL.search(value)) or _UNDECODABLE in value


def clean_text(value: str) -> str:
    """Plain text without markup, in Unicode NFC, with ``\\n`` line ends and no outer blanks."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(MAX_PASSES):
        cleaned = html.unescape(
            bleach.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, strip=True)
        )
        if cleaned == text:
            break
        text = cleaned
    return _CONTROL.sub("", text).strip()


def clean_line(value: str) -> str:
    """Like :func:`clean_text`, for one-line fields: runs of white space become one space."""
    return " ".join(clean_text(value).split())
