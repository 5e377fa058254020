from __future__ import annotations

import pytest

from dialogue.submissions.personal_data import (
    PersonalDataKind,
    find_personal_data,
    has_personal_data,
    highlight,
    identity_kind,
    luhn_valid,
    redact,
)

PERSONAL = PersonalDataKind.PERSONAL_NUMBER
COORDINATION = PersonalDataKind.COORDINATION_NUMBER


def with_check(nine: str) -> str:
    """Nine digits and the Luhn check digit that makes them a valid ten-digit number."""
    for digit in "0123456789":
        if luhn_valid(nine + digit):
            return nine + digit
    raise AssertionError(nine)


def hits(text: str) -> list[tuple[str, str]]:
    return [(span.kind.value, text[span.start : span.end]) for span in find_personal_data(text)]


def test_luhn_accepts_known_numbers_and_refuses_a_wrong_check_digit() -> None:
    assert luhn_valid("8112189876")
    assert luhn_valid("1212121212")
    assert not luhn_valid("8112189875")


@pytest.mark.parametrize(
    "written",
    [
        "811218-9876",
        "8112189876",
        "19811218-9876",
        "198112189876",
        "121212+1212",  # a person aged 100 or more
    ],
)
def test_personal_identity_numbers_with_a_valid_check_digit_are_found(written: str) -> None:
    text = f"Han heter inget men har nummer {written}, tror jag."
    assert hits(text) == [("personal_number", written)]


@pytest.mark.parametrize("written", ["811218-9875", "8112189877", "19811218-9870"])
def test_a_wrong_check_digit_is_not_a_personal_identity_number(written: str) -> None:
    assert hits(f"Nummer {written} här") == []


def test_coordination_numbers_add_sixty_to_the_day() -> None:
    assert hits("Samordningsnummer 701063-2391.") == [("coordination_number", "701063-2391")]
    assert identity_kind(None, "701063", "2391") == COORDINATION


@pytest.mark.parametrize(
    ("century", "nine"),
    [
        (None, "991332123"),  # month 13
        (None, "990001123"),  # month 0
        (None, "990100123"),  # day 0
        (None, "990431123"),  # 31 April
        (None, "010229123"),  # 29 February 1901 and 2001 are not dates
        ("19", "000229123"),  # 1900 was not a leap year
        ("17", "811218987"),  # no living person was born in the 1700s
        (None, "990160123"),  # coordination day 60 is day 0
        (None, "990192123"),  # coordination day 32
    ],
)
def test_numbers_with_a_valid_check_digit_but_no_real_date_are_refused(
    century: str | None, nine: str
) -> None:
    ten = with_check(nine)
    assert identity_kind(century, ten[:6], ten[6:]) is None


@pytest.mark.parametrize(
    ("century", "nine", "kind"),
    [
        (None, "000229123", PERSONAL),  # 29 February 2000
        ("20", "000229123", PERSONAL),
        (None, "000289123", COORDINATION),  # the same day as a coordination number
        (None, "991231123", PERSONAL),
    ],
)
def test_real_dates_are_accepted(century: str | None, nine: str, kind: PersonalDataKind) -> None:
    ten = with_check(nine)
    assert identity_kind(century, ten[:6], ten[6:]) == kind


@pytest.mark.parametrize(
    "written",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "073-1234567",
        "08-123 456 78",
        "0515-123 45",
        "031-12 34 56",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70-123 45 67",
        "0046 8 123 456 78",
    ],
)
def test_swedish_phone_numbers_are_found(written: str) -> None:
    assert hits(f"Ring mig på {written} efter fem.") == [("phone", written)]


@pytest.mark.parametrize(
    "written",
    [
        "a.person@example.se",
        "anna+tips@post.falkoping.example",
        "Förnamn.Efternamn@kommun.se",
    ],
)
def test_email_addresses_are_found_without_the_full_stop_after_them(written: str) -> None:
    assert hits(f"Skriv till {written}.") == [("email", written)]


@pytest.mark.parametrize("written", ["ABC 123", "ABC123", "ABC-123", "MLB 84K", "XYZ12A"])
def test_registration_plates_are_found(written: str) -> None:
    assert hits(f"Bilen {written} stod parkerad hela natten.") == [("plate", written)]


@pytest.mark.parametrize(
    "text",
    [
        "Det hände 2023-05-12 vid 22-tiden.",
        "Det hände 2023-05-12 14 30.",
        "Under år 2023 och 2024 blev det värre.",
        "En cykel kostar 1 200 kr eller 2500 SEK.",
        "Det kostar SEK 100 att parkera.",
        "Postnummer 521 43 Falköping.",
        "Gatan har nummer 12 och 14.",
        "Det var och 123 andra saker.",
        "Jag såg buss 123 och linje 4.",
        "Klockan 08.30 och 21:45.",
        "Min kod är 0123 4567 8901 2345.",
        "Org.nr 556677-8899 äger huset.",
        "Runt 19121212 ungefär.",  # eight digits: a date, not a number with a check digit
        "Ordet VIQ 123 är inte en skylt.",
        "Vid E20 och väg 184.",
    ],
)
def test_ordinary_numbers_and_words_are_not_personal_data(text: str) -> None:
    assert hits(text) == []
    assert not has_personal_data(text)


def test_a_ten_digit_number_with_a_valid_check_digit_is_a_personal_identity_number() -> None:
    number = with_check("070123456")
    assert hits(f"Nummer {number}") == [("personal_number", number)]


def test_several_kinds_in_one_text_are_found_in_order() -> None:
    text = "811218-9876 ringde från 070-123 45 67 och skrev a@b.se om ABC 123."
    assert [kind for kind, _hit in hits(text)] == ["personal_number", "phone", "email", "plate"]


def test_highlight_escapes_the_text_and_labels_each_hit_in_words() -> None:
    html = str(highlight("<script>x</script> Ring 070-123 45 67 & ABC 123"))
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<mark class="pii" data-kind="phone">070-123 45 67<span class="visually-hidden">' in html
    assert "(possible phone number)" in html
    assert "(possible registration plate)" in html
    assert "&amp;" in html


def test_highlight_escapes_markup_inside_a_hit() -> None:
    html = str(highlight('"><img src=x>@example.se'))
    assert "<img" not in html


def test_highlight_of_text_without_personal_data_is_the_escaped_text() -> None:
    assert str(highlight("Mörkt <här>")) == "Mörkt &lt;här&gt;"


def test_redact_masks_each_hit_with_what_it_was() -> None:
    text = "Jag (811218-9876) nås på 070-123 45 67 eller a@b.se. Bilen ABC 123."
    assert redact(text) == (
        "Jag ([personal identity number]) nås på [phone number] eller [e-mail address]. "
        "Bilen [registration plate]."
    )


def test_redacting_twice_changes_nothing() -> None:
    once = redact("Ring 070-123 45 67, samordningsnummer 701063-2391.")
    assert redact(once) == once
    assert not has_personal_data(once)
