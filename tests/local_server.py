"""A small HTTP server on 127.0.0.1 for the LDES, JSON API and files harvest tests.

The test fills ``routes``: a path answers with fixed bytes and headers (``serve``) or with
what a function of the query string returns (``handle``), and can be changed between two
harvests. Every request is logged as ``(path, query)`` in ``requests`` and its headers in
``headers``::

    with LocalServer() as server:
        server.serve("/page/1", b"{...}", headers={"Cache-Control": "immutable"})
        ... harvest server.url("/page/1") ...
        assert [p for p, _q in server.requests] == ["/page/1"]
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

Response = tuple[int, dict[str, str], bytes]
Handler = Callable[[dict[str, str]], Response]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []
        self._httpd: ThreadingHTTPServer | None = None

    def serve(self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None,
              content_type: str = "application/ld+json") -> None:
        """Answer ``path`` with ``body`` from now on."""
        fixed = {"Content-Type": content_type, **(headers or {})}
        self.routes[path] = lambda _query: (status, fixed, body)

    def handle(self, path: str, handler: Handler) -> None:
        """Answer ``path`` with ``handler(query)`` → (status, headers, body)."""
        self.routes[path] = handler

    def url(self, path: str) -> str:
        assert self._httpd is not None, "start the server first (with LocalServer() as server)"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for path, _query in self.requests]

    def __enter__(self) -> LocalServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                server.requests.append((parts.path, query))
                server.headers.append(dict(self.headers))
                route = server.routes.get(parts.path)
                status, headers, body = route(query) if route else (404, {"Content-Type": "text/plain"}, b"no such page")
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
