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

from fastapi import Depends, FastAPI, Header, HTTPException, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from . import __version__
from .export import actor_name
from .store import ClaimFilter, FactRecord, ReviewError, Store
from .store.reviews import RequestReused
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
# A write's `Idempotency-Key` (optional): a client retrying after a lost answer sends the same
# key, and the write is stored once (`Store.review`, `Store.add_claim`).
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                                               pattern=r"^[!-~]+$")]
IDEMPOTENCY = ("Send an `Idempotency-Key` header (1 to 200 visible ASCII characters, e.g. a UUID) to make "
               "a retry safe: the same request again with the same key, from the same reviewer, writes "
               "nothing and answers as the first time; the key on a different request is a 409.")
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


# What the schema says is what the server takes (schemathesis checks both ways): an empty
# value means "not given"; free text is anything but NUL; closed sets and dates are patterns.
TEXT = r"^[^\x00]*$"
YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
LEAP = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
DATE = (  # a real calendar date, month or year: 2024-02-29, 2024-02, 2024 (or nothing)
    rf"^({YEAR}(-(0[1-9]|1[0-2]))?"
    rf"|{YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))"
    rf"|{LEAP}-02-29)?$"
)


# an upload the text reader takes: no control characters (binary data), something not blank
UPLOAD_TEXT = r"^[^\x00-\x08\x0e-\x1f\x7f]*[^\x00-\x08\x0e-\x1f\x7f\s][^\x00-\x08\x0e-\x1f\x7f]*$"


def one_of(values) -> str:
    return rf"^({'|'.join(values)})?$"


Name = Annotated[str | None, Query(max_length=MAX_NAME, pattern=TEXT)]
Date = Annotated[str | None, Query(max_length=10, pattern=DATE, description="ISO date: 2024, 2024-05 or 2024-05-31")]


def _given(value: str | None) -> str | None:
    return value if value else None


def filters(
    supplier: Name = None, recipient: Name = None, party: Name = None,
    category: Annotated[str | None, Query(max_length=MAX_NAME, pattern=one_of(CATEGORIES),
                                          description=f"one of {', '.join(CATEGORIES)}")] = None,
    designation: Name = None,
    status: Annotated[str | None, Query(max_length=MAX_NAME, pattern=one_of(STATUSES),
                                        description=f"one of {', '.join(STATUSES)}")] = None,
    since: Date = None,
    until: Date = None,
    min_sources: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1, description="claims (facts) at least this likely")] = None,
    text: Annotated[str | None, Query(max_length=MAX_TEXT, pattern=TEXT,
                                      description="evidence sentence contains this text")] = None,
    review: Annotated[str | None, Query(max_length=20, pattern=one_of(REVIEW_STATES),
                                        description=f"one of {', '.join(REVIEW_STATES)}; "
                                        "default: every claim but the rejected")] = None,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ClaimFilter:
    try:
        return ClaimFilter(supplier=_given(supplier), recipient=_given(recipient), party=_given(party),
                           category=_given(category), designation=_given(designation), status=_given(status),
                           since=_given(since), until=_given(until), min_sources=min_sources,
                           min_confidence=min_confidence, text=_given(text), review=_given(review),
                           limit=limit, offset=offset)
    except ValueError as err:
        raise HTTPException(status_code=422, detail=str(err)) from None


Filters = Annotated[ClaimFilter, Depends(filters)]


def fact_json(fact: FactRecord) -> dict[str, Any]:
    data = fact.to_dict()
    data.update(statuses=fact.statuses, supplier_name=actor_name(fact.supplier), recipient_name=actor_name(fact.recipient))
    return data


class ErrorBody(BaseModel):
    """Every error: what went wrong, in words."""

    detail: str


ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in {
    400: "a request the server cannot read (an empty upload, a Content-Length that is not a number)",
    401: "a write without a valid reviewer token",
    404: "no such fact, claim or document",
    413: "a body over its limit (uploads 5 MB, other writes 64 KB)",
    415: "an upload of a type the readers do not take",
    422: "a parameter or body field that is not valid, and why",
}.items()}


REUSED_KEY = {409: {"model": ErrorBody, "description": "an Idempotency-Key the reviewer gave an earlier, different write"}}


class CSVResponse(Response):
    media_type = "text/csv"


def _readable(err: RequestValidationError) -> str:
    """FastAPI's validation errors as one line: where, and what is wrong (a pattern said in words)."""
    parts = []
    for error in err.errors():
        where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
        message = error.get("msg", "not valid")
        if error.get("type") == "string_pattern_mismatch":
            if where in PATTERN_WORDS:
                parts.append(PATTERN_WORDS[where].format(value=error.get("input")))
                continue
            message = f"must not contain a NUL character, not {error.get('input')!r}"
        elif error.get("type") == "literal_error" and len(message) > 300:  # the actors: hundreds of names
            message = f"{error.get('input')!r} is no actor the gazetteer knows (see /api/lookup/actors)"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "the request is not valid"


PATTERN_WORDS = {  # the words ClaimFilter uses for the same mistakes
    "since": "since must be an ISO date like 2024-01-31 (or 2024-01, 2024), not {value!r}",
    "until": "until must be an ISO date like 2024-01-31 (or 2024-01, 2024), not {value!r}",
    "category": f"unknown category {{value!r}}; known: {', '.join(CATEGORIES)}",
    "status": f"unknown status {{value!r}}; known: {', '.join(STATUSES)}",
    "review": f"unknown review state {{value!r}}; known: {', '.join(REVIEW_STATES)}",
    "Idempotency-Key": "Idempotency-Key: visible ASCII characters only (no spaces), e.g. a UUID, not {value!r}",
}


@lru_cache(maxsize=1)
def body_models():
    """The request bodies of the review endpoints, exactly as the server takes them (actors
    are the gazetteer's codes and names, so the schema lists them)."""
    gazetteer = _gazetteer()
    actors = tuple(sorted(set(gazetteer.actors) | {a.name for a in gazetteer.actors.values()} | {"unknown"}))
    Actor = Literal[actors]  # type: ignore[valid-type]
    Short = Annotated[str, StringConstraints(max_length=200, pattern=TEXT)]

    class ClaimFields(BaseModel):
        """Fields of a claim to set; an actor may be null (not named)."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
        supplier: Actor | None = None
        recipient: Actor | None = None
        category: Literal[CATEGORIES] = None  # type: ignore[valid-type,assignment]
        status: Literal[STATUSES] = None  # type: ignore[valid-type,assignment]
        designation: Short | None = None
        attribution: list[Short] = Field(None, max_length=20)  # type: ignore[assignment]
        time: Annotated[str, StringConstraints(max_length=10, pattern=DATE)] | None = None

    class NewClaim(ClaimFields):
        category: Literal[CATEGORIES]  # type: ignore[valid-type]
        status: Literal[STATUSES]  # type: ignore[valid-type]

    Note = Annotated[str, StringConstraints(max_length=5000, pattern=TEXT)] | None

    class Judgement(BaseModel):
        model_config = ConfigDict(extra="forbid")
        action: Literal["accept", "reject"]
        note: Note = None

    class Correction(BaseModel):
        model_config = ConfigDict(extra="forbid")
        action: Literal["correct"]
        set: ClaimFields
        note: Note = None

    class AddedClaim(BaseModel):
        model_config = ConfigDict(extra="forbid")
        start: JSONInteger = Field(ge=0, le=MAX_ID, description="first character of the span in the document's full text")
        end: JSONInteger = Field(ge=1, le=MAX_ID, description="one past its last; a span the text does not have is a 404")
        set: NewClaim
        note: Note = None

    ReviewBody = Annotated[Judgement | Correction, Field(discriminator="action")]
    return ReviewBody, AddedClaim


ReviewBody = AddedClaim = None  # set by create_app from body_models()


def _json_integer(value):
    """A JSON Schema integer: 840 and 840.0, never true or "840" (pydantic's lax mode takes them)."""
    if isinstance(value, (bool, str)):
        raise ValueError("must be an integer")
    return value


JSONInteger = Annotated[int, BeforeValidator(_json_integer)]


def set_fields(model) -> dict[str, Any]:
    return model.model_dump(exclude_unset=True) if model is not None else {}


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
    app = FastAPI(title="armstrace", version=__version__, responses=ERRORS,
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

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, err: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": _readable(err)})

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

    # module names: FastAPI reads the endpoints' (string) annotations in this module's namespace
    global ReviewBody, AddedClaim
    ReviewBody, AddedClaim = body_models()

    @app.post("/api/claims/{claim_id}/review", summary="Accept, reject or correct a claim (needs a token)",
              description=IDEMPOTENCY, responses=REUSED_KEY)
    def review_claim(claim_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], body: ReviewBody,  # type: ignore[valid-type]
                     reviewer: str = Depends(writer), idempotency_key: IdempotencyKey = None):
        try:
            [(claim, review)] = store.review([claim_id], body.action, set_fields(getattr(body, "set", None)) or None,
                                             reviewer=reviewer, note=body.note, request_id=idempotency_key)
        except RequestReused as err:
            raise HTTPException(409, str(err)) from None
        except ReviewError as err:
            raise HTTPException(404 if str(err).startswith("no claim") else 422, str(err)) from None
        return {"claim": claim.to_dict(), "review": review}

    @app.post("/api/documents/{document_id}/claims", status_code=201,
              summary="Add a claim the machine missed, on a span of a document (needs a token)",
              description=IDEMPOTENCY, responses=REUSED_KEY)
    def add_claim(document_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], body: AddedClaim,  # type: ignore[valid-type]
                  reviewer: str = Depends(writer), idempotency_key: IdempotencyKey = None):
        try:
            claim, review = store.add_claim(document_id, body.start, body.end, set_fields(body.set),
                                            reviewer=reviewer, note=body.note, request_id=idempotency_key)
        except RequestReused as err:
            raise HTTPException(409, str(err)) from None
        except ReviewError as err:
            missing = str(err).startswith(("no document", "characters"))  # no such document, or no such span in it
            raise HTTPException(404 if missing else 422, str(err)) from None
        return {"claim": claim.to_dict(), "review": review}

    @app.get("/api/review/queue", summary="Unreviewed claims, the ones to look at first first")
    def review_queue(f: Filters):
        items, total = store.queue(f, limit=f.limit, offset=f.offset)
        return JSONResponse({"items": items, "total": total, "limit": f.limit, "offset": f.offset})

    @app.get("/api/reviews", summary="The review log, newest first")
    def review_log(claim_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                   reviewer: Annotated[str | None, Query(max_length=200, pattern=TEXT)] = None,
                   limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0):
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

    @app.get("/api/export.csv", summary="The facts as CSV (SIPRI column order)",
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}})
    def export_csv(f: Filters):
        from .export import write_csv

        f.limit = None
        out = io.StringIO()
        write_csv(out, store.facts(f))
        return CSVResponse(out.getvalue(), headers={"Content-Disposition": 'attachment; filename="armstrace-facts.csv"'})

    upload_lock = threading.Lock()  # one extraction at a time: the spaCy pipeline is shared

    @app.post("/api/documents", summary="Ingest an uploaded article (needs a token)", status_code=201,
              openapi_extra={"requestBody": {"required": True, "description": (
                  "The article: plain text (its first line the headline), or text/html, text/markdown, "
                  "application/x-ndjson (JSON Lines, one document a line), application/json; at most "
                  f"{MAX_UPLOAD_BYTES} bytes. Key it with the X-Document-ID header."),
                  "content": {"text/plain": {"schema": {"type": "string", "pattern": UPLOAD_TEXT}}}}})
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
