"""The HTTP API and web UI (`armstrace serve`): FastAPI over the register.

Reading is open. Every write (reviews, added claims, uploads) needs a reviewer's token as
`Authorization: Bearer TOKEN`: one made by `armstrace users add NAME` (the API records that
name as the reviewer, never a name from the request), or the server's own `--token` (or
$ARMSTRACE_TOKEN) for one anonymous writer. Without a valid token a write gets 401 and
changes nothing. OpenAPI docs are at /docs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import secrets
import threading
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from pydantic import BaseModel, Field
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from . import __version__
from .export import actor_name
from .store import ClaimFilter, FactRecord, ReviewError, Store
from .store.query import CATEGORIES, MAX_TEXT, REVIEW_STATES, STATUSES, claim_conditions, query_claims
from .store.schema import ClaimRow, DocumentRow

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
LIST_EVIDENCE = 5  # evidence sentences per fact in lists; /api/facts/{id} gives them all
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_FORMATS = {"text/plain": "text", "text/markdown": "markdown", "text/html": "html",
                  "application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/json": "json"}
# Bounds of every parameter: a value past them is a 422 with a message, never a driver error.
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
MAX_OFFSET = 2**62  # beyond any register; below the 64-bit integers databases take
MAX_NAME = 200  # an actor code or name, a designation
MAX_DOCUMENT_ID = 1000  # the register's key column
log = logging.getLogger("armstrace.api")


@lru_cache(maxsize=1)
def _gazetteer():
    from .nlp.gazetteer import load_gazetteer

    return load_gazetteer()


@lru_cache(maxsize=1)
def _locations() -> dict[str, tuple[float, float]]:
    text = resources.files("armstrace.data").joinpath("actor_locations.csv").read_text("utf-8")
    return {row["code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(io.StringIO(text))}


def actor_kind(code: str | None) -> str:
    actor = _gazetteer().actor(code) if code else None
    if actor is None:
        return "unknown"
    return "state" if actor.kind in ("state", "historic_state") else actor.kind


Name = Annotated[str | None, Query(max_length=MAX_NAME)]


def filters(
    supplier: Name = None, recipient: Name = None, party: Name = None,
    category: str | None = Query(None, max_length=MAX_NAME, description=f"one of {', '.join(CATEGORIES)}"),
    designation: Name = None,
    status: str | None = Query(None, max_length=MAX_NAME, description=f"one of {', '.join(STATUSES)}"),
    since: str | None = Query(None, max_length=10, description="ISO date: 2024, 2024-05 or 2024-05-31"),
    until: str | None = Query(None, max_length=10, description="ISO date: 2024, 2024-05 or 2024-05-31"),
    min_sources: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1, description="claims (facts) at least this likely")] = None,
    text: str | None = Query(None, max_length=MAX_TEXT, description="evidence sentence contains this text"),
    review: str | None = Query(None, max_length=20, description=f"one of {', '.join(REVIEW_STATES)}; "
                               "default: every claim but the rejected"),
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ClaimFilter:
    try:
        return ClaimFilter(supplier=supplier, recipient=recipient, party=party, category=category,
                           designation=designation, status=status, since=since, until=until,
                           min_sources=min_sources, min_confidence=min_confidence, text=text, review=review,
                           limit=limit, offset=offset)
    except ValueError as err:
        raise HTTPException(status_code=422, detail=str(err)) from None


Filters = Annotated[ClaimFilter, Depends(filters)]


def fact_json(fact: FactRecord) -> dict[str, Any]:
    data = fact.to_dict()
    data.update(statuses=fact.statuses, supplier_name=actor_name(fact.supplier), recipient_name=actor_name(fact.recipient))
    return data


class ReviewBody(BaseModel):
    action: Literal["accept", "reject", "correct"]
    set: dict[str, Any] = Field(default_factory=dict, description="correct: the fields to set "
                                "(supplier, recipient, category, status, designation, attribution, time)")
    note: str | None = Field(None, max_length=5000)


class AddClaimBody(BaseModel):
    start: int = Field(ge=0, le=MAX_ID)
    end: int = Field(ge=1, le=MAX_ID)
    set: dict[str, Any] = Field(description="the claim: category and status at least; supplier, recipient, "
                                "designation, attribution, time")
    note: str | None = Field(None, max_length=5000)


MAX_JSON_BYTES = 64 * 1024  # a review or an added claim: a few fields and a note


class BodyLimit:
    """Refuse request bodies over their limit (413) before anything reads them: uploads
    MAX_UPLOAD_BYTES, any other body MAX_JSON_BYTES. A declared Content-Length over it is
    refused at once; a chunked body is counted as it arrives and refused when it passes it,
    so no body past its limit is ever held in memory. Pure ASGI, in front of everything."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = MAX_UPLOAD_BYTES if scope["path"] == "/api/documents" else MAX_JSON_BYTES
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").strip()
        if declared and (not declared.isdigit() or int(declared) > limit):
            return await self._refuse(send, limit, declared.isdigit())
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await self._refuse(send, limit, True)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send, limit: int, too_large: bool) -> None:
        status = 413 if too_large else 400
        detail = (f"request body too large: the limit here is {limit} bytes" if too_large
                  else "Content-Length is not a number")
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def create_app(db: str | None = None, token: str | None = None, store: Store | None = None) -> FastAPI:
    """The application for the register at `db` (default $ARMSTRACE_DB, else ./armstrace.db)."""
    store = store or Store(db)
    token = token if token is not None else os.environ.get("ARMSTRACE_TOKEN") or None
    app = FastAPI(title="armstrace", version=__version__,
                  description="A sourced register of arms-transfer claims read from the news.")
    app.state.store = store
    app.add_middleware(BodyLimit)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        try:
            response = await call_next(request)
        except Exception as err:  # a bug, not the client's fault: answer it here, keep the connection
            log.exception("error answering %s %s", request.method, request.url.path)
            response = JSONResponse(status_code=500, content={
                "detail": f"internal error ({type(err).__name__}); the server log has the details"})
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith(("/docs", "/redoc")):  # Swagger UI needs its own scripts
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        return response

    @app.exception_handler(ValueError)
    async def value_error(_request: Request, err: ValueError):
        return JSONResponse(status_code=422, content={"detail": str(err)})

    def writer(request: Request) -> str:
        """The reviewer a write comes from, by the token it carries; 401 without a valid one."""
        given = request.headers.get("authorization", "")
        given = given[7:].strip() if given[:7].lower() == "bearer " else ""
        if given:
            # compared as bytes: a header may hold any characters, compare_digest takes only ASCII str
            if token and secrets.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8")):
                return "anonymous"
            name = store.user_for_token(given)
            if name is not None:
                return name
        raise HTTPException(401, "a write needs a reviewer's token: send 'Authorization: Bearer TOKEN' "
                                 "(`armstrace users add NAME` makes one)", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/api/whoami", summary="The reviewer the token belongs to (401 without a valid token)")
    def whoami(reviewer: str = Depends(writer)):
        return {"reviewer": reviewer}

    @app.post("/api/claims/{claim_id}/review", summary="Accept, reject or correct a claim (needs a token)")
    def review_claim(claim_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], body: ReviewBody, reviewer: str = Depends(writer)):
        try:
            [(claim, review)] = store.review([claim_id], body.action, body.set or None, reviewer=reviewer,
                                             note=body.note)
        except ReviewError as err:
            raise HTTPException(404 if str(err).startswith("no claim") else 422, str(err)) from None
        return {"claim": claim.to_dict(), "review": review}

    @app.post("/api/documents/{document_id}/claims", status_code=201,
              summary="Add a claim the machine missed, on a span of a document (needs a token)")
    def add_claim(document_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], body: AddClaimBody, reviewer: str = Depends(writer)):
        try:
            claim, review = store.add_claim(document_id, body.start, body.end, body.set, reviewer=reviewer,
                                            note=body.note)
        except ReviewError as err:
            raise HTTPException(404 if str(err).startswith("no document") else 422, str(err)) from None
        return {"claim": claim.to_dict(), "review": review}

    @app.get("/api/review/queue", summary="Unreviewed claims, the ones to look at first first")
    def review_queue(f: Filters):
        items, total = store.queue(f, limit=f.limit, offset=f.offset)
        return JSONResponse({"items": items, "total": total, "limit": f.limit, "offset": f.offset})

    @app.get("/api/reviews", summary="The review log, newest first")
    def review_log(claim_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                   reviewer: Annotated[str | None, Query(max_length=200)] = None,
                   limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0):
        if reviewer is not None and not reviewer.isprintable():
            raise HTTPException(422, "reviewer must be printable text")
        return {"items": store.reviews(claim_id, reviewer, limit, offset), "limit": limit, "offset": offset}

    @app.get("/api/facts", summary="Facts (merged claims) with corroboration and evidence")
    def list_facts(f: Filters):
        # a plain JSONResponse skips FastAPI's per-field encoding: the records are plain JSON already
        return JSONResponse({"items": [fact_json(x) for x in store.facts(f, evidence_limit=LIST_EVIDENCE)],
                             "limit": f.limit, "offset": f.offset})

    @app.get("/api/facts/{fact_id}", summary="One fact with all its evidence")
    def get_fact(fact_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]):
        fact = store.fact(fact_id, evidence_limit=MAX_LIMIT)
        if fact is None:
            raise HTTPException(404, f"no fact {fact_id}")
        return JSONResponse(fact_json(fact))

    @app.get("/api/claims", summary="Claims with their evidence sentences")
    def list_claims(f: Filters):
        return JSONResponse({"items": [c.to_dict() for c in store.claims(f)], "limit": f.limit, "offset": f.offset})

    @app.get("/api/documents/{document_id}", summary="A document: clean text, removed boilerplate, claims")
    def get_document(document_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]):
        with store.Session() as session:
            doc = session.get(DocumentRow, document_id)
            if doc is None:
                raise HTTPException(404, f"no document {document_id}")
            data = {k: getattr(doc, k) for k in ("id", "doc_key", "title", "url", "published", "publisher",
                                                  "syndicated_from", "language", "not_processed", "text", "removed",
                                                  "duplicate_of", "raw")}
            data["claims"] = [c.to_dict() for c in query_claims(session, ClaimFilter(review="any"),
                                                                document_id=document_id)]
        return data

    @app.get("/api/graph", summary="The flow network: actors as nodes, facts as edges")
    def graph(f: Filters):
        facts = store.facts(f, with_evidence=False)
        codes = sorted({c for x in facts for c in (x.supplier or "unknown", x.recipient or "unknown")})
        places = _locations()
        nodes = [{"id": code, "label": actor_name(None if code == "unknown" else code),
                  "kind": actor_kind(None if code == "unknown" else code),
                  "lat": places.get(code, (None, None))[0], "lon": places.get(code, (None, None))[1]} for code in codes]
        edges = [{"id": x.id, "source": x.supplier or "unknown", "target": x.recipient or "unknown",
                  "category": x.category, "status": x.status, "statuses": x.statuses, "designation": x.designation,
                  "label": x.designation or x.category.replace("_", " "), "n_sources": x.n_sources,
                  "n_claims": x.n_claims, "n_reviewed": x.n_reviewed,
                  "delivered": x.status in ("delivered", "ongoing")} for x in facts]
        return {"nodes": nodes, "edges": edges}

    @app.get("/api/timeline", summary="Claims per month by status, category, or both")
    def timeline(f: Filters, by: Literal["status", "category", "both"] = "status"):
        month = func.substr(ClaimRow.date, 1, 7)
        keys = {"status": [ClaimRow.status], "category": [ClaimRow.category],
                "both": [ClaimRow.status, ClaimRow.category]}[by]
        stmt = claim_conditions(select(month, *keys, func.count()), f).group_by(month, *keys).order_by(month)
        with store.Session() as session:
            rows = session.execute(stmt).all()
        names = [k.key for k in keys]
        months, undated = [], 0
        for row in rows:
            if row[0] and len(row[0]) == 7:
                months.append({"month": row[0], **dict(zip(names, row[1:-1])), "claims": row[-1]})
            else:
                undated += row[-1]
        return {"months": months, "undated": undated}

    @app.get("/api/stats", summary="Counts of the register; by_category and by_status follow the filters")
    def stats(f: Filters):
        counts = store.counts()
        with store.Session() as session:
            by_category = dict(session.execute(
                claim_conditions(select(ClaimRow.category, func.count()), f).group_by(ClaimRow.category)).all())
            by_status = dict(session.execute(
                claim_conditions(select(ClaimRow.status, func.count()), f).group_by(ClaimRow.status)).all())
        return {**counts, "by_category": by_category, "by_status": by_status}

    @app.get("/api/lookup/actors", summary="Actors whose code or name starts with q")
    def lookup_actors(q: Annotated[str, Query(min_length=1, max_length=100)], limit: Annotated[int, Query(ge=1, le=100)] = 20):
        needle = q.lower()
        found = [
            {"code": a.code, "name": a.name} for a in _gazetteer().actors.values()
            if a.code.lower().startswith(needle) or a.name.lower().startswith(needle)
            or any(n.lower().startswith(needle) for n in a.names)
        ]
        found.sort(key=lambda a: (not a["code"].lower().startswith(needle), len(a["name"]), a["name"]))
        return found[:limit]

    @app.get("/api/lookup/designations", summary="Weapon designations starting with q")
    def lookup_designations(q: Annotated[str, Query(min_length=1, max_length=100)], limit: Annotated[int, Query(ge=1, le=100)] = 20):
        needle = q.lower()
        found = [{"designation": w.designation, "category": w.category} for w in _gazetteer().weapons.values()
                 if w.designation.lower().startswith(needle) or any(a.lower().startswith(needle) for a in w.aliases)]
        found.sort(key=lambda w: (len(w["designation"]), w["designation"]))
        return found[:limit]

    @app.get("/api/export.csv", summary="The facts as CSV (SIPRI column order)")
    def export_csv(f: Filters):
        from .export import CSV_COLUMNS, csv_row

        f.limit = None
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_row(x) for x in store.facts(f))
        return Response(out.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="armstrace-facts.csv"'})

    upload_lock = threading.Lock()  # one extraction at a time: the spaCy pipeline is shared

    @app.post("/api/documents", summary="Ingest an uploaded article (needs a token)", status_code=201)
    async def upload(request: Request):
        await run_in_threadpool(writer, request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"upload too large: the limit is {MAX_UPLOAD_BYTES} bytes")
        ctype = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
        if ctype not in UPLOAD_FORMATS:
            raise HTTPException(415, f"unsupported content type {ctype!r}; send one of {', '.join(sorted(UPLOAD_FORMATS))}")
        doc_id = request.headers.get("x-document-id")
        if doc_id is not None:
            doc_id = doc_id.strip()
            if not doc_id or len(doc_id) > MAX_DOCUMENT_ID or not doc_id.isprintable():
                raise HTTPException(422, f"X-Document-ID must be 1 to {MAX_DOCUMENT_ID} printable characters "
                                         f"(got {len(doc_id)})")
        body = await request.body()
        if len(body) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"upload too large: the limit is {MAX_UPLOAD_BYTES} bytes")
        if not body.strip():
            raise HTTPException(400, "empty upload")
        # the same text uploaded twice is one document: keyed by the id given, else by the content
        name = doc_id or f"upload:{hashlib.sha256(body).hexdigest()[:16]}"

        def run():  # in a worker thread: extraction must not hold up other requests
            from .pipeline import ingest_bytes

            messages: list[str] = []
            notices: list[str] = []
            with upload_lock:
                summary = ingest_bytes(body, name, store, fmt=UPLOAD_FORMATS[ctype],
                                       on_problem=lambda p: (messages if p.skipped else notices).append(p.message))
            return summary, messages, notices

        summary, problems, notices = await run_in_threadpool(run)
        if not summary.documents:
            raise HTTPException(400, f"nothing could be read: {'; '.join(problems) or 'no document'}")
        return {"documents": dict(Counter(summary.outcomes)), "claims": summary.claims, "problems": problems,
                "notices": notices, "not_processed": dict(summary.not_processed)}

    static = resources.files("armstrace.web").joinpath("static") if _has_web() else None
    if static is not None and Path(str(static)).is_dir():
        app.mount("/static", StaticFiles(directory=str(static)), name="static")

        @app.get("/", include_in_schema=False)
        def index():
            return FileResponse(str(Path(str(static)) / "index.html"))

    return app


def _has_web() -> bool:
    try:
        return resources.files("armstrace.web").joinpath("static/index.html").is_file()
    except (ModuleNotFoundError, TypeError):
        return False
