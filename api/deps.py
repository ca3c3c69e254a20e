"""What routes take from the app: the core, its settings, the JSON-LD compactor and the public
base URL.

``create_app`` puts the core on ``app.state``; routes ask for it through the annotated
dependencies below, so a route never reaches for a global nor opens a resource. The
dependencies are ``async`` so that FastAPI resolves them on the event loop instead of in the
thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..pipeline import Oogst
from ..settings import Settings
from .jsonld import Compactor


async def get_oogst(request: Request) -> Oogst:
    return request.app.state.oogst


async def get_settings(request: Request) -> Settings:
    return request.app.state.oogst.settings


async def get_compactor(request: Request) -> Compactor:
    return request.app.state.compactor


def base_url_of(request: Request) -> str:
    """Where the API is reached, for links: the ``public_url`` setting, else the request's own."""
    public = request.app.state.oogst.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


async def get_base_url(request: Request) -> str:
    return base_url_of(request)


OogstDep = Annotated[Oogst, Depends(get_oogst)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BaseUrlDep = Annotated[str, Depends(get_base_url)]
CompactorDep = Annotated[Compactor, Depends(get_compactor)]
