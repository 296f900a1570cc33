"""Fill the Dutch and French message files from the translation tables in tools/translations/.

    python tools/translate.py            # every table in tools/translations/
    python tools/translate.py FILE ...   # only these

Each table is a Python file defining T = {msgid: (dutch, french)} and, for plurals,
P = {msgid: ((dutch_singular, dutch_plural), (french_singular, french_plural))}.
The tables are the source of the translations: `make messages` extracts the messages,
fills them from every table, and compiles. Keep one table per area so that branches
touching different rooms never conflict.
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "tools" / "translations"


def load(paths) -> tuple[dict, dict]:
    singular, plural = {}, {}
    for path in paths:
        data = runpy.run_path(str(path))
        singular.update(data.get("T", {}))
        plural.update(data.get("P", {}))
    return singular, plural


def main(paths) -> int:
    singular, plural = load(paths or sorted(TABLES.glob("*.py")))
    missing_total = 0
    for index, language in enumerate(("nl", "fr")):
        po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path), wrapwidth=0)
        for entry in po:
            if entry.msgid in singular and not entry.msgid_plural:
                entry.msgstr = singular[entry.msgid][index]
            elif entry.msgid in plural and entry.msgid_plural:
                one, many = plural[entry.msgid][index]
                entry.msgstr_plural = {0: one, 1: many}
            else:
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                entry.previous_msgid_plural = None
                entry.previous_msgctxt = None
        po.save()
        missing = [e.msgid for e in po.untranslated_entries()]
        if missing:
            missing_total += len(missing)
            print(f"{language}: {len(missing)} untranslated: {missing[:10]}")
    return 1 if missing_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
