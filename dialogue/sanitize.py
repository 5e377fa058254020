"""The one place free text is cleaned. Only this module imports bleach.

Submitted text is plain text: every tag is stripped and entities are decoded until the value
no longer changes, so what is stored holds no markup at all. What the HTML parser does not see
as a tag (an unterminated ``x <input autofocus onfocus=…`` at the end, say) is still defused:
after cleaning, a ``<`` that a browser could read as the start of a tag, comment or declaration
(followed by a letter, ``!``, ``/`` or ``?``) gets a space after it, so ``<input`` is stored as
``< input``. A space keeps the text readable and searchable as the person wrote it, where an
entity would show as ``&lt;`` in exports and a look-alike character would hide what was typed;
ordinary text such as ``a < b`` or ``<3`` is left as it is. Output is escaped by Jinja's
autoescaping as well; the two together mean nothing a submitter types can run in a browser.
Cleaning is idempotent: cleaning clean text changes nothing.
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
# "<" where a browser's tokenizer may open a tag, end tag, comment, declaration or processing
# instruction. Any letter counts, not only ASCII, to be safe against parsers that differ.
TAG_OPENER = re.compile(r"<(?=[^\W\d_]|[!/?])")


def has_forbidden_characters(value: str) -> bool:
    """True if the text holds control characters or bytes that were not valid UTF-8."""
    return bool(_CONTROL.search(value)) or _UNDECODABLE in value


def clean_text(value: str) -> str:
    """Plain text without markup, in Unicode NFC, with ``\\n`` line ends and no outer blanks."""
    text = value
    for _ in range(MAX_PASSES):
        cleaned = _one_pass(text)
        if cleaned == text:
            break
        text = cleaned
    return TAG_OPENER.sub("< ", text).strip()


def _one_pass(text: str) -> str:
    # Control characters go before bleach sees the text, so "<\x01script>" cannot turn into a
    # tag after the tags were stripped; decoded entities may bring new ones, hence the loop.
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    stripped = bleach.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, strip=True)
    return html.unescape(stripped)


def holds_markup(value: str) -> bool:
    """True if a browser could read part of the text as a tag: what cleaned text never holds."""
    return bool(TAG_OPENER.search(value))


def clean_line(value: str) -> str:
    """Like :func:`clean_text`, for one-line fields: runs of white space become one space."""
    return " ".join(clean_text(value).split())
