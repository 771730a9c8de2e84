"""The official forms, one module each; `FORMS` maps the code used on the command line and in URLs
to what the form needs and how it is built."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import beauty_summary, quantitative, safety_checklist, safety_weekly, typical_cases
from .base import DOCX, XLSX, FormSpec, Request

FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        FormSpec(
            code="beauty-summary",
            title=beauty_summary.TITLE,
            description=_(
                "Medical-beauty campaign summary table: inspections, cases, penalties, complaints."
            ),
            formats=(XLSX,),
            build=beauty_summary.build,
            rolls_up=True,
        ),
        FormSpec(
            code="typical-cases",
            title=typical_cases.TITLE,
            description=_("Typical cases: the catalogue of case materials and the case narratives."),
            formats=(DOCX,),
            build=typical_cases.build,
            permission="enforcement.view_case",
        ),
        FormSpec(
            code="safety-weekly",
            title=safety_weekly.TITLE,
            description=_("Weekly safety report of each institution, last Friday to this Friday."),
            formats=(XLSX,),
            build=safety_weekly.build,
            permission="rectification.view_hazard",
            weekly=True,
        ),
        FormSpec(
            code="safety-checklist",
            title=safety_checklist.TITLE,
            description=_("Safety inspection checklist of one submitted inspection."),
            formats=(XLSX,),
            build=safety_checklist.build,
            permission="inspections.view_inspection",
            needs_inspection=True,
        ),
        FormSpec(
            code="quantitative",
            title=quantitative.TITLE,
            description=_("Quantitative work statistics by institution class, for a quarter or a year."),
            formats=(XLSX,),
            build=quantitative.build,
            rolls_up=True,
        ),
    )
}

__all__ = ["DOCX", "FORMS", "XLSX", "FormSpec", "Request"]
