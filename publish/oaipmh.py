"""The OAI-PMH 2.0 protocol, written once: requests, errors, dates, resumption tokens, envelope.

Shared by oogst's own data provider (``publish/oai_provider.py``, mounted at ``/oai``) and
the partner simulator (``devtools/simulator.py``). It follows the specification
(http://www.openarchives.org/OAI/openarchivesprotocol.html, protocol version 2.0):

- :func:`parse_request` checks the verb and its arguments (§3.1.1, §4): a missing, repeated
  or unknown verb is ``badVerb``; a repeated, illegal, missing or empty argument, a
  ``resumptionToken`` with other arguments, a ``metadataPrefix`` or ``set`` of illegal
  syntax is ``badArgument``.
- :func:`parse_datestamp` and :func:`date_window`: UTCdatetime at day or seconds granularity
  (§3.3.1); a value finer than the repository supports, two granularities in one request or
  ``from`` later than ``until`` is ``badArgument``; ``until`` at day granularity takes in the
  whole day (§2.7.1).
- :func:`encode_token` / :func:`decode_token`: resumption tokens that hold the request and
  the position (no server state, so they survive restarts); anything else is
  ``badResumptionToken`` (§3.5).
- :func:`response`: the envelope (§3.2): ``responseDate`` and a ``request`` element whose
  attributes echo the request's arguments, none when the error is ``badVerb`` or
  ``badArgument``; :func:`identify`, :func:`header`, :func:`resumption_token` … build the
  parts of the verbs' answers.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "DAY", "ERRORS", "OAI_NS", "SECONDS", "VERBS", "OaiError", "Request", "date_window", "decode_token",
    "encode_token", "header", "identify", "metadata_format", "now", "oai_identifier_description",
    "parse_datestamp", "parse_request", "response", "resumption_token", "set_element",
]

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# §3.4 metadataPrefix and the setSpec syntax of the OAI-PMH schema.
_PREFIX_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")

LIST_VERBS = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})
# verb → (required arguments, optional arguments); the List verbs take an exclusive resumptionToken
# and ListIdentifiers/ListRecords need metadataPrefix only without one (§4.3, §4.5).
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
}
# §3.6: the error codes and what they mean.
ERRORS = {
    "badArgument": "The request includes illegal arguments, is missing required arguments, includes a repeated "
                   "argument, or values for arguments have an illegal syntax.",
    "badResumptionToken": "The value of the resumptionToken argument is invalid or expired.",
    "badVerb": "Value of the verb argument is not a legal OAI-PMH verb, the verb argument is missing, or the verb "
               "argument is repeated.",
    "cannotDisseminateFormat": "The metadata format identified by the value given for the metadataPrefix argument "
                               "is not supported by the item or by the repository.",
    "idDoesNotExist": "The value of the identifier argument is unknown or illegal in this repository.",
    "noRecordsMatch": "The combination of the values of the from, until, set and metadataPrefix arguments results "
                      "in an empty list.",
    "noMetadataFormats": "There are no metadata formats available for the specified item.",
    "noSetHierarchy": "The repository does not support sets.",
}


class OaiError(Exception):
    """An OAI-PMH error condition (§3.6): ``code`` is one of :data:`ERRORS`."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if code not in ERRORS:
            raise ValueError(f"not an OAI-PMH error code: {code!r}")
        super().__init__(message or ERRORS[code])
        self.code = code
        self.message = message or ERRORS[code]


@dataclass(frozen=True)
class Request:
    """A checked request: its verb and its other arguments (each once)."""

    verb: str
    args: Mapping[str, str]

    def get(self, name: str) -> str | None:
        return self.args.get(name)


def parse_request(pairs: Iterable[tuple[str, str]]) -> Request:
    """The request of a query string or form body (as ``parse_qsl(…, keep_blank_values=True)``
    gives it), or :class:`OaiError` ``badVerb`` / ``badArgument``."""
    pairs = list(pairs)
    verbs = [value for key, value in pairs if key == "verb"]
    if not verbs:
        raise OaiError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OaiError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    args: dict[str, str] = {}
    for key, value in pairs:
        if key == "verb":
            continue
        if key in args:
            raise OaiError("badArgument", f"the argument {key!r} is repeated")
        args[key] = value
    required, optional = VERBS[verb]
    if "resumptionToken" in args and verb in LIST_VERBS:
        if len(args) > 1:
            others = ", ".join(sorted(set(args) - {"resumptionToken"}))
            raise OaiError("badArgument", f"resumptionToken is exclusive, but {others} were given too")
        if not args["resumptionToken"]:
            raise OaiError("badArgument", "the resumptionToken is empty")
        return Request(verb, args)
    illegal = set(args) - required - optional
    if illegal:
        raise OaiError("badArgument", f"illegal arguments for {verb}: {', '.join(sorted(illegal))}")
    missing = required - set(args)
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
    empty = [key for key, value in args.items() if not value]
    if empty:
        raise OaiError("badArgument", f"empty arguments: {', '.join(sorted(empty))}")
    if "metadataPrefix" in args and not _PREFIX_RE.fullmatch(args["metadataPrefix"]):
        raise OaiError("badArgument", f"metadataPrefix {args['metadataPrefix']!r} has an illegal syntax")
    if "set" in args and not _SET_RE.fullmatch(args["set"]):
        raise OaiError("badArgument", f"set {args['set']!r} is not a setSpec")
    return Request(verb, args)


# -- dates --------------------------------------------------------------------------------------
def parse_datestamp(value: str) -> tuple[datetime, str]:
    """(moment, granularity) of a UTCdatetime; ValueError when it is neither granularity or
    no real date."""
    if _SECONDS_RE.fullmatch(value):
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), SECONDS
    if _DAY_RE.fullmatch(value):
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), DAY
    raise ValueError(f"not an OAI-PMH datestamp: {value!r}")


def format_datestamp(moment: datetime, granularity: str = SECONDS) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d" if granularity == DAY else "%Y-%m-%dT%H:%M:%SZ")


def now() -> str:
    """The current time as a responseDate (seconds granularity, UTC)."""
    return format_datestamp(datetime.now(UTC))


def date_window(start: str | None, until: str | None, granularity: str = SECONDS
                ) -> tuple[datetime | None, datetime | None]:
    """The inclusive (from, until) moments of a request, for a repository of ``granularity``;
    ``badArgument`` for a bad date, a granularity finer than the repository's, two
    granularities, or ``from`` later than ``until``."""
    bounds: list[datetime | None] = []
    granularities = set()
    for name, value in (("from", start), ("until", until)):
        if value is None:
            bounds.append(None)
            continue
        try:
            moment, found = parse_datestamp(value)
        except ValueError:
            raise OaiError("badArgument", f"{name}={value!r} is not a valid datestamp ({DAY} or {SECONDS})") from None
        if found == SECONDS and granularity == DAY:
            raise OaiError("badArgument", f"{name}={value!r}: this repository's granularity is {DAY}")
        if name == "until" and found == DAY:
            moment += timedelta(days=1, seconds=-1)
        granularities.add(found)
        bounds.append(moment)
    if len(granularities) > 1:
        raise OaiError("badArgument", "from and until have different granularities")
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise OaiError("badArgument", "from is later than until")
    return bounds[0], bounds[1]


# -- resumption tokens ---------------------------------------------------------------------------
def encode_token(state: Mapping[str, Any]) -> str:
    """A resumption token that carries ``state`` (JSON, URL-safe base64, no padding)."""
    data = json.dumps(state, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_token(token: str, schema: Mapping[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """The state of a token of :func:`encode_token`, checked against ``schema`` (key → type(s));
    ``badResumptionToken`` for anything that is not such a token."""
    bad = OaiError("badResumptionToken", f"the resumption token {token[:200]!r} is not one of ours")
    if len(token) > 4096 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise bad
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    if not isinstance(state, dict) or set(state) != set(schema):
        raise bad
    for key, kinds in schema.items():
        value = state[key]
        if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
            raise bad
        if not isinstance(value, kinds):
            raise bad
    return state


# -- the envelope and its parts -------------------------------------------------------------------
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
)


def response(base_url: str, request: Request | None, body: Sequence[bytes] | bytes | None = None,
             error: OaiError | Sequence[OaiError] | None = None, response_date: str | None = None) -> bytes:
    """One OAI-PMH response document: the verb's ``body`` parts, or the ``error`` element(s).
    The request element echoes ``request``'s arguments, except after badVerb/badArgument
    (then ``request`` may be None)."""
    errors = [error] if isinstance(error, OaiError) else list(error or [])
    attrs = ""
    if request is not None and not any(e.code in ("badVerb", "badArgument") for e in errors):
        attrs = f" verb={quoteattr(request.verb)}" + "".join(
            f" {key}={quoteattr(value)}" for key, value in request.args.items())
    head = (f"{_HEAD}<responseDate>{response_date or now()}</responseDate>\n"
            f"<request{attrs}>{escape(base_url)}</request>\n").encode("utf-8")
    if errors:
        parts = [f"<error code={quoteattr(e.code)}>{escape(e.message)}</error>".encode() for e in errors]
    else:
        parts = [body] if isinstance(body, bytes) else list(body or [])
    return head + b"\n".join(parts) + b"\n</OAI-PMH>\n"


def identify(repository_name: str, base_url: str, admin_emails: Sequence[str], earliest_datestamp: str,
             deleted_record: str = "persistent", granularity: str = SECONDS,
             descriptions: Sequence[str] = (), compression: Sequence[str] = ()) -> bytes:
    """The Identify element (§4.2), its children in the schema's order."""
    if deleted_record not in ("no", "transient", "persistent"):
        raise ValueError(f"deletedRecord must be no, transient or persistent, not {deleted_record!r}")
    return (
        "<Identify>"
        f"<repositoryName>{escape(repository_name)}</repositoryName>"
        f"<baseURL>{escape(base_url)}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        + "".join(f"<adminEmail>{escape(mail)}</adminEmail>" for mail in admin_emails)
        + f"<earliestDatestamp>{escape(earliest_datestamp)}</earliestDatestamp>"
        f"<deletedRecord>{deleted_record}</deletedRecord>"
        f"<granularity>{granularity}</granularity>"
        + "".join(f"<compression>{escape(c)}</compression>" for c in compression)
        + "".join(f"<description>{d}</description>" for d in descriptions)
        + "</Identify>"
    ).encode("utf-8")


def oai_identifier_description(repository_identifier: str, sample_identifier: str, delimiter: str = ":") -> str:
    """The ``oai-identifier`` description of Identify (the OAI identifier guidelines)."""
    ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
    return (f'<oai-identifier xmlns="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{ns} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
            f"<scheme>oai</scheme><repositoryIdentifier>{escape(repository_identifier)}</repositoryIdentifier>"
            f"<delimiter>{escape(delimiter)}</delimiter>"
            f"<sampleIdentifier>{escape(sample_identifier)}</sampleIdentifier></oai-identifier>")


def header(identifier: str, datestamp: str, sets: Iterable[str] = (), deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    specs = "".join(f"<setSpec>{escape(spec)}</setSpec>" for spec in sets)
    return (f"<header{status}><identifier>{escape(identifier)}</identifier>"
            f"<datestamp>{escape(datestamp)}</datestamp>{specs}</header>")


def metadata_format(prefix: str, schema: str, namespace: str) -> str:
    return (f"<metadataFormat><metadataPrefix>{escape(prefix)}</metadataPrefix><schema>{escape(schema)}</schema>"
            f"<metadataNamespace>{escape(namespace)}</metadataNamespace></metadataFormat>")


def set_element(spec: str, name: str, description: str | None = None) -> str:
    """A ``set`` of ListSets; ``description`` goes into an oai_dc setDescription."""
    text = ""
    if description:
        text = (f'<setDescription><oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:description>{escape(description)}</dc:description></oai_dc:dc></setDescription>")
    return f"<set><setSpec>{escape(spec)}</setSpec><setName>{escape(name)}</setName>{text}</set>"


def resumption_token(token: str | None, complete_list_size: int | None, cursor: int) -> str:
    """The resumptionToken element (§3.5): ``token`` None gives the empty element that ends
    a list."""
    size = f' completeListSize="{complete_list_size}"' if complete_list_size is not None else ""
    attrs = f'{size} cursor="{cursor}"'
    return f"<resumptionToken{attrs}>{escape(token)}</resumptionToken>" if token else f"<resumptionToken{attrs}/>"
