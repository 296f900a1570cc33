from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """One Django app (app label `matching`, so tables and migrations stay) in three wings:
    `intake/` (people and the waiting list), `scoring/` (the algorithm on plain data) and
    `proposals/` (rounds, proposals, the hand-over to duos)."""

    name = "matching"
    verbose_name = _("Intake, waiting list and matching")

    # The models live in the wings instead of `matching/models.py` (intake's first).
    MODEL_MODULES = ("matching.intake.models", "matching.intake.applications.models",
                     "matching.intake.screening.models", "matching.intake.referrals.models",
                     "matching.proposals.models")

    def import_models(self):
        # Django imports them here, while it loads the apps (an import at module top would
        # load them too early).
        modules = [import_module(name) for name in self.MODEL_MODULES]
        self.models = self.apps.all_models[self.label]
        self.models_module = modules[0]

    def ready(self):
        # Inside ready(): the hooks import models, which Django allows only once apps are loaded.
        from . import wiring

        wiring.connect()
