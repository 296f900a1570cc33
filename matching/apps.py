from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """One Django app (app label `matching`, so tables and migrations stay) in three wings:
    `intake/` (people and the waiting list), `scoring/` (the algorithm on plain data) and
    `proposals/` (rounds, proposals, the hand-over to duos)."""

    name = "matching"
    verbose_name = _("Intake, waiting list and matching")

    def import_models(self):
        # The models live in two wings instead of `matching/models.py`; Django imports them
        # here, while it loads the apps (an import at module top would load them too early).
        from .intake import models as intake_models
        from .proposals import models as proposal_models  # noqa: F401

        self.models = self.apps.all_models[self.label]
        self.models_module = intake_models

    def ready(self):
        # Inside ready(): the hooks import models, which Django allows only once apps are loaded.
        from . import wiring

        wiring.connect()
