"""Every file of the shared corpus through the mappers and the acceptance gate: no traceback,
no N-Triples that do not parse, no oogst:rdf or unreadable-data finding. The summary table
(objects, passing and failing records per file) is printed; see ``bench/corpus.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def _survey_module():
    spec = importlib.util.spec_from_file_location("corpus_survey", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_the_whole_corpus_maps_without_a_bug(corpus: Path, capsys) -> None:
    survey = _survey_module()
    rows = survey.survey(corpus)
    with capsys.disabled():
        print("\n" + survey.table(rows))
    bugs = [f"{row.file}: {bug}" for row in rows for bug in row.bugs]
    assert not bugs, "\n".join(bugs)
    assert not any("oogst:rdf" in rule for row in rows for rule in row.rules)
    assert sum(row.records for row in rows) > 90 and sum(row.objects for row in rows) > 50
    # the LIDO exports of the Flemish Art Collection now state keeper and object number
    lido = {row.file: row.rules for row in rows if row.format == "lido"}
    assert not any("acceptance:beheerder" in rules or "acceptance:identificator" in rules for rules in lido.values())
