"""Near-duplicates found through the index in the database: the same copies as datasketch's
in-memory LSH, across processes and batches, after an upgrade, with no memory kept a document."""

from __future__ import annotations

import gc
import random
import sqlite3
import tracemalloc

import pytest
from sqlalchemy import func, select

from armstrace.ingest import Document
from armstrace.store import Store, dedup
from armstrace.store.engine import make_engine
from armstrace.store.schema import DocumentRow, MinHashBandRow

WORDS = ("harbour convoy ministry parliament budget tender frigate engine contract rail bridge grain export "
         "minister treaty harvest summit radar coast patrol factory shipment loan council election port").split()


def story(rng: random.Random, n: int = 240) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def variants(seed: int = 7, originals: int = 40) -> list[tuple[str, str]]:
    """(id, text): stories, near copies of some (a few words changed), and far copies."""
    rng = random.Random(seed)
    out = []
    for i in range(originals):
        text = story(rng)
        out.append((f"s{i}", text))
        words = text.split()
        for j, changes in enumerate((1, 3, 5, 25)):  # a footer's worth, edits (5: near the threshold), a rewrite
            copy = list(words)
            for _ in range(changes):
                copy[rng.randrange(len(copy))] = rng.choice(WORDS)
            out.append((f"s{i}c{j}", " ".join(copy)))
    rng.shuffle(out)
    return out


def reference(texts: list[tuple[str, str]]) -> dict[str, str | None]:
    """Which earlier document each copies, by datasketch's own MinHashLSH in memory (what the
    store kept in memory before)."""
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM)
    kept: dict[int, LeanMinHash] = {}
    out = {}
    for number, (key, text) in enumerate(texts):
        minhash = LeanMinHash(seed=1, hashvalues=dedup.signature(text), scheme=dedup.SCHEME)
        found = [n for n in lsh.query(minhash) if kept[n].jaccard(minhash) >= dedup.THRESHOLD]
        out[key] = texts[min(found)][0] if found else None
        if not found:
            lsh.insert(number, minhash)
            kept[number] = minhash
    return out


def stored_originals(store: Store) -> dict[str, str | None]:
    with store.Session() as session:
        keys = dict(session.execute(select(DocumentRow.id, DocumentRow.doc_key)).all())
        return {key: keys.get(dup) for key, dup in session.execute(select(DocumentRow.doc_key, DocumentRow.duplicate_of))}


def test_the_bands_are_the_ones_datasketch_chooses_for_the_threshold():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM)
    assert (lsh.b, lsh.r) == (dedup.BANDS, dedup.ROWS)


@pytest.mark.parametrize("batched", [False, True], ids=["one-by-one", "add_many"])
def test_the_index_in_the_database_finds_the_copies_datasketch_finds(db_url, batched):
    texts = variants()
    expected = reference(texts)
    found = sum(v is not None for v in expected.values())
    assert 60 <= found < 150, found  # the set has copies to find, and some near copies that are not
    docs = [Document(id=key, text=text) for key, text in texts]
    with Store(db_url) as store:
        if batched:
            half = len(docs) // 2  # a batch whose later documents copy its earlier ones, then another
            store.add_many([(d, [], None) for d in docs[:half]])
            store.add_many([(d, [], None) for d in docs[half:]])
        else:
            for d in docs:
                store.add(d, [])
        assert stored_originals(store) == expected
        with store.Session() as session:  # originals only are candidates, a row a band
            originals = sum(v is None for v in expected.values())
            assert session.scalar(select(func.count()).select_from(MinHashBandRow)) == originals * dedup.BANDS


def test_a_second_process_finds_the_copies_of_what_the_first_stored(db_url):
    text = story(random.Random(3), 200)
    with Store(db_url) as first:
        first.add(Document(id="a", text=text), [])
    with Store(db_url) as second:  # a new process: nothing in memory
        assert second.add(Document(id="b", text=text + " Syndicated."), []) == "duplicate"


def test_a_document_whose_text_changes_leaves_the_index_and_joins_it_with_its_new_text(db_url):
    rng = random.Random(5)
    old, new = story(rng, 150), story(rng, 150)
    with Store(db_url) as store:
        store.add(Document(id="a", text=old), [])
        store.add(Document(id="a", text=new), [])  # updated: the old text is no longer stored
        assert store.add(Document(id="b", text=old + " Copy."), []) == "new"
        assert store.add(Document(id="c", text=new + " Copy."), []) == "duplicate"


def test_an_upgrade_fills_the_index_from_the_stored_signatures(tmp_path):
    """A register written before the index moved to the database (migration 0007) finds the
    copies of its documents once upgraded."""
    from alembic import command
    from alembic.config import Config
    from importlib import resources

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(resources.files("armstrace.store").joinpath("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    engine.dispose()
    rng = random.Random(11)
    texts = [story(rng, 150) for _ in range(3)]
    with sqlite3.connect(path) as db:
        for i, text in enumerate(texts, 1):
            full = Document(id=f"d{i}", text=text)
            db.execute("INSERT INTO documents (id, doc_key, text, content_hash, minhash, removed, ingested_at) "
                       "VALUES (?, ?, ?, ?, ?, '[]', '2026-01-01')",
                       (i, f"d{i}", text, full.content_hash, dedup.to_bytes(dedup.signature(full.full_text))))
    with Store(str(path)) as store:
        with store.Session() as session:
            assert session.scalar(select(func.count()).select_from(MinHashBandRow)) == 3 * dedup.BANDS
        assert store.add(Document(id="copy", text=texts[1] + " Reprinted."), []) == "duplicate"
        assert stored_originals(store)["copy"] == "d2"


def test_storing_documents_keeps_no_memory_a_document(tmp_path):
    """The store held each original's signature and LSH entries in memory (about 7 KB a
    document: 700 MB for 100,000; 1.5 MB for the 200 here); now the index is in the database."""
    rng = random.Random(13)
    with Store(str(tmp_path / "r.db")) as store:
        def batch(prefix: str, n: int = 200) -> None:
            for start in range(0, n, 50):
                store.add_many([(Document(id=f"{prefix}{i}", text=story(rng, 40)), [], None)
                                for i in range(start, start + 50)])

        batch("warm")  # the first documents load code and caches
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            batch("more")
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert grown < 200 * 500, f"{grown:,} bytes kept for 200 documents stored"
