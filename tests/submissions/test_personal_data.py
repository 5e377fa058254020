from __future__ import annotations

import pytest

from dialogue.submissions.personal_data import (
    LABELS,
    MASKS,
    PersonalDataKind,
    find_personal_data,
    given_names,
    has_personal_data,
    highlight,
    identity_kind,
    luhn_valid,
    redact,
    surnames,
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


# --- personal names ---------------------------------------------------------------------------

NAME = PersonalDataKind.NAME
ADDRESS = PersonalDataKind.ADDRESS


def names(text: str, places: frozenset[str] = frozenset()) -> list[str]:
    return [
        text[span.start : span.end]
        for span in find_personal_data(text, places=places)
        if span.kind == NAME
    ]


def addresses(text: str, places: frozenset[str] = frozenset()) -> list[str]:
    return [
        text[span.start : span.end]
        for span in find_personal_data(text, places=places)
        if span.kind == ADDRESS
    ]


def test_the_gazetteer_holds_the_common_names_and_is_read_once() -> None:
    assert len(given_names()) >= 900
    assert len(surnames()) >= 500
    assert {"kalle", "anna", "mohammed", "lars"} <= given_names()
    assert {"andersson", "johansson", "ali", "lindqvist"} <= surnames()
    assert given_names() is given_names()


def test_every_kind_has_a_label_and_a_mask() -> None:
    assert set(LABELS) == set(MASKS) == set(PersonalDataKind)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Jag såg Kalle Andersson utanför affären.", ["Kalle Andersson"]),
        ("Det är Anna Maria Lindqvist som skriker.", ["Anna Maria Lindqvist"]),
        ("Vi heter Per-Olof och Britt-Marie.", ["Per-Olof", "Britt-Marie"]),
        ("Kalle har en kniv.", ["Kalle"]),
        ("Efter festen hos Lottas var det glas överallt.", ["Lottas"]),
        ("Jag hörde Per skrika genom väggen.", ["Per"]),
        ("Saga och Tuva vågar inte cykla hem.", ["Saga", "Tuva"]),
        ("Ägaren Ali Hassan har blivit hotad.", ["Ali Hassan"]),
        ("Det var nog Svensson som gjorde det.", ["Svensson"]),
        ("Jag såg kalle andersson vid skolan.", ["kalle andersson"]),
        ("KALLE ANDERSSON ÄR FARLIG.", ["KALLE ANDERSSON"]),
    ],
)
def test_names_in_the_gazetteer_are_found(text: str, found: list[str]) -> None:
    assert names(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Grannen Jocke har fest varje kväll.", ["Jocke"]),
        ("Min granne Musse kör utan skylt.", ["Musse"]),
        ("Vår granne Svenne har en hund som biter.", ["Svenne"]),
        ("Han som heter Dragan står vid macken.", ["Dragan"]),
        ("Hon som heter Lollo startade bråket.", ["Lollo"]),
        ("En kille som heter Nicke hotade min dotter.", ["Nicke"]),
        ("Killen som kallas Bullen säljer hasch.", ["Bullen"]),
        ("Vi kallar honom Kenta, han sitter vid kiosken.", ["Kenta"]),
        ("En person vid namn Zeynep Kaya blev av med bilen.", ["Zeynep Kaya"]),
        ("Grannen Tompa Lindkvist skjuter med luftgevär.", ["Tompa Lindkvist"]),
        ("Killen heter typ Robbe eller något sånt.", ["Robbe"]),
        ("grannen kalle säljer från balkongen.", ["kalle"]),
        ("min granne lisa är rädd.", ["lisa"]),
        ("Grannen (Mustafa) har också märkt det.", ["Mustafa"]),
        ("Tjejen Nathalie blev förföljd hem.", ["Nathalie"]),
    ],
)
def test_context_cues_find_names_outside_the_gazetteer(text: str, found: list[str]) -> None:
    assert names(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Herr Lindholm har klagat.", ["Lindholm"]),
        ("Det är fru Nilssons hund som skäller.", ["Nilssons"]),
        ("Vi pratade med dr Sandqvist på vårdcentralen.", ["Sandqvist"]),
        ("Fröken Strandberg har sett mannen.", ["Strandberg"]),
        ("Rektor Wikander säger att de inte kan göra något.", ["Wikander"]),
        ("Familjen Karlsson har haft inbrott.", ["Karlsson"]),
    ],
)
def test_titles_and_family_words_find_the_name_after_them(text: str, found: list[str]) -> None:
    assert names(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Hans bil står alltid på gångbanan.",
        "Per dag går hundratals barn förbi.",
        "Klara nätter syns det bättre.",
        "Saga är vad polisen tror att vi berättar.",
        "Sten kastades genom fönstret.",
        "Björn var det ingen som såg.",
        "I Maj var det som värst.",
        "Under Juni och Juli är det mycket folk ute.",
        "Under Valborg blir det bråk i parken.",
        "Det händer varje Fredag och Lördag.",
        "Alla vet vad som pågår.",
        "Grannen som bor under oss är snäll.",
        "min granne bor på andra sidan.",
        "Jag handlade på Willys och såg bråket.",
        "ICA och Coop har problem med snatteri.",
        "Skolan heter Högstadiet i folkmun.",
        "Jag pratade med Polisen och Socialtjänsten.",
        "Bo här är inte tryggt längre.",
        "Vi åkte till Göteborg och Skövde.",
        "det var nog bo och per som visste",  # lower case, no surname: too many words
        "Jag pratade med grannen. Hon sa att det var lugnt.",  # a cue ends at the full stop
        "Jag såg killen, Han sprang iväg.",
        "Herrgården och Frukostklubben är stökiga.",
    ],
)
def test_words_that_only_look_like_names_are_not_names(text: str) -> None:
    assert names(text) == []


def test_a_place_of_the_municipality_is_never_a_name() -> None:
    places = frozenset({"Kalles", "Anna Lindhs park"})
    text = "Vi träffas vid Kalles och i Anna Lindhs park, inte hos Kalle."
    assert names(text, places) == ["Kalle"]
    assert redact(text, places=places) == (
        "Vi träffas vid Kalles och i Anna Lindhs park, inte hos [name]."
    )


# --- street addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Storgatan 12",
        "storgatan 12",
        "Kungsgatan 7B",
        "Bryngelsgatan 15 A",
        "Vallgatan 11b",
        "Stora torget 3",
        "Gamla vägen 12B",
        "Norra allén 14",
        "Sankt Olofs gata 10",
        "S:t Sigfridsgatan 7",
        "Karl Johans väg 12",
        "Västra Stationsgatan 16",
        "Lingonstigen 4",
        "Ekgränd 5",
        "Hästbacken 9",
        "Hagaplan 4",
        "Ågatan 8",
        "Odengatan 44, lgh 1203",
        "Dotorpsvägen 21, 2 tr",
        "Storgatan 12-14",
        "Järnvägsgatan 4–6",
    ],
)
def test_street_addresses_with_a_house_number_are_found(written: str) -> None:
    assert addresses(f"Det händer utanför {written} varje natt.") == [written]


@pytest.mark.parametrize(
    "text",
    [
        "Det är otryggt på Stora torget på kvällarna.",
        "Det är mörkt på Storgatan mellan kyrkan och torget.",
        "Vid Stora torget 3 gånger i veckan kommer en bil.",
        "Bilen körde längs Storgatan 2 gånger.",
        "Vi har gått längs vägen 2 km utan en lampa.",
        "Trafiken på Storgatan 2023 var värre än 2022.",
        "Det hände den 12/5 vid Storgatan.",
        "Vid Storgatan 22.30 började bråket.",
        "Vi bor på våningsplan 2.",
        "Jag bor i port 3, trappa 2.",
        "Väg 184 och E20 är farliga.",
        "Hus nummer 12 och 14 har fått rutorna krossade.",
    ],
)
def test_streets_without_a_house_number_and_other_numbers_are_not_addresses(text: str) -> None:
    assert addresses(text) == []


def test_an_address_is_masked_from_its_number_on_and_keeps_its_street() -> None:
    text = "Han bor på Storgatan 12B, lgh 1102 och säljer."
    assert redact(text) == "Han bor på Storgatan [house number] och säljer."
    html = str(highlight(text))
    assert '<mark class="pii" data-kind="address">Storgatan 12B, lgh 1102' in html
    assert "(possible street address)" in html


def test_a_known_street_followed_by_a_number_masks_the_household_not_the_street() -> None:
    places = frozenset({"Wetterlinsgatan", "Stora torget"})
    text = "Festerna är på Wetterlinsgatan 5 och ibland vid Stora torget."
    assert redact(text, places=places) == (
        "Festerna är på Wetterlinsgatan [house number] och ibland vid Stora torget."
    )


def test_a_place_whose_alias_has_a_number_is_not_an_address() -> None:
    places = frozenset({"Kulturhuset", "Stationsgatan 2"})  # a building known by its address
    text = "Vi ses vid Stationsgatan 2 i kväll."
    assert addresses(text, places) == []
    assert redact(text, places=places) == text
    assert addresses(text) == ["Stationsgatan 2"]


def test_an_e_mail_address_that_holds_a_place_is_still_masked() -> None:
    text = "Skriv till grannar.dotorp@example.com."
    assert redact(text, places=frozenset({"Dotorp"})) == "Skriv till [e-mail address]."


def test_the_issue_example_is_masked_but_its_places_are_not() -> None:
    places = frozenset({"Ranten", "Stora torget"})
    text = (
        "Min granne Kalle Andersson säljer droger från Storgatan 12 vid Ranten, ring 070-123 45 67."
    )
    assert redact(text, places=places) == (
        "Min granne [name] säljer droger från Storgatan [house number] vid Ranten, "
        "ring [phone number]."
    )


def test_redacting_names_and_addresses_twice_changes_nothing() -> None:
    once = redact("Grannen Kalle Andersson på Gamla vägen 12B och en kille som heter Nicke.")
    assert redact(once) == once
    assert not has_personal_data(once)
