"""Write the ``records.xml`` of the two sample partners from the curated content below.

The content (titles, descriptions, makers, dates, measurements, rights) is written by hand
for oogst; this script only turns it into OAI-PMH ``ListRecords`` documents, so that both
feeds stay consistent and the output is byte-for-byte reproducible::

    .venv/bin/python data/samples/make_samples.py          # rewrite both records.xml
    .venv/bin/python data/samples/make_samples.py --check  # fail if a file is out of date

The institutions are fictional; artists, places, vocabulary and rights URIs are real.
Actor identifiers (VIAF, RKD, Wikidata) come from the Flemish Art Collection's creators
authority file, AAT concepts from its AAT list or from OSLO examples; where no identifier
was certain, the record has the term only, as Adlib exports often do.

After writing, every LIDO payload is validated against ``lido-v1.0.xsd`` from the shared
corpus when ``../shared/corpus`` is beside the checkout. ``README.md`` lists the deleted
and the deliberately invalid records.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
CORPUS_XSD = HERE.parents[2] / "shared" / "corpus" / "schemas" / "lido" / "lido-v1.0.xsd"

OAI = "http://www.openarchives.org/OAI/2.0/"
LIDO = "http://www.lido-schema.org"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

AAT = "http://vocab.getty.edu/aat/"
GEONAMES = "http://sws.geonames.org/"
LIDO_PRODUCTION = "http://terminology.lido-schema.org/lido00007"

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
CC_BY_SA = "http://creativecommons.org/licenses/by-sa/4.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"

RIGHTS_LABELS = {
    PDM: "publiek domein",
    CC0: "CC0 1.0",
    CC_BY: "CC BY 4.0",
    CC_BY_SA: "CC BY-SA 4.0",
    INC: "auteursrechtelijk beschermd",
    CNE: "auteursrechtelijke status niet geëvalueerd",
}

# Places with a GeoNames id we are sure of; other places carry a name only.
GEONAMES_IDS = {"Gent": "2797656", "Antwerpen": "2803138", "Brussel": "2800866", "Brugge": "2800931"}


# --------------------------------------------------------------------------------------------
# The museum: LIDO 1.0
# --------------------------------------------------------------------------------------------
MUSEUM = "Museum Hof van Leie"
MUSEUM_WEB = "https://www.hofvanleie.be"


@dataclass(frozen=True)
class Actor:
    name: str  # preferred, inverted as in Adlib
    display: str
    born: str | None = None
    died: str | None = None
    kind: str = "person"
    adlib: str | None = None
    viaf: str | None = None
    rkd: str | None = None
    wikidata: str | None = None  # a wikidata *page* URL, as Adlib exports it


A = {
    "claus": Actor("Claus, Emile", "Emile Claus", "1849", "1924", adlib="310000337",
                   rkd="17109", wikidata="Q733002"),
    "saedeleer": Actor("Saedeleer, Valerius de", "Valerius De Saedeleer", "1867", "1941", adlib="310000024",
                       viaf="173286645", rkd="20976"),
    "woestyne": Actor("Woestyne, Gustave van de", "Gustave Van de Woestyne", "1881", "1947", adlib="310000659",
                      viaf="29803590", rkd="79197", wikidata="Q2519247"),
    "permeke": Actor("Permeke, Constant", "Constant Permeke", "1886", "1952", adlib="310000276",
                     wikidata="Q381911"),
    "gdesmet": Actor("Smet, Gustave de", "Gustave De Smet", "1877", "1943", adlib="310000317",
                     viaf="27872028", rkd="21019", wikidata="Q981212"),
    "vdberghe": Actor("Berghe, Frits van den", "Frits Van den Berghe", "1883", "1939", adlib="310000660",
                      rkd="79202", wikidata="Q181503"),
    "vdabeele": Actor("Abeele, Albijn van den", "Albijn Van den Abeele", "1835", "1918", adlib="310000882",
                      viaf="36789440", rkd="162"),
    "montigny": Actor("Montigny, Jenny", "Jenny Montigny", "1875", "1937", adlib="310000346",
                      rkd="57432", wikidata="Q2120094"),
    "huys": Actor("Huys, Modest", "Modest Huys", "1874", "1932", adlib="310001001",
                  viaf="4767790", rkd="40819", wikidata="Q2786433"),
    "ldesmet": Actor("Smet, Léon de", "Léon De Smet", "1881", "1966", adlib="310000302", rkd="21021"),
    "siberechts": Actor("Siberechts, Jan", "Jan Siberechts", "1627", "1703", adlib="310002605",
                        viaf="28230819", rkd="72397", wikidata="Q1347599"),
    "teniers": Actor("Teniers, David (II)", "David Teniers II", "1610", "1690", adlib="310000061",
                     viaf="88765161", rkd="76786"),
    "pourbus": Actor("Pourbus, Pieter", "Pieter Pourbus", "1523", "1584", adlib="310000003",
                     viaf="96250453", rkd="64551", wikidata="Q981558"),
    "rubens": Actor("Rubens, Peter Paul", "Peter Paul Rubens", "1577", "1640", adlib="310000044",
                    viaf="56647196", rkd="68737", wikidata="Q5599"),
    "anon": Actor("anoniem", "anoniem", adlib="310000001"),
    "anon_gent": Actor("Anonieme meester, Gent, 19de eeuw", "Anonieme meester, Gent, 19de eeuw", adlib="310004702"),
    "ensor": Actor("Ensor, James", "James Ensor", "1860", "1949", adlib="310000726",
                   viaf="88625859", rkd="26402", wikidata="Q158840"),
    "debruycker": Actor("Bruycker, Jules de", "Jules De Bruycker", "1870", "1945", adlib="310000955",
                        viaf="46879051", rkd="20431"),
    "masereel": Actor("Masereel, Frans", "Frans Masereel", "1889", "1972", adlib="310000989",
                      viaf="51693032", rkd="53083", wikidata="Q559297"),
    "bruegel": Actor("Bruegel, Pieter (I)", "Pieter Bruegel I", "1525", "1569", adlib="310000199",
                     viaf="95761864", rkd="13292", wikidata="Q43270"),
    "vdheyden": Actor("Heyden, Pieter van der", "Pieter van der Heyden", "1530", "1575", adlib="310004650"),
    "cock": Actor("Cock, Hieronymus", "Hieronymus Cock", "1518", "1570", adlib="310002320",
                  viaf="76325072", rkd="17404", wikidata="Q640361"),
    "minne": Actor("Minne, George", "George Minne", "1866", "1941", adlib="310000725",
                   viaf="15535878", rkd="56310", wikidata="Q559281"),
    "servaes": Actor("Servaes, Albert", "Albert Servaes", "1883", "1966", adlib="310000306",
                     viaf="790903", rkd="72062", wikidata="Q2197592"),
    "spilliaert": Actor("Spilliaert, Léon", "Léon Spilliaert", "1881", "1946", adlib="310000286",
                        viaf="54269176", rkd="74341", wikidata="Q1394505"),
    "wouters": Actor("Wouters, Rik", "Rik Wouters", "1882", "1916", adlib="310001067",
                     viaf="19851793", rkd="85676", wikidata="Q939197"),
    "sanderus": Actor("Sanderus, Antonius", "Antonius Sanderus", "1586", "1664", adlib="310004655"),
    "meunier": Actor("Meunier, Constantin", "Constantin Meunier", "1831", "1905", adlib="310000867",
                     viaf="72189159", rkd="55628", wikidata="Q552440"),
    "lagae": Actor("Lagae, Jules", "Jules Lagae", "1862", "1931", adlib="310000099",
                   viaf="96030923", rkd="47399", wikidata="Q2677198"),
    "jespers": Actor("Jespers, Oscar", "Oscar Jespers", "1887", "1970", adlib="310000607",
                     viaf="34617847", rkd="42246"),
    "lambeaux": Actor("Lambeaux, Jef", "Jef Lambeaux", "1852", "1908", adlib="310001010",
                      viaf="281015", rkd="47539", wikidata="Q2515102"),
    "catteau": Actor("Catteau, Charles", "Charles Catteau", "1880", "1966", adlib="310004660"),
    "keramis": Actor("Boch Frères Keramis", "Boch Frères Keramis", kind="corporation", adlib="310004661"),
    "valstlambert": Actor("Cristalleries du Val-Saint-Lambert", "Cristalleries du Val-Saint-Lambert",
                          kind="corporation", adlib="310004662"),
}

# roles: (Dutch term, AAT id or None)
PAINTER = ("schilder", "300025136")
SCULPTOR = ("beeldhouwer", "300025181")
DESIGNER = ("ontwerper", "300025190")
MANUFACTURER = ("fabrikant", "300025230")
DRAUGHTSMAN = ("tekenaar", None)
ETCHER = ("etser", None)
ENGRAVER = ("graveur", None)
PUBLISHER = ("uitgever", None)
AUTHOR = ("auteur", None)
COPYIST = ("kopiist", None)
WOODCUTTER = ("houtsnijder", None)
WEAVER = ("wever", None)

# materials and techniques: (Dutch term, AAT id or None)
OIL = ("olieverf", "300015050")
CANVAS = ("doek", "300014078")
OAK = ("eikenhout", "300012264")
WOOD = ("hout", "300011914")
PAPER = ("papier", "300014109")
INK = ("inkt", "300015012")
WATERCOLOUR = ("waterverf", "300015045")
CHARCOAL = ("houtskool", None)
PENCIL = ("potlood", None)
ETCHING = ("ets", "300041365")
DRYPOINT = ("drogenaald", "300053228")
ENGRAVING = ("gravure", "300041340")
WOODCUT = ("houtsnede", "300041405")
BRONZE = ("brons", "300010957")
MARBLE = ("marmer", "300011443")
LIMESTONE = ("kalksteen", "300011286")
ALABASTER = ("albast", "300011101")
POLYCHROMY = ("polychromie", None)
WOOL = ("wol", None)
SILK = ("zijde", None)
STONEWARE = ("steengoed", "300010672")
ENAMEL = ("email", None)
GLASS = ("glas (materiaal)", "300010797")

# work types: (Dutch term, AAT id)
OIL_PAINTING = ("olieverfschilderij", "300033799")
ETCHING_PRINT = ("ets", "300041365")
ENGRAVING_PRINT = ("gravure", "300041340")
WOODCUT_PRINT = ("houtsnede", "300041405")
PRINT = ("prent", "300041273")
DRAWING = ("tekening", "300033973")
CHARCOAL_DRAWING = ("houtskooltekening", "300390908")
SCULPTURE = ("beeldhouwwerk", "300047090")
BUST = ("buste", "300047457")
RELIEF = ("reliëf", "300047230")
TAPESTRY = ("wandtapijt", "300205002")
CERAMICS = ("keramiek", "300151343")
DRINKING_GLASS = ("drinkglas", "300043230")
FURNITURE = ("meubilair", "300037680")

# object categories per set: (Dutch term, AAT id)
CATEGORY = {
    "schilderijen": ("schilderingen", "300033618"),
    "werken-op-papier": ("werken op papier", "300189621"),
    "beeldhouwkunst": ("beeldhouwwerken", "300047090"),
    "toegepaste-kunst": ("toegepaste kunst", "300054168"),
}

# subjects: (Dutch term, AAT id or None)
LANDSCAPE = ("landschap", "300015636")
PORTRAIT = ("portret", "300015637")
WOMAN = ("vrouw", "300025943")
MAN = ("man", "300025928")
CART = ("kar", "300212695")
SHIP = ("schip", "300082981")
BEACH = ("strand", "300008816")
SEA = ("zee", "300008694")
RIVER = ("rivier", None)
COWS = ("koeien", None)
SNOW = ("sneeuw", None)
FLAX = ("vlas", None)
FAIR = ("kermis", None)
INN = ("herberg", None)
CHILDREN = ("kinderen", None)
RELIGION = ("religieuze voorstellingen", None)
CITYSCAPE = ("stadsgezicht", None)
PROVERB = ("spreekwoorden", None)
NUDE = ("naakt", None)
ANIMALS = ("dieren", None)


@dataclass(frozen=True)
class Maker:
    actor: str
    role: tuple[str, str | None]
    qualifier: str | None = None  # attributionQualifierActor


@dataclass(frozen=True)
class MuseumRecord:
    inv: str | None  # inventory number; None = the partner forgot it (deliberately invalid)
    set: str  # OAI set: schilderijen, werken-op-papier, beeldhouwkunst-en-toegepaste-kunst
    category: str  # key of CATEGORY
    datestamp: str
    worktype: tuple[str, str]
    titles: tuple[tuple[str, str], ...]  # (text, lang); the first is preferred; ("", "nl") = empty
    makers: tuple[Maker, ...]
    date_display: str
    earliest: str
    latest: str
    materials: tuple[tuple[str, str | None], ...]
    materials_display: str
    dims: tuple[tuple[str, str], ...]  # (hoogte|breedte|diepte, value with decimal comma)
    rights: str | None  # rights of the work; None = missing (deliberately invalid)
    description_nl: str | None = None
    description_en: str | None = None
    place: str | None = None
    circa: bool = False
    event_style: str = "production"  # production | vervaardiging | lido11
    inscription: str | None = None
    subjects: tuple[tuple[str, str | None], ...] = ()
    extent: str = "geheel"
    published_id: bool = True
    image_rights: str | None = CC0  # None = no image published
    acquisition: tuple[str, str] | None = None  # (method, year)
    priref: str | None = None  # Adlib record number, when the inventory number is missing


def _p(inv: str, datestamp: str, **kw) -> MuseumRecord:
    return MuseumRecord(inv=inv, set="schilderijen", category="schilderijen", datestamp=datestamp, **kw)


def _w(inv: str, datestamp: str, **kw) -> MuseumRecord:
    return MuseumRecord(inv=inv, set="werken-op-papier", category="werken-op-papier", datestamp=datestamp, **kw)


def _b(inv: str | None, datestamp: str, category: str = "beeldhouwkunst", **kw) -> MuseumRecord:
    return MuseumRecord(inv=inv, set="beeldhouwkunst-en-toegepaste-kunst", category=category,
                        datestamp=datestamp, **kw)


MUSEUM_RECORDS: tuple[MuseumRecord, ...] = (
    # ---- schilderijen ----------------------------------------------------------------------
    _p("1937-S-004", "2024-03-18T09:12:04Z",
       worktype=OIL_PAINTING,
       titles=(("Zonnige namiddag aan de Leie", "nl"), ("Sunny afternoon on the Lys", "en")),
       makers=(Maker("claus", PAINTER),),
       date_display="1904", earliest="1904", latest="1904", place="Astene",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "72,5"), ("breedte", "98")),
       inscription="gesigneerd en gedateerd l.o.: Emile Claus 1904",
       description_nl="Claus schildert de Leie vlak bij zijn villa Zonneschijn in Astene. Het tegenlicht "
                      "breekt op het water in korte, pasteuze toetsen; twee koeien staan tot hun knieën "
                      "in de rivier.",
       description_en="Claus painted the Lys close to his villa Zonneschijn in Astene. The back-lit water "
                      "is built up from short, thick strokes; two cows stand knee-deep in the river.",
       subjects=(LANDSCAPE, RIVER, COWS), rights=PDM, acquisition=("schenking", "1937")),
    _p("1952-S-011", "2024-03-18T09:12:04Z",
       worktype=OIL_PAINTING,
       titles=(("De veerpont te Astene", "nl"), ("Le bac à Astene", "fr")),
       makers=(Maker("claus", PAINTER),),
       date_display="ca. 1890", earliest="1888", latest="1892", circa=True, place="Astene",
       event_style="vervaardiging",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "54"), ("breedte", "80,5")),
       description_nl="Een veerman duwt de pont met boerinnen en een kalf over de Leie. Het werk dateert "
                      "van vóór Claus' luministische periode: de toon is nog gedempt en realistisch.",
       subjects=(LANDSCAPE, RIVER), rights=PDM, acquisition=("aankoop", "1952")),
    _p("1961-S-023", "2024-03-18T09:14:37Z",
       worktype=OIL_PAINTING,
       titles=(("Sneeuwlandschap in de Leiestreek", "nl"),),
       makers=(Maker("saedeleer", PAINTER),),
       date_display="ca. 1925-1930", earliest="1925", latest="1930", circa=True, place="Tiegem",
       materials=(OIL, WOOD), materials_display="olieverf op paneel",
       dims=(("hoogte", "61"), ("breedte", "76,5")),
       description_nl="Een witte, stille vlakte met knotwilgen en een enkele boerderij onder een loodgrijze "
                      "lucht. De Saedeleer bouwt het landschap op in horizontale banden, met een "
                      "verstilling die aan Bruegel herinnert.",
       subjects=(LANDSCAPE, SNOW), rights=PDM),
    _p("1974-S-002", "2024-03-18T09:14:37Z",
       worktype=OIL_PAINTING,
       titles=(("Boerenmeisje met hoofddoek", "nl"), ("Peasant girl with a headscarf", "en")),
       makers=(Maker("woestyne", PAINTER),),
       date_display="1913", earliest="1913", latest="1913", place="Sint-Martens-Latem",
       event_style="lido11",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "61"), ("breedte", "50")),
       inscription="gemonogrammeerd r.b.: GVDW",
       description_nl="Frontaal, bijna icoonachtig portret van een meisje uit Latem. De strakke contour en "
                      "de ingehouden kleur verraden Van de Woestynes bewondering voor de Vlaamse primitieven.",
       description_en="A frontal, almost icon-like portrait of a village girl from Latem; the firm contour "
                      "and restrained colour show the painter's admiration for the Flemish Primitives.",
       subjects=(PORTRAIT, WOMAN), rights=PDM, acquisition=("aankoop", "1974")),
    _p("1989-S-031", "2024-03-18T09:15:02Z",
       worktype=OIL_PAINTING,
       titles=(("Boer in het veld", "nl"),),
       makers=(Maker("permeke", PAINTER),),
       date_display="1929", earliest="1929", latest="1929", place="Jabbeke",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "120"), ("breedte", "95,5")),
       description_nl="Een massieve figuur in aardetinten vult bijna het hele doek. Permeke schildert de "
                      "boer als een monument, met brede en ruwe penseelstreken.",
       subjects=(MAN, LANDSCAPE), rights=PDM, image_rights=CC_BY),
    _p("1991-S-006", "2024-06-03T14:40:19Z",
       worktype=OIL_PAINTING,
       titles=(("Kermis te Deurle", "nl"), ("La kermesse à Deurle", "fr")),
       makers=(Maker("gdesmet", PAINTER),),
       date_display="1938", earliest="1938", latest="1938", place="Deurle",
       event_style="vervaardiging",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "80"), ("breedte", "100")),
       description_nl="Kleurige, vereenvoudigde figuren rond een draaimolen op het dorpsplein: een laat, "
                      "opgewekt werk uit De Smets Deurlese jaren.",
       subjects=(FAIR, CHILDREN), rights=PDM),
    _p("2003-S-014", "2024-06-03T14:41:55Z",
       worktype=OIL_PAINTING,
       titles=(("Vrouw aan de waterkant", "nl"),),
       makers=(Maker("vdberghe", PAINTER),),
       date_display="1925", earliest="1925", latest="1925", place="Afsnee",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "90"), ("breedte", "75")),
       description_nl="Een vrouwenfiguur aan de oever, met de gestileerde vormen en het warme bruin van "
                      "Van den Berghes expressionistische jaren.",
       subjects=(WOMAN, RIVER), rights=PDM, published_id=False),
    _p("1937-S-019", "2024-06-03T14:43:10Z",
       worktype=OIL_PAINTING,
       titles=(("Dennenbos te Latem", "nl"),),
       makers=(Maker("vdabeele", PAINTER),),
       date_display="1905", earliest="1905", latest="1905", place="Sint-Martens-Latem",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "46,5"), ("breedte", "55")),
       inscription="gesigneerd r.o.: Alb. Van den Abeele",
       description_nl="Van den Abeele, burgemeester van Sint-Martens-Latem en autodidact, schilderde "
                      "geduldig de dennenbossen rond zijn dorp. Het licht valt gefilterd tussen de stammen.",
       subjects=(LANDSCAPE,), rights=PDM, acquisition=("schenking", "1937")),
    _p("2011-S-003", "2025-01-21T10:05:44Z",
       worktype=OIL_PAINTING,
       titles=(("Kinderen spelen in de schooltuin", "nl"), ("Children playing in the school garden", "en")),
       makers=(Maker("montigny", PAINTER),),
       date_display="ca. 1912", earliest="1910", latest="1914", circa=True, place="Deurle",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "65"), ("breedte", "81")),
       description_nl="Montigny, leerlinge van Emile Claus, schilderde vaak spelende kinderen in de tuin van "
                      "de dorpsschool. Het zonlicht valt in vlekken op de witte schorten.",
       description_en="Montigny, a pupil of Emile Claus, often painted children at play in the village "
                      "school garden, the sunlight falling in patches on their white pinafores.",
       subjects=(CHILDREN,), rights=PDM),
    _p("2015-S-008", "2025-01-21T10:07:02Z",
       worktype=OIL_PAINTING,
       titles=(("Vlaswerkers aan de Leie", "nl"),),
       makers=(Maker("huys", PAINTER),),
       date_display="1910", earliest="1910", latest="1910", place="Olsene",
       event_style="lido11",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "100"), ("breedte", "120,5")),
       description_nl="Arbeiders keren het vlas op de oever van de Leie. De vlasnijverheid bepaalde "
                      "eeuwenlang het uitzicht van de rivier en van de dorpen langs haar oevers.",
       subjects=(FLAX, RIVER, LANDSCAPE), rights=PDM, acquisition=("aankoop", "2015")),
    _p("2008-S-001", "2025-04-09T08:31:27Z",
       worktype=OIL_PAINTING,
       titles=(("Interieur met lezende vrouw", "nl"), ("Interior with a woman reading", "en")),
       makers=(Maker("ldesmet", PAINTER),),
       date_display="1916", earliest="1916", latest="1916", place="Londen",
       event_style="vervaardiging",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "76"), ("breedte", "63,5")),
       description_nl="Léon De Smet verbleef tijdens de Eerste Wereldoorlog in Londen, waar hij lichte, "
                      "verfijnde interieurs schilderde. Een vrouw leest bij het venster; het licht speelt "
                      "op porselein en bloemen.",
       subjects=(WOMAN,), rights=INC, image_rights=None),
    _p("1958-S-012", "2025-04-09T08:33:50Z",
       worktype=OIL_PAINTING,
       titles=(("Boerenkar in een doorwaadbare plaats", "nl"), ("Charrette au gué", "fr")),
       makers=(Maker("siberechts", PAINTER),),
       date_display="ca. 1665", earliest="1660", latest="1670", circa=True, place="Antwerpen",
       event_style="lido11",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "83"), ("breedte", "105,5")),
       description_nl="Een boerin op een hooikar steekt een ondiepe beek over, een motief dat Siberechts in "
                      "zijn Antwerpse jaren vaak herhaalde. Het heldere licht en de nauwkeurige weergave van "
                      "het water zijn kenmerkend.",
       subjects=(CART, LANDSCAPE, WOMAN), rights=PDM, acquisition=("aankoop", "1958")),
    _p("1964-S-009", "2025-04-09T08:35:12Z",
       worktype=OIL_PAINTING,
       titles=(("Boeren in een herberg", "nl"),),
       makers=(Maker("teniers", PAINTER, "atelier van"),),
       date_display="ca. 1650-1660", earliest="1650", latest="1660", circa=True, place="Antwerpen",
       materials=(OIL, OAK), materials_display="olieverf op paneel (eik)",
       dims=(("hoogte", "38,5"), ("breedte", "52")),
       description_nl="Rokende en kaartende boeren rond een ton in een schemerige herberg. De vlotte maar "
                      "wat vlakke uitvoering wijst op een medewerker uit het atelier van Teniers.",
       subjects=(INN, MAN), rights=PDM, published_id=False),
    _p("1972-S-015", "2025-09-30T15:20:08Z",
       worktype=OIL_PAINTING,
       titles=(("Portret van een Brugse schepen", "nl"), ("Portrait of a Bruges alderman", "en")),
       makers=(Maker("pourbus", PAINTER, "toegeschreven aan"),),
       date_display="ca. 1560", earliest="1555", latest="1565", circa=True, place="Brugge",
       event_style="vervaardiging",
       materials=(OIL, OAK), materials_display="olieverf op paneel (eik)",
       dims=(("hoogte", "44,5"), ("breedte", "33")),
       inscription="b.l.: AETATIS SVAE 42",
       description_nl="Halffiguur van een man in een zwarte tabbaard met bontkraag, tegen een groene "
                      "achtergrond. De sobere houding en de nauwgezette weergave van het gelaat sluiten aan "
                      "bij de Brugse portretten van Pourbus.",
       description_en="Half-length portrait of a man in a black fur-trimmed gown against a green ground, "
                      "close to Pourbus's Bruges portraits.",
       subjects=(PORTRAIT, MAN), rights=PDM),
    _p("1983-S-020", "2025-09-30T15:22:41Z",
       worktype=OIL_PAINTING,
       titles=(("Kruisafneming", "nl"), ("Descente de croix", "fr")),
       makers=(Maker("anon", COPYIST), Maker("rubens", PAINTER, "naar")),
       date_display="18de eeuw", earliest="1700", latest="1799",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "115"), ("breedte", "80")),
       description_nl="Verkleinde kopie naar het middenpaneel van Rubens' Kruisafneming in de "
                      "Onze-Lieve-Vrouwekathedraal van Antwerpen. Afkomstig uit de pastorie van "
                      "Petegem-aan-de-Leie.",
       subjects=(RELIGION,), rights=PDM, acquisition=("schenking", "1983")),
    # deliberately invalid: the date does not exist (30 February)
    _p("1966-S-010", "2026-02-11T11:48:30Z",
       worktype=OIL_PAINTING,
       titles=(("Gezicht op Deinze vanaf de Leie", "nl"),),
       makers=(Maker("anon_gent", PAINTER),),
       date_display="30 februari 1887", earliest="1887-02-30", latest="1887-02-30", place="Deinze",
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "48"), ("breedte", "66,5")),
       description_nl="Zicht op de stad met de toren van de Onze-Lieve-Vrouwekerk boven de daken en "
                      "trekschuiten op de Leie op de voorgrond.",
       subjects=(CITYSCAPE, RIVER), rights=PDM),
    # deliberately invalid: no title and no description
    _p("2019-S-002", "2026-02-11T11:51:03Z",
       worktype=OIL_PAINTING,
       titles=(("", "nl"),),
       makers=(Maker("anon", PAINTER),),
       date_display="ca. 1700", earliest="1690", latest="1710", circa=True,
       materials=(OIL, CANVAS), materials_display="olieverf op doek",
       dims=(("hoogte", "71"), ("breedte", "58,5")),
       rights=PDM, published_id=False, acquisition=("legaat", "2019")),
    # ---- werken op papier ------------------------------------------------------------------
    _w("1986-G-044", "2024-03-18T09:20:41Z",
       worktype=ETCHING_PRINT,
       titles=(("De kathedraal", "nl"), ("La cathédrale", "fr")),
       makers=(Maker("ensor", ETCHER),),
       date_display="1886", earliest="1886", latest="1886", place="Oostende",
       materials=(ETCHING, PAPER), materials_display="ets op papier",
       dims=(("hoogte", "24,7"), ("breedte", "18,8")), extent="plaatrand",
       inscription="gesigneerd in potlood r.o.: James Ensor",
       description_nl="Een hoog oprijzende gotische kathedraal boven een krioelende menigte. Ensor etste "
                      "de voorstelling in 1886; deze afdruk komt uit een latere oplage.",
       description_en="A towering Gothic cathedral above a swarming crowd. Ensor etched the plate in 1886; "
                      "this impression is from a later printing.",
       subjects=(CITYSCAPE, RELIGION), rights=PDM, acquisition=("aankoop", "1986")),
    _w("1986-G-051", "2024-03-18T09:20:41Z",
       worktype=ETCHING_PRINT,
       titles=(("Badhuizen te Oostende", "nl"), ("Les bains à Ostende", "fr")),
       makers=(Maker("ensor", ETCHER),),
       date_display="1899", earliest="1899", latest="1899", place="Oostende",
       event_style="lido11",
       materials=(ETCHING, PAPER), materials_display="ets, met de hand ingekleurd, op papier",
       dims=(("hoogte", "21,9"), ("breedte", "27,6")), extent="plaatrand",
       description_nl="Een satirisch zicht op het strand van Oostende, vol badkoetsjes en badgasten in "
                      "potsierlijke houdingen. Deze afdruk werd later met waterverf ingekleurd.",
       subjects=(BEACH, SEA), rights=PDM, acquisition=("aankoop", "1986")),
    _w("1994-G-007", "2024-06-03T14:50:26Z",
       worktype=ETCHING_PRINT,
       titles=(("Het Gravensteen te Gent", "nl"),),
       makers=(Maker("debruycker", ETCHER),),
       date_display="1912", earliest="1912", latest="1912", place="Gent",
       materials=(ETCHING, PAPER), materials_display="ets op papier",
       dims=(("hoogte", "48"), ("breedte", "35,5")), extent="plaatrand",
       description_nl="Grote ets met het Gravensteen boven de daken van het Patershol. De Bruycker "
                      "tekende Gent met een scherp oog voor het pittoreske en voor de kleine man.",
       subjects=(CITYSCAPE,), rights=PDM),
    _w("2001-G-013", "2024-06-03T14:52:00Z",
       worktype=WOODCUT_PRINT,
       titles=(("Man in de stad (uit 'Mijn getijdenboek')", "nl"), ("Mon livre d'heures", "fr")),
       makers=(Maker("masereel", WOODCUTTER),),
       date_display="1919", earliest="1919", latest="1919", place="Genève",
       event_style="vervaardiging",
       materials=(WOODCUT, PAPER), materials_display="houtsnede op papier",
       dims=(("hoogte", "10,1"), ("breedte", "7,4")), extent="beeld",
       description_nl="Blad uit Masereels roman zonder woorden 'Mijn getijdenboek', waarin een man in "
                      "165 houtsneden door het leven en de moderne stad dwaalt.",
       description_en="A leaf from Masereel's wordless novel 'Mon livre d'heures', in which a man wanders "
                      "through life and the modern city in 165 woodcuts.",
       subjects=(MAN, CITYSCAPE), rights=INC, image_rights=INC),
    _w("1979-G-002", "2024-11-14T13:02:17Z",
       worktype=ENGRAVING_PRINT,
       titles=(("De grote vissen eten de kleine", "nl"), ("Big fish eat little fish", "en")),
       makers=(Maker("vdheyden", ENGRAVER), Maker("bruegel", DESIGNER, "naar"), Maker("cock", PUBLISHER)),
       date_display="1557", earliest="1557", latest="1557", place="Antwerpen",
       event_style="lido11",
       materials=(ENGRAVING, PAPER), materials_display="gravure op papier",
       dims=(("hoogte", "22,9"), ("breedte", "30,2")), extent="plaatrand",
       inscription="Siet sone dit heb ick seer langhe geweten dat die groote visschen de cleyne eten "
                   "— H. Cock excud.",
       description_nl="Een gestrande reuzenvis braakt kleinere vissen uit, die op hun beurt nog kleinere "
                      "verslinden. Van der Heyden graveerde de prent naar een tekening van Bruegel; "
                      "Hieronymus Cock gaf ze uit in zijn Antwerpse uitgeverij In de Vier Winden.",
       description_en="A stranded giant fish disgorges smaller fish that in turn devour smaller ones; "
                      "engraved by Van der Heyden after Bruegel and published by Hieronymus Cock.",
       subjects=(PROVERB, ANIMALS), rights=PDM, acquisition=("aankoop", "1979")),
    _w("1968-T-010", "2024-11-14T13:04:40Z",
       worktype=DRAWING,
       titles=(("Studie voor een knielende figuur", "nl"),),
       makers=(Maker("minne", DRAUGHTSMAN),),
       date_display="ca. 1897", earliest="1896", latest="1898", circa=True, place="Gent",
       materials=(PENCIL, PAPER), materials_display="potlood op papier",
       dims=(("hoogte", "31"), ("breedte", "22,5")), extent="blad",
       description_nl="Snelle studie van een naakte, knielende jongen met gekruiste armen, verwant aan de "
                      "figuren van Minnes Fontein der geknielden.",
       subjects=(NUDE, MAN), rights=PDM, published_id=False),
    _w("1990-T-018", "2025-04-09T08:40:03Z",
       worktype=CHARCOAL_DRAWING,
       titles=(("Piëta", "nl"),),
       makers=(Maker("servaes", DRAUGHTSMAN),),
       date_display="1920", earliest="1920", latest="1920", place="Sint-Martens-Latem",
       materials=(CHARCOAL, PAPER), materials_display="houtskool op papier",
       dims=(("hoogte", "64"), ("breedte", "50")), extent="blad",
       description_nl="Donkere, expressieve tekening uit de jaren van Servaes' omstreden kruiswegen. "
                      "Maria houdt het uitgemergelde lichaam van Christus in haar schoot.",
       subjects=(RELIGION,), rights=INC, image_rights=INC, acquisition=("schenking", "1990")),
    _w("2005-T-006", "2025-09-30T15:30:55Z",
       worktype=DRAWING,
       titles=(("Staketsel te Oostende", "nl"), ("L'estacade à Ostende", "fr")),
       makers=(Maker("spilliaert", DRAUGHTSMAN),),
       date_display="1909", earliest="1909", latest="1909", place="Oostende",
       event_style="vervaardiging",
       materials=(INK, WATERCOLOUR, PAPER), materials_display="Oost-Indische inkt en waterverf op papier",
       dims=(("hoogte", "50"), ("breedte", "65")), extent="blad",
       description_nl="Het houten staketsel loopt als een donkere diagonaal de lege zee in. Spilliaert "
                      "herleidt het Oostendse havenfront tot een paar vlakken inkt en een bleke lucht.",
       description_en="The wooden pier runs as a dark diagonal into an empty sea; Spilliaert reduces the "
                      "Ostend waterfront to a few planes of ink and a pale sky.",
       subjects=(SEA,), rights=PDM, image_rights=CC_BY),
    _w("1997-G-029", "2025-09-30T15:33:21Z",
       worktype=PRINT,
       titles=(("Nel aan het venster", "nl"),),
       makers=(Maker("wouters", ETCHER),),
       date_display="1912", earliest="1912", latest="1912", place="Bosvoorde",
       materials=(DRYPOINT, PAPER), materials_display="drogenaald op papier",
       dims=(("hoogte", "20"), ("breedte", "15,2")), extent="plaatrand",
       description_nl="Wouters' vrouw Nel, zijn geliefde model, zit bij het venster van hun huis in "
                      "Bosvoorde. Enkele snelle lijnen volstaan voor het licht en de ruimte.",
       subjects=(WOMAN, PORTRAIT), rights=PDM, acquisition=("aankoop", "1997")),
    # deliberately invalid: no rights, neither for the work nor for the image
    _w("1962-G-005", "2026-02-11T11:55:47Z",
       worktype=ENGRAVING_PRINT,
       titles=(("Deynsa — gezicht op Deinze", "nl"),),
       makers=(Maker("anon", ENGRAVER), Maker("sanderus", AUTHOR)),
       date_display="1641-1644", earliest="1641", latest="1644",
       materials=(ENGRAVING, PAPER), materials_display="gravure op papier",
       dims=(("hoogte", "27"), ("breedte", "37")), extent="plaatrand",
       description_nl="Vogelvluchtgezicht op Deinze met de omwalling, de Leie en de kerk, uit de "
                      "Flandria Illustrata van Antonius Sanderus.",
       subjects=(CITYSCAPE,), rights=None, image_rights=None),
    # ---- beeldhouwkunst en toegepaste kunst --------------------------------------------------
    _b("1998-B-121", "2024-03-18T09:31:15Z",
       worktype=SCULPTURE,
       titles=(("Kleine gewonde", "nl"), ("Le petit blessé", "fr")),
       makers=(Maker("minne", SCULPTOR),),
       date_display="1898", earliest="1898", latest="1898", place="Gent",
       materials=(BRONZE,), materials_display="brons",
       dims=(("hoogte", "35,5"), ("breedte", "13"), ("diepte", "20")),
       description_nl="Een tengere, knielende jongen houdt de armen beschermend voor de borst. Minne "
                      "herleidt de figuur tot een ingekeerde, bijna gotische silhouet.",
       description_en="A slender kneeling boy shields his chest with his arms; Minne reduces the figure "
                      "to an introverted, almost Gothic silhouette.",
       subjects=(NUDE, MAN), rights=PDM, acquisition=("aankoop", "1998")),
    _b("1985-B-033", "2024-06-03T15:02:48Z",
       worktype=SCULPTURE,
       titles=(("Dokwerker", "nl"), ("Débardeur", "fr")),
       makers=(Maker("meunier", SCULPTOR),),
       date_display="ca. 1893", earliest="1890", latest="1895", circa=True, place="Brussel",
       event_style="lido11",
       materials=(BRONZE,), materials_display="brons, donkerbruin gepatineerd",
       dims=(("hoogte", "49,5"), ("breedte", "21"), ("diepte", "17")),
       inscription="gesigneerd op de sokkel: C. Meunier",
       description_nl="Meunier maakte van de havenarbeider een heroïsche figuur met ontbloot bovenlijf "
                      "en een haak in de hand. Van het beeld bestaan afgietsels in verschillende formaten.",
       subjects=(MAN,), rights=PDM),
    _b("1992-B-008", "2024-11-14T13:10:33Z",
       worktype=BUST,
       titles=(("Buste van een jonge vrouw", "nl"),),
       makers=(Maker("lagae", SCULPTOR),),
       date_display="ca. 1895", earliest="1893", latest="1897", circa=True, place="Brussel",
       materials=(MARBLE,), materials_display="wit marmer",
       dims=(("hoogte", "52"), ("breedte", "34"), ("diepte", "25")),
       description_nl="Fijn gepolijste buste van een jonge vrouw met opgestoken haar. De Roeselaarse "
                      "beeldhouwer Lagae combineert een academische techniek met een zachte, "
                      "symbolistische uitdrukking.",
       subjects=(PORTRAIT, WOMAN), rights=PDM, published_id=False),
    _b("2012-B-003", "2025-01-21T10:20:16Z",
       worktype=SCULPTURE,
       titles=(("Liggende vrouw", "nl"), ("Reclining woman", "en")),
       makers=(Maker("jespers", SCULPTOR),),
       date_display="1930", earliest="1930", latest="1930",
       event_style="vervaardiging",
       materials=(LIMESTONE,), materials_display="kalksteen, direct gehouwen",
       dims=(("hoogte", "38"), ("breedte", "62"), ("diepte", "24,5")),
       description_nl="Compacte, kubistisch vereenvoudigde vrouwenfiguur, rechtstreeks in de steen "
                      "gehouwen. Jespers laat de blokvorm van het materiaal voelbaar.",
       subjects=(WOMAN, NUDE), rights=INC, image_rights=INC, acquisition=("aankoop", "2012")),
    _b("1956-B-014", "2025-04-09T08:50:11Z",
       worktype=SCULPTURE,
       titles=(("De kus", "nl"), ("Le baiser", "fr")),
       makers=(Maker("lambeaux", SCULPTOR),),
       date_display="1881 (model)", earliest="1881", latest="1881", place="Antwerpen",
       materials=(BRONZE,), materials_display="brons",
       dims=(("hoogte", "64"), ("breedte", "38"), ("diepte", "30")),
       description_nl="Een naakt paar in een hartstochtelijke omhelzing, het werk waarmee Lambeaux zijn "
                      "naam vestigde. Dit is een later, kleiner afgietsel.",
       subjects=(NUDE, WOMAN, MAN), rights=PDM),
    _b("1970-B-001", "2025-09-30T15:41:29Z",
       worktype=SCULPTURE,
       titles=(("Heilige Anna-te-drieën", "nl"), ("Sainte Anne trinitaire", "fr")),
       makers=(Maker("anon", SCULPTOR),),
       date_display="ca. 1500-1520", earliest="1500", latest="1520", circa=True, place="Mechelen",
       event_style="lido11",
       materials=(OAK, POLYCHROMY), materials_display="eikenhout, gepolychromeerd",
       dims=(("hoogte", "42,5"), ("breedte", "18"), ("diepte", "12")),
       inscription="gemerkt op de sokkel: Mechels stadsmerk (drie palen)",
       description_nl="Kleine devotiesculptuur van de heilige Anna met Maria en het Christuskind op haar "
                      "schoot, een zogenaamde Mechelse pop. Het stadsmerk op de sokkel waarborgde de "
                      "kwaliteit van hout en polychromie.",
       subjects=(RELIGION,), rights=PDM, acquisition=("schenking", "1970")),
    _b("1975-B-006", "2026-02-11T12:02:58Z",
       worktype=RELIEF,
       titles=(("Reliëf met de doop van Christus", "nl"),),
       makers=(Maker("anon", SCULPTOR),),
       date_display="ca. 1560", earliest="1550", latest="1570", circa=True, place="Mechelen",
       materials=(ALABASTER,), materials_display="albast, deels verguld",
       dims=(("hoogte", "24"), ("breedte", "18,5")),
       description_nl="Fijn gesneden albasten reliëf: Johannes doopt Christus in de Jordaan, boven hen "
                      "de duif van de Heilige Geest. Mechelen was in de 16de eeuw hét centrum van zulke "
                      "kleine albasten.",
       subjects=(RELIGION,), rights=PDM),
    _b("1948-K-002", "2024-03-18T09:40:22Z", category="toegepaste-kunst",
       worktype=TAPESTRY,
       titles=(("Verdure met reiger en kasteel", "nl"), ("Verdure au héron", "fr")),
       makers=(Maker("anon", WEAVER),),
       date_display="ca. 1650-1675", earliest="1650", latest="1675", circa=True, place="Oudenaarde",
       materials=(WOOL, SILK), materials_display="wol en zijde",
       dims=(("hoogte", "280"), ("breedte", "340")),
       description_nl="Bosrijk landschap met een reiger op de voorgrond en een kasteel in de verte. "
                      "Oudenaarde was in de 16de en 17de eeuw een belangrijk centrum voor zulke verdures.",
       description_en="A wooded landscape with a heron in the foreground and a castle in the distance, "
                      "woven in Oudenaarde, a major centre of verdure tapestries.",
       subjects=(LANDSCAPE, ANIMALS), rights=PDM, acquisition=("aankoop", "1948")),
    _b("2016-K-004", "2024-11-14T13:15:09Z", category="toegepaste-kunst",
       worktype=CERAMICS,
       titles=(("Vaas met antilopen", "nl"), ("Vase aux antilopes", "fr")),
       makers=(Maker("catteau", DESIGNER), Maker("keramis", MANUFACTURER)),
       date_display="ca. 1925", earliest="1923", latest="1927", circa=True, place="La Louvière",
       event_style="vervaardiging",
       materials=(STONEWARE, ENAMEL), materials_display="steengoed, emaildecor",
       dims=(("hoogte", "32"), ("diepte", "18,5")),
       inscription="onderaan gestempeld: Keramis Made in Belgium; gesigneerd: Ch. Catteau",
       description_nl="Art-decovaas met een fries van springende antilopen in dik email op een "
                      "crèmekleurige grond. Catteau leidde het decoratieatelier van Boch Frères in "
                      "La Louvière.",
       subjects=(ANIMALS,), rights=INC, image_rights=INC),
    # deliberately invalid: no inventory number (the export fell back on the Adlib record number)
    _b(None, "2026-02-11T12:06:40Z", category="toegepaste-kunst", priref="310004711",
       worktype=DRINKING_GLASS,
       titles=(("Drinkglas met monogram", "nl"),),
       makers=(Maker("valstlambert", MANUFACTURER),),
       date_display="ca. 1900", earliest="1895", latest="1905", circa=True, place="Seraing",
       materials=(GLASS,), materials_display="kristalglas, geslepen en gegraveerd",
       dims=(("hoogte", "14"),),
       description_nl="Voetglas van helder kristal met een gegraveerd monogram in een krans, uit een "
                      "servies van een Deinse brouwersfamilie.",
       rights=PDM, published_id=False),
    _b("1981-K-007", "2026-06-22T09:17:35Z", category="toegepaste-kunst",
       worktype=FURNITURE,
       titles=(("Kast in neo-Vlaamse renaissancestijl", "nl"),),
       makers=(Maker("anon", ("meubelmaker", None)),),
       date_display="ca. 1880", earliest="1875", latest="1885", circa=True, place="Mechelen",
       event_style="lido11",
       materials=(OAK,), materials_display="eikenhout, gesneden",
       dims=(("hoogte", "210"), ("breedte", "150"), ("diepte", "62")),
       description_nl="Tweedelige kast met leeuwenkoppen, cariatiden en medaillons, typisch voor de "
                      "Mechelse meubelindustrie van de late 19de eeuw, die oude Vlaamse vormen "
                      "nabootste voor een burgerlijk publiek.",
       subjects=(), rights=PDM, acquisition=("schenking", "1981")),
)

# Deleted records: (inventory number, set, datestamp of the deletion)
MUSEUM_DELETED = (
    ("1937-S-011", "schilderijen", "2025-01-21T10:30:00Z"),
    ("1986-G-052", "werken-op-papier", "2025-09-30T16:02:13Z"),
    ("2020-S-001", "schilderijen", "2026-06-22T09:25:48Z"),
)


def museum_oai_id(rec: MuseumRecord) -> str:
    return f"oai:hofvanleie.be:lido:{rec.inv}" if rec.inv else f"oai:hofvanleie.be:lido:priref:{rec.priref}"


def _lido_attrs(**attrs: str) -> dict[str, str]:
    return {f"{{{LIDO}}}{key}": value for key, value in attrs.items()}


def _sub(parent: etree._Element, name: str, text: str | None = None, lang: str | None = None,
         **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{LIDO}}}{name}", _lido_attrs(**attrs))
    if lang:
        el.set(XML_LANG, lang)
    if text is not None:
        el.text = text
    return el


def _concept(parent: etree._Element, name: str, term: str, aat: str | None, lang: str = "nl",
             **attrs: str) -> etree._Element:
    el = _sub(parent, name, **attrs)
    if aat:
        _sub(el, "conceptID", AAT + aat, type="URI", source="AAT")
    _sub(el, "term", term, lang=lang)
    return el


def _actor(parent: etree._Element, maker: Maker) -> None:
    actor = A[maker.actor]
    in_role = _sub(_sub(parent, "eventActor"), "actorInRole")
    el = _sub(in_role, "actor", type=actor.kind)
    if actor.adlib:
        _sub(el, "actorID", actor.adlib, type="local", source="Adlib")
    if actor.viaf:
        _sub(el, "actorID", f"http://viaf.org/viaf/{actor.viaf}", type="purl", source="VIAF")
    if actor.rkd:
        _sub(el, "actorID", f"https://rkd.nl/explore/artists/{actor.rkd}", type="purl", source="RKD")
    if actor.wikidata:
        _sub(el, "actorID", f"http://www.wikidata.org/wiki/{actor.wikidata}", type="url", source="Wikidata")
    names = _sub(el, "nameActorSet")
    _sub(names, "appellationValue", actor.name, pref="preferred")
    if actor.display != actor.name:
        _sub(names, "appellationValue", actor.display, pref="alternate")
    if actor.born or actor.died:
        vital = _sub(el, "vitalDatesActor")
        if actor.born:
            _sub(vital, "earliestDate", actor.born)
        if actor.died:
            _sub(vital, "latestDate", actor.died)
    role, role_aat = maker.role
    _concept(in_role, "roleActor", role, role_aat)
    if maker.qualifier:
        _sub(in_role, "attributionQualifierActor", maker.qualifier, lang="nl")


def _place(parent: etree._Element, name: str) -> None:
    place = _sub(_sub(parent, "eventPlace"), "place")
    if name in GEONAMES_IDS:
        _sub(place, "placeID", f"{GEONAMES}{GEONAMES_IDS[name]}/", type="URI", source="GeoNames")
    _sub(_sub(place, "namePlaceSet"), "appellationValue", name, lang="nl")


def _rights(parent: etree._Element, name: str, uri: str, holder: str | None = None,
            credit: str | None = None) -> None:
    rights = _sub(parent, name)
    rights_type = _sub(rights, "rightsType")
    _sub(rights_type, "conceptID", uri, type="URI",
         source="rightsstatements.org" if "rightsstatements" in uri else "Creative Commons")
    _sub(rights_type, "term", RIGHTS_LABELS[uri], lang="nl")
    if holder:
        _sub(_sub(_sub(rights, "rightsHolder"), "legalBodyName"), "appellationValue", holder)
    if credit:
        _sub(rights, "creditLine", credit)


def museum_lido(rec: MuseumRecord, priref: str) -> etree._Element:
    """One ``lido:lido`` element, in the style of an Adlib export."""
    key = rec.inv or f"priref/{rec.priref}"
    lido = etree.Element(f"{{{LIDO}}}lido", nsmap={"lido": LIDO, "xsi": XSI})
    lido.set(f"{{{XSI}}}schemaLocation", f"{LIDO} http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd")
    _sub(lido, "lidoRecID", f"http://hofvanleie.be/collectie/werk/data/{key}",
         type="purl", source=MUSEUM, label="dataPID")
    if rec.published_id and rec.inv:
        _sub(lido, "objectPublishedID", f"http://hofvanleie.be/collectie/werk/id/{rec.inv}",
             type="purl", source=MUSEUM, label="workPID")
    category = _sub(lido, "category")
    _sub(category, "conceptID", "http://www.cidoc-crm.org/crm-concepts/E22", type="URI")
    _sub(category, "term", "Man-Made Object", lang="en")

    desc = _sub(lido, "descriptiveMetadata", lang="nl")
    classification = _sub(desc, "objectClassificationWrap")
    _concept(_sub(classification, "objectWorkTypeWrap"), "objectWorkType", *rec.worktype)
    _concept(_sub(classification, "classificationWrap"), "classification", *CATEGORY[rec.category],
             type="objectcategorie")

    ident = _sub(desc, "objectIdentificationWrap")
    title_set = _sub(_sub(ident, "titleWrap"), "titleSet")
    for n, (text, lang) in enumerate(rec.titles):
        _sub(title_set, "appellationValue", text, lang=lang, pref="preferred" if n == 0 else "alternate")
    if rec.inscription:
        inscriptions = _sub(_sub(ident, "inscriptionsWrap"), "inscriptions")
        _sub(inscriptions, "inscriptionTranscription", rec.inscription, lang="nl")
    repository = _sub(_sub(ident, "repositoryWrap"), "repositorySet", type="current")
    _sub(_sub(_sub(repository, "repositoryName"), "legalBodyName"), "appellationValue", MUSEUM)
    if rec.inv:
        _sub(repository, "workID", rec.inv, type="inventarisnummer")
    if rec.description_nl or rec.description_en:
        descriptions = _sub(ident, "objectDescriptionWrap")
        for text, lang in ((rec.description_nl, "nl"), (rec.description_en, "en")):
            if text:
                _sub(_sub(descriptions, "objectDescriptionSet", type="beschrijving"), "descriptiveNoteValue",
                     text, lang=lang)
    measurements = _sub(ident, "objectMeasurementsWrap")
    for kind, value in rec.dims:
        objm = _sub(_sub(measurements, "objectMeasurementsSet"), "objectMeasurements")
        mset = _sub(objm, "measurementsSet")
        _sub(mset, "measurementType", kind)
        _sub(mset, "measurementUnit", "cm")
        _sub(mset, "measurementValue", value)
        _sub(objm, "extentMeasurements", rec.extent)

    events = _sub(desc, "eventWrap")
    event = _sub(_sub(events, "eventSet"), "event")
    event_type = _sub(event, "eventType")
    if rec.event_style == "lido11":
        _sub(event_type, "conceptID", LIDO_PRODUCTION, type="URI", source="LIDO-Terminologie")
        _sub(event_type, "term", "production", lang="en")
    elif rec.event_style == "vervaardiging":
        _sub(event_type, "term", "vervaardiging", lang="nl")
    else:
        _sub(event_type, "term", "production")
    for maker in rec.makers:
        _actor(event, maker)
    event_date = _sub(event, "eventDate")
    _sub(event_date, "displayDate", rec.date_display, lang="nl")
    date = _sub(event_date, "date")
    circa = {"type": "circa"} if rec.circa else {}
    _sub(date, "earliestDate", rec.earliest, **circa)
    _sub(date, "latestDate", rec.latest, **circa)
    if rec.place:
        _place(event, rec.place)
    materials = _sub(event, "eventMaterialsTech")
    _sub(materials, "displayMaterialsTech", rec.materials_display, lang="nl")
    materials_tech = _sub(materials, "materialsTech")
    for term, aat in rec.materials:
        _concept(materials_tech, "termMaterialsTech", term, aat)
    if rec.acquisition:
        method, year = rec.acquisition
        acquisition = _sub(_sub(events, "eventSet"), "event")
        _sub(_sub(acquisition, "eventType"), "term", "verwerving", lang="nl")
        acquisition_date = _sub(acquisition, "eventDate")
        _sub(acquisition_date, "displayDate", year)
        span = _sub(acquisition_date, "date")
        _sub(span, "earliestDate", year)
        _sub(span, "latestDate", year)
        _concept(acquisition, "eventMethod", method, "300138913" if method == "schenking" else None)

    if rec.subjects:
        subject_set = _sub(_sub(_sub(desc, "objectRelationWrap"), "subjectWrap"), "subjectSet")
        subject = _sub(subject_set, "subject", type="inhoud")
        for term, aat in rec.subjects:
            _concept(subject, "subjectConcept", term, aat)

    admin = _sub(lido, "administrativeMetadata", lang="nl")
    if rec.rights:
        _rights(_sub(admin, "rightsWorkWrap"), "rightsWorkSet", rec.rights,
                holder=None if rec.rights == PDM else "rechthebbenden / SABAM")
    record = _sub(admin, "recordWrap")
    _sub(record, "recordID", key, type="local")
    _sub(record, "recordID", priref, type="Adlib")
    _concept(record, "recordType", "item", None)
    source = _sub(record, "recordSource")
    _sub(_sub(source, "legalBodyName"), "appellationValue", MUSEUM)
    _sub(source, "legalBodyWeblink", MUSEUM_WEB)
    info = _sub(record, "recordInfoSet")
    _sub(info, "recordInfoLink", f"https://collectie.hofvanleie.be/objecten/{key}", formatResource="html")
    _sub(info, "recordMetadataDate", rec.datestamp[:10], type="modified")
    if rec.image_rights:
        resource = _sub(_sub(admin, "resourceWrap"), "resourceSet")
        _sub(resource, "resourceID", f"{key}_01", type="local")
        representation = _sub(resource, "resourceRepresentation", type="image_master")
        _sub(representation, "linkResource", f"https://beeld.hofvanleie.be/afbeeldingen/{key}.jpg",
             formatResource="image/jpeg")
        _concept(resource, "resourceType", "digitale afbeelding", "300215302")
        _rights(resource, "rightsResource", rec.image_rights, holder=MUSEUM,
                credit=f"{MUSEUM}, Deinze — foto: Studio Leieland")
    return lido


# --------------------------------------------------------------------------------------------
# The archive: oai_dc
# --------------------------------------------------------------------------------------------
ARCHIVE = "Kustlicht, archief en erfgoedbibliotheek Oostende"

PHOTO = AAT + "300046300"
POSTCARD = AAT + "300026816"
POSTER = AAT + "300027221"
LETTER = AAT + "300026879"
MAP = AAT + "300028094"
BOOK = AAT + "300028051"


@dataclass(frozen=True)
class ArchiveRecord:
    inv: str | None  # inventory number; None = missing (deliberately invalid)
    set: str
    datestamp: str
    titles: tuple[tuple[str, str | None], ...]  # (text, xml:lang or None)
    date: str
    types: tuple[str, ...]
    formats: tuple[str, ...]
    rights: str | None  # URI or text; None = missing (deliberately invalid)
    creators: tuple[str, ...] = ()
    descriptions: tuple[tuple[str, str | None], ...] = ()
    subjects: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    coverage: tuple[str, ...] = ()
    image: bool = True
    local_id: str | None = None  # record id used in URLs when there is no inventory number


ARCHIVE_RECORDS: tuple[ArchiveRecord, ...] = (
    # ---- foto's ----------------------------------------------------------------------------
    ArchiveRecord(
        "FO-1923-0012", "fotos", "2024-01-15T08:30:00Z",
        titles=(("Het Kursaal vanaf de Zeedijk", "nl"),),
        creators=("Fotostudio Hendrik Vanhove (Oostende)",),
        descriptions=(("Zicht op het Kursaal met wandelaars en badgasten op de zeedijk tijdens het "
                       "hoogseizoen; links de eerste rij strandcabines.", "nl"),),
        subjects=(AAT + "300008816", "Kursaal", "Zeedijk"),
        date="1923", types=(PHOTO, "Image"), formats=("zilvergelatinedruk ; 13 x 18 cm", "image/jpeg"),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "FO-1906-0003", "fotos", "2024-01-15T08:30:00Z",
        titles=(("Inhuldiging van de Koninklijke Gaanderijen", "nl"),),
        creators=("anoniem",),
        descriptions=(("Notabelen en nieuwsgierigen bij de pas voltooide Koninklijke Gaanderijen, de "
                       "overdekte wandelgang die Leopold II tussen de Wellingtonrenbaan en de zeedijk "
                       "liet bouwen.", "nl"),),
        subjects=("Koninklijke Gaanderijen", "Leopold II, koning der Belgen"),
        date="1906", types=(PHOTO, "Image"), formats=("zilvergelatinedruk op karton ; 17 x 23 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "FO-1934-0041", "fotos", "2024-01-15T08:30:01Z",
        titles=(("Vissersboten in de haven", "nl"),),
        creators=("Fotostudio Hendrik Vanhove (Oostende)",),
        descriptions=(("Sloepen en stoomtreilers gemeerd in de vissershaven; op de kade worden netten "
                       "gedroogd en hersteld.", "nl"),),
        subjects=(AAT + "300082981", "visserij", "haven"),
        date="ca. 1935", types=(PHOTO,), formats=("zilvergelatinedruk ; 13 x 18 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "FO-1946-0007", "fotos", "2024-05-06T12:11:45Z",
        titles=(("Ruïnes in de Kapellestraat na de bombardementen", "nl"),),
        creators=("Dewulf, Jozef",),
        descriptions=(("Puinhopen in de Kapellestraat, gefotografeerd kort na de bevrijding van "
                       "Oostende in september 1944.", "nl"),),
        subjects=("Tweede Wereldoorlog", "bombardementen", "Kapellestraat"),
        date="1944-09-12", types=(PHOTO, "Image"), formats=("zilvergelatinedruk ; 9 x 12 cm",),
        coverage=("Oostende", "1940-1945"), rights=INC),
    ArchiveRecord(
        "FO-1952-0019", "fotos", "2024-05-06T12:13:02Z",
        titles=(("Paardenvissers te Oostduinkerke", "nl"),
                ("Shrimp fishermen on horseback at Oostduinkerke", "en")),
        creators=("Verhaeghe, Marcel",),
        descriptions=(("Garnaalvissers te paard trekken hun netten door de branding bij laagtij.", "nl"),
                      ("Shrimp fishermen on horseback drag their nets through the surf at low tide.",
                       "en")),
        subjects=(AAT + "300008694", "garnaalvisserij", "paardenvisserij"),
        date="1952-06", types=(PHOTO, "Image"), formats=("zilvergelatinedruk ; 18 x 24 cm", "image/jpeg"),
        coverage=("Oostduinkerke",), rights=CC_BY),
    ArchiveRecord(
        "FO-1965-0002", "fotos", "2024-05-06T12:14:30Z",
        titles=(("Het schoolschip Mercator in de jachthaven", "nl"),),
        creators=("Verhaeghe, Marcel",),
        descriptions=(("De driemaster Mercator, het vroegere opleidingsschip van de koopvaardij, ligt als "
                       "museumschip afgemeerd in het centrum van de stad.", "nl"),),
        subjects=(AAT + "300082981", "Mercator (schip)"),
        date="ca. 1965", types=(PHOTO,), formats=("kleurendia ; 24 x 36 mm",),
        coverage=("Oostende",), rights=CC_BY_SA),
    ArchiveRecord(
        "FO-1933-0005", "fotos", "2024-09-23T07:45:12Z",
        titles=(("Het Thermae Palace kort na de opening", "nl"),),
        creators=("anoniem",),
        descriptions=(("Het art-decohotel Thermae Palace aan de zeedijk, met het kuuroord in de "
                       "vleugel naast de Koninklijke Gaanderijen.", "nl"),),
        subjects=("Thermae Palace", "hotels", AAT + "300132466"),
        date="1933", types=("Image",), formats=("zilvergelatinedruk ; 13 x 18 cm",),
        coverage=("Oostende",), rights=CNE),
    ArchiveRecord(
        "FO-1899-0001", "fotos", "2024-09-23T07:46:40Z",
        titles=(("Wellingtonrenbaan tijdens een koersdag", "nl"), ("L'hippodrome Wellington", "fr")),
        creators=("anoniem",),
        descriptions=(("Publiek in zondagse kledij op de tribunes van de Wellingtonrenbaan; op de "
                       "voorgrond paarden en jockeys bij de start.", "nl"),),
        subjects=("Wellingtonrenbaan", "paardenrennen"),
        date="ca. 1900", types=(PHOTO, "Image"), formats=("albuminedruk ; 14 x 20 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "FO-1958-0023", "fotos", "2025-02-17T16:20:05Z",
        titles=(("Carnavalsstoet op het Wapenplein", "nl"),),
        creators=("Dewulf, Jozef",),
        descriptions=(("Praalwagens en gemaskerde groepen trekken over het Wapenplein tijdens de "
                       "carnavalsstoet op zondag.", "nl"),),
        subjects=(AAT + "300069283", "carnaval", "Wapenplein"),
        date="1958-02-16", types=(PHOTO, "Image"), formats=("zilvergelatinedruk ; 18 x 24 cm",),
        coverage=("Oostende",), rights=INC),
    ArchiveRecord(
        "FO-1912-0008", "fotos", "2025-02-17T16:21:48Z",
        titles=(("Het strand met badkoetsen", "nl"), ("The beach at Ostend with bathing machines", "en")),
        creators=("anoniem",),
        descriptions=(("Rijen houten badkoetsen worden door paarden tot in de branding getrokken; "
                       "badgasten in lange badpakken.", "nl"),),
        subjects=(AAT + "300008816", AAT + "300132466", AAT + "300193790", "badkoetsen"),
        date="1912-08", types=(PHOTO, "Image"), formats=("zilvergelatinedruk ; 13 x 18 cm",),
        coverage=("Oostende",), rights=PDM),
    # deliberately invalid: neither title nor description
    ArchiveRecord(
        "FO-1927-0015", "fotos", "2026-03-02T09:05:17Z",
        titles=(),
        creators=("Fotostudio Hendrik Vanhove (Oostende)",),
        date="1927", types=(PHOTO,), formats=("zilvergelatinedruk ; 9 x 12 cm",),
        coverage=("Oostende",), rights=PDM),
    # ---- prentkaarten ----------------------------------------------------------------------
    ArchiveRecord(
        "PK-1905-0101", "prentkaarten", "2024-01-15T08:31:10Z",
        titles=(("Ostende. — La Digue", "fr"),),
        creators=("Thill, Ernest (Nels)",),
        descriptions=(("Prentkaart met wandelaars op de zeedijk en de villa's en hotels erachter, uit de "
                       "reeks over Oostende van uitgever Nels.", "nl"),),
        subjects=("Zeedijk", AAT + "300132466"),
        date="ca. 1905", types=(POSTCARD, "Image"), formats=("lichtdruk ; 9 x 14 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "PK-1911-0044", "prentkaarten", "2024-01-15T08:31:10Z",
        titles=(("Ostende. — Le Kursaal", "fr"),),
        creators=("Thill, Ernest (Nels)",),
        descriptions=(("Verstuurd naar Gent; poststempel Oostende, 23 juli 1911. Op de keerzijde een "
                       "korte groet in het Frans.", "nl"),),
        subjects=("Kursaal",),
        date="1911-07-23", types=(POSTCARD,), formats=("lichtdruk ; 9 x 14 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "PK-1908-0012", "prentkaarten", "2024-05-06T12:20:00Z",
        titles=(("Mariakerke. — La Plage", "fr"), ("Mariakerke. — Het strand", "nl")),
        creators=("anoniem",),
        descriptions=(("Het strand van Mariakerke met vissersbootjes op het zand en het kerkje "
                       "Onze-Lieve-Vrouw-ter-Duinen in de verte.", "nl"),),
        subjects=(AAT + "300008816", "Onze-Lieve-Vrouw-ter-Duinenkerk"),
        date="ca. 1908", types=(POSTCARD, "Image"), formats=("lichtdruk ; 9 x 14 cm",),
        coverage=("Mariakerke",), rights=PDM),
    ArchiveRecord(
        "PK-1925-0030", "prentkaarten", "2024-09-23T07:50:33Z",
        titles=(("Groeten uit Oostende", "nl"),),
        creators=("anoniem",),
        descriptions=(("Veelbeeldkaart met het Kursaal, de haven, het station en de Sint-Petrus-en-"
                       "Pauluskerk rond een kader met de tekst 'Groeten uit Oostende'.", "nl"),),
        subjects=("Kursaal", "Sint-Petrus-en-Pauluskerk", AAT + "300193790"),
        date="ca. 1925", types=(POSTCARD, "Image"), formats=("kleurendruk ; 9 x 14 cm", "image/jpeg"),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "PK-1930-0007", "prentkaarten", "2025-02-17T16:30:12Z",
        titles=(("Ostende. — Le Port et le Phare", "fr"),),
        creators=("anoniem",),
        descriptions=(("De havengeul met de vuurtoren en een vertrekkende mailboot.", "nl"),),
        subjects=(AAT + "300082981", "vuurtoren", "haven"),
        date="ca. 1930", types=(POSTCARD,), formats=("lichtdruk ; 9 x 14 cm",),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "PK-1935-0012", "prentkaarten", "2025-06-10T10:02:45Z",
        titles=(("Malle Ostende-Douvres. — Le « Prince Baudouin »", "fr"),
                ("Ostend–Dover mail boat Prince Baudouin", "en")),
        creators=("anoniem",),
        descriptions=(("De snelle motormailboot Prince Baudouin van de Belgische staatsmaildienst op "
                       "de lijn Oostende-Dover.", "nl"),),
        subjects=(AAT + "300082981", "maildienst Oostende-Dover"),
        date="ca. 1935", types=(POSTCARD, "Image"), formats=("zilvergelatinedruk ; 9 x 14 cm",),
        rights=PDM),
    # deliberately invalid: no rights
    ArchiveRecord(
        "PK-1914-0002", "prentkaarten", "2026-03-02T09:07:40Z",
        titles=(("Ostende. — La Minque", "fr"),),
        creators=("Thill, Ernest (Nels)",),
        descriptions=(("De vismijn aan de haven tijdens de ochtendverkoop, met vissersvrouwen en "
                       "manden vis op de kaai.", "nl"),),
        subjects=("vismijn", "visserij"),
        date="ca. 1914", types=(POSTCARD, "Image"), formats=("lichtdruk ; 9 x 14 cm",),
        coverage=("Oostende",), rights=None),
    # ---- affiches --------------------------------------------------------------------------
    ArchiveRecord(
        "AF-1898-0001", "affiches", "2024-01-15T08:32:44Z",
        titles=(("Bal du Rat Mort", "fr"),),
        creators=("Ensor, James",),
        descriptions=(("Affiche van James Ensor voor het gemaskerde bal van de kunstenaarskring "
                       "Le Rat Mort in het Kursaal.", "nl"),
                      ("Ensor's poster for the masked ball of the Rat Mort artists' club at the "
                       "Kursaal.", "en")),
        subjects=("gemaskerde bals", "carnaval", "Kursaal"),
        date="1898", types=(POSTER, "Image"), formats=("kleurenlithografie ; 71 x 52 cm", "image/jpeg"),
        coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "AF-1905-0003", "affiches", "2024-05-06T12:25:19Z",
        titles=(("Ostende – Douvres", "fr"),),
        creators=("Cassiers, Henry",),
        descriptions=(("Reclame voor de maildienst van de Belgische Staat tussen Oostende en Dover, met "
                       "een mailboot die de havengeul uitvaart.", "nl"),),
        subjects=(AAT + "300082981", "maildienst Oostende-Dover", AAT + "300132466"),
        date="ca. 1905", types=(POSTER, "Image"), formats=("kleurenlithografie ; 100 x 70 cm",),
        rights=PDM),
    ArchiveRecord(
        "AF-1926-0011", "affiches", "2024-09-23T07:55:02Z",
        titles=(("Ostende. Reine des plages", "fr"),),
        creators=("anoniem",),
        descriptions=(("Toeristische affiche met een elegante badgaste voor het strand en het "
                       "Kursaal.", "nl"),),
        subjects=(AAT + "300132466", AAT + "300008816", AAT + "300025943"),
        date="1926", types=(POSTER,), formats=("kleurenlithografie ; 99 x 62 cm",),
        rights=PDM),
    ArchiveRecord(
        "AF-1936-0004", "affiches", "2025-02-17T16:35:27Z",
        titles=(("Carnaval Oostende 1936 — Groote Stoet", "nl"),),
        creators=("anoniem",),
        descriptions=(("Aankondiging van de grote carnavalsstoet en het gemaskerd bal, met een "
                       "lachende pierrot.", "nl"),),
        subjects=(AAT + "300069283", "carnaval"),
        date="1936-02", types=(POSTER, "Image"), formats=("offsetdruk ; 60 x 40 cm",),
        coverage=("Oostende",), rights=CNE),
    ArchiveRecord(
        "AF-1953-0002", "affiches", "2025-06-10T10:10:51Z",
        titles=(("Kursaal Oostende — Seizoen 1953", "nl"), ("Kursaal Ostende — Saison 1953", "fr")),
        creators=("anoniem",),
        descriptions=(("Affiche voor het eerste seizoen van het heropgebouwde Kursaal, met concerten, "
                       "galavoorstellingen en het casino.", "nl"),),
        subjects=("Kursaal", "casino"),
        date="1953", types=(POSTER, "Image"), formats=("offsetdruk ; 80 x 60 cm",),
        coverage=("Oostende",), rights=INC),
    # deliberately invalid: an impossible date
    ArchiveRecord(
        "AF-1876-0001", "affiches", "2026-03-02T09:10:02Z",
        titles=(("Grand concert au Kursaal", "fr"),),
        creators=("anoniem",),
        descriptions=(("Affiche voor een avondconcert van het Kursaalorkest, met het programma in het "
                       "Frans.", "nl"),),
        subjects=("Kursaal", "concerten"),
        date="1876-13-45", types=(POSTER,), formats=("boekdruk ; 64 x 48 cm",),
        coverage=("Oostende",), rights=PDM),
    # ---- brieven ---------------------------------------------------------------------------
    ArchiveRecord(
        "BR-1906-0002", "brieven", "2024-01-15T08:34:05Z",
        titles=(("Brief van James Ensor aan Emma Lambotte", "nl"),),
        creators=("Ensor, James",),
        descriptions=(("Korte brief in het Frans waarin Ensor een bezoek aan Antwerpen aankondigt en "
                       "naar de gezondheid van de familie Lambotte vraagt.", "nl"),),
        subjects=("Lambotte, Emma", "correspondentie"),
        date="1906-08-11", types=(LETTER, "Text"), formats=("1 blad ; inkt op papier",),
        language=("fr",), rights=PDM),
    ArchiveRecord(
        "BR-1919-0014", "brieven", "2024-09-23T08:01:37Z",
        titles=(("Brief van het stadsbestuur over het herstel van de havendammen", "nl"),),
        creators=("Stad Oostende. College van burgemeester en schepenen",),
        descriptions=(("Verzoek aan het Ministerie van Openbare Werken om de door de oorlog beschadigde "
                       "havendammen en de vismijn dringend te herstellen.", "nl"),),
        subjects=("wederopbouw", "haven", "Eerste Wereldoorlog"),
        date="1919-03-04", types=(LETTER, "Text"), formats=("2 bladen ; getypt",),
        language=("nl",), coverage=("Oostende", "1914-1918"), rights=PDM),
    ArchiveRecord(
        "BR-1928-0031", "brieven", "2025-02-17T16:40:09Z",
        titles=(("Brief van rederij De Noordzee aan de schipper van de O.112", "nl"),),
        creators=("N.V. Oostendse Rederij De Noordzee",),
        descriptions=(("Instructies voor de volgende visreis naar IJsland en een afrekening van de "
                       "vorige vangst.", "nl"),),
        subjects=("visserij", "rederijen", "IJslandvaart"),
        date="1928-11-20", types=(LETTER,), formats=("1 blad ; getypt op briefpapier met hoofding",),
        language=("nl",), rights=CNE, image=False),
    ArchiveRecord(
        "BR-1945-0006", "brieven", "2025-06-10T10:15:30Z",
        titles=(("Letter of thanks from Pte. J. MacLeod to the people of Ostend", "en"),
                ("Dankbrief van soldaat J. MacLeod aan de Oostendenaars", "nl")),
        creators=("MacLeod, J.",),
        descriptions=(("A Canadian soldier thanks the family that housed him after the liberation of "
                       "the town.", "en"),
                      ("Een Canadese soldaat bedankt het gezin dat hem na de bevrijding van de stad "
                       "onderdak bood.", "nl")),
        subjects=("Tweede Wereldoorlog", "bevrijding", "correspondentie"),
        date="1945-01-15", types=(LETTER, "Text"), formats=("1 blad ; inkt op papier",),
        language=("en",), coverage=("Oostende", "1940-1945"), rights=INC),
    # deliberately invalid: no inventory number, only the catalogue's record number in the URL
    ArchiveRecord(
        None, "brieven", "2026-03-02T09:12:55Z", local_id="rec-20417",
        titles=(("Lettre d'une baigneuse à sa sœur", "fr"),),
        creators=("Desmet, Marie",),
        descriptions=(("Een badgaste schrijft haar zuster in Brussel over het weer, het Kursaal en de "
                       "prijzen van de hotels.", "nl"),),
        subjects=("toerisme", "correspondentie"),
        date="1890-08-02", types=(LETTER, "Text"), formats=("2 bladen ; inkt op papier",),
        language=("fr",), rights=PDM),
    # ---- kaarten en plannen ----------------------------------------------------------------
    ArchiveRecord(
        "KP-1604-0001", "kaarten-en-plannen", "2024-01-15T08:35:20Z",
        titles=(("Belegering van Oostende (1601-1604)", "nl"),),
        creators=("anoniem",),
        descriptions=(("Vogelvluchtkaart van de belegerde stad met de Spaanse schansen, de geulen en de "
                       "versterkingen van de verdedigers.", "nl"),),
        subjects=("Beleg van Oostende", "vestingwerken"),
        date="ca. 1604", types=(MAP, "Image"), formats=("gravure ; 38 x 50 cm",),
        coverage=("Oostende", "1601-1604"), rights=PDM),
    ArchiveRecord(
        "KP-1865-0002", "kaarten-en-plannen", "2024-09-23T08:05:44Z",
        titles=(("Plan parcellaire de la ville d'Ostende", "fr"),),
        creators=("Popp, Philippe-Christian",),
        descriptions=(("Kadasterplan van de stad met perceelnummers en eigenaars, uit de atlas van "
                       "Popp.", "nl"),),
        subjects=("kadaster", "stadsplannen"),
        date="ca. 1865", types=(MAP,), formats=("lithografie ; 56 x 43 cm",),
        language=("fr",), coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "KP-1910-0005", "kaarten-en-plannen", "2025-06-10T10:20:03Z",
        titles=(("Stratenplan van Oostende", "nl"), ("Plan de la ville d'Ostende", "fr")),
        creators=("Drukkerij Daveloose (Oostende)",),
        descriptions=(("Tweetalig stratenplan voor badgasten, met hotels, tramlijnen en het "
                       "station.", "nl"),),
        subjects=("stadsplannen", AAT + "300132466"),
        date="1910", types=(MAP, "Image"), formats=("kleurendruk ; 45 x 60 cm", "image/jpeg"),
        language=("nl", "fr"), coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "KP-1962-0001", "kaarten-en-plannen", "2026-08-04T13:40:26Z",
        titles=(("Plan van de nieuwe jachthaven", "nl"),),
        creators=("Stad Oostende. Technische dienst",),
        descriptions=(("Ontwerpplan voor de uitbreiding van de jachthaven, met steigers en een "
                       "clubhuis.", "nl"),),
        subjects=("jachthaven", "haven"),
        date="1962", types=(MAP,), formats=("lichtdruk ; 70 x 100 cm",),
        coverage=("Oostende",), rights=INC, image=False),
    # ---- boeken ----------------------------------------------------------------------------
    ArchiveRecord(
        "BO-1641-0001", "boeken", "2024-01-15T08:36:02Z",
        titles=(("Flandria illustrata", "la"),),
        creators=("Sanderus, Antonius",),
        descriptions=(("Topografische beschrijving van het graafschap Vlaanderen, met gravures van "
                       "steden, abdijen en kastelen; dit exemplaar bevat het gezicht op Oostende.",
                       "nl"),),
        subjects=("topografie", "Vlaanderen"),
        date="1641/1644", types=(BOOK, "Text"), formats=("2 delen ; 34 cm",),
        language=("la",), coverage=("Vlaanderen",), rights=PDM),
    ArchiveRecord(
        "BO-1890-0002", "boeken", "2024-09-23T08:10:11Z",
        titles=(("Ostende et ses environs. Guide illustré", "fr"),),
        creators=("anoniem",),
        descriptions=(("Reisgids voor badgasten met wandelingen, hotels, tarieven van de badkoetsen en "
                       "een uitvouwbaar plan.", "nl"),),
        subjects=(AAT + "300132466", "reisgidsen"),
        date="1890", types=(BOOK, "Text"), formats=("160 p. : ill. ; 17 cm",),
        language=("fr",), coverage=("Oostende",), rights=PDM),
    ArchiveRecord(
        "BO-1912-0003", "boeken", "2025-02-17T16:45:50Z",
        titles=(("Verslag over den toestand der visscherij te Oostende", "nl"),),
        creators=("Stad Oostende",),
        descriptions=(("Jaarverslag met cijfers over de vloot, de aanvoer in de vismijn en de "
                       "opleiding van jonge vissers.", "nl"),),
        subjects=("visserij", "jaarverslagen"),
        date="1912", types=(BOOK, "Text"), formats=("48 p. ; 24 cm",),
        language=("nl",), coverage=("Oostende",), rights=PDM, image=False),
    ArchiveRecord(
        "BO-1925-0004", "boeken", "2025-06-10T10:25:38Z",
        titles=(("Gids voor Oostende en de Belgische kust", "nl"),),
        creators=("Vereeniging voor Vreemdelingenverkeer Oostende",),
        descriptions=(("Nederlandstalige toeristische gids met foto's, een kalender van de feesten en "
                       "reclame van hotels en winkels.", "nl"),),
        subjects=(AAT + "300132466", "reisgidsen", AAT + "300193790"),
        date="1925", types=(BOOK, "Text"), formats=("96 p. : ill. ; 19 cm", "image/jpeg"),
        language=("nl",), coverage=("Belgische kust",), rights=PDM),
    ArchiveRecord(
        "BO-1934-0001", "boeken", "2026-08-04T13:45:09Z",
        titles=(("The Belgian coast: Ostend and its neighbourhood", "en"),),
        creators=("anoniem",),
        descriptions=(("English guidebook for British visitors arriving by the Dover mail boat, with "
                       "train and tram timetables.", "en"),),
        subjects=(AAT + "300132466", "reisgidsen", "maildienst Oostende-Dover"),
        date="1934", types=(BOOK, "Text"), formats=("112 p. : ill. ; 18 cm",),
        language=("en",), coverage=("Belgische kust",), rights=CNE),
)

ARCHIVE_DELETED = (
    ("FO-1923-0013", "fotos", "2025-02-17T17:00:00Z"),
    ("PK-1910-0045", "prentkaarten", "2025-06-10T11:00:00Z"),
    ("BR-1944-0002", "brieven", "2026-08-04T14:02:31Z"),
)


def archive_oai_id(rec: ArchiveRecord) -> str:
    return f"oai:kustlicht.be:{rec.inv or rec.local_id}"


def archive_dc(rec: ArchiveRecord) -> etree._Element:
    """One ``oai_dc:dc`` element."""
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(name: str, text: str, lang: str | None = None) -> None:
        el = etree.SubElement(dc, f"{{{DC}}}{name}")
        el.text = text
        if lang:
            el.set(XML_LANG, lang)

    key = rec.inv or rec.local_id
    for text, lang in rec.titles:
        add("title", text, lang)
    for creator in rec.creators:
        add("creator", creator)
    for subject in rec.subjects:
        add("subject", subject)
    for text, lang in rec.descriptions:
        add("description", text, lang)
    add("publisher", ARCHIVE)
    add("date", rec.date)
    for kind in rec.types:
        add("type", kind)
    for fmt in rec.formats:
        add("format", fmt)
    if rec.inv:
        add("identifier", rec.inv)
    add("identifier", f"https://archief.kustlicht.be/detail/{key}")
    if rec.image:
        add("identifier", f"https://beeldbank.kustlicht.be/media/{key}.jpg")
    for language in rec.language:
        add("language", language)
    for coverage in rec.coverage:
        add("coverage", coverage)
    if rec.rights:
        add("rights", rec.rights)
    return dc


# --------------------------------------------------------------------------------------------
# OAI-PMH documents
# --------------------------------------------------------------------------------------------
RESPONSE_DATE = "2026-11-20T08:00:00Z"


def _oai(tag: str) -> str:
    return f"{{{OAI}}}{tag}"


def list_records(base_url: str, prefix: str,
                 records: list[tuple[str, str, str, etree._Element | None]]) -> etree._ElementTree:
    """A ListRecords response holding (identifier, datestamp, set, payload-or-None) in datestamp order."""
    root = etree.Element(_oai("OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    etree.SubElement(root, _oai("responseDate")).text = RESPONSE_DATE
    request = etree.SubElement(root, _oai("request"), verb="ListRecords", metadataPrefix=prefix)
    request.text = base_url
    wrapper = etree.SubElement(root, _oai("ListRecords"))
    for identifier, datestamp, spec, payload in sorted(records, key=lambda r: (r[1], r[0])):
        record = etree.SubElement(wrapper, _oai("record"))
        header = etree.SubElement(record, _oai("header"))
        if payload is None:
            header.set("status", "deleted")
        etree.SubElement(header, _oai("identifier")).text = identifier
        etree.SubElement(header, _oai("datestamp")).text = datestamp
        etree.SubElement(header, _oai("setSpec")).text = spec
        if payload is not None:
            etree.SubElement(record, _oai("metadata")).append(payload)
    return etree.ElementTree(root)


def museum_document() -> etree._ElementTree:
    records: list[tuple[str, str, str, etree._Element | None]] = []
    for n, rec in enumerate(MUSEUM_RECORDS):
        priref = rec.priref or str(310004600 + n)
        records.append((museum_oai_id(rec), rec.datestamp, rec.set, museum_lido(rec, priref)))
    for inv, spec, datestamp in MUSEUM_DELETED:
        records.append((f"oai:hofvanleie.be:lido:{inv}", datestamp, spec, None))
    return list_records("https://collectie.hofvanleie.be/oai", "lido", records)


def archive_document() -> etree._ElementTree:
    records: list[tuple[str, str, str, etree._Element | None]] = [
        (archive_oai_id(rec), rec.datestamp, rec.set, archive_dc(rec)) for rec in ARCHIVE_RECORDS
    ]
    for inv, spec, datestamp in ARCHIVE_DELETED:
        records.append((f"oai:kustlicht.be:{inv}", datestamp, spec, None))
    return list_records("https://archief.kustlicht.be/oai", "oai_dc", records)


def serialise(tree: etree._ElementTree) -> bytes:
    body = etree.tostring(tree.getroot(), pretty_print=True, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def check_against_partner(folder: Path, tree: etree._ElementTree) -> list[str]:
    """Problems between a records.xml and its partner.toml: unknown sets, early datestamps, duplicates."""
    partner = tomllib.loads((folder / "partner.toml").read_text(encoding="utf-8"))
    specs = {s["spec"] for s in partner.get("sets", [])}
    problems = []
    identifiers = [h.findtext(_oai("identifier")) for h in tree.iter(_oai("header"))]
    if len(identifiers) != len(set(identifiers)):
        problems.append(f"{folder.name}: duplicate identifiers")
    for header in tree.iter(_oai("header")):
        identifier = header.findtext(_oai("identifier"))
        if header.findtext(_oai("datestamp")) < partner["earliest_datestamp"]:
            problems.append(f"{folder.name}: {identifier} is older than earliest_datestamp")
        for spec in header.findall(_oai("setSpec")):
            if spec.text not in specs:
                problems.append(f"{folder.name}: {identifier} is in undeclared set {spec.text!r}")
    return problems


def xsd_problems(tree: etree._ElementTree) -> list[str]:
    """LIDO payloads that the LIDO 1.0 schema rejects (empty when the corpus is missing)."""
    if not CORPUS_XSD.is_file():
        print(f"note: {CORPUS_XSD} is missing, LIDO payloads not validated", file=sys.stderr)
        return []
    schema = etree.XMLSchema(etree.parse(str(CORPUS_XSD)))
    problems = []
    for record in tree.iter(_oai("record")):
        for lido in record.iter(f"{{{LIDO}}}lido"):
            if not schema.validate(lido):
                identifier = record.findtext(f"{_oai('header')}/{_oai('identifier')}")
                problems.append(f"{identifier}: {schema.error_log.last_error}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args()
    outputs = {"museum-lido": museum_document(), "archive-dc": archive_document()}
    problems = []
    for folder_name, tree in outputs.items():
        folder = HERE / folder_name
        problems += check_against_partner(folder, tree)
        problems += xsd_problems(tree)
        data = serialise(tree)
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
