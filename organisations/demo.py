"""The demo organisations and their accounts (the base that each app's demo builds on)."""

from .models import Organisation, Role, User
from .services import organisation_create, user_create

DEMO_PASSWORD = "buddy-demo-2026"

ORGANISATIONS = [
    {
        "slug": "samen-op-weg-gent",
        "name": "Samen Op Weg Gent",
        "contact_phone": "+3292101010",
        "contact_email": "samenopweg@example.org",
    },
    {
        "slug": "maatjes-antwerpen",
        "name": "Maatjes Antwerpen",
        "contact_phone": "+3232202020",
        "contact_email": "maatjes@example.org",
    },
]

ACCOUNTS = [
    # username, organisation slug, role, first name, last name
    ("beheerder", "samen-op-weg-gent", Role.ORGANISATION_ADMIN, "Els", "Vermeulen"),
    ("coordinator", "samen-op-weg-gent", Role.COORDINATOR, "Sofie", "De Smet"),
    ("vrijwilliger", "samen-op-weg-gent", Role.VOLUNTEER, "Pieter", "Claes"),
    ("coordinator-antwerpen", "maatjes-antwerpen", Role.COORDINATOR, "Karim", "El Amrani"),
]


def seed() -> dict:
    """Creates the demo organisations and accounts when missing; returns them by key."""
    organisations = {}
    for spec in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=spec["slug"]).first()
        if organisation is None:
            organisation = organisation_create(**spec)
        organisations[spec["slug"]] = organisation
    users = {}
    for username, slug, role, first_name, last_name in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                organisation=organisations[slug], username=username, role=role,
                password=DEMO_PASSWORD, first_name=first_name, last_name=last_name,
                email=f"{username}@example.org",
            )
        users[username] = user
    return {"organisations": organisations, "users": users}
