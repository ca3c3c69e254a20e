"""Dates as partners write them → EDTF (Extended Date/Time Format, Library of Congress,
levels 0 and 1), the time representation of the OSLO 2021 profile.

:data:`EDTF_PATTERN` is the syntax the acceptance shapes check; :func:`edtf` produces only
strings that match it. Free text is read in Dutch, French, English and German: single dates
(``"14-05-1923"``, ``"mei 1923"``), circa (``"ca. 1650"`` → ``"1650~"``) and uncertainty
(``"1650?"``), intervals and open ends (``"1601 - 1620"``, ``"na 1900"`` → ``"1900/.."``,
``"vóór 1700"`` → ``"../1700"``), decades (``"jaren 1920"`` → ``"192X"``) and period names:
centuries in words or Roman numerals (``"14de eeuw"``, ``"XIVe siècle"``, ``"14th century"`` →
``"13XX"``), their halves and quarters (``"eerste helft 17de eeuw"`` → ``"1600/1649"``) and, by
convention, their beginning, middle and end as approximate thirds (``"eind 17de eeuw"`` →
``"1667~/1699~"``). :func:`is_placeholder_date` tells the values that stand for "no date"
(``"0"``, ``"0000-00-00"``, ``"onbekend"``, ``"s.d."``): the mappers leave them out, with a warning.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache


def text(value: str | None) -> str | None:
    """``normalize.text`` (imported when first used: normalize re-exports this module)."""
    from .normalize import text as clean

    return clean(value)


def _edtf_pattern() -> str:
    """EDTF levels 0 and 1 as one anchored regex, written with plain groups and no
    backslashes, so that every SHACL engine (XPath regex, Python, Rust) reads it the same
    way and it can be pasted into Turtle as it is. February 29 is accepted in any year."""
    day_of_month = "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|[12][0-9]))"
    time = "(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3])(:[0-5][0-9])?)?)?"
    month = "(0[1-9]|1[0-2]|2[1-4]|XX)"  # 21–24: seasons (level 1)
    date = f"((-?[0-9]{{4}}(-({day_of_month}{time}|{month}|(0[1-9]|1[0-2]|XX)-XX))?|[0-9]{{3}}X|[0-9]{{2}}XX)[?~%]?)"
    # a date, an interval with known or open ("..") ends, or with an unknown ("") end
    return f"^({date}(/({date}|[.][.])?)?|([.][.])?/{date})$"


EDTF_PATTERN = _edtf_pattern()
_EDTF = re.compile(EDTF_PATTERN)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "janvier", "jan"),
            ("februari", "february", "février", "feb", "fév"),
            ("maart", "march", "mars", "mrt", "mar"),
            ("april", "avril", "apr", "avr"),
            ("mei", "may", "mai"),
            ("juni", "june", "juin", "jun"),
            ("juli", "july", "juillet", "jul"),
            ("augustus", "august", "août", "aug"),
            ("september", "septembre", "sep", "sept"),
            ("oktober", "october", "octobre", "okt", "oct"),
            ("november", "novembre", "nov"),
            ("december", "décembre", "dec", "déc"),
        ),
        start=1,
    )
    for name in names
}
_CIRCA = r"(ca\.?|c\.|circa|omstreeks|om|rond|ongeveer|around|about|approx\.?|vers|environ)"
_CIRCA_PREFIX = re.compile(rf"^{_CIRCA}\s*(.+)$")
_CIRCA_SUFFIX = re.compile(rf"^(.+?)[\s(]+{_CIRCA}\)?$")
_UNCERTAIN = re.compile(r"^(.+?)\s*\(?\?\)?$")
_BEFORE = re.compile(r"^(vóór|voor|before|avant|ante|uiterlijk|tot)\s+(.+)$")
_AFTER = re.compile(r"^(na|after|après|post|vanaf|sinds|since|from|depuis)\s+(.+)$")
_BETWEEN = re.compile(r"^(tussen|between|entre)\s+(.+?)\s+(en|and|et)\s+(.+)$")
_RANGE_SEPARATOR = re.compile(r"\s+(tot|to|until|à|au|t/m)\s+|\s*[-/]\s*")
_YMD = re.compile(r"^(-?\d{3,4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_WORDS_DATE = re.compile(r"^(?:(\d{1,2})(?:e|er|ste|de)?\s+)?([a-zéû]+)\.?\s+(\d{4})$")
# A part of a century, in the words partners use → (first, last) year within it; the thirds
# ("begin", "eind") are a convention and come out approximate.
_PARTS = {
    **dict.fromkeys(("eerste helft", "1e helft", "first half", "1st half", "première moitié", "premiere moitie",
                     "erste hälfte", "1. hälfte"), (0, 49, "")),
    **dict.fromkeys(("tweede helft", "2e helft", "second half", "2nd half", "seconde moitié", "deuxième moitié",
                     "deuxieme moitie", "zweite hälfte", "2. hälfte"), (50, 99, "")),
    **dict.fromkeys(("eerste kwart", "1e kwart", "first quarter", "1st quarter", "premier quart", "erstes viertel"),
                    (0, 24, "")),
    **dict.fromkeys(("tweede kwart", "2e kwart", "second quarter", "2nd quarter", "deuxième quart", "deuxieme quart",
                     "zweites viertel"), (25, 49, "")),
    **dict.fromkeys(("derde kwart", "3e kwart", "third quarter", "3rd quarter", "troisième quart", "troisieme quart",
                     "drittes viertel"), (50, 74, "")),
    **dict.fromkeys(("vierde kwart", "4e kwart", "laatste kwart", "fourth quarter", "4th quarter", "last quarter",
                     "dernier quart", "letztes viertel"), (75, 99, "")),
    **dict.fromkeys(("begin", "vroege", "vroeg", "early", "début", "debut", "anfang", "frühes", "fruhes"), (0, 33, "~")),
    **dict.fromkeys(("midden", "mid", "mid-", "middle of the", "milieu", "mitte"), (33, 66, "~")),
    **dict.fromkeys(("eind", "einde", "late", "laat", "fin", "ende", "spätes", "spates"), (67, 99, "~")),
}
_ROMAN = re.compile(r"^(?=[mdclxvi])m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
_CENTURY = re.compile(
    r"^(?:(?P<before>.+?)(?:\s+|-)(?:van\s+de\s+|of\s+the\s+|du\s+|de\s+la\s+|des\s+)?)?"
    r"(?P<number>\d{1,2}|[mdclxvi]+)\s*\.?\s*(?:e|de|ste|th|st|nd|rd|ème|eme|er|è|es)?\.?\s*"
    r"(?:eeuw|century|siècle|siecle|jh\.?|jahrhundert|jahrhunderts)"
    r"(?:\s*[,(]\s*(?P<after>[^,()]+?)\)?)?$"
)
_SIECLE_ABBREVIATION = re.compile(r"([0-9ivxl]\s*(?:e|è|ème|eme))\s*s\.?$")  # "XVIIe s." → "XVIIe siècle"
_CENTURY_RANGE = re.compile(
    r"^(\d{1,2}|[mdclxvi]+)\s*\.?\s*(?:e|de|ste|th|st|nd|rd|ème|eme|er|è)?\s*[-/]\s*(\d{1,2}|[mdclxvi]+)"
    r"\s*\.?\s*(?:e|de|ste|th|st|nd|rd|ème|eme|er|è|es)?\.?\s*(?:eeuw|eeuwen|century|centuries|siècle|siècles|siecles)$"
)
_DECADE = re.compile(r"^(?:(?:de\s+)?jaren\s+|années\s+|the\s+)?(\d{3})0\s*'?s?$")


def _century_number(text: str) -> int | None:
    """"14" or "xiv" → 14 (centuries 1 to 21), else None."""
    if text.isdigit():
        number = int(text)
    elif _ROMAN.match(text):
        values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
        number = 0
        for char, following in zip(text, text[1:] + " "):
            value = values[char]
            number += -value if following != " " and values[following] > value else value
    else:
        return None
    return number if 1 <= number <= 21 else None


def _century(match: re.Match[str]) -> str | None:
    number = _century_number(match.group("number"))
    if number is None:
        return None
    century = f"{number - 1:02d}"
    part = match.group("before") or match.group("after")
    if part is None:
        return f"{century}XX"
    found = _PARTS.get(part.strip(" .,"))
    if found is None:
        return None
    first, last, mark = found
    return f"{century}{first:02d}{mark}/{century}{last:02d}{mark}"


_PLACEHOLDERS = frozenset({
    "?", "??", "???", "-", "--", "onbekend", "ongedateerd", "unknown", "undated", "inconnu", "inconnue",
    "non daté", "unbekannt", "undatiert", "z.d.", "zd", "z.j.", "s.d.", "sd", "s.a.", "n.d.", "nd", "o.j.",
    "zonder datum", "zonder jaar", "sans date", "no date", "geen datum", "null", "none", "n/a",
})
_ZEROS = re.compile(r"^[-+]?0+([-/.]0+){0,2}$")


def is_placeholder_date(value: str | None) -> bool:
    """Whether a date value stands for "no date" ("0", "0000-00-00", "onbekend", "s.d." …):
    nothing to write, no error to report to the partner either (a warning says it was left out)."""
    if value is None:
        return False
    key = value.strip().casefold()
    return key in _PLACEHOLDERS or _ZEROS.match(key) is not None


def is_edtf(value: str) -> bool:
    """True when ``value`` is EDTF level 0/1 (the syntax the acceptance shapes accept)."""
    return _EDTF.match(value) is not None


def _ymd(year: str, month: str | None, day: str | None) -> str | None:
    y = int(year)
    out = f"{'-' if y < 0 else ''}{abs(y):04d}"
    if month is None:
        return out
    m = int(month)
    if not 1 <= m <= 12:
        return None
    out += f"-{m:02d}"
    if day is None:
        return out
    d = int(day)
    if not 1 <= d <= calendar.monthrange(2000 if y < 1 else y, m)[1]:
        return None
    return out + f"-{d:02d}"


def qualify(date: str | None, mark: str) -> str | None:
    """Add an EDTF qualifier: ``?`` uncertain, ``~`` approximate, both together ``%``."""
    if date is None or "/" in date:
        return None
    if date[-1] in "?~%":
        return date if date[-1] in (mark, "%") else date[:-1] + "%"
    return date + mark


def _single(value: str) -> str | None:
    """One date (no interval) in free text → EDTF, or None."""
    value = value.strip(" .,;[]")
    if not value:
        return None
    if match := _UNCERTAIN.match(value):
        return qualify(_single(match.group(1)), "?")
    if (match := _CIRCA_PREFIX.match(value)) or (match := _CIRCA_SUFFIX.match(value)):
        return qualify(_single(match.group(2) if match.re is _CIRCA_PREFIX else match.group(1)), "~")
    if match := _YMD.match(value):
        return _ymd(*match.groups())
    if match := _DMY.match(value):
        day, month, year = match.groups()
        return _ymd(year, month, day)
    if (match := _WORDS_DATE.match(value)) and match.group(2) in _MONTHS:
        day, name, year = match.groups()
        return _ymd(year, str(_MONTHS[name]), day)
    if (match := _CENTURY_RANGE.match(value)) is not None:
        first, last = _century_number(match.group(1)), _century_number(match.group(2))
        if first and last and first < last:
            return f"{first - 1:02d}XX/{last - 1:02d}XX"
    value = _SIECLE_ABBREVIATION.sub(r"\1 siècle", value)
    if match := _CENTURY.match(value):
        return _century(match)
    if match := _DECADE.match(value):
        return f"{match.group(1)}X"
    return None


@lru_cache(maxsize=4096)
def edtf(value: str | None) -> str | None:
    """A date as partners write it → EDTF, or None when it cannot be read.

    ``"1923"``, ``"14-05-1923"``, ``"ca. 1650"`` → ``"1650~"``, ``"1650?"``,
    ``"1601 - 1620"`` → ``"1601/1620"``, ``"19de eeuw"`` → ``"18XX"``,
    ``"vóór 1700"`` → ``"../1700"``; ``"1876-13-45"`` → None.
    """
    value = text(value)
    if value is None:
        return None
    if is_edtf(value):
        return value
    value = value.lower().replace("–", "-").replace("—", "-").strip(" .,;")
    result = _single(value)
    if result is None:
        if match := _BEFORE.match(value):
            end = _single(match.group(2))
            result = f"../{end}" if end and "/" not in end else None
        elif match := _AFTER.match(value):
            start = _single(match.group(2))
            result = f"{start}/.." if start and "/" not in start else None
        elif match := _BETWEEN.match(value):
            result = _interval(match.group(2), match.group(4))
        else:
            result = _split_interval(value)
    return result if result is not None and is_edtf(result) else None


def _interval(left: str, right: str) -> str | None:
    start, end = _single(left), _single(right)
    if not start or not end or "/" in start + end:
        return None
    # "ca. 1601-1620": the circa of the first date speaks for the whole span.
    if start.endswith("~") and end[-1] not in "?~%":
        end += "~"
    return f"{start}/{end}"


def _split_interval(value: str) -> str | None:
    for match in _RANGE_SEPARATOR.finditer(value):
        result = _interval(value[: match.start()], value[match.end() :])
        if result:
            return result
    return None


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[str | None, str | None]:
    """The first and last day an EDTF value can cover, as ISO dates (``None`` = open or
    unknown): ``"16XX"`` → ``("1600-01-01", "1699-12-31")``. For search and EDM export."""
    if not is_edtf(value):
        return None, None
    start, _, end = value.partition("/") if "/" in value else (value, "", value)
    return _bound(start, first=True), _bound(end, first=False)


def _bound(date: str, *, first: bool) -> str | None:
    date = date.rstrip("?~%")
    if date in ("", ".."):
        return None
    date = date.split("T")[0]
    sign = "-" if date.startswith("-") else ""
    parts = date.lstrip("-").split("-")
    year = parts[0].replace("X", "0" if first else "9")
    month = parts[1] if len(parts) > 1 and parts[1] != "XX" and int(parts[1]) <= 12 else None
    day = parts[2] if len(parts) > 2 and parts[2] != "XX" else None
    if month is None:
        return f"{sign}{year}-01-01" if first else f"{sign}{year}-12-31"
    if day is None:
        last = calendar.monthrange(int(year) if not sign and int(year) > 0 else 2000, int(month))[1]
        return f"{sign}{year}-{month}-01" if first else f"{sign}{year}-{month}-{last:02d}"
    return f"{sign}{year}-{month}-{day}"


_ISO_DATE_TIME = re.compile(
    r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_XSD = "http://www.w3.org/2001/XMLSchema#"


def date_time(value: str) -> tuple[str, str]:
    """A value typed ``xsd:dateTime`` by a partner → (value, datatype) that says what it is.

    A real date-time stays one; a bare year (``"2005"``) becomes ``xsd:gYear``, a year and
    month ``xsd:gYearMonth``, a date ``xsd:date``; anything else that reads as a date becomes
    EDTF, and the rest stays as it was (for the validator to flag).
    """
    value = value.strip()
    if _ISO_DATE_TIME.match(value):
        return value, _XSD + "dateTime"
    if re.fullmatch(r"-?[0-9]{4}", value):
        return value, _XSD + "gYear"
    if re.fullmatch(r"-?[0-9]{4}-(0[1-9]|1[0-2])", value):
        return value, _XSD + "gYearMonth"
    if re.fullmatch(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", value) and edtf(value) == value:
        return value, _XSD + "date"
    converted = edtf(value)
    if converted is not None:
        return converted, EDTF_DATATYPE
    return value, _XSD + "dateTime"


EDTF_DATATYPE = "http://id.loc.gov/datatypes/edtf/EDTF"

