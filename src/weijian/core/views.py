from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from . import selectors
from .permissions import require
from .roles import role_of
from .scope import scope_of

# Record types whose history can be opened from their detail page: label → selector returning the
# record if the user may see it.
HISTORY_SOURCES = {
    "registry.institution": "weijian.registry.selectors.institution_get",
    "registry.practitioner": "weijian.registry.selectors.practitioner_get",
    "registry.enterprise": "weijian.registry.selectors.enterprise_get",
    "rectification.hazard": "weijian.rectification.selectors.hazard_get",
    "complaints.complaint": "weijian.complaints.selectors.complaint_get",
    "enforcement.case": "weijian.enforcement.selectors.case_get",
}


@login_required
def home(request):
    user = request.user
    cards = []
    if user.has_perm("registry.view_institution"):
        from weijian.registry import selectors as registry

        cards.append(
            {
                "label": "institutions",
                "count": registry.institution_list(user).count(),
                "url": "registry:institution_list",
            }
        )
        if user.has_perm("registry.view_practitioner"):
            cards.append(
                {
                    "label": "practitioners",
                    "count": registry.practitioner_list(user).count(),
                    "url": "registry:practitioner_list",
                }
            )
    overdue_complaints = None
    if user.has_perm("complaints.view_complaint"):
        from weijian.complaints import selectors as complaints

        overdue_complaints = complaints.overdue(user, timezone.localdate()).order_by("reply_due")
    todo = None
    if user.has_perm("rectification.view_hazard"):
        from weijian.rectification import selectors as rectification

        todo = rectification.todo_for(user, timezone.localdate())
    return render(
        request,
        "core/home.html",
        {
            "role": role_of(user),
            "scope": scope_of(user),
            "organisation": user.organisation,
            "cards": cards,
            "todo": todo,
            # Ten at most on the home page; the complaint list has the rest.
            "overdue_complaints": overdue_complaints[:10] if overdue_complaints is not None else None,
            "overdue_complaint_count": overdue_complaints.count() if overdue_complaints is not None else 0,
        },
    )


@login_required
def audit_trail(request, model: str, pk: str):
    from django.utils.module_loading import import_string

    require(request.user, "core.view_auditentry")
    if model not in HISTORY_SOURCES:
        raise Http404()
    record = import_string(HISTORY_SOURCES[model])(request.user, pk)
    entries = selectors.audit_trail(record)[:500]
    return render(
        request,
        "core/audit_trail.html",
        {
            "record": record,
            "model_name": apps.get_model(model)._meta.verbose_name,
            "entries": entries,
        },
    )
