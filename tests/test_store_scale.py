"""The register past SQLite's statement limits (500 terms in a compound SELECT, 999 bound
parameters on old builds, 50,000-byte LIKE patterns), and the filters' own bounds: literal
`%` and `_` in the text filter, real calendar dates, limits that fit in 64 bits."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, select

from armstrace.api import create_app
from armstrace.export import export
from armstrace.ingest import Document
from armstrace.store import ClaimFilter, Store
from armstrace.store.query import EVIDENCE_LIMIT
from armstrace.store.schema import ClaimRow, DocumentRow, FactRow, SourceRow

from .conftest import run_cli

N_FACTS = 10_000
MAX_TEXT = 1000  # the longest text filter allowed
BUSY_CLAIMS = 25  # fact 1 has more claims than a listing shows


def build_register(store: Store, n_facts: int = N_FACTS) -> None:
    """`n_facts` facts with bulk inserts: fact 1 has BUSY_CLAIMS claims, every other fact one;
    each claim's evidence names its claim and fact, so the evidence lookup can be checked."""
    claims, fact_of = [], []
    for fact_id in range(1, n_facts + 1):
        for _ in range(BUSY_CLAIMS if fact_id == 1 else 1):
            fact_of.append(fact_id)
    n_claims = len(fact_of)
    n_docs = (n_claims + 4) // 5
    counts: dict[int, int] = {}
    for fact_id in fact_of:
        counts[fact_id] = counts.get(fact_id, 0) + 1
    with store.WriteSession.begin() as session:
        session.execute(insert(DocumentRow), [
            dict(id=i, doc_key=f"scale-{i}", url=f"https://news.example/{i}", title=f"Story {i}", text=f"Story {i}.",
                 published="2024-01-02", publisher=f"Outlet {i % 50}", language="en", removed=[],
                 content_hash=f"{i:064x}")
            for i in range(1, n_docs + 1)
        ])
        session.execute(insert(FactRow), [
            dict(id=f, supplier=f"S{f % 97:02d}", recipient=f"R{f % 89:02d}", item_key=f"item:{f}",
                 category="missile", designation=f"M-{f}", status="delivered",
                 timeline={"delivered": {"first": "2024-01-02", "last": "2024-01-02", "claims": counts[f]}},
                 first_date="2024-01-02", last_date="2024-01-02", n_claims=counts[f], n_documents=counts[f],
                 n_publishers=1, n_attributed=0, n_sources=1, confidence=0.7)
            for f in range(1, n_facts + 1)
        ])
        session.execute(insert(SourceRow), [dict(fact_id=f, kind="publisher", name=f"Outlet {f % 50}")
                                            for f in range(1, n_facts + 1)])
        for cid, fact_id in enumerate(fact_of, start=1):
            claims.append(dict(
                id=cid, document_id=(cid - 1) // 5 + 1, fact_id=fact_id, supplier=f"S{fact_id % 97:02d}",
                recipient=f"R{fact_id % 89:02d}", category="missile", status="delivered", designation=f"M-{fact_id}",
                item=f"M-{fact_id}", attribution=["officials"] if cid % 2 else [], evidence=f"claim {cid} of fact {fact_id}",
                start=0, end=20, confidence=0.7, rule="scale", date="2024-01-02"))
        session.execute(insert(ClaimRow), claims)
    if store.dialect == "postgresql":
        with store.engine.begin() as connection:
            for table in ("documents", "claims", "facts", "sources"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            connection.exec_driver_sql("ANALYZE")


@pytest.fixture
def big(db_url):
    store = Store(db_url)
    build_register(store)
    yield store
    store.close()


def count_bound_parameters(store: Store) -> list[int]:
    """Every statement's number of bound parameters, from now on."""
    seen: list[int] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def record(_conn, _cursor, _statement, parameters, _context, executemany):
        if not executemany:
            seen.append(len(parameters) if parameters is not None else 0)

    return seen


def test_ten_thousand_facts_are_listed_with_their_evidence(big):
    params = count_bound_parameters(big)
    facts = big.facts()
    assert len(facts) == N_FACTS and len({f.id for f in facts}) == N_FACTS
    for fact in facts:
        assert fact.evidence, f"fact {fact.id} has no evidence"
        assert all(e["evidence"].endswith(f" of fact {fact.id}") for e in fact.evidence)
        assert fact.sources == [f"Outlet {fact.id % 50}"]
    busy = next(f for f in facts if f.id == 1)
    # the newest EVIDENCE_LIMIT claims of the busy fact, oldest first
    assert [e["claim"] for e in busy.evidence] == list(range(BUSY_CLAIMS - EVIDENCE_LIMIT + 1, BUSY_CLAIMS + 1))
    assert busy.evidence[-1]["attribution"] == ["officials"] and busy.evidence[-1]["doc"] == "scale-5"
    if big.dialect == "sqlite":  # old SQLite builds allow 999 bound parameters per statement
        assert max(params) <= 500
    assert len(big.facts(limit=501)) == 501
    assert [f.id for f in big.facts(limit=3, offset=N_FACTS - 3)] == [N_FACTS - 2, N_FACTS - 1, N_FACTS]


def test_ten_thousand_facts_export_and_list_from_the_command(big, tmp_path):
    out = tmp_path / "facts.csv"
    assert export(big, "csv", out, ClaimFilter()) == N_FACTS
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == N_FACTS and {int(r["fact_id"]) for r in rows} == set(range(1, N_FACTS + 1))
    assert all(r["evidence"].endswith(f" of fact {r['fact_id']}") for r in rows)

    result = run_cli("facts", "--db", big.url, "--format", "csv")
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    listed = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"))))
    assert len(listed) == N_FACTS


def test_ten_thousand_facts_through_the_api(big):
    with TestClient(create_app(store=big)) as client:
        response = client.get("/api/facts", params={"limit": 501})
        assert response.status_code == 200, response.text[:2000]
        assert len(response.json()["items"]) == 501
        response = client.get("/api/export.csv")
        assert response.status_code == 200, response.text[:2000]
        assert len(list(csv.DictReader(io.StringIO(response.text)))) == N_FACTS


# -- the text filter --------------------------------------------------------------------------

def claim(evidence: str, designation: str) -> dict:
    return dict(supplier="NOR", recipient="UKR", category="artillery", status="planned", designation=designation,
                item=designation, attribution=[], evidence=evidence, start=0, end=len(evidence), confidence=0.8,
                rule="test", time=None, quantity=None)


def test_percent_underscore_and_backslash_in_the_text_filter_are_literal(db_url):
    sentences = {
        "pct": "Norway raised deliveries by 50% this year.",
        "five-hundred": "Norway sent 500 shells to Ukraine.",
        "underscore": "The T_72 upgrade went to Ukraine.",
        "dash": "Norway sent T-72 tanks to Ukraine.",
        "backslash": r"A file named C:\arms\list went to Ukraine.",
        "case": "NORWAY SENT M109 HOWITZERS.",
    }
    with Store(db_url) as store:
        for n, (key, sentence) in enumerate(sentences.items()):
            store.add(Document(id=key, text=sentence, published="2024-01-02"), [claim(sentence, f"X-{n}")])

        def docs(text):
            return sorted(c.doc for c in store.claims(text=text))

        assert docs("50%") == ["pct"]
        assert docs("T_72") == ["underscore"]
        assert docs("T-72") == ["dash"]
        assert docs("%") == ["pct"]
        assert docs("_") == ["underscore"]
        assert docs("\\arms\\") == ["backslash"]
        assert docs("\\") == ["backslash"]
        assert docs("norway sent m109") == ["case"]  # still case-insensitive
        assert docs("norway sent") == ["case", "dash", "five-hundred"]
        assert [f.designation for f in store.facts(text="50%")] == ["X-0"]
        assert [f.designation for f in store.facts(text="t_72")] == ["X-2"]
        assert len(store.claims(text="x" * MAX_TEXT)) == 0  # the longest text allowed runs


def test_a_text_filter_longer_than_the_limit_is_a_clear_error():
    ClaimFilter(text="x" * MAX_TEXT)
    for length in (MAX_TEXT + 1, 60_000):
        with pytest.raises(ValueError, match=f"text must be at most {MAX_TEXT} characters"):
            ClaimFilter(text="x" * length)


# -- dates, limits and offsets ----------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "2023-13-45", "2023-02-30", "2023-00-10", "2023-13", "2023-00", "2023-04-31", "2023-02-29", "2023-1-05",
    "2023-01-5", "202-01-01", "20231-01-01", "-2023", "2023-", "2023--01", "２０２３", "2023-01-01-01", "",
])
def test_impossible_dates_are_rejected(value):
    for name in ("since", "until"):
        with pytest.raises(ValueError, match=f"{name} must be an ISO date like 2024-01-31"):
            ClaimFilter(**{name: value})


@pytest.mark.parametrize("value", ["2024", "2024-02", "2024-02-29", "2023-12-31", "0001-01-01", "9999-12"])
def test_real_dates_and_prefixes_are_accepted(value):
    assert ClaimFilter(since=value, until=value).since == value


def test_limit_and_offset_beyond_64_bits_are_rejected():
    top = 2**63 - 1
    ClaimFilter(limit=top, offset=top)
    for name in ("limit", "offset"):
        for value in (2**63, 10**30):
            with pytest.raises(ValueError, match=f"{name} must be at most {top}"):
                ClaimFilter(**{name: value})
    with pytest.raises(ValueError, match="must not be negative"):
        ClaimFilter(offset=-1)


def test_the_largest_limit_and_offset_run_on_the_database(db_url):
    top = 2**63 - 1
    with Store(db_url) as store:
        store.add(Document(id="a", text="Norway sent shells.", published="2024-01-02"), [claim("Norway sent shells.", "S-1")])
        assert len(store.claims(limit=top)) == 1 and len(store.facts(limit=top)) == 1
        assert store.claims(offset=top) == [] and store.facts(offset=top, limit=top) == []
        with store.Session() as session:
            assert session.scalar(select(func.count()).select_from(ClaimRow)) == 1
