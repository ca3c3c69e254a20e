"""Mapping and validation speed, on LIDO records (or on the records of another format).

    .venv/bin/python bench/map_validate.py [--records 20000] [--runs 3] [--format lido]

Two sets of ``--records`` records each:

- *sample*: the non-deleted LIDO records of ``data/samples/museum-lido/records.xml``
  (OAI-PMH ``<record>`` elements of about 12 KB, about 85 triples each: every record has
  several events, actors with four ids, subjects, two rights blocks), repeated with a
  different inventory number in each copy;
- *corpus*: the MSK Gent records of ``../shared/corpus/lido/msk_gent_*.xml`` (bare
  ``lido:lido``, about 6 KB and 47 triples each, as the Flemish Art Collection exports them),
  repeated with a different objectPublishedID (so object IRI) in each copy; skipped when the
  corpus is not beside the checkout.

Figures printed per set, each the best of ``--runs`` runs, in CPU seconds of this process
(wall-clock figures swing with whatever else runs on the machine):

- the reference: lxml parse of each payload plus a pass over every element's text, the
  floor any lxml-based mapper stands on (about 8,000 records/s for 6 KB records on the
  reference machine);
- ``map_only``: ``oogst.mapping`` LIDO → OSLO N-Triples, records/s and triples/s, and how
  many times the reference's time it takes. Goal: at least 5,000 records/s for 20,000
  records (the Dutch LOD aggregator maps about 1,000 records/s).

``--format adlib`` (``mods``, ``qdc``, ``ead``, ``marcxml``; ``new`` for all five) measures the
same on that format's sample partner instead (``data/samples/*/records.xml``, EAD finding aids
split into their described units), each copy under its own source id (so object IRI).

Validation (the shapes engineer's half, below ``main``), per set: records/s for validation
alone and for mapping plus validation, for pyrudof (the engine ``auto`` picks) and pySHACL (the
reference, on the first 2,000 records), for the acceptance gate and the OSLO application
profile's warnings; the pipeline's mix (acceptance on every record, the profile on 10% or all,
the setting ``oslo_ap_sample``); whether both engines find the same; and a wall-clock figure
for mapping plus acceptance in ``--workers`` processes. Goal: at least 2,000 records/s for
mapping plus validation (pySHACL in batches of 1,000: about 550 records/s on the reference
machine, pyrudof about 2,000; the Dutch LOD aggregator about 1,000).
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from oogst.mapping import Profile, get_mapper, records_in_file
from oogst.records import MappedRecord, Report, SourceRecord
from oogst.shapes import Validator

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "museum-lido" / "records.xml"
CORPUS = ROOT.parent / "shared" / "corpus" / "lido"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
PROFILE = Profile(feed="hof-van-leie", default_rights="CC0", provider_name="Museum Hof van Leie")


_PUBLISHED_ID = re.compile(rb"(<lido:objectPublishedID[^>]*>[^<]*)(</lido:objectPublishedID>)")


def corpus_records(count: int) -> list[SourceRecord]:
    """``count`` LIDO records: the corpus' MSK Gent exports, repeated (none without corpus).
    Each copy gets its own objectPublishedID (the object IRI), as records of a real feed
    have: records of one object must go to different validation batches."""
    payloads = [path.read_bytes() for path in sorted(CORPUS.glob("msk_gent_*.xml"))]
    records = []
    for k in range(count if payloads else 0):
        payload, copy = payloads[k % len(payloads)], k // len(payloads)
        if copy:
            payload = _PUBLISHED_ID.sub(rb"\1-%d\2" % copy, payload, count=1)
        records.append(SourceRecord("msk-gent", f"msk-{k}", None, payload, "lido"))
    return records


def sample_records(count: int, path: Path = SAMPLES) -> list[SourceRecord]:
    """``count`` LIDO records: the sample feed's live records, copied with distinct ids."""
    templates: list[tuple[str, bytes]] = []
    for element in etree.parse(str(path)).getroot().iter(OAI + "record"):
        header = element.find(OAI + "header")
        if header.get("status") == "deleted":
            continue
        templates.append((header.findtext(OAI + "identifier"), etree.tostring(element)))
    records = []
    for k in range(count):
        source_id, payload = templates[k % len(templates)]
        copy = k // len(templates)
        if copy:
            number = source_id.rsplit(":", 1)[-1]
            payload = payload.replace(number.encode(), f"{number}-{copy}".encode())
            source_id = f"{source_id}-{copy}"
        records.append(SourceRecord("hof-van-leie", source_id, None, payload, "lido"))
    return records


FORMAT_SAMPLES = {"adlib": "museum-adlib", "mods": "library-mods", "qdc": "images-qdc", "ead": "archive-ead",
                  "marcxml": "library-marc"}


def format_records(fmt: str, count: int) -> list[SourceRecord]:
    """``count`` records of ``fmt``: its sample partner's live records, repeated, each copy
    under its own source id."""
    path = ROOT / "data" / "samples" / FORMAT_SAMPLES[fmt] / "records.xml"
    templates = records_in_file(path.read_bytes(), fmt, feed=fmt, name=path.name).records
    return [
        SourceRecord(fmt, f"{t.source_id}-{k // len(templates)}", None, t.payload, fmt)
        for k in range(count)
        for t in (templates[k % len(templates)],)
    ]


def parse_and_extract(records: list[SourceRecord]) -> int:
    """The reference floor: parse every payload and touch every element's text."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    touched = 0
    for record in records:
        for element in etree.fromstring(record.payload, parser).iter():
            if element.text:
                touched += 1
    return touched


def map_only(records: list[SourceRecord], profile: Profile = PROFILE) -> list[MappedRecord]:
    """Map every record to OSLO N-Triples (the pipeline's mapping step, nothing else)."""
    mapper = get_mapper(records[0].format)
    return [mapper.map(record, profile) for record in records]


def timed(function: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """The best CPU time and the median wall time of ``runs`` calls, and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return min(cpu), statistics.median(wall), result


def report(name: str, records: list[SourceRecord], runs: int) -> tuple[list[MappedRecord], float]:
    """Print the reference and the mapping figures of one set of records; return the mapped
    records and the CPU seconds mapping took."""
    size = sum(len(r.payload) for r in records) / len(records)
    kind = "LIDO" if records[0].format == "lido" else records[0].format
    print(f"{name}: {len(records):,} {kind} records, {size / 1024:.1f} KB each on average")
    reference, reference_wall, _ = timed(lambda: parse_and_extract(records), runs)
    print(
        f"  lxml parse + extract (reference)   {len(records) / reference:8,.0f} records/s"
        f"   (wall clock {len(records) / reference_wall:,.0f})"
    )
    seconds, wall, mapped = timed(lambda: map_only(records), runs)
    triples = sum(m.ntriples.count("\n") for m in mapped)
    rate = len(records) / seconds
    print(
        f"  map_only {kind:6} → OSLO N-Triples    {rate:8,.0f} records/s   (wall clock {len(records) / wall:,.0f});"
        f" {triples / seconds:,.0f} triples/s, {triples / len(records):.0f} per record;"
        f" {seconds / reference:.1f}× the reference's time"
    )
    print(f"  goal ≥ 5,000 records/s: {'met' if rate >= 5_000 else 'not met'}")
    return mapped, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2,
                        help="processes for the parallel map + validate figure (1: leave it out)")
    parser.add_argument("--format", default="lido", choices=["lido", *FORMAT_SAMPLES, "new"],
                        help="the format to measure (new: adlib, mods, qdc, ead and marcxml)")
    args = parser.parse_args()
    print(f"best CPU time of {args.runs} runs per figure (wall-clock medians in brackets)")
    if args.format != "lido":
        for fmt in FORMAT_SAMPLES if args.format == "new" else [args.format]:
            records = format_records(fmt, args.records)
            mapped, seconds = report(fmt, records, args.runs)
            validation(fmt, records, mapped, seconds, args.runs, args.workers)
        return
    sample = sample_records(args.records)
    sets = [("sample", sample, *report("sample", sample, args.runs))]
    corpus = corpus_records(args.records)
    if corpus:
        sets.append(("corpus", corpus, *report("corpus", corpus, args.runs)))
    else:
        print(f"corpus: skipped, no MSK Gent records in {CORPUS}")

    # ---------------------------------------------------------------------------------------
    # VALIDATION — the shapes engineer's part (functions below main).
    # ---------------------------------------------------------------------------------------
    for name, records, mapped, map_seconds in sets:
        validation(name, records, mapped, map_seconds, args.runs, args.workers)


# -------------------------------------------------------------------------------------------
# VALIDATION — the shapes engineer's part: validate the mapped records with
# oogst.shapes.Validator, print records/s beside the mapping figures, per engine and shapes set.
# -------------------------------------------------------------------------------------------
PYSHACL_RECORDS = 2_000  # pySHACL (about 500 records/s at best) validates only the first ones
VALIDATION_GOAL = 2_000  # records/s for mapping plus validation (the acceptance gate)
_WORKER: dict[str, Validator] = {}  # one validator per worker process (the parallel figure)


def validation(name: str, records: list[SourceRecord], mapped: list[MappedRecord], map_seconds: float, runs: int,
               workers: int) -> None:
    """Print validation-only and map + validate rates for both engines and both shapes sets,
    the pipeline's mix (acceptance on all, oslo-ap on a share), and whether the engines agree."""
    n, subset = len(mapped), mapped[:PYSHACL_RECORDS]
    per_map = map_seconds / n
    print(f"  validation ({name}): pyrudof on all {n:,} records, pySHACL (the reference) on the first "
          f"{len(subset):,}; CPU seconds, best of {runs} (pySHACL: 1)")
    print(f"    {'engine':8} {'shapes':28} {'validate only':>15} {'map + validate':>16}")
    per_record: dict[tuple[str, str], float] = {}
    reports: dict[tuple[str, str], dict[str, Report]] = {}
    for engine, chosen, tries in (("pyrudof", mapped, runs), ("pyshacl", subset, 1)):
        for shapes in ("acceptance", "oslo-ap"):
            validator = Validator(shapes, engine=engine)
            validator.validate(chosen[:1])  # build the engine before the clock starts
            seconds, _, found = timed(lambda v=validator, c=chosen: v.validate(c), tries)
            per_record[engine, shapes], reports[engine, shapes] = seconds / len(chosen), found
            _rate_line(engine, shapes, per_record[engine, shapes], per_map)
    for share in (0.1, 1.0):  # the setting oslo_ap_sample
        mixed = per_record["pyrudof", "acceptance"] + share * per_record["pyrudof", "oslo-ap"]
        _rate_line("pyrudof", f"acceptance + oslo-ap on {share:.0%}", mixed, per_map)
    gate = 1 / (per_map + per_record["pyrudof", "acceptance"])
    print(f"    goal ≥ {VALIDATION_GOAL:,} records/s for mapping + the acceptance gate (pyrudof, one process): "
          f"{'met' if gate >= VALIDATION_GOAL else 'not met'}")
    for shapes in ("acceptance", "oslo-ap"):
        fast, reference = reports["pyrudof", shapes], reports["pyshacl", shapes]
        same = all(fast[m.source_id].as_dict() == reference[m.source_id].as_dict() for m in subset)
        findings = sum(len(r.findings) for r in reference.values())
        print(f"    pyrudof and pySHACL agree on {shapes} ({findings:,} findings in {len(subset):,} records): "
              f"{'yes' if same else 'NO'}")
    if workers > 1:
        wall = parallel(records, workers)
        print(f"    {workers} processes, map + acceptance (pyrudof), wall clock: {len(records) / wall:8,.0f} records/s")


def _rate_line(engine: str, shapes: str, per_record: float, per_map: float) -> None:
    print(f"    {engine:8} {shapes:28} {1 / per_record:11,.0f} /s {1 / (per_map + per_record):12,.0f} /s")


def _init_worker() -> None:
    _WORKER["validator"] = Validator("acceptance", engine="pyrudof")


def _map_and_validate(chunk: list[SourceRecord]) -> int:
    reports = _WORKER["validator"].validate(map_only(chunk))
    return sum(report.conforms for report in reports.values())


def parallel(records: list[SourceRecord], workers: int, chunk: int = 500) -> float:
    """Wall-clock seconds to map and validate ``records`` in ``workers`` processes."""
    chunks = [records[i:i + chunk] for i in range(0, len(records), chunk)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
        pool.map(_map_and_validate, chunks[:workers])  # warm up every worker
        started = time.perf_counter()
        pool.map(_map_and_validate, chunks)
        return time.perf_counter() - started


if __name__ == "__main__":
    main()
