"""The demo's partners: a feed per sample partner that the simulator serves, with the mapping
profile shipped beside it (``data/samples/*/profile.toml``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import NotFoundError
from ..pipeline import Oogst
from .simulator import DEFAULT_SAMPLES_DIR, PartnerSimulator


def register_samples(app: Oogst, sim: PartnerSimulator) -> list[str]:
    """Register a feed per partner of ``sim``, or point an existing one at ``sim`` (whose port
    changes from run to run); returns the feed names."""
    names = []
    for name, info in sim.partners.items():
        url = sim.endpoint(name)
        try:
            app.feed(name)
        except NotFoundError:
            options = {k: info[k] for k in ("metadata_prefix", "language") if info.get(k)}
            app.add_feed(name, url, info["format"], options=options)
            profile = sample_profile(name)
            if profile is not None:
                app.set_profile(name, profile)
        else:
            app.edit_feed(name, url=url)
        names.append(name)
    return names


def sample_profile(name: str, samples: Path = DEFAULT_SAMPLES_DIR) -> Path | None:
    """The mapping profile shipped beside sample partner ``name``."""
    for partner in sorted(samples.glob("*/partner.toml")):
        profile = partner.with_name("profile.toml")
        if profile.is_file() and tomllib.loads(partner.read_text("utf-8")).get("name") == name:
            return profile
    return None
