"""What every room's forms share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Shows a service's ValidationError on the form: by field where the form has that field
    (`aliases` maps a service's field name to the form's), above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
