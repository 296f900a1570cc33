"""Delays said where they happen: any staff page whose action wrote messages that wait (quiet
hours, the daily SMS limit) says when they go out; by day, nothing is said."""

import pytest
from django.urls import reverse

from notifications.models import MessagingSettings
from tests.factories_duos import pending_duo

pytestmark = pytest.mark.django_db


def _ask(client, duo):
    return client.post(reverse("duos:agreement_ask", args=[duo.pk]), follow=True)


@pytest.mark.night
def test_the_agreement_asked_at_night_says_when_the_sms_go_out(coordinator_client,
                                                                organisation):
    duo = pending_duo(organisation)
    page = _ask(coordinator_client, duo).content.decode()
    assert "Both are asked to confirm the agreement." in page
    assert "they go out today at" in page


def test_the_agreement_asked_past_the_daily_limit_says_tomorrow(coordinator_client,
                                                                organisation):
    MessagingSettings.objects.update_or_create(organisation=organisation,
                                               defaults={"sms_daily_limit": 0})
    duo = pending_duo(organisation)
    page = _ask(coordinator_client, duo).content.decode()
    assert "The messages wait" in page and "they go out on" in page


def test_the_agreement_asked_by_day_says_nothing_about_waiting(coordinator_client,
                                                               organisation):
    page = _ask(coordinator_client, pending_duo(organisation)).content.decode()
    assert "Both are asked to confirm the agreement." in page
    assert "The messages wait" not in page
