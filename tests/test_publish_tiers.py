"""Europeana Publishing Framework tiers: the examples of europeana.md, the metadata-tier
thresholds, and what is said to the partner about the next tier."""

from __future__ import annotations

import pytest

from oogst.publish.edm import EdmRecord, Entity, WebResource
from oogst.publish.ntgraph import Lit
from oogst.publish.tiers import MediaInfo, content_tier, dataset_tiers, metadata_tier

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
BY_NC = "http://creativecommons.org/licenses/by-nc/4.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_C = "http://rightsstatements.org/vocab/InC/1.0/"
IMG = "https://media.example.org/img/1.jpg"


def record(edm_type: str | None = "IMAGE", rights: str = CC0, media: list[WebResource] | None = None,
           page: bool = True, cho: dict | None = None, entities: list[Entity] | None = None) -> EdmRecord:
    media = [WebResource(IMG, "image/jpeg")] if media is None else media
    agg: dict = {"edm:aggregatedCHO": ["http://example.org/o"], "edm:rights": [rights]}
    if media:
        agg["edm:isShownBy"] = [media[0].about]
        agg["edm:hasView"] = [m.about for m in media[1:]]
    if page:
        agg["edm:isShownAt"] = ["https://example.org/page/1"]
    return EdmRecord("http://example.org/o", edm_type, cho or {"dc:title": [Lit("x", "nl")]}, "http://example.org/a",
                     agg, media, {e.about: e for e in entities or []}, rights)


def image(width: int, height: int) -> dict[str, MediaInfo]:
    return {IMG: MediaInfo("image/jpeg", width, height)}


# -- content tier -------------------------------------------------------------------------------
@pytest.mark.parametrize(("pixels", "rights", "tier"), [
    ((700, 600), CC_BY, 2),  # 0.42 MP, open licence: the image size caps it at 2
    ((1000, 950), IN_C, 2),  # 0.95 MP, in copyright: the closed licence caps it at 2
    ((1000, 950), BY_NC, 3),  # 0.95 MP, restricted: 3
    ((1000, 950), CC0, 4),  # 0.95 MP, open: 4
    ((400, 250), CC0, 1),  # 0.1 MP
    ((300, 300), CC0, 0),  # too small
])
def test_europeana_md_examples(pixels: tuple[int, int], rights: str, tier: int) -> None:
    result = content_tier(record(rights=rights), image(*pixels))
    assert (result.tier, result.ceiling) == (tier, tier)
    assert result.known


def test_a_webresources_own_rights_count_before_the_aggregations() -> None:
    media = [WebResource(IMG, "image/jpeg", rights=CC0)]
    assert content_tier(record(rights=IN_C, media=media), image(1000, 950)).tier == 4


def test_unknown_sizes_give_a_range_and_say_how_to_know() -> None:
    result = content_tier(record(rights=BY_NC))
    assert (result.tier, result.ceiling) == (0, 3) and not result.known
    nl, en = result.next_steps[-1]
    assert "media-check" in en and "breedte" in nl
    assert any("licence" in en for _, en in result.reasons), "the cap is said, though not the next step"


def test_next_steps_name_what_lifts_the_record() -> None:
    small = content_tier(record(rights=CC0), image(700, 600))
    assert small.tier == 2 and "0.95 megapixel" in small.next_steps[0][1]
    closed = content_tier(record(rights=IN_C), image(2000, 1500))
    assert closed.tier == 2 and "more open licence" in closed.next_steps[0][1]
    assert content_tier(record(rights=CC0), image(2000, 1500)).next_steps == []


@pytest.mark.parametrize(("edm_type", "media", "page", "info", "expected"), [
    ("IMAGE", [], True, {}, (0, 0)),  # a landing page is no image
    ("TEXT", [], True, {}, (1, 1)),  # a text with a landing page
    ("TEXT", [WebResource("https://x.org/a.pdf", "application/pdf")], True, {}, (4, 4)),
    ("TEXT", [WebResource(IMG, "image/jpeg")], True, image(700, 600), (2, 2)),
    ("SOUND", [WebResource("https://x.org/a.mp3", "audio/mpeg")], False, {}, (4, 4)),
    ("SOUND", [], True, {}, (1, 1)),
    ("VIDEO", [WebResource("https://www.youtube.com/watch?v=x", None)], False, {}, (4, 4)),
    ("VIDEO", [WebResource("https://x.org/a.mp4", "video/mp4")], True,
     {"https://x.org/a.mp4": MediaInfo("video/mp4", 1280, 720)}, (4, 4)),
    ("VIDEO", [WebResource("https://x.org/a.mp4", "video/mp4")], True,
     {"https://x.org/a.mp4": MediaInfo("video/mp4", 320, 240)}, (1, 1)),
    ("3D", [WebResource("https://x.org/a.glb", "model/gltf-binary")], False, {}, (4, 4)),
    ("3D", [], True, {}, (1, 1)),
    (None, [WebResource(IMG, "image/jpeg")], True, image(2000, 2000), (0, 0)),
    ("IMAGE", [WebResource(IMG, "image/jpeg")], True, {IMG: MediaInfo(available=False)}, (0, 0)),
])
def test_content_tier_per_type(edm_type, media, page, info, expected) -> None:
    result = content_tier(record(edm_type, CC0, media, page), info)
    assert (result.tier, result.ceiling) == expected


# -- metadata tier ------------------------------------------------------------------------------
def concept(about: str, lang: str | None = "nl", complete: bool = False) -> Entity:
    props = {"skos:prefLabel": [Lit("term", lang)]}
    if complete:
        props["skos:exactMatch"] = ["http://vocab.getty.edu/aat/300033618"]
    return Entity("Concept", about, props)


@pytest.mark.parametrize(("tagged", "total", "tier"), [
    (0, 4, "0"), (1, 5, "0"), (1, 4, "A"), (1, 3, "A"), (2, 4, "B"), (2, 3, "B"), (3, 4, "C"), (4, 4, "C"),
])
def test_language_classifier_thresholds(tagged: int, total: int, tier: str) -> None:
    props = ["dc:title", "dc:description", "dc:subject", "dc:format", "dcterms:provenance"][:total]
    cho = {p: [Lit("v", "nl" if i < tagged else None)] for i, p in enumerate(props)}
    assert metadata_tier(record(cho=cho)).language == tier


def test_a_link_to_a_labelled_entity_counts_as_language() -> None:
    cho = {"dc:title": [Lit("t", "nl")], "dc:type": ["http://c/1"], "dc:subject": ["http://c/2"]}
    result = metadata_tier(record(cho=cho, entities=[concept("http://c/1"), concept("http://c/2", None)]))
    assert result.with_language == ["dc:title", "dc:type"] and result.language == "B"


@pytest.mark.parametrize(("elements", "tier"), [
    ({}, "0"),
    ({"dc:type": ["x"]}, "A"),
    ({"dc:type": ["x"], "dc:format": ["x"], "dcterms:medium": ["x"]}, "A"),  # 3 elements, 1 group
    ({"dc:type": ["x"], "dc:format": ["x"], "dc:creator": ["x"]}, "B"),  # 3 in 2 groups
    ({"dc:type": ["x"], "dc:format": ["x"], "dc:creator": ["x"], "dcterms:created": ["x"]}, "C"),  # 4 in 3
    ({"dc:type": ["x"], "dc:format": ["x"], "dcterms:medium": ["x"], "dc:creator": ["x"]}, "C"),  # 4 in 2
    ({"dc:subject": [Lit("free text")]}, "0"),  # dc:subject counts only as a link to an in-record entity
])
def test_enabling_elements_thresholds(elements: dict, tier: str) -> None:
    assert metadata_tier(record(cho={"dc:title": [Lit("t", "nl")], **elements})).enabling == tier


def test_subject_linked_to_entities_enables_their_groups() -> None:
    agent = Entity("Agent", "http://a/1", {"skos:prefLabel": [Lit("A")]})
    place = Entity("Place", "http://p/1", {"skos:prefLabel": [Lit("P", "nl")]})
    cho = {"dc:title": [Lit("t", "nl")], "dc:subject": ["http://a/1", "http://p/1"], "dc:type": ["x"]}
    result = metadata_tier(record(cho=cho, entities=[agent, place]))
    assert set(result.groups) == {"personal", "geographical", "conceptual"}
    assert result.enabling == "A", "2 distinct elements (dc:type, dc:subject): B needs 3"
    cho["dcterms:issued"] = [Lit("1900")]
    assert metadata_tier(record(cho=cho, entities=[agent, place])).enabling == "B"


def test_contextual_classes() -> None:
    base = {"dc:title": [Lit("t", "nl")]}
    assert metadata_tier(record(cho=base)).contextual == "A"
    agent = Entity("Agent", "http://a/1", {"skos:prefLabel": [Lit("A")], "rdaGr2:dateOfBirth": [Lit("1900")]})
    place = Entity("Place", "http://p/1", {"skos:prefLabel": [Lit("P")], "wgs84_pos:lat": [Lit("51.0")],
                                           "wgs84_pos:long": [Lit("3.7")]})
    time_ = Entity("TimeSpan", "http://t/1", {"edm:begin": [Lit("1900-01-01")]})  # no end: incomplete
    one = record(cho={**base, "dc:creator": ["http://a/1"], "dcterms:created": ["http://t/1"]},
                 entities=[agent, time_])
    assert metadata_tier(one).contextual == "B" and metadata_tier(one).classes == ["Agent"]
    two = record(cho={**base, "dc:creator": ["http://a/1"], "dcterms:spatial": ["http://p/1"]},
                 entities=[agent, place])
    assert metadata_tier(two).contextual == "C"
    unlinked = record(cho=base, entities=[agent, place])
    assert metadata_tier(unlinked).contextual == "A", "only entities the object links to count"


def test_metadata_tier_is_the_minimum_and_says_what_to_add() -> None:
    cho = {"dc:title": [Lit("t", "nl")], "dc:type": ["http://c/1"]}
    result = metadata_tier(record(cho=cho, entities=[concept("http://c/1", complete=True)]))
    assert (result.language, result.enabling, result.contextual, result.tier) == ("C", "A", "B", "A")
    assert len(result.next_steps) == 1 and "descriptive fields" in result.next_steps[0][1]


def test_dataset_tiers_count_records() -> None:
    records = [record(rights=CC0), record(rights=IN_C), record(edm_type=None)]
    counts = dataset_tiers(records, image(1000, 950))
    assert counts["records"] == 3
    assert counts["content"] == {"0": 1, "1": 0, "2": 1, "3": 0, "4": 1}
    assert sum(counts["metadata"].values()) == 3
