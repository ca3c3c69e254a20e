"""``shapes/calibration.nt``: the fixed records on which the "auto" engine compares pyrudof
with pySHACL (so that the choice is the same in every process, whatever it validated
before). They are the golden graphs, each once as it is (passing) and in variants that break
every acceptance rule, under their own IRIs (one case per format). ``OOGST_UPDATE_CALIBRATION=1`` rewrites the
file after the goldens change."""

from __future__ import annotations

import json
import os
from importlib import resources

from rdflib import Graph

from oogst.shapes import Validator

from .test_mapping_golden import CASES, GOLDEN, map_case

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
FOAF_PAGE = "<http://xmlns.com/foaf/0.1/page>"
# a variant per acceptance rule: the lines it leaves out (by predicate) or how it changes them
DROP = {
    "titel": (f"<{CRM}P102_has_title>", f"<{CRM}P3_has_note>", "<http://purl.org/dc/terms/title>"),
    "beheerder": (f"<{CRM}P50_has_current_keeper>",),
    "rechten": (f"<{CRM}P104_is_subject_to>",),
    "weergave": (FOAF_PAGE, f"<{CRM}P129i_is_subject_of>"),
    "identificator": ("<http://www.w3.org/2004/02/skos/core#notation>",),
}


def calibration_cases() -> list[str]:
    """One golden case per format (the first by name): enough to compare the engines, small
    enough for the reference engine to validate when a validator starts."""
    first: dict[str, str] = {}
    for case in CASES:
        first.setdefault(json.loads((GOLDEN / case / "golden.json").read_text("utf-8"))["format"], case)
    return sorted(first.values())


def calibration_text() -> str:
    parts = []
    for n, case in enumerate(calibration_cases()):
        mapped = map_case(case)
        graph = Graph().parse(GOLDEN / case / "expected.ttl", format="turtle")
        text = "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
        variants = {"": text}
        for rule, predicates in DROP.items():
            variants[rule] = "".join(line for line in text.splitlines(keepends=True)
                                     if line.split(" ", 2)[1] not in predicates)
        variants["datering"] = text.replace(f"<{CRM}P4_has_time-span> \"", f"<{CRM}P4_has_time-span> \"ca 1876-13-45 ")
        for rule, variant in variants.items():
            # each variant under its own IRIs: the object's and those of its nodes
            tag = f"calibration-{n}-{rule or 'ok'}"
            variant = variant.replace(f"<{mapped.iri}>", f"<{mapped.iri}-{tag}>").replace("/id/object/", f"/id/object/{tag}/")
            parts.append(variant)
    return "".join(parts)


def test_the_calibration_set_is_the_goldens_and_their_variants() -> None:
    path = resources.files("oogst.shapes").joinpath("calibration.nt")
    text = calibration_text()
    if os.environ.get("OOGST_UPDATE_CALIBRATION"):
        with resources.as_file(path) as file:
            file.write_text(text, "utf-8")
    assert path.read_text("utf-8") == text, "run with OOGST_UPDATE_CALIBRATION=1 after the goldens change"


def test_the_calibration_set_breaks_every_acceptance_rule_and_passes_too() -> None:
    from oogst.shapes.engines import make_engine

    validator = Validator("acceptance", engine="pyshacl")
    text = resources.files("oogst.shapes").joinpath("calibration.nt").read_text("utf-8")
    results = make_engine("pyshacl", validator.shapes).results(validator._prepare(text))
    shapes = {r.shape.rsplit("#", 1)[-1] for r in results}
    assert shapes >= set(DROP) | {"datering"}
