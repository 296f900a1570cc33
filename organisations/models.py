from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
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


class AuditLogIsAppendOnly(Exception):
    """An audit event was about to be changed or deleted: the log only grows."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("audit events cannot be changed")


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    LOGIN_SUCCESS = "login_success", _("Logged in")
    LOGIN_FAILURE = "login_failure", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    LOCKOUT = "lockout", _("Locked out")
    PASSWORD_RESET_REQUEST = "reset_requested", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password changed by reset")


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to whom, when, from where.

    Written only through `organisations.services.audit_record`. It never changes: save()
    on an existing row, delete() and queryset update/delete raise, and on PostgreSQL a
    trigger refuses UPDATE and DELETE too. The label names the subject without sensitive
    content ("participant Anna D."), never notes or health data.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: the log outlives the accounts and
    # organisations it mentions, and deleting them must not touch (update) the log.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.DO_NOTHING,
        db_constraint=False, null=True, blank=True, related_name="+",
    )
    actor = models.ForeignKey(
        "User", verbose_name=_("who"), on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    subject_ref = models.CharField(_("subject"), max_length=100, blank=True, db_index=True)
    label = models.CharField(_("description"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = OrganisationManager(
        manager_class=models.Manager.from_queryset(AuditEventQuerySet)
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_time")]
        # Django's own "change" and "delete" permissions would mean nothing here.
        default_permissions = ("add", "view")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


# Privacy: retention and the record of anonymisations (services in desk/privacy/).


class RetentionSettings(models.Model):
    """How long one organisation keeps the data of people who left."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    retention_months = models.PositiveSmallIntegerField(
        _("months kept after leaving"), default=24,
        help_text=_("After a participant withdrew or a volunteer stopped, and their duos "
                    "ended, their personal data is anonymised after this many months."),
    )

    objects = OrganisationManager()

    class Meta:
        db_table = "privacy_retentionsettings"  # kept from the former privacy app
        verbose_name = _("retention settings")
        verbose_name_plural = _("retention settings")
        constraints = [
            models.CheckConstraint(condition=Q(retention_months__gte=1),
                                   name="retention_months_at_least_one"),
        ]

    def __str__(self):
        return str(self.organisation)


class PersonKind(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    VOLUNTEER = "volunteer", _("Volunteer")


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("Retention period over")
    ERASURE = "erasure", _("Erasure on request")


class AnonymisationRecord(models.Model):
    """That one person's data was anonymised: what kind, which record, when, why, by whom.
    Holds no personal data (the record id only); one per person, which makes the job
    idempotent."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PersonKind.choices)
    subject_ref = models.CharField(_("record"), max_length=100)
    reason = models.CharField(_("why"), max_length=12, choices=AnonymisationReason.choices)
    done_at = models.DateTimeField(_("done at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    counts = models.JSONField(_("what was changed"), default=dict, blank=True)

    objects = OrganisationManager()

    class Meta:
        db_table = "privacy_anonymisationrecord"  # kept from the former privacy app
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        ordering = ["-done_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject_ref"], name="anonymised_once"),
        ]

    def __str__(self):
        return self.subject_ref


class APIToken(AbstractAuthToken):
    """One named API token of an integration, acting as the user who made it.

    django-rest-knox keeps only a SHA-512 digest and the first characters of the token (to
    find the row); the token itself is shown once, when made. Revoking deletes the row.
    """

    # A plain id for the API's URLs: knox's own primary key is the digest.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    # The organisation of the user who made it (none for a superuser's).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="+",
    )
    name = models.CharField(
        _("name"), max_length=100,
        help_text=_("What the token is for, e.g. \"Export to the municipality's dashboard\"."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    # Authentication finds a token before any scope exists, so the default manager (knox's,
    # which makes the digest) stays unscoped; `scoped` is what the API lists and revokes.
    objects = AuthTokenManager()
    scoped = OrganisationManager(manager_class=AuthTokenManager)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_once_per_user"),
        ]

    def __str__(self):
        return self.name
