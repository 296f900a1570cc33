import datetime

from django.core.management.base import BaseCommand, CommandError

from duos import services
from organisations.scoping import all_organisations


class Command(BaseCommand):
    help = (
        "Runs the duos' follow-up jobs once, for every organisation: opens alerts (no meeting "
        "logged for N weeks, overdue check-ins), asks the end question weeks before the "
        "agreed end, asks participants how it is going, and reminds volunteers to log their "
        "meetings. Celery beat runs the same jobs; running them twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date such as 2026-09-01.") from None
        with all_organisations():
            counts = {
                "alerts opened": services.alerts_scan(today),
                "end questions asked": services.end_questions_send(today),
                "asked how it is going": services.how_is_it_going_questions_send(today),
                "meeting-log reminders": services.meeting_log_reminders_send(today),
            }
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
