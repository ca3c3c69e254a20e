"""Mapping profiles as partners write them (TOML), and the AAT concordance the project ships."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from oogst.errors import ConfigError
from oogst.mapping import Profile, vocab
from oogst.mapping.profile import ExtraField, json_path_steps

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_full_profile_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
language = "fr"
default_rights = "https://creativecommons.org/licenses/by/4.0/deed.fr"
[provider]
name = "Musée Exemple"
iri = "https://musee.example.be/"
[values.materiaal]
"Toile " = "http://vocab.getty.edu/aat/300014078"
[values."*"]
"bronze" = "http://vocab.getty.edu/aat/300010957"
[[fields]]
path = "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:displayStateEditionWrap/lido:displayEdition"
property = "crm:P3_has_note"
[[fields]]
path = '$["Object.opschrift"][*]'
property = "http://example.org/ns#opschrift"
kind = "string"
""",
    )
    profile = Profile.from_toml(path, "musee", base_iri="https://data.example.org/")
    assert profile.language == "fr" and profile.base_iri == "https://data.example.org/"
    assert profile.default_rights == "http://creativecommons.org/licenses/by/4.0/"
    assert (profile.provider_name, profile.provider_iri) == ("Musée Exemple", "https://musee.example.be/")
    assert profile.lookup("materiaal", "toile") == "http://vocab.getty.edu/aat/300014078"
    assert profile.lookup("techniek", "Bronze") == "http://vocab.getty.edu/aat/300010957"
    assert profile.lookup("techniek", "toile") is None
    first, second = profile.fields
    assert first.property == vocab.CRM + "P3_has_note" and first.xpath is not None
    assert second.json_steps == ("Object.opschrift", None) and second.kind == "string"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('langauge = "nl"', "unknown key(s) langauge"),
        ('language = "Nederlands en Frans"', "is not a language tag"),
        ('default_rights = "zie website"', "is not a rights URI"),
        ('[provider]\nname = "x"\nurl = "https://x.be/"', "[provider] holds only name and iri"),
        ('[values.materiaal]\n"doek" = "aat:300014078"', "values.materiaal: 'doek' maps to 'aat:300014078'"),
        ('[[fields]]\npath = "lido:a["\nproperty = "crm:P3_has_note"', "the path does not compile"),
        ('[[fields]]\npath = "$.a"\nproperty = "foo:bar"', "neither a known prefixed name"),
        ('[[fields]]\npath = "$.a"\nproperty = "crm:P3_has_note"\nkind = "number"', "kind 'number' is unknown"),
        ("[[fields]]\npath = '$.a'", "every [[fields]] entry has path, property"),
        ("language = ", "is not valid TOML"),
    ],
)
def test_mistakes_in_a_profile_file_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Profile.from_toml(write(tmp_path, text), "musee")
    assert message in str(caught.value)


def test_a_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the mapping profile"):
        Profile.from_toml(tmp_path / "nope.toml", "musee")


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("$.a.b", ("a", "b")),
        ('$["MensgemaaktObject.titel"][0]["@value"]', ("MensgemaaktObject.titel", 0, "@value")),
        ("$['x'][*].y", ("x", None, "y")),
    ],
)
def test_json_paths(path: str, steps: tuple) -> None:
    assert json_path_steps(path) == steps


def test_a_bad_json_path() -> None:
    with pytest.raises(ConfigError, match="cannot read the JSON path"):
        ExtraField("$.a[", "crm:P3_has_note")


@pytest.mark.parametrize("name", ["museum-lido", "archive-dc"])
def test_the_sample_partners_profiles_load(name: str) -> None:
    profile = Profile.from_toml(ROOT / "data" / "samples" / name / "profile.toml", name)
    assert profile.provider_name and profile.default_rights is None  # the samples' bad records stay bad


def test_the_shipped_concordance_is_sound() -> None:
    concordance = vocab.aat_concordance()
    assert concordance["olieverfschilderij"] == "http://vocab.getty.edu/aat/300033799"
    assert all(term == " ".join(term.casefold().split()) for term in concordance)
    assert all(iri.startswith(vocab.AAT) and iri[len(vocab.AAT) :].isdigit() for iri in concordance.values())
    assert "medailles" not in concordance  # a slip of the source (the concept of manuscripts), left out


@pytest.mark.corpus
def test_the_concordance_is_what_the_build_script_makes_of_the_corpus_file(corpus: Path, tmp_path: Path) -> None:
    source = corpus / "vocab" / "vkc-AAT_UTF8.csv"
    script = ROOT / "mapping" / "data" / "build_aat_concordance.py"
    shipped = (ROOT / "mapping" / "data" / "aat-concordance.csv").read_text("utf-8")
    sys.path.insert(0, str(script.parent))
    try:
        from build_aat_concordance import build  # noqa: PLC0415 (a script, not a module of oogst)
    finally:
        sys.path.remove(str(script.parent))
    rows, dropped = build(source)
    assert [tuple(r.values()) for r in csv.DictReader(shipped.splitlines())] == [tuple(r) for r in rows]
    assert dropped
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "missing.csv")], capture_output=True, text=True)
    assert result.returncode == 1 and "no source file" in result.stderr
