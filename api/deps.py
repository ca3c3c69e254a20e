"""What routes take from the app: settings, the store, the state database, the public base URL.

``create_app`` puts these on ``app.state``; routes ask for them through the annotated
dependencies below, so a route never reaches for a global.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..settings import Settings
from ..store import Store
from ..store.state import State


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_state(request: Request) -> State:
    return request.app.state.state_db


def get_base_url(request: Request) -> str:
    """Where the API is reached, for links: the ``public_url`` setting, else the request's own."""
    public = get_settings(request).public_url
    return (public or str(request.base_url)).rstrip("/")


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
StateDep = Annotated[State, Depends(get_state)]
BaseUrlDep = Annotated[str, Depends(get_base_url)]
