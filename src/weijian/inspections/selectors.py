"""Reads of checklists, inspections and sampling draws, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from weijian.core.errors import NotVisible
from weijian.core.permissions import require

from .models import Checklist, ChecklistVersion, Inspection, SamplingDraw


def checklist_list() -> QuerySet[Checklist]:
    """Checklists are reference data, the same for everyone."""
    return Checklist.objects.all()


def checklist_version_get(pk) -> ChecklistVersion:
    version = ChecklistVersion.objects.select_related("checklist").filter(pk=pk).first()
    if version is None:
        raise NotVisible()
    return version


def checklist_content(version: ChecklistVersion):
    """Sections with their items, in order, for filling in or printing."""
    return version.sections.prefetch_related("items__violation_category").order_by("order")


def inspection_list(
    user, *, campaign=None, institution=None, kind: str = "", status: str = ""
) -> QuerySet[Inspection]:
    require(user, "inspections.view_inspection")
    qs = Inspection.objects.visible_to(user).select_related(
        "institution__organisation__division", "campaign", "checklist_version__checklist"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if institution is not None:
        qs = qs.filter(institution=institution)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def inspection_get(user, pk) -> Inspection:
    inspection = inspection_list(user).filter(pk=pk).first()
    if inspection is None:
        raise NotVisible()
    return inspection


def inspection_answers(inspection: Inspection) -> dict[int, object]:
    """The inspection's answers by item id (the caller has checked the inspection is visible)."""
    return {a.item_id: a for a in inspection.answers.all()}


def sampling_draw_list(user, *, campaign=None) -> QuerySet[SamplingDraw]:
    require(user, "inspections.view_samplingdraw")
    qs = SamplingDraw.objects.visible_to(user).select_related("campaign", "drawn_by")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def sampling_draw_get(user, pk) -> SamplingDraw:
    draw = sampling_draw_list(user).filter(pk=pk).first()
    if draw is None:
        raise NotVisible()
    return draw
