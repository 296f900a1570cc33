from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from desk.privacy import selectors, services
from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope


class Command(BaseCommand):
    help = (
        "Anonymises the personal data of people who left (participant withdrawn, volunteer "
        "stopped) more than their organisation's retention period ago and whose duos have "
        "ended. Names become 'Anonymised'; contact details, notes and free text are blanked; "
        "counts, dates and statuses stay for the reports. Each person is done once and "
        "recorded (kind, record id, date; no personal data). With --dry-run, only lists "
        "who would be anonymised and the day their period counts from (the day they left, "
        "or the end of their last duo when that is later). The same job runs daily (Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="List who would be anonymised; change nothing.")
        parser.add_argument("--organisation", metavar="SLUG",
                            help="Only this organisation (its short name).")

    def handle(self, *args, dry_run=False, organisation=None, **options):
        with all_organisations():
            organisations = Organisation.objects.order_by("slug")
            if organisation:
                organisations = organisations.filter(slug=organisation)
                if not organisations.exists():
                    raise CommandError(f"No organisation with short name {organisation!r}")
            organisations = list(organisations)
        today = timezone.localdate()
        total = 0
        for org in organisations:
            with organisation_scope(org):
                months = selectors.retention_months(org)
                if dry_run:
                    # The day the clock counts from: they left, or their last duo ended.
                    due = selectors.due_for_anonymisation(org, today)
                    refs = [f"{p._meta.label_lower}:{p.pk} (since {p.left:%Y-%m-%d})"
                            for p in due]
                else:
                    refs = [r.subject_ref for r in
                            services.retention_apply(organisation=org, today=today)]
            total += len(refs)
            verb = "would anonymise" if dry_run else "anonymised"
            self.stdout.write(f"{org.slug} (retention {months} months): {verb} {len(refs)}")
            for ref in refs:
                self.stdout.write(f"  {ref}")
        self.stdout.write(f"{'Would anonymise' if dry_run else 'Anonymised'} {total} in all.")
