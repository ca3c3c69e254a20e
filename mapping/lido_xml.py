"""Reading LIDO: element names and small readers over lxml elements (plain loops, no
XPath: they are the hot path of the LIDO mapper, ``lido.py`` and ``lido_events.py``)."""

from __future__ import annotations

from lxml import etree

from . import normalize, vocab
from .normalize import line as _line
from .payload import XML_LANG

LIDO = "http://www.lido-schema.org"
_L = "{" + LIDO + "}"
_PREF = _L + "pref"
_TYPE = _L + "type"
_SOURCE = _L + "source"
_ADDED = _L + "addedSearchTerm"
_TERM = _L + "term"
_CONCEPT_ID = _L + "conceptID"

_ALL_LIDO = etree.XPath("//lido:lido", namespaces={"lido": LIDO}, smart_strings=False)

_TECHNIQUE_TYPES = frozenset({"technique", "techniek", "technik", "method", "methode"})
_MATERIAL_TYPES = frozenset({"material", "materiaal", "matériau", "material (component)", "medium", "support", "drager"})
_CIRCA_TYPES = frozenset({"circa", "ca", "ca.", "approximate", "approximately", "estimated", "estimateddate"})
_CATEGORY_TYPES = frozenset({"objectcategorie", "object category", "objectcategory", "category", "categorie"})
_MOTIF_TYPES = frozenset({"hoofdmotief", "motief", "motif", "subject", "onderwerp", "iconografie"})

_T = {
    name: _L + name
    for name in (
        "lidoRecID objectPublishedID descriptiveMetadata administrativeMetadata objectClassificationWrap "
        "objectWorkTypeWrap objectWorkType classificationWrap classification objectIdentificationWrap titleWrap "
        "titleSet appellationValue inscriptionsWrap inscriptions inscriptionTranscription inscriptionDescription "
        "descriptiveNoteValue repositoryWrap repositorySet repositoryName repositoryLocation workID "
        "objectDescriptionWrap objectDescriptionSet objectMeasurementsWrap objectMeasurementsSet "
        "displayObjectMeasurements objectMeasurements measurementsSet extentMeasurements measurementType "
        "measurementUnit measurementValue eventWrap eventSet event eventType eventName eventActor actorInRole "
        "actor actorID nameActorSet vitalDatesActor earliestDate latestDate roleActor attributionQualifierActor "
        "culture eventDate displayDate date periodName eventPlace place displayPlace placeID namePlaceSet gml "
        "eventMethod eventMaterialsTech displayMaterialsTech materialsTech termMaterialsTech "
        "eventDescriptionSet objectRelationWrap subjectWrap subjectSet subject displaySubject subjectConcept "
        "subjectActor subjectPlace subjectEvent relatedWorksWrap relatedWorkSet relatedWork relatedWorkRelType "
        "object objectID displayObject objectWebResource conceptID term legalBodyID legalBodyName "
        "rightsWorkWrap rightsWorkSet rightsType rightsHolder creditLine rightsResource recordWrap "
        "recordInfoSet recordInfoLink resourceWrap resourceSet resourceRepresentation linkResource recordSource recordID"
    ).split()
}
_GML_POINT = "{http://www.opengis.net/gml}Point"
_GML_POS = "{http://www.opengis.net/gml}pos"
_GML_COORDINATES = "{http://www.opengis.net/gml}coordinates"


def _text(element: etree._Element) -> str | None:
    """The element's text, cleaned (``normalize.text``); the hot path of the mapper."""
    raw = element.text if len(element) == 0 else "".join(element.itertext())
    return _line(raw) if raw else None


def _lang(element: etree._Element, default: str) -> str:
    tag = element.get(XML_LANG)
    return (normalize.language(tag) or default) if tag else default


def _kids(element: etree._Element, name: str) -> list[etree._Element]:
    """Child elements named ``name`` (a plain loop beats XPath and ElementPath here)."""
    tag = _T[name]
    return [child for child in element if child.tag == tag]


def _first(element: etree._Element, name: str) -> etree._Element | None:
    """The first child element named ``name``, if any."""
    tag = _T[name]
    for child in element:
        if child.tag == tag:
            return child
    return None


def _groups(element: etree._Element) -> dict[str, list[etree._Element]]:
    """Child elements by tag, in one pass: for elements read for several kinds of child."""
    groups: dict[str, list[etree._Element]] = {}
    for child in element:
        found = groups.get(child.tag)
        if found is None:
            groups[child.tag] = [child]
        else:
            found.append(child)
    return groups


_NONE: list[etree._Element] = []  # the empty group (never changed)


def _walk(element: etree._Element, first: str, second: str, *more: str) -> list[etree._Element]:
    """Descendants along a path of child names: ``_walk(e, "titleWrap", "titleSet")`` (the
    first two levels in one comprehension: most paths have two)."""
    tag, sub = _T[first], _T[second]
    level = [child for parent in element if parent.tag == tag for child in parent if child.tag == sub]
    for name in more:
        tag = _T[name]
        level = [child for parent in level for child in parent if child.tag == tag]
    return level


def _values(elements: list[etree._Element], lang: str | None = None) -> list[tuple[str, str | None]]:
    """(text, language) of each non-empty element; language only when ``lang`` is given."""
    out: list[tuple[str, str | None]] = []
    for element in elements:
        raw = element.text if len(element) == 0 else "".join(element.itertext())
        value = _line(raw) if raw else None
        if value is not None:
            if lang is None:
                out.append((value, None))
            else:
                tagged = element.get(XML_LANG)
                out.append((value, (normalize.language(tagged) or lang) if tagged else lang))
    return out


def _ids(elements: list[etree._Element]) -> list[tuple[str, str | None]]:
    """Identifiers with who issued them (``lido:source``, else ``lido:type``)."""
    return [(value, element.get(_SOURCE) or element.get(_TYPE)) for element in elements if (value := _text(element))]


def _terms(element: etree._Element, lang: str) -> list[tuple[str, str | None, bool]]:
    """A LIDO concept's terms as labels (added search terms are no labels)."""
    return [
        (value, _lang(term, lang), term.get(_PREF) != "alternate")
        for term in _kids(element, "term")
        if term.get(_L + "addedSearchTerm") != "yes" and (value := _text(term))
    ]


def _kind_of_event(event: etree._Element) -> str:
    """What the event is to the object (vocab.EVENT_KINDS), by code or by word."""
    for event_type in _kids(event, "eventType"):
        groups = _groups(event_type)
        for code, _ in _values(groups.get(_CONCEPT_ID, _NONE)):
            kind = vocab.EVENT_KINDS.get(code.rstrip("/").rsplit("/", 1)[-1].casefold())
            if kind:
                return kind
        for term, _ in _values(groups.get(_TERM, _NONE)):
            kind = vocab.EVENT_KINDS.get(term.casefold())
            if kind:
                return kind
    return "other"


def _wkt(gmls: list[etree._Element]) -> str | None:
    """A gml:Point of a LIDO place as WKT (``POINT(long lat)``), if it has one: ``gml:pos``
    is "lat long" (EPSG:4326 axis order), ``gml:coordinates`` is "long,lat"."""
    for gml in gmls:
        for point in gml.iter(_GML_POINT):
            for pos in point:
                if pos.tag not in (_GML_POS, _GML_COORDINATES) or not pos.text:
                    continue
                numbers = [normalize.decimal(n) for n in pos.text.replace(",", " ").split()[:2]]
                if len(numbers) == 2 and None not in numbers:
                    lat, long = numbers if pos.tag == _GML_POS else reversed(numbers)
                    return f"POINT({long} {lat})"
    return None

