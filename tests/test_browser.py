"""The browser UI in a real Chromium (Playwright) against the real `armstrace serve`.

The register is built by ingesting articles written here with the real pipeline; the server
runs as a subprocess. Screenshots go to test-artifacts/ (gitignored). Skips, saying why,
when Debian's Chromium (/usr/bin/chromium) or the playwright package is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import ROOT, shared_path
from .serve_process import Served

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is absent: `apt-get install chromium` "
                "(scripts/test-env.sh does it as root)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

ARTICLES = [
    {"id": "iran-drones", "title": "Iran sends drones to Russia", "date": "2023-05-14",
     "url": "https://news.example.org/iran-drones", "publisher": "Example News",
     "text": "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.\n\n"
             "Sign up to our daily briefing\n\n"
             "Russia is also preparing to deliver Su-35 fighter jets to Iran, according to the officials.\n\n"
             "Read also: A headline about something else"},
    {"id": "iran-drones-2", "title": "More drones", "date": "2023-09-02",
     "url": "https://wire.example.com/drones", "publisher": "Example Wire",
     "text": "Iran delivered more Shahed-136 drones to Russia in August, Ukrainian intelligence said."},
    {"id": "norway", "title": "Norway to give howitzers", "date": "2024-02-20",
     "url": "https://nor.example.net/m109", "publisher": "Nordic Daily",
     "text": "Norway will donate eight M109 howitzers to Ukraine, the defence minister said."},
    # hostile: markup in the title, publisher, URL and inside the transfer sentences
    {"id": "hostile", "title": "A page <b>with</b> markup <script>window.__pwned=4</script>", "date": "2024-03-01",
     "url": "javascript:window.__pwned=3", "publisher": "Hostile <i>Press</i>",
     "text": "Germany delivered <script>window.__pwned=1</script> IRIS-T air defence systems to Ukraine, "
             "the ministry said.\n\n"
             "France has delivered <img src=x onerror=\"window.__pwned=2\"> Caesar howitzers to Ukraine, officials said.\n\n"
             "Read also: <script>window.__pwned=5</script> more news"},
]


Server = Served  # the real `armstrace serve` on a free port, until stop() (other tests import it from here)


def build_register(folder: Path, inputs: list[Path]) -> str:
    from armstrace.pipeline import ingest
    from armstrace.store import Store

    url = f"sqlite:///{folder / 'register.db'}"
    summary = ingest([str(p) for p in inputs], Store(url))
    assert summary.claims > 0, "the test articles gave no claims"
    return url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    articles = folder / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = build_register(folder, [articles])
    srv = Server(db, folder / "serve.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    pg.requests = []
    pg.on("pageerror", lambda err: pg.problems.append(f"page error: {err}"))
    pg.on("console", lambda msg: msg.type == "error" and pg.problems.append(f"console: {msg.text}"))
    pg.on("request", lambda req: pg.requests.append(req.url))
    yield pg
    context.close()


def open_ui(page, base: str, path: str = "/", expect_error: bool = False) -> None:
    page.goto(base + path)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    if not expect_error:
        error = page.get_by_test_id("error")
        assert error.is_hidden(), f"the page shows an error: {error.inner_text()}"


def wait_reloaded(page, action) -> None:
    """Run action (which applies filters) and wait until the page has loaded the new data."""
    page.evaluate("document.body.dataset.ready = '0'")
    action()
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def click_edge(page, source: str, target: str) -> None:
    """A real mouse click at the rendered midpoint of the source -> target edge."""
    pos = page.evaluate(
        """([s, t]) => {
            const st = window.__armstrace;
            const edge = st.cy.edges().filter((e) => e.data('source') === s && e.data('target') === t)[0];
            if (!edge) return null;
            return st.edgeMidpoint(edge);
        }""", [source, target])
    assert pos, f"no edge {source} -> {target} in the network"
    page.mouse.click(pos["x"], pos["y"])


def test_page_loads_everything_from_the_same_server(page, server):
    open_ui(page, server.url)
    page.wait_for_timeout(300)
    assert page.requests, "no requests recorded"
    foreign = [u for u in page.requests if not u.startswith(server.url) and not u.startswith("data:")]
    assert not foreign, f"the page loaded from elsewhere: {foreign}"
    assert not page.problems, page.problems
    stats = page.get_by_test_id("stats").inner_text()
    assert re.search(r"4 documents .* 7 claims", stats), stats


def test_network_shows_labelled_nodes_and_styled_edges(page, server):
    open_ui(page, server.url)
    nodes = page.evaluate("window.__armstrace.cy.nodes().map((n) => [n.id(), n.data('label')])")
    labels = dict(nodes)
    assert labels["IRN"] == "Iran" and labels["RUS"] == "Russia" and labels["UKR"] == "Ukraine", labels
    edges = page.evaluate("""window.__armstrace.cy.edges().map((e) => ({
        s: e.data('source'), t: e.data('target'), style: e.style('line-style'), color: e.style('line-color'),
        width: parseFloat(e.style('width')), visible: e.visible()}))""")
    assert all(e["visible"] for e in edges)
    # delivered drones solid, Su-35 (planned) dashed, and coloured by category
    assert any(e["s"] == "IRN" and e["t"] == "RUS" and e["style"] == "solid" for e in edges), edges
    assert any(e["s"] == "RUS" and e["t"] == "IRN" and e["style"] == "dashed" for e in edges), edges
    assert len({e["color"] for e in edges}) >= 3
    # the labels are drawn on screen: the network area is not blank
    box = page.get_by_test_id("network").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    legend = page.get_by_test_id("legend").inner_text()
    assert "drone" in legend and "not (yet) delivered" in legend
    shot(page, "network.png")
    assert not page.problems, page.problems


def test_filter_click_edge_then_evidence_and_document(page, server):
    open_ui(page, server.url)
    page.get_by_test_id("filter-supplier").fill("Iran")  # a name: resolved to its code
    page.get_by_test_id("filter-recipient").fill("RUS")
    wait_reloaded(page, lambda: page.get_by_test_id("filter-apply").click())
    assert "supplier=IRN" in page.url and "recipient=RUS" in page.url, page.url
    assert page.get_by_test_id("filter-supplier").input_value() == "IRN"
    pairs = page.evaluate("window.__armstrace.cy.edges().map((e) => e.data('source') + '>' + e.data('target'))")
    assert pairs and set(pairs) == {"IRN>RUS"}, pairs
    rows = page.get_by_test_id("register-row")
    assert rows.count() >= 1
    assert all(row.startswith("Iran\tRussia") for row in rows.all_inner_texts()), rows.all_inner_texts()

    click_edge(page, "IRN", "RUS")
    evidence = page.get_by_test_id("evidence")
    evidence.wait_for(state="visible")
    sentence = evidence.get_by_test_id("evidence-sentence").filter(has_text="Iran has supplied Shahed-136 drones to Russia")
    sentence.first.wait_for()
    assert "pair=IRN" in page.url
    marks = sentence.first.locator("mark").all_inner_texts()
    assert "Iran" in marks and "Russia" in marks and any("drones" in m for m in marks), marks
    item = evidence.get_by_test_id("evidence-item").filter(has_text="Iran has supplied Shahed-136")
    meta = item.first.inner_text()
    assert "U.S. officials" in meta and "Example News" in meta and "2023-05-14" in meta, meta
    assert item.first.locator("a.url").get_attribute("href") == "https://news.example.org/iran-drones"
    shot(page, "evidence.png")

    item.first.get_by_test_id("open-document").click()
    document = page.get_by_test_id("document")
    document.wait_for(state="visible")
    assert "#doc=" in page.url
    assert page.get_by_test_id("document-title").inner_text() == "Iran sends drones to Russia"
    text = document.get_by_test_id("document-text")
    assert "Russia is also preparing to deliver Su-35 fighter jets to Iran" in text.inner_text()
    assert "Iran has supplied Shahed-136 drones to Russia" in " ".join(text.locator("mark").all_inner_texts())
    claims = document.get_by_test_id("document-claims").inner_text()
    assert "IRN → RUS" in claims and "RUS → IRN" in claims
    removed = document.get_by_test_id("document-removed").inner_text()
    assert "newsletter" in removed and "Sign up to our daily briefing" in removed, removed
    assert "related_link" in removed and "Read also: A headline about something else" in removed, removed
    assert "Sign up to our daily briefing" not in text.inner_text()
    shot(page, "document.png")

    page.go_back()  # back to the evidence of the pair
    evidence.wait_for(state="visible")
    assert page.get_by_test_id("document").is_hidden()
    assert not page.problems, page.problems


def test_shared_url_restores_the_view(page, server):
    open_ui(page, server.url, "/?supplier=IRN&recipient=RUS#pair=IRN%3ERUS")
    assert page.get_by_test_id("filter-supplier").input_value() == "IRN"
    assert page.get_by_test_id("filter-recipient").input_value() == "RUS"
    assert page.evaluate("window.__armstrace.cy.edges().length") >= 1
    page.get_by_test_id("evidence").get_by_text("Iran has supplied Shahed-136 drones", exact=False).first.wait_for()
    href = page.get_by_test_id("download-csv").get_attribute("href")
    assert href == "/api/export.csv?supplier=IRN&recipient=RUS", href
    response = page.request.get(server.url + href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert "Iran" in response.text() and "Norway" not in response.text()


def test_article_markup_is_shown_as_text_and_never_runs(page, server):
    open_ui(page, server.url, "/?recipient=UKR")
    for supplier, needle in (("DEU", "<script>window.__pwned=1</script>"),
                             ("FRA", '<img src=x onerror="window.__pwned=2">')):
        click_edge(page, supplier, "UKR")
        evidence = page.get_by_test_id("evidence")
        sentence = evidence.get_by_test_id("evidence-sentence").filter(has_text=needle)
        sentence.first.wait_for()
        # no element came out of the text: the markup is characters on the screen
        assert evidence.locator("script, img, b, i").count() == 0
        assert "Hostile <i>Press</i>" in evidence.inner_text()
        # a javascript: URL is not a link
        assert evidence.locator("a[href^='javascript']").count() == 0
        assert "javascript:window.__pwned=3" in evidence.inner_text()
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None

    shot(page, "hostile-evidence.png")
    page.get_by_test_id("evidence").get_by_test_id("open-document").first.click()
    document = page.get_by_test_id("document")
    document.wait_for(state="visible")
    text = document.get_by_test_id("document-text").inner_text()
    assert "<script>window.__pwned=1</script>" in text and 'onerror="window.__pwned=2"' in text
    assert page.get_by_test_id("document-title").inner_text() == "A page <b>with</b> markup <script>window.__pwned=4</script>"
    assert "Read also: <script>window.__pwned=5</script> more news" in document.get_by_test_id("document-removed").inner_text()
    assert document.locator("script, img, b, i").count() == 0
    assert document.locator("a[href^='javascript']").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # only app.js
    shot(page, "hostile-document.png")
    assert not [p for p in page.problems if "pwned" in p], page.problems


def test_map_draws_countries_and_flows(page, server):
    open_ui(page, server.url)
    world = page.get_by_test_id("map")
    world.locator("svg path.country").first.wait_for()
    assert world.locator("svg path.country").count() > 150
    flows = world.get_by_test_id("map-flow")
    pairs = {(f.get_attribute("data-source"), f.get_attribute("data-target")) for f in flows.all()}
    assert {("IRN", "RUS"), ("RUS", "IRN"), ("NOR", "UKR")} <= pairs, pairs
    labels = world.locator("text.place-label").all_text_contents()
    assert {"Iran", "Russia", "Ukraine"} <= set(labels), labels
    # a click on a flow opens its evidence
    flow = world.locator("[data-testid='map-flow'][data-source='NOR']")
    flow.scroll_into_view_if_needed()
    at = flow.evaluate("""(path) => {
        const p = path.getPointAtLength(path.getTotalLength() / 2);
        const m = path.getScreenCTM();
        return {x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f};
    }""")
    page.mouse.click(at["x"], at["y"])
    page.get_by_test_id("evidence").get_by_text("Norway will donate eight M109 howitzers").wait_for()


def test_timeline_brush_sets_the_date_filter(page, server):
    open_ui(page, server.url)
    bars = page.get_by_test_id("timeline").locator("rect[data-month]")
    months = sorted({b.get_attribute("data-month") for b in bars.all()})
    assert months == ["2023-05", "2023-08", "2024-02", "2024-03"], months
    # drag from just before the first bar of 2024 to the end
    first_2024 = page.get_by_test_id("timeline").locator("rect[data-month='2024-02']").first.bounding_box()
    overlay = page.get_by_test_id("timeline-brush").bounding_box()
    y = overlay["y"] + overlay["height"] / 2

    def drag():
        page.mouse.move(first_2024["x"] + 1, y)
        page.mouse.down()
        page.mouse.move(overlay["x"] + overlay["width"] - 2, y, steps=5)
        page.mouse.up()

    wait_reloaded(page, drag)
    assert "since=2024-02" in page.url and "until=2024-03" in page.url, page.url
    assert page.get_by_test_id("filter-since").input_value() == "2024-02"
    suppliers = {r.split("\t")[0] for r in page.get_by_test_id("register-row").all_inner_texts()}
    assert suppliers == {"Norway", "Germany", "France"}, suppliers
    assert page.evaluate("window.__armstrace.cy.nodes().map((n) => n.id())").count("IRN") == 0
    wait_reloaded(page, lambda: page.get_by_test_id("timeline-clear").click())
    assert "since" not in page.url


def test_register_sorts_and_filters(page, server):
    open_ui(page, server.url)
    rows = page.get_by_test_id("register-row")
    assert rows.count() == 6
    page.get_by_test_id("sort-supplier").click()
    suppliers = [r.split("\t")[0] for r in rows.all_inner_texts()]
    assert suppliers == sorted(suppliers), suppliers
    page.get_by_test_id("sort-supplier").click()
    assert [r.split("\t")[0] for r in rows.all_inner_texts()] == sorted(suppliers, reverse=True)
    page.get_by_test_id("register-filter").fill("artillery")
    assert {r.split("\t")[0] for r in rows.all_inner_texts()} == {"Norway", "France"}
    rows.first.click()
    page.get_by_test_id("evidence").get_by_test_id("fact").first.wait_for()
    assert "#fact=" in page.url


def test_autocomplete_and_empty_result(page, server):
    open_ui(page, server.url)
    page.get_by_test_id("filter-recipient").press_sequentially("ukr", delay=30)
    page.locator("#actors-recipient option").first.wait_for(state="attached")
    options = page.evaluate("[...document.querySelectorAll('#actors-recipient option')].map((o) => [o.value, o.label])")
    assert ["UKR", "Ukraine"] in options, options
    page.get_by_test_id("filter-supplier").fill("NOR")
    page.get_by_test_id("filter-category").select_option("drone")
    wait_reloaded(page, lambda: page.get_by_test_id("filter-recipient").press("Enter"))
    assert "category=drone" in page.url
    assert page.get_by_test_id("network-empty").is_visible()
    assert page.get_by_test_id("register-row").count() == 0
    assert "No facts match" in page.get_by_test_id("register").inner_text()
    assert page.get_by_test_id("error").is_hidden()


def test_bad_filter_shows_the_api_message(page, server):
    open_ui(page, server.url, "/?status=shipped", expect_error=True)
    error = page.get_by_test_id("error")
    error.wait_for(state="visible")
    assert "unknown status 'shipped'" in error.inner_text()


def test_dev_corpus_screenshot(browser, tmp_path):
    corpus = shared_path("corpus", "dev", "docs.jsonl")
    db = build_register(tmp_path, [corpus])
    srv = Server(db, tmp_path / "serve.log")
    try:
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        pg = context.new_page()
        problems = []
        pg.on("pageerror", lambda err: problems.append(str(err)))
        open_ui(pg, srv.url)
        pg.wait_for_timeout(500)
        nodes = pg.evaluate("window.__armstrace.cy.nodes().map((n) => n.data('label'))")
        edges = pg.evaluate("window.__armstrace.cy.edges().length")
        assert len(nodes) >= 10 and all(isinstance(n, str) and n for n in nodes), nodes
        assert "Ukraine" in nodes and edges >= 10
        assert pg.get_by_test_id("map").get_by_test_id("map-flow").count() >= 5
        assert pg.get_by_test_id("timeline").locator("rect[data-month]").count() >= 3
        path = shot(pg, "dev-corpus.png")
        assert path.stat().st_size > 50_000
        assert not problems, problems
        context.close()
    finally:
        srv.stop()


def test_timeline_says_how_many_claims_are_undated(browser, tmp_path):
    articles = tmp_path / "mixed.jsonl"
    articles.write_text(json.dumps(ARTICLES[2]) + "\n" + json.dumps(
        {"id": "undated", "title": "No date", "text": "Japan will supply patrol boats to the Philippines, officials said."})
        + "\n", encoding="utf-8")
    srv = Server(build_register(tmp_path, [articles]), tmp_path / "serve.log")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        open_ui(pg, srv.url)
        note = pg.get_by_test_id("timeline-undated")
        assert note.inner_text().startswith("1 undated claim not shown"), note.inner_text()
        assert pg.get_by_test_id("timeline").locator("rect[data-month]").count() >= 1
        context.close()
    finally:
        srv.stop()


def _map_view(page):
    """The map's box, its zoom and the screen boxes of its flows and their end dots."""
    return page.evaluate("""() => {
        const root = document.querySelector("[data-testid='map'] svg.map-svg");
        const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        return {map: box(root), zoom: Number(root.dataset.zoom || 0),
                flows: [...root.querySelectorAll("[data-testid='map-flow']")].map(box),
                dots: [...root.querySelectorAll("circle.place")].map(box)};
    }""")


@pytest.mark.parametrize("query", ["?supplier=NOR", "?supplier=IRN", "?recipient=UKR", ""])
def test_the_map_fits_the_filtered_flows(page, server, query):
    """The map opens on the flows the filters leave, the whole of each arrow and dot in view,
    zoomed in as far as that allows (it used to show the whole world, or cut the bends of the
    arrows off when zoomed)."""
    open_ui(page, server.url, "/" + query)
    page.get_by_test_id("map").get_by_test_id("map-flow").first.wait_for()
    view = _map_view(page)
    page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / f"map-fit{query.replace('?', '-').replace('=', '-')}.png"))
    x0, y0, x1, y1 = view["map"]
    assert view["flows"] and view["dots"]
    for left, top, right, bottom in view["flows"] + view["dots"]:
        assert x0 - 1 <= left and right <= x1 + 1 and y0 - 1 <= top and bottom <= y1 + 1, (query, view)
    xs = [v for b in view["flows"] + view["dots"] for v in (b[0], b[2])]
    ys = [v for b in view["flows"] + view["dots"] for v in (b[1], b[3])]
    # the flows fill the map in at least one direction (less the margin kept around them)
    fill = max((max(xs) - min(xs)) / (x1 - x0), (max(ys) - min(ys)) / (y1 - y0))
    assert view["zoom"] >= 1 and (fill >= 0.5 or view["zoom"] >= 7.99), (query, fill, view["zoom"])
