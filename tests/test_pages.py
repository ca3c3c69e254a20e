"""The web pages in a real browser: headless Chromium (Debian's ``chromium``, installed by
``make browser``) driven by playwright, against the app on uvicorn on 127.0.0.1.

Chromium runs with the flags that keep it offline (no background networking, component
updates or sync) and a fresh profile. Playwright never downloads a browser here: the test
hands it ``executable_path``, and skips with a message when Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from oogst.api import create_app
from oogst.pipeline import Oogst
from oogst.settings import Settings
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import State

from .conftest import free_port
from .test_api import RID, fill

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extras)")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("OOGST_SCREENSHOTS", "")) if os.environ.get("OOGST_SCREENSHOTS") else None


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("pages")
    store, state = EmbeddedStore(None), State(tmp / "state.sqlite")
    fill(store, state)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Oogst(Settings(data_dir=tmp, port=port), store=store, state=state)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    state.close()
    store.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed: run `make browser` (apt-get install chromium chromium-driver)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900}, locale="nl-BE",
        )
        # Offline: images on partners' servers are not fetched.
        browser.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                      else route.abort())
        yield browser.new_page()
        browser.close()


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_query_page_runs_a_query_and_shows_the_table(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/sparql")
    assert page.title() == "SPARQL · oogst"
    page.select_option("#examples", index=0)
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    headers = page.locator("#result-table th").all_inner_texts()
    assert headers == ["object", "title", "maker"]
    titles = page.locator("#result-table tbody td:nth-child(2)").all_inner_texts()
    assert any("Zicht op de Leie" in t for t in titles)
    assert "rijen / rows" in page.inner_text("#status")
    screenshot(page, "sparql")
    # A syntax error shows the parser's message, not a broken page.
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.click("#run")
    page.wait_for_selector("#results .error")
    assert "syntax" in page.inner_text("#results .error").lower()


def test_record_page_shows_title_and_image_link(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/records/{RID}")
    assert page.inner_text("h1#title") == "Zicht op de Leie"
    assert page.get_attribute("#image-link", "href") == "https://beelden.example.be/oai%3Ahofvanleie.be%3Alido%3A1998-B-121.jpg"
    assert "Ensor, James" in page.inner_text("dl.fields")
    jsonld = page.get_attribute("#jsonld-link", "href")
    assert jsonld.endswith("format=jsonld")
    screenshot(page, "record")
    page.click("#turtle-link")
    assert "Zicht op de Leie" in page.content()


def test_search_page_with_facets(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/records")
    assert page.locator(".card").count() == 4
    page.fill("#q", "kaart")
    page.press("#q", "Enter")
    page.wait_for_url("**/records?q=kaart")
    assert page.locator(".card h3").all_inner_texts() == ["Kaart van Gent, 1534"]
    page.goto(f"{base_url}/records")
    page.click("text=Stadsarchief Gent")
    assert sorted(page.locator(".card h3").all_inner_texts()) == ["Kaart van Gent, 1534", "Stadsrekening 1450"]
    screenshot(page, "records")
