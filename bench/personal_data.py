"""Personal-data finders: precision and recall per kind on the labelled corpus, and speed.

Reads ``tests/submissions/pii_corpus.txt`` (Swedish sentences written as residents write, with
inline labels), runs ``find_personal_data`` with the Falköping demo's places and aliases, and
prints per kind the labelled and found spans, true and false positives, false negatives,
precision, recall (span-level, a found span matches a labelled one of the same kind when they
overlap) and how many matches have exactly the labelled boundaries. ``--show`` lists every miss
and false alarm. It then times the finders over the whole corpus. It asserts nothing; the
bars are asserted by ``tests/submissions/test_personal_data_corpus.py``.

    .venv/bin/python bench/personal_data.py
    .venv/bin/python bench/personal_data.py --show
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.submissions.personal_data import find_personal_data
from tests.submissions.pii_corpus import (
    demo_places,
    evaluate,
    read_corpus,
    table,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list misses and false alarms")
    parser.add_argument("--repeats", type=int, default=20, help="timed passes over the corpus")
    args = parser.parse_args()

    sentences = read_corpus()
    places = demo_places()
    evaluation = evaluate(sentences, places)
    labels = sum(len(sentence.labels) for sentence in sentences)
    print(
        f"{evaluation.sentences} sentences, {labels} labelled spans, "
        f"{evaluation.negatives} sentences without personal data; "
        f"{len(places)} demo places and aliases passed as places"
    )
    print("matching: span-level, by overlap of the same kind; 'exact' = same boundaries\n")
    print(table(evaluation))
    if args.show:
        print("\nmisses:")
        for kind, hit, text in evaluation.misses:
            print(f"  {kind.value:<20} {hit!r:<28} {text}")
        print("\nfalse alarms:")
        for kind, hit, text in evaluation.false_alarms:
            print(f"  {kind.value:<20} {hit!r:<28} {text}")

    find_personal_data("Kalle Andersson, Storgatan 12", places=places)  # load the gazetteer
    timings = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        for sentence in sentences:
            find_personal_data(sentence.text, places=places)
        timings.append((time.perf_counter() - started) / len(sentences))
    print(
        f"\nspeed: median {statistics.median(timings) * 1e6:.0f} µs per sentence "
        f"({args.repeats} passes over the corpus, gazetteer loaded once)"
    )


if __name__ == "__main__":
    main()
