"""Campaign pages. Views only translate HTTP into selector and service calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.permissions import require
from weijian.rectification.models import HazardLevel, HazardState

from . import coverage, selectors, services
from .forms import CampaignFromTemplateForm


def _form_error(form, error: DomainError) -> None:
    """Put a domain error on the form: on its field when the form has one, else on the form."""
    if isinstance(error, (NotVisible, NotAllowed)):
        raise error
    errors = getattr(error, "errors", None) or {error.field: [error.message]}
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@login_required
def campaign_list(request):
    user = request.user
    campaigns = selectors.campaign_list(user)
    form = None
    templates = None
    if user.has_perm("campaigns.add_campaign"):
        templates = selectors.campaign_list(user, templates=True)
        form = CampaignFromTemplateForm(
            request.POST or None,
            templates=templates,
            user=user,
            initial={"year": timezone.localdate().year},
        )
    elif request.method == "POST":
        require(user, "campaigns.add_campaign")
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_from_template(
                user=user,
                template_code=form.cleaned_data["template"].template_code,
                division=form.cleaned_data["division"],
                year=form.cleaned_data["year"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The campaign has been started."))
            return redirect("campaigns:campaign_dashboard", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_list.html",
        {"campaigns": campaigns, "templates": templates, "form": form},
    )


def _hazard_counts(user, campaign):
    """Hazards of the campaign counted by level × state: rows are states, columns levels."""
    from weijian.rectification import selectors as rectification

    counts = {
        (row["state"], row["level"]): row["n"]
        for row in rectification.hazard_list(user, campaign=campaign)
        .order_by()
        .values("state", "level")
        .annotate(n=Count("pk"))
    }
    return [
        {
            "state": state.label,
            "code": state.value,
            "cells": [
                (level.value, level.label, counts.get((state.value, level.value), 0)) for level in HazardLevel
            ],
            "total": sum(counts.get((state.value, level.value), 0) for level in HazardLevel),
        }
        for state in HazardState
    ]


@login_required
def campaign_dashboard(request, pk):
    user = request.user
    campaign = selectors.campaign_get(user, pk)
    today = timezone.localdate()
    phases = list(campaign.phases.prefetch_related("deliverables").order_by("order"))
    current = next(
        (p for p in phases if p.start and p.end and p.start <= today <= p.end),
        None,
    )
    rows = coverage.coverage(campaign) if not campaign.is_template else []
    context = {
        "campaign": campaign,
        "today": today,
        "phases": phases,
        "current_phase": current,
        "tasks": selectors.campaign_tasks(user, campaign),
        "coverage_by_class": [r for r in rows if r.dimension == "class"],
        "coverage_by_township": [r for r in rows if r.dimension == "township"],
        "levels": HazardLevel.labels,
        "can_view_hazards": user.has_perm("rectification.view_hazard") and not campaign.is_template,
        "can_sample": user.has_perm("inspections.view_samplingdraw") and not campaign.is_template,
        "can_inspect": user.has_perm("inspections.add_inspection") and not campaign.is_template,
    }
    if context["can_view_hazards"]:
        from weijian.rectification import selectors as rectification

        context["hazard_counts"] = _hazard_counts(user, campaign)
        context["overdue"] = rectification.overdue_hazards(user, today).filter(campaign=campaign)
    return render(request, "campaigns/campaign_dashboard.html", context)
