"""Filters of the waiting list, shared by the page, the export and the API (django-filter)."""

import datetime

import django_filters
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from . import selectors
from .models import Interest, Participant, ParticipantStatus

# A hundred years: the filter compares with a date, and a larger number has none (OverflowError).
MAX_WAITED_MONTHS = 1200


def _municipality_choices():
    names = (Participant.objects.filter(status__in=selectors.ON_WAITING_LIST)
             .values_list("postcode__municipality", flat=True).distinct()
             .order_by("postcode__municipality"))
    return [(name, name) for name in names]


def _interests(request):
    return Interest.objects.all()


class WaitingListFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ParticipantStatus.choices,
    )
    municipality = django_filters.ChoiceFilter(
        label=_("Municipality"), field_name="postcode__municipality",
        choices=_municipality_choices,
    )
    interest = django_filters.ModelChoiceFilter(
        label=_("Interest"), field_name="interests", queryset=_interests,
    )
    language = django_filters.CharFilter(
        label=_("Language"), method="filter_language",
        help_text=_("A language code, e.g. ar."),
    )
    waited_months = django_filters.NumberFilter(
        label=_("Waiting at least (months)"), method="filter_waited", min_value=0,
        max_value=MAX_WAITED_MONTHS,
    )
    fit = django_filters.ChoiceFilter(
        label=_("Volunteers who fit"), method="filter_fit",
        choices=[("none", _("None")), ("some", _("At least one"))],
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[("waiting_since", "waiting_since"), ("last_contact_on", "last_contact"),
                ("first_name", "name"), ("postcode__municipality", "municipality")],
        field_labels={"waiting_since": _("Waiting since"), "last_contact_on": _("Last contact"),
                      "first_name": _("Name"), "postcode__municipality": _("Municipality")},
    )

    class Meta:
        model = Participant
        fields = ["status", "municipality", "interest", "language", "waited_months", "fit"]

    @property
    def qs(self):
        queryset = super().qs
        cleaned = getattr(self.form, "cleaned_data", {})
        if not cleaned.get("status"):
            queryset = queryset.filter(status__in=selectors.ON_WAITING_LIST)
        return queryset.distinct() if cleaned.get("interest") else queryset

    def filter_language(self, queryset, name, value):
        code = value.strip().lower()
        if not code:
            return queryset
        if connection.vendor == "postgresql":
            return queryset.filter(languages__contains=[code])
        # SQLite has no JSON containment: match the quoted code in the stored JSON text.
        return queryset.filter(languages__icontains=f'"{code}"')

    @extend_schema_field({"type": "number", "minimum": 0, "maximum": MAX_WAITED_MONTHS,
                          "description": _("Waiting at least (months)")})
    def filter_waited(self, queryset, name, value):
        if value is None:
            return queryset
        limit = timezone.localdate() - datetime.timedelta(days=int(float(value) * 30.44))
        return queryset.filter(waiting_since__lte=limit)

    def filter_fit(self, queryset, name, value):
        counts = selectors.fit_counts_for_queryset(queryset)
        wanted = [pid for pid, n in counts.items() if (n == 0) == (value == "none")]
        return queryset.filter(id__in=wanted)
