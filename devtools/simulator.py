"""The partner simulator: a small OAI-PMH 2.0 data provider on 127.0.0.1.

``oogst demo`` and the test-suite harvest it instead of a real museum or archive. It serves
every partner found in ``data/samples/*/`` (``partner.toml`` + ``records.xml``) at
``{url}/{name}/oai``, and partners that tests add in code (:meth:`PartnerSimulator.add_partner`).

Protocol: the six verbs; ``metadataPrefix``, ``from``/``until`` (day or seconds granularity,
seconds only when the partner's granularity allows it), ``set`` and ``resumptionToken``;
records in datestamp order, then identifier; pages of ``page_size``. The errors of the
specification, with their codes, as HTTP 200 responses. GET and form-encoded POST.

Each record is served as the ``<record>`` element of ``records.xml``, as it is there. A
partner serves one metadata format: the one its records are in (no crosswalk to oai_dc).

Resumption tokens hold no server state: a token encodes the request's arguments and the
(datestamp, identifier) of the last record served, so it stays valid across restarts, and a
record changed during a harvest moves to the end of the list instead of being skipped.

Tests can change records (:meth:`~PartnerSimulator.update_record`,
:meth:`~PartnerSimulator.delete_record`), read what was asked (:attr:`~PartnerSimulator.request_log`)
and alter responses (:meth:`~PartnerSimulator.inject`).

Run ``python -m oogst.devtools.simulator`` to try it by hand.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import ipaddress
import logging
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from ..publish import oaipmh
from ..publish.oaipmh import DAY, SECONDS, OaiError

__all__ = ["DEFAULT_SAMPLES_DIR", "Fault", "PartnerSimulator", "SimRecord", "load_records"]

logger = logging.getLogger(__name__)

OAI_NS = oaipmh.OAI_NS
DEFAULT_SAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "samples"

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]*")

# format → (schema, namespace) for ListMetadataFormats
KNOWN_FORMATS = {
    "lido": ("http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd", "http://www.lido-schema.org"),
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
}

# What a resumption token of the simulator carries (oaipmh.decode_token checks it).
_TOKEN_SCHEMA = {"v": str, "p": str, "m": str, "f": (str, type(None)), "u": (str, type(None)),
                 "s": (str, type(None)), "k": list}

Fault = Callable[[str | None, dict[str, str], bytes], tuple[int, Mapping[str, str], bytes] | None]
"""``(verb, args, page_bytes) -> (status, headers, body) | None``; None leaves the response alone.

``verb`` is None when the request has no single verb; ``args`` are the other arguments. A
fault that raises makes the simulator drop the connection without answering.
"""


@dataclass(frozen=True, slots=True)
class SimRecord:
    """One record of a simulated partner: its header fields and the ``<record>`` element served."""

    identifier: str
    datestamp: str
    xml: bytes
    sets: tuple[str, ...] = ()
    deleted: bool = False
    moment: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "moment", oaipmh.parse_datestamp(self.datestamp)[0])

    @classmethod
    def build(cls, identifier: str, datestamp: str, metadata: bytes | None = None,
              sets: Sequence[str] = ()) -> SimRecord:
        """A record with ``metadata`` (the payload XML, e.g. a ``<lido:lido>`` element) or, when
        ``metadata`` is None, a deleted header."""
        start = f'<record xmlns="{OAI_NS}">{oaipmh.header(identifier, datestamp, sets, metadata is None)}'
        if metadata is None:
            xml = f"{start}</record>".encode()
        else:
            try:
                payload = etree.tostring(etree.fromstring(metadata), encoding="UTF-8")
            except etree.XMLSyntaxError as exc:
                raise ValueError(f"{identifier}: the metadata is not well-formed XML: {exc}") from exc
            xml = f"{start}<metadata>".encode() + payload + b"</metadata></record>"
        return cls(identifier, datestamp, xml, tuple(sets), metadata is None)

    @classmethod
    def from_element(cls, record: etree._Element) -> SimRecord:
        """The record of an OAI-PMH document, served as it is there."""
        header = record.find(f"{{{OAI_NS}}}header")
        if header is None:
            raise ValueError("an OAI-PMH record without a header")
        identifier = (header.findtext(f"{{{OAI_NS}}}identifier") or "").strip()
        datestamp = (header.findtext(f"{{{OAI_NS}}}datestamp") or "").strip()
        if not identifier:
            raise ValueError("an OAI-PMH record without an identifier")
        sets = tuple((s.text or "").strip() for s in header.findall(f"{{{OAI_NS}}}setSpec"))
        xml = etree.tostring(record, encoding="UTF-8", with_tail=False)
        return cls(identifier, datestamp, xml, sets, header.get("status") == "deleted")

    @property
    def key(self) -> tuple[datetime, str]:
        """The sort key: datestamp, then identifier."""
        return self.moment, self.identifier


def load_records(path: Path) -> list[SimRecord]:
    """The records of an OAI-PMH ``ListRecords`` document (a ``records.xml``)."""
    root = etree.parse(str(path)).getroot()
    if root.tag != f"{{{OAI_NS}}}OAI-PMH" or root.find(f"{{{OAI_NS}}}ListRecords") is None:
        raise ValueError(f"{path}: not an OAI-PMH ListRecords document")
    try:
        return [SimRecord.from_element(r) for r in root.iterfind(f"{{{OAI_NS}}}ListRecords/{{{OAI_NS}}}record")]
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class _Identity:
    """What a partner says about itself in Identify, ListMetadataFormats and ListSets."""

    name: str
    title: str
    format: str
    metadata_prefix: str
    metadata_schema: str
    metadata_namespace: str
    repository_name: str
    admin_email: str
    earliest_datestamp: str
    deleted_record: str
    granularity: str
    language: str
    sets: tuple[dict[str, str], ...]
    provider_iri: str | None


@dataclass
class _Partner:
    identity: _Identity
    records: dict[str, SimRecord]
    faults: list[Fault] = field(default_factory=list)
    _sorted: list[SimRecord] | None = None

    def sorted_records(self) -> list[SimRecord]:
        if self._sorted is None:
            self._sorted = sorted(self.records.values(), key=lambda r: r.key)
        return self._sorted

    def put(self, record: SimRecord) -> None:
        self.records[record.identifier] = record
        self._sorted = None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


class PartnerSimulator:
    """OAI-PMH endpoints for sample partners, served from a daemon thread on the loopback interface.

    ::

        with PartnerSimulator(page_size=5) as sim:
            requests.get(sim.endpoint("kustlicht"), params={"verb": "Identify"})
    """

    def __init__(self, samples_dir: Path | None = None, page_size: int = 10, host: str = "127.0.0.1",
                 port: int = 0, images: bool = False) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if not _is_loopback(host):
            raise ValueError(f"the simulator binds only to the loopback interface, not {host!r}")
        self.page_size = page_size
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._partners: dict[str, _Partner] = {}
        self._log: list[tuple[str, dict[str, str]]] = []
        self._spans: list[tuple[float, float, str]] = []  # (start, end, path) of every answered request
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # images=True: serve each sample partner's images/ folder at {url}/{name}/images/ and point
        # its records' links on `image_base` (partner.toml) there, so that the demo's thumbnails show
        self.images = images
        self._images: dict[str, tuple[str, Path]] = {}  # partner → (image_base, folder)
        self._load_samples(samples_dir or DEFAULT_SAMPLES_DIR)

    # -- partners ------------------------------------------------------------------------
    def _load_samples(self, samples_dir: Path) -> None:
        if not samples_dir.is_dir():
            raise FileNotFoundError(f"no samples directory at {samples_dir}")
        for toml_path in sorted(samples_dir.glob("*/partner.toml")):
            config = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            records = load_records(toml_path.parent / "records.xml")
            image_base = config.pop("image_base", None)
            if image_base and (toml_path.parent / "images").is_dir():
                self._images[config.get("name", "")] = (image_base, toml_path.parent / "images")
            try:
                self.add_partner(config.pop("name"), records, **config)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{toml_path}: {exc}") from exc
            logger.debug("loaded partner %s: %d records from %s", toml_path.parent.name, len(records),
                         toml_path.parent)

    def add_partner(self, name: str, records: Iterable[SimRecord], **identify_fields: Any) -> None:
        """Serve ``records`` at ``/{name}/oai``.

        ``identify_fields`` are the keys of ``partner.toml``: ``title``, ``format`` (default
        ``oai_dc``), ``metadata_prefix`` (default: the format), ``metadata_schema`` and
        ``metadata_namespace`` (needed for formats other than lido and oai_dc),
        ``repository_name``, ``admin_email``, ``earliest_datestamp`` (default: the oldest
        datestamp), ``deleted_record`` (``persistent``), ``granularity`` (seconds), ``language``
        (``nl``), ``sets`` (a list of ``{"spec", "name", "description"}``) and ``provider_iri``.
        """
        if not _NAME_RE.fullmatch(name):
            raise ValueError(f"a partner name is lowercase letters, digits and dashes, not {name!r}")
        records = list(records)
        fields = dict(identify_fields)
        fmt = fields.pop("format", "oai_dc")
        schema, namespace = KNOWN_FORMATS.get(fmt, (None, None))
        schema = fields.pop("metadata_schema", schema)
        namespace = fields.pop("metadata_namespace", namespace)
        if not schema or not namespace:
            raise ValueError(f"format {fmt!r} needs metadata_schema and metadata_namespace")
        oldest = min((r.datestamp for r in records), key=lambda d: oaipmh.parse_datestamp(d)[0], default=None)
        title = fields.pop("title", name)
        identity = _Identity(
            name=name,
            title=title,
            format=fmt,
            metadata_prefix=fields.pop("metadata_prefix", fmt),
            metadata_schema=schema,
            metadata_namespace=namespace,
            repository_name=fields.pop("repository_name", title),
            admin_email=fields.pop("admin_email", f"beheer@{name}.example.org"),
            earliest_datestamp=fields.pop("earliest_datestamp", oldest or "2000-01-01T00:00:00Z"),
            deleted_record=fields.pop("deleted_record", "persistent"),
            granularity=fields.pop("granularity", SECONDS),
            language=fields.pop("language", "nl"),
            sets=tuple({"spec": s["spec"], "name": s.get("name", s["spec"]), "description": s.get("description", "")}
                       for s in fields.pop("sets", ())),
            provider_iri=fields.pop("provider_iri", None),
        )
        if fields:
            raise TypeError(f"unknown partner fields: {', '.join(sorted(fields))}")
        if identity.granularity not in (DAY, SECONDS):
            raise ValueError(f"granularity must be {DAY} or {SECONDS}, not {identity.granularity!r}")
        oaipmh.parse_datestamp(identity.earliest_datestamp)
        partner = _Partner(identity, {})
        for record in records:
            if record.identifier in partner.records:
                raise ValueError(f"duplicate identifier {record.identifier!r}")
            partner.put(record)
        with self._lock:
            if name in self._partners:
                raise ValueError(f"there is already a partner called {name!r}")
            self._partners[name] = partner

    @property
    def partners(self) -> dict[str, dict[str, Any]]:
        """name → what the partner says about itself, plus ``record_count`` and ``deleted_count``."""
        with self._lock:
            out = {}
            for name, partner in self._partners.items():
                info = asdict(partner.identity)
                info["sets"] = list(info["sets"])
                info["record_count"] = len(partner.records)
                info["deleted_count"] = sum(r.deleted for r in partner.records.values())
                out[name] = info
            return out

    def _partner(self, name: str) -> _Partner:
        try:
            return self._partners[name]
        except KeyError:
            raise KeyError(f"no partner called {name!r}") from None

    def update_record(self, name: str, identifier: str, payload_xml: bytes, datestamp: str | None = None, *,
                      sets: Sequence[str] | None = None) -> SimRecord:
        """Replace (or add) a record with a new payload; ``datestamp`` defaults to now.

        The record keeps its sets unless ``sets`` is given.
        """
        with self._lock:
            partner = self._partner(name)
            old = partner.records.get(identifier)
            keep = old.sets if old else ()
            record = SimRecord.build(identifier, datestamp or oaipmh.now(), payload_xml, keep if sets is None else sets)
            partner.put(record)
        return record

    def delete_record(self, name: str, identifier: str, datestamp: str | None = None) -> SimRecord:
        """Turn a record into a deleted header; ``datestamp`` defaults to now."""
        with self._lock:
            partner = self._partner(name)
            if identifier not in partner.records:
                raise KeyError(f"{name}: no record {identifier!r}")
            record = SimRecord.build(identifier, datestamp or oaipmh.now(), None, partner.records[identifier].sets)
            partner.put(record)
        return record

    def remove_record(self, name: str, identifier: str) -> None:
        """Forget a record without a trace (no deleted header): what a server that does not keep
        deletions (``deletedRecord`` no) does; only a full harvest can notice."""
        with self._lock:
            partner = self._partner(name)
            if partner.records.pop(identifier, None) is None:
                raise KeyError(f"{name}: no record {identifier!r}")
            partner._sorted = None

    # -- faults and the request log ----------------------------------------------------------
    def inject(self, name: str, fault: Fault) -> None:
        """Apply ``fault`` to the responses of partner ``name``, after the faults already injected;
        the first fault that returns a response wins."""
        with self._lock:
            self._partner(name).faults.append(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault, of every partner."""
        with self._lock:
            for partner in self._partners.values():
                partner.faults.clear()

    @property
    def request_log(self) -> list[tuple[str, dict[str, str]]]:
        """(path, arguments incl. ``verb``) of every request received, oldest first."""
        with self._lock:
            return [(path, dict(args)) for path, args in self._log]

    def clear_request_log(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._log.clear()
            self._spans.clear()

    @property
    def spans(self) -> list[tuple[float, float, str]]:
        """(start, end, path) of every request, on ``time.monotonic()``: from the request line read
        to the response sent (or the connection dropped). ``devtools.partners.max_in_flight``
        tells from them how many requests this host ever had at once."""
        with self._lock:
            return list(self._spans)

    # -- server ------------------------------------------------------------------------------
    def start(self) -> None:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.simulator = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="oogst-partner-simulator", daemon=True)
        self._thread.start()
        logger.info("partner simulator on %s: %s", self.url, ", ".join(self._partners))

    def stop(self) -> None:
        """Stop serving and release the port; a stopped simulator can be started again."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> PartnerSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:40123``."""
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoint(self, name: str) -> str:
        """The OAI-PMH base URL of partner ``name``."""
        with self._lock:
            self._partner(name)
        return f"{self.url}/{name}/oai"

    # -- the protocol ------------------------------------------------------------------------
    def _handle(self, path: str, pairs: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes] | None:
        """The HTTP response to a request; None means: drop the connection."""
        args = dict(pairs)
        image = self._image(path)
        if image is not None:
            return image
        with self._lock:
            self._log.append((path, args))
            match = re.fullmatch(r"/([^/]+)/oai/?", path)
            partner = self._partners.get(match.group(1)) if match else None
            if partner is None:
                return 404, {"Content-Type": "text/plain; charset=utf-8"}, f"no OAI-PMH endpoint at {path}\n".encode()
            identity = partner.identity
            faults = list(partner.faults)
            body = _Response(self, partner, pairs).render()
            if self.images and identity.name in self._images:
                base = self._images[identity.name][0]
                body = body.replace(base.encode(), f"{self.url}/{identity.name}/images/".encode())
        verbs = [value for key, value in pairs if key == "verb"]
        verb = verbs[0] if len(verbs) == 1 else None
        fault_args = {key: value for key, value in pairs if key != "verb"}
        for fault in faults:
            try:
                result = fault(verb, dict(fault_args), body)
            except Exception:  # noqa: BLE001 - a raising fault means "drop the connection"
                logger.debug("%s: a fault raised, dropping the connection", identity.name, exc_info=True)
                return None
            if result is not None:
                status, headers, faulty = result
                return status, dict(headers), faulty
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, body

    def _image(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        """A sample image (``/{name}/images/{file}.jpg``) when images are on; None otherwise."""
        match = re.fullmatch(r"/([^/]+)/images/([A-Za-z0-9._/-]+\.jpg)", path) if self.images else None
        if match is None or match.group(1) not in self._images or ".." in match.group(2):
            return None
        folder = self._images[match.group(1)][1]
        try:
            body = (folder / match.group(2)).read_bytes()
        except OSError:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, b"no such image\n"
        return 200, {"Content-Type": "image/jpeg", "Cache-Control": "max-age=86400"}, body


class _Response:
    """One OAI-PMH response document for one partner (built under the simulator's lock), with
    the protocol code oogst's own provider uses (:mod:`oogst.publish.oaipmh`)."""

    def __init__(self, sim: PartnerSimulator, partner: _Partner, pairs: list[tuple[str, str]]) -> None:
        self.sim = sim
        self.partner = partner
        self.identity = partner.identity
        self.pairs = pairs
        self.base_url = f"{sim.url}/{self.identity.name}/oai"

    def render(self) -> bytes:
        request = None
        try:
            request = oaipmh.parse_request(self.pairs)
            handlers = {
                "Identify": self._identify,
                "ListMetadataFormats": self._list_metadata_formats,
                "ListSets": self._list_sets,
                "ListIdentifiers": self._list_identifiers,
                "ListRecords": self._list_records,
                "GetRecord": self._get_record,
            }
            return oaipmh.response(self.base_url, request, handlers[request.verb](dict(request.args)))
        except OaiError as err:
            return oaipmh.response(self.base_url, request, error=err)

    # -- verbs (each returns the body parts after <request>) ---------------------------------
    def _identify(self, _args: dict[str, str]) -> list[bytes]:
        i = self.identity
        return [oaipmh.identify(i.repository_name, self.base_url, [i.admin_email], i.earliest_datestamp,
                                i.deleted_record, i.granularity)]

    def _list_metadata_formats(self, args: dict[str, str]) -> list[bytes]:
        if "identifier" in args and args["identifier"] not in self.partner.records:
            raise OaiError("idDoesNotExist", f"no record {args['identifier']!r}")
        i = self.identity
        element = oaipmh.metadata_format(i.metadata_prefix, i.metadata_schema, i.metadata_namespace)
        return [f"<ListMetadataFormats>{element}</ListMetadataFormats>".encode()]

    def _list_sets(self, args: dict[str, str]) -> list[bytes]:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "this repository never splits its list of sets")
        if not self.identity.sets:
            raise OaiError("noSetHierarchy", "this repository has no sets")
        parts = "".join(oaipmh.set_element(s["spec"], s["name"], s["description"]) for s in self.identity.sets)
        return [f"<ListSets>{parts}</ListSets>".encode()]

    def _get_record(self, args: dict[str, str]) -> list[bytes]:
        record = self.partner.records.get(args["identifier"])
        if record is None:
            raise OaiError("idDoesNotExist", f"no record {args['identifier']!r}")
        self._check_prefix(args["metadataPrefix"])
        return [b"<GetRecord>", record.xml, b"</GetRecord>"]

    def _list_identifiers(self, args: dict[str, str]) -> list[bytes]:
        return self._list("ListIdentifiers", args)

    def _list_records(self, args: dict[str, str]) -> list[bytes]:
        return self._list("ListRecords", args)

    def _check_prefix(self, prefix: str) -> None:
        if prefix != self.identity.metadata_prefix:
            raise OaiError("cannotDisseminateFormat",
                           f"{prefix!r} is not served here; use {self.identity.metadata_prefix!r}")

    def _window(self, start: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
        return oaipmh.date_window(start, until, self.identity.granularity)

    def _list(self, verb: str, args: dict[str, str]) -> list[bytes]:
        if "resumptionToken" in args:
            token = args["resumptionToken"]
            state = oaipmh.decode_token(token, _TOKEN_SCHEMA)
            if state["v"] != verb or state["p"] != self.identity.name:
                raise OaiError("badResumptionToken", f"the resumption token {token!r} is not for {verb} here")
            try:
                if len(state["k"]) != 2 or not all(isinstance(part, str) for part in state["k"]):
                    raise ValueError("bad key")
                last = (oaipmh.parse_datestamp(state["k"][0])[0], state["k"][1])
                start, until = self._window(state["f"], state["u"])
            except (OaiError, ValueError):
                raise OaiError("badResumptionToken", f"the resumption token {token!r} is damaged") from None
            prefix, spec = state["m"], state["s"]
        else:
            prefix, spec, last = args["metadataPrefix"], args.get("set"), None
            start, until = self._window(args.get("from"), args.get("until"))
            state = {"v": verb, "p": self.identity.name, "m": prefix, "f": args.get("from"),
                     "u": args.get("until"), "s": spec}
        self._check_prefix(prefix)
        if spec is not None and not self.identity.sets:
            raise OaiError("noSetHierarchy", "this repository has no sets")

        matching = [
            r for r in self.partner.sorted_records()
            if (spec is None or spec in r.sets)
            and (start is None or r.key[0] >= start)
            and (until is None or r.key[0] <= until)
        ]
        offset = 0 if last is None else bisect.bisect_right([r.key for r in matching], last)
        page = matching[offset:offset + self.sim.page_size]
        if not page:
            raise OaiError("noRecordsMatch", "no records match the request")

        parts = [f"<{verb}>".encode()]
        for record in page:
            if verb == "ListRecords":
                parts.append(record.xml)
            else:
                parts.append(oaipmh.header(record.identifier, record.datestamp, record.sets, record.deleted).encode())
        if offset + len(page) < len(matching):
            state["k"] = [page[-1].datestamp, page[-1].identifier]
            parts.append(oaipmh.resumption_token(oaipmh.encode_token(state), len(matching), offset).encode())
        elif last is not None:
            parts.append(oaipmh.resumption_token(None, len(matching), offset).encode())
        parts.append(f"</{verb}>".encode())
        return parts


class _Handler(BaseHTTPRequestHandler):
    server_version = "oogst-partner-simulator"

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        self._answer(split.path, parse_qsl(split.query, keep_blank_values=True))

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self._send(415, {"Content-Type": "text/plain; charset=utf-8"},
                       b"POST requests must be application/x-www-form-urlencoded\n")
            return
        self._answer(split.path, parse_qsl(body, keep_blank_values=True))

    def _answer(self, path: str, pairs: list[tuple[str, str]]) -> None:
        sim = self.server.simulator  # type: ignore[attr-defined]
        start = time.monotonic()
        try:
            response = sim._handle(path, pairs)
            if response is None:
                self.close_connection = True
                return
            self._send(*response)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a stall fault)
            self.close_connection = True
        finally:
            with sim._lock:
                sim._spans.append((start, time.monotonic(), path))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if not any(key.lower() == "content-length" for key in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server signature
        logger.debug("%s %s", self.address_string(), format % args)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m oogst.devtools.simulator``: serve the samples until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m oogst.devtools.simulator",
                                     description="Serve the sample partners over OAI-PMH on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--page-size", type=int, default=10, help="records per page (default: 10)")
    parser.add_argument("--samples", type=Path, default=None,
                        help=f"directory of partner folders (default: {DEFAULT_SAMPLES_DIR})")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sim = PartnerSimulator(options.samples, page_size=options.page_size, port=options.port)
    with sim:
        for name, info in sim.partners.items():
            print(f"{name:<16} {info['format']:<7} {info['record_count']:>5} records  {sim.endpoint(name)}",
                  flush=True)
        first = next(iter(sim.partners), None)
        if first:
            print(f"try: curl '{sim.endpoint(first)}?verb=Identify'", flush=True)
        print("Ctrl-C stops the simulator.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
