"""What every room's forms share."""

from django.core.exceptions import ValidationError
from django.db import transaction


def add_service_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Shows a service's ValidationError on the form: by field where the form has that field
    (`aliases` maps a service's field name to the form's), above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def add_all_errors(form, func, **kwargs) -> None:
    """Every error at once: a form that did not clean still goes through its service's
    checks (inside a transaction that is rolled back), and the service's errors join the
    form's on the fields that have none yet. What did not clean is simply not checked."""
    try:
        with transaction.atomic():
            func(**kwargs)
            transaction.set_rollback(True)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                if field in form.fields and field not in form.errors:
                    form.add_error(field, errors)
    except (TypeError, ValueError, LookupError, AttributeError):
        pass  # a value the form refused is missing: the form's own error says enough
