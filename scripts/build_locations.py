"""Rebuild src/armstrace/data/actor_locations.csv (a map point for each state) from
mledoze/countries (ODbL-1.0) in ../shared/gazetteers/mledoze_countries/countries.json.

    python scripts/build_locations.py [--shared ../shared/gazetteers]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Historic states drawn at their successor's point.
HISTORIC = {"SUN": "RUS", "DDR": "DEU", "YUG": "SRB", "CSK": "CZE"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "gazetteers"))
    parser.add_argument("--out", default=str(ROOT / "src" / "armstrace" / "data" / "actor_locations.csv"))
    args = parser.parse_args()
    countries = json.loads((Path(args.shared) / "mledoze_countries" / "countries.json").read_text(encoding="utf-8"))
    points = {c["cca3"]: c["latlng"] for c in countries if c.get("latlng") and len(c["latlng"]) == 2}
    for old, new in HISTORIC.items():
        if new in points:
            points[old] = points[new]
    with open(args.out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "lat", "lon"])
        for code in sorted(points):
            lat, lon = points[code]
            writer.writerow([code, f"{float(lat):.2f}", f"{float(lon):.2f}"])
    print(f"{len(points)} locations written to {args.out}")


if __name__ == "__main__":
    main()
