from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordResetRequestForm(forms.Form):
    """One field for everyone: staff type a username or e-mail address, a volunteer without
    e-mail their mobile number."""

    login = forms.CharField(
        label=_("Username, e-mail address or mobile number"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
