"""Property-based API tests: schemathesis generates requests from the OpenAPI document and
runs them against the app (in-process, over ASGI) on a small dataset.

Every operation must answer without a server error, with a status the document lists and
a body that matches its schema. Examples are bounded (``MAX_EXAMPLES`` per operation) so
the run takes well under a minute; schemathesis is pinned in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oogst.api import create_app
from oogst.pipeline import Oogst
from oogst.publish.search import SearchIndex
from oogst.settings import Settings
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import State

from .test_api import fill

MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    store, state, search = EmbeddedStore(None), State(tmp / "state.sqlite"), SearchIndex(tmp / "search.sqlite")
    fill(store, state)
    core = Oogst(Settings(data_dir=tmp, query_timeout=5.0), store=store, state=state, search=search)
    core.rebuild_index()
    app = create_app(core)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    search.close()
    state.close()
    store.close()


def operations() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document; the document needs no data."""
    document = create_app(Oogst(Settings())).openapi()
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item]


@pytest.mark.parametrize(("method", "path"), operations())
def test_api_conforms_to_its_openapi_document(api_schema: schemathesis.BaseSchema, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                       response_schema_conformance])

    check()
