"""Likely personal data in free text: found, highlighted for moderators, masked for the public.

Detection prefers precision to recall. A personal identity number needs a real date and a valid
check digit; a phone number a Swedish prefix and length; a plate the letter/digit pattern of
Swedish plates in capitals. Dates, years, prices and postcodes are left alone, so a highlight
means "look at this" rather than noise moderators learn to ignore.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Callable, Iterator
from enum import StrEnum

from markupsafe import Markup, escape

from dialogue.i18n import _l


class PersonalDataKind(StrEnum):
    PERSONAL_NUMBER = "personal_number"  # personnummer
    COORDINATION_NUMBER = "coordination_number"  # samordningsnummer
    EMAIL = "email"
    PHONE = "phone"
    PLATE = "plate"


@dataclasses.dataclass(frozen=True)
class Span:
    """One likely piece of personal data: ``text[start:end]``."""

    kind: PersonalDataKind
    start: int
    end: int


LABELS = {
    PersonalDataKind.PERSONAL_NUMBER: _l("(possible personal identity number)"),
    PersonalDataKind.COORDINATION_NUMBER: _l("(possible coordination number)"),
    PersonalDataKind.EMAIL: _l("(possible e-mail address)"),
    PersonalDataKind.PHONE: _l("(possible phone number)"),
    PersonalDataKind.PLATE: _l("(possible registration plate)"),
}
MASKS = {
    PersonalDataKind.PERSONAL_NUMBER: _l("[personal identity number]"),
    PersonalDataKind.COORDINATION_NUMBER: _l("[coordination number]"),
    PersonalDataKind.EMAIL: _l("[e-mail address]"),
    PersonalDataKind.PHONE: _l("[phone number]"),
    PersonalDataKind.PLATE: _l("[registration plate]"),
}

# YYMMDD-NNNC, YYMMDD+NNNC (100 years or older), YYMMDDNNNC, YYYYMMDD(-)NNNC.
_IDENTITY = re.compile(
    r"(?<![\w+-])(?P<century>\d{2})?(?P<date>\d{6})[-+]?(?P<serial>\d{3})(?P<check>\d)(?![\w-])"
)
_CENTURIES = frozenset({"18", "19", "20"})
COORDINATION_DAY_OFFSET = 60

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Digits grouped by single spaces or dashes: 07x-xxx xx xx, 0xx-xxx xx, +46 70 123 45 67.
# Not preceded or followed by more digits, so longer numbers (receipt codes, dates with a
# time) are never cut into a phone number.
_SEP = r"[ \u00a0-]"
_PHONE = re.compile(
    rf"(?<![\w+])(?<!\d{_SEP})"
    rf"(?:(?:\+|00)46{_SEP}?(?:\(0\){_SEP}?)?[1-9]|0[1-9])(?:{_SEP}?\d){{6,8}}"
    rf"(?!{_SEP}?\d)(?!\w)"
)

# ABC 123 and ABC 12A: I, Q and V are never used, O never last. Capitals only, so that words
# such as "och 123" are not plates.
_PLATE = re.compile(r"(?<![\w-])[A-HJ-PR-UW-Z]{3}[ -]?\d{2}[0-9A-HJ-NPR-UW-Z](?![\w-])")
# Capital abbreviations that are followed by numbers in ordinary text.
_NOT_PLATES = frozenset({"SEK", "EUR", "USD", "NOK", "DKK", "GBP", "KRN"})


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check that personal identity numbers end with."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def identity_kind(century: str | None, date: str, serial_and_check: str) -> PersonalDataKind | None:
    """Which kind of identity number the digits are, or None if date or check digit is wrong."""
    if century is not None and century not in _CENTURIES:
        return None
    if not luhn_valid(date + serial_and_check):
        return None
    yy, month, day = int(date[:2]), int(date[2:4]), int(date[4:])
    kind = PersonalDataKind.PERSONAL_NUMBER
    if day > COORDINATION_DAY_OFFSET:
        kind, day = PersonalDataKind.COORDINATION_NUMBER, day - COORDINATION_DAY_OFFSET
    years = [int(century) * 100 + yy] if century else [1900 + yy, 2000 + yy]
    return kind if any(_is_date(year, month, day) for year in years) else None


def _identity_spans(text: str) -> Iterator[Span]:
    for match in _IDENTITY.finditer(text):
        kind = identity_kind(match["century"], match["date"], match["serial"] + match["check"])
        if kind is not None:
            yield Span(kind, match.start(), match.end())


def _pattern_spans(
    pattern: re.Pattern[str], kind: PersonalDataKind, keep: Callable[[str], bool] = bool
) -> Callable[[str], Iterator[Span]]:
    def find(text: str) -> Iterator[Span]:
        for match in pattern.finditer(text):
            if keep(match.group()):
                yield Span(kind, match.start(), match.end())

    return find


def _not_an_abbreviation(hit: str) -> bool:
    return hit[:3] not in _NOT_PLATES


# Earlier finders win when two hits overlap at the same place.
_FINDERS = (
    _pattern_spans(_EMAIL, PersonalDataKind.EMAIL),
    _identity_spans,
    _pattern_spans(_PHONE, PersonalDataKind.PHONE),
    _pattern_spans(_PLATE, PersonalDataKind.PLATE, _not_an_abbreviation),
)


def find_personal_data(text: str) -> list[Span]:
    """Non-overlapping likely personal data in ``text``, in order."""
    candidates = [
        (span.start, span.start - span.end, rank, span)
        for rank, finder in enumerate(_FINDERS)
        for span in finder(text)
    ]
    spans: list[Span] = []
    for *_key, span in sorted(candidates, key=lambda c: c[:3]):
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


def highlight(text: str) -> Markup:
    """The text escaped, each hit in ``<mark>`` with a label for screen readers."""
    parts: list[Markup] = []
    position = 0
    for span in find_personal_data(text):
        parts.append(escape(text[position : span.start]))
        parts.append(
            Markup(
                '<mark class="pii" data-kind="{kind}">{hit}'
                '<span class="visually-hidden"> {label}</span></mark>'
            ).format(kind=span.kind.value, hit=text[span.start : span.end], label=LABELS[span.kind])
        )
        position = span.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def redact(text: str) -> str:
    """The text with every hit replaced by a token that says what was there."""
    parts: list[str] = []
    position = 0
    for span in find_personal_data(text):
        parts += [text[position : span.start], str(MASKS[span.kind])]
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def has_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))
