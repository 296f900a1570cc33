from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .permissions import is_staff_user


class HomeView(LoginRequiredMixin, TemplateView):
    """The first page after login: the staff home, or a volunteer's own page."""

    def get_template_names(self):
        if is_staff_user(self.request.user):
            return ["organisations/staff_home.html"]
        return ["organisations/volunteer_home.html"]
