"""How long a certificate of good conduct (model 2) counts: the organisation's screening
settings (months, 36 unless changed; 0: for ever). Intake's services keep each volunteer's
`certificate_valid_until` with it; short lists leave out a volunteer whose date passed."""

from buddy.dates import add_months

from .screening.models import ScreeningSettings


def settings_for(organisation_id) -> ScreeningSettings:
    """The organisation's screening settings, or the defaults when it never changed them."""
    found = ScreeningSettings.objects.filter(organisation_id=organisation_id).first()
    return found or ScreeningSettings(organisation_id=organisation_id)


def valid_until(organisation_id, seen_on):
    """The last day a certificate dated `seen_on` counts, or None (none, or no end)."""
    months = settings_for(organisation_id).certificate_valid_months
    if seen_on is None or not months:
        return None
    return add_months(seen_on, months)
