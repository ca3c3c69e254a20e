"""Every file of the shared corpus through the mappers and the acceptance gate: a table of
objects, passing and failing records per file.

    .venv/bin/python bench/corpus.py [--corpus ../shared/corpus] [--engine auto]

Each file is read as ``oogst map`` reads it (``mapping.records_in_file``) with the format its
folder holds (``lido/`` LIDO, ``edm/`` EDM, ``oai-pmh/`` oai_dc, ``ldes-gent/`` and
``oslo-examples/`` OSLO JSON-LD, with the corpus' JSON-LD contexts offline); every record is
mapped, its N-Triples read back as RDF (what ``oogst map`` and the store do) and validated
against the acceptance shapes. Columns:

- ``records`` the records found, ``objects`` those mapped to a heritage object
  (``crm:E22_Human-Made_Object`` or a dossier), ``pass`` / ``fail`` the mapped records that
  pass or fail the gate, ``error`` those the mapper refused with a ``mapping:error`` (a
  MappingError: the partner's data is unusable);
- ``bug`` what must stay 0: an exception other than MappingError (a traceback), N-Triples
  that do not parse, or a finding of the validator that the data is not RDF (``mapping:error``,
  formerly ``oogst:rdf``).

``tests/test_corpus.py`` runs :func:`survey` and fails on any ``bug``. Exit code 1 when a
file has one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from oogst.errors import MappingError
from oogst.jsonld import ContextCache
from oogst.mapping import Profile, get_mapper, records_in_file
from oogst.shapes import Validator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
E22 = "<http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object>"
DOSSIER = "<https://data.vlaanderen.be/ns/dossier#Dossier>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

# folder → (format, file patterns)
FOLDERS = {
    "lido": ("lido", ("*.xml",)),
    "edm": ("edm", ("*.xml", "invalid/*.xml")),
    "oai-pmh": ("oai_dc", ("*.xml",)),
    "ldes-gent": ("oslo-jsonld", ("*.json",)),
    "oslo-examples": ("oslo-jsonld", ("*.json", "*.jsonld", "museaal-object-per-veld-2021AP/*.json")),
}


@dataclass
class Row:
    file: str
    format: str
    records: int = 0
    objects: int = 0
    passing: int = 0
    failing: int = 0
    errors: int = 0
    bugs: list[str] = field(default_factory=list)
    rules: dict[str, int] = field(default_factory=dict)


def contexts_folder(corpus: Path, into: Path) -> Path:
    """One folder with every JSON-LD context of the corpus, under the file names the
    members' context URLs end in (the 2025 model's context is stored under another name)."""
    for folder in (corpus / "contexts", corpus / "ldes-gent" / "context"):
        for path in folder.glob("*.json*"):
            target = into / path.name
            if not target.exists():
                target.symlink_to(path)
    draft = corpus / "shacl" / "cultureel-erfgoed-basisregistratie-2025-01-20-context.jsonld"
    if draft.is_file():
        (into / "cultureel-erfgoed-basisregistratie.jsonld").symlink_to(draft)
    return into


def survey(corpus: Path = CORPUS, engine: str = "auto", validator: Validator | None = None) -> list[Row]:
    """One row per corpus file (see the module docstring)."""
    validator = validator or Validator("acceptance", engine=engine)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        contexts = ContextCache(contexts_folder(corpus, Path(tmp)))
        for folder, (fmt, patterns) in FOLDERS.items():
            files = sorted({p for pattern in patterns for p in (corpus / folder).glob(pattern)})
            for path in files:
                rows.append(survey_file(path, fmt, contexts, validator, corpus))
    return rows


def survey_file(path: Path, fmt: str, contexts: ContextCache, validator: Validator, corpus: Path) -> Row:
    row = Row(str(path.relative_to(corpus)), fmt)
    profile = Profile(feed="corpus", contexts=contexts)
    try:
        found = records_in_file(path.read_bytes(), fmt, feed="corpus", name=path.name)
    except MappingError as exc:
        row.errors += 1
        row.rules["file: " + exc.message[:60]] = 1
        return row
    except Exception:  # noqa: BLE001 — exactly what the survey looks for
        row.bugs.append(traceback.format_exc(limit=3))
        return row
    row.records = len(found.records)
    mapped = []
    mapper = get_mapper(fmt)
    for record in found.records:
        try:
            m = mapper.map(record, profile)
        except MappingError:
            row.errors += 1
            key = "mapping:error"
            row.rules[key] = row.rules.get(key, 0) + 1
            continue
        except Exception:  # noqa: BLE001
            row.bugs.append(f"{record.source_id}: {traceback.format_exc(limit=4)}")
            continue
        try:
            list(pyoxigraph.parse(m.ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            row.bugs.append(f"{record.source_id}: N-Triples do not parse: {exc}")
            continue
        if any(line.startswith(f"<{m.iri}> {RDF_TYPE} ") and line.split(" ", 3)[2] in (E22, DOSSIER)
               for line in m.ntriples.splitlines()):
            row.objects += 1
        mapped.append(m)
    for source_id, report in validator.validate(mapped).items():
        if report.conforms:
            row.passing += 1
        else:
            row.failing += 1
        for finding in report.findings:
            if finding.rule == "oogst:rdf" or (finding.rule == "mapping:error" and "valid RDF" in finding.message_en):
                row.bugs.append(f"{source_id}: {finding.rule} {finding.message_en}")
            if finding.severity == "violation":
                row.rules[finding.rule] = row.rules.get(finding.rule, 0) + 1
    return row


def table(rows: list[Row]) -> str:
    head = ("file", "format", "records", "objects", "pass", "fail", "error", "bug")
    lines = [[r.file, r.format, r.records, r.objects, r.passing, r.failing, r.errors, len(r.bugs)] for r in rows]
    totals = ["total", "", *(sum(line[i] for line in lines) for i in range(2, 8))]
    widths = [max(len(str(x)) for x in column) for column in zip(head, *lines, totals)]

    def fmt(values) -> str:
        return "  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule, *map(fmt, lines), rule, fmt(totals)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--rules", action="store_true", help="also list the violated rules per file")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    rows = survey(args.corpus, args.engine)
    print(table(rows))
    if args.rules:
        for row in rows:
            if row.rules:
                print(f"{row.file}: " + ", ".join(f"{k} {v}" for k, v in sorted(row.rules.items())))
    for row in rows:
        for bug in row.bugs:
            print(f"\nBUG in {row.file}: {bug}")
    if any(row.bugs for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
