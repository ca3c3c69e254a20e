"""What oogst shows of a URL or a message: never a secret, never a server path.

Every door (the API, the pages, the published DCAT/VoID, the CLI's JSON) shows a feed's URL
through :func:`url` and an error or a note through :func:`text`:

- the account in a URL (``https://user:password@host/…``) is dropped;
- the values of query parameters that look like secrets (``api_key``, ``token``,
  ``access_token``, ``password``, ``secret``, ``signature``, ``wskey`` …) become ``REDACTED``;
- an absolute file path in a message becomes ``…/`` and its last part (the file's name
  still says what was wrong; where the server keeps it does not leak).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
_SECRET_PARAM = re.compile(
    r"(?:^|[_-])(?:key|apikey|token|secret|password|passwd|pwd|pass|auth|authorization|signature|sig|"
    r"session|sessionid|credential|credentials|wskey|access[_-]?token|client[_-]?secret)$", re.IGNORECASE)
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'`]+")
_PATH = re.compile(r"(?<![\w.:/~-])(?:/[\w.@+,=-]+){2,}/?")


def url(value: str | None) -> str | None:
    """``value`` without its account and with secret-looking query values replaced."""
    if not value:
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL one can take apart: show nothing of what may be in it
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(name) for name, _ in pairs):
            query = urlencode([(name, REDACTED if _SECRET_PARAM.search(name) else v) for name, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def text(value: str | None) -> str | None:
    """A message with every URL in it redacted and every absolute path cut to its last part."""
    if not value:
        return value
    out, last = [], 0
    for match in _URL.finditer(value):
        out.append(_paths(value[last:match.start()]))
        out.append(url(match.group()) or "")
        last = match.end()
    out.append(_paths(value[last:]))
    return "".join(out)


def _paths(value: str) -> str:
    return _PATH.sub(lambda m: "…/" + m.group().rstrip("/").rsplit("/", 1)[-1], value)
