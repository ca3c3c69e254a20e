"""A record's outcome does not depend on what the process did before: one long-lived process
that maps and validates records of several feeds and formats (objects, then members that
are no object, in mixed batches, with profiles and the validator kept across them, as a harvest
service does) gives exactly the per-record results of a fresh process for each record."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from .conftest import CORPUS, ROOT
from .test_mapping_golden import CASES, GOLDEN, source_of

# The same code runs in this process (over all records, in batches) and in a fresh
# interpreter per record: what it returns per record must be equal.
WORKER = r'''
import base64, json
from oogst.errors import MappingError
from oogst.jsonld import ContextCache
from oogst.mapping import Profile, get_mapper
from oogst.records import SourceRecord
from oogst.shapes import Validator

_profiles = {}
_validators = []

def profile(spec):
    key = json.dumps([spec["profile"], spec.get("profile_file"), spec.get("contexts")], sort_keys=True)
    if key not in _profiles:
        contexts = ContextCache(spec["contexts"]) if spec.get("contexts") else ContextCache()
        kwargs = dict(spec["profile"])
        if spec.get("profile_file"):
            feed = kwargs.pop("feed")
            _profiles[key] = Profile.from_toml(spec["profile_file"], feed, contexts=contexts, **kwargs)
        else:
            _profiles[key] = Profile(**kwargs, contexts=contexts)
    return _profiles[key]

def run(specs, batch=5):
    if not _validators:
        _validators.append(Validator("acceptance", engine="auto"))
    validator = _validators[0]
    results, mapped = {}, []
    for spec in specs:
        p = profile(spec)
        record = SourceRecord(p.feed, spec["source_id"], None, base64.b64decode(spec["payload"]), spec["format"])
        try:
            m = get_mapper(spec["format"]).map(record, p)
        except MappingError as exc:
            results[spec["source_id"]] = {"error": exc.message, "source_path": exc.source_path}
            continue
        results[spec["source_id"]] = {"triples": sorted(m.ntriples.splitlines()), "warnings": sorted(m.warnings)}
        mapped.append(m)
    groups = []  # as a harvest validates: one feed's records at a time, in batches
    for m in mapped:
        if groups and groups[-1][0].iri.split("/")[2] == m.iri.split("/")[2] and len(groups[-1]) < batch:
            groups[-1].append(m)
        else:
            groups.append([m])
    for group in groups:
        for source_id, report in validator.validate(group).items():
            results[source_id]["findings"] = [[f.rule, f.severity, f.value, f.source_path, f.message_en]
                                              for f in report.findings]
    return results
'''

CONTEXT = {"crm": "http://www.cidoc-crm.org/cidoc-crm/", "skos": "http://www.w3.org/2004/02/skos/core#",
           "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "org": "http://www.w3.org/ns/org#",
           "titel": {"@id": "crm:P102_has_title", "@type": "rdf:langString"},
           "naam": {"@id": "skos:prefLabel", "@type": "rdf:langString"},
           "isEenheidVan": {"@id": "org:unitOf", "@type": "org:Organization"},
           "MensgemaaktObject": "crm:E22_Human-Made_Object", "Concept": "skos:Concept"}
# Members that once made a long-lived process quarantine records as "bug in oogst": a
# concept (nothing the acceptance shapes look at: empty data for the engine), a title
# typed rdf:langString given as a plain string, an IRI typed with a class.
TRICKY = [
    {"@context": CONTEXT, "@id": "https://thesaurus.example.be/c/1", "@type": "Concept", "naam": "schilderij"},
    {"@context": CONTEXT, "@id": "https://museum.example.be/o/1", "@type": "MensgemaaktObject",
     "titel": "Portret van een vrouw", "isEenheidVan": "https://museum.example.be/org"},
    {"@context": CONTEXT, "@id": "https://museum.example.be/o/2", "@type": "MensgemaaktObject", "titel": "قارب"},
]


def specs() -> list[dict]:
    out = []

    def add(fmt: str, source_id: str, payload: bytes, profile: dict, **extra) -> None:
        out.append({"format": fmt, "source_id": source_id, "payload": base64.b64encode(payload).decode(),
                    "profile": profile, **extra})

    for case in CASES:
        spec = json.loads((GOLDEN / case / "golden.json").read_text("utf-8"))
        extra = {}
        if "contexts" in spec:
            extra["contexts"] = str(GOLDEN / case / spec["contexts"])
        if "profile_file" in spec:
            extra["profile_file"] = str((GOLDEN / case / spec["profile_file"]).resolve())
        add(spec["format"], spec["source_id"], source_of(GOLDEN / case).read_bytes(), spec["profile"], **extra)
    oai = "{http://www.openarchives.org/OAI/2.0/}"
    for folder, fmt in (("museum-lido", "lido"), ("archive-dc", "oai_dc")):
        tree = etree.parse(str(ROOT / "data" / "samples" / folder / "records.xml"))
        for element in list(tree.iter(f"{oai}record"))[:3]:
            identifier = element.find(f"{oai}header").findtext(f"{oai}identifier")
            add(fmt, f"{folder}:{identifier}", etree.tostring(element), {"feed": folder},
                profile_file=str(ROOT / "data" / "samples" / folder / "profile.toml"))
    for k, member in enumerate(TRICKY):
        add("oslo-jsonld", f"tricky-{k}", json.dumps(member).encode(), {"feed": "tricky"})
    if CORPUS.is_dir():  # Ghent's members that are no objects, after objects: the order that once mattered
        context = str(CORPUS / "ldes-gent" / "context")
        for name in ("members-adlib-thesaurus.json", "members-adlib-personen.json",
                     "members-dmg-tentoonstellingen.json", "members-dmg-objecten.json"):
            for member in json.loads((CORPUS / "ldes-gent" / name).read_text("utf-8"))[:2]:
                add("oslo-jsonld", member["@id"], json.dumps(member).encode(), {"feed": "gent"}, contexts=context)
    add("lido", "broken", b"<lido:lido xmlns:lido='http://www.lido-schema.org'><unclosed>", {"feed": "broken"})
    return out


def fresh(spec: dict) -> dict:
    code = WORKER + "\nimport sys\nprint(json.dumps(run([json.loads(sys.stdin.read())])))\n"
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(spec), capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
def test_a_long_lived_process_gives_the_results_of_fresh_processes() -> None:
    records = specs()
    namespace: dict = {}
    exec(WORKER, namespace)  # noqa: S102 — the very code the fresh processes run
    long_lived = namespace["run"](records)
    long_lived.update(namespace["run"](list(reversed(records))[:6]))  # and again, later, in another order
    with ThreadPoolExecutor(max_workers=2) as pool:
        separate = {}
        for result in pool.map(fresh, records):
            separate.update(result)
    assert set(separate) == set(long_lived)
    for source_id, result in separate.items():
        assert long_lived[source_id] == result, source_id
    assert any("error" in r for r in separate.values()) and any(r.get("findings") == [] for r in separate.values())
