"""The official forms of a campaign: a page listing them, and the download of one. Views only
translate HTTP into `services.generate`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from weijian.campaigns import selectors as campaign_selectors
from weijian.campaigns.models import ViolationCategory
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.scope import require_division_in_scope
from weijian.enforcement.models import SubjectType

from . import services
from .engine.periods import Period
from .filters import ReportRequestForm
from .forms import FORMS, beauty_summary

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _entries(user, campaign, bound: ReportRequestForm | None = None) -> list[dict]:
    entries = []
    for spec in FORMS.values():
        if spec.permission and not user.has_perm(spec.permission):
            continue
        form = bound if bound is not None and bound.spec is spec else None
        entries.append(
            {"spec": spec, "form": form or ReportRequestForm(spec=spec, user=user, campaign=campaign)}
        )
    return entries


def _summary_preview(user, campaign) -> dict | None:
    """The medical-beauty summary table of the campaign's whole area so far, shown on the page for a
    medical-beauty campaign when the user may see that area."""
    if campaign.template_code != "medical_beauty" or campaign.division is None or campaign.start is None:
        return None
    try:
        require_division_in_scope(user, campaign.division)
    except NotVisible:
        return None
    end = min(campaign.end or timezone.localdate(), timezone.localdate())
    if end < campaign.start:
        return None
    form = beauty_summary.compute(campaign, campaign.division, Period(campaign.start, end))
    names = dict(
        ViolationCategory.objects.filter(code__in=beauty_summary.CATEGORY_CODES).values_list("code", "name")
    )
    subject_labels = {SubjectType.ORGANISATION: _("institution"), SubjectType.PERSON: _("person"), None: ""}
    columns = [
        {
            "key": f"{code}-{subject_type or 'all'}",
            "name": names.get(code, code),
            "subject": subject_labels[subject_type],
        }
        for code, subject_type in beauty_summary.DATA_COLUMNS
    ]
    rows = [
        {"label": label, "measure": measure, "cells": list(zip(columns, form.rows[index], strict=True))}
        for index, (label, measure) in enumerate(beauty_summary.ROWS)
    ]
    inspected = [
        {"key": code, "name": names.get(code, code), "value": value}
        for code, value in zip(beauty_summary.CATEGORY_CODES, form.inspected, strict=True)
    ]
    return {"form": form, "columns": columns, "rows": rows, "inspected": inspected}


def _page(request, campaign, bound=None, status=200):
    return render(
        request,
        "reports/campaign_forms.html",
        {
            "campaign": campaign,
            "entries": _entries(request.user, campaign, bound),
            "preview": _summary_preview(request.user, campaign),
        },
        status=status,
    )


@login_required
def campaign_forms(request, campaign_id):
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    if campaign.is_template:
        raise Http404()
    return _page(request, campaign)


@login_required
def download(request, campaign_id, form):
    user = request.user
    spec = FORMS.get(form)
    if spec is None:
        raise Http404()
    campaign = campaign_selectors.campaign_get(user, campaign_id)
    if campaign.is_template:
        raise Http404()
    bound = ReportRequestForm(request.GET, spec=spec, user=user, campaign=campaign)
    if not bound.is_valid():
        return _page(request, campaign, bound, status=400)
    data = bound.cleaned_data
    try:
        filename, content = services.generate(
            user,
            form,
            campaign=campaign,
            division=data["division"],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            fmt=data["fmt"],
            inspection=data.get("inspection"),
            by_child=data.get("by_child", False),
        )
    except DomainError as error:
        if isinstance(error, (NotVisible, NotAllowed)):
            raise
        bound.add_error(error.field if error.field in bound.fields else None, str(error.message))
        return _page(request, campaign, bound, status=400)
    response = HttpResponse(content, content_type=CONTENT_TYPES[data["fmt"]])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
