"""Rebuild src/armstrace/data/pair_flows.csv: how many SIPRI deals each supplier made with
each recipient (1995-2024), from the SIPRI Trade Register export in ../shared/gazetteers.

The extractor reads it to orient a deal whose text does not say who sells: "Greece signed a
contract with France for frigates" names two parties of a deal and no direction; thirty years
of SIPRI deals from France to Greece, none the other way, say which way it most likely runs
(`armstrace.extract.pairs`).

    python scripts/build_pair_flows.py [--shared ../shared] [--out src/armstrace/data/pair_flows.csv]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from armstrace.sipri import read_register

ROOT = Path(__file__).resolve().parent.parent
REGISTER = "gazetteers/sipri_trade_register_2026/trade_register.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", default=str(ROOT / "src" / "armstrace" / "data" / "pair_flows.csv"))
    args = parser.parse_args()
    deals = read_register(Path(args.shared) / REGISTER)
    counts = Counter((d["supplier"], d["recipient"]) for d in deals
                     if d["supplier"] and d["recipient"] and d["supplier"] != d["recipient"])
    with open(args.out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["supplier", "recipient", "deals"])
        for (supplier, recipient), n in sorted(counts.items()):
            writer.writerow([supplier, recipient, n])
    print(f"{args.out}: {len(counts)} supplier-recipient pairs from {len(deals)} SIPRI deals")


if __name__ == "__main__":
    main()
