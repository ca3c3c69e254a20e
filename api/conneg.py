"""Content negotiation: pick one of the formats a route offers from the ``Accept`` header.

Honours q-values and wildcards (RFC 9110 §12.5.1): each offered media type takes the q of
the most specific media range that matches it; the highest q wins, then the more specific
match, then the range the client listed first, then the route's own order of offers. A
range with ``q=0`` excludes what it matches.

When nothing offered is acceptable, :func:`negotiate` returns the route's default (a 200
in a format the client did not ask for, as most SPARQL endpoints do) rather than a 406:
clients that send a narrow ``Accept`` still get an answer whose ``Content-Type`` says
what it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..pipeline import GRAPH_FORMATS, SOLUTION_FORMATS

# (media type, format key) in the order a route prefers them; a key may have aliases.
Offers = Sequence[tuple[str, str]]

SOLUTION_OFFERS: Offers = (
    *((media, key) for key, media in SOLUTION_FORMATS.items()),
    ("application/json", "json"),
)
# The graph formats the API serves (N-Quads and TriG are for dumps, not for one graph).
GRAPH_OFFERS: Offers = (
    (GRAPH_FORMATS["turtle"], "turtle"),
    (GRAPH_FORMATS["ntriples"], "ntriples"),
    (GRAPH_FORMATS["jsonld"], "jsonld"),
    (GRAPH_FORMATS["rdfxml"], "rdfxml"),
    ("application/json", "jsonld"),
    ("application/x-turtle", "turtle"),
)


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2, 1, 0, or -1 (no match)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; a missing or empty header means ``*/*``."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q, position))
    return ranges


def negotiate(accept: str | None, offers: Offers, default: str | None) -> str | None:
    """The format key of the best offer for ``accept``, or ``default`` if none is acceptable."""
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    choice = default
    for index, (media_type, key) in enumerate(offers):
        matches = [(r.specificity(media_type), r) for r in ranges]
        matches = [(s, r) for s, r in matches if s >= 0]
        if not matches:
            continue
        specificity, match = max(matches, key=lambda m: (m[0], -m[1].position))
        if match.q <= 0:
            continue
        rank = (match.q, specificity, -match.position, -index)
        if best is None or rank > best:
            best, choice = rank, key
    return choice


def asks_profile(accept: str | None, media_type: str, profiles: tuple[str, ...]) -> bool:
    """Whether ``accept`` asks for ``media_type`` with a ``profile`` parameter among
    ``profiles`` (``application/rdf+xml;profile=edm``), at a q above 0."""
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() != media_type:
            continue
        values = {}
        for param in params:
            name, _, value = param.partition("=")
            values[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(values.get("q", "1"))
        except ValueError:
            q = 0.0
        if q > 0 and values.get("profile") in profiles:
            return True
    return False
