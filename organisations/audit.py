"""The one way the domain apps write the audit log: from the view or API layer, with the request.

Pages call `audit(request, action, obj)` after the service succeeded (or when a record is
shown); API viewsets mix in `AuditedViewSetMixin`, which records successful answers of the
operations it lists. Labels hold the kind of record and its id only ("participant #12"),
never a name: the log is append-only, so a name written there could not be anonymised later.
"""

from .models import AuditAction
from .services import audit_record, audit_subject_ref


def audit_label(obj) -> str:
    """ "participant #12": the model's name and the id, nothing about the person."""
    return f"{obj._meta.model_name} #{obj.pk}"


def audit(request, action: str, obj=None, *, ref: str = "", label: str = ""):
    """Appends one event about `obj` (or `ref`, e.g. "matching.participant:*" for an export)."""
    if obj is not None:
        ref = ref or audit_subject_ref(obj)
        label = label or audit_label(obj)
    return audit_record(request_or_actor=request, action=action, subject_ref=ref, label=label)


# The operations of a viewset and what they are in the audit log. Custom actions that change
# a record (pause, withdraw…) are listed per viewset in `audit_actions`.
DEFAULT_ACTIONS = {
    "retrieve": AuditAction.VIEW,
    "create": AuditAction.CREATE,
    "update": AuditAction.CHANGE,
    "partial_update": AuditAction.CHANGE,
    "destroy": AuditAction.DELETE,
}


class AuditedViewSetMixin:
    """Records a successful retrieve/create/update/destroy (and `audit_actions`) of a viewset.

    `audit_model` is the model whose record is concerned; the id comes from the URL or, for a
    create, from the answer.
    """

    audit_model = None
    audit_actions: dict = {}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        action = {**DEFAULT_ACTIONS, **self.audit_actions}.get(getattr(self, "action", None))
        if action and 200 <= response.status_code < 300 and request.user.is_authenticated:
            pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            if pk is None and isinstance(getattr(response, "data", None), dict):
                pk = response.data.get("id")
            if pk is not None:
                meta = self.audit_model._meta
                audit_record(request_or_actor=request, action=action,
                             subject_ref=f"{meta.label_lower}:{pk}",
                             label=f"{meta.model_name} #{pk}")
        return response
