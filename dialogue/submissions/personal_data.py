"""Likely personal data in free text: found, highlighted for moderators, masked for the public.

Detection prefers precision to recall. A personal identity number needs a real date and a valid
check digit; a phone number a Swedish prefix and length; a plate the letter/digit pattern of
Swedish plates in capitals. Dates, years, prices and postcodes are left alone, so a highlight
means "look at this" rather than noise moderators learn to ignore.

Personal names come from a gazetteer of the most common Swedish given names and surnames
(``dialogue/data/names/``, loaded once) and from context cues that catch names outside it:
"grannen X", "min granne X", "han/hon som heter X", "en kille som heter X", "killen X" and
titles ("herr", "fru", "dr", ...). Swedish writes common nouns in lower case, so a capitalised
gazetteer name inside a sentence is taken as a name; at the start of a sentence a name that is
also a word (*Per*, *Hans*, *Klara*) needs a surname or a cue, and months, weekdays and holidays
that are also names (*Maj*, *Juni*, *Valborg*) always do.
Cues cannot tell people from things: "en drog som heter Spice" is highlighted too, and the
moderator, who reviews every masked text, decides.

A street address is a street name with a Swedish suffix (gatan, vägen, gränd, stigen, backe,
plan, allé, torg ...), one word or two ("Stora torget 3", "Gamla vägen 12B"), followed by a house
number with an optional letter, flat ("lgh 1102") and floor (", 2 tr"). The street alone is a
place, not personal data: the number is what points at a household. So an address is highlighted
whole but masked from its number on ("Storgatan [house number]"), and the street stays readable
for the lägesbild.

The municipality's places and their aliases (``places``, e.g. from
``dialogue.places.services.place_names``) are never masked: a name that overlaps one is not a
name, and an address is masked only where it goes beyond the place.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import re
from collections.abc import Callable, Collection, Iterator
from enum import StrEnum
from importlib import resources

from markupsafe import Markup, escape

from dialogue.i18n import _l


class PersonalDataKind(StrEnum):
    PERSONAL_NUMBER = "personal_number"  # personnummer
    COORDINATION_NUMBER = "coordination_number"  # samordningsnummer
    EMAIL = "email"
    PHONE = "phone"
    PLATE = "plate"
    NAME = "name"
    ADDRESS = "address"


@dataclasses.dataclass(frozen=True)
class Span:
    """One likely piece of personal data: ``text[start:end]``.

    ``kept`` characters at the start stay readable when the span is masked: the street of an
    address, whose house number alone points at a household.
    """

    kind: PersonalDataKind
    start: int
    end: int
    kept: int = 0


LABELS = {
    PersonalDataKind.PERSONAL_NUMBER: _l("(possible personal identity number)"),
    PersonalDataKind.COORDINATION_NUMBER: _l("(possible coordination number)"),
    PersonalDataKind.EMAIL: _l("(possible e-mail address)"),
    PersonalDataKind.PHONE: _l("(possible phone number)"),
    PersonalDataKind.PLATE: _l("(possible registration plate)"),
    PersonalDataKind.NAME: _l("(possible personal name)"),
    PersonalDataKind.ADDRESS: _l("(possible street address)"),
}
MASKS = {
    PersonalDataKind.PERSONAL_NUMBER: _l("[personal identity number]"),
    PersonalDataKind.COORDINATION_NUMBER: _l("[coordination number]"),
    PersonalDataKind.EMAIL: _l("[e-mail address]"),
    PersonalDataKind.PHONE: _l("[phone number]"),
    PersonalDataKind.PLATE: _l("[registration plate]"),
    PersonalDataKind.NAME: _l("[name]"),
    PersonalDataKind.ADDRESS: _l("[house number]"),
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


# --- street addresses ---------------------------------------------------------------------

# Suffixes that make a street only when written as a name (capitalised) and those strong enough
# to count in lower case too ("storgatan 12"): "våningsplan 2" is not an address.
_STRONG_SUFFIXES = "gatan|gata|vägen|gränd|gränden|stigen"
_WEAK_SUFFIXES = (
    "väg|stig|backe|backen|backar|plan|planen|allé|allén|alle|allen|torg|torget|leden|led|"
    "platsen|plats|stråket|slingan|ringen|kroken|liden|höjden|kajen|hagen|esplanaden|promenaden"
)
# Words that stand alone after a name: "Stora torget", "Sankt Olofs gata", "Karl Johans väg".
_STREET_WORDS = "gatan|gata|vägen|väg|torget|torg|allén|allé|gränd|plan|backe|backen|stig|leden"
_STREET_PREFIX = (
    r"(?:(?:Stora|Lilla|Gamla|Nya|Norra|Södra|Östra|Västra|Övre|Nedre|Sankt|Sankta|S:t|S:ta)\s+)"
)
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéüè"
_HOUSE_NUMBER = (
    r"(?P<number>\d{1,3}(?:\s?[-–]\s?\d{1,3})?(?:[A-Ha-h]|\s[A-H])?)"
    r"(?!\d|\w|[.,:/]\d)"
    # A count, not a house: "Storgatan 2 gånger", "Stora torget 3 dagar i veckan".
    r"(?!\s*(?:gånger|ggr|st|stycken|kr|kronor|sek|min|minuter|timmar|tim|dagar|dygn|veckor|"
    r"månader|år|km|m|meter|mil|personer|pers|procent|%|grader|killar|tjejer|män|kvinnor|barn|"
    r"bilar|minuters|meters)\b)"
    r"(?:\s*,?\s*(?:lgh|lägenhet)\.?\s*(?:nr\.?\s*)?\d{3,4}(?!\d))?"
    r"(?:\s*,?\s*\d{1,2}\s*(?:tr|trappor|trappa|vån|våningen|våning)\b)?"
)
_ADDRESS = re.compile(
    r"(?<![\w:])(?P<street>"
    rf"{_STREET_PREFIX}?(?:"
    rf"[{_UPPER}][{_LOWER}]*?(?:{_STRONG_SUFFIXES}|{_WEAK_SUFFIXES})"
    rf"|[{_LOWER}]{{2,}}?(?:{_STRONG_SUFFIXES})"
    rf"|[{_UPPER}][{_LOWER}]+(?:\s+[{_UPPER}][{_LOWER}]+){{0,2}}\s+(?:{_STREET_WORDS})"
    rf"))\s+{_HOUSE_NUMBER}"
)


def _address_spans(text: str) -> Iterator[Span]:
    for match in _ADDRESS.finditer(text):
        yield Span(
            PersonalDataKind.ADDRESS,
            match.start(),
            match.end(),
            kept=match.start("number") - match.start(),
        )


# --- personal names -------------------------------------------------------------------------


def _read_names(name: str) -> frozenset[str]:
    data = (
        resources.files("dialogue.data")
        .joinpath("names")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    lines = (line.strip() for line in data.splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


@functools.cache
def given_names() -> frozenset[str]:
    """The gazetteer's given names, case-folded; read once."""
    return _read_names("given_names.txt")


@functools.cache
def surnames() -> frozenset[str]:
    """The gazetteer's surnames, case-folded; read once."""
    return _read_names("surnames.txt")


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# Names that are also ordinary words (chosen by hand, see dialogue/data/names/README.md): at the
# start of a sentence "Per dag", "Hans bil" and "Klara nätter" are not people.
_ALSO_WORDS = _words(
    """ben bo bror dag del ester frank hans inga inge isa jack juni junior kaj klara lina linda
    lisa liv lo lova maj mark mats meja mila mina nova per rita rosa rut saga sten stig tina
    tindra tom tuva urban valborg vide viking viola björn"""
)
# Surnames that are also words or towns ("Berg", "Lund", "Ström"): alone they need a cue.
_SURNAMES_ALSO_WORDS = _words(
    """alm asp berg björk blixt blom borg brink bäck ek falk flink fors frank frid frisk gren
    hall hjort hult hägg jarl kvist lilja lind ljung lund lönn malm modig nord norrman palm rask
    skog sköld stark storm strand strid ström svärd holm"""
)
# Months, weekdays and holidays, some of them names too ("Maj", "Juni", "Valborg"), which people
# often capitalise: never a name without a surname or a cue.
_CALENDAR = _words(
    """januari februari mars april maj juni juli augusti september oktober november december
    måndag tisdag onsdag torsdag fredag lördag söndag måndagar tisdagar onsdagar torsdagar
    fredagar lördagar söndagar valborg midsommar jul påsk nyår"""
)
# Shops and brands spelt like a name or its genitive ("Willys" is Willy's).
_NOT_NAMES = _words("willys ica coop lidl hemköp volvo saab scania ikea tempo")
# Words that start a new clause after a cue: "Jag såg killen, Han sprang" names nobody.
_FUNCTION_WORDS = _words(
    """jag du han hon hen vi ni de dom det den detta som och men eller att i på med till från
    för är var har hade kan ska vill inte där här när sen sedan"""
)

_SURNAME_ENDINGS = (
    "son", "sen", "berg", "ström", "gren", "qvist", "kvist", "quist", "lund", "holm", "blad",
    "dahl", "dal", "man", "mark", "stedt", "stad", "sten", "bäck", "fors", "lin", "lind", "din",
    "ander", "ius", "feldt", "gård", "vall", "borg", "hult", "by", "ell", "nen", "ić", "vić",
    "ski", "ska", "ez", "oğlu", "oglu", "yan", "ian", "zadeh", "i",
)  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = frozenset(".!?:;\n")
_OPENERS = " \t\"'“”«»()[]-–—*"

# Cues after which the next word is a name, case-insensitive. Strong cues take a lower-case
# name from the gazetteer too ("grannen kalle"); appositive nouns only a capitalised word.
_FILLER = r"(?:\s+(?:typ|nog|väl|visst|kanske|tydligen|bara))?"
_STRONG_CUE = re.compile(
    r"(?<!\w)(?:"
    r"(?:min|vår|mina|våra)\s+grann(?:e|ar)"
    r"|grann(?:en|kille|killen|tjej|tjejen|frun|gubben|tanten|pojken|flickan|kvinnan|mannen)"
    r"|(?:som|jag|han|hon|hen|vi|de|dom|killen|tjejen|mannen|kvinnan|grannen|personen|pojken"
    r"|flickan)\s+(?:heter|hette|kallas|kallades|kallar\s+sig)"
    r"|kallar\s+(?:honom|henne|hen|dem)|vid\s+namn|med\s+namnet|heter\s+typ"
    r"|herr|herrn|fru|fröken|doktor|docent|professor|advokat|rektor|pastor|(?:frk|dr|prof)\.?"
    rf")(?!\w){_FILLER}[ \t]*[,(]?[ \t]*",
    re.IGNORECASE,
)
_NOUN_CUE = re.compile(
    r"(?<!\w)(?:killen|tjejen|kompisen|kompis|sonen|dottern|mannen|kvinnan|pojken|flickan|"
    r"hyresvärden|vaktmästaren|ägaren|pappan|mamman|brorsan|brodern|systern|syrran|sambon|"
    r"pojkvännen|flickvännen|exet|exmannen|exfrun|läraren|tränaren|familjen|paret|kusinen|"
    r"farbror|morbror|faster|moster|hundägaren|son|dotter|mamma|pappa|bror|syster|"
    r"sambo|kollega|kollegan|chefen)"
    r"(?!\w)[ \t]*[,(]?[ \t]*",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str
    folded: str


def _is_capitalised(word: str) -> bool:
    return all(part[:1].isupper() and not part[1:].isupper() for part in word.split("-"))


def _in(names: frozenset[str], folded: str) -> bool:
    """The word, each part of a double name, or its genitive ("Kalles") is in ``names``."""
    if folded in names or all(part in names for part in folded.split("-")):
        return True
    return folded.endswith("s") and folded[:-1] in names and len(folded) > 3


def _is_given(word: _Word) -> bool:
    return word.folded not in _NOT_NAMES and _in(given_names(), word.folded)


def _is_surname(word: _Word) -> bool:
    return _in(surnames(), word.folded) or any(
        part in surnames() for part in word.folded.split("-")
    )


def _looks_like_surname(word: _Word) -> bool:
    return _is_surname(word) or word.folded.endswith(_SURNAME_ENDINGS)


def _starts_sentence(text: str, start: int) -> bool:
    position = start
    while position > 0 and text[position - 1] in _OPENERS:
        position -= 1
    return position == 0 or text[position - 1] in _SENTENCE_END


@dataclasses.dataclass(frozen=True)
class _Text:
    """A text cut into words, with where its cues end."""

    text: str
    words: list[_Word]
    strong_cues: frozenset[int]
    noun_cues: frozenset[int]

    @classmethod
    def read(cls, text: str) -> _Text:
        words = [
            _Word(m.start(), m.end(), m.group(), m.group().casefold()) for m in _WORD.finditer(text)
        ]
        strong = frozenset(match.end() for match in _STRONG_CUE.finditer(text))
        nouns = frozenset(match.end() for match in _NOUN_CUE.finditer(text))
        return cls(text, words, strong, nouns)

    def adjacent(self, index: int) -> bool:
        """``words[index + 1]`` follows ``words[index]`` after a single space."""
        before, after = self.words[index], self.words[index + 1]
        return self.text[before.end : after.start] == " "

    def initial(self, index: int) -> bool:
        return _starts_sentence(self.text, self.words[index].start)


def _name_spans(text: str) -> Iterator[Span]:
    read = _Text.read(text)
    index = 0
    while index < len(read.words):
        end = _name_end(read, index)
        if end is None:
            index += 1
            continue
        yield Span(PersonalDataKind.NAME, read.words[index].start, read.words[end].end)
        index = end + 1


def _name_end(read: _Text, index: int) -> int | None:
    """The index of the last word of a name starting at ``words[index]``, or None."""
    word = read.words[index]
    if word.folded in _NOT_NAMES or word.folded in _FUNCTION_WORDS:
        return None
    capitalised = _is_capitalised(word.text)
    strong = word.start in read.strong_cues
    if strong and not capitalised:
        # "grannen som ...": after a cue a lower-case word must be a known name.
        known = _is_given(word) or _is_surname(word)
        return _rest_of_name(read, index, cued=True) if known and not _is_calendar(word) else None
    if strong or (capitalised and word.start in read.noun_cues):
        return _rest_of_name(read, index, cued=True)
    if (word.text.isupper() and len(word.text) > 1) or not capitalised:
        return _known_full_name(read, index)
    return _capitalised_name(read, index)


def _rest_of_name(read: _Text, index: int, *, cued: bool) -> int:
    """The last of the words that read as one name with ``words[index]``: "Kalle Andersson",
    "Anna Maria Lindqvist", in the same case as the first word; three words at most."""
    first = read.words[index]
    last = index
    while last + 1 < len(read.words) and last - index < 2 and read.adjacent(last):
        after = read.words[last + 1]
        if _is_calendar(after):
            break
        if first.text.isupper() and len(first.text) > 1:
            fits = after.text.isupper() and (_is_given(after) or _is_surname(after))
        elif _is_capitalised(first.text):
            fits = _is_capitalised(after.text) and (
                _is_given(after)
                or _looks_like_surname(after)
                or ((cued or _is_given(first)) and not read.initial(index))
            )
        else:
            fits = after.text.islower() and (_is_given(after) or _is_surname(after))
        if not fits:
            break
        last += 1
    return last


def _known_full_name(read: _Text, index: int) -> int | None:
    """Lower case or capitals without a cue: only a known given name and a known surname that
    is not also a word, "kalle andersson", "KALLE ANDERSSON"."""
    last = _rest_of_name(read, index, cued=False)
    surname = read.words[last]
    if (
        last > index
        and _is_given(read.words[index])
        and _is_surname(surname)
        and surname.folded not in _SURNAMES_ALSO_WORDS
    ):
        return last
    return None


def _capitalised_name(read: _Text, index: int) -> int | None:
    word = read.words[index]
    last = _rest_of_name(read, index, cued=False)
    if last > index and (_is_given(word) or _is_surname(word)):
        return last  # a full name, even at the start of a sentence: "Per Nilsson kör full"
    if _is_calendar(word):
        return None
    initial = read.initial(index)
    if _is_given(word):
        also_a_word = initial and word.folded in _ALSO_WORDS
        return None if also_a_word and not _coordinated(read, index) else index
    alone = word.folded not in _SURNAMES_ALSO_WORDS and word.folded[:-1] not in _SURNAMES_ALSO_WORDS
    return index if _is_surname(word) and not initial and alone else None


def _is_calendar(word: _Word) -> bool:
    return word.folded in _CALENDAR


def _coordinated(read: _Text, index: int) -> bool:
    """``words[index]`` is followed by "och" and a name: "Saga och Tuva vågar inte"."""
    if index + 2 >= len(read.words) or read.words[index + 1].folded != "och":
        return False
    other = read.words[index + 2]
    return _is_capitalised(other.text) and _is_given(other)


# --- the municipality's places --------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _place_pattern(places: frozenset[str]) -> re.Pattern[str] | None:
    names = sorted({p.strip() for p in places if p.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _place_spans(text: str, places: Collection[str]) -> list[tuple[int, int]]:
    pattern = _place_pattern(frozenset(places))
    if pattern is None:
        return []
    return [(match.start(), match.end()) for match in pattern.finditer(text)]


# Only these finders read words that a place name could be; an e-mail address such as
# "grannar.dotorp@example.com" is masked whole even though a place is part of it.
_NEAR_PLACES = frozenset({PersonalDataKind.NAME, PersonalDataKind.ADDRESS})


def _masks_a_place(span: Span, place_spans: list[tuple[int, int]]) -> bool:
    if span.kind not in _NEAR_PLACES:
        return False
    start = span.start + span.kept
    return any(
        start < place_end and place_start < span.end for place_start, place_end in place_spans
    )


# Earlier finders win when two hits overlap at the same place.
_FINDERS = (
    _pattern_spans(_EMAIL, PersonalDataKind.EMAIL),
    _identity_spans,
    _pattern_spans(_PHONE, PersonalDataKind.PHONE),
    _pattern_spans(_PLATE, PersonalDataKind.PLATE, _not_an_abbreviation),
    _address_spans,
    _name_spans,
)


def find_personal_data(text: str, *, places: Collection[str] = frozenset()) -> list[Span]:
    """Non-overlapping likely personal data in ``text``, in order.

    ``places`` are the municipality's place names and aliases: never masked.
    """
    place_spans = _place_spans(text, places)
    candidates = [
        (span.start, span.start - span.end, rank, span)
        for rank, finder in enumerate(_FINDERS)
        for span in finder(text)
        if not _masks_a_place(span, place_spans)
    ]
    spans: list[Span] = []
    for *_key, span in sorted(candidates, key=lambda c: c[:3]):
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


def highlight(text: str, *, places: Collection[str] = frozenset()) -> Markup:
    """The text escaped, each hit in ``<mark>`` with a label for screen readers."""
    parts: list[Markup] = []
    position = 0
    for span in find_personal_data(text, places=places):
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


def redact(text: str, *, places: Collection[str] = frozenset()) -> str:
    """The text with every hit replaced by a token that says what was there.

    An address keeps its street: "Storgatan [house number]".
    """
    parts: list[str] = []
    position = 0
    for span in find_personal_data(text, places=places):
        kept_end = span.start + span.kept
        parts += [text[position:kept_end], str(MASKS[span.kind])]
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def has_personal_data(text: str, *, places: Collection[str] = frozenset()) -> bool:
    return bool(find_personal_data(text, places=places))
