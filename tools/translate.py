"""Fill the Dutch and French message files from a Python file of translations.

    python tools/translate.py path/to/translations.py

The file defines T = {msgid: (dutch, french)} and, for plurals,
P = {msgid: ((dutch_singular, dutch_plural), (french_singular, french_plural))}.
Entries already translated are overwritten; fuzzy flags are removed. Then run
`manage.py compilemessages` (or `make messages`, which also extracts).
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> None:
    data = runpy.run_path(path)
    singular, plural = data.get("T", {}), data.get("P", {})
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
        po.save()
        missing = [e.msgid for e in po.untranslated_entries()]
        if missing:
            print(f"{language}: {len(missing)} untranslated: {missing[:10]}")


if __name__ == "__main__":
    main(sys.argv[1])
