"""What an attribution qualifier or an actor's role means for the production, from a table.

Partners qualify makers in words ("kopie naar Pieter Bruegel I", "atelier van Rubens",
"toegeschreven aan Van Dyck", "ancien possesseur"). Written as "carried out by" they say
something false: that Bruegel made the copy, that a former owner made the object. The
mappers read the words through this table and write what they mean (``builder.credit``):

==============  ==========================================  ================================
kind            words (nl, fr, en, de)                      pattern
==============  ==========================================  ================================
``influence``   kopie naar, naar, navolger van, in de stijl  the production
                van; copie d'après, d'après, suiveur de,     ``crm:P15_was_influenced_by`` the
                manière de; copy after, after, follower      actor (not carried out by); the
                of, manner of; nach, Nachfolger von          words as ``crm:P3_has_note``
``workshop``    atelier van, werkplaats van; atelier de;     carried out by the workshop, an
                workshop of, studio of; Werkstatt von        ``crm:E74_Group`` of which the
                                                             master is a member
                                                             (``crm:P107_has_current_or_former_member``)
``circle``      school van, omgeving van, kring van; école   carried out by the circle (a
                de, entourage de, cercle de; school of,      group, as above), influenced by
                circle of; Umkreis von, Schule des           the actor
``attributed``  toegeschreven aan, mogelijk, vermoedelijk;   an ``crm:E13_Attribute_Assignment``
                attribué à; attributed to, possibly;         (``crm:P140i_was_attributed_by``)
                zugeschrieben                                that assigns the actor as
                                                             ``crm:P14_carried_out_by``
==============  ==========================================  ================================

Roles that make no maker (:func:`role_kind`): a former or current owner, collector, donor or
seller is the object's owner (``crm:P51_has_former_or_current_owner``), never a participant
of the production; a sitter or a person depicted is what the object depicts; a commissioner
or publisher takes part (``crm:P11_had_participant``) without making it. Any other role, and
an actor without a role, made the object (``crm:P14_carried_out_by``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_QUALIFIERS = {
    "influence": (
        "kopie naar", "kopie van", "kopie", "naar", "naar ontwerp van", "navolger van", "navolger", "navolging van",
        "volgeling van", "in de stijl van", "stijl van", "in de trant van", "trant van", "op de manier van",
        "manier van", "geïnspireerd door", "copie d'après", "copie de", "copie", "d'après", "suiveur de", "suiveur",
        "manière de", "à la manière de", "dans le style de", "style de", "inspiré de", "copy after", "copy of", "copy",
        "after", "follower of", "follower", "manner of", "in the manner of", "in the style of", "style of",
        "imitator of", "inspired by", "nach", "kopie nach", "nachfolger von", "nachfolger des", "nachfolge",
        "art des", "stil von", "im stil von",
    ),
    "workshop": (
        "atelier van", "werkplaats van", "atelier", "werkplaats", "atelier de", "atelier du", "workshop of",
        "studio of", "workshop", "studio", "werkstatt von", "werkstatt des", "werkstatt",
    ),
    "circle": (
        "school van", "omgeving van", "kring van", "entourage van", "school", "omgeving", "kring", "école de",
        "école", "entourage de", "entourage", "cercle de", "milieu de", "school of", "circle of", "circle",
        "umkreis von", "umkreis des", "umkreis", "schule von", "schule des", "schule",
    ),
    "attributed": (
        "toegeschreven aan", "toegeschreven", "toeschrijving", "toeschrijving aan", "mogelijk", "wellicht",
        "waarschijnlijk", "vermoedelijk", "attribué à", "attribué", "attribuée à", "attribution", "peut-être",
        "probablement", "attributed to", "attributed", "possibly", "probably", "zugeschrieben", "zugeschrieben an",
        "wahrscheinlich", "vermutlich",
    ),
}
QUALIFIERS = {phrase: kind for kind, phrases in _QUALIFIERS.items() for phrase in phrases}

_ROLES = {
    "owner": (
        "eigenaar", "vorige eigenaar", "voormalige eigenaar", "voormalig eigenaar", "bezitter", "vorige bezitter",
        "verzamelaar", "collectioneur", "schenker", "legator", "erflater", "verkoper", "herkomst", "provenance",
        "ancien possesseur", "ancien propriétaire", "possesseur", "propriétaire", "collectionneur", "donateur",
        "vendeur", "former owner", "previous owner", "owner", "collector", "donor", "seller", "vorbesitzer",
        "besitzer", "eigentümer", "sammler", "stifter",
    ),
    "depicted": (
        "afgebeelde", "afgebeelde persoon", "geportretteerde", "model", "sitter", "depicted", "portrayed",
        "représenté", "portraituré", "modèle", "dargestellt", "dargestellte person",
    ),
    "participant": (
        "opdrachtgever", "opdrachtgeefster", "uitgever", "commanditaire", "éditeur", "commissioner", "patron",
        "publisher", "auftraggeber", "verleger",
    ),
}
ROLES = {word: kind for kind, words in _ROLES.items() for word in words}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_SPLIT = re.compile(r"\s+")
# "(toegeschreven aan)" or ", atelier van" at the end of a name
_PAREN = re.compile(r"^(?P<name>.+?)\s*\((?P<tail>[^()]+)\)$")
_COMMA = re.compile(r"^(?P<name>.+)[,;]\s*(?P<tail>[^,;()]+)$")


def _key(words: str) -> str:
    return " ".join(_SPLIT.split(words.translate(_APOSTROPHES).casefold().strip(" .:;,()[]?"))).strip()


@lru_cache(maxsize=2048)
def qualifier_kind(words: str | None) -> str | None:
    """The kind of an attribution qualifier ("kopie naar" → ``influence``), None when it
    changes nothing or is unknown (see :func:`is_known_qualifier`)."""
    if not words:
        return None
    return QUALIFIERS.get(_key(words))


def is_known_qualifier(words: str) -> bool:
    """Whether the table knows the words (also those that mean "made by": "eigenhandig")."""
    return _key(words) in QUALIFIERS or _key(words) in _MAKER_WORDS


_MAKER_WORDS = frozenset({"", "eigenhandig", "zelf", "gesigneerd", "signed", "signé", "autograph", "de la main de"})


@lru_cache(maxsize=2048)
def role_kind(words: str | None) -> str:
    """``owner``, ``depicted``, ``participant`` or ``maker`` (the default) for a role's words."""
    if not words:
        return "maker"
    key = _key(words)
    return ROLES.get(key) or ROLES.get(key.removesuffix("s")) or "maker"


@lru_cache(maxsize=4096)
def split_name(text: str) -> tuple[str, str | None, str | None]:
    """A name as Dublin Core and EDM give it, with the qualifier or role partners put in it:
    ``"kopie naar Bruegel, Pieter"`` → ``("Bruegel, Pieter", "kopie naar", None)``,
    ``"Dupont, Jean (ancien possesseur)"`` → ``("Dupont, Jean", None, "ancien possesseur")``.
    Returns (name, qualifier words, role words)."""
    name = text.strip()
    qualifier = role = None
    for pattern in (_PAREN, _COMMA):
        match = pattern.match(name)
        if match is None:
            continue
        tail = match.group("tail")
        key = _key(tail)
        if key in QUALIFIERS:
            name, qualifier = match.group("name").strip(), tail.strip()
            break
        if key in ROLES or key.removesuffix("s") in ROLES:
            name, role = match.group("name").strip(), tail.strip()
            break
    lowered = name.translate(_APOSTROPHES).casefold()
    for phrase in _LEADING:
        if lowered.startswith(phrase) and len(name) > len(phrase) + 1:
            rest = name[len(phrase):]
            if rest[:1].isspace() or phrase.endswith("'"):
                return rest.strip(), name[: len(phrase)], role
    return name, qualifier, role


# Leading phrases, longest first ("kopie naar" before "kopie"), multi-word or apostrophed
# only, and the unambiguous single words: "naar Rubens", "after Rubens"; not "atelier" or
# "school" alone, which begin names of workshops and schools.
_LEADING = sorted(
    (p for p in QUALIFIERS if " " in p or p.endswith("'") or p in {"naar", "after", "nach", "d'après"}),
    key=len,
    reverse=True,
)
