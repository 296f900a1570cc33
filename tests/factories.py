import factory

from organisations.models import (
    STAFF_ROLES,
    APIToken,
    AuditAction,
    AuditEvent,
    Organisation,
    Role,
    User,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Buddy project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    contact_phone = "+3292101010"
    contact_email = factory.LazyAttribute(lambda o: f"{o.slug}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The default manager is scoped; factories write outside any request.
        manager = cls._get_manager(model_class).with_scopes_disabled()
        return manager.create(*args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COORDINATOR
    is_staff = factory.LazyAttribute(lambda u: u.role in STAFF_ROLES)
    language = "en"
    password = factory.django.Password("correct-horse-battery")


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR


class OrganisationAdminFactory(UserFactory):
    role = Role.ORGANISATION_ADMIN


class VolunteerUserFactory(UserFactory):
    role = Role.VOLUNTEER


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    organisation = factory.SubFactory(OrganisationFactory)
    actor_username = factory.Sequence(lambda n: f"actor{n}")
    action = AuditAction.VIEW
    subject_ref = factory.Sequence(lambda n: f"matching.participant:{n}")
    label = factory.Sequence(lambda n: f"participant {n}")
    ip_address = "192.0.2.10"
    user_agent = "pytest"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Append-only: a plain insert, outside any scope, like audit_record.
        event = model_class(*args, **kwargs)
        event.save(force_insert=True)
        return event


def api_token_for(user, name: str = "Test integration") -> str:
    """A new API token of `user` (hashed in the database), as the integration would send it."""
    _token, plain = APIToken.objects.create(user=user, name=name,
                                            organisation_id=user.organisation_id)
    return plain
