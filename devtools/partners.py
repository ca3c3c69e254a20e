"""Partners for tests and benchmarks of whole nights: many simple records, a partner that
stalls, and how many requests a host had in flight at once (from the simulator's spans)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .simulator import Fault, SimRecord

DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/">{}</oai_dc:dc>')


def dc_records(name: str, count: int, stamp: str = "2025-01-01T00:00:00Z") -> list[SimRecord]:
    """``count`` Dublin Core records that pass the acceptance shapes, ``oai:{name}:{k}``."""
    return [SimRecord.build(
        f"oai:{name}:{k:06d}", stamp, DC.format(
            f'<dc:title xml:lang="nl">Foto {name} {k}</dc:title><dc:type>foto</dc:type>'
            f"<dc:date>19{k % 100:02d}</dc:date><dc:publisher>Archief {name}</dc:publisher>"
            f"<dc:identifier>{name}-{k}</dc:identifier>"
            f"<dc:identifier>https://{name}.example.org/object/{k}</dc:identifier>"
            "<dc:rights>http://creativecommons.org/publicdomain/zero/1.0/</dc:rights>").encode())
        for k in range(count)]


def stall(release: threading.Event, verbs: Iterable[str] = ("ListRecords",)) -> Fault:
    """A fault: the server accepts the request and never answers (until ``release`` is set),
    for requests with one of ``verbs`` (``None`` in them: every request)."""
    verbs = set(verbs)

    def fault(verb: str | None, _args: dict[str, str], _body: bytes) -> None:
        if verb in verbs or None in verbs:
            release.wait()
        return None

    return fault


def max_in_flight(spans: Iterable[tuple[float, float, str]]) -> int:
    """The most requests in flight at once, from (start, end, …) spans; touching ends do not overlap."""
    events = sorted([(start, 1) for start, _end, *_ in spans] + [(end, -1) for _start, end, *_ in spans],
                    key=lambda e: (e[0], e[1]))
    most = current = 0
    for _when, step in events:
        current += step
        most = max(most, current)
    return most
