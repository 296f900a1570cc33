"""Phone numbers as people write them, in Belgium and the Netherlands.

`0470 12 34 56`, `+32470123456`, `0032 470 12 34 56`, `0470/12.34.56` are Belgian; a
national Dutch number (`06 12345678`) is tried as Dutch when it is not a Belgian number.
Stored in E.164 by django-phonenumber-field.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

REGIONS = ("BE", "NL")
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def parse_phone(raw: str) -> PhoneNumber:
    """The number in `raw`, read as Belgian first, then Dutch; ValidationError if impossible."""
    text = (raw or "").strip()
    for region in REGIONS:
        try:
            number = PhoneNumber.from_string(text, region=region)
        except phonenumbers.NumberParseException:
            continue
        if number.is_valid():
            return number
    raise ValidationError(
        _("%(value)s is not a possible phone number. Write it as 0470 12 34 56 or "
          "+32 470 12 34 56."),
        code="invalid_phone", params={"value": text},
    )


def is_mobile(number) -> bool:
    return phonenumbers.number_type(number) in MOBILE_TYPES
