"""The small, explicit hook through which notifications reports back to the domain apps.

notifications knows nothing of matching, duos or coaching. An app that asks a question by
SMS, sends a signed link or wants to know about failed deliveries registers a handler for
its *purpose* (a string it chooses, such as "matching.proposal") in its AppConfig.ready():

    from notifications import hooks
    hooks.register_reply_handler("matching.proposal", proposal_reply)
    hooks.register_link_view("matching.proposal", proposal_link_page)
    hooks.register_delivery_handler("matching.", proposal_delivery)
    hooks.register_person_url("participant:", participant_url)
    hooks.register_consent_check("participant:", messages_refused)

Handlers run inside the organisation scope of the message, in the transaction of the
inbound request or callback.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


class ReplyNotUnderstood(Exception):
    """Raised by a reply handler for an answer that does not fit (choice 5 of 3, a choice
    after the proposal closed): the person gets a short "not understood" answer and the
    coordinator a follow-up item; nothing changes."""


@dataclass(frozen=True)
class Reply:
    organisation_id: int
    purpose: str
    subject: str
    recipient_key: str
    # "yes", "no", "maybe", "none", "call" or "choice"; for a question that accepts
    # keywords.ANY or keywords.STOP also "stop", or None (a text that is no keyword)
    answer: str | None
    number: int | None  # the digit, for "choice"
    text: str  # as the person wrote it
    received_at: datetime
    question_id: int
    message_id: int


@dataclass(frozen=True)
class Delivery:
    organisation_id: int
    message_id: int
    template: str
    recipient_key: str
    status: str  # a notifications.models.Status value
    idempotency_key: str


_reply_handlers: dict[str, Callable[[Reply], None]] = {}
_link_views: dict[str, Callable] = {}
_delivery_handlers: list[tuple[str, Callable[[Delivery], None]]] = []
_person_urls: list[tuple[str, Callable[[str], str | None]]] = []
_consent_checks: list[tuple[str, Callable[[list[str], str], set[str]]]] = []
_link_page_stamps: list[Callable[[int], list[str]]] = []
_names: list[tuple[str, Callable[[list[str]], dict[str, str]]]] = []
_link_labels: dict[str, object] = {}
_contacts: list[tuple[str, Callable[[list[str]], dict]]] = []


@dataclass(frozen=True)
class Contact:
    """How a person is reached today, as the owning app knows them: for a coordinator's
    answer and a group message. `channel` is "sms", "email", "whatsapp" or "call"."""

    key: str
    first_name: str
    language: str
    phone: str = ""
    email: str = ""
    channel: str = "sms"
    role: str = "participant"


def register_reply_handler(purpose: str, handler: Callable[[Reply], None]) -> None:
    _reply_handlers[purpose] = handler


def register_link_view(purpose: str, view: Callable, label=None) -> None:
    """`view(request, link)`: the page a signed link of `purpose` opens, in the scope of the
    link's organisation and the person's language. A view that acts calls
    `notifications.services.link_use(link)` in its own transaction. `label` names the link
    on staff pages ("Choice of a buddy")."""
    _link_views[purpose] = view
    if label is not None:
        _link_labels[purpose] = label


def register_names(key_prefix: str, resolver: Callable[[list[str]], dict[str, str]]) -> None:
    """`resolver(keys)` → {key: what a person reads} for keys of the prefix ("participant:12"
    → "Fatima El Idrissi", "duo:3" → "duo Fatima & Jan"), in one query for all the keys:
    staff pages show names, never keys."""
    _names.append((key_prefix, resolver))


def key_ids(keys) -> dict[int, str]:
    """{id: key} of keys such as "participant:12", for a name resolver's one query."""
    found = {}
    for key in keys:
        _prefix, _sep, pk = key.partition(":")
        if pk.isdigit():
            found[int(pk)] = key
    return found


def names(keys) -> dict[str, str]:
    """{key: readable name} for the keys a registered resolver knows."""
    found: dict[str, str] = {}
    keys = [key for key in dict.fromkeys(keys) if key]
    for prefix, resolver in _names:
        mine = [key for key in keys if key.startswith(prefix)]
        if mine:
            found.update(resolver(mine))
    return found


def link_label(purpose: str):
    return _link_labels.get(purpose)


def register_delivery_handler(template_prefix: str, handler: Callable[[Delivery], None]):
    """Called when an outbound message of a template starting with the prefix fails, is
    not sent (opted out) or is delivered."""
    _delivery_handlers.append((template_prefix, handler))


def register_person_url(key_prefix: str, resolver: Callable[[str], str | None]) -> None:
    """How staff pages link a person key (e.g. "participant:12") to the person's page."""
    _person_urls.append((key_prefix, resolver))


def register_consent_check(key_prefix: str,
                           check: Callable[[list[str], str], set[str]]) -> None:
    """`check(recipient_keys, template)` returns the keys (of that prefix) of the people who
    did not agree to this message; consulted, once per batch, by sms_send(_many) and
    email_send before a message goes out."""
    _consent_checks.append((key_prefix, check))


@dataclass(frozen=True)
class GroupSource:
    """A kind of group a coordinator can message, registered by the room that knows it.
    `options()` lists (value, label) to choose from (in the organisation scope);
    `members(value)` returns the person keys of the group chosen."""

    name: str
    label: object  # a lazy translatable text
    options: Callable[[], list[tuple[str, str]]]
    members: Callable[[str], list[str]]


_groups: dict[str, GroupSource] = {}


def register_group(source: GroupSource) -> None:
    _groups[source.name] = source


def groups() -> dict[str, GroupSource]:
    return dict(_groups)


def register_contacts(key_prefix: str, resolver: Callable[[list[str]], dict]) -> None:
    """`resolver(keys)` returns {key: Contact} for the keys of that prefix it knows (one
    query for many), in the caller's organisation scope."""
    _contacts.append((key_prefix, resolver))


def contacts(keys: list[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for prefix, resolver in _contacts:
        mine = [key for key in keys if key.startswith(prefix)]
        if mine:
            found.update(resolver(mine))
    return found


def consent_refused(keys: list[str], template: str) -> set[str]:
    """The keys among `keys` for which a registered check refuses the message."""
    refused: set[str] = set()
    for prefix, check in _consent_checks:
        mine = [key for key in keys if key.startswith(prefix)]
        if mine:
            refused |= set(check(mine, template))
    return refused


def consent_allows(key: str, template: str) -> bool:
    """False when a registered check for the key's prefix refuses the message."""
    return key not in consent_refused([key], template)


def reply_handler(purpose: str):
    return _reply_handlers.get(purpose)


def register_link_page_stamp(keys_of: Callable[[int], list[str]]) -> None:
    """Cache keys (of an organisation id) that kept link pages may depend on: the short
    path of `link_cache` reads them with the kept page in one round trip."""
    _link_page_stamps.append(keys_of)


def link_page_stamp_keys(organisation_id: int) -> list[str]:
    return [key for keys_of in _link_page_stamps for key in keys_of(organisation_id)]


def link_view(purpose: str):
    return _link_views.get(purpose)


def delivery_handlers(template: str):
    return [handler for prefix, handler in _delivery_handlers if template.startswith(prefix)]


def person_url(key: str) -> str | None:
    for prefix, resolver in _person_urls:
        if key.startswith(prefix):
            return resolver(key)
    return None
