"""The pages of collection managers in a real browser (headless Debian Chromium, as in
``test_pages.py``), against the app on uvicorn and the partner simulator on 127.0.0.1.

- A partner signs in, registers the sample museum's OAI-PMH feed through the wizard, sees
  the preview, saves, starts a harvest and finds a quarantined record's message on the feed
  page; the record pages show every field with labels, the source and the checks.
- A second partner can neither see nor change that feed, through the pages or the API with
  its own token (404); a form posted without its CSRF token is refused (403).
- Every page passes axe-core without serious or critical violations.

Screenshots go to ``tests/screenshots/`` (or ``$OOGST_SCREENSHOTS``): landing, records,
wizard-address, wizard-formats, wizard-preview, wizard-defaults, feed-page, record-page,
record-quarantined, forbidden.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from oogst.api import create_app
from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline import Oogst
from oogst.settings import Settings

from .conftest import free_port
from .test_pages import CHROMIUM_FLAGS, find_chromium

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extras)")

SCREENSHOTS = Path(os.environ.get("OOGST_SCREENSHOTS") or Path(__file__).parent / "screenshots")
PASSWORD = "een lang genoeg wachtwoord"
MUSEUM = "hof-van-leie"


def local_settings(data_dir: Path, **values: Any) -> Settings:
    """Settings that let the tests reach the simulator on 127.0.0.1 (issue #14's outbound policy)."""
    if "allowed_private_networks" in {f.name for f in fields(Settings)}:
        values["allowed_private_networks"] = ("127.0.0.0/8",)
    return Settings(data_dir=data_dir, http_retries=1, http_backoff=0.01, **values)


class Site:
    def __init__(self, url: str, core: Oogst, sim: PartnerSimulator) -> None:
        self.url, self.core, self.sim = url, core, sim
        self.tokens = {name: core.accounts.new_token(name) for name in ("anna", "bert")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("web")
    core = Oogst(local_settings(tmp))
    accounts = core.accounts
    accounts.add_org(MUSEUM, "Museum Hof van Leie")
    accounts.add_org("kustlicht", "Kustlicht, Oostende")
    accounts.add_user("anna", "partner", org=MUSEUM, password=PASSWORD)
    accounts.add_user("bert", "partner", org="kustlicht", password=PASSWORD)
    accounts.add_user("olga", "operator", password=PASSWORD)
    with PartnerSimulator(images=True) as sim:
        # the archive is there already (public pages have records, images and DC concepts)
        core.add_feed("kustlicht", sim.endpoint("kustlicht"), "oai_dc", owner="kustlicht",
                      profile={"provider": {"name": "Kustlicht, archief en erfgoedbibliotheek Oostende"},
                               "values": {"type": {"affiche": "http://vocab.getty.edu/aat/300027221"}}})
        assert core.harvest("kustlicht").ok
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(core), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield Site(f"http://127.0.0.1:{port}", core, sim)
        server.should_exit = True
        thread.join(timeout=10)
    core.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed: run `make browser` (apt-get install chromium chromium-driver)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def new_page(browser: Any, locale: str = "nl-BE") -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    # offline: only this machine's servers
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())
    return context.new_page()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{page.url}: {bad}"


def sign_in(page: Any, site: Site, name: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Aanmelden')")
    page.wait_for_url("**/manage")


def images_loaded(page: Any, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(e => e.complete && e.naturalWidth > 0).length")


# -- public pages -------------------------------------------------------------------------------------
def test_landing_page_for_people_with_images_and_labels(site: Site, browser: Any) -> None:
    page = new_page(browser)
    page.goto(f"{site.url}/")
    assert page.inner_text("h1") == "Erfgoed uit Vlaanderen, open en verbonden"
    page.wait_for_load_state("networkidle")
    assert images_loaded(page, "ul.gallery img") >= 4, "the sample images come from the simulator"
    accessible(page)
    shot(page, "landing")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "landing-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("a.lang-switch")
    assert page.inner_text("h1") == "Heritage from Flanders, open and linked"
    page.goto(f"{site.url}/records")  # remembered in a cookie
    assert page.inner_text("label[for=q]").startswith("Search")
    page.goto(f"{site.url}/records?lang=nl")
    # Dublin Core object names as labels (AAT and DCMI via the concordance), never raw IRIs
    facets = page.inner_text("aside.facets")
    assert "vocab.getty.edu" not in facets and "purl.org/dc/dcmitype" not in facets
    assert "affiches" in facets
    meta = " ".join(page.locator(".card .meta").all_inner_texts())
    assert "http" not in meta
    assert images_loaded(page, ".card img.thumb") >= 4
    accessible(page)
    shot(page, "records")


def test_browsers_get_error_pages_and_programs_json(site: Site, browser: Any) -> None:
    page = new_page(browser)
    response = page.goto(f"{site.url}/records/kustlicht/no-such-record")
    assert response.status == 404
    assert page.inner_text("h1") == "Deze pagina bestaat niet"
    accessible(page)
    assert httpx.get(f"{site.url}/records/kustlicht/no-such-record").json()["error"] == "NotFoundError"
    assert httpx.get(f"{site.url}/").json()["name"] == "oogst"


def test_api_docs_work_offline(site: Site, browser: Any) -> None:
    page = new_page(browser)
    page.goto(f"{site.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "oogst" in page.inner_text(".swagger-ui .info .title")
    assert "/feeds/{name}/runs" in page.inner_text(".swagger-ui")


# -- the journey of a collection manager ------------------------------------------------------------------
def test_partner_registers_a_feed_harvests_and_sees_what_is_wrong(site: Site, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, site, "anna")
    assert "Hof van Leie" in page.inner_text("main")
    accessible(page)
    page.click("#new-feed")
    # 1. the address
    page.fill("#url", site.sim.endpoint(MUSEUM))
    accessible(page)
    shot(page, "wizard-address")
    page.click("#check")
    # 2. what oogst found: OAI-PMH, its formats (LIDO chosen) and sets
    page.wait_for_selector("#probe-result")
    assert "OAI-PMH" in page.inner_text("#probe-result")
    assert "Museum Hof van Leie" in page.inner_text("#probe-result")
    assert page.is_checked("input[name=prefix][value=lido]")
    assert page.locator("#set_spec option").count() == 4  # all sets + three
    assert page.input_value("#name") == "museum-hof-van-leie"
    page.fill("#name", MUSEUM)
    accessible(page)
    shot(page, "wizard-formats")
    page.click("#show-preview")
    # 3. five live records side by side: source, readable OSLO, checks, tier slot
    page.wait_for_selector("article.preview")
    assert page.locator("article.preview").count() == 5
    first = page.locator("article.preview").first
    assert "lido:lido" in first.locator("pre.source").inner_text()
    result = first.locator("dl.details").inner_text()
    assert "Objectnaam" in result and "Vervaardiger" in result and "http://vocab.getty.edu" not in result
    assert page.locator(".tier-slot").count() == 5
    assert "Metadata" in first.locator(".tier-slot").inner_text()
    accessible(page)
    shot(page, "wizard-preview")
    page.click("#continue")
    # 4. defaults and schedule, then save
    page.wait_for_selector("#rights")
    assert page.input_value("#provider") == "Museum Hof van Leie"
    page.check("input[name=schedule][value='daily 02:00']")
    accessible(page)
    shot(page, "wizard-defaults")
    page.click("#save")
    page.wait_for_url(f"**/manage/feeds/{MUSEUM}?msg=saved")
    feed = site.core.feed(MUSEUM)
    assert (feed.owner, feed.format, feed.schedule) == (MUSEUM, "lido", "daily 02:00")
    assert feed.profile["provider"]["name"] == "Museum Hof van Leie"
    # harvest now: the run goes on in the background; the page shows it when done
    page.click("#harvest-now")
    page.wait_for_selector("#message")
    assert "run" in page.inner_text("#message")
    assert site.core.runs.wait(timeout=120)
    page.reload()
    assert "voltooid" in page.inner_text("#runs")
    assert page.inner_text("#counts").split()[0] == "34"  # published
    validation = page.inner_text("#validation")
    assert "geen bruikbare rechtenstatus" in validation  # the record without rights, in plain Dutch
    assert "Zo lost u het op" in validation and "Adlib" in validation
    assert "geen geldige datum" in validation
    assert page.locator("svg.trend").count() == 1
    assert "34 records" in page.inner_text("#tiers")  # the tier distribution of the published records
    accessible(page)
    shot(page, "feed-page")
    csv = page.request.get(page.get_attribute("#csv", "href"))
    assert csv.ok and "acceptance:rechten" in csv.text()


def test_record_pages_show_every_field_the_source_and_the_checks(site: Site, browser: Any) -> None:
    if not site.core.counts(MUSEUM)["published"]:
        pytest.skip("needs the harvest of the journey test")
    page = new_page(browser)
    sign_in(page, site, "anna")
    page.goto(f"{site.url}/manage/feeds/{MUSEUM}")
    page.click("#quarantined a >> nth=0")
    assert page.locator("#state").count() == 1
    assert page.locator("#findings li").count() >= 1
    assert "lido:lido" in page.inner_text("#source")
    accessible(page)
    shot(page, "record-quarantined")
    # a published LIDO record: material, technique, dimensions, inscription, subject, acquisition
    rid = f"{MUSEUM}/oai:hofvanleie.be:lido:1979-G-002"
    page.goto(f"{site.url}/records/{rid}")
    fields_text = page.inner_text("dl.details")
    for label in ("Objectnaam", "Materiaal", "Techniek", "Afmetingen", "Opschrift", "Onderwerp", "Verwerving",
                  "Vervaardiger", "Plaats van vervaardiging"):
        assert label in fields_text, label
    assert "Antwerpen" in fields_text and "papier" in fields_text
    assert "vocab.getty.edu" not in fields_text
    page.wait_for_load_state("networkidle")
    assert images_loaded(page, "figure.image img") == 1
    assert "Metadata" in page.inner_text("#edm-slot") and "lido:lido" in page.inner_text("#source")
    assert "edm:ProvidedCHO" in page.inner_html("#edm")
    assert page.get_attribute("#sparql-link", "href").startswith(f"{site.url}/sparql?query=DESCRIBE")
    accessible(page)
    shot(page, "record-page")
    # anonymous: the public fields, but no source, checks or quarantine report
    anonymous = new_page(browser)
    anonymous.goto(f"{site.url}/records/{rid}")
    assert "Materiaal" in anonymous.inner_text("dl.details") and anonymous.locator("#source").count() == 0


# -- partners kept apart -----------------------------------------------------------------------------------
def test_a_second_partner_can_neither_see_nor_change_the_feed(site: Site, browser: Any) -> None:
    if MUSEUM not in {f.name for f in site.core.list_feeds()}:
        site.core.add_feed(MUSEUM, site.sim.endpoint(MUSEUM), "lido", owner=MUSEUM)
    page = new_page(browser)
    sign_in(page, site, "bert")
    assert MUSEUM not in page.inner_text("main")
    assert "kustlicht" in page.inner_text("main")
    response = page.goto(f"{site.url}/manage/feeds/{MUSEUM}")
    assert response.status == 404
    shot(page, "forbidden")
    csrf = page.get_attribute("input[name=csrf]", "value")
    refused = page.request.post(f"{site.url}/manage/feeds/{MUSEUM}/pause", form={"csrf": csrf})
    assert refused.status == 404
    assert site.core.feed(MUSEUM).status != "paused"
    # the API with bert's own token: 404 everywhere, as for a feed that does not exist
    bert = {"Authorization": f"Bearer {site.tokens['bert']}"}
    run_id = site.core.feed_runs(MUSEUM)[0]["id"] if site.core.feed_runs(MUSEUM) else 1
    for method, path, body in (("GET", f"/feeds/{MUSEUM}", None), ("PATCH", f"/feeds/{MUSEUM}", {"schedule": "x"}),
                               ("POST", f"/feeds/{MUSEUM}/pause", None), ("POST", f"/feeds/{MUSEUM}/runs", {}),
                               ("GET", f"/feeds/{MUSEUM}/report", None), ("GET", f"/runs/{run_id}/report", None)):
        answer = httpx.request(method, f"{site.url}{path}", headers=bert, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert [f["name"] for f in httpx.get(f"{site.url}/feeds", headers=bert).json()["items"]] == ["kustlicht"]
    # a quarantined record of the museum: no report for bert
    quarantined = site.core.feed_records(MUSEUM, state="quarantined", limit=1)
    if quarantined:
        body = httpx.get(f"{site.url}/records/{quarantined[0]['record_id']}", headers=bert).json()
        assert body["error"] == "RecordQuarantined" and "report" not in body
    # anna's token works on her own feed
    anna = {"Authorization": f"Bearer {site.tokens['anna']}"}
    assert httpx.get(f"{site.url}/feeds/{MUSEUM}", headers=anna).status_code == 200
    assert httpx.get(f"{site.url}/feeds/{MUSEUM}").status_code == 401


def test_forms_without_a_csrf_token_are_refused(site: Site, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, site, "anna")
    for path in (f"/manage/feeds/{MUSEUM}/pause", f"/manage/feeds/{MUSEUM}/harvest", "/manage/account/tokens"):
        refused = page.request.post(f"{site.url}{path}", form={"label": "x"})
        assert refused.status == 403, path
        forged = page.request.post(f"{site.url}{path}", form={"csrf": "forged"})
        assert forged.status == 403, path
    assert site.core.feed(MUSEUM).status != "paused"
    # the sign-in form is protected too (double submit)
    assert httpx.post(f"{site.url}/login", data={"name": "anna", "password": PASSWORD}).status_code == 403


def test_the_wizard_explains_what_is_wrong_with_an_address(site: Site, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, site, "anna")
    for url, words in ((f"http://127.0.0.1:{free_port()}/oai", "niet bereikbaar"),
                       (f"{site.url}/login", "geen OAI-PMH"),
                       ("http://10.11.12.13/oai", "privé-netwerk")):
        page.goto(f"{site.url}/manage/feeds/new")
        page.fill("#url", url)
        page.click("#check")
        page.wait_for_selector("#probe-problem")
        text = page.inner_text("#probe-problem")
        assert words in text, (url, text)
        assert "Traceback" not in page.content()
    accessible(page)
    shot(page, "wizard-problem")
    assert re.search(r"Stap 1 van 4", page.inner_text("main"))


def test_operator_pages_sign_in_and_account(site: Site, browser: Any) -> None:
    page = new_page(browser, locale="en-GB")
    page.goto(f"{site.url}/login")
    assert page.inner_text("h1") == "Sign in"  # Accept-Language: English
    accessible(page)
    page.fill("#name", "olga")
    page.fill("#password", "not the password")
    page.click("button[type=submit]:has-text('Sign in')")
    assert "not right" in page.inner_text("#login-error")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url("**/manage")
    assert "kustlicht" in page.inner_text("#feeds")  # an operator sees every organisation's feeds
    page.goto(f"{site.url}/manage/orgs")
    assert "Museum Hof van Leie" in page.inner_text("main")
    accessible(page)
    page.goto(f"{site.url}/manage/account")
    page.fill("#label", "a script")
    page.click("button:has-text('Make a new token')")
    token = page.inner_text("#new-token")
    assert site.core.accounts.token_user(token).name == "olga"
    accessible(page)
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{site.url}/")
    assert page.goto(f"{site.url}/manage").url.startswith(f"{site.url}/login")
