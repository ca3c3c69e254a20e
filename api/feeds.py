"""``/feeds``: the registered feeds with their status, record counts and last run.

A feed's ``options`` and ``cursor`` are left out: options may hold credentials.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter

from ..pipeline import Oogst
from ..records import Feed
from .deps import BaseUrlDep, OogstDep

router = APIRouter(tags=["feeds"])


def feed_view(oogst: Oogst, feed: Feed, base_url: str) -> dict[str, Any]:
    data = feed.as_dict()
    del data["options"], data["cursor"]
    return {
        **data,
        "records": oogst.counts(feed.name),
        "last_run": oogst.last_run(feed.name),
        "links": {
            "self": f"{base_url}/feeds/{quote(feed.name, safe='')}",
            "records": f"{base_url}/records?{urlencode({'feed': feed.name})}",
        },
    }


@router.get("/feeds", summary="All feeds with status, record counts and the last run")
def list_feeds(oogst: OogstDep, base_url: BaseUrlDep) -> dict[str, list[dict[str, Any]]]:
    return {"items": [feed_view(oogst, feed, base_url) for feed in oogst.list_feeds()]}


@router.get(
    "/feeds/{name}",
    summary="One feed with status, record counts and the last run",
    responses={404: {"description": "No feed of that name."}},
)
def get_feed(name: str, oogst: OogstDep, base_url: BaseUrlDep) -> dict[str, Any]:
    return feed_view(oogst, oogst.feed(name), base_url)
