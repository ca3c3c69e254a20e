"""The demo's partners: a feed per sample partner that the simulator serves, with the mapping
profile shipped beside it (``data/samples/*/profile.toml``), an organisation per partner that
owns its feed, and demo accounts to sign in with (:data:`DEMO_USERS`, on 127.0.0.1 only).

The demo's feeds point at the simulator, which stops with the demo. The demo notes its
address in the data dir (``demo.json``); :func:`demo_partners` starts the simulator there
again while a later ``oogst harvest`` needs it, so the demo data dir stays harvestable.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError, NotFoundError
from ..pipeline import Oogst
from ..settings import Settings
from .simulator import DEFAULT_SAMPLES_DIR, PartnerSimulator


DEMO_PASSWORD = "oogst-demo-wachtwoord"  # the demo's accounts, for a demo on 127.0.0.1 only
DEMO_USERS = {"beheerder": ("operator", None)}  # + one partner account per sample partner, named after it
LOOPBACK = ("127.0.0.0/8", "::1/128")  # the simulator's partners live on 127.0.0.1


def allow_loopback(overrides: dict[str, Any]) -> None:
    """The demo's partners are on 127.0.0.1, which the outbound policy refuses by default: the
    demo data dir's ``oogst.toml`` allows loopback (once; a value already there stays), so that
    later commands on the same data dir (``harvest``, the wizard) reach them too."""
    data_dir = overrides.get("data_dir") or os.environ.get("OOGST_DATA_DIR") or Settings.data_dir
    config = Path(os.environ.get("OOGST_CONFIG") or Path(data_dir) / "oogst.toml")
    text = config.read_text("utf-8") if config.is_file() else ""
    try:
        if "allowed_private_networks" in tomllib.loads(text):
            return
    except tomllib.TOMLDecodeError:
        return  # the settings will say what is wrong with the file
    config.parent.mkdir(parents=True, exist_ok=True)
    line = "allowed_private_networks = [" + ", ".join(f'"{n}"' for n in LOOPBACK) + "]  # the demo's partners\n"
    config.write_text(line + text, "utf-8")


def register_samples(app: Oogst, sim: PartnerSimulator) -> list[str]:
    """Register a feed per partner of ``sim``, owned by an organisation of the same name, or
    point an existing one at ``sim`` (whose port may change from run to run); returns the feed
    names."""
    names = []
    for name, info in sim.partners.items():
        url = sim.endpoint(name)
        try:
            app.accounts.org(name)
        except NotFoundError:
            app.accounts.add_org(name, info.get("title") or name)
        try:
            app.feed(name)
        except NotFoundError:
            options = {k: info[k] for k in ("metadata_prefix", "language") if info.get(k)}
            app.add_feed(name, url, info["format"], options=options, owner=name)
            profile = sample_profile(name)
            if profile is not None:
                app.set_profile(name, profile)
        else:
            app.edit_feed(name, url=url, owner=app.feed(name).owner or name)
        names.append(name)
    return names


def sample_profile(name: str, samples: Path = DEFAULT_SAMPLES_DIR) -> Path | None:
    """The mapping profile shipped beside sample partner ``name``."""
    for partner in sorted(samples.glob("*/partner.toml")):
        profile = partner.with_name("profile.toml")
        if profile.is_file() and tomllib.loads(partner.read_text("utf-8")).get("name") == name:
            return profile
    return None


def demo_accounts(app: Oogst, partners: list[str]) -> dict[str, str]:
    """The demo's accounts (an operator, and a partner per sample partner), made once; returns
    name → role. Their password is :data:`DEMO_PASSWORD`."""
    users = {**DEMO_USERS, **{name: ("partner", name) for name in partners}}
    for name, (role, org) in users.items():
        try:
            app.accounts.add_user(name, role, org=org, password=DEMO_PASSWORD)
        except ConfigError:  # made by an earlier demo
            pass
    return {name: role for name, (role, _) in users.items()}


DEMO_FILE = "demo.json"


def remember_simulator(data_dir: Path, sim: PartnerSimulator) -> None:
    """Note where the demo's simulator listens, for :func:`demo_partners`."""
    (Path(data_dir) / DEMO_FILE).write_text(json.dumps({"url": sim.url}) + "\n", "utf-8")


@contextlib.contextmanager
def demo_partners(app: Oogst, names: list[str]) -> Iterator[str | None]:
    """While feeds ``names`` of a demo data dir are harvested: the demo's simulator on its old
    address when some of them point there and nothing listens (yields its URL), else nothing
    (yields None: a running demo serves them, or another program has the port and the run
    says it cannot connect)."""
    marker = app.settings.data_dir / DEMO_FILE
    try:
        url = json.loads(marker.read_text("utf-8"))["url"]
        port = urlsplit(url).port
    except (OSError, ValueError, KeyError, TypeError):
        yield None
        return
    if not port or not any(app.feed(name).url.startswith(url + "/") for name in names):
        yield None
        return
    sim = PartnerSimulator(images=True, port=port)
    try:
        sim.start()
    except OSError:
        yield None
        return
    try:
        yield sim.url
    finally:
        sim.stop()
