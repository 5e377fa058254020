from __future__ import annotations

import pytest

from dialogue.organisations import orgnr
from dialogue.organisations.orgnr import InvalidOrgNumberError, OrgNumberProblem
from tests.factories import valid_org_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("556036-0793", "556036-0793"),  # a limited company
        ("5560360793", "556036-0793"),
        (" 556036 - 0793 ", "556036-0793"),
        ("16556036-0793", "556036-0793"),  # twelve digits with the century 16
        ("165560360793", "556036-0793"),
        ("802000-0009", "802000-0009"),  # an association
        ("811218-9876", "811218-9876"),  # a sole trader's personal identity number
        ("19811218-9876", "811218-9876"),
        ("198112189876", "811218-9876"),
    ],
)
def test_valid_numbers_are_written_nnnnnn_nnnn(raw: str, expected: str) -> None:
    assert orgnr.normalize(raw) == expected
    assert orgnr.is_valid(raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", OrgNumberProblem.EMPTY),
        ("   ", OrgNumberProblem.EMPTY),
        ("556036-0794", OrgNumberProblem.CHECK_DIGIT),
        ("5560360790", OrgNumberProblem.CHECK_DIGIT),
        ("16556036-0792", OrgNumberProblem.CHECK_DIGIT),
        ("556036-079", OrgNumberProblem.FORMAT),
        ("55603607931", OrgNumberProblem.FORMAT),
        ("55603-60793", OrgNumberProblem.FORMAT),
        ("556036+0793", OrgNumberProblem.FORMAT),
        ("ABC036-0793", OrgNumberProblem.FORMAT),
        ("17556036-0793", OrgNumberProblem.CENTURY),
        ("215560360793", OrgNumberProblem.CENTURY),
    ],
)
def test_invalid_numbers_say_why(raw: str, problem: OrgNumberProblem) -> None:
    with pytest.raises(InvalidOrgNumberError) as caught:
        orgnr.normalize(raw)
    assert caught.value.problem == problem
    assert not orgnr.is_valid(raw)


def test_every_single_digit_typo_is_caught() -> None:
    digits = "5560360793"
    for index in range(10):
        for replacement in "0123456789":
            if replacement == digits[index]:
                continue
            typo = digits[:index] + replacement + digits[index + 1 :]
            assert not orgnr.is_valid(typo), typo


def test_a_sole_traders_number_is_recognised_as_personal() -> None:
    assert orgnr.is_personal_identity_number("811218-9876")
    assert not orgnr.is_personal_identity_number("556036-0793")
    assert not orgnr.is_personal_identity_number("802000-0009")


def test_the_factorys_numbers_are_valid() -> None:
    for nine in (802000000, 556036079, 212000013):
        assert orgnr.normalize(valid_org_number(nine)) == valid_org_number(nine)
