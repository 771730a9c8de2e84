"""Inspection and sampling pages. Views only translate HTTP into selector and service calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weijian.campaigns import selectors as campaigns
from weijian.campaigns.models import InstitutionClass
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.permissions import require
from weijian.core.scope import scope_of
from weijian.core.selectors import users_visible_to
from weijian.registry import selectors as registry

from . import selectors, services
from .catalogue import current_version
from .forms import InspectionEntryForm, InspectionStartForm, InspectionSubmitForm, SamplingDrawForm
from .models import AnswerType, InspectionKind, InspectionStatus

PAGE_SIZE = 50


def _form_error(form, error: DomainError) -> None:
    """Put a domain error on the form; "not visible" and "not allowed" go on to the 404/403 pages."""
    if isinstance(error, (NotVisible, NotAllowed)):
        raise error
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


@login_required
def inspection_list(request):
    inspections = selectors.inspection_list(request.user)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page")),
            "can_start": request.user.has_perm("inspections.add_inspection"),
        },
    )


@login_required
def inspection_start(request):
    """Institution users start a self-inspection of their own institution; regulators an on-site
    inspection of an institution in their scope."""
    user = request.user
    require(user, "inspections.add_inspection")
    own = scope_of(user).organisation_id
    institutions = registry.institution_list(user)
    if own is not None:
        institutions = institutions.filter(pk=own)
    kind = InspectionKind.SELF if own is not None else InspectionKind.ON_SITE
    form = InspectionStartForm(
        request.POST or None,
        campaigns=campaigns.campaign_list(user),
        institutions=institutions,
        checklists=selectors.checklist_list(),
        initial={"campaign": request.GET.get("campaign"), "institution": own},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_start(
                user=user,
                campaign=data["campaign"],
                institution=data["institution"],
                kind=kind,
                checklist_version=current_version(data["checklist"]),
                inspected_on=data["inspected_on"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_start.html", {"form": form, "kind": kind})


def _hazards_by_answer(user, inspection) -> dict[int, list]:
    if not user.has_perm("rectification.view_hazard"):
        return {}
    from weijian.rectification import selectors as rectification

    found: dict[int, list] = {}
    for hazard in rectification.hazard_list(user).filter(inspection=inspection):
        found.setdefault(hazard.answer_id, []).append(hazard)
    return found


def _record_hazard(user, inspection, item, answer, hazard: dict) -> None:
    from weijian.rectification import services as rectification
    from weijian.rectification.models import HazardSource

    category = item.violation_category or item.section.violation_category
    if category is None:
        raise DomainError(_("This item has no violation category; record the hazard on the board."))
    rectification.hazard_create(
        user=user,
        institution=inspection.institution,
        category=category,
        level=hazard["level"],
        description=hazard["description"] or answer.text,
        location=hazard["location"],
        source=HazardSource.SELF_INSPECTION
        if inspection.kind == InspectionKind.SELF
        else HazardSource.ON_SITE,
        found_on=inspection.inspected_on,
        inspection=inspection,
        answer=answer,
    )


def _save_answers(user, inspection, form, hazards: dict[int, list]) -> bool:
    """Save every entered answer and requested hazard; errors are kept per item on the form."""
    for section in form.sections:
        for item in section.items.all():
            entered = form.entered(item)
            if entered is None:
                continue
            hazard = form.hazard(item)
            try:
                answer = services.inspection_answer(user=user, inspection=inspection, item=item, **entered)
                if hazard is not None and not hazards.get(answer.pk):
                    if item.answer_type != AnswerType.FOUND or not answer.found:
                        raise DomainError(_("A hazard is recorded only for something found."))
                    _record_hazard(user, inspection, item, answer, hazard)
            except DomainError as error:
                if isinstance(error, (NotVisible, NotAllowed)):
                    raise
                form.item_errors.setdefault(item.pk, []).append(str(error.message))
    return not form.item_errors


@login_required
def inspection_detail(request, pk):
    """The entry page: every checklist item on one form, then the unit head's sign-off and submit."""
    user = request.user
    inspection = selectors.inspection_get(user, pk)
    sections = list(selectors.checklist_content(inspection.checklist_version))
    editable = inspection.status == InspectionStatus.DRAFT and user.has_perm("inspections.change_inspection")
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not editable:
        require(user, "inspections.change_inspection")
        messages.error(request, _("The inspection has been submitted."))
        return redirect("inspections:inspection_detail", pk=pk)
    hazards = _hazards_by_answer(user, inspection)
    entry = InspectionEntryForm(
        request.POST if action == "save" else None,
        request.FILES if action == "save" else None,
        sections=sections,
        answers=selectors.inspection_answers(inspection),
    )
    submit = InspectionSubmitForm(request.POST if action == "submit" else None)
    if action == "save" and entry.is_valid():
        if _save_answers(user, inspection, entry, {h.answer_id: h for hs in hazards.values() for h in hs}):
            messages.success(request, _("Answers saved."))
            return redirect("inspections:inspection_detail", pk=pk)
        hazards = _hazards_by_answer(user, inspection)
    if action == "submit" and submit.is_valid():
        try:
            services.inspection_submit(
                user=user, inspection=inspection, unit_head_name=submit.cleaned_data["unit_head_name"]
            )
        except DomainError as error:
            _form_error(submit, error)
        else:
            messages.success(request, _("The inspection has been submitted."))
            return redirect("inspections:inspection_detail", pk=pk)
    answers = selectors.inspection_answers(inspection)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "entry": entry,
            "submit": submit,
            "editable": editable,
            "answered": len(answers),
            "total": sum(len(s.items.all()) for s in sections),
            "hazards": hazards,
        },
    )


# Random sampling (双随机一公开) -------------------------------------------------------------------


def _named(user, result: list[dict]) -> list[dict]:
    """A draw's result with names for the institutions and inspectors it stores as ids."""
    institutions = registry.institution_list(user).in_bulk([row["institution"] for row in result])
    inspectors = users_visible_to(user).in_bulk({pk for row in result for pk in row["inspectors"]})
    classes = dict(InstitutionClass.choices)
    return [
        {
            "institution": institutions.get(row["institution"]),
            "institution_id": row["institution"],
            "class": classes.get(row["class"], row["class"]),
            "inspectors": [
                str(inspectors[pk].full_name or inspectors[pk]) if pk in inspectors else pk
                for pk in row["inspectors"]
            ],
        }
        for row in result
    ]


@login_required
def sampling(request, campaign_pk):
    user = request.user
    campaign = campaigns.campaign_get(user, campaign_pk)
    draws = selectors.sampling_draw_list(user, campaign=campaign)
    form = None
    if user.has_perm("inspections.add_samplingdraw"):
        form = SamplingDrawForm(request.POST or None)
    elif request.method == "POST":
        require(user, "inspections.add_samplingdraw")
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.sampling_draw(
                user=user,
                campaign=campaign,
                seed=form.cleaned_data["seed"],
                team_size=form.cleaned_data["team_size"] or 2,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The draw has been recorded."))
            return redirect("inspections:sampling_draw", pk=draw.pk)
    return render(request, "inspections/sampling.html", {"campaign": campaign, "draws": draws, "form": form})


@login_required
def sampling_draw(request, pk):
    user = request.user
    draw = selectors.sampling_draw_get(user, pk)
    if request.method == "POST":
        try:
            services.sampling_publish(user=user, draw=draw)
        except DomainError as error:
            if isinstance(error, (NotVisible, NotAllowed)):
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The draw has been published."))
        return redirect("inspections:sampling_draw", pk=pk)
    rerun = None
    if request.GET.get("rerun"):
        rerun = services.sampling_rerun(draw)
    return render(
        request,
        "inspections/sampling_draw.html",
        {
            "draw": draw,
            "rows": _named(user, draw.result),
            "rerun": _named(user, rerun) if rerun is not None else None,
            "rerun_matches": rerun == draw.result if rerun is not None else None,
            "can_publish": user.has_perm("inspections.change_samplingdraw") and draw.published_at is None,
        },
    )
