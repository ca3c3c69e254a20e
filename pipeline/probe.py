"""Probe a URL live: what kind of source is it, and how would oogst harvest it?

:func:`probe` asks the address once or a few times, with short timeouts and without
retries (a person is waiting), and recognises:

- **OAI-PMH**: ``Identify`` (repository name, granularity, earliest datestamp),
  ``ListMetadataFormats`` (each prefix with the oogst format that maps it: ``oai_lido`` and
  ``lido`` → ``lido``, ``oai_dc`` → ``oai_dc``, EDM → ``edm``) and ``ListSets``;
- an **LDES** (a JSON-LD page with a TREE view, relations or members);
- a **JSON API** (JSON holding a list of records).

Whatever goes wrong comes back as a :class:`Probe` with a ``problem`` code and a plain
explanation in Dutch and English, never an exception: an address that is not http(s), a
name that does not resolve, a private network address (refused unless the setting
``allowed_private_networks`` lets it through), a refused connection, a timeout, an HTTP
error, or an answer that is none of the above.
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from .. import mapping as mapping_registry
from ..records import split_credentials
from ..errors import FatalHarvestError, HarvestError, OogstError, TransientHarvestError
from ..harvest.http import HttpClient, HttpPolicy
from ..harvest.policy import BlockedAddressError, Outbound, literal_address

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_VERBS = {"verb", "metadataPrefix", "set", "from", "until", "resumptionToken", "identifier"}
MAX_SETS = 500
# namespace or prefix → the oogst format that maps it (the first match wins)
FORMAT_HINTS = (
    ("lido", "lido"), ("oai_dc", "oai_dc"), ("dc", "oai_dc"), ("edm", "edm"), ("europeana", "edm"),
    ("oslo", "oslo-jsonld"),
)
PREFERRED = ("lido", "edm", "oai_dc")  # the richest format a server offers is the default


@dataclass
class Probe:
    """What a URL turned out to be."""

    url: str
    protocol: str | None = None  # a harvester registry key: oai-pmh | ldes | json-api
    problem: str | None = None  # bad-url | dns | private | refused | timeout | http | not-a-feed | oai-error
    message_nl: str = ""
    message_en: str = ""
    name: str | None = None  # the repository's own name
    formats: list[dict[str, Any]] = field(default_factory=list)  # prefix, schema, namespace, format
    sets: list[dict[str, str]] = field(default_factory=list)  # spec, name
    format: str | None = None  # the suggested oogst format
    prefix: str | None = None  # the suggested metadataPrefix
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "protocol": self.protocol, "ok": self.ok, "problem": self.problem,
                "message": {"nl": self.message_nl, "en": self.message_en}, "name": self.name,
                "formats": self.formats, "sets": self.sets, "format": self.format, "prefix": self.prefix,
                "details": self.details}


def _fail(url: str, problem: str, nl: str, en: str) -> Probe:
    return Probe(url, problem=problem, message_nl=nl, message_en=en)


def format_for(prefix: str, namespace: str = "", schema: str = "") -> str | None:
    """The oogst format that maps a metadataPrefix (by its name, namespace or schema)."""
    known = set(mapping_registry.formats())
    for text in (prefix.lower(), namespace.lower(), schema.lower()):
        for hint, fmt in FORMAT_HINTS:
            if fmt in known and (text == hint or text.startswith(hint + "_") or text.endswith("_" + hint)
                                 or f"/{hint}" in text or f"{hint}." in text or text == f"oai_{hint}"):
                return fmt
    return None


def base_url(url: str) -> str:
    """The URL without OAI-PMH arguments (a pasted ``…?verb=Identify`` is fine)."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in OAI_VERBS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _address_problem(core: Oogst, url: str) -> Probe | None:
    """Refuse what the outbound policy refuses (harvest/policy.py), before anything is sent;
    the policy checks the address again when it connects."""
    outbound = Outbound.from_settings(core.settings)
    problem = outbound.url_problem(url)
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - a bad IPv6 literal raises here
    except ValueError:
        parts = urlsplit("")
    if problem and (parts.scheme not in ("http", "https") or not parts.hostname):
        return _fail(url, "bad-url", "Dit is geen webadres. Geef het volledige adres, beginnend met https://.",
                     "This is not a web address. Give the full address, starting with https://.")
    if problem and (parts.username or parts.password):
        return _fail(url, "bad-url", "Het adres bevat een gebruikersnaam of wachtwoord. oogst bewaart geen "
                     "wachtwoorden in adressen: geef een open adres.", "The address holds a user name or password. "
                     "oogst keeps no passwords in addresses: give an open address.")
    if problem and literal_address(parts.hostname or "") is None:
        return _fail(url, "bad-url", "Dit adres kan oogst niet gebruiken: kijk de naam van de server en de poort na.",
                     f"oogst cannot use this address: {problem}.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = [] if problem else socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return _fail(url, "dns", f"De naam {parts.hostname} bestaat niet of is nu niet te vinden. Kijk het adres na.",
                     f"The name {parts.hostname} does not exist or cannot be found now. Check the address.")
    refused = [str(info[4][0]) for info in infos if not outbound.address_allowed(str(info[4][0]))]
    if problem or refused:
        address = refused[0] if refused else literal_address(parts.hostname or "")
        return _fail(url, "private",
                     f"{parts.hostname} ligt op een intern of privé-netwerk ({address}). oogst haalt daar niets "
                     "op, tenzij de beheerder dat netwerk toelaat (instelling allowed_private_networks).",
                     f"{parts.hostname} is on an internal or private network ({address}). oogst fetches nothing "
                     "there unless the operator allows that network (setting allowed_private_networks).")
    return None


def _explain(url: str, exc: OogstError) -> Probe:
    """A harvest error in plain words."""
    text = exc.message
    if isinstance(exc, BlockedAddressError):  # the outbound policy (harvest/policy.py)
        return _fail(url, "private", "oogst mag dit adres niet bevragen: het ligt op een intern of privé-netwerk, "
                     "of de server stuurt door naar een andere host.", f"oogst may not fetch this address: {text}")
    if isinstance(exc, TransientHarvestError) and "timed out" in text:
        return _fail(url, "timeout", "De server antwoordde niet op tijd. Probeer het later opnieuw, of vraag uw "
                     "leverancier of de server werkt.", "The server did not answer in time. Try again later, or ask "
                     "your supplier whether the server is working.")
    if isinstance(exc, TransientHarvestError) and text.startswith("HTTP"):
        return _fail(url, "http", f"De server gaf een fout ({text}). Probeer het later opnieuw.",
                     f"The server answered with an error ({text}). Try again later.")
    if isinstance(exc, TransientHarvestError):
        return _fail(url, "refused", "De server is niet bereikbaar: er kwam geen verbinding tot stand. Kijk het "
                     "adres na.", "The server cannot be reached: no connection could be made. Check the address.")
    if isinstance(exc, FatalHarvestError) and text.startswith("HTTP"):
        return _fail(url, "http", f"De server weigerde de vraag ({text}). Kijk het adres na: klopt het pad?",
                     f"The server refused the request ({text}). Check the address: is the path right?")
    return _fail(url, "refused", f"Dit adres kon niet bevraagd worden: {text}",
                 f"This address could not be fetched: {text}")


def _parse(content: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(content.lstrip(b"\xef\xbb\xbf \r\n\t"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def probe(core: Oogst, url: str, auth: tuple[str, str] | None = None) -> Probe:
    """Probe ``url`` live (see the module's docstring); a user name and password in it (or
    ``auth``) go with the requests to that host, and are never repeated in the answer."""
    url, inline = split_credentials(url.strip()) if url else (url, None)
    auth = auth or inline
    try:
        url = base_url(url) if url else ""
    except ValueError:  # e.g. a broken IPv6 literal: _address_problem says it is no web address
        pass
    refused = _address_problem(core, url)
    if refused is not None:
        return refused
    settings = core.settings
    policy = replace(HttpPolicy.from_settings(settings), retries=1,
                     connect_timeout=min(settings.http_connect_timeout, 5.0),
                     read_timeout=min(settings.http_read_timeout, 20.0))
    http = HttpClient(policy)
    http.session.auth = auth  # requests drops it on a redirect to another host
    try:
        return _probe(http, url)
    except HarvestError as exc:
        log.info("probe of %s: %s", url, exc)
        return _explain(url, exc)
    finally:
        http.session.close()


def _probe(http: HttpClient, url: str) -> Probe:
    refused: FatalHarvestError | None = None
    try:
        root = _parse(http.get(url, {"verb": "Identify"}).content)
    except FatalHarvestError as exc:  # 4xx to an OAI-PMH question: maybe something else is there
        if not exc.message.startswith("HTTP"):
            raise
        root, refused = None, exc
    if root is not None and root.tag == f"{OAI}OAI-PMH":
        return _oai(http, url, root)
    try:
        plain = http.get(url, headers={"Accept": "application/ld+json, application/json;q=0.9, */*;q=0.1"})
    except FatalHarvestError:
        if refused is not None:
            raise refused from None
        raise
    try:
        data = json.loads(plain.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    if data is not None:
        return _json(url, data)
    return _fail(url, "not-a-feed",
                 "Op dit adres staat geen OAI-PMH-, LDES- of JSON-bron: het antwoord is een gewone webpagina of iets "
                 "anders. Vraag uw collectiebeheerssysteem of leverancier naar het OAI-PMH-adres (vaak eindigend op "
                 "/oai).", "There is no OAI-PMH, LDES or JSON source at this address: the answer is an ordinary web "
                 "page or something else. Ask your collection system's supplier for the OAI-PMH address (it often "
                 "ends in /oai).")


def _oai(http: HttpClient, url: str, identify: etree._Element) -> Probe:
    error = identify.find(f"{OAI}error")
    if error is not None:
        code = error.get("code", "")
        return _fail(url, "oai-error", f"De OAI-PMH-server gaf een fout: {code} {error.text or ''}".strip(),
                     f"The OAI-PMH server answered with an error: {code} {error.text or ''}".strip())
    info = identify.find(f"{OAI}Identify")
    found = Probe(url, protocol="oai-pmh")
    if info is not None:
        found.name = (info.findtext(f"{OAI}repositoryName") or "").strip() or None
        found.details = {key: (info.findtext(f"{OAI}{key}") or "").strip() or None
                         for key in ("baseURL", "protocolVersion", "earliestDatestamp", "granularity",
                                     "deletedRecord", "adminEmail")}
    formats = _parse(http.get(url, {"verb": "ListMetadataFormats"}).content)
    for fmt in (formats.iter(f"{OAI}metadataFormat") if formats is not None else ()):
        prefix = (fmt.findtext(f"{OAI}metadataPrefix") or "").strip()
        namespace = (fmt.findtext(f"{OAI}metadataNamespace") or "").strip()
        schema = (fmt.findtext(f"{OAI}schema") or "").strip()
        if prefix:
            found.formats.append({"prefix": prefix, "namespace": namespace, "schema": schema,
                                  "format": format_for(prefix, namespace, schema)})
    found.sets = _sets(http, url)
    mapped = [f for f in found.formats if f["format"]]
    for wanted in PREFERRED:
        choice = next((f for f in mapped if f["format"] == wanted), None)
        if choice:
            found.format, found.prefix = choice["format"], choice["prefix"]
            break
    if not mapped:
        offered = ", ".join(f["prefix"] for f in found.formats) or "geen / none"
        found.problem = "no-format"
        found.message_nl = (f"Dit is een OAI-PMH-server, maar oogst kent geen van zijn formaten ({offered}). "
                            "Vraag uw leverancier om LIDO of Dublin Core (oai_dc).")
        found.message_en = (f"This is an OAI-PMH server, but oogst knows none of its formats ({offered}). "
                            "Ask your supplier for LIDO or Dublin Core (oai_dc).")
    return found


def _sets(http: HttpClient, url: str) -> list[dict[str, str]]:
    """The server's sets (the first pages, at most MAX_SETS); none when it has no sets."""
    sets: list[dict[str, str]] = []
    params: dict[str, str] = {"verb": "ListSets"}
    for _ in range(5):
        try:
            root = _parse(http.get(url, params).content)
        except HarvestError:
            break
        if root is None or root.find(f"{OAI}error") is not None:
            break
        for item in root.iter(f"{OAI}set"):
            spec = (item.findtext(f"{OAI}setSpec") or "").strip()
            if spec:
                sets.append({"spec": spec, "name": (item.findtext(f"{OAI}setName") or "").strip() or spec})
        token = (root.findtext(f".//{OAI}resumptionToken") or "").strip()
        if not token or len(sets) >= MAX_SETS:
            break
        params = {"verb": "ListSets", "resumptionToken": token}
    return sets[:MAX_SETS]


def _json(url: str, data: Any) -> Probe:
    text = json.dumps(data)[:20000]
    if isinstance(data, dict) and any(k in text for k in ("tree:view", "tree:member", "tree:relation",
                                                          "EventStream", "w3id.org/tree", "w3id.org/ldes")):
        return Probe(url, protocol="ldes", format="oslo-jsonld" if "oslo-jsonld" in mapping_registry.formats()
                     else None, name=data.get("title") if isinstance(data.get("title"), str) else None)
    found = Probe(url, protocol="json-api")
    if "@context" in text and "oslo-jsonld" in mapping_registry.formats():
        found.format = "oslo-jsonld"
    else:
        found.problem = "no-format"
        found.message_nl = ("Dit is een JSON-bron. oogst leest JSON als OSLO JSON-LD; voor andere JSON is een "
                            "mapping nodig. Neem contact op met de beheerder van oogst.")
        found.message_en = ("This is a JSON source. oogst reads JSON as OSLO JSON-LD; other JSON needs a mapping. "
                            "Contact the oogst operator.")
    return found
