"""Write the ``records.xml`` of the sample partners in Adlib, MODS, qualified DC, EAD and
MARCXML, from the curated content below (the LIDO and oai_dc partners are in
``make_samples.py``, whose OAI-PMH helpers this script uses)::

    .venv/bin/python data/samples/make_format_samples.py          # rewrite the five records.xml
    .venv/bin/python data/samples/make_format_samples.py --check  # fail if a file is out of date

The institutions, their inventory numbers, shelf marks and web addresses are fictional; the
artists, authors, places, vocabularies and rights statements are real. Titles and
descriptions are our own. ``README.md`` lists the deleted and deliberately invalid records.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lxml import etree

import make_samples as ms

HERE = Path(__file__).resolve().parent
XLINK = "http://www.w3.org/1999/xlink"
MODS = "http://www.loc.gov/mods/v3"
MARC = "http://www.loc.gov/MARC21/slim"
EAD2002 = "urn:isbn:1-931666-22-9"
EAD3 = "http://ead3.archivists.org/schema/"
QDC = "http://worldcat.org/xmlschemas/qdc-1.0/"
DC, DCTERMS = "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"
XML_LANG = ms.XML_LANG
AAT = ms.AAT
PDM, CC0, CC_BY, CC_BY_SA, INC, CNE = ms.PDM, ms.CC0, ms.CC_BY, ms.CC_BY_SA, ms.INC, ms.CNE


def sub(parent: etree._Element, tag: str, text: str | None = None, /, **attrs: str | None) -> etree._Element:
    """A child element; ``lang`` becomes xml:lang, ``xlink_href`` xlink:href."""
    element = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        if value is None:
            continue
        name = XML_LANG if key == "xml_lang" else f"{{{XLINK}}}href" if key == "xlink_href" else key.replace("_", ".")
        element.set(name, value)
    if text is not None:
        element.text = text
    return element


# --------------------------------------------------------------------------------------------
# Adlib: Museum De Leiegaard, Wevelgem (adlibXML, grouped and ungrouped)
# --------------------------------------------------------------------------------------------
LEIEGAARD = "Museum De Leiegaard"
LEIEGAARD_WEB = "https://collectie.leiegaard.be"

ADLIB_RECORDS = [
    dict(inv="LG.1998.001", priref="4001", set="schilderijen", datestamp="2024-02-05T10:15:00Z",
         name="schilderij", category="schilderkunst",
         titles=[("De vlasoogst", "nl")], translations=[("La récolte du lin", "fr"), ("The flax harvest", "en")],
         description="Boerinnen binden het gerooide vlas tot kapellen op een veld langs de Leie; het "
                     "tegenlicht speelt door de stengels.",
         makers=[("claus", "schilder", None)], start="1904", end="1904", place="Astene",
         materials=["olieverf", "doek"], dims=[("hoogte", "92", "cm"), ("breedte", "121,5", "cm")],
         inscription=("signatuur", "Emile Claus 1904", "rechtsonder"),
         acquisition=("schenking", "1998-05-12", "Familie Van den Bossche"),
         subjects=["vlas", "landschap"], iconclass=["47D12"], rights=PDM, master_file=True),
    dict(inv="LG.2001.014", priref="4002", set="schilderijen", datestamp="2024-02-05T10:15:00Z",
         name="schilderij", category="schilderkunst",
         titles=[("Leielandschap met vlasrooters", "nl")], translations=[("Paysage de la Lys", "fr")],
         description="Een brede, stille Leiebocht met vlasrooters in de voorgrond en knotwilgen aan de oever.",
         makers=[("saedeleer", "schilder", None)], start="1900", start_prec="ca.", end="1905",
         materials=["olieverf", "doek"], dims=[("hoogte", "65", "cm"), ("breedte", "80", "cm")],
         subjects=["vlas", "rivier"], rights=PDM, no_institution=True),
    dict(inv="LG.1999.010", priref="4003", set="schilderijen", datestamp="2024-06-17T08:40:12Z",
         name="schilderij", category="schilderkunst",
         titles=[("Zonnige dag aan de Leie", "nl")],
         description="Een amateurkopie naar een bekend Leiegezicht van Emile Claus, geschilderd door een "
                     "leerling van de Gentse academie.",
         makers=[("anon", None, None), ("claus", None, "kopie naar")], start="1925", start_prec="ca.",
         materials=["olieverf", "karton"], dims=[("hoogte", "38", "cm"), ("breedte", "46", "cm")],
         subjects=["rivier"], rights=PDM),
    dict(inv="LG.1975.003", priref="4004", set="textiel", datestamp="2024-06-17T08:40:12Z", grouped=False,
         name="kraag", category="textiel",
         titles=[("Kraag in Valenciennes-kant", "nl")], translations=[("Lace collar, Valenciennes lace", "en")],
         description="Smalle kraag in kloskant met bloemranken, gemaakt in een kantschool in de streek van "
                     "Kortrijk.",
         makers=[("anon", "kantwerkster", None)], start="1850", end="1875", start_prec="ca.", end_prec="ca.",
         place="Kortrijk", materials=["linnen"], techniques=["kloskant"],
         dims=[("lengte", "42", "cm"), ("breedte", "6,5", "cm")], subjects=["kant"], rights=CC0),
    dict(inv="LG.1982.022", priref="4005", set="gebruiksvoorwerpen", datestamp="2024-09-02T14:05:40Z",
         grouped=False, name="weefgetouw", category="werktuigen",
         titles=[("Handweefgetouw voor linnen", "nl")],
         description="Weefgetouw uit een boerderij in Bissegem, waarop tot in de jaren 1920 huislinnen werd "
                     "geweven.",
         makers=[("anon", None, None)], start="1880", end="1900", place="Bissegem",
         materials=["eikenhout", "ijzer"], dims=[("hoogte", "185", "cm"), ("breedte", "160", "cm"),
                                                 ("diepte", "190", "cm")],
         acquisition=("aankoop", "1982", None), subjects=["weven"], rights=CC0),
    dict(inv="LG.2003.018", priref="4006", set="gebruiksvoorwerpen", datestamp="2024-09-02T14:05:40Z",
         name="zwingelspaan", category="werktuigen", multilingual=True,
         titles=[("Zwingelspaan", "nl-NL"), ("Espade à teiller le lin", "fr-FR")],
         description="Houten spaan waarmee de houtige delen van het gebroken vlas werden weggeslagen.",
         makers=[("anon", None, None)], period="19de eeuw", materials=["beukenhout"],
         dims=[("lengte", "58", "cm")], subjects=["vlasbewerking"], rights=CC0),
    dict(inv="LG.2012.002", priref="4007", set="textiel", datestamp="2025-01-20T09:30:00Z",
         name="wandtapijt", category="textiel",
         titles=[("Verdure met vlasvelden", "nl")], translations=[("Verdure aux champs de lin", "fr")],
         description="Fragment van een verdure met een landschap van vlasvelden, bomen en een kasteel in de "
                     "verte, geweven in Oudenaarde.",
         makers=[("anon", "wever", "atelier van")], period="17de eeuw", place="Oudenaarde",
         materials=["wol", "zijde"], dims=[("hoogte", "210", "cm"), ("breedte", "145", "cm")],
         subjects=["landschap"], rights=PDM, master_file=True),
    dict(inv="LG.2005.007", priref="4008", set="affiches-en-fotos", datestamp="2025-01-20T09:30:00Z",
         name="affiche", category="grafiek",
         titles=[("Vlasfeesten Wevelgem 1936", "nl")],
         description="Aankondiging van de vlasfeesten met een optocht van praalwagens en een "
                     "vlaskoninginnenverkiezing.",
         makers=[("anon", "ontwerper", None)], start="1936", materials=["papier"], techniques=["offsetdruk"],
         dims=[("hoogte", "60", "cm"), ("breedte", "40", "cm")], subjects=["feesten"],
         rights=CNE, credit="Schenking Heemkundige Kring Wevelgem, 2005"),
    dict(inv="LG.2010.031", priref="4009", set="affiches-en-fotos", datestamp="2025-06-03T11:22:09Z",
         name="foto", category="fotografie",
         titles=[("Vlasrooters aan het werk", "nl")], translations=[("Arracheurs de lin au travail", "fr")],
         description="Een ploeg seizoenarbeiders rooit vlas met de hand; rechts een kar met gebundeld vlas.",
         makers=[("anon", "fotograaf", None)], start="1925", start_prec="ca.", place="Wevelgem",
         materials=["fotopapier"], techniques=["zilvergelatinedruk"],
         dims=[("hoogte", "12", "cm"), ("breedte", "17", "cm")], subjects=["vlas", "seizoenarbeid"], rights=PDM),
    dict(inv="LG.1998.045", priref="4010", set="affiches-en-fotos", datestamp="2025-06-03T11:22:09Z",
         name="houtsnede", category="grafiek",
         titles=[("De vlasser", "nl")],
         description="Houtsnede van een vlasarbeider die zich over de roottput buigt.",
         makers=[("masereel", "graveur", None)], start="1932", materials=["papier"], techniques=["houtsnede"],
         dims=[("hoogte", "24", "cm"), ("breedte", "18", "cm")], subjects=["vlas"],
         rights=INC, holder="SABAM Belgium"),
    # deliberately invalid: no title and no description
    dict(inv="LG.2019.004", priref="4011", set="textiel", datestamp="2026-02-09T13:00:00Z",
         name="staal", category="textiel", titles=[], description=None,
         makers=[("anon", None, None)], start="1930", materials=["linnen"], rights=CC0),
    # deliberately invalid: a date that does not exist
    dict(inv="LG.1987.011", priref="4012", set="gebruiksvoorwerpen", datestamp="2026-02-09T13:00:00Z",
         name="braakmachine", category="werktuigen",
         titles=[("Vlasbraak", "nl")], description="Houten braak om de stengels van het geroot vlas te kraken.",
         makers=[("anon", None, None)], start="1887-02-30", materials=["eikenhout"], rights=CC0),
    # deliberately invalid: no object number (only the Adlib record number)
    dict(inv=None, priref="4013", set="gebruiksvoorwerpen", datestamp="2026-02-09T13:00:00Z",
         name="haspel", category="werktuigen",
         titles=[("Garenhaspel", "nl")], description="Haspel om gesponnen linnengaren tot strengen te winden.",
         makers=[("anon", None, None)], start="1890", start_prec="ca.", materials=["beukenhout"], rights=CC0),
    # deliberately invalid: no rights
    dict(inv="LG.2021.001", priref="4014", set="affiches-en-fotos", datestamp="2026-02-09T13:00:00Z",
         name="foto", category="fotografie",
         titles=[("Roottput aan de Leie", "nl")], description="Vlasbundels liggen te roten in een put langs de Leie.",
         makers=[("anon", "fotograaf", None)], start="1930", materials=["fotopapier"], rights=None),
]
ADLIB_DELETED = [("LG.1998.002", "schilderijen", "2025-01-20T10:00:00Z"),
                 ("LG.2001.015", "textiel", "2026-02-09T14:00:00Z")]


def _adlib_value(parent: etree._Element, tag: str, text: str, *, linked: str | None = None) -> etree._Element:
    """A field: plain text, or a linked record (``<tag><term>…</term></tag>``)."""
    field = sub(parent, tag)
    if linked:
        sub(field, linked, text)
    else:
        field.text = text
    return field


def adlib_record(rec: dict) -> etree._Element:
    grouped = rec.get("grouped", True)
    record = etree.Element("record", priref=rec["priref"], created="2021-03-01T09:00:00",
                           modification=rec["datestamp"].replace("Z", ""))
    occ: dict[str, int] = {}

    def group(name: str, fields: list[tuple[str, str, str | None]]) -> None:
        """A group of (field, text, linked-child) — as a group element, or ungrouped with occ."""
        if grouped:
            holder = sub(record, name)
            for tag, text, linked in fields:
                _adlib_value(holder, tag, text, linked=linked)
        else:
            n = occ[name] = occ.get(name, 0) + 1
            for tag, text, linked in fields:
                _adlib_value(record, tag, text, linked=linked).set("occ", str(n))

    sub(record, "priref", rec["priref"])
    if rec["inv"]:
        sub(record, "object_number", rec["inv"])
    if not rec.get("no_institution"):
        _adlib_value(record, "institution.name", LEIEGAARD, linked="name")
        sub(record, "institution.code", "BE-WVG-LG")
    group("Object_name", [("object_name", rec["name"], "term")])
    sub(record, "object_category", rec["category"])
    for title, lang in rec["titles"]:
        if rec.get("multilingual"):
            holder = sub(record, "Title") if grouped else record
            field = sub(holder, "title")
            for text, value_lang in rec["titles"]:
                sub(field, "value", text, lang=value_lang)
            break
        group("Title", [("title", title, None)])
    for title, lang in rec.get("translations", ()):
        group("Title_translation", [("title.translation", title, None), ("title.translation.language", lang, None)])
    if rec.get("description"):
        group("Description", [("description", rec["description"], None)])
    for actor, role, qualifier in rec["makers"]:
        a = ms.A[actor]
        fields = [("creator", a.name, "name")]
        if a.adlib:
            fields.append(("creator.lref", a.adlib, None))
        if role:
            fields.append(("creator.role", role, "term"))
        if qualifier:
            fields.append(("creator.qualifier", qualifier, None))
        if a.born:
            fields.append(("creator.date_of_birth", a.born, None))
        if a.died:
            fields.append(("creator.date_of_death", a.died, None))
        if rec.get("place") and actor == rec["makers"][0][0]:
            fields.append(("production.place", rec["place"], "term"))
        group("Production", fields)
        if grouped and (a.rkd or a.wikidata):
            creator = record.findall("Production")[-1].find("creator")
            source = sub(creator, "Source")
            sub(source, "source.number", f"https://rkd.nl/explore/artists/{a.rkd}" if a.rkd
                else f"http://www.wikidata.org/entity/{a.wikidata}")
    dates = [(k, rec[k]) for k in ("start", "start_prec", "end", "end_prec", "period") if rec.get(k)]
    if dates:
        names = {"start": "production.date.start", "start_prec": "production.date.start.prec",
                 "end": "production.date.end", "end_prec": "production.date.end.prec", "period": "production.period"}
        group("Production_date", [(names[k], v, None) for k, v in dates])
    for material in rec.get("materials", ()):
        group("Material", [("material", material, "term")])
    for technique in rec.get("techniques", ()):
        group("Technique", [("technique", technique, "term")])
    for kind, value, unit in rec.get("dims", ()):
        group("Dimension", [("dimension.type", kind, "term"), ("dimension.value", value, None),
                            ("dimension.unit", unit, "term")])
    if rec.get("inscription"):
        kind, content, position = rec["inscription"]
        group("Inscription", [("inscription.type", kind, None), ("inscription.content", content, None),
                              ("inscription.position", position, None)])
    if rec.get("acquisition"):
        method, date, source = rec["acquisition"]
        _adlib_value(record, "acquisition.method", method, linked="term")
        sub(record, "acquisition.date", date)
        if source:
            group("Acquisition_source", [("acquisition.source", source, "name")])
    for subject in rec.get("subjects", ()):
        group("Content_subject", [("content.subject", subject, "term")])
    for code in rec.get("iconclass", ()):
        sub(record, "content.classification.code", code)
    key = rec["inv"] or f"priref-{rec['priref']}"
    group("Reproduction", [("reproduction.reference", f"{LEIEGAARD_WEB}/beeld/{key}.jpg", None),
                           ("reproduction.format", "image/jpeg", None)])
    if rec.get("master_file"):  # the museum's own copy: a path on its file server, as Adlib keeps it
        group("Reproduction", [("reproduction.reference", f"..\\beelden\\hoge resolutie\\{key}.tif", None)])
    sub(record, "URL", f"{LEIEGAARD_WEB}/object/{key}")
    if rec.get("rights"):
        fields = [("rights.type", rec["rights"], None)]
        if rec.get("holder"):
            fields.append(("rights.holder", rec["holder"], "name"))
        group("Rights", fields)
    if rec.get("credit"):
        sub(record, "credit_line", rec["credit"])
    wrapper = etree.Element("adlibXML")
    sub(wrapper, "recordList").append(record)
    return wrapper


def adlib_document() -> etree._ElementTree:
    records = [(f"oai:leiegaard.be:{r['inv'] or 'priref:' + r['priref']}", r["datestamp"], r["set"], adlib_record(r))
               for r in ADLIB_RECORDS]
    records += [(f"oai:leiegaard.be:{inv}", ds, spec, None) for inv, spec, ds in ADLIB_DELETED]
    return ms.list_records("https://collectie.leiegaard.be/oai", "adlib", records)


# --------------------------------------------------------------------------------------------
# MODS: Erfgoedbibliotheek Scheldeland, Dendermonde
# --------------------------------------------------------------------------------------------
SCHELDELAND = "Erfgoedbibliotheek Scheldeland"
SCHELDELAND_WEB = "https://catalogus.scheldeland.be"

MODS_RECORDS = [
    dict(shelf="EBS-OD-0007", set="oude-drukken", datestamp="2024-03-04T08:00:00Z", kind="text", lang="lat",
         titles=[("Flandria illustrata", None, "la")],
         names=[("Sanderus, Antonius", "personal", "aut", "1586-1664", None)],
         origin=dict(place="Coloniae Agrippinae", publisher="Cornelius ab Egmondt", issued="1641", end="1644"),
         extent="2 delen : ill. ; 34 cm", genre=("boeken", AAT + "300028051"),
         abstract="Topografische beschrijving van het graafschap Vlaanderen, met platen van steden, abdijen "
                  "en kastelen; deel 2 bevat het gezicht op Dendermonde.",
         subjects=[("topic", "topografie"), ("geographic", "Vlaanderen"), ("geographic", "Dendermonde")],
         rights=PDM, image=True),
    dict(shelf="EBS-KA-0003", set="kaarten", datestamp="2024-03-04T08:00:00Z", kind="cartographic",
         titles=[("Cours de l'Escaut entre Termonde et Anvers", None, "fr"),
                 ("Loop van de Schelde tussen Dendermonde en Antwerpen", "translated", "nl")],
         names=[("Ferraris, Joseph de", "personal", "ctg", "1726-1814", None)],
         origin=dict(created="1777", qualifier="approximate"),
         extent="1 kaart : handgekleurd ; 64 x 96 cm", genre=("kaarten", AAT + "300028094"),
         abstract="Blad uit de kabinetskaart van de Oostenrijkse Nederlanden, met dijken, veren en polders "
                  "langs de Schelde.",
         subjects=[("geographic", "Schelde"), ("topic", "rivieren")], rights=PDM, image=True),
    dict(shelf="EBS-FO-0112", set="fotos", datestamp="2024-07-22T12:30:00Z", kind="still image",
         titles=[("Grote Markt van Dendermonde tijdens de Ros Beiaardommegang", None, "nl")],
         names=[("Van Hamme, Gustaaf", "personal", "pht", None, None)],
         origin=dict(created="1913-05-25"),
         extent="1 foto : zilvergelatinedruk ; 13 x 18 cm", genre=("foto's", AAT + "300046300"),
         abstract="Het Ros Beiaard met de vier Heemskinderen trekt over de Grote Markt, voor het stadhuis en "
                  "het Vleeshuis.",
         subjects=[("topic", "Ros Beiaard"), ("topic", "ommegangen"), ("geographic", "Dendermonde")],
         rights=PDM, image=True),
    dict(shelf="EBS-B-0231", set="boeken", datestamp="2024-07-22T12:30:00Z", kind="text", lang="dut",
         titles=[("Het Ros Beiaard en zijn ommegang", None, "nl"), ("Ros Beiaard", "alternative", "nl")],
         names=[("Verhulst, Karel", "personal", "aut", None, None),
                ("Van den Broeck, Josephus", "personal", "fmo", None, None)],
         origin=dict(place="Dendermonde", publisher="Drukkerij Du Caju", issued="1890"),
         extent="112 p. : ill. ; 22 cm", genre=("boeken", AAT + "300028051"),
         abstract="Geschiedenis van de ommegang met het Ros Beiaard, van de middeleeuwen tot de uitgang van "
                  "1888. Exemplaar met ex-libris van een vroegere eigenaar.",
         subjects=[("topic", "Ros Beiaard"), ("topic", "volkskunde")],
         host="Reeks Dendermondse volkskunde", rights=PDM, image=False),
    dict(shelf="EBS-B-0318", set="boeken", datestamp="2024-11-12T09:45:00Z", kind="text", lang="fre",
         titles=[("Histoire de la ville de Termonde", None, "fr"),
                 ("Geschiedenis van de stad Dendermonde", "translated", "nl")],
         names=[("Dubois, Léon", "personal", "aut", None, None)],
         origin=dict(place="Gand", issued="ca. 1880"),
         extent="2 vol. ; 24 cm", genre=("boeken", AAT + "300028051"),
         abstract="Stadsgeschiedenis in het Frans, van de Romeinse tijd tot de afbraak van de vestingwerken.",
         subjects=[("topic", "stadsgeschiedenis"), ("geographic", "Dendermonde")], rights=PDM, image=False),
    dict(shelf="EBS-B-0402", set="boeken", datestamp="2024-11-12T09:45:00Z", kind="text", lang="eng",
         titles=[("The Scheldt valley: a guide for travellers", None, "en")],
         names=[("Whitcombe, Henry", "personal", "aut", None, None)],
         origin=dict(place="London", issued="1910"),
         extent="xii, 186 p. : maps ; 17 cm", genre=("reisgidsen", None),
         abstract="English travel guide to the towns along the Scheldt, with walks in Dendermonde and "
                  "Temse and the ferry timetables.",
         subjects=[("topic", "reisgidsen"), ("geographic", "Schelde")], rights=PDM, image=False),
    dict(shelf="EBS-PK-0044", set="fotos", datestamp="2025-03-10T15:10:00Z", kind="still image",
         titles=[("Termonde. — Le Béguinage", None, "fr")],
         names=[("Thill, Ernest (Nels)", "personal", "pbl", None, None)],
         origin=dict(created="1905", qualifier="approximate"),
         extent="1 prentkaart : lichtdruk ; 9 x 14 cm", genre=("prentkaarten", AAT + "300026816"),
         abstract="Het begijnhof van Dendermonde met de kerk en de rij huisjes langs het plein.",
         subjects=[("topic", "begijnhoven"), ("geographic", "Dendermonde")], rights=PDM, image=True),
    dict(shelf="EBS-HS-0009", set="boeken", datestamp="2025-03-10T15:10:00Z", kind="text", manuscript=True,
         lang="dut",
         titles=[("Rekeningen van de Sint-Gillisgilde", None, "nl")],
         names=[("Sint-Gillisgilde (Dendermonde)", "corporate", "cre", None, None)],
         origin=dict(created="1702", end="1750"),
         extent="1 register ; 31 cm", genre=("rekeningen", None),
         abstract="Register met de inkomsten en uitgaven van de gilde, met de kosten van de jaarlijkse "
                  "processie.",
         subjects=[("topic", "gilden")], rights=PDM, image=True),
    dict(shelf="EBS-KA-0011", set="kaarten", datestamp="2025-09-01T07:55:00Z", kind="cartographic",
         titles=[("Plan van de vesting Dendermonde", None, "nl")],
         names=[("anoniem", "personal", None, None, None)],
         origin=dict(created="1822", end="1830"),
         extent="1 plan ; 45 x 60 cm", genre=("plattegronden", None),
         abstract="Plan van de vestingwerken na de heropbouw onder het Verenigd Koninkrijk der Nederlanden.",
         subjects=[("topic", "vestingwerken"), ("geographic", "Dendermonde")], rights=PDM, image=True),
    # deliberately invalid: no title and no abstract
    dict(shelf="EBS-FO-0130", set="fotos", datestamp="2026-01-19T10:00:00Z", kind="still image",
         titles=[], names=[("Van Hamme, Gustaaf", "personal", "pht", None, None)],
         origin=dict(created="1920"), extent="1 foto ; 9 x 12 cm", genre=("foto's", AAT + "300046300"),
         abstract=None, subjects=[("geographic", "Dendermonde")], rights=PDM, image=True),
    # deliberately invalid: no rights (accessCondition missing)
    dict(shelf="EBS-B-0455", set="boeken", datestamp="2026-01-19T10:00:00Z", kind="text", lang="dut",
         titles=[("Wandelingen langs de Dender", None, "nl")],
         names=[("Verhulst, Karel", "personal", "aut", None, None)],
         origin=dict(place="Dendermonde", issued="1931"), extent="64 p. ; 19 cm", genre=("boeken", None),
         abstract="Tien wandelingen tussen Ninove en Dendermonde.", subjects=[("geographic", "Dender")],
         rights=None, image=False),
    # deliberately invalid: no shelf mark nor any other local number
    dict(shelf=None, set="fotos", datestamp="2026-01-19T10:00:00Z", kind="still image",
         titles=[("Vlasmarkt op de Oude Vest", None, "nl")],
         names=[("Van Hamme, Gustaaf", "personal", "pht", None, None)],
         origin=dict(created="1911"), extent="1 foto ; 13 x 18 cm", genre=("foto's", AAT + "300046300"),
         abstract="Boeren bieden vlas aan op de wekelijkse markt.", subjects=[("topic", "markten")],
         rights=PDM, image=True, local_id="rec-8812"),
]
MODS_DELETED = [("EBS-FO-0113", "fotos", "2025-03-10T16:00:00Z"),
                ("EBS-B-0232", "boeken", "2026-01-19T11:00:00Z")]


def mods_record(rec: dict) -> etree._Element:
    m = lambda tag: f"{{{MODS}}}{tag}"  # noqa: E731
    mods = etree.Element(m("mods"), nsmap={"mods": MODS, "xlink": XLINK}, version="3.7")
    key = rec["shelf"] or rec["local_id"]
    for title, kind, lang in rec["titles"]:
        info = sub(mods, m("titleInfo"), type=kind, lang={"la": "lat", "fr": "fre", "nl": "dut", "en": "eng"}[lang])
        sub(info, m("title"), title)
    for name, kind, role, dates, uri in rec["names"]:
        element = sub(mods, m("name"), type=kind, valueURI=uri,
                      usage="primary" if role in ("aut", "cre") and name == rec["names"][0][0] else None)
        sub(element, m("namePart"), name)
        if dates:
            sub(element, m("namePart"), dates, type="date")
        if role:
            holder = sub(element, m("role"))
            sub(holder, m("roleTerm"), role, type="code", authority="marcrelator")
    type_attrs = {"manuscript": "yes"} if rec.get("manuscript") else {}
    sub(mods, m("typeOfResource"), rec["kind"], **type_attrs)
    genre, uri = rec["genre"]
    sub(mods, m("genre"), genre, authority="aat" if uri else None, valueURI=uri, xml_lang="nl")
    origin = sub(mods, m("originInfo"))
    o = rec["origin"]
    if o.get("place"):
        place = sub(origin, m("place"))
        sub(place, m("placeTerm"), o["place"], type="text")
    if o.get("publisher"):
        sub(origin, m("publisher"), o["publisher"])
    name = "dateIssued" if "issued" in o else "dateCreated"
    first = o.get("issued") or o.get("created")
    if o.get("end"):
        sub(origin, m(name), first, encoding="w3cdtf", point="start", keyDate="yes")
        sub(origin, m(name), o["end"], encoding="w3cdtf", point="end")
    else:
        plain = not first[:4].isdigit()
        sub(origin, m(name), first, encoding=None if plain else "w3cdtf", keyDate="yes",
            qualifier=o.get("qualifier"))
    if rec.get("lang"):
        language = sub(mods, m("language"))
        sub(language, m("languageTerm"), rec["lang"], type="code", authority="iso639-2b")
    physical = sub(mods, m("physicalDescription"))
    sub(physical, m("extent"), rec["extent"])
    if rec["abstract"]:
        sub(mods, m("abstract"), rec["abstract"], xml_lang="en" if rec.get("lang") == "eng" else "nl")
    for kind, value in rec["subjects"]:
        subject = sub(mods, m("subject"), xml_lang="nl")
        sub(subject, m(kind), value)
    if rec.get("host"):
        related = sub(mods, m("relatedItem"), type="series")
        sub(sub(related, m("titleInfo")), m("title"), rec["host"])
    if rec["shelf"]:
        sub(mods, m("identifier"), rec["shelf"], type="local")
    location = sub(mods, m("location"))
    sub(location, m("physicalLocation"), SCHELDELAND, authority="marcorg")
    if rec["shelf"]:
        sub(location, m("shelfLocator"), rec["shelf"])
    sub(location, m("url"), f"{SCHELDELAND_WEB}/record/{key}", access="object in context", usage="primary display")
    if rec["image"]:
        sub(location, m("url"), f"{SCHELDELAND_WEB}/iiif/{key}/full/max/0/default.jpg", access="raw object")
    if rec["rights"]:
        label = ms.RIGHTS_LABELS[rec["rights"]]
        sub(mods, m("accessCondition"), label, type="use and reproduction", xlink_href=rec["rights"])
    return mods


def mods_document() -> etree._ElementTree:
    records = [(f"oai:scheldeland.be:{r['shelf'] or r['local_id']}", r["datestamp"], r["set"], mods_record(r))
               for r in MODS_RECORDS]
    records += [(f"oai:scheldeland.be:{shelf}", ds, spec, None) for shelf, spec, ds in MODS_DELETED]
    return ms.list_records("https://catalogus.scheldeland.be/oai", "mods", records)


# --------------------------------------------------------------------------------------------
# Qualified DC: Beeldbank Kempen, Turnhout (oai_qdc, CONTENTdm style)
# --------------------------------------------------------------------------------------------
KEMPEN = "Beeldbank Kempen"
KEMPEN_WEB = "https://beeldbank.kempen.be"

QDC_RECORDS = [
    dict(id="BK-F-0101", set="fotos", datestamp="2024-04-08T09:00:00Z",
         titles=[("Het begijnhof van Turnhout", "nl")], alternative=[("Le béguinage de Turnhout", "fr")],
         creators=["Peeters, Jozef"], created="1908", type=["StillImage", AAT + "300046300"],
         description="Begijnen op de binnenplaats van het begijnhof, voor de kerk van Sint-Jan de Doper.",
         subjects=["begijnhoven"], spatial=["Turnhout"], extent="13 x 18 cm",
         medium=["zilvergelatinedruk"], rights=PDM),
    dict(id="BK-F-0102", set="fotos", datestamp="2024-04-08T09:00:00Z",
         titles=[("Kasteel van de hertogen van Brabant", "nl")],
         creators=["Peeters, Jozef"], created="ca. 1910", type=["StillImage"],
         description="Het kasteel met de slotgracht, kort voor de restauratie van de torens.",
         subjects=["kastelen"], spatial=["Turnhout"], extent="13 x 18 cm", rights=PDM),
    dict(id="BK-F-0140", set="fotos", datestamp="2024-10-14T13:20:00Z",
         titles=[("Markt van Turnhout op een zaterdag", "nl")],
         creators=["Peeters, Jozef"], contributors=["Dierckx, Maria (ancien possesseur)"],
         created="1925-06-13", type=["StillImage"],
         description="Kramen en paardenkarren op de Grote Markt; de foto komt uit een familiealbum.",
         subjects=["markten"], spatial=["Turnhout"], extent="9 x 12 cm",
         provenance="Uit het album van de familie Dierckx, geschonken in 1998.", rights=CC_BY),
    dict(id="BK-S-0007", set="speelkaarten", datestamp="2024-10-14T13:20:00Z",
         titles=[("Jeu de cartes « Flamand »", "fr"), ("Speelkaarten met Vlaams beeld", "nl")],
         creators=["Brepols (Turnhout)"], created="1880/1890", type=["PhysicalObject"],
         description="Volledig spel van 52 kaarten met figuren in Vlaamse klederdracht, in lithografie "
                     "en sjabloonkleuring.",
         subjects=["speelkaarten", "Brepols"], extent="52 kaarten ; 9 x 6 cm", medium=["karton"],
         ispartof=["Collectie speelkaarten Turnhout"], rights=PDM),
    dict(id="BK-S-0012", set="speelkaarten", datestamp="2025-02-24T10:45:00Z",
         titles=[("Tarot de Marseille", "fr")],
         creators=["Van Genechten, Pieter Jozef (imprimeur)"], created="ca. 1840", type=["PhysicalObject"],
         description="Tarotspel gedrukt in Turnhout voor de Franse markt.",
         subjects=["tarot", "speelkaarten"], extent="78 kaarten", medium=["karton", "papier"], rights=PDM),
    dict(id="BK-A-0021", set="affiches", datestamp="2025-02-24T10:45:00Z",
         titles=[("Kempische landbouwtentoonstelling 1930", "nl")],
         creators=["anoniem"], created="1930", type=["Image", AAT + "300027221"],
         description="Affiche voor de landbouwtentoonstelling met een boer, een koe en een ploeg.",
         subjects=["landbouw", "tentoonstellingen"], spatial=["Kempen"], extent="90 x 60 cm",
         medium=["papier"], temporal=["interbellum"], rights=CNE),
    dict(id="BK-A-0034", set="affiches", datestamp="2025-08-18T08:15:00Z",
         titles=[("Turnhout, capital of playing cards", "en")], alternative=[("Turnhout, speelkaartenstad", "nl")],
         creators=["Studio Brepols"], created="1958", type=["Image"],
         description="Toeristische affiche voor Engelse bezoekers aan de Expo 58, met een waaier van "
                     "speelkaarten.",
         subjects=["toerisme", "speelkaarten"], spatial=["Turnhout"], extent="100 x 62 cm",
         medium=["papier"], rights=INC, rightsholder="Brepols NV"),
    dict(id="BK-F-0205", set="fotos", datestamp="2025-08-18T08:15:00Z",
         titles=[("Turfstekers in de Liereman", "nl")], creators=["Peeters, Jozef"], created="1932",
         type=["StillImage"], description="Turfstekers aan het werk in het veen bij Oud-Turnhout.",
         subjects=["turf", "heide"], spatial=["Oud-Turnhout"], extent="13 x 18 cm", rights=PDM),
    dict(id="BK-F-0206", set="fotos", datestamp="2025-08-18T08:15:00Z",
         titles=[("Processie van Sint-Pieter", "nl")], creators=["Peeters, Jozef"], created="1936-06-29",
         type=["StillImage"], description="De processie trekt voorbij de Sint-Pieterskerk.",
         subjects=["processies"], spatial=["Turnhout"], extent="13 x 18 cm", rights=PDM),
    # deliberately invalid: no rights
    dict(id="BK-F-0301", set="fotos", datestamp="2026-03-16T12:00:00Z",
         titles=[("Schaapherder op de heide", "nl")], creators=["Peeters, Jozef"], created="1934",
         type=["StillImage"], description="Een herder met zijn kudde op de heide bij Kasterlee.",
         subjects=["heide", "schapen"], spatial=["Kasterlee"], extent="13 x 18 cm", rights=None),
    # deliberately invalid: a date that does not exist
    dict(id="BK-A-0040", set="affiches", datestamp="2026-03-16T12:00:00Z",
         titles=[("Bal van de speelkaartenmakers", "nl")], creators=["anoniem"], created="1923-02-30",
         type=["Image"], description="Aankondiging van het jaarlijkse bal van de arbeiders van de "
                                     "speelkaartenfabrieken.",
         subjects=["feesten"], spatial=["Turnhout"], extent="60 x 40 cm", rights=PDM),
    # deliberately invalid: no object number, only the web address as identifier
    dict(id=None, local="rec-5501", set="fotos", datestamp="2026-03-16T12:00:00Z",
         titles=[("Kermis op de Grote Markt", "nl")], creators=["Peeters, Jozef"], created="1927",
         type=["StillImage"], description="Paardenmolen en kramen op de kermis.",
         subjects=["kermissen"], spatial=["Turnhout"], extent="9 x 12 cm", rights=PDM),
]
QDC_DELETED = [("BK-F-0103", "fotos", "2024-10-14T14:00:00Z"),
               ("BK-S-0013", "speelkaarten", "2026-03-16T13:00:00Z")]


def qdc_record(rec: dict) -> etree._Element:
    root = etree.Element(f"{{{QDC}}}qualifieddc", nsmap={"oai_qdc": QDC, "dc": DC, "dcterms": DCTERMS})
    dc = lambda name, text, **a: sub(root, f"{{{DC}}}{name}", text, **a)  # noqa: E731
    terms = lambda name, text, **a: sub(root, f"{{{DCTERMS}}}{name}", text, **a)  # noqa: E731
    key = rec["id"] or rec["local"]
    for title, lang in rec["titles"]:
        dc("title", title, xml_lang=lang)
    for title, lang in rec.get("alternative", ()):
        terms("alternative", title, xml_lang=lang)
    for creator in rec["creators"]:
        dc("creator", creator)
    for contributor in rec.get("contributors", ()):
        dc("contributor", contributor)
    for subject in rec["subjects"]:
        dc("subject", subject)
    dc("description", rec["description"], xml_lang="nl")
    if rec.get("provenance"):
        terms("provenance", rec["provenance"], xml_lang="nl")
    dc("publisher", KEMPEN)
    terms("created", rec["created"])
    for kind in rec["type"]:
        dc("type", kind)
    terms("extent", rec["extent"])
    for medium in rec.get("medium", ()):
        terms("medium", medium, xml_lang="nl")
    dc("format", "image/jpeg")
    if rec["id"]:
        dc("identifier", rec["id"])
    dc("identifier", f"{KEMPEN_WEB}/detail/{key}")
    dc("identifier", f"{KEMPEN_WEB}/media/{key}.jpg")
    for place in rec.get("spatial", ()):
        terms("spatial", place)
    for period in rec.get("temporal", ()):
        terms("temporal", period, xml_lang="nl")
    for part in rec.get("ispartof", ()):
        terms("isPartOf", part, xml_lang="nl")
    if rec["rights"]:
        terms("license" if rec["rights"].startswith("http://creativecommons.org/licenses") else "rights", rec["rights"])
    if rec.get("rightsholder"):
        terms("rightsHolder", rec["rightsholder"])
    return root


def qdc_document() -> etree._ElementTree:
    records = [(f"oai:beeldbank.kempen.be:{r['id'] or r['local']}", r["datestamp"], r["set"], qdc_record(r))
               for r in QDC_RECORDS]
    records += [(f"oai:beeldbank.kempen.be:{key}", ds, spec, None) for key, spec, ds in QDC_DELETED]
    return ms.list_records("https://beeldbank.kempen.be/oai", "oai_qdc", records)


# --------------------------------------------------------------------------------------------
# EAD: Streekarchief Houtland, Torhout (EAD 2002 with and without namespace, EAD3)
# --------------------------------------------------------------------------------------------
HOUTLAND = "Streekarchief Houtland"
HOUTLAND_WEB = "https://archief.houtland.be"


def unit(unitid: str | None, title: str, date: str | None, level: str, *parts: dict, **more) -> dict:
    """A described unit: unitid (None: none), title, date (ISO 8601 or interval), level, components."""
    return dict(unitid=unitid, title=title, date=date, level=level, parts=list(parts), **more)


EAD_FINDING_AIDS = [
    dict(eadid="BE-SAH-001", version="ead2002", datestamp="2024-05-13T09:00:00Z", lang="dut",
         title="Inventaris van het archief van brouwerij De Zwaan, Torhout",
         rights=(CC0, "De beschrijvingen en de digitale reproducties zijn vrij herbruikbaar (CC0)."),
         fonds=unit("SAH-001", "Archief van brouwerij De Zwaan", "1872/1968", "fonds",
                    unit("1", "Boekhouding", "1872/1950", "series",
                         unit("1.1", "Grootboeken", "1872/1899", "file", extent="4 registers"),
                         unit("1.2", "Facturen van leveranciers van hop en mout", "1899-02-30", "file",
                              extent="1 omslag")),
                    unit("2", "Reclame", "1920/1968", "series",
                         unit("2.1", "Affiche 'Bieren De Zwaan, Thourout'", "1925", "item", circa=True,
                              dao=f"{HOUTLAND_WEB}/beeld/SAH-001-2-1.jpg", extent="1 affiche")),
                    unit(None, "Varia", None, "series",
                         unit("9.1", "Foto van het brouwerijpersoneel", "1931", "item",
                              dao=f"{HOUTLAND_WEB}/beeld/SAH-001-9-1.jpg")),
                    origination=("corpname", "Brouwerij De Zwaan (Torhout)"), extent="3,5 m",
                    scope="Archief van een familiebrouwerij: boekhouding, personeel, klanten en reclame.",
                    subjects=[("subject", "brouwerijen"), ("geogname", "Torhout")])),
    dict(eadid="BE-SAH-002", version="ead3", datestamp="2024-05-13T09:00:00Z", lang="dut",
         title="Inventaris van het archief van de gemeente Wijnendale",
         rights=(PDM, "Publiek domein."),
         fonds=unit("SAH-002", "Archief van de gemeente Wijnendale", "1796/1976", "fonds",
                    unit("1", "Gemeenteraad", "1830/1976", "series",
                         unit("1.1", "Notulen van de gemeenteraad", "1830/1870", "file")),
                    unit("2", "Bevolking", "1846/1910", "series",
                         unit("2.1", "Registre de population", "1846/1856", "file", title_lang="fr")),
                    origination=("corpname", "Gemeente Wijnendale"), extent="12 m",
                    scope="Archief van het gemeentebestuur tot de fusie met Torhout in 1977.",
                    subjects=[("geogname", "Wijnendale"), ("subject", "gemeentebesturen")])),
    # deliberately invalid: no rights anywhere in the finding aid
    dict(eadid="BE-SAH-003", version="dtd", datestamp="2025-04-07T14:30:00Z", lang="dut",
         title="Inventaris van het familiearchief De Vlamynck", rights=None,
         fonds=unit("SAH-003", "Familiearchief De Vlamynck", "1754/1921", "fonds",
                    unit("1", "Eigendomsakten", "1754/1850", "series"),
                    unit("2", "Correspondance familiale", "1820/1921", "series", title_lang="fr"),
                    origination=("famname", "De Vlamynck (familie)"), extent="0,8 m",
                    scope="Akten, brieven en rekeningen van een familie van landbouwers en notarissen.")),
    dict(eadid="BE-SAH-004", version="ead2002", datestamp="2025-10-20T08:00:00Z", lang="dut",
         title="Inventaris van de fotocollectie Torhout",
         rights=(CC_BY, "Gebruik vrij met bronvermelding: Streekarchief Houtland."),
         fonds=unit("SAH-004", "Fotocollectie Torhout", "1890/1960", "collection",
                    unit("F-001", "Markt van Torhout met de Sint-Pieterskerk", "1905", "item",
                         dao=f"{HOUTLAND_WEB}/beeld/F-001.jpg"),
                    unit("F-002", "Paardenmarkt op de Rijselstraat", "1912", "item", circa=True,
                         dao=f"{HOUTLAND_WEB}/beeld/F-002.jpg"),
                    unit("F-003", "Kasteel van Wijnendale", "1930", "item",
                         dao=f"{HOUTLAND_WEB}/beeld/F-003.jpg", subjects=[("geogname", "Wijnendale")]),
                    unit(None, "Foto van een onbekende straat", None, "item"),
                    origination=("corpname", "Stedelijke Dienst voor Toerisme Torhout"), extent="412 foto's",
                    scope="Foto's van straten, markten en gebouwen in Torhout en omgeving.")),
]
EAD_DELETED = [("BE-SAH-005", "2025-10-20T09:00:00Z")]


def _ead_date(parent: etree._Element, q, date: str, version: str, circa: bool) -> None:
    certainty = "circa" if circa else None
    if version == "ead3":
        structured = sub(parent, q("unitdatestructured"), certainty=certainty)
        start, _, end = date.partition("/")
        if end:
            span = sub(structured, q("daterange"))
            sub(span, q("fromdate"), start, standarddate=start)
            sub(span, q("todate"), end, standarddate=end)
        else:
            sub(structured, q("datesingle"), start, standarddate=start)
        return
    shown = date.replace("/", "-") if not circa else f"ca. {date}"
    sub(parent, q("unitdate"), shown, normal=date, certainty=certainty, type="inclusive" if "/" in date else None)


def _ead_did(parent: etree._Element, q, u: dict, fa: dict, top: bool) -> None:
    version = fa["version"]
    did = sub(parent, q("did"))
    if u["unitid"]:
        sub(did, q("unitid"), u["unitid"], countrycode="BE" if top and version != "ead3" else None)
    sub(did, q("unittitle"), u["title"], **({"lang": u["title_lang"]} if u.get("title_lang") and version == "ead3" else {}))
    if u["date"]:
        _ead_date(did, q, u["date"], version, u.get("circa", False))
    if u.get("origination"):
        kind, name = u["origination"]
        origination = sub(did, q("origination"), label="archiefvormer")
        if version == "ead3":
            sub(sub(origination, q(kind)), q("part"), name)
        else:
            sub(origination, q(kind), name, role="cre" if kind != "famname" else None)
    if top:
        repository = sub(did, q("repository"))
        if version == "ead3":
            sub(sub(repository, q("corpname"), identifier="BE-SAH"), q("part"), HOUTLAND)
        else:
            sub(repository, q("corpname"), HOUTLAND, authfilenumber="BE-SAH", source="ISIL")
        lang_material = sub(did, q("langmaterial"))
        sub(lang_material, q("language"), "Nederlands", langcode="dut")
    if u.get("extent"):
        if version == "ead3":
            physdesc = sub(did, q("physdescstructured"), physdescstructuredtype="spaceoccupied", coverage="whole")
            quantity, _, unittype = u["extent"].partition(" ")
            sub(physdesc, q("quantity"), quantity)
            sub(physdesc, q("unittype"), unittype)
        else:
            sub(sub(did, q("physdesc")), q("extent"), u["extent"])
    if u.get("dao"):
        if version == "ead3":
            sub(did, q("dao"), href=u["dao"], daotype="derived", linktitle=u["title"])
        elif version == "dtd":
            sub(did, q("dao"), href=u["dao"])
        else:
            sub(did, q("dao"), xlink_href=u["dao"])


def _ead_unit(parent: etree._Element, q, u: dict, fa: dict, tag: str, depth: int) -> None:
    element = sub(parent, q(tag), level=u["level"], id=f"{fa['eadid']}-{u['unitid']}".replace(".", "-")
                  if u["unitid"] and tag != "archdesc" else None)
    _ead_did(element, q, u, fa, tag == "archdesc")
    if u.get("scope"):
        scope = sub(element, q("scopecontent"))
        sub(scope, q("head"), "Inhoud")
        sub(scope, q("p"), u["scope"])
    if tag == "archdesc" and fa["rights"]:
        uri, words = fa["rights"]
        use = sub(element, q("userestrict"))
        p = sub(use, q("p"), words + " ")
        if fa["version"] == "ead3":
            sub(p, q("ref"), uri, href=uri)
        elif fa["version"] == "dtd":
            sub(p, q("extref"), uri, href=uri)
        else:
            sub(p, q("extref"), uri, xlink_href=uri)
    if u.get("subjects"):
        access = sub(element, q("controlaccess"))
        for kind, value in u["subjects"]:
            holder = sub(access, q(kind))
            if fa["version"] == "ead3":
                sub(holder, q("part"), value)
            else:
                holder.text = value
    if u["parts"]:
        holder = sub(element, q("dsc")) if tag == "archdesc" else element
        for part in u["parts"]:
            _ead_unit(holder, q, part, fa, f"c{depth + 1:02d}", depth + 1)


def ead_document_of(fa: dict) -> etree._Element:
    version = fa["version"]
    ns = {"ead2002": EAD2002, "ead3": EAD3, "dtd": None}[version]
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    nsmap = {None: ns, "xlink": XLINK} if ns else None
    ead = etree.Element(q("ead"), nsmap=nsmap)
    url = f"{HOUTLAND_WEB}/inventaris/{fa['eadid']}"
    if version == "ead3":
        control = sub(ead, q("control"))
        sub(control, q("recordid"), fa["eadid"], instanceurl=url)
        sub(sub(sub(control, q("filedesc")), q("titlestmt")), q("titleproper"), fa["title"])
        sub(control, q("maintenancestatus"), value="derived")
        sub(sub(control, q("maintenanceagency")), q("agencyname"), HOUTLAND)
        declaration = sub(control, q("languagedeclaration"))
        sub(declaration, q("language"), "Nederlands", langcode="dut")
        sub(declaration, q("script"), "Latijn", scriptcode="Latn")
    else:
        header = sub(ead, q("eadheader"))
        eadid_attrs = {"countrycode": "BE", "mainagencycode": "BE-SAH"}
        eadid_attrs["url"] = url
        sub(header, q("eadid"), fa["eadid"], **eadid_attrs)
        filedesc = sub(header, q("filedesc"))
        sub(sub(filedesc, q("titlestmt")), q("titleproper"), fa["title"])
        sub(sub(filedesc, q("publicationstmt")), q("publisher"), HOUTLAND)
        profile = sub(header, q("profiledesc"))
        sub(sub(profile, q("langusage")), q("language"), "Nederlands", langcode="dut")
    _ead_unit(ead, q, fa["fonds"], fa, "archdesc", 0)
    return ead


def ead_document() -> etree._ElementTree:
    records = [(f"oai:archief.houtland.be:{fa['eadid']}", fa["datestamp"], "archieven", ead_document_of(fa))
               for fa in EAD_FINDING_AIDS]
    records += [(f"oai:archief.houtland.be:{eadid}", ds, "archieven", None) for eadid, ds in EAD_DELETED]
    return ms.list_records("https://archief.houtland.be/oai", "ead", records)


# --------------------------------------------------------------------------------------------
# MARCXML: Abdijbibliotheek Ter Doest, Lissewege
# --------------------------------------------------------------------------------------------
TER_DOEST = "Abdijbibliotheek Ter Doest"
TER_DOEST_WEB = "https://bib.terdoest.be"


def marc(tag: str, ind: str = "  ", **subfields: str | list[str]) -> tuple[str, str, list[tuple[str, str]]]:
    """A data field: tag, two indicators, subfields in the order given (``_4`` is $4)."""
    subs = []
    for code, value in subfields.items():
        for one in value if isinstance(value, list) else [value]:
            subs.append((code.lstrip("_"), one))
    return tag, ind, subs


MARC_RECORDS = [
    dict(id="td000101", set="oude-drukken", datestamp="2024-06-10T10:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1584", "    ", "be", "lat"), shelf="TD-OD-0001",
         fields=[marc("100", "1 ", a="Lipsius, Justus,", d="1547-1606,", e="auteur.", _4="aut"),
                 marc("245", "10", a="De constantia libri duo :", b="qui alloquium praecipue continent in publicis malis."),
                 marc("264", " 1", a="Antverpiae :", b="Apud Christophorum Plantinum,", c="1584."),
                 marc("300", a="[8], 128 p. ;", c="20 cm."),
                 marc("520", a="Dialoog over standvastigheid in tijden van oorlog en onrust; exemplaar met "
                                "aantekeningen in een zeventiende-eeuwse hand."),
                 marc("561", a="Herkomst: Abdij Ten Duinen, Koksijde (ex-libris op het schutblad)."),
                 marc("650", " 7", a="stoïcisme", _2="ebs"),
                 marc("710", "2 ", a="Abdij Ten Duinen (Koksijde)", e="vorige eigenaar.", _4="fmo"),
                 marc("700", "1 ", a="Plantin, Christophe,", d="1520-1589,", _4="prt")]),
    dict(id="td000102", set="oude-drukken", datestamp="2024-06-10T10:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1858", "    ", "be", "dut"), shelf="TD-OD-0014",
         fields=[marc("100", "1 ", a="Gezelle, Guido,", d="1830-1899,", _4="aut"),
                 marc("245", "10", a="Kerkhofblommen."),
                 marc("264", " 1", a="Roeselare :", c="1858."),
                 marc("300", a="48 p. ;", c="17 cm."),
                 marc("520", a="Eerste uitgave van de gedichtenbundel die Gezelle als leraar in Roeselare "
                                "schreef."),
                 marc("650", " 7", a="poëzie", _2="ebs")]),
    dict(id="td000103", set="kaarten", datestamp="2024-06-10T10:00:00Z", leader="00000cem a2200000 i 4500",
         f008=("q", "1540", "1550", "be", "lat"), shelf="TD-KA-0002",
         fields=[marc("100", "1 ", a="Mercator, Gerardus,", d="1512-1594,", e="cartograaf.", _4="ctg"),
                 marc("245", "10", a="Vlaenderen exactissima Flandriae descriptio."),
                 marc("246", "31", a="Carte de Flandre"),
                 marc("264", " 1", a="[Leuven] :", c="[tussen 1540 en 1550]"),
                 marc("300", a="1 kaart :", b="houtsnede ;", c="43 x 59 cm"),
                 marc("520", a="Latere afdruk van Mercators kaart van Vlaanderen, met de abdijen aan de kust."),
                 marc("651", " 7", a="Vlaanderen", _2="ebs")]),
    dict(id="td000104", set="hedendaags", datestamp="2024-11-25T12:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1965", "    ", "be", "fre"), shelf="TD-HD-0312",
         fields=[marc("020", a="9782801100217"),
                 marc("100", "1 ", a="Lambrecht, Marie-Claire,", _4="aut"),
                 marc("245", "14", a="Les abbayes de la côte flamande /", c="Marie-Claire Lambrecht."),
                 marc("264", " 1", a="Bruxelles :", b="Éditions du Littoral,", c="1965."),
                 marc("300", a="212 p. :", b="ill. ;", c="24 cm."),
                 marc("520", a="Overzicht van de cisterciënzerabdijen Ten Duinen en Ter Doest, met een hoofdstuk "
                                "over de abdijschuur van Lissewege."),
                 marc("650", " 7", a="abdijen", _2="ebs"), marc("651", " 7", a="Lissewege", _2="ebs")],
         rights=INC),
    dict(id="td000105", set="hedendaags", datestamp="2024-11-25T12:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1972", "    ", "xxk", "eng"), shelf="TD-HD-0340",
         fields=[marc("100", "1 ", a="Harrington, Paul,", _4="aut"),
                 marc("245", "14", a="The Cistercian abbeys of Flanders :", b="a study of their granges."),
                 marc("264", " 1", a="Oxford :", b="Abbey Press,", c="1972."),
                 marc("300", a="xiv, 260 p. ;", c="23 cm."),
                 marc("490", "1 ", a="Monastic studies ;", v="4"),
                 marc("520", a="Study of the granges and barns of the Flemish Cistercian abbeys, Ter Doest "
                                "included."),
                 marc("650", " 7", a="landbouw", x="geschiedenis", _2="ebs")],
         rights=INC),
    dict(id="td000106", set="oude-drukken", datestamp="2025-05-05T09:30:00Z", leader="00000ckm a2200000 i 4500",
         f008=("s", "17uu", "    ", "be", "zxx"), shelf="TD-PR-0005",
         fields=[marc("245", "00", a="Gezicht op de abdijschuur van Ter Doest."),
                 marc("264", " 1", c="[18de eeuw]"),
                 marc("300", a="1 prent :", b="gravure ;", c="22 x 31 cm"),
                 marc("520", a="De grote tiendschuur van de abdij met een boer en een hooiwagen in de "
                                "voorgrond."),
                 marc("655", " 7", a="prenten", _2="aat", _0=AAT + "300041273"),
                 marc("651", " 7", a="Lissewege", _2="ebs")]),
    dict(id="td000107", set="oude-drukken", datestamp="2025-05-05T09:30:00Z", leader="00000ctm a2200000 i 4500",
         f008=("i", "1620", "1650", "be", "dut"), shelf="TD-HS-0003",
         fields=[marc("110", "2 ", a="Abdij Ter Doest (Lissewege)", _4="cre"),
                 marc("245", "10", a="Cijnsboek van de hoeven van Ter Doest."),
                 marc("264", " 0", c="1620-1650."),
                 marc("300", a="1 register (96 f.) ;", c="33 cm."),
                 marc("520", a="Register van de cijnzen die de pachters van de abdijhoeven jaarlijks betaalden."),
                 marc("650", " 7", a="cijnzen", _2="ebs")]),
    dict(id="td000108", set="hedendaags", datestamp="2025-10-13T15:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "2004", "    ", "be", "dut"), shelf="TD-HD-0401",
         fields=[marc("020", a="9789020955415"),
                 marc("100", "1 ", a="Desmet, Annelies,", _4="aut"),
                 marc("245", "10", a="Lissewege, het witte dorp :", b="wandelingen en verhalen."),
                 marc("264", " 1", a="Tielt :", b="Uitgeverij Polderland,", c="2004."),
                 marc("300", a="96 p. :", b="ill. ;", c="21 cm."),
                 marc("700", "1 ", a="Vermeulen, Koen,", e="fotograaf.", _4="pht"),
                 marc("650", " 7", a="wandelen", _2="ebs"), marc("651", " 7", a="Lissewege", _2="ebs")],
         rights=INC),
    # deliberately invalid: no link to a web page or an image (no 856)
    dict(id="td000109", set="oude-drukken", datestamp="2026-04-20T08:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1613", "    ", "be", "lat"), shelf="TD-OD-0022", no_link=True,
         fields=[marc("245", "00", a="Breviarium Cisterciense."),
                 marc("264", " 1", a="Antverpiae :", b="Ex officina Plantiniana,", c="1613."),
                 marc("300", a="[24], 560 p. ;", c="17 cm.")]),
    # deliberately invalid: no rights
    dict(id="td000110", set="hedendaags", datestamp="2026-04-20T08:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1988", "    ", "be", "dut"), shelf="TD-HD-0377", rights=None,
         fields=[marc("100", "1 ", a="Desmet, Annelies,", _4="aut"),
                 marc("245", "10", a="De abdijschuur van Ter Doest."),
                 marc("264", " 1", a="Brugge :", c="1988."),
                 marc("300", a="32 p. ;", c="21 cm.")]),
    # deliberately invalid: no title and no summary
    dict(id="td000111", set="oude-drukken", datestamp="2026-04-20T08:00:00Z", leader="00000cam a2200000 i 4500",
         f008=("s", "1702", "    ", "be", "lat"), shelf="TD-OD-0031",
         fields=[marc("264", " 1", a="Brugis :", c="1702."),
                 marc("300", a="64 p. ;", c="19 cm.")]),
]
MARC_DELETED = [("td000099", "oude-drukken", "2025-05-05T10:00:00Z"),
                ("td000112", "hedendaags", "2026-04-20T09:00:00Z")]


def marc_record(rec: dict) -> etree._Element:
    m = lambda tag: f"{{{MARC}}}{tag}"  # noqa: E731
    record = etree.Element(m("record"), nsmap={"marc": MARC})
    sub(record, m("leader"), rec["leader"])
    sub(record, m("controlfield"), rec["id"], tag="001")
    sub(record, m("controlfield"), "BE-TDL", tag="003")
    kind, date1, date2, place, lang = rec["f008"]
    entered = rec["datestamp"][2:10].replace("-", "")
    fixed = f"{entered}{kind}{date1:4}{date2:4}{place:3}{'':17}{lang:3} d"
    assert len(fixed) == 40, fixed
    sub(record, m("controlfield"), fixed, tag="008")
    rights = rec.get("rights", PDM)
    fields = list(rec["fields"])
    if rights:
        fields.append(marc("540", a=ms.RIGHTS_LABELS[rights], u=rights))
    fields.append(marc("852", a=TER_DOEST, b="Erfgoedbibliotheek", j=rec["shelf"]))
    if not rec.get("no_link"):
        fields.append(marc("856", "42", u=f"{TER_DOEST_WEB}/catalogus/{rec['id']}", y="Catalogus"))
        fields.append(marc("856", "41", u=f"{TER_DOEST_WEB}/scans/{rec['id']}/0001.jpg", q="image/jpeg",
                           _3="Afbeelding"))
    for tag, ind, subs in sorted(fields, key=lambda f: f[0]):
        field = sub(record, m("datafield"), tag=tag, ind1=ind[0], ind2=ind[1])
        for code, value in subs:
            sub(field, m("subfield"), value, code=code)
    return record


def marc_document() -> etree._ElementTree:
    records = [(f"oai:bib.terdoest.be:{r['id']}", r["datestamp"], r["set"], marc_record(r)) for r in MARC_RECORDS]
    records += [(f"oai:bib.terdoest.be:{key}", ds, spec, None) for key, spec, ds in MARC_DELETED]
    return ms.list_records("https://bib.terdoest.be/oai", "marc21", records)


DOCUMENTS = {
    "museum-adlib": adlib_document,
    "library-mods": mods_document,
    "images-qdc": qdc_document,
    "archive-ead": ead_document,
    "library-marc": marc_document,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args()
    problems = []
    for folder_name, make in DOCUMENTS.items():
        tree = make()
        folder = HERE / folder_name
        problems += ms.check_against_partner(folder, tree)
        # lxml writes no xmlns="" on an element without namespace inside the OAI-PMH default
        # namespace; without it, the payload would be read as being in the OAI namespace
        data = ms.serialise(tree).replace(b"<adlibXML>", b'<adlibXML xmlns="">').replace(b"<ead>", b'<ead xmlns="">')
        target = folder / "records.xml"
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                problems.append(f"{target} is out of date: run {Path(__file__).name}")
        else:
            target.write_bytes(data)
            print(f"wrote {target.relative_to(HERE)} ({len(tree.getroot()[2])} records)")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
