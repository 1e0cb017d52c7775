"""Analyst review in the browser (issue 12), in Debian's Chromium against the real `armstrace serve`.

A register is built by ingesting articles written here; a reviewer is made with the real
`armstrace users add`. The tests sign in with her token, work through the review queue with
the keyboard (reject one claim, correct another's status), see the fact, the network and
the register follow, reload and find it all kept; check that a write without a valid token
is refused and changes nothing, that a note holding markup stays text; and that the flow
network of 200 actors shows no overlapping labels. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import random
import re
import urllib.error
import urllib.request

import pytest

from .conftest import ROOT, run_cli, shared_path
from .test_browser import ARTIFACTS, Server, browser, build_register, open_ui, shot  # noqa: F401 (browser: a fixture)

ARTICLES = [
    {"id": "drones-1", "title": "Drone deliveries", "date": "2023-05-14", "url": "https://news.example.org/drones",
     "publisher": "Example News",
     "text": "Iran has supplied Shahed-136 drones to Russia, U.S. officials said on Monday.\n\n"
             "Sign up to our daily briefing\n\n"
             "Belarus delivered T-72 tanks to Serbia last month, the ministry said."},
    {"id": "drones-2", "title": "More drones", "date": "2023-09-02", "url": "https://wire.example.com/drones",
     "publisher": "Example Wire",
     "text": "Iran delivered more Shahed-136 drones to Russia in August, Ukrainian intelligence said."},
    {"id": "jets", "title": "Jets and boats", "date": "2024-02-20", "url": "https://planet.example.net/jets",
     "publisher": "Daily Planet",
     "text": "France has agreed to sell 30 Rafale fighter jets to Egypt, according to the Wall Street Journal.\n\n"
             "Japan plans to supply patrol boats to the Philippines, officials said.\n\n"
             "The second batch arrived at the port of Manila in May, a commander said."},
]
HOSTILE_NOTE = '<img src=x onerror="window.__pwned=2"> <script>window.__pwned=1</script>'


def api(base: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    """A request straight to the API (not through the page): status and JSON body."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def claim_of(base: str, supplier: str, recipient: str, review: str = "any") -> dict:
    status, body = api(base, f"/api/claims?supplier={supplier}&recipient={recipient}&review={review}")
    assert status == 200 and body, (status, body)
    items = body["items"] if isinstance(body, dict) else body
    assert len(items) == 1, items
    return items[0]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """The server over a fresh register, and a reviewer's token."""
    folder = tmp_path_factory.mktemp("review-browser")
    articles = folder / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = build_register(folder, [articles])
    made = run_cli("users", "add", "alice", "--db", db)
    assert made.returncode == 0, made.stderr.decode()
    token = made.stdout.decode().strip()
    assert token and "\n" not in token, made.stdout
    srv = Server(db, folder / "serve.log")
    srv.token = token
    yield srv
    srv.stop()


def new_page(browser, width=1500, height=1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda err: pg.problems.append(f"page error: {err}"))
    return context, pg


def sign_in(page, token: str) -> None:
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id("token-input").fill(token)
    page.get_by_test_id("token-submit").click()
    try:
        page.get_by_test_id("signed-in").wait_for(timeout=10_000)
    except Exception:
        shot(page, "DEBUG-signin.png")
        raise AssertionError(f"not signed in: {page.get_by_test_id('error').inner_text()} / {page.get_by_test_id('signin').inner_text()}")


def current_claim(page) -> int:
    return int(page.get_by_test_id("queue-current").get_attribute("data-claim"))


def go_to(page, claim_id: int) -> None:
    """Press j until the queue's focused claim is `claim_id`."""
    for _ in range(50):
        if current_claim(page) == claim_id:
            return
        before = current_claim(page)
        page.keyboard.press("j")
        page.wait_for_function("(c) => document.querySelector('[data-testid=queue-current]').dataset.claim !== String(c)", arg=before)
    raise AssertionError(f"claim {claim_id} is not in the review queue")


EDGES = """() => window.__armstrace.cy.edges().map((e) => ({s: e.data('source'), t: e.data('target'),
    delivered: e.data('delivered'), style: e.style('line-style'), reviewed: e.hasClass('reviewed'), status: e.data('status')}))"""


def edge(page, source: str, target: str) -> dict | None:
    return next((e for e in page.evaluate(EDGES) if e["s"] == source and e["t"] == target), None)


def test_queue_keyboard_reject_and_correct_are_kept(browser, reviewed):
    base, token = reviewed.url, reviewed.token
    tanks = claim_of(base, "BLR", "SRB")
    jets = claim_of(base, "FRA", "EGY")
    assert jets["status"] == "agreed" and tanks["review"] is None
    context, page = new_page(browser)
    try:
        open_ui(page, base)
        assert edge(page, "BLR", "SRB") and edge(page, "FRA", "EGY")["style"] == "dashed"
        sign_in(page, token)
        assert page.get_by_test_id("signed-in").inner_text() == "signed in as alice"

        page.get_by_test_id("open-queue").click()
        queue = page.get_by_test_id("queue")
        queue.get_by_test_id("queue-current").wait_for()
        assert "j / n next" in queue.get_by_test_id("queue-hint").inner_text()
        assert "a accept" in queue.get_by_test_id("queue-hint").inner_text()
        total = api(base, "/api/review/queue?limit=1")[1]["total"]
        assert total >= 5 and f"of {total} unreviewed" in queue.get_by_test_id("queue-position").inner_text()

        # the highlights come from the claim's offsets
        go_to(page, tanks["id"])
        marks = {m.get_attribute("class"): m.inner_text() for m in queue.get_by_test_id("queue-sentence").locator("mark").all()}
        assert marks["hl-supplier"] == "Belarus" and marks["hl-recipient"] == "Serbia" and "T-72" in marks["hl-item"], marks
        fields = queue.get_by_test_id("queue-fields").inner_text()
        assert "Belarus (BLR)" in fields and "1 independent report" in fields, fields
        shot(page, "review-queue.png")

        # r rejects the focused claim: the queue moves on, and its fact (one claim) leaves the network
        page.keyboard.press("r")
        page.wait_for_function("(c) => document.querySelector('[data-testid=queue-current]').dataset.claim !== String(c)",
                               arg=tanks["id"])
        page.wait_for_function("() => !window.__armstrace.cy.edges().some((e) => e.data('source') === 'BLR')")
        assert total - 1 == int(re.search(r"of (\d+)", queue.get_by_test_id("queue-position").inner_text()).group(1))

        # c opens the correction form; typing in it is not taken for shortcuts
        go_to(page, jets["id"])
        page.keyboard.press("c")
        form = queue.get_by_test_id("correct-form")
        form.wait_for()
        form.get_by_test_id("correct-status").select_option("delivered")
        form.get_by_test_id("correct-note").click()
        page.keyboard.type("seen on the ramp in Cairo: a, r, c, j")
        assert current_claim(page) == jets["id"] and form.is_visible()
        shot(page, "correct-form.png")
        page.keyboard.press("Escape")  # Esc closes the form, not the panel, and saves nothing
        form.wait_for(state="detached")
        assert queue.is_visible()
        assert claim_of(base, "FRA", "EGY")["review"] is None

        page.keyboard.press("c")
        form.wait_for()
        form.get_by_test_id("correct-status").select_option("delivered")
        form.get_by_test_id("correct-note").fill("delivery confirmed by a second report")
        form.get_by_test_id("correct-save").click()
        page.wait_for_function("(c) => document.querySelector('[data-testid=queue-current]')?.dataset.claim !== String(c)",
                               arg=jets["id"])
        # the network follows: the fact is delivered now (solid) and marked as reviewed
        page.wait_for_function("""() => window.__armstrace.cy.edges().some((e) => e.data('source') === 'FRA'
            && e.data('delivered') && e.hasClass('reviewed'))""")
        assert edge(page, "FRA", "EGY")["style"] == "solid"
        row = page.get_by_test_id("register-row").filter(has_text="Egypt")
        assert "delivered" in row.inner_text() and "✓ 1" in row.inner_text(), row.inner_text()
        assert not page.get_by_test_id("register-row").filter(has_text="Serbia").count()

        # the fact's evidence shows the corrected status and who did it
        page.evaluate(f"location.hash = 'fact={jets['fact_id']}'")
        evidence = page.get_by_test_id("evidence")
        evidence.get_by_test_id("review-badge").first.wait_for()
        assert evidence.get_by_test_id("fact-status").inner_text() == "delivered"
        assert evidence.get_by_test_id("review-badge").first.inner_text() == "✎ corrected · alice"
        assert "According to: " in evidence.get_by_test_id("fact-cited").inner_text()
        assert "1 independent report" in evidence.get_by_test_id("fact-reports").inner_text()

        # a reload keeps the sign-in and the reviews
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.get_by_test_id("signed-in").wait_for()
        assert page.get_by_test_id("signed-in").inner_text() == "signed in as alice"
        assert edge(page, "BLR", "SRB") is None
        assert edge(page, "FRA", "EGY")["style"] == "solid" and edge(page, "FRA", "EGY")["reviewed"]
        page.evaluate("location.hash = 'queue'")
        queue.get_by_test_id("queue-current").wait_for()
        in_queue = {int(x.get_attribute("data-claim")) for x in queue.get_by_test_id("queue-item").all()}
        assert tanks["id"] not in in_queue and jets["id"] not in in_queue and len(in_queue) == total - 2
        assert claim_of(base, "BLR", "SRB")["review"] == "rejected"
        assert claim_of(base, "FRA", "EGY")["status"] == "delivered"
        # the rejected claim is still in its document, struck through and badged
        page.evaluate(f"location.hash = 'doc={tanks['document_id']}'")
        doc_claim = page.get_by_test_id("document-claims").locator(f"li[data-claim='{tanks['id']}']")
        doc_claim.wait_for()
        assert "✗ rejected · alice" in doc_claim.inner_text()
        assert not page.problems, page.problems
    finally:
        context.close()


def test_a_write_without_a_valid_token_is_refused_and_changes_nothing(browser, reviewed):
    base = reviewed.url
    target = claim_of(base, "JPN", "PHL")
    assert target["review"] is None
    # straight to the API: no token, a wrong one
    for token in (None, "not-a-token"):
        status, body = api(base, f"/api/claims/{target['id']}/review", {"action": "reject"}, token=token)
        assert status == 401 and "token" in body["detail"], (status, body)
    assert claim_of(base, "JPN", "PHL")["review"] is None

    context, page = new_page(browser)
    try:
        open_ui(page, base)
        # from the page, without signing in: the API's message in the error bar, nothing changed
        status = page.evaluate("""(id) => fetch(`/api/claims/${id}/review`, {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify({action: 'accept'})}).then((r) => r.status)""",
                               target["id"])
        assert status == 401
        page.evaluate(f"location.hash = 'fact={target['fact_id']}'")
        page.get_by_test_id("evidence").get_by_test_id("review-reject").first.click()
        error = page.get_by_test_id("error")
        error.wait_for(state="visible")
        assert "token" in error.inner_text(), error.inner_text()
        assert claim_of(base, "JPN", "PHL")["review"] is None
        assert edge(page, "JPN", "PHL") is not None
        # a wrong token is not taken: no sign-in, the message shown
        page.get_by_test_id("sign-in").click()
        page.get_by_test_id("token-input").fill("wrong-token")
        page.get_by_test_id("token-submit").click()
        page.wait_for_function("() => document.querySelector('[data-testid=error]').textContent.includes('sign-in')")
        assert page.get_by_test_id("signed-in").count() == 0
        assert page.evaluate("localStorage.getItem('armstrace.reviewerToken')") is None
        assert not page.problems, page.problems
    finally:
        context.close()


def test_a_review_note_with_markup_stays_text(browser, reviewed):
    base, token = reviewed.url, reviewed.token
    status, body = api(base, "/api/claims?supplier=IRN&recipient=RUS&review=unreviewed")
    items = body["items"] if isinstance(body, dict) else body
    target = items[0]
    context, page = new_page(browser)
    try:
        open_ui(page, base)
        sign_in(page, token)
        page.evaluate(f"location.hash = 'fact={target['fact_id']}'")
        item = page.get_by_test_id("evidence").locator(f"[data-testid=evidence-item][data-claim='{target['id']}']")
        item.get_by_test_id("review-correct").click()
        form = item.get_by_test_id("correct-form")
        form.get_by_test_id("correct-designation").fill("Geran-2")
        form.get_by_test_id("correct-note").fill(HOSTILE_NOTE)
        form.get_by_test_id("correct-save").click()
        item = page.get_by_test_id("evidence").locator(f"[data-testid=evidence-item][data-claim='{target['id']}']")
        item.get_by_test_id("review-badge").wait_for()
        assert item.get_by_test_id("review-badge").inner_text() == "✎ corrected · alice"
        # the note in the claim's history and in its document: characters, not elements
        item.get_by_test_id("review-history-toggle").click()
        history = item.get_by_test_id("review-history")
        history.get_by_text(HOSTILE_NOTE).wait_for()
        page.evaluate(f"location.hash = 'doc={target['document_id']}'")
        note = page.get_by_test_id("document").get_by_test_id("review-note").filter(has_text="onerror")
        note.wait_for()
        assert note.inner_text() == HOSTILE_NOTE
        assert page.locator("#panel img, #panel script").count() == 0
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('script').length") == 1  # only app.js
        shot(page, "review-note.png")
        assert not page.problems, page.problems
    finally:
        context.close()


def test_a_review_whose_answer_is_lost_is_sent_again_and_stored_once(browser, reviewed):
    """The connection breaks after the server stored a review but before the page heard back:
    the page sends it again with the same Idempotency-Key, and the log holds it once."""
    base, token = reviewed.url, reviewed.token
    status, body = api(base, "/api/claims?supplier=IRN&recipient=RUS&review=unreviewed")
    target = body["items"][-1]
    before = api(base, f"/api/reviews?claim_id={target['id']}")[1]["items"]
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.headers.get("idempotency-key"))
        if len(sent) == 1:
            route.fetch()  # the server writes the review ...
            route.abort("connectionreset")  # ... and the page never hears of it
        else:
            route.continue_()

    context, page = new_page(browser)
    try:
        open_ui(page, base)
        sign_in(page, token)
        page.route("**/api/claims/*/review", lose_the_first_answer)
        page.evaluate(f"location.hash = 'fact={target['fact_id']}'")
        item = page.get_by_test_id("evidence").locator(f"[data-testid=evidence-item][data-claim='{target['id']}']")
        item.get_by_test_id("review-accept").click()
        item = page.get_by_test_id("evidence").locator(f"[data-testid=evidence-item][data-claim='{target['id']}']")
        item.get_by_test_id("review-badge").wait_for()
        assert item.get_by_test_id("review-badge").inner_text() == "✓ accepted · alice"
        assert len(sent) == 2 and sent[0] == sent[1] and re.fullmatch(r"[0-9a-f]{32}", sent[0]), sent
        after = api(base, f"/api/reviews?claim_id={target['id']}")[1]["items"]
        assert len(after) == len(before) + 1 and after[0]["request_id"] == sent[0] and after[0]["action"] == "accept"
        assert page.get_by_test_id("error").is_hidden()
        assert not page.problems, page.problems
    finally:
        context.close()


def test_document_view_raw_text_highlights_and_an_added_claim(browser, reviewed):
    base = reviewed.url
    jets = claim_of(base, "JPN", "PHL")
    context, page = new_page(browser)
    try:
        open_ui(page, base)
        sign_in(page, reviewed.token)
        page.evaluate(f"location.hash = 'doc={claim_of(base, 'BLR', 'SRB')['document_id']}'")
        document = page.get_by_test_id("document")
        document.get_by_test_id("document-text").wait_for()
        marks = document.get_by_test_id("document-text").locator("mark.hl-supplier").all_inner_texts()
        assert "Iran" in marks and "Belarus" in marks, marks
        assert "Sign up to our daily briefing" not in document.get_by_test_id("document-text").inner_text()
        if document.get_by_test_id("document-show-raw").count():  # the register kept the raw input
            document.get_by_test_id("document-show-raw").click()
            raw = document.get_by_test_id("document-raw")
            assert raw.is_visible() and document.get_by_test_id("document-text").is_hidden()
            greyed = raw.locator(".removed-inline").all_inner_texts()
            assert any("Sign up to our daily briefing" in g for g in greyed), greyed
            shot(page, "document-raw.png")
        # a claim the machine missed: select its sentence, fill in what it says
        missed = "The second batch arrived at the port of Manila in May, a commander said."
        page.evaluate(f"location.hash = 'doc={jets['document_id']}'")
        text = document.get_by_test_id("document-text")
        page.wait_for_function("(t) => document.querySelector('[data-testid=document-text]')?.textContent.includes(t)", arg=missed)
        text.evaluate("""(body, needle) => {
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.data.indexOf(needle);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(n, at);
                range.setEnd(n, at + needle.length);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                body.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
        }""", missed)
        assert missed[:40] in document.get_by_test_id("add-claim-selection").inner_text()
        document.get_by_test_id("add-claim").click()
        form = document.get_by_test_id("correct-form")
        form.get_by_test_id("correct-supplier").fill("JPN")
        form.get_by_test_id("correct-recipient").fill("PHL")
        form.get_by_test_id("correct-category").select_option("naval")
        form.get_by_test_id("correct-status").select_option("delivered")
        form.get_by_test_id("correct-save").click()
        added = document.get_by_test_id("document-claims").locator("li[data-review='added']")
        added.wait_for()
        assert "+ added · alice" in added.inner_text() and "JPN → PHL" in added.inner_text()
        # the new claim's sentence is marked in the text
        assert any(missed in m for m in text.locator("mark.claim-span").all_inner_texts())
        shot(page, "added-claim.png")

        # in the evidence view too, the marks are where the claim was read
        page.evaluate(f"location.hash = 'fact={jets['fact_id']}'")
        sentence = page.get_by_test_id("evidence").get_by_test_id("evidence-sentence").first
        sentence.wait_for()
        assert sentence.locator("mark.hl-supplier").inner_text() == "Japan"
        assert "Philippines" in sentence.locator("mark.hl-recipient").inner_text()
        # the register: independent reports and reviewed columns, the review filter
        assert page.get_by_test_id("sort-n_sources").inner_text().startswith("Reports")
        assert page.get_by_test_id("sort-n_reviewed").count() == 1
        assert page.get_by_test_id("filter-review").locator("option[value='unreviewed']").count() == 1
        assert not page.problems, page.problems
    finally:
        context.close()


# ---------------------------------------------------------------- a network of 200 actors

ITEMS = ["tanks", "fighter jets", "drones", "artillery shells", "patrol boats", "air defence systems", "rifles",
         "armoured vehicles", "helicopters", "anti-ship missiles"]
VERBS = ["delivered", "supplied", "has delivered", "sold", "will deliver", "agreed to sell"]
PUBLISHERS = ["Example News", "Example Wire", "Daily Planet", "Harbour Times", "Capital Post", "Morning Ledger"]


def network_articles(n_actors: int = 200, seed: int = 12) -> list[dict]:
    """Short articles naming `n_actors` states of the gazetteer: a few big suppliers with many
    recipients, and random pairs, some reported more than once."""
    actors = [json.loads(line) for line in
              (ROOT / "src" / "armstrace" / "data" / "actors.jsonl").read_text("utf-8").splitlines() if line.strip()]
    names = sorted(a["name"] for a in actors if a["kind"] == "state"
                   and all(w.isalpha() for w in a["name"].split()) and len(a["name"].split()) <= 2)[:n_actors]
    rng = random.Random(seed)
    rng.shuffle(names)
    hubs, rest = names[:8], names[8:]
    pairs = set()
    for i, hub in enumerate(hubs):
        pairs.update((hub, r) for r in rng.sample(rest, 30 - 3 * i))
    while len(pairs) < 300:
        a, b = rng.sample(names, 2)
        pairs.add((a, b))
    for name in rest:
        if not any(name in p for p in pairs):
            pairs.add((rng.choice(hubs), name))
    sentences = []
    for a, b in sorted(pairs):
        sentence = f"{a} {rng.choice(VERBS)} {rng.choice(ITEMS)} to {b}."
        sentences += [sentence] * (1 + (rng.random() < 0.3) + (rng.random() < 0.1))
    rng.shuffle(sentences)
    return [{"id": f"net-{n}", "title": f"Arms roundup {n}", "date": f"2024-{1 + n % 12:02d}-10",
             "publisher": PUBLISHERS[n % len(PUBLISHERS)], "url": f"https://example.org/net/{n}",
             "text": "\n\n".join(sentences[i:i + 6])}
            for n, i in enumerate(range(0, len(sentences), 6))]


LABEL_OVERLAPS = """() => {
    const cy = window.__armstrace.cy;
    const shown = cy.nodes().filter((n) => n.visible() && n.style('label') !== '');
    const boxes = shown.map((n) => [n.id(), n.boundingBox({includeLabels: true, includeNodes: false, includeEdges: false})]);
    const bad = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) bad.push([a, b]);
    }
    return {shown: boxes.length, nodes: cy.nodes(':visible').length, overlaps: bad.slice(0, 10), n: bad.length};
}"""


def test_network_of_200_actors_has_no_overlapping_labels(browser, tmp_path):
    articles = tmp_path / "network.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in network_articles()), encoding="utf-8")
    srv = Server(build_register(tmp_path, [articles]), tmp_path / "serve.log")
    context, page = new_page(browser, 1500, 1000)
    try:
        open_ui(page, srv.url)
        ARTIFACTS.mkdir(exist_ok=True)
        page.wait_for_timeout(300)
        found = page.evaluate(LABEL_OVERLAPS)
        assert found["nodes"] >= 180, found
        assert found["n"] == 0, found
        assert found["shown"] >= 30, found  # the biggest actors keep their names
        page.get_by_test_id("network").screenshot(path=str(ARTIFACTS / "network-200.png"))
        shot(page, "network-200-page.png")

        # a hidden label shows on hover
        hidden = page.evaluate("""() => { const n = window.__armstrace.cy.nodes('.label-hidden')[0];
            return n ? [n.id(), window.__armstrace.nodePosition(n)] : null; }""")
        assert hidden, "no label was hidden at 200 actors"
        page.mouse.move(hidden[1]["x"], hidden[1]["y"])
        page.wait_for_function("(id) => window.__armstrace.cy.getElementById(id).style('label') !== ''", arg=hidden[0])
        page.mouse.move(5, 5)

        # zooming in shows more names, still without overlaps
        page.evaluate("() => { const cy = window.__armstrace.cy; cy.zoom({level: cy.zoom() * 2.5, position: cy.nodes()[0].position()}); }")
        page.wait_for_timeout(300)
        zoomed = page.evaluate(LABEL_OVERLAPS)
        assert zoomed["n"] == 0, zoomed

        # the min-reports slider thins the network
        page.get_by_test_id("network-min-reports").fill("2")
        thinned = page.evaluate(LABEL_OVERLAPS)
        assert 0 < thinned["nodes"] < found["nodes"] and thinned["n"] == 0, thinned
        page.get_by_test_id("network-min-reports").fill("1")

        # a click on an actor shows its neighbourhood alone, every name readable; "Show all" goes back
        hub = page.evaluate("() => window.__armstrace.cy.nodes().max((n) => n.degree()).ele.id()")
        degree = page.evaluate("(id) => window.__armstrace.cy.getElementById(id).neighborhood().nodes().length", hub)
        at = page.evaluate("(id) => window.__armstrace.nodePosition(window.__armstrace.cy.getElementById(id))", hub)
        page.mouse.click(at["x"], at["y"])
        page.get_by_test_id("network-show-all").wait_for()
        assert f"party={hub}" in page.url
        page.wait_for_timeout(200)
        focus = page.evaluate(LABEL_OVERLAPS)
        assert focus["nodes"] == degree + 1 and focus["n"] == 0, focus
        assert focus["shown"] == focus["nodes"], focus  # a neighbourhood: all names shown
        page.get_by_test_id("network").screenshot(path=str(ARTIFACTS / "network-200-focus.png"))
        page.get_by_test_id("network-show-all").click()
        assert page.evaluate(LABEL_OVERLAPS)["nodes"] == found["nodes"]
        assert page.get_by_test_id("network-show-all").is_hidden()
        assert not page.problems, page.problems
    finally:
        context.close()
        srv.stop()


def test_dev_and_pool_network_labels_do_not_overlap(browser, tmp_path):
    """The real corpus (dev + pool, about 80 actors): no overlapping names, whole or focused."""
    inputs = [shared_path("corpus", "dev", "docs.jsonl"), shared_path("corpus", "pool", "docs.jsonl")]
    srv = Server(build_register(tmp_path, inputs), tmp_path / "serve.log")
    context, page = new_page(browser, 1500, 1000)
    try:
        open_ui(page, srv.url)
        page.wait_for_timeout(300)
        found = page.evaluate(LABEL_OVERLAPS)
        assert found["nodes"] >= 40 and found["n"] == 0 and found["shown"] >= 20, found
        ARTIFACTS.mkdir(exist_ok=True)
        page.get_by_test_id("network").screenshot(path=str(ARTIFACTS / "network-devpool.png"))
        at = page.evaluate("() => window.__armstrace.nodePosition(window.__armstrace.cy.getElementById('UKR'))")
        page.mouse.click(at["x"], at["y"])
        page.get_by_test_id("network-show-all").wait_for()
        page.wait_for_timeout(400)  # the panel opens: the network is laid out again for its new width
        focus = page.evaluate(LABEL_OVERLAPS)
        assert focus["n"] == 0 and focus["shown"] == focus["nodes"], focus
        page.get_by_test_id("network").screenshot(path=str(ARTIFACTS / "network-devpool-ukraine.png"))
        assert not page.problems, page.problems
    finally:
        context.close()
        srv.stop()
