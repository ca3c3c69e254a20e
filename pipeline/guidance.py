"""How to fix a validation finding in the partner's own system, in its own terms.

A finding says what is missing in OSLO and where in the source (``source_path``); a
collection manager fixes it in Adlib/Axiell Collections, CollectiveAccess or an archive
system, not in LIDO or RDF. :func:`fix` gives, per rule and source format, the field to fill
in there and how, in Dutch and English. Rules without advice here fall back on the finding's
own message (which names the source path).
"""

from __future__ import annotations

from typing import Any

# rule (its local name) → format → (Dutch, English); "*" applies to every format
FIXES: dict[str, dict[str, tuple[str, str]]] = {
    "titel": {
        "lido": ("Vul in Adlib/Axiell het veld Titel (title) in, of anders Beschrijving (description). In de "
                 "LIDO-export wordt dat titleWrap/titleSet/appellationValue.",
                 "In Adlib/Axiell fill in the field Title (title), or else Description (description). In the LIDO "
                 "export that becomes titleWrap/titleSet/appellationValue."),
        "oai_dc": ("Vul de titel (dc:title) of een beschrijving (dc:description) in bij de beschrijving in uw "
                   "archief- of bibliotheeksysteem.", "Fill in the title (dc:title) or a description "
                   "(dc:description) in your archive or library system."),
    },
    "identificator": {
        "lido": ("Vul in Adlib/Axiell het Objectnummer (object_number) in. In LIDO wordt dat "
                 "repositorySet/workID met type inventarisnummer.", "In Adlib/Axiell fill in the Object number "
                 "(object_number). In LIDO that becomes repositorySet/workID of type inventory number."),
        "oai_dc": ("Zorg dat de export het inventarisnummer als eerste dc:identifier meegeeft (niet alleen een "
                   "weblink).", "Make the export give the inventory number as the first dc:identifier (not only a "
                   "web link)."),
    },
    "beheerder": {
        "lido": ("Vul de naam van uw instelling in (Adlib: Instelling / institution.name; LIDO: "
                 "repositorySet/repositoryName), of laat de beheerder van oogst de dataleverancier instellen.",
                 "Fill in your institution's name (Adlib: Institution / institution.name; LIDO: "
                 "repositorySet/repositoryName), or ask the oogst operator to set the data provider."),
        "*": ("Vul de naam van uw instelling in (dc:publisher), of stel de naam van de dataleverancier in bij de "
              "instellingen van de feed.", "Fill in your institution's name (dc:publisher), or set the data "
              "provider's name in the feed's settings."),
    },
    "rechten": {
        "lido": ("Vul in Adlib/Axiell de rechtenstatus in als webadres (Rechten / rights.type, bv. "
                 "http://creativecommons.org/publicdomain/zero/1.0/). In LIDO: rightsWorkWrap/rightsWorkSet/rightsType. "
                 "Of stel een standaard rechtenstatus in bij de instellingen van de feed.",
                 "In Adlib/Axiell fill in the rights status as a web address (Rights / rights.type, e.g. "
                 "http://creativecommons.org/publicdomain/zero/1.0/). In LIDO: rightsWorkWrap/rightsWorkSet/rightsType. "
                 "Or set a default rights statement in the feed's settings."),
        "*": ("Vul dc:rights in met een rechten-webadres (bv. http://rightsstatements.org/vocab/InC/1.0/), of stel "
              "een standaard rechtenstatus in bij de instellingen van de feed.", "Fill in dc:rights with a rights "
              "web address (e.g. http://rightsstatements.org/vocab/InC/1.0/), or set a default rights statement in "
              "the feed's settings."),
    },
    "weergave": {
        "lido": ("Geef een link naar de objectpagina op uw website (recordWrap/recordInfoSet/recordInfoLink) of "
                 "naar een afbeelding (Adlib: Reproductie / reproduction.reference; LIDO: "
                 "resourceSet/resourceRepresentation/linkResource).", "Give a link to the object's page on your "
                 "website (recordWrap/recordInfoSet/recordInfoLink) or to an image (Adlib: Reproduction / "
                 "reproduction.reference; LIDO: resourceSet/resourceRepresentation/linkResource)."),
        "*": ("Geef de link naar de objectpagina of naar een afbeelding mee als dc:identifier.",
              "Give the link to the object's page or to an image as a dc:identifier."),
    },
    "datering": {
        "lido": ("Verbeter de datering in Adlib/Axiell (Vervaardiging datum / production.date.start en .end): een "
                 "bestaande datum, bv. 1887, 1887-02-28 of ca. 1887.", "Correct the date in Adlib/Axiell (Production "
                 "date / production.date.start and .end): a date that exists, e.g. 1887, 1887-02-28 or ca. 1887."),
        "*": ("Verbeter dc:date: een bestaande datum, bv. 1923, 1944-09-12, 1952-06, ca. 1900 of 1641/1644.",
              "Correct dc:date: a date that exists, e.g. 1923, 1944-09-12, 1952-06, ca. 1900 or 1641/1644."),
    },
    "xml": {"*": ("Het record is beschadigd in de export (geen geldige XML). Vraag uw leverancier de export na te "
                  "kijken.", "The record is damaged in the export (not well-formed XML). Ask your supplier to "
                  "check the export.")},
    "error": {"*": ("Dit record kon niet omgezet worden. De melding zegt welk veld; verbeter het in uw systeem.",
                    "This record could not be converted. The message says which field; correct it in your system.")},
}


def fix(rule: str, fmt: str | None) -> tuple[str, str] | None:
    """(Dutch, English) advice for ``rule`` (``acceptance:titel``) in a feed of format ``fmt``."""
    local = rule.rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    advice = FIXES.get(local)
    if not advice:
        return None
    return advice.get(fmt or "") or advice.get("*") or next(iter(advice.values()))


def partner_terms(feed: Any) -> dict[str, str]:
    """Concept IRI → the partner's own word for it, from the value maps of the feed's profile
    (``[values.type] "prentkaart" = "http://vocab.getty.edu/aat/300026816"``)."""
    out: dict[str, str] = {}
    for table in (getattr(feed, "profile", None) or {}).get("values", {}).values():
        if isinstance(table, dict):
            for term, iri in table.items():
                if isinstance(iri, str) and iri.startswith(("http://", "https://")):
                    out.setdefault(iri, term)
    return out
