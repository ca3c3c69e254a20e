"""Records that describe several: an EAD finding aid becomes one record per described unit in
the pipeline — archived whole, split at map time (so a remap splits again), its units withdrawn
with it, units gone from a new version withdrawn, and never swept by a full run that saw it.
And the formats' usual OAI-PMH metadataPrefix is asked for without an option."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline import Oogst
from oogst.settings import Settings

PARTNER = "houtland"
FONDS = "oai:archief.houtland.be:BE-SAH-002"


@pytest.fixture
def sim():
    with PartnerSimulator() as simulator:
        yield simulator


@pytest.fixture
def app(tmp_path: Path):
    with Oogst(Settings(data_dir=tmp_path)) as core:
        yield core


def units(app: Oogst) -> dict[str, str]:
    return {r["source_id"]: r["state"] for r in app.state.list_records(state=None, feed=PARTNER, limit=1000)
            if r["source_id"].startswith(FONDS)}


def test_a_finding_aid_is_one_record_per_unit_and_its_units_follow_it(sim, app) -> None:
    app.add_feed(PARTNER, sim.endpoint(PARTNER), "ead")  # no metadata prefix: the format's usual one
    first = app.harvest(PARTNER)
    assert first.status == "complete" and first.counts["harvested"] == 5
    assert first.counts["published"] + first.counts["quarantined"] > first.counts["harvested"]
    before = units(app)
    assert len(before) > 2 and all(state != "withdrawn" for state in before.values())
    assert app.archive.stats(PARTNER)["records"] == 5, "the finding aids are archived whole"

    full = app.harvest(PARTNER, full=True)
    assert full.status == "complete" and full.counts["withdrawn"] == 0, "a full run that saw the fonds keeps its units"

    # a new version without its last unit: that unit is withdrawn, the others stay
    record = sim._partner(PARTNER).records[FONDS]
    payload = record.xml[record.xml.index(b"<metadata>") + 10:record.xml.rindex(b"</metadata>")]
    last = sorted(u for u in before if u != FONDS)[-1].rsplit("/", 1)[-1]
    shorter = re.sub(rb"<c[0-9]*[^>]*>\s*<did>\s*<unitid>" + re.escape(last.encode()) + rb"</unitid>.*?</c[0-9]*>",
                     b"", payload, count=1, flags=re.S)
    assert shorter != payload
    sim.update_record(PARTNER, FONDS, shorter)
    app.harvest(PARTNER)
    after = units(app)
    gone = [u for u, state in after.items() if state == "withdrawn"]
    assert gone and all(u.endswith("/" + last) or f"/{last}/" in u for u in gone)

    # the fonds deleted at the source: every unit goes with it
    sim.delete_record(PARTNER, FONDS)
    app.harvest(PARTNER)
    assert set(units(app).values()) == {"withdrawn"}


def test_a_remap_splits_the_archived_finding_aids_again(sim, app) -> None:
    app.add_feed(PARTNER, sim.endpoint(PARTNER), "ead")
    app.harvest(PARTNER)
    published = app.counts(PARTNER)["published"]
    remapped = app.remap(PARTNER)
    assert remapped.status == "complete" and remapped.counts["published"] == published


def test_formats_ask_for_their_usual_metadata_prefix(sim, app) -> None:
    app.add_feed("terdoest", sim.endpoint("terdoest"), "marcxml")
    summary = app.harvest("terdoest")
    assert summary.status == "complete", summary.error
    assert any(args.get("metadataPrefix") == "marc21" for _, args in sim.request_log)
