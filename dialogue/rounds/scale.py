"""The 1-5 scale the rounds ask on: its values, the questions answered on it, what its ends mean.

The one definition: answering, the results and the lägesbild report all count on these values.
"""

from __future__ import annotations

from dialogue.i18n import _l
from dialogue.rounds.models import QuestionKind

SCALE = range(1, 6)
LOWEST = SCALE[0]
HIGHEST = SCALE[-1]
SCALE_KINDS = frozenset(
    {QuestionKind.IMPORTANCE, QuestionKind.PROGRESS, QuestionKind.PLACE_SAFETY, QuestionKind.SCALE}
)

# What the ends of each scale mean, shown beside its lowest and highest number.
SCALE_ENDS: dict[QuestionKind, tuple[str, str]] = {
    QuestionKind.IMPORTANCE: (_l("1 – not at all important"), _l("5 – very important")),
    QuestionKind.PROGRESS: (_l("1 – very badly"), _l("5 – very well")),
    QuestionKind.PLACE_SAFETY: (_l("1 – very unsafe"), _l("5 – very safe")),
    QuestionKind.SCALE: (_l("1 – not at all"), _l("5 – very much")),
}


def end_label(kind: QuestionKind, value: int) -> str | None:
    """The words of a scale's end (its lowest or highest value), None for the values between."""
    ends = SCALE_ENDS.get(kind)
    if ends is None or value not in (LOWEST, HIGHEST):
        return None
    return str(ends[0] if value == LOWEST else ends[1])
