"""Feed operations, shared by every door (the CLI, the API, the partner pages): add, edit,
remove, pause, resume, options, profile, schedule and owner — checked the same way whoever
asks.

A feed's settings: ``options`` (the protocol's own, declared by its harvester's
``OPTIONS``), ``profile`` (the mapping profile's TOML table), ``schedule`` and ``owner``. An
option that the protocol does not declare is refused, naming the ones it knows; a profile
key given as an option (``language=fr``) goes into the profile.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import tomli_w

from .. import harvest as harvest_registry
from .. import mapping as mapping_registry
from ..errors import ConfigError, UsageError
from ..harvest.policy import BlockedAddressError, Outbound, shown_url as _shown
from ..mapping import Profile
from ..records import Feed, origin, split_credentials
from . import schedule as schedules

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

PROFILE_KEYS = ("language", "default_rights", "provider_name", "provider_iri")  # may be given as options
EDITABLE = ("url", "format", "set_spec", "options", "profile", "schedule", "owner", "delivery", "contact")
MAX_NAME = 64


def check_name(name: str) -> str:
    if (not name or len(name) > MAX_NAME or name.startswith("_")
            or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name)):
        raise ConfigError(f"feed name {name[:80]!r} may hold only letters, digits, '-' and '_' (at most {MAX_NAME}), "
                          "and may not start with '_' (kept for the system graphs)", hint="e.g. 'stadsarchief-gent'")
    return name


def check_contact(contact: str | None, feed: str) -> str | None:
    """The partner's mail address(es) for alerts, comma-separated; '' for none."""
    addresses = [a.strip() for a in (contact or "").split(",") if a.strip()]
    for address in addresses:
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain or any(c.isspace() or c in "<>\"" for c in address):
            raise ConfigError(f"contact {address[:120]!r} is not a mail address", feed=feed,
                              hint="e.g. collectie@museum.be (several: comma-separated)")
    return ", ".join(addresses) or None


class Feeds:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    # -- registering and changing --------------------------------------------------------------
    def add(self, name: str, url: str, format: str, **parts: Any) -> Feed:
        """Register a feed; every part is checked before anything is written. A user name and
        password in the URL (``https://user:pw@host/oai``) are kept apart from it: the harvester
        sends them to that host only, and nothing shows or publishes them."""
        url, secret = split_credentials(url.strip())
        feed = self.core.state.add_feed(self.draft(name, url, format, **parts))
        if secret is not None:
            self.core.state.set_credentials(name, *secret)
        return feed

    def draft(self, name: str, url: str, format: str, *, protocol: str = "oai-pmh", set_spec: str | None = None,
              options: dict[str, Any] | None = None, profile: dict[str, Any] | None = None,
              schedule: str | None = None, owner: str | None = None, contact: str | None = None) -> Feed:
        """A feed checked as :meth:`add` checks it, but not saved (the wizard's preview)."""
        check_name(name)
        harvest_registry.get_harvester(protocol)
        mapping_registry.get_mapper(format)
        opts, from_options = self.split_options(protocol, options or {})
        url, secret = split_credentials(url.strip())
        feed = Feed(name=name, protocol=protocol, url=self.resolve_url(protocol, url), format=format,
                    set_spec=set_spec or None, options=opts, profile={**from_options, **(profile or {})},
                    schedule=schedules.normalise(schedule, name), owner=owner or None,
                    contact=check_contact(contact, name))
        if feed.owner:
            self.core.state.get_org(feed.owner)  # an owner is an organisation (`oogst orgs add`)
        self.profile_of(feed)  # a bad profile is refused now, not at the first harvest
        if secret is not None:  # a probe of the draft (feeds add --probe, the wizard) sends them too
            self.core.http.credentials[name] = (origin(feed.url), *secret)
        return feed

    def edit(self, name: str, **changes: Any) -> Feed:
        """Change a feed's URL, format, set, options, profile, schedule, owner or Europeana
        delivery settings (``delivery``, replaced whole). Nothing is unpublished: the record
        identities stay, so a moved endpoint that serves the same records updates them in place."""
        feed = self.core.state.get_feed(name)
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ConfigError(f"cannot change {', '.join(sorted(unknown))} of a feed",
                              hint=f"changeable: {', '.join(EDITABLE)}")
        values = {k: v for k, v in changes.items() if v is not None}
        if "format" in values:
            mapping_registry.get_mapper(values["format"])
        secret: tuple[str, str] | None = None
        if "url" in values:
            url, secret = split_credentials(values["url"].strip())
            values["url"] = self.resolve_url(feed.protocol, url)
        if "options" in values:
            values["options"], from_options = self.split_options(feed.protocol, values["options"])
            if from_options:
                values["profile"] = {**values.get("profile", feed.profile), **from_options}
        if "set_spec" in values:
            values["set_spec"] = values["set_spec"] or None
        if "schedule" in values:
            values["schedule"] = schedules.normalise(values["schedule"], name)
        if "contact" in values:
            values["contact"] = check_contact(values["contact"], name)
        if values.get("owner"):
            self.core.state.get_org(values["owner"])
        self.profile_of(Feed(**{**feed.__dict__, **values}))
        if "delivery" in values:  # Europeana delivery settings: replaced whole, checked first
            values["delivery"] = self.core.delivery.check(Feed(**{**feed.__dict__, **values}), values["delivery"])
        moved = "url" in values and values["url"] != feed.url
        if moved:  # another server: its tokens and dates mean nothing here, so the next run reads it all
            values["cursor"] = {}  # (same records: unchanged, same identities; gone ones: the sweep)
        changed = self.core.state.update_feed(name, **values)
        if secret is not None:  # new credentials; those of another host are forgotten
            self.core.state.set_credentials(name, *secret)
        elif moved and origin(values["url"]) != origin(feed.url):
            self.core.state.set_credentials(name, None)
        if moved:
            self.core.state.clear_checkpoint(name)
        if "delivery" in values and values["delivery"] != feed.delivery:
            self.core.delivery.changed(name, touch=True)  # their EDM changes: worked out again, datestamps move
        return changed

    def remove(self, name: str) -> int:
        """Forget feed ``name`` and unpublish its records; returns how many graphs went."""
        with self.core.barrier.shared():  # a backup sees both or neither (pipeline/backup.py)
            graphs = self.core.state.remove_feed(name)
            self.core.store.drop_graphs(graphs)
        self.core.views.feed_removed(name)
        return len(graphs)

    def pause(self, name: str) -> Feed:
        """Stop harvesting feed ``name`` (``harvest --all`` skips it) until :meth:`resume`."""
        self.core.state.get_feed(name)
        return self.core.state.update_feed(name, status="paused")

    def resume(self, name: str) -> Feed:
        """Harvest feed ``name`` again; its failure count starts over."""
        self.core.state.get_feed(name)
        return self.core.state.update_feed(name, status="active", failures=0)

    # -- options --------------------------------------------------------------------------------
    @staticmethod
    def split_options(protocol: str, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(protocol options, profile values): keys neither declares are refused."""
        known = harvest_registry.options(protocol)
        opts: dict[str, Any] = {}
        profile: dict[str, Any] = {}
        for key, value in options.items():
            if key in PROFILE_KEYS:
                profile[key] = value
            elif key in known:
                opts[key] = value
            else:
                raise UsageError(f"{protocol} feeds have no option {key!r}",
                                  hint=f"known: {', '.join(sorted({*known, *PROFILE_KEYS}))} (`oogst protocols`)")
        return opts, profile

    def resolve_url(self, protocol: str, url: str) -> str:
        """The feed's URL, checked by the outbound policy (harvest/policy.py) at once: http(s)
        only, no credentials, no internal address; a ``files`` feed's local path (or
        ``file://`` URL) made absolute, and only under the setting ``files_root``."""
        url = url.strip()
        outbound = Outbound.from_settings(self.core.settings)
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise ConfigError(f"{url[:200]!r} is not a URL: {exc}", hint="give the endpoint's full address, "
                              "e.g. https://collectie.example.be/oai") from None
        if protocol == "files" and ("://" not in url or parts.scheme == "file"):
            if parts.scheme == "file" and parts.netloc not in ("", "localhost"):
                raise ConfigError(f"{url[:200]!r} names another machine", hint="give a local path or an http(s) URL")
            path = url2pathname(parts.path) if parts.scheme == "file" else url
            try:
                return str(outbound.check_path(path))
            except BlockedAddressError as exc:
                raise ConfigError(exc.message, hint=exc.hint) from None
        problem = outbound.url_problem(url)
        if problem:
            hint = "give the endpoint's full address, e.g. https://collectie.example.be/oai"
            raise ConfigError(f"{_shown(url)[:200]!r} cannot be a feed's URL: {problem}", hint=hint)
        return url

    def for_harvest(self, feed: Feed) -> Feed:
        """The feed as its harvester gets it: an OAI-PMH feed without a ``metadata_prefix`` asks
        for its format's usual one (the mapper's ``oai_prefixes``), e.g. marc21 for marcxml. Its
        URL is checked again (a feed registered before the outbound policy, or under another
        ``files_root``)."""
        try:
            self.resolve_url(feed.protocol, feed.url)
        except ConfigError as exc:
            raise ConfigError(exc.message, feed=feed.name, hint=exc.hint) from None
        secret = self.core.state.get_credentials(feed.name)
        if secret is not None:  # sent to the feed's own host only (harvest/http.py)
            self.core.http.credentials[feed.name] = (origin(feed.url), *secret)
        usual = getattr(mapping_registry.get_mapper(feed.format), "oai_prefixes", None)
        if feed.protocol != "oai-pmh" or feed.options.get("metadata_prefix") or not usual:
            return feed
        return replace(feed, options={**feed.options, "metadata_prefix": usual[0]})

    # -- the mapping profile -------------------------------------------------------------------
    def profile_of(self, feed: Feed, source: str | None = None) -> Profile:
        """The feed's mapping profile: the settings' defaults, overridden by its profile
        (``source``: the file it comes from, for messages)."""
        settings = self.core.settings
        return Profile.from_dict(feed.profile, feed.name, source=source or f"the profile of feed {feed.name!r}",
                                 base_iri=settings.base_iri, language=settings.default_language,
                                 contexts=self.core.contexts)

    def set_profile(self, name: str, source: str | Path) -> Profile:
        """Check the mapping profile file ``source`` (TOML) and make it feed ``name``'s profile;
        it applies from the next harvest (or ``oogst remap``) on."""
        feed = self.core.state.get_feed(name)
        table = read_profile(source, name)
        profile = self.profile_of(Feed(**{**feed.__dict__, "profile": table}), source=f"the profile file {source}")
        self.core.state.update_feed(name, profile=table)
        return profile

    def profile_text(self, name: str) -> str | None:
        """Feed ``name``'s profile as TOML, or None when it maps with the defaults."""
        feed = self.core.state.get_feed(name)
        return tomli_w.dumps(feed.profile) if feed.profile else None

    def adopt_profile_files(self, folder: Path) -> None:
        """Profiles of an older data dir (``profiles/NAME.toml``) moved into the feeds."""
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.toml")):
            try:
                feed = self.core.state.get_feed(path.stem)
            except ConfigError:
                continue
            if not feed.profile:
                self.core.state.update_feed(feed.name, profile={**feed.profile, **read_profile(path, feed.name)})
            path.rename(path.with_suffix(".toml.adopted"))
            log.info("the profile file %s is now part of feed %s", path, feed.name)


def read_profile(source: str | Path, feed: str) -> dict[str, Any]:
    """A profile file's table; a missing or unreadable file is a ConfigError naming it."""
    path = Path(source)
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the profile file {path} is not UTF-8 text (byte {exc.start + 1} cannot be read)",
                          feed=feed, hint="save the profile as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the profile file {path}: {getattr(exc, 'strerror', None) or exc}", feed=feed,
                          hint="give the path of a UTF-8 TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the profile file {path} is not valid TOML: {exc}", feed=feed) from exc

