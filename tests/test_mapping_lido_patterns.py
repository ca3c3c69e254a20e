"""LIDO as other exporters write it: the keeper and the object number where repositoryWrap
does not give them, preferred and alternate titles, subjects of texts, units in words,
debris, bare vocabulary numbers, languages the script contradicts (small records written
here, one pattern each)."""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, Namespace, URIRef

from oogst.mapping import Profile

from .test_mapping_lido import AAT, ADMS, CRM, PRODUCTION, SCHEMA, SKOS, event, lido, map_lido, obj, title

DCT = Namespace("http://purl.org/dc/terms/")
CEST_OBJECTNUMMER = URIRef("https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/Waarde_objectnummer")
QUDT = Namespace("http://qudt.org/vocab/unit/")


def record_wrap(*parts: str) -> str:
    return f"<lido:recordWrap>{''.join(parts)}</lido:recordWrap>"


def source(name: str) -> str:
    return (f"<lido:recordSource><lido:legalBodyName><lido:appellationValue>{name}</lido:appellationValue>"
            "</lido:legalBodyName></lido:recordSource>")


def lido_with(head: str = "", descriptive: str = "", administrative: str = "") -> bytes:
    return lido(descriptive, administrative, head=head)


def keeper_names(g, mapped) -> set[str]:
    return {str(g.value(k, SKOS.prefLabel)) for k in g.objects(obj(mapped), CRM.P50_has_current_keeper)}


def object_numbers(g, mapped) -> set[str]:
    return {str(g.value(i, SKOS.notation)) for i in g.objects(obj(mapped), ADMS.identifier)
            if (i, CRM.P2_has_type, CEST_OBJECTNUMMER) in g}


# -- keeper -------------------------------------------------------------------------------


def test_the_keeper_from_record_source_when_there_is_no_repository() -> None:
    mapped, g = map_lido(lido_with(administrative=record_wrap(source("Museum voor Schone Kunsten Gent"))))
    assert keeper_names(g, mapped) == {"Museum voor Schone Kunsten Gent"}
    keeper = g.value(obj(mapped), CRM.P50_has_current_keeper)
    assert (keeper, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")) in g
    assert any("recordSource" in w for w in mapped.warnings)


@pytest.mark.parametrize("aggregator", ["Vlaamse Kunstcollectie", "Vlaamse Kunstcollectie - Arthub Flanders",
                                        "Datahub VKC", "Europeana"])
def test_an_aggregator_as_record_source_is_no_keeper(aggregator: str) -> None:
    head = '<lido:lidoRecID lido:source="Museum Hof van Leie">HVL-1</lido:lidoRecID>'
    mapped, g = map_lido(lido_with(head=head, administrative=record_wrap(source(aggregator))))
    assert keeper_names(g, mapped) == {"Museum Hof van Leie"}  # from lidoRecID/@lido:source


def test_an_aggregator_named_by_the_profile_is_no_keeper() -> None:
    profile = Profile(feed="test", aggregators=("Erfgoedbank Voorbeeldstreek",))
    mapped, g = map_lido(lido_with(administrative=record_wrap(source("Erfgoedbank Voorbeeldstreek"))), profile)
    assert keeper_names(g, mapped) == set()


def test_the_repository_comes_first() -> None:
    repository = ("<lido:objectIdentificationWrap><lido:repositoryWrap><lido:repositorySet><lido:repositoryName>"
                  "<lido:legalBodyName><lido:appellationValue>Design Museum Gent</lido:appellationValue>"
                  "</lido:legalBodyName></lido:repositoryName></lido:repositorySet></lido:repositoryWrap>"
                  "</lido:objectIdentificationWrap>")
    mapped, g = map_lido(lido_with(descriptive=repository, administrative=record_wrap(source("Stad Gent"))))
    assert keeper_names(g, mapped) == {"Design Museum Gent"}


# -- object number ------------------------------------------------------------------------


def test_the_object_number_from_the_local_record_id() -> None:
    head = '<lido:objectPublishedID>http://mskgent.be/collection/work/id/S-40</lido:objectPublishedID>'
    admin = record_wrap('<lido:recordID lido:type="local">S-40</lido:recordID>',
                        '<lido:recordID lido:type="Adlib">310000001</lido:recordID>', source("MSK Gent"))
    mapped, g = map_lido(lido_with(head=head, administrative=admin))
    assert object_numbers(g, mapped) == {"S-40"}
    assert not any("check that it is the inventory number" in w for w in mapped.warnings)  # the PID agrees
    assert mapped.label == "S-40"


def test_a_local_record_id_the_pids_do_not_confirm_is_used_with_a_warning() -> None:
    mapped, g = map_lido(lido_with(administrative=record_wrap('<lido:recordID lido:type="local">310006351</lido:recordID>')))
    assert object_numbers(g, mapped) == {"310006351"}
    assert any("check that it is the inventory number" in w for w in mapped.warnings)


def test_a_work_id_wins_over_the_record_id() -> None:
    repository = ("<lido:objectIdentificationWrap><lido:repositoryWrap><lido:repositorySet>"
                  "<lido:workID>1829-A</lido:workID></lido:repositorySet></lido:repositoryWrap>"
                  "</lido:objectIdentificationWrap>")
    admin = record_wrap('<lido:recordID lido:type="local">310006351</lido:recordID>')
    mapped, g = map_lido(lido_with(descriptive=repository, administrative=admin))
    assert object_numbers(g, mapped) == {"1829-A"}


# -- titles -------------------------------------------------------------------------------


def test_preferred_and_alternate_titles_are_kept_apart_each_in_its_language() -> None:
    titles = title('<lido:appellationValue lido:pref="preferred">De Aanbidding</lido:appellationValue>'
                   '<lido:appellationValue lido:pref="alternate" xml:lang="fr">L\'Adoration</lido:appellationValue>'
                   '<lido:appellationValue lido:pref="alternate">Het Lam Gods</lido:appellationValue>')
    mapped, g = map_lido(lido(titles))
    assert set(g.objects(obj(mapped), CRM.P102_has_title)) == {Literal("De Aanbidding", lang="nl")}
    assert set(g.objects(obj(mapped), DCT.alternative)) == {Literal("L'Adoration", lang="fr"),
                                                            Literal("Het Lam Gods", lang="nl")}


def test_a_title_set_in_another_language_gives_its_language() -> None:
    titles = ('<lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet xml:lang="en">'
              '<lido:appellationValue>The Adoration</lido:appellationValue></lido:titleSet>'
              '</lido:titleWrap></lido:objectIdentificationWrap>')
    mapped, g = map_lido(lido(titles))
    assert set(g.objects(obj(mapped), CRM.P102_has_title)) == {Literal("The Adoration", lang="en")}


def test_only_alternate_titles_one_becomes_the_title() -> None:
    mapped, g = map_lido(lido(title('<lido:appellationValue lido:pref="alternate">Zonder titel</lido:appellationValue>')))
    assert g.value(obj(mapped), CRM.P102_has_title) == Literal("Zonder titel", lang="nl")
    assert any("no preferred title" in w for w in mapped.warnings)


# -- subjects by the kind of work ---------------------------------------------------------


SUBJECT = ("<lido:objectRelationWrap><lido:subjectWrap><lido:subjectSet><lido:subject><lido:subjectConcept>"
           "<lido:term>zeevaart</lido:term></lido:subjectConcept></lido:subject></lido:subjectSet>"
           "</lido:subjectWrap></lido:objectRelationWrap>")


def work_type(term: str) -> str:
    return (f"<lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType><lido:term>{term}"
            "</lido:term></lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>")


@pytest.mark.parametrize("term", ["boek", "brief", "handschrift", "archiefstuk", "manuscript"])
def test_the_subjects_of_texts_and_documents_are_what_they_are_about(term: str) -> None:
    mapped, g = map_lido(lido(work_type(term) + SUBJECT))
    assert g.value(g.value(obj(mapped), CRM.P128_carries), CRM.P129_is_about) is not None  # its content is about it
    assert g.value(obj(mapped), CRM.P62_depicts) is None


def test_the_subjects_of_a_painting_are_what_it_depicts() -> None:
    mapped, g = map_lido(lido(work_type("schilderij") + SUBJECT))
    assert g.value(obj(mapped), CRM.P62_depicts) is not None
    assert g.value(g.value(obj(mapped), CRM.P128_carries), CRM.P129_is_about) is None


# -- units, debris, bare vocabulary numbers -----------------------------------------------


def measurement(unit: str, value: str = "80") -> str:
    return ("<lido:objectIdentificationWrap><lido:objectMeasurementsWrap><lido:objectMeasurementsSet>"
            "<lido:objectMeasurements><lido:measurementsSet><lido:measurementType>hoogte</lido:measurementType>"
            f"{unit}<lido:measurementValue>{value}</lido:measurementValue></lido:measurementsSet>"
            "</lido:objectMeasurements></lido:objectMeasurementsSet></lido:objectMeasurementsWrap>"
            "</lido:objectIdentificationWrap>")


@pytest.mark.parametrize(("unit", "code"), [("Centimeters", "CentiM"), ("cm.", "CentiM"), ("mm", "MilliM"),
                                            ("m", "M"), ("kg", "KiloGM"), ("g", "GM"), ("inch", "IN")])
def test_units_in_words_get_their_unit_iri(unit: str, code: str) -> None:
    mapped, g = map_lido(lido(measurement(f"<lido:measurementUnit>{unit}</lido:measurementUnit>")))
    dimension = g.value(obj(mapped), CRM.P43_has_dimension)
    assert g.value(dimension, SCHEMA.unitCode) == QUDT[code]
    assert g.value(dimension, SCHEMA.unitText) == Literal(unit)


def test_a_unit_iri_is_never_unit_text() -> None:
    unit = "<lido:measurementUnit><lido:conceptID>http://qudt.org/vocab/unit/CentiM</lido:conceptID></lido:measurementUnit>"
    mapped, g = map_lido(lido(measurement(unit)))
    dimension = g.value(obj(mapped), CRM.P43_has_dimension)
    assert g.value(dimension, SCHEMA.unitCode) == QUDT.CentiM
    assert g.value(dimension, SCHEMA.unitText) is None


def test_a_value_with_its_unit() -> None:
    mapped, g = map_lido(lido(measurement("", value="1,5 cm")))
    dimension = g.value(obj(mapped), CRM.P43_has_dimension)
    assert g.value(dimension, SCHEMA.value) == Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
    assert g.value(dimension, SCHEMA.unitCode) == QUDT.CentiM


@pytest.mark.parametrize("debris", ["HASH(0x3e5e1ad0)", "NULL", "n/a", "[object Object]", "undefined"])
def test_debris_is_left_out_with_a_warning(debris: str) -> None:
    description = ("<lido:objectIdentificationWrap><lido:objectDescriptionWrap><lido:objectDescriptionSet>"
                   f"<lido:descriptiveNoteValue>{debris}</lido:descriptiveNoteValue></lido:objectDescriptionSet>"
                   "</lido:objectDescriptionWrap></lido:objectIdentificationWrap>")
    mapped, g = map_lido(lido(description + event(f"{PRODUCTION}<lido:eventDescriptionSet><lido:descriptiveNoteValue>"
                                                  f"{debris}</lido:descriptiveNoteValue></lido:eventDescriptionSet>")))
    assert not any(debris in str(o) for o in g.objects())
    assert any("debris" in w and debris in w for w in mapped.warnings)


def test_a_bare_aat_number_is_the_aat_iri() -> None:
    work = ('<lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType>'
            '<lido:conceptID lido:source="AAT">300033618</lido:conceptID><lido:term>schilderij</lido:term>'
            '</lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>')
    mapped, g = map_lido(lido(work))
    classification = g.value(obj(mapped), CRM.P41i_was_classified_by)
    assert g.value(classification, CRM.P42_assigned) == AAT["300033618"]


# -- languages ----------------------------------------------------------------------------


def test_a_title_in_another_script_does_not_get_the_blocks_language() -> None:
    mapped, g = map_lido(lido(title("<lido:appellationValue>قارب صيد</lido:appellationValue>"
                                    "<lido:appellationValue>Βάρκα</lido:appellationValue>")))
    assert set(g.objects(obj(mapped), CRM.P102_has_title)) == {Literal("قارب صيد", lang="ar"), Literal("Βάρκα", lang="el")}


def test_a_block_without_language_gets_the_feeds_and_says_so() -> None:
    payload = lido(title("<lido:appellationValue>Stilleven</lido:appellationValue>")).replace(b' xml:lang="nl"', b"")
    mapped, g = map_lido(payload)
    assert g.value(obj(mapped), CRM.P102_has_title) == Literal("Stilleven", lang="nl")
    assert any("feed's language (nl)" in w for w in mapped.warnings)
