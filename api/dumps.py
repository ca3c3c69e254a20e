"""``/dumps``: the last dump of the published records (``oogst dump``), whole and per feed.

``GET /dumps`` lists them (the manifest: name, feed, format, media type, byte size, SHA-256,
records, quads, when it was made, and a URL). ``GET /dumps/{name}`` serves one file with its
SHA-256 as ``ETag`` (``If-None-Match`` → 304), ``Accept-Ranges: bytes`` and range requests
(``Range``, ``If-Range``) for clients that resume a download; ``HEAD`` gives the headers only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from .caching import http_date, not_modified
from .deps import BaseUrlDep, OogstDep

router = APIRouter(tags=["dumps"])


@router.get("/dumps", summary="The dumps: N-Quads and JSON-LD (gzip), whole and per feed, with size and SHA-256")
def list_dumps(oogst: OogstDep, base_url: BaseUrlDep) -> dict[str, Any]:
    manifest = oogst.dumps()
    return {"created": manifest.get("created"),
            "dumps": [{**d, "url": f"{base_url}/dumps/{d['name']}"} for d in manifest.get("dumps", [])]}


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], summary="One dump file (ranges supported)",
                  response_class=Response,
                  responses={200: {"description": "The gzip file."}, 206: {"description": "A range of it."},
                             304: {"description": "The client's copy is current."},
                             404: {"description": "No dump of that name."}})
async def get_dump(name: str, request: Request, oogst: OogstDep) -> Response:
    path, entry = await run_in_threadpool(oogst.dump_file, name)
    etag = f'"{entry["sha256"]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600", "Digest": f"sha-256={entry['sha256']}"}
    modified = http_date(entry.get("created"))
    if modified:
        headers["Last-Modified"] = modified
    if not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=entry["media_type"], filename=name, headers=headers)
