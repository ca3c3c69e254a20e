"""OAI-PMH 2.0 harvesting with ``ListRecords``, page by page.

Each page is fetched with the polite, retrying :class:`HttpClient`, parsed with lxml and
turned into :class:`SourceRecord` values; then a :class:`Checkpoint` carrying the page's
resumption token follows. Memory holds one page at a time, whatever the feed's size.

Incremental harvests pass ``from``; the server's ``responseDate`` of the first page of a run
is carried in every checkpoint, so that the next run can start from the server's clock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from lxml import etree

from ..errors import ConfigError, FatalHarvestError
from ..records import Checkpoint, Feed, SourceRecord
from .http import HttpClient

log = logging.getLogger(__name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}

_records = etree.XPath("/oai:OAI-PMH/oai:ListRecords/oai:record", namespaces=NS)
_token = etree.XPath("/oai:OAI-PMH/oai:ListRecords/oai:resumptionToken", namespaces=NS)
_errors = etree.XPath("/oai:OAI-PMH/oai:error", namespaces=NS)
_response_date = etree.XPath("string(/oai:OAI-PMH/oai:responseDate)", namespaces=NS, smart_strings=False)
_header_id = etree.XPath("string(oai:header/oai:identifier)", namespaces=NS, smart_strings=False)
_header_date = etree.XPath("string(oai:header/oai:datestamp)", namespaces=NS, smart_strings=False)
_header_sets = etree.XPath("oai:header/oai:setSpec/text()", namespaces=NS, smart_strings=False)
_header_status = etree.XPath("string(oai:header/@status)", namespaces=NS, smart_strings=False)

# Errors that mean "the feed is configured wrong": retrying will not help.
CONFIG_ERRORS = {"cannotDisseminateFormat", "badArgument", "badVerb", "noSetHierarchy", "idDoesNotExist"}


def _parser() -> etree.XMLParser:
    # No recovery: damaged XML must be reported, never silently "repaired".
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


class OaiPmhHarvester:
    protocol = "oai-pmh"

    def __init__(self, feed: Feed, http: HttpClient) -> None:
        self.feed = feed
        self.http = http
        self.metadata_prefix = feed.config.get("metadata_prefix") or feed.format

    def _fetch(self, params: dict[str, str]) -> etree._Element:
        resp = self.http.get(self.feed.url, params=params, feed=self.feed.name)
        try:
            return etree.fromstring(resp.content, _parser())
        except etree.XMLSyntaxError as exc:
            raise FatalHarvestError(
                f"the OAI-PMH response is not well-formed XML: {exc}", feed=self.feed.name, url=resp.url
            ) from exc

    def records(self, checkpoint: Checkpoint | None, window_from: str | None) -> Iterator[SourceRecord | Checkpoint]:
        feed = self.feed.name
        if checkpoint is not None and checkpoint.token:
            params = {"verb": "ListRecords", "resumptionToken": checkpoint.token}
            window_from = checkpoint.window_from
            first_response_date = checkpoint.response_date
        else:
            params = {"verb": "ListRecords", "metadataPrefix": self.metadata_prefix}
            if window_from:
                params["from"] = window_from
            if self.feed.set_spec:
                params["set"] = self.feed.set_spec
            first_response_date = None
        seen_tokens: set[str] = set()
        while True:
            root = self._fetch(params)
            response_date = _response_date(root) or None
            first_response_date = first_response_date or response_date
            errors = _errors(root)
            if errors:
                code = errors[0].get("code", "")
                text = (errors[0].text or "").strip()
                if code == "noRecordsMatch":
                    yield Checkpoint(None, window_from, first_response_date, complete=True)
                    return
                if code in CONFIG_ERRORS:
                    raise ConfigError(
                        f"the server answers {code}: {text or 'no details'}", feed=feed, url=self.feed.url,
                        hint=f"check --format/metadataPrefix ({self.metadata_prefix!r}) and --set "
                             f"({self.feed.set_spec!r}) against the server's ListMetadataFormats/ListSets")
                raise FatalHarvestError(f"the server answers {code}: {text}", feed=feed, url=self.feed.url)
            for rec in _records(root):
                source_id = _header_id(rec).strip()
                if not source_id:
                    log.warning("%s: a record without header identifier was skipped", feed)
                    continue
                deleted = _header_status(rec) == "deleted"
                yield SourceRecord(
                    feed=feed,
                    source_id=source_id,
                    datestamp=_header_date(rec).strip() or None,
                    payload=etree.tostring(rec, encoding="utf-8"),
                    format=self.feed.format,
                    deleted=deleted,
                    sets=tuple(s.strip() for s in _header_sets(rec)),
                )
            tokens = _token(root)
            token = (tokens[0].text or "").strip() if tokens else ""
            del root
            if not token:
                yield Checkpoint(None, window_from, first_response_date, complete=True)
                return
            if token in seen_tokens:
                raise FatalHarvestError(f"the server repeats resumption token {token!r} (a loop)",
                                        feed=feed, url=self.feed.url)
            seen_tokens.add(token)
            yield Checkpoint(token, window_from, first_response_date,
                             info={"completeListSize": tokens[0].get("completeListSize")})
            params = {"verb": "ListRecords", "resumptionToken": token}
