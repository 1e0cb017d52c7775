#!/usr/bin/env python3
"""Annotation tooling for the training corpus (labels in data/training/, texts in ../shared).

    python scripts/annotation.py sample            # choose the documents, freeze batches and the held-out split
    python scripts/annotation.py sample2 / sample3 # rounds two (train+stream) and three (unlabelled pool)
    python scripts/annotation.py sample4           # train2: its frozen held-out split, round one of 1,500
    python scripts/annotation.py sample5           # train2: round two, 700 more not yet labelled
    python scripts/annotation.py show BATCH [--start N] [--count K]
                                                   # print documents with numbered sentences and offsets
    python scripts/annotation.py check LABELS.jsonl [--batch BATCH]
                                                   # validate a label file; print each evidence span to proofread
    python scripts/annotation.py convert-gold GOLD.jsonl --corpus NAME --out OUT.jsonl
                                                   # gold with copied evidence sentences -> offset labels

A label file holds one document a line and no article text:
    {"id": "insightCrime_train_12", "corpus": "train", "annotator": "a1",
     "claims": [{"supplier": "USA", "recipient": "other-group", "category": "small_arms",
                 "status": "delivered", "designation": null, "attribution": ["police"],
                 "evidence": {"field": "text", "start": 120, "end": 245}}]}
`evidence.field` is "title" or "text" of the corpus record; start/end are character offsets
into that field. A document with "claims": [] was read and holds no claim.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = {
    "train": SHARED / "corpus" / "train" / "docs.jsonl",
    "stream": SHARED / "corpus" / "stream" / "reuters21578.jsonl",
    "pool": SHARED / "corpus" / "pool" / "docs.jsonl",
    "dev": SHARED / "corpus" / "dev" / "docs.jsonl",
    "seed": SHARED / "corpus" / "seed" / "seed.jsonl",
    "train2": SHARED / "corpus" / "train2" / "docs.jsonl",
    # our own texts, written to teach patterns the news above lacks (data/training/synthetic/)
    "synthetic1": ROOT / "data" / "training" / "synthetic" / "synthetic1.docs.jsonl",
    "synthetic2": ROOT / "data" / "training" / "synthetic" / "synthetic2.docs.jsonl",
}
TRAINING = ROOT / "data" / "training"
BATCHES = TRAINING / "batches"
CATEGORIES = {"aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery", "ammunition",
              "small_arms", "naval", "electronics", "technology", "unspecified"}
STATUSES = {"delivered", "ongoing", "agreed", "planned", "considered", "sought", "offered", "denied", "halted"}
SLUGS = {"hezbollah", "hamas", "houthis", "wagner", "taliban", "isis", "al-qaeda", "pkk", "ypg", "sdf", "peshmerga",
         "syrian-rebels", "lna", "contras", "unita", "mujahideen", "farc", "eln", "ira", "plo", "polisario", "ltte",
         "nato", "eu", "un", "other-group"}
HISTORIC = {"SUN", "DDR", "YUG", "CSK"}
ARMS = re.compile(r"weapon|arms|missile|drone|rifle|gun|ammunition|tank|aircraft|military aid|supply|deliver|smuggl|traffick",
                  re.IGNORECASE)
STREAM_ARMS = re.compile(r"weapon|arms sale|arms deal|missile|military aid|fighter|warship|tank|rifle|ammunition|\barms\b",
                         re.IGNORECASE)
HELD_OUT_SHARE = 0.2
SALT = "armstrace-heldout-2026-12-03"


def held_out(doc_id: str) -> bool:
    """The frozen held-out split: a fixed share of documents chosen by a salted hash of the id."""
    digest = hashlib.sha256(f"{SALT}:{doc_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32 < HELD_OUT_SHARE


def read_corpus(name: str, wanted: set[str] | None = None) -> dict[str, dict]:
    """A corpus's documents by id (only the `wanted` ones, when given: faster)."""
    path = CORPORA[name]
    if not path.exists():
        sys.exit(f"{path} is absent: the shared corpus must be beside the checkout")
    out = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if wanted is not None:
                head = re.match(r'\{"id": "([^"]+)"', line)
                if head is not None and head.group(1) not in wanted:
                    continue
            d = json.loads(line)
            if d.get("id") and (wanted is None or d["id"] in wanted):
                out[d["id"]] = d
    return out


def _source(doc_id: str) -> str:
    for prefix in ("insightCrime", "muc4", "cameo", "satp", "headline", "rams", "reuters"):
        if doc_id.startswith(prefix):
            return prefix
    return "other"


def sample(args) -> None:
    """Choose ~2,300 documents: arms-pattern documents of every train source, arms stories of
    the stream, and random non-matching documents as negatives; then batches and the split."""
    rng = random.Random(20261203)
    train = read_corpus("train")
    stream = read_corpus("stream")
    labelled = set()
    extra = TRAINING / "labels" / "gold-extra.jsonl"
    for path in (extra, CORPORA["pool"].with_name("gold.jsonl"), CORPORA["dev"].with_name("gold.jsonl")):
        if path.exists():
            labelled |= {json.loads(line)["id"] for line in open(path, encoding="utf-8") if line.strip()}
    quota = {"insightCrime": 600, "muc4": 350, "satp": 358, "rams": 192, "headline": 369, "cameo": 99}
    chosen: list[tuple[str, str]] = []
    by_source: dict[str, list[str]] = {}
    negatives: list[str] = []
    for doc_id, doc in sorted(train.items()):
        text = f"{doc.get('title') or ''} {doc.get('text') or ''}"
        if doc_id in labelled:
            continue
        if ARMS.search(text):
            by_source.setdefault(_source(doc_id), []).append(doc_id)
        elif len(text) < 3000:
            negatives.append(doc_id)
    for source, ids in sorted(by_source.items()):
        rng.shuffle(ids)
        chosen += [("train", i) for i in sorted(ids[:quota.get(source, 0)])]
    rng.shuffle(negatives)
    chosen += [("train", i) for i in sorted(negatives[:150])]
    stories = sorted(i for i, d in stream.items() if i not in labelled
                     and STREAM_ARMS.search(f"{d.get('title') or ''} {d.get('text') or ''}"))
    rng.shuffle(stories)
    chosen += [("stream", i) for i in sorted(stories[:200])]
    rng.shuffle(chosen)
    BATCHES.mkdir(parents=True, exist_ok=True)
    n = args.batches
    for k in range(n):
        part = chosen[k::n]
        (BATCHES / f"batch{k + 1:02d}.txt").write_text("".join(f"{c}\t{i}\n" for c, i in part), encoding="utf-8")
    # a random 10% is annotated twice: each batch's sample goes to the next annotator too
    double = []
    for k in range(n):
        part = chosen[k::n]
        picked = rng.sample(part, max(1, len(part) // 10))
        double.append(picked)
        (BATCHES / f"double{(k + 1) % n + 1:02d}.txt").write_text(
            "".join(f"{c}\t{i}\n" for c, i in sorted(picked)), encoding="utf-8")
    heldout = sorted(f"{c}\t{i}" for c, i in chosen if held_out(i))
    (TRAINING / "heldout.txt").write_text("\n".join(heldout) + "\n", encoding="utf-8")
    print(f"{len(chosen)} documents in {n} batches; {sum(map(len, double))} double-annotated; "
          f"{len(heldout)} held out ({HELD_OUT_SHARE:.0%}, frozen in data/training/heldout.txt)")


CUE = re.compile(r"\b(suppl\w*|sell\w*|sold|sale\w*|deliver\w*|smuggl\w*|traffick\w*|ship\w*|sen[dt]\w*|provid\w*|"
                 r"arm(?:ed|ing|s)? (?:the|them|rebels|guerrillas)|acquir\w*|bought|buy\w*|purchas\w*|export\w*|import\w*|"
                 r"transfer\w*|donat\w*|aid|gave|give\w*|handed|receiv\w*|obtain\w*|divert\w*|seiz\w*|intercept\w*)\b",
                 re.IGNORECASE)
WEAPON = re.compile(r"\b(weapon\w*|arms|guns?|rifles?|missiles?|ammunition|munitions?|grenades?|explosives?|tanks?|"
                    r"aircraft|helicopters?|jets?|fighters?|warships?|submarines?|drones?|rockets?|mortars?|artillery|"
                    r"howitzers?|launchers?|radars?|pistols?|firearms?|AK-47s?|M-16s?|bombs?)\b", re.IGNORECASE)


def _cooccur(text: str) -> bool:
    """A transfer word and a weapon word in one sentence."""
    return any(CUE.search(text[a:b]) and WEAPON.search(text[a:b]) for a, b in sentences(text))


def sample2(args) -> None:
    """Round two: the documents not chosen yet where a transfer word and a weapon word share a
    sentence (far likelier to hold a claim than the broad pattern of round one)."""
    rng = random.Random(20261204)
    taken = {i for p in BATCHES.glob("batch*.txt") for _, i in read_batch(str(p))}
    labelled = set()
    for path in TRAINING.glob("labels/*.jsonl"):
        labelled |= {json.loads(line)["id"] for line in open(path, encoding="utf-8") if line.strip()}
    chosen = []
    for corpus in ("train", "stream"):
        for doc_id, doc in sorted(read_corpus(corpus).items()):
            if doc_id in taken or doc_id in labelled:
                continue
            text = f"{doc.get('title') or ''}\n{doc.get('text') or ''}"
            if _cooccur(text):
                chosen.append((corpus, doc_id))
    rng.shuffle(chosen)
    chosen = chosen[:args.limit]
    n = args.batches
    for k in range(n):
        (BATCHES / f"batch{k + 9:02d}.txt").write_text("".join(f"{c}\t{i}\n" for c, i in sorted(chosen[k::n])),
                                                    encoding="utf-8")
    held = sorted(f"{c}\t{i}" for c, i in chosen if held_out(i))
    with open(TRAINING / "heldout.txt", "a", encoding="utf-8") as handle:
        handle.write("".join(h + "\n" for h in held))
    print(f"round two: {len(chosen)} documents in {n} batches (batch{9:02d}..batch{n + 8:02d}); "
          f"{len(held)} more held out by the same frozen rule")


def sample3(args) -> None:
    """Round three: the pool documents without gold (arms-dense news of many publishers, the
    genre the plan's hidden test is drawn from), in batches, with a random 10% annotated twice."""
    rng = random.Random(20261205)
    gold = CORPORA["pool"].with_name("gold.jsonl")
    labelled = {json.loads(line)["id"] for line in open(gold, encoding="utf-8") if line.strip()}
    for path in TRAINING.glob("labels/*.jsonl"):
        labelled |= {json.loads(line)["id"] for line in open(path, encoding="utf-8") if line.strip()}
    chosen = [("pool", i) for i in sorted(read_corpus("pool")) if i not in labelled]
    rng.shuffle(chosen)
    n, first = args.batches, args.first
    for k in range(n):
        (BATCHES / f"batch{k + first:02d}.txt").write_text("".join(f"{c}\t{i}\n" for c, i in sorted(chosen[k::n])),
                                                        encoding="utf-8")
    picked = sorted(rng.sample(chosen, max(1, len(chosen) // 10)))
    (BATCHES / f"double{args.double:02d}.txt").write_text("".join(f"{c}\t{i}\n" for c, i in picked), encoding="utf-8")
    held = sorted(f"{c}\t{i}" for c, i in chosen if held_out(i))
    with open(TRAINING / "heldout.txt", "a", encoding="utf-8") as handle:
        handle.write("".join(h + "\n" for h in held))
    print(f"round three: {len(chosen)} pool documents in {n} batches (batch{first:02d}..batch{first + n - 1:02d}); "
          f"{len(picked)} double-annotated (double{args.double:02d}); {len(held)} more held out by the same frozen rule")


def text_of(doc_id: str) -> str:
    """The text a document was cut from: a long text's windows (`tt_0f9d76502596_w12`) share it."""
    return re.sub(r"_w\d+$", "", doc_id)


def sample4(args) -> None:
    """train2 (modern arms-transfer texts): first freeze its held-out split, a random 20% of its
    texts by the same salted hash (all the windows of a text on one side, so that no held-out
    text is trained on), then draw round one: `--count` random documents of the rest, in
    batches of `--size`, with a random 10% of them annotated a second time (`doubleNN`). The
    held-out documents are batched too (`heldoutNN`): they need labels to be scored on."""
    docs = sorted(read_corpus("train2"))
    held = [i for i in docs if held_out(text_of(i))]
    rest = [i for i in docs if not held_out(text_of(i))]
    listed = set((TRAINING / "heldout.txt").read_text(encoding="utf-8").split("\n"))
    new_held = [f"train2\t{i}" for i in held if f"train2\t{i}" not in listed]
    with open(TRAINING / "heldout.txt", "a", encoding="utf-8") as handle:
        handle.write("".join(h + "\n" for h in new_held))
    rng = random.Random(20261207)
    chosen = rng.sample(rest, min(args.count, len(rest)))
    first = args.first
    batches = [chosen[k:k + args.size] for k in range(0, len(chosen), args.size)]
    for k, batch in enumerate(batches):
        (BATCHES / f"batch{first + k:02d}.txt").write_text("".join(f"train2\t{i}\n" for i in batch), encoding="utf-8")
    picked = sorted(rng.sample(chosen, max(1, len(chosen) // 10)))
    (BATCHES / f"double{args.double:02d}.txt").write_text("".join(f"train2\t{i}\n" for i in picked), encoding="utf-8")
    rng.shuffle(held)
    held_batches = [held[k:k + args.size] for k in range(0, len(held), args.size)]
    for k, batch in enumerate(held_batches, 1):
        (BATCHES / f"heldout{k:02d}.txt").write_text("".join(f"train2\t{i}\n" for i in batch), encoding="utf-8")
    print(f"train2: {len(held)} documents ({len({text_of(i) for i in held})} texts) held out, {len(new_held)} newly "
          f"listed in heldout.txt, in {len(held_batches)} batches (heldout01..); round one: {len(chosen)} of the "
          f"other {len(rest)} in {len(batches)} batches (batch{first:02d}..batch{first + len(batches) - 1:02d}), "
          f"{len(picked)} annotated twice (double{args.double:02d})")


def sample5(args) -> None:
    """train2, round two (and later rounds): `--count` random documents not held out and not
    labelled yet, in batches of `--size` from `batch{--first}`, with a random 10% of them
    annotated a second time (`double{--double}`)."""
    docs = sorted(read_corpus("train2"))
    labelled = set()
    for path in (TRAINING / "labels").glob("*.jsonl"):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                labelled.add(json.loads(line)["id"])
    for path in BATCHES.glob("*.txt"):  # drawn before, perhaps not labelled yet
        labelled.update(i for _, i in read_batch(str(path)))
    rest = [i for i in docs if not held_out(text_of(i)) and i not in labelled]
    rng = random.Random(args.seed)
    chosen = rng.sample(rest, min(args.count, len(rest)))
    batches = [chosen[k:k + args.size] for k in range(0, len(chosen), args.size)]
    for k, batch in enumerate(batches):
        (BATCHES / f"batch{args.first + k:02d}.txt").write_text("".join(f"train2\t{i}\n" for i in batch), encoding="utf-8")
    picked = sorted(rng.sample(chosen, max(1, len(chosen) // 10)))
    (BATCHES / f"double{args.double:02d}.txt").write_text("".join(f"train2\t{i}\n" for i in picked), encoding="utf-8")
    print(f"train2: {len(chosen)} of {len(rest)} unlabelled documents in {len(batches)} batches "
          f"(batch{args.first:02d}..batch{args.first + len(batches) - 1:02d}), {len(picked)} annotated twice "
          f"(double{args.double:02d})")


def read_batch(path: str) -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]


SENTENCE = re.compile(r"[^\n]*?(?:[.!?]+[\"'\u201d\u2019)]*(?=\s+[\"'\u201c\u2018(]?[A-Z0-9])|\n|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (start, end) of `text`: a full stop before a capital, or a line end."""
    spans, pos = [], 0
    while pos < len(text):
        m = SENTENCE.match(text, pos)
        end = m.end() if m and m.end() > pos else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((pos + lead, pos + len(piece.rstrip())))
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return spans


def show(args) -> None:
    corpora: dict[str, dict[str, dict]] = {}
    batch = read_batch(args.batch)[args.start:args.start + args.count if args.count else None]
    for n, (corpus, doc_id) in enumerate(batch, args.start):
        docs = corpora.setdefault(corpus, read_corpus(corpus, {i for c, i in batch if c == corpus}))
        doc = docs[doc_id]
        print(f"=== [{n}] {corpus} {doc_id}  date={doc.get('date')}")
        if doc.get("title"):
            print(f"  title [0:{len(doc['title'])}] {doc['title']}")
        for start, end in sentences(doc.get("text") or ""):
            print(f"  text [{start}:{end}] {doc['text'][start:end]}")
        print()


def check_claim(claim: dict, doc: dict, where: str, require_evidence: bool = True) -> list[str]:
    errors = []
    for key in ("supplier", "recipient"):
        value = claim.get(key)
        if value is not None and not (value in SLUGS or value in HISTORIC or re.fullmatch(r"[A-Z]{3}", value)):
            errors.append(f"{where}: {key} {value!r} is no ISO alpha-3 code, historic code or known slug")
    if claim.get("supplier") is None and claim.get("recipient") is None:
        errors.append(f"{where}: both parties null: not a claim")
    if claim.get("category") not in CATEGORIES:
        errors.append(f"{where}: category {claim.get('category')!r} unknown")
    if claim.get("status") not in STATUSES:
        errors.append(f"{where}: status {claim.get('status')!r} unknown")
    if not isinstance(claim.get("attribution", []), list):
        errors.append(f"{where}: attribution must be a list")
    ev = claim.get("evidence")
    if ev is None and not require_evidence:
        return errors  # a document-level gold claim (pool and seed gold give no sentence)
    ev = ev or {}
    field = ev.get("field")
    text = doc.get(field) or "" if field in ("title", "text") else None
    if text is None:
        errors.append(f"{where}: evidence.field must be 'title' or 'text'")
    elif not (isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int) and 0 <= ev["start"] < ev["end"] <= len(text)):
        errors.append(f"{where}: evidence offsets {ev.get('start')}:{ev.get('end')} outside the {field} ({len(text)} chars)")
    return errors


def check(args) -> None:
    corpora: dict[str, dict[str, dict]] = {}
    expected = {i for _, i in read_batch(args.batch)} if args.batch else None
    errors, seen, claims = [], set(), 0
    for number, line in enumerate(open(args.labels, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            errors.append(f"line {number}: not JSON ({err.msg})")
            continue
        corpus, doc_id = record.get("corpus"), record.get("id")
        if corpus not in CORPORA:
            errors.append(f"line {number}: corpus {corpus!r} unknown")
            continue
        doc = corpora.setdefault(corpus, read_corpus(corpus)).get(doc_id)
        if doc is None:
            errors.append(f"line {number}: no document {doc_id!r} in {corpus}")
            continue
        if doc_id in seen:
            errors.append(f"line {number}: {doc_id} labelled twice")
        seen.add(doc_id)
        for k, claim in enumerate(record.get("claims", [])):
            claims += 1
            problems = check_claim(claim, doc, f"line {number} {doc_id} claim {k}",
                                   require_evidence=record.get("annotator") not in ("adjudicated", "team"))
            errors += problems
            if args.verbose and not problems and claim.get("evidence"):
                ev = claim["evidence"]
                print(f"{doc_id}: {claim['supplier']} -> {claim['recipient']} {claim['category']} {claim['status']} "
                      f"{claim.get('designation')} {claim.get('attribution')} | {doc[ev['field']][ev['start']:ev['end']]}")
    if expected is not None and expected - seen:
        errors.append(f"{len(expected - seen)} documents of the batch not labelled yet, e.g. {sorted(expected - seen)[:5]}")
    for e in errors:
        print(e)
    print(f"{len(seen)} documents, {claims} claims, {len(errors)} errors")
    sys.exit(1 if errors else 0)


def convert_gold(args) -> None:
    """Gold claims with copied evidence sentences -> offset labels (the sentence located in the
    title or text of the corpus record, whitespace-insensitively)."""
    docs = read_corpus(args.corpus)
    out, missing = [], 0
    for line in open(args.gold, encoding="utf-8"):
        if not line.strip():
            continue
        record = json.loads(line)
        doc = docs.get(record["id"])
        if doc is None:
            continue
        claims = []
        for claim in record.get("claims", []):
            span = locate(doc, claim.get("evidence") or "")
            if span is None:
                missing += 1
            fields = {k: claim.get(k) for k in ("supplier", "recipient", "category", "status", "designation")}
            fields["attribution"] = list(claim.get("attribution") or [])
            fields["evidence"] = span
            claims.append(fields)
        out.append({"id": record["id"], "corpus": args.corpus, "annotator": args.annotator, "claims": claims})
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in out:
            handle.write(json.dumps(record) + "\n")
    print(f"{len(out)} documents written to {args.out}; {missing} evidence sentences not found (evidence null)")


def locate(doc: dict, sentence: str) -> dict | None:
    words = sentence.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for field in ("text", "title"):
        m = pattern.search(doc.get(field) or "")
        if m:
            return {"field": field, "start": m.start(), "end": m.end()}
    return None


def agreement(args) -> None:
    """Triple F1 between the first and the second annotation of the double-annotated sample,
    and the documents where they disagree (for adjudication)."""
    first: dict[str, list] = {}
    for path in sorted(TRAINING.glob("labels/batch*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                first[r["id"]] = r["claims"]
    tp = n1 = n2 = 0
    stp = 0
    docs = agree_docs = 0
    disagree = []
    for path in sorted(TRAINING.glob("labels/double*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if not line.strip():
                continue
            r = json.loads(line)
            if r["id"] not in first:
                continue
            a = {(c["supplier"], c["recipient"], c["category"]) for c in first[r["id"]]}
            b = {(c["supplier"], c["recipient"], c["category"]) for c in r["claims"]}
            sa = {(c["supplier"], c["recipient"], c["category"], c["status"]) for c in first[r["id"]]}
            sb = {(c["supplier"], c["recipient"], c["category"], c["status"]) for c in r["claims"]}
            tp, n1, n2, stp = tp + len(a & b), n1 + len(a), n2 + len(b), stp + len(sa & sb)
            docs += 1
            agree_docs += a == b
            if a != b:
                disagree.append(r["id"])
    f1 = 2 * tp / (n1 + n2) if n1 + n2 else 1.0
    sf1 = 2 * stp / (n1 + n2) if n1 + n2 else 1.0
    print(f"{docs} documents annotated twice; triples {n1} and {n2}, {tp} shared: triple F1 {f1:.3f}; "
          f"with status (strict) F1 {sf1:.3f}; documents with the same triples: {agree_docs}/{docs}")
    print("disagreements:", " ".join(disagree))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample")
    p.add_argument("--batches", type=int, default=8)
    p.set_defaults(func=sample)
    p = sub.add_parser("sample2")
    p.add_argument("--batches", type=int, default=8)
    p.add_argument("--limit", type=int, default=2400)
    p.set_defaults(func=sample2)
    p = sub.add_parser("sample3")
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--first", type=int, default=13)
    p.add_argument("--double", type=int, default=9)
    p.set_defaults(func=sample3)
    p = sub.add_parser("sample4")
    p.add_argument("--count", type=int, default=1500)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--first", type=int, default=18)
    p.add_argument("--double", type=int, default=18)
    p.set_defaults(func=sample4)
    p = sub.add_parser("sample5")
    p.add_argument("--count", type=int, default=700)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--first", type=int, default=33)
    p.add_argument("--double", type=int, default=33)
    p.add_argument("--seed", type=int, default=20261208)
    p.set_defaults(func=sample5)
    p = sub.add_parser("agreement")
    p.set_defaults(func=agreement)
    p = sub.add_parser("show")
    p.add_argument("batch")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=0)
    p.set_defaults(func=show)
    p = sub.add_parser("check")
    p.add_argument("labels")
    p.add_argument("--batch")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=check)
    p = sub.add_parser("convert-gold")
    p.add_argument("gold")
    p.add_argument("--corpus", required=True, choices=sorted(CORPORA))
    p.add_argument("--out", required=True)
    p.add_argument("--annotator", default="team")
    p.set_defaults(func=convert_gold)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
