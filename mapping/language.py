"""Language tags that the text's script does not contradict.

A partner's ``xml:lang`` (or a feed's default language) is often wrong for some of its texts:
an Arabic title in a Dutch record, a Greek inscription, a Russian name. The mappers never
write a language tag whose script the text contradicts: :func:`fit` keeps a tag when the
text is written in the script of its language (or has no letters), and otherwise gives the
tag the text's script implies: the language when the script, or letters only one language
uses, tell it (Greek ``el``, Hebrew ``he``, Korean ``ko``, Japanese kana ``ja``, Arabic ``ar``
— ``fa``/``ur`` by their own letters —, Ukrainian ``uk`` …), else ``und`` with the script
(``und-Cyrl``, ``und-Hani``: "some language, in this script"). A text in Latin letters under
a tag of another script keeps the language and gets the script (``ru-Latn``: a transliteration).

:func:`oogst.mapping.ntriples.lit` applies it to every language-tagged literal, so every
mapper, built in or not, follows it. Which language a Latin-script text is in (Dutch or
French?) is not guessed: a detector (lingua) costs 65–250 µs a text and misreads short
titles with names (measured; see docs/mapping.md), so the mappers keep the feed's default
there and say so in a mapping warning.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Letters of scripts other than Latin (and of no script: digits, punctuation and symbols
# are neutral). Latin: U+0000–U+024F, U+1E00–U+1EFF and the Latin ligatures.
_OTHER_SCRIPT = re.compile(
    "[\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff\u0700-\u08ff\u0900-\u0dff"
    "\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u10a0-\u10ff\u1100-\u11ff\u1200-\u139f\u1780-\u17ff"
    "\u1f00-\u1fff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufb1d-\ufb4f\ufb50-\ufdff\ufe70-\ufeff"
    "\uff66-\uff9f\U00020000-\U0002fa1f]"
)

# (first code point, last code point, script) — ISO 15924 codes.
_RANGES = (
    (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"), (0xFB1D, 0xFB4F, "Hebr"), (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"), (0x0700, 0x074F, "Syrc"),
    (0x0780, 0x07BF, "Thaa"), (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"), (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0D00, 0x0D7F, "Mlym"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"), (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"), (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0x1200, 0x139F, "Ethi"), (0x1780, 0x17FF, "Khmr"), (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"), (0x3100, 0x312F, "Bopo"), (0x31A0, 0x31BF, "Bopo"), (0x2E80, 0x2FDF, "Hani"),
    (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"), (0xF900, 0xFAFF, "Hani"), (0x20000, 0x2FA1F, "Hani"),
    (0xA000, 0xA4CF, "Yiii"),
)

# The script of a language's ordinary writing (languages not listed are written in Latin
# letters, or the tag is not judged).
SCRIPT_OF_LANGUAGE = {
    "el": "Grek", "grc": "Grek",
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "tg", "tt", "ba", "cv", "os"), "Cyrl"),
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ug", "sd", "ckb"), "Arab"),
    **dict.fromkeys(("he", "yi"), "Hebr"),
    "hy": "Armn", "ka": "Geor", "am": "Ethi", "ti": "Ethi", "th": "Thai", "lo": "Laoo", "km": "Khmr",
    "my": "Mymr", "bo": "Tibt", "dv": "Thaa", "syr": "Syrc",
    **dict.fromkeys(("hi", "mr", "ne", "sa"), "Deva"), **dict.fromkeys(("bn", "as"), "Beng"),
    "pa": "Guru", "gu": "Gujr", "ta": "Taml", "te": "Telu", "ml": "Mlym",
    "zh": "Hani", "ja": "Jpan", "ko": "Kore", "ii": "Yiii",
}
# Scripts a language tag may also cover: Japanese is kana and kanji, Korean hangul and hanja.
_COVERS = {"Jpan": frozenset({"Kana", "Hani"}), "Kore": frozenset({"Hang", "Hani"}), "Hani": frozenset({"Hani", "Bopo"})}
# The language a script alone tells.
_LANGUAGE_OF_SCRIPT = {"Grek": "el", "Hebr": "he", "Armn": "hy", "Geor": "ka", "Thai": "th", "Laoo": "lo",
                       "Khmr": "km", "Mymr": "my", "Tibt": "bo", "Thaa": "dv", "Hang": "ko", "Kana": "ja",
                       "Bopo": "zh", "Syrc": "syr", "Guru": "pa", "Gujr": "gu", "Taml": "ta", "Telu": "te",
                       "Mlym": "ml", "Yiii": "ii", "Arab": "ar"}
# Letters only some languages of a script use.
_LETTERS = {
    "Arab": (("ur", "ٹڈڑںےھ"), ("fa", "پچژگکی")),
    "Cyrl": (("uk", "іїєґ"), ("be", "ў"), ("sr", "ђјљњћџ"), ("mk", "ѓќѕ"), ("kk", "әғқңөұүһ"), ("ru", "ыэё")),
    "Hebr": (("yi", "ײװױ"),),
}


def script_of(text: str) -> str | None:
    """The script most of the text's letters are in (ISO 15924), or None for Latin letters,
    or text without letters."""
    if text.isascii() or _OTHER_SCRIPT.search(text) is None:
        return None
    counts: dict[str, int] = {}
    latin = 0
    for char in text:
        code = ord(char)
        if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            latin += char.isalpha()
            continue
        for first, last, script in _RANGES:
            if first <= code <= last:
                if char.isalpha():
                    counts[script] = counts.get(script, 0) + 1
                break
    if not counts:
        return None
    script, n = max(counts.items(), key=lambda item: item[1])
    if n <= latin:
        return None
    if script == "Hani" and "Kana" in counts:
        return "Kana"  # kanji with kana: Japanese
    if script == "Hani" and "Hang" in counts:
        return "Hang"
    return script


def _language_of(text: str, script: str) -> str:
    for language, letters in _LETTERS.get(script, ()):
        if any(letter in text for letter in letters):
            return language
    if script == "Cyrl":
        return "und-Cyrl"
    return _LANGUAGE_OF_SCRIPT.get(script) or f"und-{script}"


def _script_of_tag(tag: str) -> str | None:
    """The script a (lower-case) tag names: its script subtag, else its language's."""
    primary, _, rest = tag.partition("-")
    for subtag in rest.split("-") if rest else ():
        if len(subtag) == 4 and subtag.isalpha():
            return subtag.capitalize()
    return SCRIPT_OF_LANGUAGE.get(primary)


@lru_cache(maxsize=8192)
def _fit(text: str, tag: str) -> str:
    script = script_of(text)
    declared = _script_of_tag(tag)
    if script is None:
        if declared is None or declared == "Latn" or not any(c.isalpha() for c in text):
            return tag
        return f"{tag.partition('-')[0]}-latn"  # "Moskva"@ru: Russian in Latin letters
    if declared == script or script in _COVERS.get(declared or "", ()):
        return tag
    return _language_of(text, script).lower()


def fit(text: str, tag: str) -> str:
    """``tag`` (a lower-case BCP 47 tag) if the text's script allows it, else the tag the
    script implies (see the module docstring)."""
    if text.isascii() and tag.partition("-")[0] not in SCRIPT_OF_LANGUAGE and "-" not in tag:
        return tag  # the hot path: Latin text, a Latin-script language
    return _fit(text, tag) if len(text) <= 500 else _fit.__wrapped__(text, tag)
