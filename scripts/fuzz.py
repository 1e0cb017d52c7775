#!/usr/bin/env python
"""Coverage-guided fuzzing of armstrace's readers and extraction (atheris, i.e. libFuzzer).

    .venv/bin/python scripts/fuzz.py --runs 100000                   # readers, some extraction
    .venv/bin/python scripts/fuzz.py --target extract --runs 20000   # extraction only
    .venv/bin/python scripts/fuzz.py --target readers -max_total_time=3600
    .venv/bin/python scripts/fuzz.py test-artifacts/fuzz/crash-<sha1>  # run one saved input again

Install the fuzzer with `pip install -e '.[fuzz]'`. Any libFuzzer option passes through
(`-runs`, `-max_total_time`, `-timeout`, `-rss_limit_mb`, `-max_len`, `-jobs`, ...). Without
atheris the hypothesis properties of `tests/test_fuzz.py` run instead, with the "long"
profile (`ARMSTRACE_FUZZ_PROFILE=long`; about `--runs` examples in all, spread over its tests).

What one case is. The input's first byte picks the target, its second a mode, the rest is the
payload:

* readers (`--target readers`, or `all`): the payload as one of the formats (sniffed, text,
  Markdown, HTML, JSON Lines, JSON, WARC, feed), given as bytes in memory
  (`Reader.read_bytes`, as stdin and uploads are), gzipped, gzipped and cut at a point the mode
  byte says, or written to a file with the format's ending and read by name (`Reader.read`,
  the path of the CLI; a good document is read after it in the same batch, and must come
  out). The first document read, when it is under 5,000 characters, is extracted too, in a
  quarter of the cases (the mode byte says which).
* extraction (`--target extract`, or `all`): the payload decoded as UTF-8, as UTF-16 with
  lone surrogates passed through, as Latin-1, or as words (each byte picks a word of arms
  trade news or an odd character: control characters, zero-width and bidirectional marks,
  line and paragraph separators, lone surrogates) so that the prefilter lets it through to
  the parser. `extract_documents` reads it with the per-document limits.

What fails a case: any exception but an `InputProblem` told to the reader's `on_problem` or
an `ExtractionLimit` reported by name (a crash: libFuzzer saves the input as `crash-<sha1>`),
a case running over `-timeout` seconds (default 60: a hang, saved as `timeout-<sha1>`), the
process growing over `-rss_limit_mb` (default 2048: saved as `oom-<sha1>`), and a broken
invariant: a removed span not `raw[start:end]`, claim evidence not `full_text[start:end]`,
text that is not valid Unicode, the good document after a bad input not read. The inputs go
to `test-artifacts/fuzz/` (`-artifact_prefix`), the corpus grows in
`test-artifacts/fuzz/corpus-<target>/`, seeded with well-formed inputs of every format
written here.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "fuzz"

FORMATS = [None, "text", "markdown", "html", "jsonl", "json", "warc", "feed"]
ENDINGS = {None: ".gz", "text": ".txt", "markdown": ".md", "html": ".html", "jsonl": ".jsonl", "json": ".json",
           "warc": ".warc", "feed": ".rss"}
MODES = ("bytes", "gzip", "cut gzip", "file")
EXTRACT = 255  # the first byte that picks extraction (with --target all)
EXTRACT_CHARS = 5_000  # a document read is extracted when it is shorter than this
TIME_LIMIT = 20.0  # extraction's per-document limit in the fuzzer (the default is 60 s)

GOOD_TEXT = ("Country A delivered twelve tanks to Country B, the defence ministry of Country B "
             "said on Monday.\n\nThe tanks arrived by rail, officials added.")
WORDS = ["Iran", "Russia", "Ukraine", "Germany", "Israel", "sent", "delivered", "sold", "supplied", "will",
         "supply", "drones", "tanks", "missiles", "S-300", "Su-35", "howitzers", "to", "from", "of", "the",
         "a", "and", "said", "reportedly", "officials", "denied", "on", "Monday", "in", "2024", ".", ",",
         "\"", "'", "(", ")", "-", "\u2014", ":", "\n", "\n\n", " ", "  ", "\t", "\r\n", "\x00", "\x1b",
         "\x7f", "\u200b", "\u200e", "\u202e", "\u2028", "\u2029", "\u0085", "\ufeff", "\ufffd", "\ud800",
         "\udfff", "\U0001F600", "\u0301", "\u0410\u0440\u043c\u0438\u044f", "\u4e2d\u56fd", "\u0627",
         "TANKS", "IRAN SENT", "#", "*", "[", "]", "<", ">", "&amp;", "&#0;", "http://x.example/a?b=c"]


def seeds() -> dict[str, bytes]:
    """Well-formed inputs of every format, written here (no copied text), as fuzz inputs."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tanks for Country B</title></head>"
            b"<body><nav><a href='/'>Home</a></nav><article><h1>Tanks for Country B</h1>"
            b"<p>Country A delivered twelve tanks to Country B, the defence ministry said on Monday.</p>"
            b"<p>The tanks arrived by rail &amp; road, officials added. Read also: other news</p>"
            b"</article></body></html>")
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for n, (ctype, payload) in enumerate([("text/html", page), ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(40))]):
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://news.example/{n}", "response",
                                                      payload=io.BytesIO(payload), http_headers=headers))
    warc = out.getvalue()
    feed = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [<!ENTITY a "tanks"><!ENTITY b "&a;&a;">]>\n'
            b'<rss version="2.0"><channel><title>Example Feed</title>'
            b'<item><title>Country A sends &b;</title><link>https://feed.example/1</link>'
            b'<description><![CDATA[<p>Country A delivered tanks to Country B.</p>]]></description>'
            b'<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item></channel></rss>')
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            b'<entry><title>Drones for Country C</title><id>urn:x:1</id><updated>2024-05-06T00:00:00Z</updated>'
            b'<content type="html">&lt;p&gt;Country D sold drones to Country C.&lt;/p&gt;</content></entry></feed>')
    jsonl = (b'{"id": "a1", "title": "Tanks", "text": "Country A delivered tanks to Country B.", '
             b'"date": "2024-05-06"}\n'
             b'{"id": "a2", "text": "broken\n{"text": 12}\n[1, 2]\n{"id": "a3", "body": "Drones \\ud800 sold.", '
             b'"url": "https://x.example/3"}\n')
    array = b'{"articles": [{"id": "b1", "headline": "Tanks", "content": "Country A sold tanks."}, 7, {"text": ""}]}'
    text = GOOD_TEXT.encode() + b"\n\nSign up for our newsletter to get updates\nShare on Facebook\n"
    markdown = b"# Tanks *for* Country B\n\nCountry A delivered [tanks](https://x.example) to **Country B**.\n"
    raw = {"text": text, "markdown": markdown, "html": page, "jsonl": jsonl, "json": array, "warc": warc,
           "feed": feed}
    found = {}
    for fmt, payload in raw.items():
        for mode in range(len(MODES)):
            found[f"{fmt}-{MODES[mode].replace(' ', '-')}"] = bytes([FORMATS.index(fmt), 128 + mode]) + payload
    found["atom"] = bytes([FORMATS.index("feed"), 0]) + atom
    found["sniffed-warc"] = bytes([0, 0]) + warc
    found["extract-words"] = bytes([EXTRACT, 3]) + bytes(range(0, len(WORDS)))
    found["extract-text"] = bytes([EXTRACT, 0]) + GOOD_TEXT.encode()
    return found


class Case:
    """Runs one fuzz input; every check is an assertion (a crash to the fuzzer)."""

    def __init__(self, target: str, workdir: str):
        from armstrace.extract import ExtractionLimit, extract_documents
        from armstrace.ingest import READER_ERROR, Document, InputProblem, Reader

        self.target = target
        self.workdir = workdir
        self.Document, self.InputProblem, self.Reader = Document, InputProblem, Reader
        self.reader_error = READER_ERROR
        Reader.catch_all = False  # an error the reader did not foresee is a crash, with its traceback
        self.ExtractionLimit, self.extract_documents = ExtractionLimit, extract_documents
        self.good = os.path.join(workdir, "good.txt")
        Path(self.good).write_text(GOOD_TEXT, encoding="utf-8")
        list(extract_documents([Document(id="warm", text=GOOD_TEXT)]))  # load spaCy once, before fuzzing
        from armstrace.extract.pipeline import get_prefilter, passed_over
        from armstrace.nlp import get_nlp
        from armstrace.nlp.truecase import normalise

        self.can_hold = lambda text: get_prefilter(get_nlp())(normalise(text))
        self.passed_over = passed_over
        # what the cases covered, written to test-artifacts/fuzz/stats-<target>.json as it goes
        self.stats: collections.Counter = collections.Counter()
        self.stats_path = ARTIFACTS / f"stats-{target}.json"

    def save_stats(self) -> None:
        self.stats_path.write_text(json.dumps(dict(sorted(self.stats.items())), indent=1) + "\n")

    def __call__(self, data: bytes) -> None:
        self.stats["cases"] += 1
        if self.stats["cases"] % 500 == 0:
            self.save_stats()
        if len(data) < 2:
            return
        pick, mode, payload = data[0], data[1], data[2:]
        if self.target == "extract" or (self.target == "all" and pick == EXTRACT):
            self.extract(mode, payload)
        elif self.target != "extract":
            self.read(FORMATS[pick % len(FORMATS)], mode, payload)

    # -- readers --------------------------------------------------------------------------
    def read(self, fmt: str | None, mode: int, payload: bytes) -> None:
        how = MODES[mode & 3]
        seen: list = []
        reader = self.Reader(on_problem=seen.append)
        path = None
        if how == "file":
            path = os.path.join(self.workdir, "input" + ENDINGS[fmt])
            with open(path, "wb") as handle:
                handle.write(payload)
            docs = list(reader.read([path, self.good]))
            assert docs and docs[-1].source_path == self.good, "the good document after a bad input was not read"
            docs = docs[:-1]
        else:
            if how != "bytes":
                payload = gzip.compress(payload, mtime=0)
                if how == "cut gzip":
                    payload = payload[: len(payload) * (mode >> 2) // 64]
            docs = list(reader.read_bytes(payload, "input", fmt))
        self.stats[f"read {fmt or 'sniffed'} ({how})"] += 1
        self.stats["documents read"] += len(docs)
        self.stats["problems and notices"] += len(seen)
        for problem in seen:
            assert isinstance(problem, self.InputProblem), problem
            assert problem.path == (path or "input"), problem
            assert self.reader_error not in problem.message, problem  # the reader's last resort caught a crash
        for doc in docs:
            check_document(doc)
        if docs and (mode >> 2) % 4 == 0 and len(docs[0].full_text) < EXTRACT_CHARS:
            self.extract_docs(docs[:1])

    # -- extraction -----------------------------------------------------------------------
    def extract(self, mode: int, payload: bytes) -> None:
        how = mode & 3
        if how == 0:
            text = payload.decode("utf-8", "replace")
        elif how == 1:
            text = payload[: len(payload) // 2 * 2].decode("utf-16-le", "surrogatepass")
        elif how == 2:
            text = payload.decode("latin-1")
        else:
            text = "".join(WORDS[b % len(WORDS)] + (" " if b & 1 else "") for b in payload)
        title = None
        if mode & 4 and "\n" in text:
            title, text = text.split("\n", 1)
        doc = self.Document(id="fuzz", text=text, title=title, published="2024-05-06" if mode & 8 else None)
        self.extract_docs([doc])

    def extract_docs(self, docs: list) -> None:
        problems: list = []
        self.stats["documents extracted"] += len(docs)
        self.stats["... of them parsed (through the prefilter)"] += sum(
            1 for doc in docs if not self.passed_over(doc) and self.can_hold(doc.full_text or ""))
        out = list(self.extract_documents(docs, on_problem=problems.append, time_limit=TIME_LIMIT))
        self.stats["... with a claim"] += sum(1 for _, claims in out if claims)
        self.stats["... over a limit (reported by name)"] += len(problems)
        assert len(out) + len(problems) == len(docs), (len(out), problems)
        for problem in problems:
            assert isinstance(problem, self.InputProblem) and "document " in problem.message, problem
        for doc, claims in out:
            text = doc.full_text
            for claim in claims:
                assert text[claim.start:claim.end] == claim.evidence, (claim.start, claim.end, claim.evidence)
                claim.to_dict()


def check_document(doc) -> None:
    """What every document read must be: valid Unicode, offsets that point where they say."""
    for name in ("id", "text", "title", "url", "published", "publisher", "syndicated_from", "language", "raw"):
        value = getattr(doc, name)
        assert value is None or isinstance(value, str), (name, type(value))
        if value is not None:
            value.encode("utf-8")
    if doc.raw is not None:
        for span in doc.removed:
            assert doc.raw[span.start:span.end] == span.text, span
    assert len(doc.content_hash) == 64
    doc.to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=True)
    parser.add_argument("--target", choices=("all", "readers", "extract"), default="all")
    parser.add_argument("--runs", type=int, help="cases to run (libFuzzer's -runs)")
    parser.add_argument("--no-seeds", action="store_true", help="do not write the seed corpus")
    args, rest = parser.parse_known_args()

    try:
        import atheris
    except ImportError:
        fallback(args)
        return

    import spacy  # noqa: F401 - imported before instrumenting: spaCy and its models are not fuzzed
    import warcio.archiveiterator

    with atheris.instrument_imports(include=["armstrace", "warcio", "feedparser", "trafilatura", "htmldate",
                                             "charset_normalizer", "courlan", "justext", "dateutil"]):
        import armstrace.extract  # noqa: F401
        import armstrace.ingest  # noqa: F401

    # warcio writes a warning with the raw bytes of a record it finds odd to stderr; in the
    # fuzzer that is noise (armstrace reports the record itself)
    warcio.archiveiterator.sys = type("quiet", (), {"stderr": io.StringIO(), "exc_info": sys.exc_info})

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    corpus = ARTIFACTS / f"corpus-{args.target}"
    corpus.mkdir(exist_ok=True)
    if not args.no_seeds:
        for name, data in seeds().items():
            if args.target == "extract" and not name.startswith("extract"):
                continue
            (corpus / f"seed-{name}").write_bytes(data)
    flags = [a for a in rest if a.startswith("-")]
    files = [a for a in rest if not a.startswith("-")]
    given = {a.split("=")[0] for a in flags}
    defaults = {"-timeout": "60", "-rss_limit_mb": "2048", "-max_len": "16384",
                "-artifact_prefix": str(ARTIFACTS) + os.sep, "-print_final_stats": "1"}
    if args.runs is not None:
        defaults["-runs"] = str(args.runs)
    flags += [f"{k}={v}" for k, v in defaults.items() if k not in given]
    argv = [sys.argv[0], *flags, *(files or [str(corpus)])]
    with tempfile.TemporaryDirectory(prefix="armstrace-fuzz-") as workdir:
        case = Case(args.target, workdir)
        atheris.Setup(argv, case)
        atheris.Fuzz()


def fallback(args) -> None:
    """No atheris: the hypothesis properties with the long profile."""
    import subprocess

    env = {**os.environ, "ARMSTRACE_FUZZ_PROFILE": "long"}
    if args.runs:  # the "ci" profile runs about 1,000 examples in all: --runs N, N / 1,000 times as many
        env["ARMSTRACE_FUZZ_FACTOR"] = str(max(1, round(args.runs / 1000)))
    print("atheris is not installed (pip install -e '.[fuzz]'): running tests/test_fuzz.py with the long "
          "hypothesis profile instead", file=sys.stderr)
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              str(ROOT / "tests" / "test_fuzz.py")], env=env, cwd=ROOT))


if __name__ == "__main__":
    main()
