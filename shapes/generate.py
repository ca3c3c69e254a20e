"""Write oogst's own OSLO application-profile shapes and the CIDOC-CRM superclass table.

Two generated files ship in this package; this script is how they are made::

    .venv/bin/python -m oogst.shapes.generate          # rewrite both files
    .venv/bin/python -m oogst.shapes.generate --check  # exit 1 if a file is out of date

``crm-superclasses.json``
    For every class our records or shapes use, its CIDOC-CRM superclasses (the transitive
    ``rdfs:subClassOf`` closure), read from ``CIDOC_CRM_v7.1.3.rdf`` in the shared corpus,
    plus two things the CRM file does not hold: the CRM 6 names of E22/E25 used by the 2021
    application profile, and CRMdig's ``D1_Digital_Object`` (a subclass of E73). Without the
    corpus the shipped table is used and not rewritten.

``oslo-ap.ttl``
    The OSLO Cultureel Erfgoed Object + Event application profiles (erkende standaard
    2021-04-22) as warning-level SHACL, built from :data:`PROPERTIES`, our transcription of
    the profiles' table (``shared/reference/oslo-model.md`` §1.3). Each cardinality and each
    range is a rule of its own with an id (``oslo-ap:Productie.product.min``) and a message in
    Dutch and English. The header of the written file lists where it deviates from the
    published SHACL and why.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRM_RDF = HERE.parents[1] / "shared" / "corpus" / "shacl" / "CIDOC_CRM_v7.1.3.rdf"
SUPERCLASSES_FILE = HERE / "crm-superclasses.json"
OSLO_AP_FILE = HERE / "oslo-ap.ttl"

PREFIXES = {
    "sh": "http://www.w3.org/ns/shacl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "crmdig": "http://www.ics.forth.gr/isl/CRMdig/",
    "ce": "https://data.vlaanderen.be/ns/cultureel-erfgoed#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dce": "http://purl.org/dc/elements/1.1/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "person": "http://www.w3.org/ns/person#",
    "schema": "http://schema.org/",
    "schema2": "https://schema.org/",
    "m8g": "http://data.europa.eu/m8g/",
    "edtf": "http://id.loc.gov/datatypes/edtf/",
    "generiek": "https://data.vlaanderen.be/ns/generiek#",
    "oslo-ap": "https://data.oogst.be/shapes/oslo-ap#",
}

# -- the application profile ------------------------------------------------------------------

# AP class (Dutch name) → the class it targets. MensgemaaktObject also targets the CRM 7 name.
CLASSES: dict[str, str] = {
    "MensgemaaktObject": "crm:E22_Man-Made_Object",
    "MaterieelDing": "crm:E18_Physical_Thing",
    "Entiteit": "crm:E1_CRM_Entity",
    "Identificator": "adms:Identifier",
    "Beschrijving": "ce:Beschrijving",
    "Dimensie": "crm:E54_Dimension",
    "Conditie": "crm:E3_Condition_State",
    "GecureerdeCollectie": "crm:E78_Collection",
    "Collectie": "dcmitype:Collection",
    "ConceptueelDing": "crm:E28_Conceptual_Object",
    "InformatieObject": "crm:E73_Information_Object",
    "Gebeurtenis": "crm:E5_Event",
    "Activiteit": "crm:E7_Activity",
    "Rol": "ce:Rol",
    "Productie": "crm:E12_Production",
    "Creatie": "crm:E65_Creation",
    "Classificatie": "crm:E17_Type_Assignment",
    "Verwerving": "crm:E8_Acquisition",
    "Bewaring": "crm:E10_Transfer_of_Custody",
    "Verhuis": "crm:E9_Move",
    "Agent": "dcterms:Agent",
    "Organisatie": "org:Organization",
    "Persoon": "person:Person",
    "Recht": "crm:E30_Right",
    "WettelijkObject": "crm:E72_Legal_Object",
    "VisueelItem": "crm:E36_Visual_Item",
    "Document": "crm:E31_Document",
    "Toekenning": "crm:E13_Attribute_Assignment",
    "TemporeleEntiteit": "crm:E2_Temporal_Entity",
    "Meting": "crm:E16_Measurement",
}
E22_NAMES = ("crm:E22_Man-Made_Object", "crm:E22_Human-Made_Object")

# (AP class, eigenschap, path, range, minCount, maxCount or None for unbounded): the 2021
# Object and Event APs, as in oslo-model.md §1.3 (which already replaces the generator's
# TODO classes and fixes the properties-as-targetClass of Activiteit and Agent).
PROPERTIES: list[tuple[str, str, str, str, int, int | None]] = [
    ("MensgemaaktObject", "titel", "crm:P102_has_title", "rdf:langString", 0, None),
    ("MensgemaaktObject", "materiaal", "crm:P45_consists_of", "skos:Concept", 1, None),
    ("MensgemaaktObject", "dimensie", "crm:P43_has_dimension", "crm:E54_Dimension", 0, None),
    ("MensgemaaktObject", "beeldtUit", "crm:P62_depicts", "crm:E1_CRM_Entity", 0, None),
    ("MensgemaaktObject", "draagt", "crm:P128_carries", "crm:E73_Information_Object", 0, None),
    ("MensgemaaktObject", "conditie", "crm:P44_has_condition", "crm:E3_Condition_State", 0, None),
    ("MensgemaaktObject", "locatie", "crm:P55_has_current_location", "prov:Location", 0, 1),
    ("MensgemaaktObject", "permanenteLocatie", "crm:P54_has_current_permanent_location", "prov:Location", 0, 1),
    ("MensgemaaktObject", "maaktDeelUitVan", "crm:P46i_forms_part_of", "crm:E78_Collection", 0, None),
    ("MensgemaaktObject", "verhuis", "crm:P25i_moved_by", "crm:E9_Move", 0, None),
    ("MaterieelDing", "productie", "crm:P108i_was_produced_by", "crm:E12_Production", 1, 1),
    ("MaterieelDing", "beheerder", "crm:P50_has_current_keeper", "dcterms:Agent", 0, None),
    ("MaterieelDing", "eigenaar", "crm:P52_has_current_owner", "dcterms:Agent", 0, None),
    ("MaterieelDing", "isOvergedragenBijVerwerving", "crm:P24i_changed_ownership_through", "crm:E8_Acquisition",
     0, None),
    ("MaterieelDing", "isOvergedragenBijBewaring", "crm:P30i_custody_transferred_through",
     "crm:E10_Transfer_of_Custody", 0, None),
    ("MaterieelDing", "bestaatUit", "crm:P46_is_composed_of", "crm:E18_Physical_Thing", 0, None),
    ("MaterieelDing", "conditiebeoordeling", "crm:P34i_was_assessed_by", "crm:E14_Condition_Assessment", 0, None),
    ("MaterieelDing", "wijziging", "crm:P31i_was_modified_by", "crm:E11_Modification", 0, None),
    ("MaterieelDing", "vernietiging", "crm:P13i_was_destroyed_by", "crm:E6_Destruction", 0, 1),
    ("MaterieelDing", "isUitgebreidBij", "crm:P110i_was_augmented_by", "crm:E79_Part_Addition", 0, None),
    ("MaterieelDing", "isToegevoegdBij", "crm:P111i_was_added_by", "crm:E79_Part_Addition", 0, None),
    ("MaterieelDing", "isVerwijderdBij", "crm:P112i_was_diminished_by", "crm:E80_Part_Removal", 0, None),
    ("MaterieelDing", "isIngekrompenBij", "crm:P113i_was_removed_by", "crm:E80_Part_Removal", 0, None),
    ("Entiteit", "identificator", "adms:identifier", "adms:Identifier", 0, None),
    ("Entiteit", "beschrijving", "crm:P3_has_note", "rdf:langString", 0, None),
    ("Entiteit", "type", "crm:P2_has_type", "skos:Concept", 0, None),
    ("Entiteit", "classificatie", "crm:P41i_was_classified_by", "crm:E17_Type_Assignment", 0, None),
    ("Entiteit", "maaktDeelUitVan", "dcterms:isPartOf", "dcmitype:Collection", 0, None),
    ("Entiteit", "wordtNaarVerwezenDoor", "crm:P67i_is_referred_to_by", "crm:E28_Conceptual_Object", 0, None),
    ("Entiteit", "isHetOnderwerpVan", "crm:P129i_is_subject_of", "crm:E28_Conceptual_Object", 0, None),
    ("Entiteit", "wordtVoorgesteldDoor", "crm:P138i_has_representation", "crm:E36_Visual_Item", 0, None),
    ("Entiteit", "wordtUitgebeeldDoor", "crm:P62i_is_depicted_by", "crm:E18_Physical_Thing", 0, None),
    ("Entiteit", "wordtGedocumenteerdDoor", "crm:P70i_is_documented_in", "crm:E31_Document", 0, None),
    ("Entiteit", "meting", "crm:P39i_was_measured_by", "crm:E16_Measurement", 0, None),
    ("Entiteit", "toekenning", "crm:P140i_was_attributed_by", "crm:E13_Attribute_Assignment", 0, None),
    ("Identificator", "identificator", "skos:notation", "rdfs:Literal", 0, 1),
    ("Identificator", "toegekendDoor", "dcterms:creator", "dcterms:Agent", 0, 1),
    ("Identificator", "toegekendDoorString", "adms:schemaAgency", "xsd:string", 0, 1),
    ("Identificator", "toegekendOp", "dcterms:issued", "xsd:dateTime", 0, 1),
    ("Beschrijving", "tekst", "ce:tekst", "rdf:langString", 1, 1),
    ("Beschrijving", "type", "ce:type", "skos:Concept", 0, 1),
    ("Dimensie", "type", "crm:P2_has_type", "skos:Concept", 1, 1),
    ("Dimensie", "waarde", "schema2:value", "schema2:Number", 1, 1),
    ("Dimensie", "eenheid", "schema2:unitText", "xsd:string", 0, 1),
    ("Dimensie", "standaardEenheid", "schema2:unitCode", "generiek:StandaardEenheid", 0, 1),
    ("Dimensie", "beschrijving", "crm:P3_has_note", "ce:Beschrijving", 0, None),
    ("Conditie", "periode", "crm:P4_has_time-span", "m8g:PeriodOfTime", 1, 1),
    ("Conditie", "type", "crm:P2_has_type", "skos:Concept", 0, None),
    ("Conditie", "beschrijving", "crm:P3_has_note", "ce:Beschrijving", 0, None),
    ("GecureerdeCollectie", "titel", "crm:P102_has_title", "rdf:langString", 0, None),
    ("GecureerdeCollectie", "curator", "crm:P109_has_current_or_former_curator", "dcterms:Agent", 1, None),
    ("GecureerdeCollectie", "locatie", "crm:P53_has_former_or_current_location", "prov:Location", 1, 1),
    ("GecureerdeCollectie", "bestaatUit", "crm:P46_is_composed_of", "crm:E22_Man-Made_Object", 0, None),
    ("GecureerdeCollectie", "bestaatUit", "crm:P46_is_composed_of", "crm:E25_Man-Made_Feature", 0, None),
    ("GecureerdeCollectie", "dimensie", "crm:P43_has_dimension", "crm:E54_Dimension", 0, None),
    ("GecureerdeCollectie", "gecureerdBij", "crm:P147i_was_curated_by", "crm:E87_Curation_Activity", 0, None),
    ("Collectie", "naam", "dce:title", "rdf:langString", 0, None),
    ("Collectie", "bestaatUit", "dcterms:hasPart", "crm:E1_CRM_Entity", 0, None),
    ("ConceptueelDing", "creatie", "crm:P94i_was_created_by", "crm:E65_Creation", 1, 1),
    ("ConceptueelDing", "heeftComponent", "crm:P148_has_component", "crm:E28_Conceptual_Object", 0, None),
    ("InformatieObject", "titel", "crm:P102_has_title", "rdf:langString", 0, None),
    ("InformatieObject", "inhoud", "crm:P190_has_symbolic_content", "xsd:string", 0, None),
    ("InformatieObject", "gaatOver", "crm:P129_is_about", "crm:E1_CRM_Entity", 0, None),
    ("InformatieObject", "verwijstNaar", "crm:P67_refers_to", "crm:E1_CRM_Entity", 0, None),
    ("InformatieObject", "drager", "crm:P128i_is_carried_by", "crm:E22_Man-Made_Object", 0, None),
    ("InformatieObject", "drager", "crm:P128i_is_carried_by", "crm:E25_Man-Made_Feature", 0, None),
    ("InformatieObject", "omvat", "crm:P165_incorporates", "crm:E73_Information_Object", 0, None),
    ("Gebeurtenis", "tijd", "crm:P4_has_time-span", "edtf:EDTF", 1, 1),
    ("Gebeurtenis", "plaats", "crm:P7_took_place_at", "prov:Location", 1, None),
    ("Gebeurtenis", "deelnemer", "crm:P11_had_participant", "dcterms:Agent", 0, None),
    ("Activiteit", "uitgevoerdDoor", "crm:P14_carried_out_by", "dcterms:Agent", 1, None),
    ("Activiteit", "gebruikteTechniek", "crm:P32_used_general_technique", "skos:Concept", 0, None),
    ("Activiteit", "gebruiktObject", "crm:P16_used_specific_object", "crm:E70_Thing", 0, None),
    ("Rol", "activiteit", "ce:Rol.activiteit", "crm:E7_Activity", 1, 1),
    ("Rol", "agent", "ce:Rol.agent", "dcterms:Agent", 1, 1),
    ("Rol", "rol", "crm:P14.1_in_the_role_of", "skos:Concept", 0, None),
    ("Productie", "product", "crm:P108_has_produced", "crm:E18_Physical_Thing", 1, None),
    ("Creatie", "creatie", "crm:P94_has_created", "crm:E28_Conceptual_Object", 1, None),
    ("Classificatie", "getypeerdeEntiteit", "crm:P41_classified", "crm:E1_CRM_Entity", 1, 1),
    ("Classificatie", "toegekendType", "crm:P42_assigned", "skos:Concept", 1, None),
    ("Verwerving", "overdrachtVan", "crm:P24_transferred_title_of", "crm:E18_Physical_Thing", 1, None),
    ("Verwerving", "overgedragenAan", "crm:P22_transferred_title_to", "dcterms:Agent", 0, None),
    ("Verwerving", "overgedragenVan", "crm:P23_transfered_title_from", "dcterms:Agent", 0, None),
    ("Bewaring", "overdrachtVan", "crm:P30_transferred_custody_of", "crm:E18_Physical_Thing", 1, None),
    ("Bewaring", "overgedragenAan", "crm:P29_custody_received_by", "dcterms:Agent", 0, None),
    ("Bewaring", "overgedragenVan", "crm:P28_custody_surrendered_by", "dcterms:Agent", 0, None),
    ("Verhuis", "verhuisd", "crm:P25_moved", "crm:E22_Man-Made_Object", 1, None),
    ("Verhuis", "verhuisdNaar", "crm:P26_moved_to", "prov:Location", 1, None),
    ("Verhuis", "verhuisdVan", "crm:P27_moved_from", "prov:Location", 1, None),
    ("Agent", "contactInfo", "crm:P76_has_contact_point", "schema:ContactPoint", 0, None),
    ("Agent", "residentie", "crm:P74_has_current_or_former_residence", "prov:Location", 0, None),
    ("Agent", "heeft", "crm:P75_possesses", "crm:E30_Right", 0, None),
    ("Agent", "oefentRechtUitOp", "crm:P105i_has_right_on", "crm:E72_Legal_Object", 0, None),
    ("Agent", "voerdeUit", "crm:P14i_performed", "crm:E7_Activity", 0, None),
    ("Agent", "inEigendomGekregen", "crm:P22i_acquired_title_through", "crm:E8_Acquisition", 0, None),
    ("Agent", "inEigendomGegeven", "crm:P23i_surrendered_title_through", "crm:E8_Acquisition", 0, None),
    ("Agent", "inBewaringGekregen", "crm:P29i_received_custody_through", "crm:E10_Transfer_of_Custody", 0, None),
    ("Agent", "inBewaringGegeven", "crm:P28i_surrendered_custody_through", "crm:E10_Transfer_of_Custody", 0, None),
    ("Organisatie", "voorkeursnaam", "skos:prefLabel", "rdf:langString", 1, 1),
    ("Persoon", "voornaam", "foaf:givenName", "xsd:string", 1, None),
    ("Persoon", "achternaam", "foaf:familyName", "xsd:string", 1, 1),
    ("Recht", "titel", "crm:P102_has_title", "rdf:langString", 0, None),
    ("Recht", "type", "crm:P2_has_type", "skos:Concept", 0, None),
    ("Recht", "beschrijving", "crm:P3_has_note", "ce:Beschrijving", 0, None),
    ("Recht", "isInBezitVan", "crm:P75i_is_possessed_by", "dcterms:Agent", 0, None),
    ("Recht", "isVanToepassingOp", "crm:P104i_applies_to", "crm:E72_Legal_Object", 0, None),
    ("WettelijkObject", "isOnderworpenAan", "crm:P104_is_subject_to", "crm:E30_Right", 0, None),
    ("WettelijkObject", "rechtenhouder", "crm:P105_right_held_by", "dcterms:Agent", 0, None),
    ("VisueelItem", "steltVoor", "crm:P138_represents", "crm:E1_CRM_Entity", 0, None),
    ("Document", "documenteert", "crm:P70_documents", "crm:E1_CRM_Entity", 1, None),
    ("Toekenning", "toegekendAan", "crm:P140_assigned_attribute_to", "crm:E1_CRM_Entity", 0, None),
    ("Toekenning", "toegekendAttribuut", "crm:P177_assigned_property_type", "xsd:anyURI", 1, None),
    ("Toekenning", "toegekendeWaarde", "crm:P141_assigned", "ce:Waarde", 0, None),
    ("TemporeleEntiteit", "tijd", "crm:P4_has_time-span", "edtf:EDTF", 1, 1),
    ("TemporeleEntiteit", "identificator", "crm:P1_is_identified_by", "adms:Identifier", 0, None),
    ("TemporeleEntiteit", "beschrijving", "crm:P3_has_note", "ce:Beschrijving", 0, None),
    ("TemporeleEntiteit", "type", "crm:P2_has_type", "skos:Concept", 0, None),
    ("Meting", "gemetenEntiteit", "crm:P39_measured", "crm:E1_CRM_Entity", 1, 1),
    ("Meting", "vastgesteldeWaarde", "crm:P40_observed_dimension", "crm:E54_Dimension", 1, None),
]

# What a property is called in messages: (Dutch, English), as a noun a collection manager uses.
NAMES: dict[str, tuple[str, str]] = {
    "crm:P102_has_title": ("titel", "title"),
    "crm:P45_consists_of": ("materiaal", "material"),
    "crm:P43_has_dimension": ("afmeting", "dimension"),
    "crm:P62_depicts": ("afgebeeld onderwerp", "depicted subject"),
    "crm:P128_carries": ("opschrift of merk", "inscription or mark"),
    "crm:P44_has_condition": ("conditie", "condition"),
    "crm:P55_has_current_location": ("huidige locatie", "current location"),
    "crm:P54_has_current_permanent_location": ("vaste standplaats", "permanent location"),
    "crm:P46i_forms_part_of": ("gecureerde collectie", "curated collection"),
    "crm:P25i_moved_by": ("verhuis", "move"),
    "crm:P108i_was_produced_by": ("productie", "production"),
    "crm:P50_has_current_keeper": ("beheerder", "keeper"),
    "crm:P52_has_current_owner": ("eigenaar", "owner"),
    "crm:P24i_changed_ownership_through": ("verwerving", "acquisition"),
    "crm:P30i_custody_transferred_through": ("overdracht van bewaring", "transfer of custody"),
    "crm:P46_is_composed_of": ("onderdeel", "part"),
    "crm:P34i_was_assessed_by": ("conditiebeoordeling", "condition assessment"),
    "crm:P31i_was_modified_by": ("wijziging", "modification"),
    "crm:P13i_was_destroyed_by": ("vernietiging", "destruction"),
    "crm:P110i_was_augmented_by": ("uitbreiding", "augmentation"),
    "crm:P111i_was_added_by": ("toevoeging", "addition"),
    "crm:P112i_was_diminished_by": ("vermindering", "diminishment"),
    "crm:P113i_was_removed_by": ("verwijdering", "removal"),
    "adms:identifier": ("identificator", "identifier"),
    "crm:P3_has_note": ("beschrijving", "description"),
    "crm:P2_has_type": ("type", "type"),
    "crm:P41i_was_classified_by": ("classificatie", "classification"),
    "dcterms:isPartOf": ("collectie", "collection"),
    "crm:P67i_is_referred_to_by": ("verwijzing", "reference"),
    "crm:P129i_is_subject_of": ("document of beeld", "document or image"),
    "crm:P138i_has_representation": ("voorstelling", "representation"),
    "crm:P62i_is_depicted_by": ("afbeelding", "depiction"),
    "crm:P70i_is_documented_in": ("documentatie", "documentation"),
    "crm:P39i_was_measured_by": ("meting", "measurement"),
    "crm:P140i_was_attributed_by": ("toekenning", "attribute assignment"),
    "skos:notation": ("nummer", "number"),
    "dcterms:creator": ("toekennende instantie", "issuing agent"),
    "adms:schemaAgency": ("naam van de toekennende instantie", "name of the issuing agency"),
    "dcterms:issued": ("datum van toekenning", "date of issue"),
    "ce:tekst": ("tekst", "text"),
    "ce:type": ("type", "type"),
    "schema2:value": ("waarde", "value"),
    "schema2:unitText": ("eenheid", "unit"),
    "schema2:unitCode": ("standaardeenheid", "standard unit"),
    "crm:P4_has_time-span": ("datering", "date"),
    "crm:P109_has_current_or_former_curator": ("curator", "curator"),
    "crm:P53_has_former_or_current_location": ("locatie", "location"),
    "crm:P147i_was_curated_by": ("curatoractiviteit", "curation activity"),
    "dce:title": ("naam", "name"),
    "dcterms:hasPart": ("onderdeel", "part"),
    "crm:P94i_was_created_by": ("creatie", "creation"),
    "crm:P148_has_component": ("component", "component"),
    "crm:P190_has_symbolic_content": ("inhoud", "content"),
    "crm:P129_is_about": ("onderwerp", "subject"),
    "crm:P67_refers_to": ("verwijzing", "reference"),
    "crm:P128i_is_carried_by": ("drager", "carrier"),
    "crm:P165_incorporates": ("opgenomen informatie-object", "incorporated information object"),
    "crm:P7_took_place_at": ("plaats", "place"),
    "crm:P11_had_participant": ("deelnemer", "participant"),
    "crm:P14_carried_out_by": ("uitvoerder", "actor"),
    "crm:P32_used_general_technique": ("techniek", "technique"),
    "crm:P16_used_specific_object": ("gebruikt object", "object used"),
    "ce:Rol.activiteit": ("activiteit", "activity"),
    "ce:Rol.agent": ("agent", "agent"),
    "crm:P14.1_in_the_role_of": ("rol", "role"),
    "crm:P108_has_produced": ("product", "product"),
    "crm:P94_has_created": ("gecreëerd werk", "created work"),
    "crm:P41_classified": ("geclassificeerde entiteit", "classified entity"),
    "crm:P42_assigned": ("toegekend type", "assigned type"),
    "crm:P24_transferred_title_of": ("overgedragen object", "object transferred"),
    "crm:P22_transferred_title_to": ("nieuwe eigenaar", "new owner"),
    "crm:P23_transfered_title_from": ("vorige eigenaar", "former owner"),
    "crm:P30_transferred_custody_of": ("overgedragen object", "object transferred"),
    "crm:P29_custody_received_by": ("nieuwe bewaarder", "new custodian"),
    "crm:P28_custody_surrendered_by": ("vorige bewaarder", "former custodian"),
    "crm:P25_moved": ("verhuisd object", "object moved"),
    "crm:P26_moved_to": ("bestemming", "destination"),
    "crm:P27_moved_from": ("vertrekplaats", "origin"),
    "crm:P76_has_contact_point": ("contactpunt", "contact point"),
    "crm:P74_has_current_or_former_residence": ("verblijfplaats", "residence"),
    "crm:P75_possesses": ("recht", "right"),
    "crm:P105i_has_right_on": ("object waarop het rechten heeft", "object it holds rights on"),
    "crm:P14i_performed": ("uitgevoerde activiteit", "activity performed"),
    "crm:P22i_acquired_title_through": ("verwerving", "acquisition"),
    "crm:P23i_surrendered_title_through": ("afstand van eigendom", "surrender of title"),
    "crm:P29i_received_custody_through": ("ontvangst in bewaring", "receipt of custody"),
    "crm:P28i_surrendered_custody_through": ("afstand van bewaring", "surrender of custody"),
    "skos:prefLabel": ("voorkeursnaam", "preferred name"),
    "foaf:givenName": ("voornaam", "given name"),
    "foaf:familyName": ("achternaam", "family name"),
    "crm:P75i_is_possessed_by": ("rechthebbende", "right holder"),
    "crm:P104i_applies_to": ("object waarop het recht van toepassing is", "object the right applies to"),
    "crm:P104_is_subject_to": ("rechtenstatus", "rights statement"),
    "crm:P105_right_held_by": ("rechthebbende", "right holder"),
    "crm:P138_represents": ("voorgesteld onderwerp", "represented subject"),
    "crm:P70_documents": ("gedocumenteerde entiteit", "documented entity"),
    "crm:P140_assigned_attribute_to": ("entiteit", "entity"),
    "crm:P177_assigned_property_type": ("toegekende eigenschap", "assigned property type"),
    "crm:P141_assigned": ("toegekende waarde", "assigned value"),
    "crm:P1_is_identified_by": ("identificator", "identifier"),
    "crm:P39_measured": ("gemeten entiteit", "measured entity"),
    "crm:P40_observed_dimension": ("vastgestelde afmeting", "observed dimension"),
}

# What a value must be, in messages: (Dutch, English).
RANGE_NAMES: dict[str, tuple[str, str]] = {
    "crm:E1_CRM_Entity": ("CRM-entiteit", "CRM entity"),
    "crm:E3_Condition_State": ("conditiestatus", "condition state"),
    "crm:E6_Destruction": ("vernietiging", "destruction"),
    "crm:E7_Activity": ("activiteit", "activity"),
    "crm:E8_Acquisition": ("verwerving", "acquisition"),
    "crm:E9_Move": ("verhuis", "move"),
    "crm:E10_Transfer_of_Custody": ("overdracht van bewaring", "transfer of custody"),
    "crm:E11_Modification": ("wijziging", "modification"),
    "crm:E12_Production": ("productie", "production"),
    "crm:E13_Attribute_Assignment": ("toekenning", "attribute assignment"),
    "crm:E14_Condition_Assessment": ("conditiebeoordeling", "condition assessment"),
    "crm:E16_Measurement": ("meting", "measurement"),
    "crm:E17_Type_Assignment": ("classificatie", "classification"),
    "crm:E18_Physical_Thing": ("fysiek ding", "physical thing"),
    "crm:E22_Man-Made_Object": ("mensgemaakt object", "human-made object"),
    "crm:E25_Man-Made_Feature": ("mensgemaakt kenmerk", "human-made feature"),
    "crm:E28_Conceptual_Object": ("conceptueel object", "conceptual object"),
    "crm:E30_Right": ("recht", "right"),
    "crm:E31_Document": ("document", "document"),
    "crm:E36_Visual_Item": ("visueel item", "visual item"),
    "crm:E54_Dimension": ("afmeting", "dimension"),
    "crm:E65_Creation": ("creatie", "creation"),
    "crm:E70_Thing": ("ding", "thing"),
    "crm:E72_Legal_Object": ("juridisch object", "legal object"),
    "crm:E73_Information_Object": ("informatie-object", "information object"),
    "crm:E78_Collection": ("gecureerde collectie", "curated collection"),
    "crm:E79_Part_Addition": ("toevoeging van onderdelen", "part addition"),
    "crm:E80_Part_Removal": ("verwijdering van onderdelen", "part removal"),
    "crm:E87_Curation_Activity": ("curatoractiviteit", "curation activity"),
    "adms:Identifier": ("identificator", "identifier"),
    "ce:Beschrijving": ("beschrijving (ce:Beschrijving)", "description (ce:Beschrijving)"),
    "ce:Waarde": ("waarde (ce:Waarde)", "value (ce:Waarde)"),
    "dcmitype:Collection": ("collectie", "collection"),
    "dcterms:Agent": ("persoon of organisatie", "person or organisation"),
    "generiek:StandaardEenheid": ("standaardeenheid", "standard unit"),
    "m8g:PeriodOfTime": ("periode", "period of time"),
    "prov:Location": ("locatie", "location"),
    "schema:ContactPoint": ("contactpunt", "contact point"),
    "skos:Concept": ("term uit een thesaurus (skos:Concept)", "thesaurus term (skos:Concept)"),
    "rdf:langString": ("tekst met een taal", "text with a language"),
    "xsd:string": ("tekst zonder taal", "text without a language"),
    "xsd:dateTime": ("datum en tijd (xsd:dateTime)", "date and time (xsd:dateTime)"),
    "xsd:anyURI": ("URI", "URI"),
    "edtf:EDTF": ("datum in EDTF", "EDTF date"),
    "schema2:Number": ("getal", "number"),
    "rdfs:Literal": ("letterlijke waarde", "literal"),
}

DATATYPES = frozenset({"rdf:langString", "xsd:string", "xsd:dateTime", "xsd:anyURI", "edtf:EDTF"})
# schema.org's Number is a data type, not a class: the numeric XSD types stand for it.
NUMBER_DATATYPES = ("xsd:decimal", "xsd:integer", "xsd:double", "xsd:float")
# Where the Object AP (rdf:langString) and the Event AP (ce:Beschrijving) disagree on the
# range of crm:P3_has_note, a value of either kind is accepted.
NOTE = "crm:P3_has_note"

# Rules that do not apply to nodes of some classes (rule id → classes, reason), so that a
# warning is one a partner can act on:
_CLASSIFICATION = (
    "the Classificatie oogst writes records how the object is classified (objectnaam); no partner "
    "source gives it a date, a place or an actor"
)
EXEMPT: dict[str, tuple[tuple[str, ...], str]] = {
    "Gebeurtenis.plaats.min": (("crm:E17_Type_Assignment",), _CLASSIFICATION),
    "Activiteit.uitgevoerdDoor.min": (("crm:E17_Type_Assignment",), _CLASSIFICATION),
    "TemporeleEntiteit.tijd.min": (("crm:E17_Type_Assignment",), _CLASSIFICATION),
    "Toekenning.toegekendAttribuut.min": (
        ("crm:E17_Type_Assignment",),
        "a Classificatie (E17, a subclass of E13 in CRM) assigns a type: its property is implicitly "
        "crm:P2_has_type, and the AP models Classificatie as an Activiteit, not a Toekenning",
    ),
    "ConceptueelDing.creatie.min": (
        ("crm:E30_Right", "crm:E73_Information_Object"),
        "a Recht (E30), an inscription or a digital image (E73; CRMdig D1 ⊂ E73) is a conceptual "
        "object in CRM, but no partner source describes its creation",
    ),
}


@dataclass(frozen=True)
class Rule:
    """One constraint of one AP property: a property shape (or, when exempt, a node shape)."""

    klasse: str
    eigenschap: str
    path: str
    kind: str  # "min" | "max" | "range"
    count: int | None = None
    ranges: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"oslo-ap:{self.klasse}.{self.eigenschap}.{self.kind}"


def _rules(superclasses: dict[str, list[str]]) -> list[Rule]:
    """The AP rows as rules: one per cardinality and one per range (ranges of rows with the
    same class and path are alternatives); a rule a superclass already states is left out."""
    ranges: dict[tuple[str, str, str], list[str]] = {}
    rules: list[Rule] = []
    for klasse, eigenschap, path, range_, low, high in PROPERTIES:
        if low:
            rules.append(Rule(klasse, eigenschap, path, "min", low))
        if high is not None:
            rules.append(Rule(klasse, eigenschap, path, "max", high))
        alternatives = ranges.setdefault((klasse, eigenschap, path), [])
        alternatives += ["rdf:langString", "ce:Beschrijving"] if path == NOTE else [range_]
    rules += [Rule(k, e, p, "range", ranges=tuple(dict.fromkeys(r))) for (k, e, p), r in ranges.items()]

    def supers(klasse: str) -> set[str]:
        target = "crm:E22_Human-Made_Object" if klasse == "MensgemaaktObject" else CLASSES[klasse]
        return set(superclasses.get(_expand(target), ()))

    def constraint(rule: Rule) -> tuple[str, str, int | None, tuple[str, ...]]:
        return rule.path, rule.kind, rule.count, rule.ranges

    by_class: dict[str, set[tuple[str, str, int | None, tuple[str, ...]]]] = {}
    for rule in rules:
        by_class.setdefault(_expand(CLASSES[rule.klasse]), set()).add(constraint(rule))
    return sorted(
        (r for r in rules if not any(constraint(r) in by_class.get(s, ()) for s in supers(r.klasse))),
        key=lambda r: (list(CLASSES).index(r.klasse), r.eigenschap, ("min", "max", "range").index(r.kind)),
    )


# -- writing Turtle ----------------------------------------------------------------------------


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def _literal(text: str, lang: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "@" + lang


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _range_terms(range_: str) -> list[str]:
    """One range as SHACL constraints (a class may be written with its CRM 6 or 7 name)."""
    if range_ == "schema2:Number":
        return [f"sh:datatype {d}" for d in NUMBER_DATATYPES]
    if range_ == "rdfs:Literal":
        return ["sh:nodeKind sh:Literal"]
    if range_ in DATATYPES:
        return [f"sh:datatype {range_}"]
    if range_ == "crm:E22_Man-Made_Object":
        return [f"sh:class {name}" for name in E22_NAMES]
    if range_ == "crm:E25_Man-Made_Feature":
        return ["sh:class crm:E25_Man-Made_Feature", "sh:class crm:E25_Human-Made_Feature"]
    return [f"sh:class {range_}"]


def _messages(rule: Rule) -> tuple[str, str]:
    nl, en = NAMES[rule.path]
    if rule.kind == "min":
        return (
            f"{{subject}} heeft geen {nl} ({{source}} ontbreekt). Het OSLO-applicatieprofiel vraagt er minstens één.",
            f"{{subject}} has no {en} ({{source}} is missing). The OSLO application profile asks for at least one.",
        )
    if rule.kind == "max":
        return (
            f"{{subject}} heeft meer dan één {nl} ({{source}}). Het OSLO-applicatieprofiel staat er maar één toe.",
            f"{{subject}} has more than one {en} ({{source}}). The OSLO application profile allows only one.",
        )
    if rule.ranges == ("rdf:langString",):
        return (
            f"{{subject}} heeft een {nl} zonder taal: '{{value}}' ({{source}}). "
            "Geef de taal mee (bv. xml:lang=\"nl\").",
            f"{{subject}} has {_a(en)} without a language: '{{value}}' ({{source}}). "
            "Give its language (e.g. xml:lang=\"nl\").",
        )
    want_nl = " of ".join(RANGE_NAMES[r][0] for r in rule.ranges)
    want_en = " or ".join(RANGE_NAMES[r][1] for r in rule.ranges)
    return (
        f"{{subject}} heeft als {nl} '{{value}}', maar dat is geen {want_nl} ({{source}}).",
        f"{{subject}} has '{{value}}' as {en}, which is not {_a(want_en)} ({{source}}).",
    )


def _constraint(rule: Rule) -> list[str]:
    if rule.kind == "min":
        return [f"sh:minCount {rule.count}"]
    if rule.kind == "max":
        return [f"sh:maxCount {rule.count}"]
    terms = [t for r in rule.ranges for t in _range_terms(r)]
    if len(terms) == 1:
        return terms
    return ["sh:or ( " + " ".join(f"[ {t} ]" for t in terms) + " )"]


def _shape(rule: Rule) -> str:
    nl, en = NAMES[rule.path]
    message_nl, message_en = _messages(rule)
    lines = [f"{rule.id}"]
    exempt = EXEMPT.get(rule.id.split(":", 1)[1])
    if exempt is None:
        lines += ["    a sh:PropertyShape ;", f"    sh:path {rule.path} ;"]
        lines += [f"    {c} ;" for c in _constraint(rule)]
    else:
        # The rule holds unless the node is one of the exempt classes.
        lines += ["    a sh:NodeShape ;", f"    sh:targetClass {CLASSES[rule.klasse]} ;"]
        unless = " ".join(f"[ sh:class {c} ]" for c in exempt[0])
        lines.append(f"    sh:or ( {unless} [ sh:path {rule.path} ; {' ; '.join(_constraint(rule))} ] ) ;")
    lines += [
        f"    sh:name {_literal(nl, 'nl')}, {_literal(en, 'en')} ;",
        "    sh:severity sh:Warning ;",
        f"    sh:message\n        {_literal(message_nl, 'nl')},\n        {_literal(message_en, 'en')} .",
    ]
    return "\n".join(lines) + "\n"


HEADER = """\
# oogst's OSLO application-profile shapes: warnings, never a reason to quarantine a record.
#
# GENERATED by shapes/generate.py from its table of the OSLO Cultureel Erfgoed Object and
# Event application profiles (erkende standaard 2021-04-22, Modellicentie Gratis Hergebruik
# v1.0); edit the table there and run `python -m oogst.shapes.generate`, not this file.
#
# Every cardinality and every range of the profile is a rule of its own, with an id such as
# oslo-ap:Productie.product.min, severity sh:Warning, and a message in Dutch and English that
# shapes/validate.py fills in ({subject}: the object or one of its parts, {source}: the
# partner's field, {value}: the offending value).
#
# Validate after materialising types (shapes/materialise.py: classes from the OSLO property
# ranges, then CIDOC-CRM superclasses from crm-superclasses.json), not after RDFS inference.
#
# Where this file deviates from the published SHACL, and why:
#  * Shapes are named (one per rule) and every node shape targets a class: the published
#    event AP targets the properties ce:Rol.activiteit and ce:Rol.agent as classes, and has
#    <https://wherever/TODO> as a class; here those are crm:E7_Activity, dcterms:Agent,
#    skos:Concept and prov:Location (oslo-model.md, table A).
#  * Two ranges for one property of one class (InformatieObject.drager, GecureerdeCollectie.
#    bestaatUit: E22 and E25) are alternatives (sh:or); as published, every value failed one.
#  * crm:E22/E25 ranges and targets accept the CRM 6 (Man-Made) and CRM 7 (Human-Made) names.
#  * crm:P3_has_note accepts a text with a language or a ce:Beschrijving everywhere: the Object
#    AP says the one, the Event AP the other, and CRM inheritance applies both to one node.
#  * schema:Number (Dimensie.waarde) is a data type: a numeric XSD literal passes. rdfs:Literal
#    (Identificator.identificator) means any literal (sh:nodeKind), not the datatype rdfs:Literal.
#  * A rule that a superclass's shape states already (same path and constraint) is left out, so
#    one gap gives one warning (e.g. TemporeleEntiteit.tijd covers Gebeurtenis.tijd).
"""


def oslo_ap_turtle(superclasses: dict[str, list[str]]) -> str:
    """The text of ``oslo-ap.ttl``."""
    rules = _rules(superclasses)
    exempt = "".join(
        textwrap.fill(f"{rule} does not apply to {', '.join(classes)}: {reason}.", 92,
                      initial_indent="#  * ", subsequent_indent="#    ") + "\n"
        for rule, (classes, reason) in EXEMPT.items()
    )
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    nodes = []
    for klasse, target in CLASSES.items():
        members = [r.id for r in rules if r.klasse == klasse and r.id.split(":", 1)[1] not in EXEMPT]
        targets = ", ".join(E22_NAMES) if klasse == "MensgemaaktObject" else target
        node = [f"oslo-ap:{klasse}", "    a sh:NodeShape ;", f"    sh:name {_literal(klasse, 'nl')} ;",
                f"    sh:targetClass {targets} ;"]
        if members:
            node.append("    sh:property\n        " + ",\n        ".join(members) + " ;")
        nodes.append("\n".join(node)[:-2] + " .\n")
    body = "\n".join(nodes) + "\n" + "\n".join(_shape(rule) for rule in rules)
    return HEADER + exempt + "\n" + prefixes + "\n" + body


# -- the CRM superclass table ------------------------------------------------------------------


def _classes_used(rules: Iterable[Rule]) -> set[str]:
    """Classes (full IRIs) whose superclasses the materialiser may need."""
    from .materialise import RANGES  # the classes the materialiser itself adds

    used = {_expand(c) for c in (*CLASSES.values(), *E22_NAMES, "crm:E25_Human-Made_Feature")}
    used |= {_expand(r) for rule in rules for r in rule.ranges}
    used |= {c for pair in RANGES.values() for c in pair if c}
    return used


def crm_superclasses(rdf: Path) -> dict[str, list[str]]:
    """The superclass table, from the CIDOC-CRM RDFS file."""
    from rdflib import RDFS, Graph, URIRef

    graph = Graph().parse(rdf)
    crm, dig = PREFIXES["crm"], PREFIXES["crmdig"]

    def closure(iri: str) -> list[str]:
        return sorted(str(c) for c in graph.transitive_objects(URIRef(iri), RDFS.subClassOf) if str(c) != iri)

    table: dict[str, list[str]] = {}
    # The rules need the table (to leave out what a superclass states); the CRM part of the
    # table does not depend on which rules are left out, so the full rule list is used here.
    for iri in sorted(_classes_used(_rules({}))):
        if iri.startswith(crm) and (URIRef(iri), None, None) in graph:
            table[iri] = closure(iri)
    # CRM 6 names of the 2021 AP, and CRMdig's digital object (D1 ⊂ E73 in CRMdig 3.2).
    for alias, cls in (
        (crm + "E22_Man-Made_Object", crm + "E22_Human-Made_Object"),
        (crm + "E25_Man-Made_Feature", crm + "E25_Human-Made_Feature"),
        (dig + "D1_Digital_Object", crm + "E73_Information_Object"),
    ):
        table[alias] = sorted({cls, *closure(cls)})
    return {k: v for k, v in sorted(table.items()) if v}


def superclasses_json(table: dict[str, list[str]]) -> str:
    return json.dumps(table, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a shipped file is out of date")
    args = parser.parse_args(argv)
    outputs: dict[Path, str] = {}
    if CRM_RDF.is_file():
        table = crm_superclasses(CRM_RDF)
        outputs[SUPERCLASSES_FILE] = superclasses_json(table)
    else:
        print(f"{CRM_RDF} not found: keeping {SUPERCLASSES_FILE.name} as it is", file=sys.stderr)
        table = json.loads(SUPERCLASSES_FILE.read_text("utf-8"))
    outputs[OSLO_AP_FILE] = oslo_ap_turtle(table)
    stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.name} is out of date: run python -m oogst.shapes.generate", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path], "utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
