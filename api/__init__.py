"""The web API (FastAPI): SPARQL, records and feeds over the store and the state database."""

from .app import create_app

__all__ = ["create_app"]
