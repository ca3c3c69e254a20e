"""Partners' values made regular: dates → EDTF, rights, languages, numbers, URLs, text."""

from __future__ import annotations

import pytest

from oogst.mapping import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1923", "1923"),
        ("1923-05-14", "1923-05-14"),
        ("1923-05", "1923-05"),
        ("14-05-1923", "1923-05-14"),
        ("14/5/1923", "1923-05-14"),
        ("14 mei 1923", "1923-05-14"),
        ("mei 1923", "1923-05"),
        ("ca. 1650", "1650~"),
        ("circa 1900", "1900~"),
        ("c. 1500", "1500~"),
        ("omstreeks 1650", "1650~"),
        ("1650 ca.", "1650~"),
        ("1650?", "1650?"),
        ("1650 (?)", "1650?"),
        ("ca. 1650?", "1650%"),
        ("[1650]", "1650"),
        ("1601/1620", "1601/1620"),
        ("1601 - 1620", "1601/1620"),
        ("1601-1620", "1601/1620"),
        ("1601 tot 1620", "1601/1620"),
        ("tussen 1601 en 1620", "1601/1620"),
        ("ca. 1601-1620", "1601~/1620~"),
        ("14-05-1923 - 20-06-1924", "1923-05-14/1924-06-20"),
        ("19de eeuw", "18XX"),
        ("17e eeuw", "16XX"),
        ("19th century", "18XX"),
        ("eerste helft 17de eeuw", "1600/1649"),
        ("tweede helft 17de eeuw", "1650/1699"),
        # period names: Dutch, French (Roman numerals), English, German; parts of a century
        ("14de eeuw", "13XX"),
        ("XIVe siècle", "13XX"),
        ("XVIIe s.", "16XX"),
        ("14th century", "13XX"),
        ("19. Jahrhundert", "18XX"),
        ("17de eeuw, eerste helft", "1600/1649"),
        ("first half of the 14th century", "1300/1349"),
        ("Première moitié du XVIe siècle", "1500/1549"),
        ("tweede kwart van de 16de eeuw", "1525/1549"),
        ("eind 17de eeuw", "1667~/1699~"),
        ("begin 20ste eeuw", "1900~/1933~"),
        ("mid-18th century", "1733~/1766~"),
        ("16de-17de eeuw", "15XX/16XX"),
        ("XVIe-XVIIe siècles", "15XX/16XX"),
        ("circa 1976", "1976~"),
        ("1920s", "192X"),
        ("jaren 1920", "192X"),
        ("vóór 1700", "../1700"),
        ("voor 1700", "../1700"),
        ("before 1700", "../1700"),
        ("na 1850", "1850/.."),
        ("circa;1812;;", "1812~"),  # Adlib's "precision;date;precision;date" display form
        ("16XX", "16XX"),  # already EDTF
        ("1601~/1620~", "1601~/1620~"),
        ("1985-04-12T23:20:30Z", "1985-04-12T23:20:30Z"),
        ("-0500", "-0500"),
    ],
)
def test_dates_become_edtf(raw: str, expected: str) -> None:
    assert normalize.edtf(raw) == expected
    assert normalize.is_edtf(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "1876-13-45",
        "1923-13",
        "1923-02-30",
        "1923-04-31",
        "32-01-1923",
        "onbekend",
        "",
        None,
        "17de eeuw, ergens",
        "is",
        "1650//1700",
        "../..",
    ],
)
def test_what_is_no_date_gives_none(raw: str | None) -> None:
    assert normalize.edtf(raw) is None


@pytest.mark.parametrize("raw", ["0", "00", "0000", "0000-00-00", "-0", "?", "onbekend", "s.d.", "z.d.", "n.d.", " o.J. "])
def test_placeholders_for_no_date(raw: str) -> None:
    assert normalize.is_placeholder_date(raw)


@pytest.mark.parametrize("raw", ["1650", "0100", "-0500", "ca. 1650", "", "10"])
def test_dates_are_no_placeholders(raw: str) -> None:
    assert not normalize.is_placeholder_date(raw)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1650", True),
        ("1650-05", True),
        ("1650-05-14", True),
        ("1650-21", True),  # spring
        ("1650~", True),
        ("1650?", True),
        ("1650%", True),
        ("165X", True),
        ("16XX", True),
        ("1650-XX", True),
        ("1650-05-XX", True),
        ("1650-XX-XX", True),
        ("1601/1620", True),
        ("../1700", True),
        ("1700/..", True),
        ("/1700", True),
        ("1700/", True),
        ("1876-13-45", False),
        ("1876-13", False),
        ("1876-00", False),
        ("1876-12-32", False),
        ("1876-04-31", False),
        ("1876-02-30", False),
        ("1XXX", False),
        ("../..", False),
        ("/", False),
        ("1650~~", False),
        ("ca. 1650", False),
        ("1650 ", False),
    ],
)
def test_edtf_syntax(value: str, valid: bool) -> None:
    assert normalize.is_edtf(value) is valid


@pytest.mark.parametrize(
    ("value", "bounds"),
    [
        ("1650", ("1650-01-01", "1650-12-31")),
        ("1650~", ("1650-01-01", "1650-12-31")),
        ("16XX", ("1600-01-01", "1699-12-31")),
        ("1923-02", ("1923-02-01", "1923-02-28")),
        ("1924-02", ("1924-02-01", "1924-02-29")),
        ("1601/1620", ("1601-01-01", "1620-12-31")),
        ("../1700", (None, "1700-12-31")),
        ("1850/..", ("1850-01-01", None)),
        ("not a date", (None, None)),
    ],
)
def test_edtf_bounds(value: str, bounds: tuple[str | None, str | None]) -> None:
    assert normalize.edtf_bounds(value) == bounds


@pytest.mark.parametrize(
    ("value", "uri"),
    [
        ("https://creativecommons.org/publicdomain/zero/1.0/", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("http://creativecommons.org/publicdomain/zero/1.0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.nl", "http://creativecommons.org/licenses/by-sa/4.0/"),
        ("https://www.creativecommons.org/licenses/by/4.0/legalcode", "http://creativecommons.org/licenses/by/4.0/"),
        ("creativecommons.org/licenses/by/3.0/nl/", "http://creativecommons.org/licenses/by/3.0/nl/"),
        ("https://rightsstatements.org/page/InC/1.0/?language=nl", "http://rightsstatements.org/vocab/InC/1.0/"),
        ("http://rightsstatements.org/vocab/NoC-NC/1.0", "http://rightsstatements.org/vocab/NoC-NC/1.0/"),
        ("Publiek domein", "http://creativecommons.org/publicdomain/mark/1.0/"),
        ("Public Domain Mark", "http://creativecommons.org/publicdomain/mark/1.0/"),
        ("CC0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC0 1.0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("In copyright", "http://rightsstatements.org/vocab/InC/1.0/"),
        ("Alle rechten voorbehouden", "http://rightsstatements.org/vocab/InC/1.0/"),
        ("In Copyright- Educational Use Permitted", "http://rightsstatements.org/vocab/InC-EDU/1.0/"),
        ("CC BY-SA 4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC-BY", "http://creativecommons.org/licenses/by/4.0/"),
        ("Naamsvermelding (CC BY-NC 3.0)", "http://creativecommons.org/licenses/by-nc/3.0/"),
        ("https://example.org/our licence", "https://example.org/our%20licence"),
        ("© Museum voor Schone Kunsten Gent", None),
        ("zie website", None),
        ("", None),
    ],
)
def test_rights_become_canonical_uris(value: str, uri: str | None) -> None:
    assert normalize.rights_uri(value) == uri


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nl", "nl"),
        ("NL", "nl"),
        ("nl-BE", "nl-be"),
        ("nl_BE", "nl-be"),
        ("dut", "nl"),
        ("nld", "nl"),
        ("fre", "fr"),
        ("fra", "fr"),
        ("eng", "en"),
        ("ger", "de"),
        ("Nederlands", "nl"),
        ("dut-BE", "nl-be"),
        ("", None),
        (None, None),
        ("not a tag", None),
        ("n1", None),
    ],
)
def test_language_tags(tag: str | None, expected: str | None) -> None:
    assert normalize.language(tag) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("205", "205.0"),
        ("205,0", "205.0"),
        ("205,50", "205.5"),
        ("014.5", "14.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1 234,5", "1234.5"),
        (" 7 ", "7.0"),
        (".5", "0.5"),
        ("-3,5", "-3.5"),
        ("+2", "2.0"),
        ("5.", "5.0"),
        ("-0,0", "0.0"),
        ("12 cm", None),
        ("ca. 12", None),
        ("1,2,3", None),
        ("", None),
        (None, None),
    ],
)
def test_decimal_commas(value: str | None, expected: str | None) -> None:
    assert normalize.decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://www.wikidata.org/wiki/Q158840", "http://www.wikidata.org/entity/Q158840"),
        ("https://www.wikidata.org/wiki/Q158840", "http://www.wikidata.org/entity/Q158840"),
        ("https://www.wikidata.org/entity/Q158840", "http://www.wikidata.org/entity/Q158840"),
        ("http://viaf.org/viaf/88625859", "http://viaf.org/viaf/88625859"),
        (" https://example.org/beeld 1.jpg ", "https://example.org/beeld%201.jpg"),
        ("https://example.org/a<b>", "https://example.org/a%3Cb%3E"),
        ("urn:isbn:123", None),
        ("310000766", None),
        ("", None),
    ],
)
def test_http_iris(value: str, expected: str | None) -> None:
    assert normalize.http_iri(value) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Het   Manna \n", "Het Manna"),
        ("<p>Een <b>mooi</b> doek</p>", "Een mooi doek"),
        ("Ver &amp; Primavera", "Ver & Primavera"),
        ("Ver &amp;amp; Primavera", "Ver &amp; Primavera"),
        ("a < b", "a < b"),
        ("bel\x07l", "bell"),
        ("   ", None),
        (None, None),
    ],
)
def test_text_cleanup(raw: str | None, expected: str | None) -> None:
    assert normalize.text(raw) == expected


def test_multiline_text_keeps_paragraphs() -> None:
    assert normalize.text("Eerste  regel\n\n\n\nTweede<br/>derde ", multiline=True) == "Eerste regel\n\nTweede\nderde"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2005", ("2005", "http://www.w3.org/2001/XMLSchema#gYear")),
        ("2005-03", ("2005-03", "http://www.w3.org/2001/XMLSchema#gYearMonth")),
        ("2005-03-14", ("2005-03-14", "http://www.w3.org/2001/XMLSchema#date")),
        ("2023-02-13T16:19:43.573Z", ("2023-02-13T16:19:43.573Z", "http://www.w3.org/2001/XMLSchema#dateTime")),
        ("ca. 1900", ("1900~", "http://id.loc.gov/datatypes/edtf/EDTF")),
        ("onbekend", ("onbekend", "http://www.w3.org/2001/XMLSchema#dateTime")),  # for the validator to flag
    ],
)
def test_values_typed_as_date_times_say_what_they_are(raw: str, expected: tuple[str, str]) -> None:
    assert normalize.date_time(raw) == expected


def test_one_line_text_is_cleaned_and_cached() -> None:
    assert normalize.line("  olie\tverf  ") == "olie verf"
    assert normalize.line("<i>doek</i> &amp; spieraam") == "doek & spieraam"
    assert normalize.line("   ") is None
    long = "woord " * 100
    assert normalize.line(long) == long.strip()


@pytest.mark.parametrize(
    ("term", "technique"),
    [("ets", True), ("kleurenlithografie", True), ("houtsnede", True), ("gegoten", True), ("droge naald", True),
     ("etching", True), ("brons", False), ("doek", False), ("naaldhout", False), ("olieverf", False)],
)
def test_techniques_are_told_from_materials_by_their_words(term: str, technique: bool) -> None:
    from oogst.mapping import vocab

    assert vocab.is_technique(term) is technique
