from django.views.generic import TemplateView

from organisations.permissions import StaffRequiredMixin

from . import selectors


class RemindersView(StaffRequiredMixin, TemplateView):
    """Upcoming reminders of the organisation (14 days), the history, and the settings."""

    template_name = "reminders/reminders.html"

    def get_context_data(self, **kwargs):
        organisation = self.request.user.organisation
        return super().get_context_data(
            upcoming=selectors.upcoming(), history=selectors.history(),
            kinds=selectors.kinds(organisation), days=selectors.UPCOMING_DAYS, **kwargs)
