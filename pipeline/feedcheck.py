"""Does a feed's URL answer its protocol? ``oogst feeds add --probe`` asks before saving.

:func:`check_feed` probes the URL live (``probe.py``: short timeouts, no retries) and
refuses, with a ConfigError that says what the address is and how to register it, when it
does not answer, answers another protocol, or (OAI-PMH) offers neither the feed's
metadataPrefix nor its set. A files feed has nothing to ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..records import Feed
from .probe import Probe, probe

if TYPE_CHECKING:
    from .core import Oogst


def check_feed(core: Oogst, feed: Feed) -> Probe | None:
    """The probe of ``feed``'s URL when it answers as the feed expects; ConfigError otherwise."""
    if feed.protocol == "files":
        return None
    secret = core.http.credentials.get(feed.name)  # a draft's (Feeds.draft) or the feed's own
    found = probe(core, feed.url, auth=secret[1:] if secret else None)
    where = {"feed": feed.name, "url": feed.url}
    if not found.ok:
        raise ConfigError(f"the URL does not answer: {found.message_en}", **where,
                          hint="check the address; register it without --probe to keep it anyway")
    if found.protocol != feed.protocol:
        raise ConfigError(f"the URL answers as {found.protocol or 'something else'}, not {feed.protocol}", **where,
                          hint=f"register it with --protocol {found.protocol}" if found.protocol else None)
    if feed.protocol == "oai-pmh":
        prefix = feed.options.get("metadata_prefix") or feed.format
        offered = [f["prefix"] for f in found.formats]
        if offered and prefix not in offered:
            suggestion = next((f["prefix"] for f in found.formats if f.get("format") == feed.format), None)
            raise ConfigError(f"the server offers no metadataPrefix {prefix!r} (it offers {', '.join(offered)})",
                              **where, hint=f"add --metadata-prefix {suggestion}" if suggestion
                              else "choose a --format that one of these prefixes maps to")
        specs = [s["spec"] for s in found.sets]
        if feed.set_spec and specs and feed.set_spec not in specs:
            raise ConfigError(f"the server has no set {feed.set_spec!r}", **where,
                              hint=f"its sets: {', '.join(specs[:20])}{' …' if len(specs) > 20 else ''}")
    return found
