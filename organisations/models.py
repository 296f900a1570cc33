from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .scoping import OrganisationManager

LANGUAGE_CHOICES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]


class Organisation(models.Model):
    """One buddy project. A deployment can host many (an umbrella network runs several)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    contact_phone = PhoneNumberField(
        _("coordinator phone"),
        blank=True,
        help_text=_("Shown in every message so people can reach the coordinator."),
    )
    contact_email = models.EmailField(_("coordinator e-mail"), blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, default="nl",
        choices=LANGUAGE_CHOICES,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager(path="pk")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ORGANISATION_ADMIN = "org_admin", _("Organisation admin")
    COORDINATOR = "coordinator", _("Coordinator")
    VOLUNTEER = "volunteer", _("Volunteer")


STAFF_ROLES = (Role.ORGANISATION_ADMIN, Role.COORDINATOR)


class User(AbstractUser):
    """A person who logs in: staff of one organisation, or a volunteer. Participants never do."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default="nl",
        choices=LANGUAGE_CHOICES,
    )

    # Authentication looks users up before any scope exists, so the default manager stays
    # unscoped; `scoped` is what pages and the API use.
    objects = UserManager()
    scoped = OrganisationManager(manager_class=UserManager)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(organisation__isnull=False),
                name="user_with_role_has_organisation",
            ),
        ]

    @property
    def is_organisation_staff(self) -> bool:
        return self.is_active and self.organisation_id is not None and self.role in STAFF_ROLES

    @property
    def is_organisation_admin(self) -> bool:
        return (
            self.is_active and self.organisation_id is not None
            and self.role == Role.ORGANISATION_ADMIN
        )

    @property
    def is_volunteer(self) -> bool:
        return self.is_active and self.role == Role.VOLUNTEER
