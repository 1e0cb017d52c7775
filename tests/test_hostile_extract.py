"""Hostile input through extraction and ingest: invalid Unicode, repeated text, huge
documents, other languages. Each is reported by name and the rest of the batch goes on."""

from __future__ import annotations

import cProfile
import json
import pstats
import random

import pytest

from armstrace.extract import ExtractionLimit, extract_document, extract_documents, passed_over
from armstrace.ingest import Document, InputNotice, read_inputs
from armstrace.ingest.language import guess_language
from armstrace.pipeline import ingest
from armstrace.store import Store

from .conftest import run_cli, shared_path

GOOD = "Iran sent drones to Russia, officials said on Monday."
RUSSIAN = ("\u0420\u043e\u0441\u0441\u0438\u044f \u043f\u043e\u0441\u0442\u0430\u0432\u0438\u043b\u0430 \u0418\u0440\u0430\u043d\u0443 "
           "\u0440\u0430\u043a\u0435\u0442\u044b \u0438 \u0441\u0438\u0441\u0442\u0435\u043c\u044b \u041f\u0412\u041e, "
           "\u0441\u043e\u043e\u0431\u0449\u0438\u043b\u0438 \u0432 \u043c\u0438\u043d\u0438\u0441\u0442\u0435\u0440\u0441\u0442\u0432\u0435 "
           "\u043e\u0431\u043e\u0440\u043e\u043d\u044b \u0432 \u043f\u043e\u043d\u0435\u0434\u0435\u043b\u044c\u043d\u0438\u043a.")
FRENCH = ("La France a livr\u00e9 des canons Caesar \u00e0 l'Ukraine, et le minist\u00e8re des Arm\u00e9es "
          "a dit que la livraison est un succ\u00e8s pour les deux pays.")


# -- unpaired surrogates -----------------------------------------------------------------

def test_lone_surrogates_in_json_are_replaced_and_reported_and_the_batch_goes_on(tmp_path):
    bad = {"id": "bad-1", "title": "Drones \\ud800 for Russia", "text": "Iran sent drones to Russia, officials said. \\udfff Notes \\ud83d follow."}
    (tmp_path / "a.jsonl").write_text(json.dumps(bad).replace("\\\\u", "\\u") + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD, encoding="utf-8")
    db = tmp_path / "register.db"
    result = run_cli("ingest", "--db", db, tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "bad-1" in err and "3 unpaired surrogate code points" in err, err
    assert "2 new" in err
    store = Store(str(db))
    stored = {c.doc: c for c in store.claims()}
    assert set(stored) == {"bad-1", str(tmp_path / "b.txt")}
    assert stored["bad-1"].evidence == "Iran sent drones to Russia, officials said."
    assert store.counts()["documents"] == 2


def test_a_document_built_with_surrogates_is_valid_unicode_with_the_same_offsets():
    text = "Iran sent drones\ud800 to Russia.\udc00 " + GOOD
    doc = Document(id="x\udbff", text=text, title="T\ud800")
    assert doc.notices == ["3 unpaired surrogate code points (invalid Unicode) replaced with U+FFFD"]
    assert len(doc.text) == len(text) and doc.text.encode("utf-8")
    assert doc.id == "x\ufffd" and doc.content_hash
    claims = extract_document(doc)
    assert claims and all(doc.full_text[c.start:c.end] == c.evidence for c in claims)


def test_random_text_with_surrogates_and_controls_never_crashes_extraction():
    """A bounded fuzz loop: text from words, surrogates, control characters and odd spaces."""
    rng = random.Random(20261203)
    pieces = ["Iran", "sent", "drones", "to", "Russia", ".", "\ud800", "\udfff", "\x00", "\x1b", "\u200b", "\n",
              "\u2028", "\ufeff", "\U0001F600", "S-300", "missiles", "\"", "'", "(", "-", "  ", "\t", "Su-35"]
    docs = [Document(id=f"fuzz-{n}", text=" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))))
            for n in range(150)]
    problems = []
    out = list(extract_documents(docs, on_problem=problems.append))
    assert not problems and len(out) == len(docs)
    for doc, claims in out:
        assert all(doc.full_text[c.start:c.end] == c.evidence for c in claims)


# -- repeated text, size and time --------------------------------------------------------

def _calls(n: int) -> int:
    """Python and Cython function calls made extracting one sentence repeated n times."""
    doc = Document(id=f"repeat-{n}", text="Iran sent drones to Russia. " * n)
    profile = cProfile.Profile()
    profile.enable()
    extract_document(doc)
    profile.disable()
    return pstats.Stats(profile).total_calls


def test_extraction_work_grows_linearly_with_repeated_text():
    """Counted in function calls, not seconds: four times the text must cost about four times
    the work (a per-sentence scan of the whole document made it sixteen)."""
    extract_document(Document(id="warm", text=GOOD))
    small, large = _calls(100), _calls(400)
    assert large / small < 5, (small, large)


def test_extraction_work_grows_linearly_with_one_endless_sentence():
    """One sentence of many clauses, each with a trigger ("shipping"): four times the clauses
    must cost about four times the work. Each trigger used to scan to the sentence's end for a
    question mark, and the attribution of a claim compared every word with the claim's whole
    chain of governors: nine times the work."""
    def calls(n: int) -> int:
        text = ("Germany delivered Leopard 2 tanks to Ukraine, and "
                + "the harbour authority said that shipping volumes rose again, and " * n + "the port closed.")
        profile = cProfile.Profile()
        profile.enable()
        claims = extract_document(Document(id=f"clauses-{n}", text=text), time_limit=None)
        profile.disable()
        assert [(c.supplier, c.recipient, c.category) for c in claims] == [("DEU", "UKR", "armored_vehicle")]
        return pstats.Stats(profile).total_calls

    extract_document(Document(id="warm", text=GOOD))
    small, large = calls(100), calls(400)
    assert large / small < 5, (small, large)


def test_a_huge_document_is_reported_by_name_and_the_batch_goes_on(tmp_path):
    (tmp_path / "huge.txt").write_text("Iran sent drones to Russia. " * 40_000, encoding="utf-8")  # 1.1 M characters
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli("extract", tmp_path / "huge.txt", tmp_path / "good.txt")
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "huge.txt" in err and "too large to extract" in err and "1,000,000" in err
    assert "E088" not in err
    claims = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [c["doc"] for c in claims] == [str(tmp_path / "good.txt")]


def test_the_size_limit_in_the_python_api():
    big = Document(id="big", text="x " * 600_000)
    with pytest.raises(ExtractionLimit, match="document big: too large"):
        extract_document(big)
    with pytest.raises(ExtractionLimit):
        list(extract_documents([big]))
    problems = []
    out = list(extract_documents([big, Document(id="ok", text=GOOD)], on_problem=problems.append))
    assert [d.id for d, _ in out] == ["ok"] and out[0][1]
    assert len(problems) == 1 and "big" in str(problems[0]) and problems[0].skipped


def test_the_time_limit_stops_a_document_and_names_it():
    problems = []
    docs = [Document(id="slow", text=GOOD * 3), Document(id="fine", text=GOOD)]
    out = list(extract_documents(docs, on_problem=problems.append, time_limit=0))
    assert out == []
    assert [p.message.split(":")[0] for p in problems] == ["document slow", "document fine"]
    assert "time limit of 0 s" in problems[0].message
    assert [d.id for d, _ in extract_documents(docs, on_problem=problems.append, time_limit=30)] == ["slow", "fine"]


def test_ingest_reports_a_document_over_a_limit_and_stores_the_rest(tmp_path):
    (tmp_path / "huge.txt").write_text("Iran sent drones to Russia. " * 40_000, encoding="utf-8")
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    store = Store(str(tmp_path / "register.db"))
    problems = []
    summary = ingest([str(tmp_path)], store, on_problem=problems.append)
    assert summary.skipped == 1 and summary.outcomes["new"] == 1
    assert "huge.txt" in str(problems[0]) and "too large" in str(problems[0])
    assert store.counts()["documents"] == 1


# -- other languages ---------------------------------------------------------------------

def test_language_is_told_by_script_and_words_and_never_from_a_short_headline():
    assert guess_language(RUSSIAN) == "ru"
    assert guess_language(FRENCH) == "fr"
    assert guess_language("Iran is preparing to send ballistic missiles to Russia, officials said on Monday.") == "en"
    # a few function words of another language in an English headline decide nothing
    assert guess_language("Belarus sends out conscription notices en masse") is None
    assert guess_language("UN concludes inquiry into Al Jazeera report - news") is None


def test_other_languages_are_kept_unread_and_counted_in_every_summary(tmp_path):
    (tmp_path / "ru.txt").write_text(RUSSIAN, encoding="utf-8")
    (tmp_path / "fr.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "en.txt").write_text(GOOD, encoding="utf-8")
    extracted = run_cli("extract", tmp_path)
    err = extracted.stderr.decode()
    assert extracted.returncode == 0, err
    assert f"{tmp_path / 'ru.txt'}: not processed (language ru)" in err
    assert "3 documents read, 2 not processed (language fr: 1, language ru: 1)" in err

    db = tmp_path / "register.db"
    ingested = run_cli("ingest", "--db", db, tmp_path)
    err = ingested.stderr.decode()
    assert ingested.returncode == 0, err
    assert "3 new" in err and "2 not processed (language fr: 1, language ru: 1)" in err
    store = Store(str(db))
    assert store.counts()["documents"] == 3 and store.counts()["not_processed"] == 2
    assert store.not_processed() == {"language fr": 1, "language ru": 1}
    assert [c.doc for c in store.claims()] == [str(tmp_path / "en.txt")]


def test_passed_over_reads_english_and_unknown():
    assert passed_over(Document(id="a", text=GOOD, language="en")) is None
    assert passed_over(Document(id="b", text=GOOD, language=None)) is None
    assert passed_over(Document(id="c", text=RUSSIAN, language="ru")) == "language ru"
    assert extract_document(Document(id="c", text=RUSSIAN, language="ru")) == []


def test_no_english_document_of_the_shared_corpora_is_passed_over():
    """The language guess must never cost an English article its claims."""
    for name in ("dev", "pool"):
        path = shared_path("corpus", name, "docs.jsonl")
        unread = [d.id for d in read_inputs(str(path)) if passed_over(d)]
        assert unread == [], unread


def test_notices_are_not_skips(tmp_path):
    (tmp_path / "s.jsonl").write_text('{"id": "s", "text": "Iran sent drones to Russia \\ud800."}\n', encoding="utf-8")
    seen = []
    docs = list(read_inputs(str(tmp_path), on_problem=seen.append))
    assert [d.id for d in docs] == ["s"]
    assert len(seen) == 1 and isinstance(seen[0], InputNotice) and not seen[0].skipped


def test_nul_characters_from_json_are_replaced_and_the_document_stored(db_url, tmp_path):
    """A JSON \\u0000 in a text used to fail the whole commit on PostgreSQL (text cannot hold NUL)."""
    from armstrace.extract.pipeline import RULES
    from armstrace.pipeline import ingest
    from armstrace.store import Store

    path = tmp_path / "nul.jsonl"
    path.write_text('{"id": "nul", "title": "Drones\\u0000", "text": "Iran sent drones to Russia.\\u0000 More news."}\n'
                    '{"id": "fine", "text": "Norway will donate howitzers to Ukraine, the minister said."}\n',
                    encoding="utf-8")
    notes = []
    with Store(db_url) as store:
        summary = ingest([str(path)], store, model=RULES, on_problem=lambda p: notes.append(str(p)))
        assert summary.outcomes["new"] == 2 and summary.skipped == 0
        assert [c.doc for c in store.claims(supplier="IRN")] == ["nul"]
        from armstrace.store.schema import DocumentRow

        with store.Session() as session:
            row = session.query(DocumentRow).filter_by(doc_key="nul").one()
            assert row.text == "Iran sent drones to Russia.\ufffd More news." and row.title == "Drones\ufffd"
    assert any("NUL character" in n for n in notes), notes
