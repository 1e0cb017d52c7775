"""SIPRI comparison: import a SIPRI Trade Register export and diff it with the register.

`import_register` reads the CSV export as users download it (preamble lines, then a
header, rows ending in ';', one row per deal and delivery year) into the `sipri_deals`
table, one row per deal, replacing an earlier import. `diff` answers the question an
analyst asks after each SIPRI release: which transfers does the news report that SIPRI
does not have, and which SIPRI deals does the news corroborate?
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import delete, select

from .store import ClaimFilter, FactRecord, Store
from .store.query import known_actors
from .store.schema import SipriDealRow

HEADER_START = "SIPRI AT Database ID"
REQUIRED = ("SIPRI AT Database ID", "Supplier", "Recipient", "Designation", "Armament category")


class SipriFormatError(ValueError):
    """The file is not a SIPRI Trade Register export."""


@lru_cache(maxsize=1)
def _category_rules() -> list[tuple[str, re.Pattern, str]]:
    text = resources.files("armstrace.data").joinpath("manual/sipri_category_map.csv").read_text("utf-8")
    rules = []
    for row in csv.DictReader(io.StringIO(text)):
        category = row["category"] if row["category"] != "-" else "unspecified"
        rules.append((row["sipri_category"], re.compile(row["description_regex"], re.IGNORECASE), category))
    return rules


def our_category(sipri_category: str, description: str) -> str:
    for sipri, pattern, category in _category_rules():
        if sipri == sipri_category and pattern.search(description or ""):
            return category
    return "unspecified"


def actor_code(name: str) -> str | None:
    """The register's code for a SIPRI supplier/recipient name, None when unknown."""
    codes = known_actors()["surfaces"]
    clean = name.replace("*", "").strip()
    for candidate in (clean, re.sub(r"\s*\(.*?\)\s*", " ", clean).strip(), clean.split("(")[-1].rstrip(")").strip()):
        code = codes.get(candidate.lower())
        if code:
            return code
    return None


def _int(value: str) -> int | None:
    value = (value or "").strip().rstrip("?")
    try:
        return int(float(value))
    except ValueError:
        return None


def read_register(path: str | Path) -> list[dict]:
    """Deals of a SIPRI Trade Register CSV export, one dict per deal."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(HEADER_START)), None)
    if start is None:
        raise SipriFormatError(f"{path}: not a SIPRI Trade Register export (no header line starting '{HEADER_START}')")
    body = "\n".join(line[:-1] if line.endswith(";") else line for line in lines[start:])
    reader = csv.DictReader(io.StringIO(body))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SipriFormatError(f"{path}: SIPRI export lacks columns {', '.join(missing)}")
    deals: dict[int, dict] = {}
    for number, row in enumerate(reader, start + 2):
        deal_id = _int(row.get("SIPRI AT Database ID", ""))
        if deal_id is None:
            raise SipriFormatError(f"{path}:{number}: no SIPRI AT Database ID")
        deal = deals.get(deal_id)
        if deal is None:
            supplier, recipient = row["Supplier"].strip(), row["Recipient"].strip()
            description = (row.get("Description") or "").strip()
            deal = deals[deal_id] = {
                "id": deal_id, "supplier_name": supplier, "recipient_name": recipient,
                "supplier": actor_code(supplier), "recipient": actor_code(recipient),
                "designation": (row.get("Designation") or "").strip() or None, "description": description or None,
                "sipri_category": row["Armament category"].strip() or None,
                "category": our_category(row["Armament category"].strip(), description),
                "order_year": _int(row.get("Order date", "")), "years": set(), "numbers_delivered": None,
                "status": (row.get("Status") or "").strip() or None,
            }
        year = _int(row.get("Delivery year", ""))
        if year:
            deal["years"].add(year)
        delivered = _int(row.get("Numbers delivered", ""))
        if delivered is not None:
            deal["numbers_delivered"] = (deal["numbers_delivered"] or 0) + delivered
    result = []
    for deal in deals.values():
        years = sorted(deal.pop("years"))
        deal["delivery_years"] = ";".join(map(str, years)) or None
        result.append(deal)
    return result


def import_register(store: Store, path: str | Path) -> dict[str, int]:
    """Replace the stored SIPRI deals with those of `path`; returns counts."""
    deals = read_register(path)
    with store.WriteSession.begin() as session:
        session.execute(delete(SipriDealRow))
        for start in range(0, len(deals), 2000):
            session.bulk_insert_mappings(SipriDealRow, deals[start:start + 2000])
    unmapped = sorted({d["supplier_name"] for d in deals if not d["supplier"]} | {d["recipient_name"] for d in deals if not d["recipient"]})
    return {"deals": len(deals), "unmapped_names": len(unmapped), "_unmapped": unmapped}  # type: ignore[dict-item]


def _key(designation: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", "", (designation or "").lower())


def designations_match(ours: str | None, theirs: str | None) -> bool:
    a, b = _key(ours), _key(theirs)
    return bool(a and b) and (a == b or (len(a) >= 3 and a in b) or (len(b) >= 3 and b in a))


YEAR_WINDOW = 1  # a report matches a deal ordered or delivered within a year of its dates
KINDS = ("corroborated", "news-only", "disputed", "outside-sipri-period")


@dataclass
class DiffEntry:
    # corroborated: a SIPRI deal of the same pair and item in the fact's time window
    # news-only: none; SIPRI's data covers the fact's time, so this is news SIPRI lacks
    # disputed: the news says halted or denied, and SIPRI lists the deal (kept apart from
    #   corroboration: a halt is not a delivery)
    # outside-sipri-period: the fact is dated outside the years the export covers: SIPRI
    #   cannot speak for it either way
    kind: str
    supplier: str | None
    recipient: str | None
    category: str
    designation: str | None
    status: str | None
    fact_id: int | None
    sources: int | None
    evidence: str | None
    first_date: str | None = None
    last_date: str | None = None
    sipri_ids: list[int] = field(default_factory=list)
    sipri_designations: list[str] = field(default_factory=list)
    sipri_years: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def deal_years(deal: SipriDealRow) -> tuple[int, int] | None:
    """The years a deal spans: its order year to its last delivery."""
    years = [int(y) for y in (deal.delivery_years or "").split(";") if y.strip().isdigit()]
    if deal.order_year:
        years.append(deal.order_year)
    return (min(years), max(years)) if years else None


def fact_years(fact: FactRecord) -> tuple[int, int] | None:
    if not fact.first_date or not fact.last_date:
        return None
    return int(fact.first_date[:4]), int(fact.last_date[:4])


def in_window(fact_span: tuple[int, int] | None, deal_span: tuple[int, int] | None, window: int = YEAR_WINDOW) -> bool:
    """Whether the report's years meet the deal's, give or take `window` years (undated: yes)."""
    if fact_span is None or deal_span is None:
        return True
    return fact_span[0] <= deal_span[1] + window and deal_span[0] - window <= fact_span[1]


def diff(store: Store, filters: ClaimFilter | None = None, window: int = YEAR_WINDOW) -> list[DiffEntry]:
    """Facts the news reports that SIPRI lacks, SIPRI deals the news corroborates, deals the
    news says were halted or denied, and facts from years the SIPRI export does not cover.

    A fact matches a deal with the same supplier and recipient, a matching designation when
    the fact names one (else the same category), and years that meet the fact's within
    `window` years (an undated fact is matched on the rest)."""
    with store.Session() as session:
        deals = session.scalars(select(SipriDealRow)).all()
    if not deals:
        raise LookupError("no SIPRI deals stored: run `armstrace sipri import FILE` first")
    by_pair: dict[tuple, list[SipriDealRow]] = {}
    covered = [span for d in deals if (span := deal_years(d))]
    coverage = (min(a for a, _ in covered), max(b for _, b in covered)) if covered else None
    for deal in deals:
        by_pair.setdefault((deal.supplier, deal.recipient), []).append(deal)
    entries = []
    for fact in store.facts(filters or ClaimFilter()):
        if not fact.supplier or not fact.recipient:
            continue
        span = fact_years(fact)
        candidates = by_pair.get((fact.supplier, fact.recipient), [])
        if fact.designation:
            same = [d for d in candidates if designations_match(fact.designation, d.designation)]
        else:
            same = [d for d in candidates if d.category == fact.category]
        matched = [d for d in same if in_window(span, deal_years(d), window)]
        if matched:
            kind = "disputed" if fact.status in ("halted", "denied") else "corroborated"
        elif span is not None and coverage is not None and (span[1] < coverage[0] or span[0] > coverage[1]):
            kind = "outside-sipri-period"
        else:
            kind = "news-only"
        entries.append(_entry(fact, matched, kind))
    entries.sort(key=lambda e: (KINDS.index(e.kind), -(e.sources or 0), e.supplier or "", e.recipient or ""))
    return entries


def _entry(fact: FactRecord, matched: list[SipriDealRow], kind: str) -> DiffEntry:
    evidence = next((e["evidence"] for e in reversed(fact.evidence) if not e["duplicate"]), None)
    years = sorted({y for d in matched for y in (d.delivery_years or "").split(";") if y})
    return DiffEntry(
        kind=kind, supplier=fact.supplier, recipient=fact.recipient,
        category=fact.category, designation=fact.designation, status=fact.status, fact_id=fact.id,
        sources=fact.n_sources, evidence=evidence, first_date=fact.first_date, last_date=fact.last_date,
        sipri_ids=sorted(d.id for d in matched),
        sipri_designations=sorted({d.designation for d in matched if d.designation})[:10],
        sipri_years=f"{years[0]}-{years[-1]}" if years else None,
    )
