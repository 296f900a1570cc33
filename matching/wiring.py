"""What matching plugs into the layers below it at start-up (imported once by
MatchingConfig.ready): the link pages and SMS replies notifications hands back, the consent
check, the reminder kinds and SMS texts of both wings, the admin pages and the Celery tasks
(Celery's autodiscovery looks for `matching.tasks`, which the wings replace)."""

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from matching.intake import admin as intake_admin  # noqa: F401  (registers the admin pages)
from matching.intake import groups, person_pages, privacy, reach, reminders
from matching.intake import sms_texts as intake_texts  # noqa: F401  (registers the texts)
from matching.intake import tasks as intake_tasks  # noqa: F401  (registers the tasks)
from matching.intake import versions as intake_versions
from matching.intake.applications import admin as application_admin  # noqa: F401
from matching.intake.models import Participant, Volunteer
from matching.intake.referrals import admin as referral_admin  # noqa: F401
from matching.intake.referrals import replies as referral_replies
from matching.intake.screening import admin as screening_admin  # noqa: F401
from matching.intake.screening import reminders as screening_reminders
from matching.intake.screening import services as screening_services
from matching.intake.screening import tasks as screening_tasks  # noqa: F401  (registers it)
from matching.intake.screening import views as screening_views
from matching.intake.screening.models import ReferenceRequest
from matching.proposals import admin as proposal_admin  # noqa: F401
from matching.proposals import messaging, person_sections
from matching.proposals import reminders as proposal_reminders  # noqa: F401  (the kinds)
from matching.proposals import sms_texts as proposal_texts  # noqa: F401
from matching.proposals import tasks as proposal_tasks  # noqa: F401
from matching.proposals import views as proposal_views
from matching.proposals.models import Proposal, VolunteerOffer
from notifications import hooks

PEOPLE_PAGES = {"participant": "participant_detail", "volunteer": "volunteer_detail"}


def person_url(key):
    role, _sep, pk = key.partition(":")
    if not pk.isdigit() or role not in PEOPLE_PAGES:
        return None
    return reverse(f"matching:{PEOPLE_PAGES[role]}", args=[int(pk)])


def _people(model):
    def resolve(keys):
        ids = hooks.key_ids(keys)
        return {ids[person.pk]: person.display_name
                for person in model.objects.filter(pk__in=ids)}
    return resolve


def proposal_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[p.pk]: gettext("proposal to %(name)s") % {"name": p.participant.display_name}
            for p in Proposal.objects.filter(pk__in=ids).select_related("participant")}


def offer_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[o.pk]: gettext("question to %(volunteer)s about %(participant)s") % {
        "volunteer": o.volunteer.display_name,
        "participant": o.proposal.participant.display_name}
        for o in VolunteerOffer.objects.filter(pk__in=ids).select_related(
            "volunteer", "proposal__participant")}


def referee_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[reference.pk]: gettext("reference %(name)s") % {"name": reference.referee_name}
            for reference in ReferenceRequest.objects.filter(pk__in=ids)}


def connect() -> None:
    hooks.register_reply_handler(messaging.PROPOSAL_LINK, messaging.handle_reply)
    hooks.register_link_view(messaging.PROPOSAL_LINK, proposal_views.participant_link_page,
                             label=gettext_lazy("Choosing a buddy"))
    hooks.register_link_view(messaging.OFFER_LINK, proposal_views.volunteer_link_page,
                             label=gettext_lazy("Accepting a participant"))
    hooks.register_link_page_stamp(intake_versions.version_keys)
    hooks.register_reply_handler(intake_texts.KEEP_IN_TOUCH, reminders.keep_in_touch_reply)
    hooks.register_person_url("participant:", person_url)
    hooks.register_person_url("volunteer:", person_url)
    hooks.register_contacts("participant:", reach.contacts)
    hooks.register_contacts("volunteer:", reach.contacts)
    for source in groups.SOURCES:
        hooks.register_group(source)
    hooks.register_names("participant:", _people(Participant))
    hooks.register_names("volunteer:", _people(Volunteer))
    hooks.register_names("proposal:", proposal_names)
    hooks.register_names("offer:", offer_names)
    hooks.register_names(f"{screening_reminders.SUBJECT}:", screening_reminders.step_names)
    hooks.register_link_view(screening_services.REFERENCE_LINK,
                             screening_views.reference_link_page,
                             label=gettext_lazy("A reference about an applicant"))
    hooks.register_names("reference:", referee_names)
    hooks.register_reply_handler(intake_texts.REFERRAL_CONFIRM, referral_replies.referral_reply)
    # A participant who said no to SMS gets none (notifications asks, intake knows).
    hooks.register_consent_check("participant:", privacy.messages_refused)
    # The person pages as the coordinator's hub: the short list, proposals and answers.
    person_pages.register_section("participant", 20, person_sections.participant_section)
    person_pages.register_section("volunteer", 20, person_sections.volunteer_section)
    person_pages.register_events("participant", person_sections.participant_events)
    person_pages.register_events("volunteer", person_sections.volunteer_events)
