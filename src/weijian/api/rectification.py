"""Hazards and their closed-loop rectification: record, list, read, move through the workflow.

Handlers only translate: every read goes through weijian.rectification.selectors, every change of
state through services.hazard_transition, which applies one row of rectification.workflow.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from weijian.campaigns.models import ViolationCategory
from weijian.inspections import selectors as inspection_selectors
from weijian.rectification import selectors, services
from weijian.rectification.models import HazardLevel, HazardSource, HazardState
from weijian.rectification.workflow import Action
from weijian.registry import selectors as registry_selectors

from .campaigns import decimal_string, invalid, reference, running_campaign
from .schemas import READ_ERRORS, WRITE_ERRORS, Day, Id, InputSchema, Page, errors, text

hazards = Router(tags=["hazards"])

# The Hazard.funding column: 14 digits, 2 after the point, in yuan.
Funding = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]


class HazardOut(Schema):
    id: int
    institution: int
    institution_name: str
    campaign: int | None
    inspection: int | None
    source: HazardSource
    location: str
    category: str = Field(description="Code of the violation category")
    category_name: str
    level: HazardLevel
    description: str
    found_on: dt.date
    state: HazardState
    report_due: dt.date | None = Field(None, description="The written rectification report is due")
    due: dt.date | None = Field(None, description="When the hazard's next step is due")
    responsible_person: str
    measures: str
    funding: str | None = Field(None, description="Decimal string, in yuan")
    deadline: dt.date | None
    contingency_plan: str
    completion_evidence: str
    closed_on: dt.date | None

    @staticmethod
    def resolve_institution(hazard) -> int:
        return hazard.institution_id

    @staticmethod
    def resolve_institution_name(hazard) -> str:
        return hazard.institution.organisation.name

    @staticmethod
    def resolve_campaign(hazard) -> int | None:
        return hazard.campaign_id

    @staticmethod
    def resolve_inspection(hazard) -> int | None:
        return hazard.inspection_id

    @staticmethod
    def resolve_category(hazard) -> str:
        return hazard.category_id

    @staticmethod
    def resolve_category_name(hazard) -> str:
        return hazard.category.name

    @staticmethod
    def resolve_due(hazard) -> dt.date | None:
        return selectors.due_date(hazard)

    @staticmethod
    def resolve_funding(hazard) -> str | None:
        return decimal_string(hazard.funding)


class HazardEventOut(Schema):
    action: Action
    from_state: HazardState
    to_state: HazardState
    actor: str | None = Field(None, description="Username of the user who applied the action")
    at: dt.datetime
    note: str

    @staticmethod
    def resolve_actor(event) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class HazardDetailOut(HazardOut):
    events: list[HazardEventOut] = Field(description="The applied transitions, oldest first")
    available_actions: list[Action] = Field(description="What the calling user may do to it now")

    # The events are part of the hazard the selector has just shown the user.
    @staticmethod
    def resolve_events(hazard) -> list:
        return list(hazard.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_available_actions(hazard, context) -> list[str]:
        return selectors.available_actions(context["request"].auth, hazard)


class TodoOut(Schema):
    awaiting: list[HazardOut] = Field(description="Waiting for an action the user may take")
    due_soon: list[HazardOut] = Field(description="Due within three working days")
    overdue: list[HazardOut]


class HazardFilters(Schema):
    campaign: Id | None = None
    state: HazardState | None = None
    level: HazardLevel | None = None
    institution: Id | None = None


class TodayFilter(Schema):
    today: Day | None = Field(None, description="The day to count from; the server's today if absent")


class HazardIn(InputSchema):
    institution: Id
    category: text(40, min_length=1) = Field(description="Code of the violation category")
    level: HazardLevel
    description: text(5000, min_length=1)
    source: HazardSource
    found_on: Day
    campaign: Id | None = None
    inspection: Id | None = Field(None, description="The inspection that found it (sets the campaign)")
    location: text(100) = ""


class TransitionIn(InputSchema):
    """An action and the data its row of the workflow requires or accepts; only fields sent are passed."""

    action: Action
    note: text(2000) = Field("", description="Free text recorded with the step")
    responsible_person: text(50) = Field("", description="plan: 责任")
    measures: text(5000) = Field("", description="plan: 措施")
    funding: Funding | None = Field(None, description="plan: 资金, in yuan (a decimal string or number)")
    deadline: Day | None = Field(None, description="plan: 时限")
    contingency_plan: text(5000) = Field("", description="plan: 预案")
    completion_evidence: text(5000) = Field("", description="complete: what was done")
    reason: text(2000) = Field("", description="verify_fail: why the re-inspection failed")
    closed_on: Day | None = Field(None, description="close: the day it was closed out (default today)")


def _today(filters: TodayFilter) -> dt.date:
    return filters.today or timezone.localdate()


@hazards.get(
    "", response={200: list[HazardOut], **errors(*READ_ERRORS)}, summary="Hazards in the user's scope"
)
@paginate(Page)
def hazard_list(request: HttpRequest, filters: Query[HazardFilters]):
    return selectors.hazard_list(
        request.auth,
        campaign=filters.campaign,
        institution=filters.institution,
        state=filters.state or "",
        level=filters.level or "",
    )


@hazards.post("", response={201: HazardDetailOut, **errors(*WRITE_ERRORS)}, summary="Record a hazard")
def hazard_create(request: HttpRequest, payload: HazardIn):
    user = request.auth
    category = ViolationCategory.objects.filter(pk=payload.category).first()
    if category is None:
        raise invalid("category", _("Unknown violation category."))
    inspection = None
    if payload.inspection is not None:
        inspection = reference("inspection", inspection_selectors.inspection_get, user, payload.inspection)
    hazard = services.hazard_create(
        user=user,
        institution=reference("institution", registry_selectors.institution_get, user, payload.institution),
        category=category,
        level=payload.level,
        description=payload.description,
        source=payload.source,
        found_on=payload.found_on,
        campaign=running_campaign(user, "campaign", payload.campaign) if payload.campaign else None,
        inspection=inspection,
        location=payload.location,
    )
    return Status(201, selectors.hazard_get(user, hazard.pk))


@hazards.get(
    "/overdue",
    response={200: list[HazardOut], **errors(*READ_ERRORS)},
    summary="Hazards past their report or rectification deadline",
)
@paginate(Page)
def hazard_overdue(request: HttpRequest, filters: Query[TodayFilter]):
    return selectors.overdue_hazards(request.auth, _today(filters))


@hazards.get(
    "/todo", response={200: TodoOut, **errors(*READ_ERRORS)}, summary="The user's to-do list of hazards"
)
def hazard_todo(request: HttpRequest, filters: Query[TodayFilter]):
    return selectors.todo_for(request.auth, _today(filters))


@hazards.get(
    "/{id}",
    response={200: HazardDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One hazard with its events and the actions the user may take now",
)
def hazard_get(request: HttpRequest, id: Id):
    return selectors.hazard_get(request.auth, id)


@hazards.post(
    "/{id}/transitions",
    response={200: HazardDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Apply a workflow action (list, plan, start, complete, verify, close, look back)",
)
def hazard_transition(request: HttpRequest, id: Id, payload: TransitionIn):
    user = request.auth
    data = payload.model_dump(exclude_unset=True)
    services.hazard_transition(user=user, hazard_id=id, **data)
    return selectors.hazard_get(user, id)
