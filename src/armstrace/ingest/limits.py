"""Bounds on what one input may cost the readers, so that no input can exhaust memory.

What the readers hold in memory grows with the input (a page's text, a feed's entries, a
JSON array's articles, several times the bytes read), so every input is bounded:

* a file on disk is read only up to `MAX_INPUT_BYTES` (so is standard input);
* a format read whole (text, Markdown, HTML, a JSON array, a feed) is at most `MAX_WHOLE`
  bytes, on disk or once decompressed (`MAX_DECOMPRESSED`). Compressed input is the
  asymmetric case: a few megabytes of gzip expand to gigabytes (a "gzip bomb": zlib reaches
  about 1,000 to 1), so what a .gz expands to is measured first, a chunk at a time and
  keeping nothing: a bomb is refused in bounded memory and in a fraction of a second;
* a format read as a stream (JSON Lines line by line, WARC record by record) holds one line
  or one record at a time, so its size is not bounded but for `MAX_INPUT_BYTES` on disk; a
  .gz of it may expand to at most `MAX_GZIP_RATIO` times its compressed size (or
  `MAX_DECOMPRESSED`, whichever is more): text compresses 3 to 15 times, so only a bomb
  reaches it, and reading stops before it has cost minutes;
* one JSON Lines line, and one page in a WARC record, is at most `MAX_RECORD` (characters
  or bytes); one line of a WARC record's headers at most `MAX_HEADER_LINE` bytes, and one
  record's headers at most `MAX_HEADERS` bytes.

Each refusal is an `InputProblem` naming the file (and the line or record): that input, or
that record, is skipped and the rest of the batch goes on.
"""

from __future__ import annotations

MAX_INPUT_BYTES = 2 * 1024**3  # a file on disk
MAX_WHOLE = 256 * 1024**2  # an input read whole (not JSON Lines or WARC)
MAX_DECOMPRESSED = MAX_WHOLE  # what a .gz input read whole may expand to
MAX_GZIP_RATIO = 100  # a .gz input read as a stream: times its compressed size
MAX_RECORD = 64 * 1024**2  # one JSON Lines line (characters); one page in a WARC record (bytes)
MAX_HEADER_LINE = 1024**2  # one line of a WARC record's headers (bytes)
MAX_HEADERS = 1024**2  # all the headers of one WARC record, or of its HTTP response (bytes)
CHUNK = 1024**2  # what is decompressed at a time


def stream_limit(compressed_bytes: int) -> int:
    """What a .gz input read as a stream may expand to."""
    return max(MAX_DECOMPRESSED, MAX_GZIP_RATIO * compressed_bytes)


def too_large_whole(size: int, limit: int = MAX_WHOLE) -> str:
    """Why an input read whole was refused for its size."""
    return (f"too large to read whole: {size:,} bytes, the limit is {limit:,} for text, HTML, a feed or a "
            "JSON array (armstrace.ingest.MAX_WHOLE); split it, or give the articles as JSON Lines")


def expands_message(limit: int, compressed_bytes: int | None = None) -> str:
    """Why a .gz input was refused for what it expands to."""
    if compressed_bytes is not None and limit > MAX_DECOMPRESSED:
        why = f"{MAX_GZIP_RATIO} times its {compressed_bytes:,} compressed bytes"
    else:
        why = "the limit for one compressed input (armstrace.ingest.MAX_DECOMPRESSED)"
    return (f"gzip data that expands to more than {limit:,} bytes ({why}): a gzip bomb? "
            "Decompress it yourself if it is real")


# What one document's metadata may hold: the register stores them in columns of these lengths
# (PostgreSQL refuses a longer value where SQLite takes it), so every reader's documents fit.
MAX_ID = 1000  # a document's id (characters)
MAX_NAME = 300  # a publisher's name, the outlet a reprint names
ID_HASH = 32  # hex digits of the hash that ends an id cut to fit


def fit_id(value: str, limit: int = MAX_ID) -> str:
    """`value`, or, when longer than `limit`, its start and a hash of the whole: as long as
    the limit, the same for the same value, and different for different ones."""
    if len(value) <= limit:
        return value
    import hashlib

    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:ID_HASH]
    return f"{value[:limit - len(digest) - 1]}~{digest}"


def fit_text(value: str, limit: int) -> str:
    """`value`, or, when longer than `limit`, its start and an ellipsis, as long as the limit."""
    return value if len(value) <= limit else value[:limit - 1] + "\u2026"
