import datetime

import factory

from matching.intake import postcodes
from matching.intake.models import (
    ConsentRecord,
    ImportJob,
    Interest,
    InterestCategory,
    Participant,
    Postcode,
    Volunteer,
)
from tests.factories import OrganisationFactory

ALL_WEEK = (1 << 21) - 1


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = cls._get_manager(model_class)
        if hasattr(manager, "with_scopes_disabled"):
            manager = manager.with_scopes_disabled()
        return manager.create(*args, **kwargs)


def ensure_postcodes():
    """The migration loads the postcodes, but a transactional test elsewhere flushes them."""
    if not Postcode.objects.exists():
        postcodes.load(Postcode)


def ghent():
    ensure_postcodes()
    return Postcode.objects.get(code="9000")


class InterestCategoryFactory(ScopedFactory):
    class Meta:
        model = InterestCategory

    organisation = factory.SubFactory(OrganisationFactory)
    label_nl = factory.Sequence(lambda n: f"Categorie {n}")
    label_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    label_en = factory.Sequence(lambda n: f"Category {n}")


class InterestFactory(ScopedFactory):
    class Meta:
        model = Interest

    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.SubFactory(
        InterestCategoryFactory, organisation=factory.SelfAttribute("..organisation"))
    key = factory.Sequence(lambda n: f"interest-{n}")
    label_nl = factory.Sequence(lambda n: f"Interesse {n}")
    label_fr = factory.Sequence(lambda n: f"Intérêt {n}")
    label_en = factory.Sequence(lambda n: f"Interest {n}")


class ProfileFactory(ScopedFactory):
    class Meta:
        abstract = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    birth_year = 1980
    postcode = factory.LazyFunction(ghent)
    languages = factory.LazyFunction(lambda: ["nl"])
    availability = ALL_WEEK


class ParticipantFactory(ProfileFactory):
    class Meta:
        model = Participant

    # Each factory its own range of numbers: counters are per factory, and a participant
    # sharing a volunteer's number would receive the volunteer's messages in a test.
    phone = factory.Sequence(lambda n: f"+32471{n % 1000000:06d}")
    waiting_since = datetime.date(2026, 1, 5)


class VolunteerFactory(ProfileFactory):
    class Meta:
        model = Volunteer

    phone = factory.Sequence(lambda n: f"+32472{n % 1000000:06d}")

    class Params:
        ready = factory.Trait(
            intake_talk_on=datetime.date(2026, 1, 10),
            certificate_seen_on=datetime.date(2026, 1, 3),
            training_done_on=datetime.date(2026, 2, 1),
        )


class ConsentRecordFactory(ScopedFactory):
    class Meta:
        model = ConsentRecord

    participant = factory.SubFactory(ParticipantFactory)
    purpose = "data"


class ImportJobFactory(ScopedFactory):
    class Meta:
        model = ImportJob

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "participants"
    filename = "wachtlijst.csv"
    content = b"Voornaam;GSM;Postcode\n"
