"""Inspections with their answers, and random sampling draws (双随机).

Handlers only translate: references are resolved through scoped selectors, every read goes through
weijian.inspections.selectors and every write through weijian.inspections.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from weijian.core.errors import NotVisible
from weijian.core.models import User
from weijian.core.selectors import users_visible_to
from weijian.inspections import selectors, services
from weijian.inspections.models import ChecklistItem, InspectionKind, InspectionStatus
from weijian.registry import selectors as registry_selectors

from .campaigns import decimal_string, invalid, reference, running_campaign
from .schemas import READ_ERRORS, WRITE_ERRORS, Day, Id, InputSchema, Page, errors, text

inspections = Router(tags=["inspections"])
sampling_draws = Router(tags=["sampling draws"])

# The Answer.number column: 14 digits, 2 after the point.
AnswerNumber = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]
AnswerText = text(5000)
Seed = Annotated[int, Field(ge=-(2**63), le=2**63 - 1, description="Any 64-bit integer")]


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# --- inspections ----------------------------------------------------------------------------------


class InspectionOut(Schema):
    id: int
    campaign: int
    campaign_name: str
    institution: int
    institution_name: str
    kind: InspectionKind
    status: InspectionStatus
    checklist_version: int
    checklist: str = Field(description="Code of the checklist")
    inspected_on: dt.date
    team: list[int] = Field(description="Ids of the users on the inspection team")
    unit_head_name: str
    unit_head_signed_at: dt.datetime | None
    submitted_by: str | None = Field(None, description="Username of the user who submitted it")
    submitted_at: dt.datetime | None
    summary: str

    @staticmethod
    def resolve_campaign(inspection) -> int:
        return inspection.campaign_id

    @staticmethod
    def resolve_campaign_name(inspection) -> str:
        return inspection.campaign.name

    @staticmethod
    def resolve_institution(inspection) -> int:
        return inspection.institution_id

    @staticmethod
    def resolve_institution_name(inspection) -> str:
        return inspection.institution.organisation.name

    @staticmethod
    def resolve_checklist_version(inspection) -> int:
        return inspection.checklist_version_id

    @staticmethod
    def resolve_checklist(inspection) -> str:
        return inspection.checklist_version.checklist.code

    @staticmethod
    def resolve_team(inspection) -> list[int]:
        return sorted(user.pk for user in inspection.team.all())

    @staticmethod
    def resolve_submitted_by(inspection) -> str | None:
        return _username(inspection.submitted_by)


class AnswerOut(Schema):
    item: int = Field(description="Id of the checklist item")
    found: bool | None = Field(None, description="未发现 is false; none for number and text items")
    number: str | None = Field(None, description="Decimal string, for number items")
    text: str
    evidence: str = Field(description="Name of the evidence file, empty when there is none")

    @staticmethod
    def resolve_item(answer) -> int:
        return answer.item_id

    @staticmethod
    def resolve_number(answer) -> str | None:
        return decimal_string(answer.number)

    @staticmethod
    def resolve_evidence(answer) -> str:
        return answer.evidence.name or ""


class InspectionDetailOut(InspectionOut):
    answers: list[AnswerOut] = Field(description="In the order of the checklist items")

    @staticmethod
    def resolve_answers(inspection) -> list:
        answers = selectors.inspection_answers(inspection)
        return [answers[pk] for pk in sorted(answers)]


class InspectionFilters(Schema):
    campaign: Id | None = None
    institution: Id | None = None
    kind: InspectionKind | None = None
    status: InspectionStatus | None = None


class InspectionIn(InputSchema):
    campaign: Id
    institution: Id
    kind: InspectionKind
    checklist_version: Id = Field(description="The newest version of its checklist")
    inspected_on: Day
    team: list[Id] = Field(
        default_factory=list,
        max_length=20,
        description="User ids; an on-site inspection defaults to the caller alone",
    )


class AnswerIn(InputSchema):
    found: bool | None = Field(None, description="For found and yes/no items")
    number: AnswerNumber | None = Field(None, description="For number items")
    text: AnswerText = Field("", description="What was found, or the answer of a text item")


class SubmitIn(InputSchema):
    unit_head_name: text(50, min_length=1) = Field(description="The inspected unit's head, who signs")


def _team(user, ids: list[int]) -> list[User]:
    users = list(users_visible_to(user).filter(pk__in=set(ids)))
    if len(users) != len(set(ids)):
        raise invalid("team", _("Unknown or inactive users."))
    return users


@inspections.get(
    "",
    response={200: list[InspectionOut], **errors(*READ_ERRORS)},
    summary="Inspections in the user's scope",
)
@paginate(Page)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]):
    return selectors.inspection_list(
        request.auth,
        campaign=filters.campaign,
        institution=filters.institution,
        kind=filters.kind or "",
        status=filters.status or "",
    ).prefetch_related("team")


@inspections.post(
    "",
    response={201: InspectionDetailOut, **errors(*WRITE_ERRORS)},
    summary="Start a self- or on-site inspection",
)
def inspection_start(request: HttpRequest, payload: InspectionIn):
    user = request.auth
    inspection = services.inspection_start(
        user=user,
        campaign=running_campaign(user, "campaign", payload.campaign),
        institution=reference("institution", registry_selectors.institution_get, user, payload.institution),
        kind=payload.kind,
        checklist_version=reference(
            "checklist_version", selectors.checklist_version_get, payload.checklist_version
        ),
        inspected_on=payload.inspected_on,
        team=_team(user, payload.team),
    )
    return Status(201, selectors.inspection_get(user, inspection.pk))


@inspections.get(
    "/{id}",
    response={200: InspectionDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One inspection with its answers",
)
def inspection_get(request: HttpRequest, id: Id):
    return selectors.inspection_get(request.auth, id)


@inspections.put(
    "/{id}/answers/{item_id}",
    response={200: AnswerOut, **errors(*WRITE_ERRORS)},
    summary="Answer one checklist item of a draft inspection",
)
def inspection_answer(request: HttpRequest, id: Id, item_id: Id, payload: AnswerIn):
    user = request.auth
    inspection = selectors.inspection_get(user, id)
    # Checklist items are reference data; the service checks the item is on this inspection's list.
    item = ChecklistItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotVisible()
    return services.inspection_answer(
        user=user,
        inspection=inspection,
        item=item,
        found=payload.found,
        number=payload.number,
        text=payload.text,
    )


@inspections.post(
    "/{id}/submit",
    response={200: InspectionDetailOut, **errors(*WRITE_ERRORS)},
    summary="Submit a draft inspection, signed by the inspected unit's head",
)
def inspection_submit(request: HttpRequest, id: Id, payload: SubmitIn):
    user = request.auth
    services.inspection_submit(
        user=user, inspection=selectors.inspection_get(user, id), unit_head_name=payload.unit_head_name
    )
    return selectors.inspection_get(user, id)


# --- sampling draws -------------------------------------------------------------------------------


class SamplingDrawOut(Schema):
    id: int
    campaign: int
    campaign_name: str
    seed: int
    inputs: dict[str, Any] = Field(
        description="institutions (class → ids), counts (class → n), inspectors (user ids), team_size"
    )
    result: list[dict[str, Any]] = Field(description="In draw order: {institution, class, inspectors}")
    drawn_at: dt.datetime
    drawn_by: str | None = Field(None, description="Username; none for a system run")
    published_at: dt.datetime | None

    @staticmethod
    def resolve_campaign(draw) -> int:
        return draw.campaign_id

    @staticmethod
    def resolve_campaign_name(draw) -> str:
        return draw.campaign.name

    @staticmethod
    def resolve_drawn_by(draw) -> str | None:
        return _username(draw.drawn_by)


class RerunOut(Schema):
    stored: list[dict[str, Any]]
    rerun: list[dict[str, Any]]
    equal: bool = Field(description="Whether re-running the stored inputs and seed gives the stored result")


class SamplingDrawFilters(Schema):
    campaign: Id | None = None


class SamplingDrawIn(InputSchema):
    campaign: Id
    seed: Seed
    team_size: int = Field(2, ge=0, le=50, description="Inspectors per drawn institution")


@sampling_draws.get(
    "",
    response={200: list[SamplingDrawOut], **errors(*READ_ERRORS)},
    summary="Sampling draws in the user's scope",
)
@paginate(Page)
def sampling_draw_list(request: HttpRequest, filters: Query[SamplingDrawFilters]):
    return selectors.sampling_draw_list(request.auth, campaign=filters.campaign).order_by("-drawn_at", "-pk")


@sampling_draws.post(
    "",
    response={201: SamplingDrawOut, **errors(*WRITE_ERRORS)},
    summary="Draw institutions and inspection teams at random, and record the draw",
)
def sampling_draw(request: HttpRequest, payload: SamplingDrawIn):
    user = request.auth
    draw = services.sampling_draw(
        user=user,
        campaign=running_campaign(user, "campaign", payload.campaign),
        seed=payload.seed,
        team_size=payload.team_size,
    )
    return Status(201, selectors.sampling_draw_get(user, draw.pk))


@sampling_draws.get(
    "/{id}", response={200: SamplingDrawOut, **errors(*READ_ERRORS, 404)}, summary="One sampling draw"
)
def sampling_draw_get(request: HttpRequest, id: Id):
    return selectors.sampling_draw_get(request.auth, id)


@sampling_draws.get(
    "/{id}/rerun",
    response={200: RerunOut, **errors(*READ_ERRORS, 404)},
    summary="Re-run a draw from its stored inputs and seed, to check it",
)
def sampling_draw_rerun(request: HttpRequest, id: Id):
    draw = selectors.sampling_draw_get(request.auth, id)
    rerun = services.sampling_rerun(draw)
    return {"stored": draw.result, "rerun": rerun, "equal": rerun == draw.result}


@sampling_draws.post(
    "/{id}/publish",
    response={200: SamplingDrawOut, **errors(*WRITE_ERRORS)},
    summary="Publish a draw (一公开)",
)
def sampling_draw_publish(request: HttpRequest, id: Id):
    user = request.auth
    services.sampling_publish(user=user, draw=selectors.sampling_draw_get(user, id))
    return selectors.sampling_draw_get(user, id)
