from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from organisations import demo
from organisations.scoping import all_organisations

# Each room may add its part of the demo in `<app>/demo.py` with `seed(base)`; they run in
# the order of the journey and each must be idempotent.
DEMO_APPS = ["notifications", "matching.intake", "matching.proposals", "duos", "coaching"]


class Command(BaseCommand):
    help = (
        "Loads a realistic demo: two buddy projects with accounts, and whatever each app adds "
        "(interests, a waiting list, volunteers, duos, intervision). Safe to run again: "
        "nothing is duplicated."
    )

    def handle(self, *args, **options):
        with all_organisations(), transaction.atomic():
            base = demo.seed()
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(base)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, slug, role, *_ in demo.ACCOUNTS:
            self.stdout.write(f"  {username:<24} {role.label} · {slug}")
