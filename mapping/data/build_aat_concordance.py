"""Build ``aat-concordance.csv``: local Dutch terms → Getty AAT concepts.

The source is the Flemish Art Collection's CC0 authority file ``vkc-AAT_UTF8.csv``
(VlaamseKunstcollectie/Authority-Files, columns ``_id`` = the local term, ``aatterm`` = the
AAT's Dutch label, ``aaturi``), kept in the shared corpus. The output is the project's own
file, with columns ``term`` (case-folded, whitespace collapsed), ``aat`` (the concept IRI) and
``label`` (the AAT label the source gives). What is dropped, and why, is printed:

- rows without an AAT URI;
- a term that the source maps to two different concepts;
- rows whose AAT label disagrees with the label most rows give that concept (the source
  has a few copy-and-paste slips, e.g. "medailles" on the concept of manuscripts); when no
  label has a majority, every row of that concept is dropped.

Run it after the source changes, and read the diff::

    .venv/bin/python mapping/data/build_aat_concordance.py [SOURCE.csv]
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "shared" / "corpus" / "vocab" / "vkc-AAT_UTF8.csv"
TARGET = HERE / "aat-concordance.csv"
AAT = "http://vocab.getty.edu/aat/"


def _key(term: str) -> str:
    return " ".join(term.casefold().split())


def build(source: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The concordance rows (term, aat, label), sorted, and the reasons rows were dropped."""
    dropped: list[str] = []
    rows: list[tuple[str, str, str]] = []
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            term, label, uri = _key(row["_id"]), " ".join(row["aatterm"].split()), row["aaturi"].strip()
            if not uri.startswith(AAT) or not uri[len(AAT) :].isdigit():
                dropped.append(f"{term!r}: no AAT URI")
                continue
            rows.append((term, uri, label))
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for _, uri, label in rows:
        labels[uri][label.casefold()] += 1
    kept: dict[str, tuple[str, str]] = {}
    conflicts: set[str] = set()
    for term, uri, label in rows:
        (top, top_count), *rest = labels[uri].most_common()
        if label.casefold() != top or (rest and rest[0][1] == top_count):
            dropped.append(f"{term!r} → {uri}: label {label!r} disagrees with the concept's other rows")
            continue
        if term in kept and kept[term][0] != uri:
            conflicts.add(term)
        kept.setdefault(term, (uri, label))
    for term in sorted(conflicts):
        dropped.append(f"{term!r}: mapped to more than one concept")
        del kept[term]
    return sorted((term, uri, label) for term, (uri, label) in kept.items()), dropped


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    if not source.is_file():
        print(f"no source file {source}", file=sys.stderr)
        return 1
    rows, dropped = build(source)
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("term", "aat", "label"))
        writer.writerows(rows)
    for reason in dropped:
        print(f"dropped {reason}")
    print(f"wrote {len(rows)} terms to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
