"""Campaigns (with their tasks, phases, targets and coverage) and the checklist library.

Handlers only translate: every read goes through weijian.campaigns.selectors (and .coverage) or
weijian.inspections.selectors, the one write through weijian.campaigns.services.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from weijian.campaigns import selectors, services
from weijian.campaigns.coverage import coverage
from weijian.campaigns.models import Campaign, DepartmentRef, InstitutionClass
from weijian.core.errors import InvalidRecord, NotVisible
from weijian.core.models import Division
from weijian.core.selectors import division_get
from weijian.inspections import selectors as inspection_selectors
from weijian.inspections.models import AnswerType

from .schemas import READ_ERRORS, WRITE_ERRORS, DivisionCode, Id, InputSchema, Page, Year, errors, text

campaigns = Router(tags=["campaigns"])
checklists = Router(tags=["checklists"])


def invalid(field: str, message: str) -> InvalidRecord:
    return InvalidRecord(ValidationError({field: [message]}))


def reference(field: str, get, *args):
    """A record named by id in a request body; one the user cannot see is invalid input there."""
    try:
        return get(*args)
    except NotVisible:
        raise invalid(field, _("Unknown record, or outside your scope.")) from None


def running_campaign(user, field: str, pk: int) -> Campaign:
    """A campaign (not a template) the user can see, named in a request body."""
    campaign = reference(field, selectors.campaign_get, user, pk)
    if campaign.is_template:
        raise invalid(field, _("A template is not a running campaign."))
    return campaign


def decimal_string(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- campaigns ------------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    year: int | None
    is_template: bool
    template_code: str
    division: str | None = Field(None, description="12-digit division code; none for a template")
    division_name: str | None
    owner: int | None = Field(None, description="Id of the organisation that owns the campaign")
    owner_name: str | None
    start: dt.date | None
    end: dt.date | None

    @staticmethod
    def resolve_division(campaign: Campaign) -> str | None:
        return campaign.division_id

    @staticmethod
    def resolve_division_name(campaign: Campaign) -> str | None:
        return campaign.division.name if campaign.division_id else None

    @staticmethod
    def resolve_owner(campaign: Campaign) -> int | None:
        return campaign.owner_id

    @staticmethod
    def resolve_owner_name(campaign: Campaign) -> str | None:
        return campaign.owner.name if campaign.owner_id else None


class PartnerOut(Schema):
    department: DepartmentRef
    label: str
    co_lead: bool
    organisation: int | None
    organisation_name: str | None

    @staticmethod
    def resolve_organisation(partner) -> int | None:
        return partner.organisation_id

    @staticmethod
    def resolve_organisation_name(partner) -> str | None:
        return partner.organisation.name if partner.organisation_id else None


class TaskOut(Schema):
    id: int
    order: int
    title: str
    description: str
    lead_department: DepartmentRef
    lead_organisation: int | None
    lead_organisation_name: str | None
    partners: list[PartnerOut]
    violation_categories: list[str] = Field(description="Codes of the violation categories")

    @staticmethod
    def resolve_lead_organisation(task) -> int | None:
        return task.lead_organisation_id

    @staticmethod
    def resolve_lead_organisation_name(task) -> str | None:
        return task.lead_organisation.name if task.lead_organisation_id else None

    @staticmethod
    def resolve_partners(task) -> list:
        return list(task.partners.all())

    @staticmethod
    def resolve_violation_categories(task) -> list[str]:
        return [category.code for category in task.violation_categories.all()]


class DeliverableOut(Schema):
    title: str
    due: dt.date | None
    submitter_department: DepartmentRef
    recipient: str


class PhaseOut(Schema):
    order: int
    name: str
    start: dt.date | None
    end: dt.date | None
    activities: str
    deliverables: list[DeliverableOut]

    @staticmethod
    def resolve_deliverables(phase) -> list:
        return list(phase.deliverables.all())


class CoverageTargetOut(Schema):
    institution_class: InstitutionClass
    target_percent: str = Field(description='Decimal string, e.g. "50.00"')

    @staticmethod
    def resolve_target_percent(target) -> str:
        return str(target.target_percent)


class CampaignDetailOut(CampaignOut):
    issuing_organisations: str
    goals: str
    scope_institution_types: list[str]
    scope_ownerships: list[str]
    scope_grade_levels: list[str]
    scope_note: str
    hotline: str
    tasks: list[TaskOut]
    phases: list[PhaseOut]
    coverage_targets: list[CoverageTargetOut]

    @staticmethod
    def resolve_tasks(campaign: Campaign, context) -> list:
        return list(selectors.campaign_tasks(context["request"].auth, campaign))

    # Phases and targets are parts of the campaign the selector has just shown the user.
    @staticmethod
    def resolve_phases(campaign: Campaign) -> list:
        return list(campaign.phases.prefetch_related("deliverables").order_by("order"))

    @staticmethod
    def resolve_coverage_targets(campaign: Campaign) -> list:
        return list(campaign.coverage_targets.order_by("institution_class"))


class CoverageRowOut(Schema):
    dimension: str = Field(description='"class" or "township"')
    key: str = Field(description='An institution class, or a township\'s code ("" = county level)')
    label: str
    in_scope: int
    inspected: int
    percent: str | None = Field(None, description="Decimal string; none when nothing is in scope")
    target: str | None = Field(None, description="Decimal string; per class only")
    met: bool | None


class CampaignFilters(Schema):
    templates: bool = Field(False, description="List the templates instead of the campaigns")
    year: Year | None = None


class FromTemplateIn(InputSchema):
    template_code: text(50, min_length=1)
    division: DivisionCode
    year: Year


@campaigns.get(
    "",
    response={200: list[CampaignOut], **errors(*READ_ERRORS)},
    summary="Campaigns in the user's scope, or the templates",
)
@paginate(Page)
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters]):
    return selectors.campaign_list(request.auth, templates=filters.templates, year=filters.year)


@campaigns.post(
    "/from-template",
    response={201: CampaignDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Start a campaign from a template for a division and a year",
)
def campaign_from_template(request: HttpRequest, payload: FromTemplateIn):
    user = request.auth
    division: Division = reference("division", division_get, user, payload.division)
    template = reference("template_code", selectors.template_get, user, payload.template_code)
    campaign = services.campaign_from_template(
        user=user, template_code=template.template_code, division=division, year=payload.year
    )
    return Status(201, selectors.campaign_get(user, campaign.pk))


@campaigns.get(
    "/{id}",
    response={200: CampaignDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One campaign with its tasks, phases and coverage targets",
)
def campaign_get(request: HttpRequest, id: Id):
    return selectors.campaign_get(request.auth, id)


@campaigns.get(
    "/{id}/coverage",
    response={200: list[CoverageRowOut], **errors(*READ_ERRORS, 404)},
    summary="Inspection coverage per institution class, then per township",
)
def campaign_coverage(request: HttpRequest, id: Id):
    campaign = selectors.campaign_get(request.auth, id)
    return [
        {
            **row.__dict__,
            "percent": decimal_string(row.percent),
            "target": decimal_string(row.target),
        }
        for row in coverage(campaign)
    ]


# --- checklists -----------------------------------------------------------------------------------


class ChecklistVersionRefOut(Schema):
    id: int
    number: int
    note: str
    created_at: dt.datetime


class ChecklistOut(Schema):
    id: int
    code: str
    title: str
    source: str
    versions: list[ChecklistVersionRefOut] = Field(description="Newest first")

    @staticmethod
    def resolve_versions(checklist) -> list:
        return list(checklist.versions.all())


class ChecklistItemOut(Schema):
    id: int
    order: int
    text: str
    answer_type: AnswerType
    requires_evidence: bool
    violation_category: str | None

    @staticmethod
    def resolve_violation_category(item) -> str | None:
        return item.violation_category_id


class ChecklistSectionOut(Schema):
    id: int
    order: int
    title: str
    violation_category: str | None
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_violation_category(section) -> str | None:
        return section.violation_category_id

    @staticmethod
    def resolve_items(section) -> list:
        return list(section.items.all())


class ChecklistVersionOut(Schema):
    id: int
    checklist: str = Field(description="Code of the checklist")
    title: str
    number: int
    note: str
    created_at: dt.datetime
    sections: list[ChecklistSectionOut]


@checklists.get(
    "", response={200: list[ChecklistOut], **errors(*READ_ERRORS)}, summary="The checklist library"
)
@paginate(Page)
def checklist_list(request: HttpRequest):
    return inspection_selectors.checklist_list().prefetch_related("versions")


@checklists.get(
    "/versions/{id}",
    response={200: ChecklistVersionOut, **errors(*READ_ERRORS, 404)},
    summary="One checklist version with its sections and items",
)
def checklist_version_get(request: HttpRequest, id: Id):
    version = inspection_selectors.checklist_version_get(id)
    return {
        "id": version.pk,
        "checklist": version.checklist.code,
        "title": version.checklist.title,
        "number": version.number,
        "note": version.note,
        "created_at": version.created_at,
        "sections": list(inspection_selectors.checklist_content(version)),
    }
