import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coaching.models import Answer, IntervisionSession, TrainingModule
from matching.intake.models import Volunteer


@pytest.mark.django_db
def test_the_demo_shows_an_upcoming_session_with_answers_and_a_past_one_with_attendance():
    call_command("seed_demo", stdout=None)
    sessions = IntervisionSession.objects.filter(
        organisation__slug="samen-op-weg-gent").order_by("starts_at")
    past = sessions.filter(ends_at__lte=timezone.now()).last()
    upcoming = sessions.filter(starts_at__gt=timezone.now()).first()
    answers = sorted((inv.answer, inv.is_waiting) for inv in upcoming.invitations.all())
    assert answers.count((Answer.YES, False)) == upcoming.capacity
    assert (Answer.MAYBE, False) in answers and (Answer.NO, False) in answers
    assert (Answer.YES, True) in answers
    assert past.attendances.filter(present=True).count() >= 3
    assert past.note.successes
    basic = TrainingModule.objects.get(organisation=past.organisation, is_basic=True)
    assert basic.name_nl == "Basisvorming buddywerking"
    assert Volunteer.objects.filter(organisation=past.organisation).ready().count() >= 5


@pytest.mark.django_db
def test_every_coaching_page_opens_on_the_demo_data(client):
    call_command("seed_demo", stdout=None)
    assert client.login(username="coordinator", password="buddy-demo-2026")
    session = IntervisionSession.objects.filter(organisation__slug="samen-op-weg-gent").first()
    module = TrainingModule.objects.filter(organisation__slug="samen-op-weg-gent").first()
    urls = [reverse(name) for name in ("coaching:session_list", "coaching:session_create",
                                       "coaching:contact_list", "coaching:training_list",
                                       "coaching:support", "coaching:figures",
                                       "coaching:settings")]
    urls += [reverse(name, args=[session.pk]) for name in (
        "coaching:session_detail", "coaching:session_edit", "coaching:session_cancel",
        "coaching:attendance", "coaching:session_note")]
    urls += [reverse("coaching:session_list") + "?when=past",
             reverse("coaching:training_detail", args=[module.pk]), "/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<script" not in response.content, url


@pytest.mark.django_db
def test_the_admin_shows_every_coaching_model_to_the_coordinator(client):
    call_command("seed_demo", stdout=None)
    assert client.login(username="coordinator", password="buddy-demo-2026")
    for model in apps.get_app_config("coaching").get_models():
        opts = model._meta
        url = f"/admin/coaching/{opts.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        first = model._base_manager.filter(**(
            {"organisation__slug": "samen-op-weg-gent"}
            if any(f.name == "organisation" for f in opts.fields) else {})).first()
        if first is not None:
            assert client.get(f"{url}{first.pk}/change/").status_code == 200, url
