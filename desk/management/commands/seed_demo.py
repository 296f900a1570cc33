from django.core.management.base import BaseCommand
from django.db import transaction

from coaching import demo as coaching_demo
from desk.outcome_report import demo as lasting_demo
from duos import demo as duos_demo
from matching.intake import demo as intake_demo
from matching.proposals import demo as proposals_demo
from notifications import demo as notifications_demo
from organisations import demo
from organisations.scoping import all_organisations
from outcomes import demo as outcomes_demo

# Each room's part of the demo, in the order of the journey; each is idempotent.
DEMO_PARTS = [notifications_demo, intake_demo, proposals_demo, duos_demo, coaching_demo,
              outcomes_demo, lasting_demo]


class Command(BaseCommand):
    help = (
        "Loads a realistic demo: two buddy projects with accounts, and whatever each room adds "
        "(interests, a waiting list, volunteers, proposals, duos, intervision, surveys). Safe "
        "to run again: nothing is duplicated."
    )

    def handle(self, *args, **options):
        with all_organisations(), transaction.atomic():
            base = demo.seed()
            for part in DEMO_PARTS:
                part.seed(base)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, slug, role, *_ in demo.ACCOUNTS:
            self.stdout.write(f"  {username:<24} {role.label} · {slug}")
