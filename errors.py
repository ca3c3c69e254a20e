"""One exception tree for oogst.

::

    OogstError                      anything oogst raises on purpose; has a stable ``code``
    ├── ConfigError                 bad settings, bad feed settings: fix and rerun
    │   ├── NotFoundError           a feed, run or record that does not exist (API: 404)
    │   ├── ConflictError           busy or in the wrong state: a run going on, a paused feed (API: 409)
    │   └── UsageError              an option or argument the operation does not take
    ├── HarvestError                talking to a partner's endpoint went wrong
    │   ├── TransientHarvestError   try again later: timeouts, 429/5xx, Retry-After
    │   └── FatalHarvestError       give up: cannotDisseminateFormat, badArgument, 4xx
    ├── AuthError                   not signed in, a wrong password or token (API: 401)
    │   ├── ForbiddenError          signed in, but not allowed to do this (API: 403)
    │   └── TooManyAttemptsError    too many failed sign-ins: wait (API: 429)
    ├── MappingError                one record could not be mapped (names record + source path)
    └── StoreError                  the RDF store or the state database failed
        └── StoreBusyError          another process holds the store: a run is skipped, not failed

Every error carries the feed where known, and the record or URL where known, so that a
message can say what was found, where, and how to fix it. The CLI turns ``code`` into the
process exit code (see ``EXIT_CODES``).
"""

from __future__ import annotations

EXIT_CODES = {
    "ok": 0,
    "failed": 1,  # a run finished but some feed failed
    "usage": 2,  # click's own code for bad usage
    "config": 3,
    "not_found": 3,  # a configuration problem too: the name or id given is not there
    "conflict": 3,
    "harvest": 4,
    "store": 5,
    "mapping": 6,
    "auth": 7,  # not signed in, wrong password or token, or not allowed
    "forbidden": 7,
    "internal": 70,  # a bug in oogst (sysexits' EX_SOFTWARE): one line, the traceback in a log file
}


class OogstError(Exception):
    code = "failed"

    def __init__(
        self,
        message: str,
        *,
        feed: str | None = None,
        record: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.feed = feed
        self.record = record
        self.url = url
        self.hint = hint

    def __str__(self) -> str:
        where = []
        if self.feed:
            where.append(f"feed {self.feed!r}")
        if self.record:
            where.append(f"record {self.record!r}")
        if self.url:
            where.append(self.url)
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.hint:
            text = f"{text} — {self.hint}"
        return text

    def as_dict(self) -> dict[str, str | None]:
        return {
            "error": type(self).__name__,
            "code": self.code,
            "message": self.message,
            "feed": self.feed,
            "record": self.record,
            "url": self.url,
            "hint": self.hint,
        }


class ConfigError(OogstError):
    code = "config"


class NotFoundError(ConfigError):
    """A name or id that resolves to nothing: an unknown feed, run or record (API: 404)."""

    code = "not_found"


class ConflictError(ConfigError):
    """The thing is busy or in the wrong state for this: a feed whose run is going on, a
    paused feed asked to run (API: 409)."""

    code = "conflict"


class UsageError(ConfigError):
    """An option or argument the operation does not take (the CLI's usage exit code)."""

    code = "usage"


class HarvestError(OogstError):
    code = "harvest"


class TransientHarvestError(HarvestError):
    """Worth retrying: the endpoint may answer later."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class FatalHarvestError(HarvestError):
    """Retrying will not help until someone changes the feed or the endpoint."""


class MappingError(OogstError):
    code = "mapping"

    def __init__(self, message: str, *, source_path: str | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.source_path = source_path


class StoreError(OogstError):
    code = "store"


class StoreBusyError(StoreError):
    """Another process holds the store (RocksDB allows one): try again when it is done. A run
    that meets it is skipped, never failed."""


class QueryError(OogstError):
    """A SPARQL query that cannot run: syntax error, update where a query is expected."""

    code = "usage"


class QueryTimeoutError(QueryError):
    """A query stopped at ``query_timeout``, or refused because every query slot was busy:
    try again later or ask less (the API answers 503 with Retry-After)."""


class AuthError(OogstError):
    """Not signed in, or a wrong name, password or token (API: 401)."""

    code = "auth"


class ForbiddenError(AuthError):
    """Signed in, but the account may not do this (API: 403)."""

    code = "forbidden"


class TooManyAttemptsError(AuthError):
    """Too many failed sign-ins for an account or from an address: wait ``retry_after``
    seconds (API: 429 with Retry-After)."""

    def __init__(self, message: str, *, retry_after: float, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
