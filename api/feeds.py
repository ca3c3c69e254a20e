"""``/feeds``: the registered feeds with their status, record counts and last run.

A feed's ``config`` is left out: it holds protocol details that may include credentials.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter

from ..errors import ConfigError, NotFoundError
from ..store.state import Feed, State
from .deps import BaseUrlDep, StateDep

router = APIRouter(tags=["feeds"])


def require_feed(state: State, name: str) -> Feed:
    """The feed called ``name``; NotFoundError (404) when there is none."""
    try:
        return state.get_feed(name)
    except ConfigError as exc:
        raise NotFoundError(exc.message, feed=name, hint=exc.hint) from exc


def feed_view(state: State, feed: Feed, base_url: str) -> dict[str, Any]:
    data = feed.as_dict()
    del data["config"]
    return {
        **data,
        "records": state.counts(feed.name),
        "last_run": state.last_run(feed.name),
        "links": {
            "self": f"{base_url}/feeds/{quote(feed.name, safe='')}",
            "records": f"{base_url}/records?{urlencode({'feed': feed.name})}",
        },
    }


@router.get("/feeds", summary="All feeds with status, record counts and the last run")
def list_feeds(state: StateDep, base_url: BaseUrlDep) -> dict[str, list[dict[str, Any]]]:
    return {"items": [feed_view(state, feed, base_url) for feed in state.list_feeds()]}


@router.get(
    "/feeds/{name}",
    summary="One feed with status, record counts and the last run",
    responses={404: {"description": "No feed of that name."}},
)
def get_feed(name: str, state: StateDep, base_url: BaseUrlDep) -> dict[str, Any]:
    return feed_view(state, require_feed(state, name), base_url)
