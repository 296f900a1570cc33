"""Belgian postcodes: the shipped data set and the lookup that validates a postcode."""

import csv
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Postcode

DATA_FILE = Path(__file__).resolve().parent / "data" / "be_postcodes.csv"


def read_rows(path=DATA_FILE):
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def load(postcode_model, path=DATA_FILE) -> int:
    """Creates or updates every postcode of the file; returns how many rows it has.

    Takes the model so that the data migration can pass its historical one.
    """
    existing = {(p.code, p.refnis): p for p in postcode_model.objects.all()}
    new, changed, count = [], [], 0
    fields = ["municipality", "municipality_fr", "locality", "latitude", "longitude"]
    for row in read_rows(path):
        count += 1
        values = {
            "municipality": row["municipality_nl"], "municipality_fr": row["municipality_fr"],
            "locality": row["locality"], "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
        }
        current = existing.get((row["postcode"], row["refnis"]))
        if current is None:
            new.append(postcode_model(code=row["postcode"], refnis=row["refnis"], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            changed.append(current)
    postcode_model.objects.bulk_create(new, batch_size=500)
    postcode_model.objects.bulk_update(changed, fields, batch_size=500)
    return count


def _simple(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


def resolve(code, municipality=""):
    """The Postcode row for a postcode and (optionally) a municipality name.

    The name may be the municipality in Dutch or French, or the locality (e.g. Mariakerke
    for 9030). Raises ValidationError with a message for the person at the keyboard.
    """
    code = (str(code) if code is not None else "").strip().upper().removeprefix("B-").strip()
    rows = list(Postcode.objects.filter(code=code)) if code.isdigit() else []
    if not rows:
        raise ValidationError(
            {"postcode": _("%(code)s is not a Belgian postcode.") % {"code": code or "—"}},
            code="unknown_postcode",
        )
    wanted = _simple(municipality)
    if wanted:
        for row in rows:
            if wanted in {_simple(row.municipality), _simple(row.municipality_fr)}:
                return row
        for row in rows:
            if wanted == _simple(row.locality):
                return row
        names = " / ".join(row.municipality for row in rows)
        raise ValidationError(
            {"municipality": _("Postcode %(code)s belongs to %(names)s, not to %(name)s.")
             % {"code": code, "names": names, "name": municipality}},
            code="wrong_municipality",
        )
    if len(rows) > 1:
        raise ValidationError(
            {"municipality": _("Postcode %(code)s covers several municipalities: write %(names)s.")
             % {"code": code,
                "names": (" " + _("or") + " ").join(row.municipality for row in rows)}},
            code="ambiguous_postcode",
        )
    return rows[0]
