"""The ore:Aggregation of an EDM record, its edm:type and the checks that keep a record out
of Europeana (the schematron's rules, said to the partner in Dutch and English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import europeana
from .edm_model import (
    DCT,
    FOAF_PAGE,
    SKOS,
    C,
    Value,
    WebResource,
    finding,
    is_image,
    is_media_type,
)
from .ntgraph import Graph, Lit

if TYPE_CHECKING:
    from .edm import _Builder

__all__ = ["aggregation", "checks", "edm_type"]


def aggregation(b: _Builder, obj: str) -> tuple[dict[str, list[Value]], list[WebResource], str | None]:
    """The ore:Aggregation's properties, its web resources and its rights (None: no rights)."""
    g, settings = b.g, b.settings
    media: list[WebResource] = []
    pages = list(g.iris(obj, FOAF_PAGE))
    for prop in ("P129i_is_subject_of", "P138i_has_representation"):
        for url in g.iris(obj, C[prop]):
            if url.startswith("_:") or any(w.about == url for w in media):
                continue
            if any("iiif.io/api/presentation" in x for x in g.iris(url, DCT + "conformsTo")):
                continue  # a IIIF manifest describes images, it is none
            mime = next((x.value.strip().lower() for x in g.literals(url, DCT + "format") if is_media_type(x.value)),
                        None)
            if mime == "text/html":
                pages.append(url)
                continue
            accepted, rejected, notes = _rights_of(g, url)
            resource = WebResource(url, mime, accepted[0] if accepted else None)
            if notes:
                resource.props["dc:rights"] = list(dict.fromkeys(notes))
            if mime:
                resource.props["dc:format"] = [Lit(mime)]
            if resource.rights:
                resource.props["edm:rights"] = [resource.rights]
            for statement in rejected:
                b.findings.append(finding(
                    "rights-of-media", "edm:WebResource/edm:rights",
                    f"De rechten {statement!r} van het beeld {url} zijn geen rechtenverklaring die Europeana "
                    "aanvaardt; ze worden weggelaten.",
                    f"The rights {statement!r} of the image {url} are not a rights statement Europeana accepts; "
                    "they are left out.", statement, "warning"))
            media.append(resource)
    agg: dict[str, list[Value]] = {"edm:aggregatedCHO": [obj]}
    data_provider = settings.data_provider
    if data_provider:
        agg["edm:dataProvider"] = [data_provider if data_provider.startswith("http") else Lit(data_provider)]
    else:
        for keeper in g.objects(obj, C["P50_has_current_keeper"]):
            name = b.label(keeper) if type(keeper) is str else keeper
            if name is not None or type(keeper) is str:
                agg["edm:dataProvider"] = [Lit(name.value, name.lang) if name else keeper]
                break
    if media:
        agg["edm:hasView"] = [m.about for m in media[1:]]
    if pages:
        agg["edm:isShownAt"] = [pages[0]]
    if media:
        agg["edm:isShownBy"] = [media[0].about]
        preview = next((m for m in media if is_image(m.about, m.mime)), None)
        if preview:
            agg["edm:object"] = [preview.about]
    agg["edm:provider"] = [settings.provider if settings.provider.startswith("http") else Lit(settings.provider)]
    accepted, rejected, notes = _rights_of(g, obj)
    if notes:
        agg["dc:rights"] = list(dict.fromkeys(notes))
    rights = (media[0].rights if media else None) or (accepted[0] if accepted else None)
    if rights is None and rejected:
        b.findings.append(finding(
            "invalid-rights", "edm:rights",
            f"De rechten {rejected[0]!r} zijn geen rechtenverklaring die Europeana aanvaardt — kies een "
            "Creative Commons-licentie, CC0, het Public Domain Mark of een rightsstatements.org-verklaring.",
            f"The rights {rejected[0]!r} are not a rights statement Europeana accepts — choose a Creative "
            "Commons licence, CC0, the Public Domain Mark or a rightsstatements.org statement.", rejected[0]))
        return agg, media, None
    if rights is None and settings.rights:
        rights = settings.rights
        b.findings.append(finding(
            "default-rights", "edm:rights", f"Het record vermeldt geen rechten; de standaardrechten van de feed "
            f"({rights}) zijn gebruikt.", f"The record states no rights; the feed's default rights ({rights}) "
            "are used.", rights, "warning"))
    if rights:
        agg["edm:rights"] = [rights]
    if settings.intermediate_provider:
        value = settings.intermediate_provider
        agg["edm:intermediateProvider"] = [value if value.startswith("http") else Lit(value)]
    return agg, media, rights


def edm_type(b: _Builder, obj: str, media: list[WebResource]) -> str | None:
    """edm:type: the feed's rule, the partner's own DCMI type, the object name or category
    (AAT id, then words), the kind of media; else the rule's default."""
    rule, g = b.settings.type_rule, b.g
    if rule.force:
        return rule.force
    concepts = [c for cls in g.iris(obj, C["P41i_was_classified_by"]) for c in g.iris(cls, C["P42_assigned"])]
    words = [lit.value for cls in g.iris(obj, C["P41i_was_classified_by"])
             for c in g.objects(cls, C["P42_assigned"])
             for lit in ((c,) if type(c) is Lit else tuple(b.labels(c)) + tuple(g.literals(c, SKOS + "altLabel")))]
    for key in concepts + words:
        found = rule.lookup(key)
        if found:
            return found
    own = [t for t in g.iris(obj, C["P2_has_type"]) if t.startswith("http://purl.org/dc/dcmitype/")]
    if own:
        return europeana.concept_type(own[0]) or ("3D" if own[0].endswith("/PhysicalObject") else None)
    for key in concepts:
        found = europeana.concept_type(key)
        if found:
            return found
    for word in words:
        found = europeana.term_type(word)
        if found:
            return found
    for resource in media:
        mime = resource.mime or ("image/*" if is_image(resource.about, None) else "")
        found = {"image": "IMAGE", "video": "VIDEO", "audio": "SOUND", "model": "3D"}.get(mime.split("/")[0])
        if found or mime == "application/pdf":
            return found or "TEXT"
    return rule.default


def checks(b: _Builder, record_type: str | None, agg: dict[str, list[Value]], rights: str | None) -> None:
    """The findings that keep a record out of Europeana (EDM external, schematron rules)."""
    add, cho = b.findings.append, b.cho
    if not (cho.get("dc:title") or cho.get("dc:description")):
        add(finding("no-title", "dc:title", "Het object heeft geen titel en geen beschrijving — vul er minstens "
                     "één in.", "The object has no title and no description — fill in at least one."))
    if not any(cho.get(e) for e in ("dc:subject", "dc:type", "dcterms:spatial", "dcterms:temporal")):
        add(finding("no-subject-or-type", "dc:type", "Het object heeft geen objectnaam, onderwerp, plaats of "
                     "periode — vul de objectnaam in.", "The object has no object name, subject, place or period "
                     "— fill in the object name."))
    if record_type is None:
        add(finding("no-type", "edm:type", "Het type voor Europeana (TEXT, IMAGE, SOUND, VIDEO of 3D) volgt niet "
                     "uit de objectnaam of de media — vul een objectnaam in of stel een typeregel in voor de feed.",
                     "The Europeana type (TEXT, IMAGE, SOUND, VIDEO or 3D) does not follow from the object name "
                     "or the media — fill in an object name or set a type rule for the feed."))
    elif record_type == "TEXT" and not cho.get("dc:language"):
        add(finding("no-language", "dc:language", "Een tekst (type TEXT) moet de taal vermelden — vul de taal in.",
                     "A text (type TEXT) must state its language — fill in the language."))
    if "edm:isShownAt" not in agg and "edm:isShownBy" not in agg:
        add(finding("no-link", "edm:isShownBy", "Het record heeft geen beeld en geen webpagina — vul de link naar "
                     "de afbeelding of naar de objectpagina in.", "The record has no image and no landing page — "
                     "fill in the link to the image or to the object's web page."))
    if rights is None and not any(f.rule == "edm:invalid-rights" for f in b.findings):
        add(finding("no-rights", "edm:rights", "Het record vermeldt geen rechten — vul de rechtenstatus in, of "
                     "stel standaardrechten in voor de feed.", "The record states no rights — fill in the rights "
                     "status, or set default rights for the feed."))
    if "edm:dataProvider" not in agg:
        add(finding("no-data-provider", "edm:dataProvider", "Het record vermeldt geen beherende instelling — vul "
                     "de beheerder in of stel de dataProvider van de feed in.", "The record names no holding "
                     "institution — fill in the keeper or set the feed's data provider."))


def _rights_of(g: Graph, subject: str) -> tuple[list[str], list[str], list[Lit]]:
    """(accepted rights URIs, rejected statements, credit lines) of a subject's E30 nodes."""
    accepted, rejected, notes = [], [], []
    for node in g.iris(subject, C["P104_is_subject_to"]):
        for statement in g.iris(node, C["P2_has_type"]):
            uri = europeana.rights_uri(statement)
            (accepted if uri else rejected).append(uri or statement)
        notes += [Lit(x.value, x.lang) for x in g.literals(node, C["P3_has_note"])]
    return accepted, rejected, notes
