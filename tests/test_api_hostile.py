"""The HTTP API under hostile or careless requests, against a real server on loopback.

Every bad parameter or header gets a 4xx with a message, never a 500; a request after an
error on the same keep-alive connection still works; uploads are keyed by the id given or
by their content, run off the event loop, and report documents passed over.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from armstrace.api import create_app
from armstrace.store import Store

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = "Norway will donate eight M109 howitzers to Ukraine, the defence minister said on Monday."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real uvicorn server on loopback over a real SQLite register."""
    folder = tmp_path_factory.mktemp("hostile-api")
    store = Store(f"sqlite:///{folder / 'register.db'}")
    app = create_app(store=store, token=TOKEN)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", timeout_keep_alive=30)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}", store
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def client(server):
    base, _store = server
    with httpx.Client(base_url=base, timeout=120) as http:
        yield http


BAD_REQUESTS = [
    ("/api/facts", {"offset": str(2**63)}),
    ("/api/claims", {"offset": "9223372036854775808"}),
    ("/api/facts", {"limit": str(2**64)}),
    ("/api/facts", {"min_sources": str(2**63)}),
    ("/api/claims", {"text": "x" * 60_000}),
    ("/api/facts", {"text": "y" * 60_000}),
    ("/api/claims", {"until": "2023-13-45"}),
    ("/api/facts", {"since": "2023-02-30"}),
    ("/api/claims", {"since": "20233-01"}),
    ("/api/facts", {"supplier": "z" * 5_000}),
    ("/api/timeline", {"designation": "q" * 5_000}),
]


@pytest.mark.parametrize(("path", "params"), BAD_REQUESTS, ids=[f"{p}-{next(iter(q))}" for p, q in BAD_REQUESTS])
def test_bad_parameters_get_a_4xx_with_a_message(client, path, params):
    response = client.get(path, params=params)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.json()["detail"]
    # the same keep-alive connection still answers the next request
    assert client.get("/api/stats").status_code == 200


@pytest.mark.parametrize("path", ["/api/documents/99999999999999999999", "/api/facts/9223372036854775808",
                                  "/api/documents/-1", "/api/facts/0"])
def test_ids_out_of_range_are_4xx(client, path):
    response = client.get(path)
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    assert client.get("/api/stats").status_code == 200


def test_wildcards_in_text_are_literal(client, server):
    _base, store = server
    upload = client.post("/api/documents", content="Germany delivered 50% of the promised Leopard tanks to Ukraine, "
                         "officials said on Tuesday.", headers={**AUTH, "X-Document-ID": "percent-story"})
    assert upload.status_code == 201, upload.text
    hits = client.get("/api/claims", params={"text": "50%"}).json()["items"]
    assert hits and all("50%" in c["evidence"] for c in hits)
    assert client.get("/api/claims", params={"text": "5_%"}).json()["items"] == []
    assert client.get("/api/claims", params={"text": "%"}).json()["items"] == hits


@pytest.mark.parametrize("token", ["s3cr\u00e9t", "\u043a\u043b\u044e\u0447", "s3cret\u2603"])
def test_a_non_ascii_token_is_refused_not_a_crash(client, token):
    response = client.post("/api/documents", content=ARTICLE,
                           headers={"Authorization": f"Bearer {token}".encode("utf-8")})
    assert response.status_code == 401, response.text[:300]
    assert client.get("/api/stats").status_code == 200


def test_an_overlong_document_id_is_refused(client):
    response = client.post("/api/documents", content=ARTICLE, headers={**AUTH, "X-Document-ID": "d" * 5_000})
    assert response.status_code == 422 and "X-Document-ID" in response.json()["detail"]
    assert client.get("/api/stats").status_code == 200


def test_uploads_are_keyed_by_the_given_id_else_by_content(client, server):
    _base, store = server
    first = client.post("/api/documents", content=ARTICLE, headers={**AUTH, "X-Document-ID": "n" * 300})
    assert first.status_code == 201, first.text
    assert first.json()["documents"] == {"new": 1}
    again = client.post("/api/documents", content=ARTICLE, headers={**AUTH, "X-Document-ID": "n" * 300})
    assert again.json()["documents"] == {"unchanged": 1}
    text = "Poland has ordered 96 AH-64 Apache helicopters from the United States, the ministry said."
    a = client.post("/api/documents", content=text, headers=AUTH)
    b = client.post("/api/documents", content=text, headers=AUTH)
    assert a.json()["documents"] == {"new": 1} and b.json()["documents"] == {"unchanged": 1}
    keys = [row.doc_key for row in _documents(store)]
    assert "n" * 300 in keys
    assert not any("/tmp" in k or k.startswith(("/", "upload-")) for k in keys), keys
    assert sum(k.startswith("upload:") for k in keys) == 1


def _documents(store):
    from sqlalchemy import select

    from armstrace.store.schema import DocumentRow

    with store.Session() as session:
        return session.scalars(select(DocumentRow)).all()


def test_an_upload_in_another_language_is_kept_and_reported(client, server):
    _base, store = server
    russian = ("\u0420\u043e\u0441\u0441\u0438\u044f \u043f\u043e\u0441\u0442\u0430\u0432\u0438\u043b\u0430 "
               "\u0418\u0440\u0430\u043d\u0443 \u0440\u0430\u043a\u0435\u0442\u044b \u0438 \u0441\u0438\u0441\u0442\u0435\u043c\u044b "
               "\u041f\u0412\u041e, \u0441\u043e\u043e\u0431\u0449\u0438\u043b\u0438 \u0432 \u043c\u0438\u043d\u0438\u0441\u0442\u0435\u0440\u0441\u0442\u0432\u0435.")
    response = client.post("/api/documents", content=russian.encode("utf-8"),
                           headers={**AUTH, "X-Document-ID": "ru-1", "Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["not_processed"] == {"language ru": 1}
    assert any("language ru" in p for p in body["notices"])
    [row] = [r for r in _documents(store) if r.doc_key == "ru-1"]
    assert row.not_processed == "language ru" and row.language == "ru"
    assert client.get("/api/stats").json()["not_processed"] >= 1
    assert client.get(f"/api/documents/{row.id}").json()["not_processed"] == "language ru"


def test_an_upload_runs_off_the_event_loop(client, server):
    """While a slow upload is extracted, other requests are answered (before it finishes)."""
    base, _store = server
    # slow enough to outlast the read below, far from the 60 s limit on a loaded machine (the
    # default runs the claim encoder: 1,500 such sentences take about 12 s on an idle core)
    slow = "Iran sent drones to Russia. " * 400
    finished: dict[str, float] = {}

    def upload():
        with httpx.Client(base_url=base, timeout=300) as other:
            response = other.post("/api/documents", content=slow, headers={**AUTH, "X-Document-ID": "slow-one"})
        finished["upload"] = time.monotonic()
        finished["status"] = response.status_code

    worker = threading.Thread(target=upload)
    worker.start()
    time.sleep(0.3)  # the upload has started being read and extracted
    assert client.get("/api/stats").status_code == 200
    answered = time.monotonic()
    worker.join(timeout=300)
    assert finished["status"] == 201
    assert answered < finished["upload"], "a read waited for the upload to finish: extraction blocked the event loop"


def test_an_unexpected_error_is_a_json_500_and_the_connection_lives_on(tmp_path):
    """A bug in a handler answers 500 with a message, and the same keep-alive connection serves
    the next request (uvicorn closes a connection an unhandled exception reaches)."""
    app = create_app(store=Store(f"sqlite:///{tmp_path / 'register.db'}"), token=TOKEN)

    def broken():
        raise RuntimeError("a bug")

    app.add_api_route("/api/broken", broken)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            replies = []
            for path in ("/api/broken", "/api/stats"):
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
                replies.append(_read_response(sock))
        assert replies[0].startswith(b"HTTP/1.1 500") and b"RuntimeError" in replies[0]
        assert replies[1].startswith(b"HTTP/1.1 200"), replies[1][:200]
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def _read_response(sock: socket.socket) -> bytes:
    """One HTTP/1.1 response (headers and a Content-Length body) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
