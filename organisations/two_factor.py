"""Two-factor authentication with time-based codes (django-otp's TOTP and backup codes).

The flow: password login (Django's LoginView) → TwoFactorMiddleware sends staff who have
not passed a code in this session to the set-up page (no authenticator yet: QR code,
secret, confirm with a code, backup codes shown once) or to the code page.
"""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def device_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code: made here, nothing is fetched."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False,
    )


@transaction.atomic
def two_factor_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms a new authenticator with its first code; returns fresh backup codes.

    Returns None when the code is wrong. On success the session counts as verified, other
    unconfirmed authenticators go, and the previous backup codes are replaced.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = _new_backup_codes(device.user)
    otp_login(request, device)
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Checks a code (from the app, or a backup code, used once) and marks the session."""
    device = matching_device(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    return True


def matching_device(user, token: str):
    """The confirmed device of the user that accepts the code (a backup code is used up),
    or None. Wrong codes make the next try wait longer (django-otp's throttling)."""
    token = (token or "").replace(" ", "")
    if not token.isalnum() or len(token) > 16:
        return None
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            with transaction.atomic():
                locked = model.objects.select_for_update().get(pk=device.pk)
                if locked.verify_token(token):
                    return locked
    return None


@transaction.atomic
def two_factor_reset(*, user) -> None:
    """Removes a user's authenticators and backup codes (a lost phone); they set up anew."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes
