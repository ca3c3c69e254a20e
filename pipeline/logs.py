"""Structured logs: ``oogst --log-format json`` writes one JSON object per line, with the
feed and run a message is about (bound for the length of a run by :func:`bind`)."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("oogst_log_context", default={})
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


@contextmanager
def bind(**fields: Any) -> Iterator[None]:
    """Log records made inside carry ``fields`` (``feed``, ``run``), in this thread or task."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "feed", "run", …}``: a record's ``extra`` fields
    and the bound context; an exception as ``exception`` (one line and ``details``, where the
    traceback was kept, when a ``details`` callable keeps it)."""

    def __init__(self, details: Callable[[str], Any] | None = None) -> None:
        super().__init__()
        self.details = details  # takes a traceback, returns where it was kept (the CLI's error log)

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        data.update(_context.get())
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            kind, exc = record.exc_info[0], record.exc_info[1]
            text = self.formatException(record.exc_info)
            if self.details is None:
                data["exception"] = text
            else:  # one line here, the traceback where the CLI keeps them
                data["exception"] = f"{kind.__name__ if kind else 'Exception'}: {exc}"
                data["details"] = str(self.details(f"{data['message']}\n{text}"))
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(level: int, fmt: str = "text", text: logging.Formatter | None = None,
              details: Callable[[str], Any] | None = None) -> None:
    """The root logger: plain text (``text``, by default ``LEVEL logger: message``) or JSON
    lines, on stderr."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "oogst", False)]
    if root.handlers and not ours:
        return  # whoever runs oogst set logging up (a test runner, an embedding program): as logging.basicConfig
    for old in ours:  # the command run again in one process (tests)
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.oogst = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter(details) if fmt == "json" else
                         text or logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
