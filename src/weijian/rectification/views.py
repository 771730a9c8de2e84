"""Rectification pages: the board of hazards by state and a hazard's page with its workflow actions.
Views only translate HTTP into selector and service calls; `services.hazard_transition` changes state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from weijian.core.errors import DomainError, NotAllowed, NotVisible

from . import selectors, services, workflow
from .forms import HazardFilterForm, action_form
from .models import HazardState

BOARD_LIMIT = 200  # per state column; the filters narrow a long board


def _campaigns(user):
    if not user.has_perm("campaigns.view_campaign"):
        from weijian.campaigns.models import Campaign

        return Campaign.objects.none()
    from weijian.campaigns import selectors as campaigns

    return campaigns.campaign_list(user)


@login_required
def board(request):
    user = request.user
    filters = HazardFilterForm(request.GET or None, campaigns=_campaigns(user))
    params = filters.cleaned_data if filters.is_valid() else {}
    hazards = selectors.hazard_list(
        user,
        campaign=params.get("campaign"),
        level=params.get("level", ""),
        state=params.get("state", ""),
    )
    today = timezone.localdate()
    overdue = set(selectors.overdue_hazards(user, today).values_list("pk", flat=True))
    columns = []
    for state in HazardState:
        if params.get("state") and params["state"] != state.value:
            continue
        in_state = hazards.filter(state=state.value)
        columns.append(
            {
                "state": state.value,
                "label": state.label,
                "count": in_state.count(),
                "hazards": [
                    {"hazard": h, "overdue": h.pk in overdue, "due": selectors.due_date(h)}
                    for h in in_state[:BOARD_LIMIT]
                ],
            }
        )
    return render(request, "rectification/board.html", {"filters": filters, "columns": columns})


def _transition_data(cleaned: dict) -> dict:
    """The form's data as the service takes it: blank optional values are left out."""
    return {name: value for name, value in cleaned.items() if value not in (None, "")}


@login_required
def hazard_detail(request, pk):
    user = request.user
    hazard = selectors.hazard_get(user, pk)
    posted = request.POST.get("action") if request.method == "POST" else None
    forms = {}
    for action in selectors.available_actions(user, hazard):
        forms[action] = action_form(action, request.POST if action == posted else None)
    if posted is not None and posted not in forms:
        # Not possible now for this user: the service says why (403 for the role or side, else a message).
        try:
            services.hazard_transition(user=user, hazard_id=pk, action=posted)
        except DomainError as error:
            if isinstance(error, (NotVisible, NotAllowed)):
                raise
            messages.error(request, str(error.message))
        return redirect("rectification:hazard_detail", pk=pk)
    if posted is not None and forms[posted].is_valid():
        form = forms[posted]
        try:
            services.hazard_transition(
                user=user, hazard_id=pk, action=posted, **_transition_data(form.cleaned_data)
            )
        except DomainError as error:
            if isinstance(error, (NotVisible, NotAllowed)):
                raise
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": workflow.Action(posted).label})
            return redirect("rectification:hazard_detail", pk=pk)
    today = timezone.localdate()
    due = selectors.due_date(hazard)
    return render(
        request,
        "rectification/hazard_detail.html",
        {
            "hazard": hazard,
            "events": [
                {"event": event, "label": dict(workflow.Action.choices).get(event.action, event.action)}
                for event in hazard.events.select_related("actor")
            ],
            "due": due,
            "overdue": due is not None and due < today,
            "action_forms": [
                {"action": action, "label": workflow.Action(action).label, "form": form}
                for action, form in forms.items()
            ],
            "can_view_history": user.has_perm("core.view_auditentry"),
        },
    )
