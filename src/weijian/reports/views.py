"""The official forms of a campaign: a page listing them, and the download of one. Views only
translate HTTP into `services.generate`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from weijian.campaigns import selectors as campaign_selectors
from weijian.campaigns.models import ViolationCategory
from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.scope import require_division_in_scope
from weijian.enforcement.models import SubjectType

from . import tasks
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
    subject_labels = {**dict(SubjectType.choices), None: ""}
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
        # One cell per category, spanning its 机构/人员 pair where the rows below split it.
        {"key": code, "name": names.get(code, code), "value": value, "span": 2 if split else 1}
        for (code, split), value in zip(beauty_summary.CATEGORIES, form.inspected, strict=True)
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
    # Through the task API: the embedded backend runs it here and now; a queue backend runs it on a
    # worker, and the page it returns meanwhile is refreshed until the file is ready.
    result = tasks.generate_report.enqueue(
        form,
        campaign.pk,
        data["division"].code,
        data["fmt"],
        data["date_from"].isoformat() if data.get("date_from") else None,
        data["date_to"].isoformat() if data.get("date_to") else None,
        data["inspection"].pk if data.get("inspection") else None,
        data.get("by_child", False),
        user.pk,
    )
    return _answer(request, campaign, result, bound)


def _answer(request, campaign, result, bound=None):
    if not result.is_finished:
        return render(
            request, "reports/pending.html", {"campaign": campaign, "result_id": result.id}, status=202
        )
    if result.status != TaskResultStatus.SUCCESSFUL:
        raise RuntimeError(f"report task {result.id} failed")
    outcome = result.return_value
    if "error" in outcome:
        error = outcome["error"]
        if error["code"] in (NotVisible.code, NotAllowed.code):
            raise NotVisible() if error["code"] == NotVisible.code else NotAllowed()
        if bound is None:
            bound = ReportRequestForm(spec=FORMS[result.args[0]], user=request.user, campaign=campaign)
        bound.add_error(error["field"] if error["field"] in bound.fields else None, error["message"])
        return _page(request, campaign, bound, status=400)
    path = tasks.stored_path(outcome["path"])
    response = FileResponse(path.open("rb"), as_attachment=True, filename=outcome["filename"])
    response["Content-Type"] = CONTENT_TYPES[path.suffix.lstrip(".")]
    return response


@login_required
def result(request, campaign_id, result_id):
    """A report generated on a worker: the file once ready, for the user who asked for it."""
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    try:
        found = tasks.generate_report.get_result(result_id)
    except (TaskResultDoesNotExist, ValueError, NotImplementedError):  # the embedded backend keeps none
        raise Http404() from None
    if found.args[-1] != request.user.pk or found.args[1] != campaign.pk:
        raise Http404()
    return _answer(request, campaign, found)
