"""The labelled corpus of ``pii_corpus.txt`` and the precision and recall of the finders on it.

Matching is span-level by overlap: a found span is a true positive when it overlaps a labelled
span of the same kind that no other found span has matched yet; every other found span is a
false positive and every labelled span left unmatched a false negative. Exact matches (the same
start and end) are counted beside, to show how often the boundaries agree.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Collection
from importlib import resources
from pathlib import Path

from dialogue.submissions.personal_data import PersonalDataKind, find_personal_data

CORPUS = Path(__file__).with_name("pii_corpus.txt")
_LABEL = re.compile(r"\[(?P<kind>[A-Z_]+):(?P<text>[^\]]+)\]")


@dataclasses.dataclass(frozen=True)
class Sentence:
    text: str
    labels: tuple[tuple[PersonalDataKind, int, int], ...]


@dataclasses.dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    exact: int = 0

    @property
    def labelled(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def found(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0


@dataclasses.dataclass
class Evaluation:
    scores: dict[PersonalDataKind, Score]
    sentences: int
    negatives: int  # sentences without any label
    misses: list[tuple[PersonalDataKind, str, str]]  # kind, missed text, sentence
    false_alarms: list[tuple[PersonalDataKind, str, str]]  # kind, found text, sentence


def parse(line: str) -> Sentence:
    """A corpus line without its labels, and where each label's text lies in it."""
    text, labels, position = "", [], 0
    for match in _LABEL.finditer(line):
        text += line[position : match.start()]
        start = len(text)
        text += match["text"]
        labels.append((PersonalDataKind[match["kind"]], start, len(text)))
        position = match.end()
    return Sentence(text + line[position:], tuple(labels))


def read_corpus(path: Path = CORPUS) -> list[Sentence]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse(line) for line in lines if line.strip() and not line.startswith("#")]


# Aliases an administrator would give the demo's places (the shared demo data has none): the
# names residents use, so the corpus also checks that aliases are never masked.
DEMO_ALIASES = {
    "stora-torget": ("Torget",),
    "resecentrum": ("Stationen", "Falköping C"),
    "mosseberg": ("Mössebergsparken",),
}


def demo_places() -> frozenset[str]:
    """The place names of the Falköping demo gazetteer with their aliases."""
    demo = json.loads(
        resources.files("dialogue.data").joinpath("demo-falkoping.json").read_text("utf-8")
    )
    return frozenset(
        name
        for place in demo["places"]
        for name in [
            place["name"],
            *place.get("aliases", []),
            *DEMO_ALIASES.get(place["slug"], ()),
        ]
    )


def evaluate(sentences: list[Sentence], places: Collection[str] = frozenset()) -> Evaluation:
    scores = {kind: Score() for kind in PersonalDataKind}
    misses: list[tuple[PersonalDataKind, str, str]] = []
    false_alarms: list[tuple[PersonalDataKind, str, str]] = []
    for sentence in sentences:
        unmatched = list(sentence.labels)
        for span in find_personal_data(sentence.text, places=places):
            score = scores[span.kind]
            hit = next(
                (
                    label
                    for label in unmatched
                    if label[0] == span.kind and label[1] < span.end and span.start < label[2]
                ),
                None,
            )
            if hit is None:
                score.false_positives += 1
                false_alarms.append(
                    (span.kind, sentence.text[span.start : span.end], sentence.text)
                )
                continue
            unmatched.remove(hit)
            score.true_positives += 1
            score.exact += (hit[1], hit[2]) == (span.start, span.end)
        for kind, start, end in unmatched:
            scores[kind].false_negatives += 1
            misses.append((kind, sentence.text[start:end], sentence.text))
    negatives = sum(1 for sentence in sentences if not sentence.labels)
    return Evaluation(scores, len(sentences), negatives, misses, false_alarms)


def table(evaluation: Evaluation) -> str:
    """The scores as a plain-text table, one row per kind and one for all."""
    rows = [
        f"{'kind':<20} {'labelled':>8} {'found':>6} {'tp':>5} {'fp':>4} {'fn':>4}"
        f" {'precision':>9} {'recall':>7} {'exact':>6}"
    ]
    total = Score()
    for kind, score in evaluation.scores.items():
        total.true_positives += score.true_positives
        total.false_positives += score.false_positives
        total.false_negatives += score.false_negatives
        total.exact += score.exact
        rows.append(_row(kind.value, score))
    rows.append(_row("all", total))
    return "\n".join(rows)


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<20} {score.labelled:>8} {score.found:>6} {score.true_positives:>5}"
        f" {score.false_positives:>4} {score.false_negatives:>4}"
        f" {score.precision:>9.3f} {score.recall:>7.3f} {score.exact:>6}"
    )
