"""A person's data as files: a JSON document and a readable Markdown printout."""

import json

from django.utils.translation import gettext as _


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _value(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    # One line per value: a newline in free text must not start a new Markdown block.
    return str(value).replace("\r", " ").replace("\n", " ")


def _table(rows: list[dict]) -> list[str]:
    if not rows:
        return [_("Nothing."), ""]
    lines = []
    for number, row in enumerate(rows, 1):
        lines.append(f"{number}. " + "; ".join(f"{key}: {_value(value)}"
                                               for key, value in row.items()))
    return [*lines, ""]


def as_markdown(data: dict) -> bytes:
    """The same content as the JSON, as headed sections a person can read or print."""
    lines = ["# " + _("Data held about this person"), ""]
    lines += ["## " + _("Profile"), ""]
    lines += [f"- {key}: {_value(value)}" for key, value in data["profile"].items()] + [""]
    sections = [("consents", _("Consents")), ("proposals", _("Proposals")),
                ("invitations", _("Intervision invitations")), ("attendance", _("Attendance")),
                ("coaching_contacts", _("Coaching contacts")),
                ("survey_answers", _("Survey answers")), ("messages", _("Messages"))]
    for key, title in sections:
        if key in data:
            lines += [f"## {title}", "", *_table(data[key])]
    lines += ["## " + _("Duos"), ""]
    for duo in data["duos"]:
        lines += ["### " + _("Duo") + f" {duo['id']}", ""]
        lines += [f"- {key}: {_value(value)}" for key, value in duo.items()
                  if key not in ("meetings", "expenses", "endings", "agreement")]
        lines += [f"- {key}: {_value(value)}" for key, value in (duo["agreement"] or {}).items()]
        lines += ["", "#### " + _("Meetings"), "", *_table(duo["meetings"])]
        if "expenses" in duo:
            lines += ["#### " + _("Expenses"), "", *_table(duo["expenses"])]
    if not data["duos"]:
        lines += [_("Nothing."), ""]
    return "\n".join(lines).encode("utf-8")
