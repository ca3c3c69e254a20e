"""Mappers hold on input nobody foresaw: damaged and random payloads fed to every registered
mapper (hypothesis) give a MappedRecord whose N-Triples parse, or a MappingError about the
partner's data, never another exception (and never the Guard's "bug in oogst")."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from oogst.errors import MappingError
from oogst.jsonld import ContextCache
from oogst.mapping import Profile, formats, get_mapper
from oogst.records import SourceRecord

from .test_mapping_golden import CASES, GOLDEN, source_of

SEEDS: dict[str, list[tuple[bytes, Path | None]]] = {}
for _case in CASES:
    _spec = json.loads((GOLDEN / _case / "golden.json").read_text("utf-8"))
    _contexts = GOLDEN / _case / _spec["contexts"] if "contexts" in _spec else None
    SEEDS.setdefault(_spec["format"], []).append((source_of(GOLDEN / _case).read_bytes(), _contexts))

# Text that breaks naive code: markup, entities, quotes and backslashes, controls, scripts,
# IRIs that are almost IRIs, debris, dates nobody can read, numbers with units.
WEIRD = st.sampled_from([
    "", " ", "\t\n", "<b>x</b>", "&amp;", "&#0;", '"', "\\", "\\u0000", "%", "%zz", "http://", "https://x y/z",
    "http://x.org/a[1]", "http://x.org:80a/", "https://www.wikidata.org/wiki/q42", "cest: Rol_vervaardiger",
    "urn:x y", "HASH(0x3e5e1ad0)", "NULL", "n/a", "[object Object]", "0", "-0", "ca. 1650", "14de eeuw",
    "1876-13-45", "na 1900", "9999999999", "1,5 cm", "Centimeters", "الموناليزا", "Москва", "東京", "\u202e",
    "\ufffe", "\ue000", "a" * 300, "kopie naar Pieter Bruegel I", "ancien possesseur", "x\x00y",
])
TEXT = st.one_of(WEIRD, st.text(max_size=40))


def _map(fmt: str, payload: bytes, contexts: Path | None) -> None:
    profile = Profile(feed="robust", contexts=ContextCache(contexts) if contexts else ContextCache())
    record = SourceRecord("robust", "rec-1", None, payload, fmt)
    try:
        mapped = get_mapper(fmt).map(record, profile)
    except MappingError as exc:
        assert "bug in oogst" not in (exc.hint or ""), f"{fmt}: the mapper failed inside: {exc.__cause__!r}"
        return
    # what the store and `oogst map` do with it must work
    triples = list(pyoxigraph.parse(mapped.ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
    pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE)
    mapped.ntriples.encode("utf-8")
    assert "^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>" not in mapped.ntriples
    assert mapped.label


def _xml_safe(text: str) -> str:
    """What XML can hold of ``text`` (no NULs, controls, non-characters or surrogates)."""
    return "".join(c for c in text if (c in "\t\n\r" or c >= " ") and c not in "\ufffe\uffff"
                   and not "\ud800" <= c <= "\udfff")


def _mutate_xml(seed: bytes, data: st.DataObject) -> bytes:
    """The seed record with elements dropped, doubled, emptied or given odd text and
    attributes; sometimes cut off or with bytes flipped."""
    root = etree.fromstring(seed)
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 8))):
        element = data.draw(st.sampled_from(elements))
        action = data.draw(st.sampled_from(["text", "drop", "double", "attribute", "empty", "lang"]))
        parent = element.getparent()
        if action == "text":
            element.text = _xml_safe(data.draw(TEXT))
        elif action == "drop" and parent is not None:
            parent.remove(element)
            elements = list(root.iter())
        elif action == "double" and parent is not None:
            parent.append(etree.fromstring(etree.tostring(element)))
            elements = list(root.iter())
        elif action == "attribute":
            name = data.draw(st.sampled_from(["{http://www.lido-schema.org}type", "{http://www.lido-schema.org}pref",
                                              "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource",
                                              "{http://www.w3.org/XML/1998/namespace}lang"]))
            value = data.draw(WEIRD)
            element.set(name, _xml_safe(value))
        elif action == "empty":
            element.text = None
            for child in list(element):
                element.remove(child)
            elements = list(root.iter())
        elif action == "lang":
            element.set("{http://www.w3.org/XML/1998/namespace}lang", data.draw(st.sampled_from(
                ["", "nl", "xx-yy-zz", "ar", "ru", "12", "Nederlands"])))
    payload = etree.tostring(root)
    if data.draw(st.integers(0, 9)) == 0:
        payload = payload[: data.draw(st.integers(0, len(payload)))]
    return payload


def _mutate_json(value, data: st.DataObject, depth: int = 0):
    """The seed member with values replaced by odd ones (strings, numbers, nulls, lists,
    objects, @id / @value / @language objects)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key != "@context" and data.draw(st.integers(0, 6)) == 0:
                continue
            out[key] = item if key == "@context" else _mutate_json(item, data, depth + 1)
        return out
    if isinstance(value, list):
        return [_mutate_json(item, data, depth + 1) for item in value]
    if data.draw(st.integers(0, 3)) > 0:
        return value
    return data.draw(st.one_of(
        TEXT, st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), st.none(), st.booleans(), st.just([]), st.just({}),
        st.builds(lambda v: {"@id": v}, WEIRD), st.builds(lambda v, l: {"@value": v, "@language": l}, TEXT,
                                                           st.sampled_from(["nl", "", "xx_yy", "ar"])),
        st.builds(lambda v: {"@value": v, "@type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}, TEXT),
    ))


ROBUST = settings(max_examples=80, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", formats())
@ROBUST
@given(data=st.data())
def test_damaged_records_map_or_fail_cleanly(fmt: str, data: st.DataObject) -> None:
    seeds = SEEDS.get(fmt)
    assert seeds, f"format {fmt} has no golden case to start from"
    seed, contexts = data.draw(st.sampled_from(seeds))
    if seed.lstrip()[:1] in (b"{", b"["):
        payload = orjson.dumps(_mutate_json(orjson.loads(seed), data))
    else:
        payload = _mutate_xml(seed, data)
    _map(fmt, payload, contexts)


@pytest.mark.parametrize("fmt", formats())
@ROBUST
@given(payload=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                         st.sampled_from([b"<x/>", b"{}", b"[]", b"null", b'{"@context": 5}', b"<?xml version='1.0'?>",
                                          b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'])))
def test_random_payloads_map_or_fail_cleanly(fmt: str, payload: bytes) -> None:
    _map(fmt, payload, None)


def test_the_guard_turns_a_bug_into_a_mapping_error(monkeypatch) -> None:
    guard = get_mapper("lido")
    monkeypatch.setattr(type(guard.mapper), "map", lambda self, record, profile: 1 / 0)
    with pytest.raises(MappingError) as caught:
        guard.map(SourceRecord("f", "r", None, b"<x/>", "lido"), Profile(feed="f"))
    assert caught.value.record == "r" and caught.value.source_path == "lido:lido"
    assert "ZeroDivisionError" in caught.value.message
