"""oogst's OAI-PMH 2.0 data provider: what Europeana's harvester pulls.

:class:`OaiProvider` answers one request — its argument list, as parsed from a query string
or a form body — with ``(status, headers, body)``, over a
:class:`~oogst.publish.oai_source.RecordSource`. All six verbs; formats ``edm``, ``oai_dc``
(every item) and ``oslo``; sets per feed and per data provider; ``from``/``until`` on the
record's change datestamp at seconds granularity; ``deletedRecord`` persistent (withdrawn
records stay as deleted headers); resumption tokens that carry the request, the position
(the last record's datestamp and identifier, so a record changed during a harvest moves to
the end instead of being skipped), ``completeListSize`` and ``cursor`` — no server state,
so they survive restarts. The protocol itself is :mod:`oogst.publish.oaipmh`.

:func:`handler_class` makes a ``http.server`` handler for it (GET and form-encoded POST),
for tests, benchmarks and ``python -m``-style serving; the API mounts the same
:meth:`OaiProvider.handle` at ``/oai``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import oaipmh
from .oai_source import FORMATS, MetadataFormat, OaiHeader, RecordSource
from .oaipmh import OaiError, Request

__all__ = ["CONTENT_TYPE", "OaiProvider", "handler_class"]

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/xml; charset=utf-8"
_TOKEN_SCHEMA = {"v": str, "r": str, "m": str, "f": (str, type(None)), "u": (str, type(None)),
                 "s": (str, type(None)), "k": list, "c": int}


class OaiProvider:
    """An OAI-PMH repository over ``source``.

    ``repository_identifier`` is the domain-like name in the items' ``oai:`` identifiers
    (the oai-identifier description of Identify); ``page_size`` records per ListRecords page
    and ``identifiers_page_size`` headers per ListIdentifiers page (Europeana's own provider
    uses 50 and 300); ``earliest_datestamp`` is what Identify says while the source is empty.
    """

    def __init__(self, source: RecordSource, *, repository_name: str, admin_emails: Sequence[str],
                 repository_identifier: str, formats: Mapping[str, MetadataFormat] = FORMATS,
                 page_size: int = 50, identifiers_page_size: int = 300,
                 earliest_datestamp: str = "2000-01-01T00:00:00Z", sample_local_id: str = "feed/record") -> None:
        if page_size < 1 or identifiers_page_size < 1:
            raise ValueError("page sizes must be at least 1")
        if not admin_emails:
            raise ValueError("Identify needs at least one admin e-mail address")
        self.source = source
        self.repository_name = repository_name
        self.admin_emails = list(admin_emails)
        self.repository_identifier = repository_identifier
        self.formats = dict(formats)
        self.page_size = page_size
        self.identifiers_page_size = identifiers_page_size
        self.earliest = earliest_datestamp
        self.sample_identifier = f"oai:{repository_identifier}:{sample_local_id}"

    def oai_identifier(self, local_id: str) -> str:
        """The OAI identifier of a record id (``feed/key``): ``oai:{repository}:{id}``."""
        return f"oai:{self.repository_identifier}:{local_id}"

    def handle(self, pairs: Iterable[tuple[str, str]], base_url: str) -> tuple[int, dict[str, str], bytes]:
        """The HTTP response to one request; ``base_url`` is the endpoint's public address."""
        request = None
        try:
            request = oaipmh.parse_request(pairs)
            verb = {"Identify": self._identify, "ListMetadataFormats": self._list_metadata_formats,
                    "ListSets": self._list_sets, "GetRecord": self._get_record,
                    "ListIdentifiers": self._list, "ListRecords": self._list}[request.verb]
            body = oaipmh.response(base_url, request, verb(request, base_url))
        except OaiError as err:
            body = oaipmh.response(base_url, request, error=err)
        return 200, {"Content-Type": CONTENT_TYPE}, body

    # -- verbs --------------------------------------------------------------------------------
    def _identify(self, request: Request, base_url: str) -> list[bytes]:
        description = oaipmh.oai_identifier_description(self.repository_identifier, self.sample_identifier)
        earliest = self.source.earliest_datestamp() or self.earliest
        return [oaipmh.identify(self.repository_name, base_url, self.admin_emails, earliest, "persistent",
                                oaipmh.SECONDS, [description])]

    def _list_metadata_formats(self, request: Request, base_url: str) -> list[bytes]:
        formats = list(self.formats.values())
        identifier = request.get("identifier")
        if identifier is not None:
            found = self.source.header(identifier)
            if found is None:
                raise OaiError("idDoesNotExist", f"no item {identifier!r} in this repository")
            if not found.deleted:
                formats = [f for f in formats if self.source.metadata(identifier, f.prefix) is not None]
            if not formats:
                raise OaiError("noMetadataFormats", f"item {identifier!r} has no metadata in any format")
        parts = "".join(oaipmh.metadata_format(f.prefix, f.schema, f.namespace) for f in formats)
        return [f"<ListMetadataFormats>{parts}</ListMetadataFormats>".encode()]

    def _list_sets(self, request: Request, base_url: str) -> list[bytes]:
        if request.get("resumptionToken") is not None:
            raise OaiError("badResumptionToken", "this repository never splits its list of sets")
        sets = self.source.sets()
        if not sets:
            raise OaiError("noSetHierarchy", "this repository has no sets yet")
        parts = "".join(oaipmh.set_element(s.spec, s.name, s.description) for s in sets)
        return [f"<ListSets>{parts}</ListSets>".encode("utf-8")]

    def _get_record(self, request: Request, base_url: str) -> list[bytes]:
        identifier, prefix = request.args["identifier"], request.args["metadataPrefix"]
        self._check_prefix(prefix)
        found = self.source.header(identifier)
        if found is None:
            raise OaiError("idDoesNotExist", f"no item {identifier!r} in this repository")
        record = self._record(found, prefix)
        if record is None:
            raise OaiError("cannotDisseminateFormat", f"item {identifier!r} has no {prefix} metadata "
                                                      "(see the feed's Europeana pre-flight report)")
        return [b"<GetRecord>", record, b"</GetRecord>"]

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in self.formats:
            raise OaiError("cannotDisseminateFormat",
                           f"{prefix!r} is not served here; use one of {', '.join(self.formats)}")

    def _record(self, found: OaiHeader, prefix: str) -> bytes | None:
        head = oaipmh.header(found.identifier, found.datestamp, found.sets, found.deleted).encode("utf-8")
        if found.deleted:
            return b"<record>" + head + b"</record>"
        metadata = self.source.metadata(found.identifier, prefix)
        if metadata is None:
            return None
        return b"<record>" + head + b"<metadata>" + metadata + b"</metadata></record>"

    def _list(self, request: Request, base_url: str) -> list[bytes]:
        verb = request.verb
        token = request.get("resumptionToken")
        if token is not None:
            state = oaipmh.decode_token(token, _TOKEN_SCHEMA)
            if state["v"] != verb or state["r"] != self.repository_identifier:
                raise OaiError("badResumptionToken", f"the resumption token is not for {verb} here")
            key = state["k"]
            if len(key) != 2 or not all(isinstance(part, str) for part in key) or state["c"] < 0:
                raise OaiError("badResumptionToken", "the resumption token is damaged")
            try:
                start, until = oaipmh.date_window(state["f"], state["u"])
            except OaiError:
                raise OaiError("badResumptionToken", "the resumption token is damaged") from None
            prefix, spec, after, cursor = state["m"], state["s"], (key[0], key[1]), state["c"]
        else:
            prefix, spec, after, cursor = request.args["metadataPrefix"], request.get("set"), None, 0
            start, until = oaipmh.date_window(request.get("from"), request.get("until"))
            state = {"v": verb, "r": self.repository_identifier, "m": prefix, "f": request.get("from"),
                     "u": request.get("until"), "s": spec}
        self._check_prefix(prefix)
        if spec is not None and not self.source.sets():
            raise OaiError("noSetHierarchy", "this repository has no sets yet")
        low = oaipmh.format_datestamp(start) if start else None
        high = oaipmh.format_datestamp(until) if until else None
        size = self.page_size if verb == "ListRecords" else self.identifiers_page_size
        page = list(self.source.headers(prefix, low, high, spec, after, size + 1))
        more = len(page) > size
        page = page[:size]
        if not page:
            raise OaiError("noRecordsMatch", "no records match the request")
        parts = [f"<{verb}>".encode()]
        for found in page:
            if verb == "ListIdentifiers":
                parts.append(oaipmh.header(found.identifier, found.datestamp, found.sets, found.deleted).encode())
                continue
            record = self._record(found, prefix)
            if record is None:  # changed between listing and rendering: it comes back with its next datestamp
                logger.warning("%s has no %s metadata any more; left out of this page", found.identifier, prefix)
                continue
            parts.append(record)
        if more or token is not None:
            total = self.source.count(prefix, low, high, spec)
            next_token = None
            if more:
                last = page[-1]
                next_token = oaipmh.encode_token({**state, "k": [last.datestamp, last.identifier],
                                                  "c": cursor + len(page)})
            parts.append(oaipmh.resumption_token(next_token, max(total, cursor + len(page)), cursor).encode())
        parts.append(f"</{verb}>".encode())
        return parts


def handler_class(provider: OaiProvider, path: str = "/oai") -> type[BaseHTTPRequestHandler]:
    """A ``http.server`` handler that serves ``provider`` at ``path`` (GET, form POST)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "oogst-oai"
        protocol_version = "HTTP/1.1"  # keep-alive, as harvesters use it
        disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            split = urlsplit(self.path)
            self._answer(split.path, parse_qsl(split.query, keep_blank_values=True))

        def do_POST(self) -> None:  # noqa: N802
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind != "application/x-www-form-urlencoded":
                self._send(415, {"Content-Type": "text/plain; charset=utf-8"},
                           b"OAI-PMH POST requests are application/x-www-form-urlencoded\n")
                return
            self._answer(split.path, parse_qsl(body, keep_blank_values=True))

        def _answer(self, where: str, pairs: list[tuple[str, str]]) -> None:
            if where.rstrip("/") != path:
                self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n")
                return
            host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
            self._send(*provider.handle(pairs, f"http://{host}{path}"))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            logger.debug("%s %s", self.address_string(), format % args)

    return Handler
