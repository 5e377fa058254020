"""The finders measured on the labelled corpus (``pii_corpus.txt``), as the issue asks.

Bars: recall of at least 0.95 on names and addresses, precision of at least 0.90 for every
kind (span-level, matched by overlap: see ``pii_corpus.py``), and no place or alias of the
Falköping demo gazetteer ever masked. ``bench/personal_data.py`` prints the same table.
"""

from __future__ import annotations

import re

import pytest

from dialogue.submissions.personal_data import (
    PersonalDataKind,
    find_personal_data,
    given_names,
    redact,
    surnames,
)
from tests.submissions.pii_corpus import (
    Evaluation,
    Sentence,
    demo_places,
    evaluate,
    parse,
    read_corpus,
    table,
)

_E_MAIL = re.compile(r"\S+@\S+")
RECALL_BAR = 0.95
PRECISION_BAR = 0.90


@pytest.fixture(scope="module")
def corpus() -> list[Sentence]:
    return read_corpus()


@pytest.fixture(scope="module")
def evaluation(corpus: list[Sentence]) -> Evaluation:
    result = evaluate(corpus, demo_places())
    print("\n" + table(result))  # shown with -s or -rP: the figures of the issue
    return result


def test_a_label_is_cut_out_of_its_sentence_at_the_right_place() -> None:
    sentence = parse("Jag såg [NAME:Kalle Andersson] utanför [ADDRESS:Storgatan 12] igår")
    assert sentence.text == "Jag såg Kalle Andersson utanför Storgatan 12 igår"
    assert [sentence.text[start:end] for _kind, start, end in sentence.labels] == [
        "Kalle Andersson",
        "Storgatan 12",
    ]


def test_the_evaluation_counts_misses_and_false_alarms() -> None:
    sentences = [parse("[NAME:Zlatan] i trean bråkar."), parse("Bo på Storgatan 12 är dyrt.")]
    result = evaluate(sentences)
    assert result.scores[PersonalDataKind.NAME].false_negatives == 1
    assert result.scores[PersonalDataKind.ADDRESS].false_positives == 1
    assert result.scores[PersonalDataKind.ADDRESS].precision == 0.0


def test_the_corpus_is_large_and_covers_every_kind_and_the_hard_negatives(
    corpus: list[Sentence],
) -> None:
    assert len(corpus) >= 300
    kinds = {kind for sentence in corpus for kind, _start, _end in sentence.labels}
    assert kinds == set(PersonalDataKind)
    texts = " ".join(sentence.text for sentence in corpus)
    for negative in ("Stora torget på", "Maj", "Fredag", "Hans bil", "kr", "Resecentrum"):
        assert negative in texts


def test_the_corpus_has_names_outside_the_gazetteer(corpus: list[Sentence]) -> None:
    known = given_names() | surnames()
    spans = [
        sentence.text[start:end]
        for sentence in corpus
        for kind, start, end in sentence.labels
        if kind == PersonalDataKind.NAME
    ]
    unknown = [name for name in spans if not any(w.casefold() in known for w in name.split())]
    assert len(unknown) >= 0.15 * len(spans), unknown


@pytest.mark.parametrize("kind", [PersonalDataKind.NAME, PersonalDataKind.ADDRESS])
def test_recall_on_names_and_addresses_is_at_least_the_bar(
    evaluation: Evaluation, kind: PersonalDataKind
) -> None:
    score = evaluation.scores[kind]
    assert score.labelled >= 50
    assert score.recall >= RECALL_BAR, table(evaluation)


@pytest.mark.parametrize("kind", list(PersonalDataKind))
def test_precision_of_every_kind_is_at_least_the_bar(
    evaluation: Evaluation, kind: PersonalDataKind
) -> None:
    score = evaluation.scores[kind]
    assert score.labelled > 0
    assert score.precision >= PRECISION_BAR, table(evaluation)


def test_no_place_or_alias_of_the_demo_gazetteer_is_ever_masked(corpus: list[Sentence]) -> None:
    places = demo_places()
    assert {"Stora torget", "Torget", "Stationen", "Falköping C"} <= places
    templates = [
        "{place} är otryggt på kvällarna.",
        "Det är stökigt vid {place} efter tio.",
        "Min granne {place} säger att det är lugnt.",  # a cue must not turn a place into a name
        "Han som heter {place} bor inte här.",
        "Jag såg Kalle vid {place} 12 i går.",
        "{place} 3 gånger i veckan kommer en bil.",
    ]
    texts = [sentence.text for sentence in corpus]
    texts += [template.format(place=place) for template in templates for place in places]
    for text in texts:
        masked = redact(text, places=places)
        for place in places:
            assert _occurrences(place, masked) == _occurrences(place, text), (place, masked)


def _occurrences(place: str, text: str) -> int:
    """How often the place stands as words in the text; an e-mail address is masked whole."""
    words = re.compile(rf"(?<!\w){re.escape(place)}(?!\w)", re.IGNORECASE)
    return len(words.findall(_E_MAIL.sub(" ", text)))


def test_finding_is_fast_enough_for_a_queue_page(corpus: list[Sentence]) -> None:
    # Not a timing test: the gazetteer is read once, not per call.
    places = demo_places()
    for sentence in corpus:
        find_personal_data(sentence.text, places=places)
    assert given_names.cache_info().misses == 1
