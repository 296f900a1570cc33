"""What the front door and screening hold about a person is in their data export and goes
when they are anonymised: what a form said, step notes, referees' names and answers, the
referrer's name, copies of certificates."""

import datetime

import pytest
from django.core.files.base import ContentFile

from matching.intake import privacy
from matching.intake.applications.models import Application
from matching.intake.referrals.models import Partner, Referral
from matching.intake.screening import services as screening
from matching.intake.screening.models import CertificateCopy, ReferenceRequest, ScreeningStep
from tests.factories_matching import ParticipantFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 17)


@pytest.fixture
def volunteer(organisation):
    volunteer = VolunteerFactory(organisation=organisation, status="applied")
    Application.objects.create(organisation=organisation, kind="volunteer", status="duplicate",
                               volunteer=volunteer, form_key="k1",
                               data={"first_name": "Lotte", "phone": "+32470998877"})
    screening.screening_start(volunteer=volunteer, on=datetime.date(2026, 11, 1))
    ScreeningStep.objects.filter(volunteer=volunteer).update(note="Belde terug na 17u")
    ReferenceRequest.objects.create(organisation=organisation, volunteer=volunteer,
                                    referee_name="Mieke Janssens",
                                    referee_email="mieke@example.org",
                                    answer="Mijn buurvrouw", recommends=True)
    CertificateCopy.objects.create(organisation=organisation, volunteer=volunteer, kind="pdf",
                                   file=ContentFile(b"%PDF-1.4 x", name="c.pdf"),
                                   delete_on=datetime.date(2026, 12, 1))
    return volunteer


def test_the_export_holds_applications_screening_and_references(volunteer):
    data = privacy.person_data(volunteer)
    assert data["applications"][0]["form"]["first_name"] == "Lotte"
    assert data["screening"][0]["note"] == "Belde terug na 17u"
    assert data["references"][0]["answer"] == "Mijn buurvrouw"


def test_anonymising_a_volunteer_clears_the_front_door_and_screening(
        volunteer, django_capture_on_commit_callbacks):
    copy = CertificateCopy.objects.get()
    name, storage = copy.file.name, copy.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        privacy.anonymise_person(volunteer, TODAY)
    assert Application.objects.get().data == {}
    assert ScreeningStep.objects.get().note == ""
    reference = ReferenceRequest.objects.get()
    assert (reference.referee_name, reference.referee_email, reference.answer) == (
        privacy.ANONYMISED, "", "")
    assert not CertificateCopy.objects.exists() and not storage.exists(name)


def test_anonymising_a_participant_clears_the_referrers_name(organisation):
    participant = ParticipantFactory(organisation=organisation)
    partner = Partner.objects.create(organisation=organisation, name="CAW Oost")
    Referral.objects.create(organisation=organisation, partner=partner,
                            participant=participant, referred_on=TODAY,
                            referred_by="Els Peeters", form_key="r1")
    assert privacy.person_data(participant)["referral"][0]["referred_by"] == "Els Peeters"
    privacy.anonymise_person(participant, TODAY)
    assert Referral.objects.get().referred_by == ""
