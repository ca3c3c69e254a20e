"""What routes take from the app: settings, the store, the state database, the search index,
the JSON-LD compactor and the public base URL.

``create_app`` puts these on ``app.state``; routes ask for them through the annotated
dependencies below, so a route never reaches for a global. The dependencies are ``async``
so that FastAPI resolves them on the event loop instead of in the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..publish.search import SearchIndex
from ..settings import Settings
from ..store import Store
from ..store.state import State
from .jsonld import Compactor


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_state(request: Request) -> State:
    return request.app.state.state_db


async def get_search(request: Request) -> SearchIndex:
    return request.app.state.search


async def get_compactor(request: Request) -> Compactor:
    return request.app.state.compactor


def base_url_of(request: Request) -> str:
    """Where the API is reached, for links: the ``public_url`` setting, else the request's own."""
    public = request.app.state.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


async def get_base_url(request: Request) -> str:
    return base_url_of(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
StateDep = Annotated[State, Depends(get_state)]
BaseUrlDep = Annotated[str, Depends(get_base_url)]
SearchDep = Annotated[SearchIndex, Depends(get_search)]
CompactorDep = Annotated[Compactor, Depends(get_compactor)]
