"""Swedish organisation numbers: parse, check and write them the one way they are stored.

An organisation number has ten digits, written ``NNNNNN-NNNN``; the last is a Luhn check digit
over the other nine. We also accept the twelve-digit form with a century prefix: ``16`` (how
the tax agency writes organisation numbers in full) and ``19`` or ``20`` (a personal identity
number written in full). The prefix is dropped; the stored form is always ``NNNNNN-NNNN``.

Legal persons have a third digit of 2 or more. We do not require it: a sole trader (enskild
firma) has no number of its own and uses the owner's personal identity number, which has the
same check digit. Such a number is personal data, so the register shows it to staff only
(:func:`is_personal_identity_number` lets a page say so) and nothing public ever carries it.
"""

from __future__ import annotations

import re
from enum import StrEnum

from dialogue.i18n import _l

CENTURY_PREFIXES = ("16", "19", "20")
_SHAPE = re.compile(r"^(?:(\d{2})?(\d{6})-?(\d{4})|(\d{2})?(\d{10}))$")
_BLANKS = re.compile(r"\s+")


class OrgNumberProblem(StrEnum):
    EMPTY = "empty"
    FORMAT = "format"
    CENTURY = "century"
    CHECK_DIGIT = "check_digit"


PROBLEM_MESSAGES = {
    OrgNumberProblem.EMPTY: _l("Enter the organisation number."),
    OrgNumberProblem.FORMAT: _l(
        "Enter the organisation number as ten digits, like 556000-0000 or 5560000000."
    ),
    OrgNumberProblem.CENTURY: _l(
        "A twelve-digit organisation number starts with 16, 19 or 20. "
        "Enter the ten digits without it, like 556000-0000."
    ),
    OrgNumberProblem.CHECK_DIGIT: _l(
        "This is not a valid organisation number: the last digit does not match the others. "
        "Check for a mistyped digit."
    ),
}


class InvalidOrgNumberError(ValueError):
    """The text is not a valid organisation number; ``problem`` says why."""

    def __init__(self, problem: OrgNumberProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem

    @property
    def message(self) -> str:
        """The translated explanation, for a form field or an import report."""
        return str(PROBLEM_MESSAGES[self.problem])


def luhn_ok(digits: str) -> bool:
    """True if the digits pass the Luhn check (the last digit is the check digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def with_check_digit(nine_digits: str) -> str:
    """``NNNNNN-NNNN``: the nine digits and the check digit that makes them pass Luhn
    (for made-up numbers: demo data and tests)."""
    check = next(d for d in "0123456789" if luhn_ok(nine_digits + d))
    return f"{nine_digits[:6]}-{nine_digits[6:]}{check}"


def normalize(raw: str) -> str:
    """``raw`` as ``NNNNNN-NNNN``; InvalidOrgNumberError if it is not a valid number."""
    text = _BLANKS.sub("", raw or "")
    if not text:
        raise InvalidOrgNumberError(OrgNumberProblem.EMPTY)
    match = _SHAPE.match(text)
    if match is None:
        raise InvalidOrgNumberError(OrgNumberProblem.FORMAT)
    if match.group(2):
        century, digits = match.group(1), match.group(2) + match.group(3)
    else:
        century, digits = match.group(4), match.group(5)
    if century is not None and century not in CENTURY_PREFIXES:
        raise InvalidOrgNumberError(OrgNumberProblem.CENTURY)
    if not luhn_ok(digits):
        raise InvalidOrgNumberError(OrgNumberProblem.CHECK_DIGIT)
    return f"{digits[:6]}-{digits[6:]}"


def is_valid(raw: str) -> bool:
    try:
        normalize(raw)
    except InvalidOrgNumberError:
        return False
    return True


def is_personal_identity_number(number: str) -> bool:
    """True if a valid number is shaped like a person's (a sole trader's): third digit 0 or 1."""
    digits = number.replace("-", "")
    return len(digits) == 10 and digits[2] in "01"


def digits_only(text: str) -> str:
    return "".join(char for char in text if char.isdigit())
