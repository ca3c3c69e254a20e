"""What a named person or organisation did, from a MARC relator code or a role word.

MODS ``name/role/roleTerm``, MARC ``$4``/``$e`` and Adlib ``creator.role`` say what a name
did for the object. Only a *maker* role makes the agent one who carried out the production
(``crm:P14_carried_out_by``); every other role is a participant (``crm:P11_had_participant``),
a former owner (an acquisition: ``crm:P23_transfered_title_from``) or what the work is about.
A role nobody can read is never a maker.

Codes are the Library of Congress relator codes (``http://id.loc.gov/vocabulary/relators``),
whose IRIs are the role concepts; words are the Dutch, French and English forms Flemish
catalogues use, compared case-folded with trailing dots and brackets removed.
"""

from __future__ import annotations

from functools import lru_cache

RELATORS = "http://id.loc.gov/vocabulary/relators/"

MAKER, PARTICIPANT, OWNER, SUBJECT = "maker", "participant", "owner", "subject"

# relator code → (English label, kind)
CODES: dict[str, tuple[str, str]] = {
    **{
        code: (label, MAKER)
        for code, label in (
            ("arc", "architect"),
            ("art", "artist"),
            ("aut", "author"),
            ("bkd", "book designer"),
            ("bnd", "binder"),
            ("cll", "calligrapher"),
            ("cmp", "composer"),
            ("cre", "creator"),
            ("ctg", "cartographer"),
            ("drm", "draftsman"),
            ("dsr", "designer"),
            ("egr", "engraver"),
            ("etr", "etcher"),
            ("ill", "illustrator"),
            ("ilu", "illuminator"),
            ("lgd", "lighting designer"),
            ("ltg", "lithographer"),
            ("mfr", "manufacturer"),
            ("pht", "photographer"),
            ("pop", "printer of plates"),
            ("prt", "printer"),
            ("scl", "sculptor"),
            ("scr", "scribe"),
            ("wdc", "woodcutter"),
            ("wde", "wood engraver"),
        )
    },
    **{
        code: (label, PARTICIPANT)
        for code, label in (
            ("ann", "annotator"),
            ("ant", "bibliographic antecedent"),
            ("aui", "author of introduction"),
            ("cmm", "commentator"),
            ("com", "compiler"),
            ("ctb", "contributor"),
            ("edt", "editor"),
            ("isb", "issuing body"),
            ("pbl", "publisher"),
            ("pro", "producer"),
            ("spn", "sponsor"),
            ("trl", "translator"),
            ("wpr", "writer of preface"),
            ("rcp", "addressee"),
            ("dte", "dedicatee"),
            ("hnr", "honoree"),
            ("dst", "distributor"),
            ("stl", "storyteller"),
            ("prf", "performer"),
            ("pat", "patron"),
        )
    },
    **{
        code: (label, OWNER)
        for code, label in (
            ("fmo", "former owner"),
            ("dnr", "donor"),
            ("dpt", "depositor"),
            ("sll", "seller"),
            ("bsl", "bookseller"),
        )
    },
    "dpc": ("depicted", SUBJECT),
}

# role words (nl, fr, en) → relator code
WORDS: dict[str, str] = {
    word: code
    for code, words in {
        "arc": ("architect", "architecte", "bouwmeester"),
        "art": ("artist", "kunstenaar", "artiste", "schilder", "painter", "peintre", "kunstschilder"),
        "aut": ("author", "auteur", "schrijver", "writer", "écrivain", "auteur van de tekst"),
        "bnd": ("binder", "boekbinder", "relieur"),
        "cll": ("calligrapher", "kalligraaf", "calligraphe"),
        "cmp": ("composer", "componist", "compositeur"),
        "cre": ("creator", "maker", "vervaardiger", "créateur", "auteur (maker)"),
        "ctg": ("cartographer", "cartograaf", "cartographe", "kaartmaker"),
        "drm": ("draftsman", "draughtsman", "tekenaar", "dessinateur"),
        "dsr": ("designer", "ontwerper", "concepteur"),
        "egr": ("engraver", "graveur", "plaatsnijder"),
        "etr": ("etcher", "etser", "aquafortiste"),
        "ill": ("illustrator", "illustrateur", "illustratrice"),
        "ilu": ("illuminator", "verluchter", "enlumineur"),
        "ltg": ("lithographer", "lithograaf", "lithographe"),
        "mfr": ("manufacturer", "fabrikant", "fabricant", "producent"),
        "pht": ("photographer", "fotograaf", "photographe"),
        "prt": ("printer", "drukker", "imprimeur", "drukkerij"),
        "scl": ("sculptor", "beeldhouwer", "sculpteur"),
        "scr": ("scribe", "kopiist", "copiste", "schrijver van het handschrift"),
        "ann": ("annotator", "annotator", "annotateur"),
        "com": ("compiler", "samensteller", "compilateur"),
        "ctb": ("contributor", "medewerker", "collaborateur", "bijdrager"),
        "edt": ("editor", "redacteur", "éditeur scientifique", "bezorger"),
        "pbl": ("publisher", "uitgever", "éditeur", "uitgeverij"),
        "trl": ("translator", "vertaler", "traducteur"),
        "rcp": ("addressee", "geadresseerde", "destinataire", "ontvanger", "recipient"),
        "dte": ("dedicatee", "opgedragen aan", "dédicataire"),
        "pat": ("patron", "opdrachtgever", "commanditaire", "commissioner", "mecenas"),
        "fmo": (
            "former owner",
            "vorige eigenaar",
            "voormalige eigenaar",
            "ancien possesseur",
            "ancien propriétaire",
            "provenance",
            "herkomst",
        ),
        "dnr": ("donor", "schenker", "donateur", "schenkster"),
        "dpt": ("depositor", "bewaargever", "déposant"),
        "sll": ("seller", "verkoper", "vendeur"),
        "dpc": ("depicted", "afgebeeld", "afgebeelde persoon", "représenté", "portrayed"),
    }.items()
    for word in words
}


# Makers the relator list has no code for (crafts): a "rol" concept from the words.
MAKER_WORDS = frozenset(
    {
        "kantwerkster", "kantwerker", "lacemaker", "dentellière",
        "wever", "weefster", "weaver", "tisserand",
        "borduurster", "borduurder", "embroiderer", "brodeur", "brodeuse",
        "pottenbakker", "potter", "potier", "keramist", "ceramist", "céramiste",
        "goudsmid", "zilversmid", "edelsmid", "goldsmith", "silversmith", "orfèvre",
        "glasblazer", "glazier", "glasraamkunstenaar", "verrier",
        "meubelmaker", "schrijnwerker", "cabinetmaker", "ébéniste", "menuisier",
        "smid", "blacksmith", "forgeron", "tinnegieter", "klokkengieter", "bronsgieter", "gieter", "founder",
        "fondeur", "houtsnijder", "beeldsnijder", "woodcarver", "sculpteur sur bois", "steenhouwer",
        "uurwerkmaker", "clockmaker", "horloger", "instrumentmaker", "instrumentenbouwer",
        "atelier", "werkplaats", "workshop",
    }
)


@lru_cache(maxsize=2048)
def role(value: str | None) -> tuple[str | None, str]:
    """(relator code or None, kind) of a role code, relator IRI or word; an unknown role
    is a participant, never a maker."""
    if not value:
        return None, PARTICIPANT
    key = " ".join(value.casefold().strip(" .,;:()[]").split())
    if key.startswith(RELATORS) or key.startswith(RELATORS.replace("http:", "https:")):
        key = key.rstrip("/").rsplit("/", 1)[-1]
    if key in CODES:
        return key, CODES[key][1]
    code = WORDS.get(key)
    if code:
        return code, CODES[code][1]
    if key in MAKER_WORDS:
        return None, MAKER
    return None, PARTICIPANT


def iri(code: str) -> str:
    """The relator's concept IRI (``http://id.loc.gov/vocabulary/relators/aut``)."""
    return RELATORS + code
