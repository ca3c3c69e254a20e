"""OAI-PMH 2.0 harvesting: ``Identify``, ``ListMetadataFormats``, ``ListSets``, ``ListRecords``,
and ``ListIdentifiers`` + ``GetRecord`` as the fallback.

One run reads one *window* (``from`` = the previous run's server ``responseDate`` minus an
overlap, truncated to the granularity that ``Identify`` announces; no ``from`` in a full run)
page by page with the polite, retrying :class:`HttpClient`. After each page it yields the
page's records and then a :class:`Checkpoint` with the resumption token, so that the
pipeline can store the records before it saves the token. Memory holds one page.

Damaged pages. A page is first parsed strictly (fast, in C). When that fails, the page is
cut into its ``<record>`` spans at the byte level (any namespace prefix, nested ``record``
elements of other vocabularies counted) and every span is parsed on its own, in the
namespace context of the page: the good records come through unchanged (byte-identical to
what a clean page gives), a bad one is yielded verbatim with the parser's message in
``SourceRecord.error`` (the pipeline quarantines it and archives the bytes). lxml's
``recover=True`` is never used: it silently repairs. When the end of the page cannot be
trusted (truncated: the rest of the page and its resumption token are gone), the page is
asked once more; if it is still broken, the harvester switches the window to
``ListIdentifiers`` + ``GetRecord``, one record at a time, skipping what this run already
stored (``seen_in_run``, set by the pipeline). The same fallback handles a token loop.
Why both: byte-level splitting keeps every good record of a page whose end is intact, at
the cost of one page; the per-record fallback is slow, but it is the only way to reach the
records behind a page whose token is lost, and it isolates a record that breaks the
server's serialiser (the way Europeana's harvester works).

Other faults: ``noRecordsMatch`` is an empty success; ``badResumptionToken`` (an expired
token, e.g. on resume) restarts the window from its ``from`` (records already stored are
skipped by their unchanged hash); ``cannotDisseminateFormat``, ``badArgument``,
``noSetHierarchy`` and ``badVerb`` raise :class:`ConfigError` naming the feed, with the
formats or sets the server does offer; a repeated resumption token is a loop; an empty page
with a token is followed (up to ``MAX_EMPTY_PAGES`` in a row); a missing or non-numeric
``completeListSize`` is ignored; ``YYYYMMDD`` and other non-ISO datestamps are read as ISO
dates; an error response with a leading blank line or a stylesheet PI parses.

Everything noteworthy becomes a *note* (``{"code", "message", …}``) in the next
checkpoint's ``info["notes"]``; the pipeline keeps them in the run's report. Codes:
``identify``, ``deleted-records``, ``no-records-match``, ``damaged-page``, ``damaged-record``,
``unidentified-record``, ``truncated-page``, ``fallback``, ``token-expired``, ``token-loop``,
``empty-page``, ``complete-list-size``, ``datestamp``, ``record-vanished``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar


from ..errors import ConfigError, FatalHarvestError, HarvestError
from ..records import Checkpoint, Cursor, Feed, SourceRecord, WindowCursor
from .http import HttpClient
from .oai_pages import DAY, ISO_DATE, OAI_TAG, SECONDS, Item, Page, guess_token, normalize_datestamp, oai_from, parse_page

log = logging.getLogger(__name__)

# Errors that mean "the feed is configured wrong": retrying will not help.
CONFIG_ERRORS = {"cannotDisseminateFormat", "badArgument", "badVerb", "noSetHierarchy"}
MAX_RESTARTS = 3  # badResumptionToken restarts of one window, per run
MAX_EMPTY_PAGES = 100  # empty pages with a token in a row before the chain counts as a loop

__all__ = ["DAY", "SECONDS", "OaiPmhHarvester", "normalize_datestamp", "oai_from", "parse_page"]

class _ReadAhead:
    """At most one request ahead of the parser: the next page of a list is fetched while this
    one is parsed and its records are stored (the host gate still allows one request at a
    time). It asks with the token the page seems to end with; if parsing finds another, the
    guess is dropped."""

    def __init__(self, fetch: Callable[[dict[str, str]], bytes]) -> None:
        self._fetch = fetch
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: tuple[dict[str, str], Future[bytes]] | None = None

    def get(self, params: dict[str, str]) -> bytes:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == params:
            return ahead[1].result()
        return self._fetch(params)

    def start(self, params: dict[str, str]) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oai-read-ahead")
        self._ahead = (params, self._pool.submit(self._fetch, params))

    def drop(self) -> None:
        self._ahead = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


# -- the harvester -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Identity:
    """What ``Identify`` says; ``granularity`` is DAY when the answer was unusable."""

    repository_name: str
    granularity: str
    earliest_datestamp: str | None
    deleted_record: str  # no | transient | persistent
    problem: str | None = None


def _note(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


class OaiPmhHarvester:
    protocol: ClassVar[str] = "oai-pmh"
    OPTIONS: ClassVar[dict[str, str]] = {
        "metadata_prefix": "the metadataPrefix to ask for, when it differs from the format's usual one "
                           "(e.g. oai_lido)",
    }
    Cursor: ClassVar[type[Cursor]] = WindowCursor

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: object | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None:
        self.feed = feed
        self.http = http
        self.metadata_prefix = feed.options.get("metadata_prefix") or feed.format
        # Which of these identifiers this run has stored already (given by the pipeline). The
        # ListIdentifiers fallback fetches only the others; without it, it fetches all.
        self.seen_in_run = seen_in_run
        self._identity: Identity | None = None

    # -- single requests ---------------------------------------------------------------------
    def _fetch(self, params: dict[str, str]) -> bytes:
        return self.http.get(self.feed.url, params=params, feed=self.feed.name).content

    def _page(self, params: dict[str, str], verb: str, content: bytes | None = None) -> Page:
        """Parse ``content`` (or fetch it); a page that breaks off is asked once more."""
        page = parse_page(self._fetch(params) if content is None else content, verb)
        if page.broken and page.error is None:
            log.info("%s: %s; asking once more", self.feed.name, page.broken)
            page = parse_page(self._fetch(params), verb)
        return page

    def _document(self, params: dict[str, str]) -> Page:
        """A response that must be well-formed (Identify, ListMetadataFormats, ListSets)."""
        page = self._page(params, params["verb"])
        if page.root is None and page.error is None:
            raise FatalHarvestError(f"the {params['verb']} response is not well-formed XML: {page.damage}",
                                    feed=self.feed.name, url=self.feed.url)
        return page

    def identify(self) -> Identity:
        """Granularity, earliest datestamp and deletion policy (asked once per harvester)."""
        if self._identity is None:
            try:
                page = self._document({"verb": "Identify"})
                if page.error:
                    raise FatalHarvestError(f"Identify answers {page.error[0]}: {page.error[1]}")
                ident = page.root.find(f"{OAI_TAG}Identify")
                if ident is None:
                    raise FatalHarvestError("the Identify response holds no <Identify>")
                granularity = (ident.findtext(f"{OAI_TAG}granularity") or "").strip()
                self._identity = Identity(
                    repository_name=(ident.findtext(f"{OAI_TAG}repositoryName") or "").strip(),
                    granularity=SECONDS if granularity == SECONDS else DAY,
                    earliest_datestamp=normalize_datestamp(ident.findtext(f"{OAI_TAG}earliestDatestamp")),
                    deleted_record=(ident.findtext(f"{OAI_TAG}deletedRecord") or "").strip() or "no",
                    problem=None if granularity in (DAY, SECONDS) else f"unknown granularity {granularity!r}")
            except FatalHarvestError as exc:
                # Every server supports day granularity; carry on with it.
                self._identity = Identity("", DAY, None, "no", problem=exc.message)
        return self._identity

    def list_metadata_formats(self, identifier: str | None = None) -> list[dict[str, str]]:
        params = {"verb": "ListMetadataFormats", **({"identifier": identifier} if identifier else {})}
        page = self._document(params)
        if page.error:
            self._raise(page.error, params)
        return [{"prefix": (f.findtext(f"{OAI_TAG}metadataPrefix") or "").strip(),
                 "schema": (f.findtext(f"{OAI_TAG}schema") or "").strip(),
                 "namespace": (f.findtext(f"{OAI_TAG}metadataNamespace") or "").strip()}
                for f in page.root.iter(f"{OAI_TAG}metadataFormat")]

    def list_sets(self) -> list[dict[str, str]]:
        params: dict[str, str] = {"verb": "ListSets"}
        sets: list[dict[str, str]] = []
        seen: set[str] = set()
        while True:
            page = self._document(params)
            if page.error:
                if page.error[0] == "noSetHierarchy":
                    return []
                self._raise(page.error, params)
            sets += [{"spec": (s.findtext(f"{OAI_TAG}setSpec") or "").strip(),
                      "name": (s.findtext(f"{OAI_TAG}setName") or "").strip()} for s in page.root.iter(f"{OAI_TAG}set")]
            token = page.root.findtext(f"{OAI_TAG}ListSets/{OAI_TAG}resumptionToken")
            token = (token or "").strip()
            if not token or token in seen:
                return sets
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}

    def get_record(self, identifier: str) -> SourceRecord | None:
        """One record; None when the server no longer has it (idDoesNotExist)."""
        params = {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": self.metadata_prefix}
        page = self._page(params, "GetRecord")
        if page.error:
            if page.error[0] == "idDoesNotExist":
                return None
            self._raise(page.error, params)
        if not page.items:
            raise FatalHarvestError(f"GetRecord gave no record: {page.broken or page.damage}",
                                    feed=self.feed.name, record=identifier, url=self.feed.url)
        return self._record(page.items[0], {})

    def _raise(self, error: tuple[str, str], params: dict[str, str]) -> None:
        code, text = error
        feed = self.feed.name
        if code in CONFIG_ERRORS:
            raise ConfigError(f"the server answers {code} to {params.get('verb')}: {text or 'no details'}",
                              feed=feed, url=self.feed.url, hint=self._hint(code))
        raise FatalHarvestError(f"the server answers {code} to {params.get('verb')}: {text or 'no details'}",
                                feed=feed, url=self.feed.url)

    def _hint(self, code: str) -> str:
        """What to change, with what the server offers (best effort: asks the server)."""
        try:
            if code == "cannotDisseminateFormat":
                offered = ", ".join(f["prefix"] for f in self.list_metadata_formats()) or "none"
                return (f"the server does not serve metadataPrefix {self.metadata_prefix!r}; it offers: {offered} "
                        f"(register the feed again with --metadata-prefix)")
            if code == "noSetHierarchy":
                return f"the server has no sets: register the feed without --set (now {self.feed.set_spec!r})"
            if self.feed.set_spec:
                specs = [s["spec"] for s in self.list_sets()]
                if self.feed.set_spec not in specs:
                    return (f"the server has no set {self.feed.set_spec!r}; it has: "
                            f"{', '.join(specs[:20]) or 'none'}{' …' if len(specs) > 20 else ''}")
        except (HarvestError, ConfigError) as exc:
            log.debug("%s: no hint: %s", self.feed.name, exc)
        return (f"check the metadata prefix ({self.metadata_prefix!r}) and the set ({self.feed.set_spec!r}) "
                f"against the server's ListMetadataFormats and ListSets")

    # -- one record from one item ------------------------------------------------------------
    def _record(self, item: Item, stats: dict[str, Any]) -> SourceRecord:
        datestamp = item.datestamp
        if datestamp is not None and not ISO_DATE.fullmatch(datestamp):
            iso = normalize_datestamp(datestamp)
            if iso != datestamp:
                stats.setdefault("datestamps", [0, datestamp, iso])[0] += 1
                datestamp = iso or datestamp
        return SourceRecord(feed=self.feed.name, source_id=item.identifier, datestamp=datestamp,
                            payload=item.payload, format=self.feed.format, deleted=item.deleted,
                            sets=item.sets, error=item.error)

    # -- the harvest -------------------------------------------------------------------------
    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]:
        """Yield the window's records and, after each page, a checkpoint (see the module doc).
        ``cursor`` is a :class:`WindowCursor` (or its date): ask only for what changed since."""
        window_from = cursor.since if isinstance(cursor, WindowCursor) else cursor or None
        notes: list[dict[str, Any]] = []
        stats: dict[str, Any] = {}
        identity = self.identify()
        if identity.problem:
            notes.append(_note("identify", f"Identify is unusable ({identity.problem}); "
                                           f"using day granularity for 'from'"))
        if checkpoint is not None:
            window_from = checkpoint.window_from
            response_date = checkpoint.response_date
            verb = checkpoint.info.get("verb", "ListRecords")
            token = checkpoint.token
            restarts = int(checkpoint.info.get("restarts", 0))
        else:
            response_date, verb, token, restarts = None, "ListRecords", None, 0
        if window_from and identity.deleted_record != "persistent":
            notes.append(_note("deleted-records", f"the server keeps deleted records {identity.deleted_record!r} "
                                                  f"(deletedRecord): deletions may show only in a --full run"))
        first = {"metadataPrefix": self.metadata_prefix}
        start = oai_from(window_from, identity.granularity) if window_from else None
        if start and not (identity.earliest_datestamp and start < identity.earliest_datestamp[:len(start)]):
            first["from"] = start
        if self.feed.set_spec:
            first["set"] = self.feed.set_spec

        reader = _ReadAhead(self._fetch)
        try:
            yield from self._pages(reader, first, verb, token, window_from, response_date, restarts, notes, stats)
        finally:
            reader.close()

    def _pages(self, reader: _ReadAhead, first: dict[str, str], verb: str, token: str | None,
               window_from: str | None, response_date: str | None, restarts: int, notes: list[dict[str, Any]],
               stats: dict[str, Any]) -> Iterator[SourceRecord | Checkpoint]:
        feed = self.feed.name

        def mark(**info: Any) -> Checkpoint:
            out = {"verb": verb, "restarts": restarts, **info}
            if notes:
                out["notes"] = notes.copy()
                notes.clear()
            complete = bool(info.get("complete"))
            return Checkpoint(token or None, window_from, response_date, complete=complete,
                              info={k: v for k, v in out.items() if k != "complete"},
                              cursor=WindowCursor(response_date) if complete and response_date else None)

        seen_tokens: set[str] = set()
        empty_pages = 0
        while True:
            params = {"verb": verb, "resumptionToken": token} if token else {"verb": verb, **first}
            content = reader.get(params)
            guess = guess_token(content)
            if guess and guess != token and guess not in seen_tokens:
                reader.start({"verb": verb, "resumptionToken": guess})
            page = self._page(params, verb, content)
            response_date = response_date or normalize_datestamp(page.response_date) or page.response_date
            if page.error:
                code, text = page.error
                if code == "noRecordsMatch":
                    if not token:
                        notes.append(_note("no-records-match", "noRecordsMatch: nothing in the window"
                                           + (f" from {first['from']}" if "from" in first else "")))
                    token = None
                    self._finish_notes(notes, stats)
                    yield mark(complete=True)
                    return
                if code == "badResumptionToken" and token:
                    restarts += 1
                    if restarts > MAX_RESTARTS:
                        raise FatalHarvestError(f"the server refused a resumption token {restarts} times "
                                                f"(badResumptionToken: {text})", feed=feed, url=self.feed.url)
                    notes.append(_note("token-expired", f"the server refused resumption token {token!r} "
                                                        f"(badResumptionToken: {text or 'no details'}); "
                                                        f"the window was restarted"
                                                        + (f" from {first['from']}" if "from" in first else "")))
                    token = None
                    seen_tokens.clear()
                    yield mark()
                    continue
                self._raise(page.error, params)
            if page.damage:
                damaged = sum(1 for i in page.items if i.error)
                notes.append(_note("damaged-page", f"a {verb} page is not well-formed XML ({page.damage}); "
                                   f"{len(page.items) - damaged} good and {damaged} damaged record(s) read from it",
                                   token=token))
            if page.broken and verb == "ListRecords":
                # the rest of this page and its token are out of reach: keep what was read
                # (except an item cut off by the break, which the fallback fetches whole)
                for item in page.items:
                    yield from self._yield_item(item, notes, stats)
                notes.append(_note("truncated-page", f"{page.broken}; switching to ListIdentifiers + GetRecord "
                                                     f"for the rest of the window", token=token))
                verb, token = "ListIdentifiers", None
                seen_tokens.clear()
                yield mark()
                continue
            if page.broken:
                raise FatalHarvestError(f"the {verb} fallback cannot go on: {page.broken}",
                                        feed=feed, url=self.feed.url)
            if verb == "ListRecords":
                for item in page.items:
                    yield from self._yield_item(item, notes, stats)
            else:
                yield from self._fetch_one_by_one(page.items, notes, stats)
            size = page.complete_list_size
            if size is not None and not size.strip().isdigit() and "complete-list-size" not in stats:
                stats["complete-list-size"] = True
                notes.append(_note("complete-list-size", f"completeListSize {size!r} is not a number; ignored"))
            next_token = (page.token or "").strip()
            if next_token != guess:
                reader.drop()
            if not next_token:
                token = None
                self._finish_notes(notes, stats)
                yield mark(complete=True)
                return
            empty_pages = 0 if page.items else empty_pages + 1
            if empty_pages == 1:
                notes.append(_note("empty-page", f"a {verb} page holds no records but a resumption token; "
                                                 f"followed it", token=next_token))
            if next_token in seen_tokens or next_token == token or empty_pages > MAX_EMPTY_PAGES:
                why = (f"{empty_pages} empty pages in a row" if empty_pages > MAX_EMPTY_PAGES
                       else f"the server repeats resumption token {next_token!r}")
                if verb != "ListRecords":
                    raise FatalHarvestError(f"{why} in the ListIdentifiers fallback as well (a loop)",
                                            feed=feed, url=self.feed.url)
                notes.append(_note("token-loop", f"{why} (a loop); switching to ListIdentifiers + GetRecord "
                                                 f"for the rest of the window"))
                verb, token = "ListIdentifiers", None
                seen_tokens.clear()
                empty_pages = 0
                yield mark()
                continue
            seen_tokens.add(next_token)
            token = next_token
            yield mark(completeListSize=int(size) if size and size.strip().isdigit() else None)

    def _yield_item(self, item: Item, notes: list[dict[str, Any]], stats: dict[str, Any]) -> Iterator[SourceRecord]:
        if item.error:
            code = "unidentified-record" if item.identifier.startswith("unidentified:") else "damaged-record"
            notes.append(_note(code, item.error, record=item.identifier))
        yield self._record(item, stats)

    def _fetch_one_by_one(self, headers: list[Item], notes: list[dict[str, Any]],
                          stats: dict[str, Any]) -> Iterator[SourceRecord]:
        """The fallback: deleted headers as they are, the other records by GetRecord."""
        live = [h.identifier for h in headers if not h.deleted and not h.error]
        done = self.seen_in_run(live) if self.seen_in_run and live else set()
        for header in headers:
            if header.deleted or header.error:
                yield from self._yield_item(header, notes, stats)
            elif header.identifier not in done:
                record = self.get_record(header.identifier)
                if record is None:
                    notes.append(_note("record-vanished", "listed, but GetRecord answers idDoesNotExist",
                                       record=header.identifier))
                    continue
                if record.error:
                    notes.append(_note("damaged-record", record.error, record=record.source_id))
                yield record

    @staticmethod
    def _finish_notes(notes: list[dict[str, Any]], stats: dict[str, Any]) -> None:
        if "datestamps" in stats:
            count, example, iso = stats["datestamps"]
            notes.append(_note("datestamp", f"{count} datestamp(s) were not in the ISO form, e.g. {example!r}"
                                            + (f", read as {iso}" if iso else " (kept as sent)")))
