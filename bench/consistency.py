"""What exactly-once costs: a full re-harvest of unchanged records, with the check that their
graph, search entry and provenance exist (``Views.incomplete``, issue 14) and without it, and
the closing consistency check of a run (``Views.check``) alone.

    .venv/bin/python bench/consistency.py [--records 3000] [--repeat 3]

Prints medians in seconds, side by side, from one process against the partner simulator.
"""

from __future__ import annotations

import os

os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback

import argparse
import statistics
import tempfile
import time
from pathlib import Path


from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline import Oogst
from oogst.pipeline.views import Views
from oogst.settings import Settings
from oogst.tests.test_crash_consistency import card


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with PartnerSimulator(page_size=250) as sim, tempfile.TemporaryDirectory() as tmp:
        sim.add_partner("kaarten", [card(n) for n in range(args.records)])
        with Oogst(Settings(allowed_private_networks=("127.0.0.0/8",), data_dir=Path(tmp))) as app:
            app.add_feed("kaarten", sim.endpoint("kaarten"), "oai_dc")
            t = time.perf_counter()
            assert app.harvest("kaarten").counts["published"] == args.records
            first = time.perf_counter() - t
            checked, skipped, closing = [], [], []
            original = Views.incomplete
            for _ in range(args.repeat):
                for sink, check in ((checked, original), (skipped, lambda self, feed, ids: set())):
                    Views.incomplete = check
                    t = time.perf_counter()
                    assert app.harvest("kaarten", full=True).counts["unchanged"] == args.records
                    sink.append(time.perf_counter() - t)
                Views.incomplete = original
                t = time.perf_counter()
                assert app.views.check("kaarten", records=[])["ok"]
                closing.append(time.perf_counter() - t)
    med = statistics.median
    print(f"records {args.records}; first harvest {first:.2f} s")
    print(f"full re-harvest, all unchanged: with output check {med(checked):.2f} s | without {med(skipped):.2f} s "
          f"| ratio {med(checked) / med(skipped):.2f}")
    print(f"closing consistency check of a run (counts), in both: {med(closing):.3f} s "
          f"({med(closing) / args.records * 1e6:.0f} µs a record)")


if __name__ == "__main__":
    main()
