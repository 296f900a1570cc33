from django.core.management.base import BaseCommand

from matching.intake import postcodes
from matching.intake.models import Postcode


class Command(BaseCommand):
    help = (
        "Loads the Belgian postcodes (with municipality and coordinates) from "
        "matching/intake/data/be_postcodes.csv, or from the CSV file given. Adds new ones and "
        "updates changed ones; safe to run again. The migrations already load the shipped file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(postcodes.DATA_FILE))

    def handle(self, *args, path, **options):
        count = postcodes.load(Postcode, path)
        self.stdout.write(self.style.SUCCESS(f"{count} postcodes in {path}."))
