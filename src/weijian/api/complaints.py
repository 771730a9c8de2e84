"""Complaints and tips (投诉举报): list, read, register (staff), move through the workflow, tie to a
campaign; and the public intake, which needs no login (the same service as the public web form).

Handlers only translate: every read goes through weijian.complaints.selectors, every write through
weijian.complaints.services, whose `complaint_transition` alone changes a complaint's state.
"""

import datetime as dt
import enum
import re
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator

from weijian.complaints import selectors, services
from weijian.complaints.models import Channel, ComplaintCategory, ComplaintState, Satisfaction
from weijian.complaints.workflow import Action
from weijian.core.selectors import division_get
from weijian.registry import selectors as registry_selectors

from .campaigns import invalid, reference, running_campaign
from .schemas import (
    FIRST_DAY,
    LAST_DAY,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    DivisionCode,
    Id,
    InputSchema,
    Page,
    errors,
    text,
)

complaints = Router(tags=["complaints"])

# Every domain's workflow names its actions `Action`: give this one its own name in the OpenAPI document.
ComplaintAction = enum.StrEnum("ComplaintAction", {action.name: action.value for action in Action})


def _iso_moment(value):
    # As for dates: an ISO 8601 string only, never a number read as a Unix timestamp.
    if not isinstance(value, str | dt.datetime) or (
        isinstance(value, str)
        and not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", value)
    ):
        raise ValueError("a moment is written YYYY-MM-DDTHH:MM[:SS][±HH:MM]")
    return value


def _plausible_moment(moment: dt.datetime) -> dt.datetime:
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValueError(f"the moment must fall between {FIRST_DAY} and {LAST_DAY}")
    return moment


Moment = Annotated[dt.datetime, BeforeValidator(_iso_moment), AfterValidator(_plausible_moment)]


class ComplaintOut(Schema):
    id: int
    number: str = Field(description="e.g. TS2026-000123")
    channel: Channel
    received_at: dt.datetime
    received_on: dt.date
    anonymous: bool
    complainant_name: str
    complainant_phone: str
    complainant_email: str
    institution: int | None = Field(None, description="Id of the registered institution complained about")
    subject_name: str = Field(description="Who or what it is about, as the complainant named it")
    subject_address: str
    division: str = Field(description="12-digit division code")
    division_name: str
    category: str = Field(description="Code of the complaint category")
    category_name: str
    campaign: int | None
    content: str
    state: ComplaintState
    received_by: int = Field(description="Id of the organisation that received it")
    handling_organisation: int = Field(description="Id of the organisation handling it now")
    handling_organisation_name: str
    handler: int | None = Field(None, description="Id of the handling user")
    reply_due: dt.date
    overdue: bool = Field(description="Not replied to and past the reply deadline today")
    on_site_checked_on: dt.date | None
    substantiated: bool | None
    result: str
    handled_on: dt.date | None
    reply: str
    replied_on: dt.date | None
    replied_late: bool | None = Field(None, description="Whether the reply came after the deadline")
    satisfaction: Satisfaction | None

    @staticmethod
    def resolve_institution(complaint) -> int | None:
        return complaint.institution_id

    @staticmethod
    def resolve_division(complaint) -> str:
        return complaint.division_id

    @staticmethod
    def resolve_division_name(complaint) -> str:
        return complaint.division.name

    @staticmethod
    def resolve_category(complaint) -> str:
        return complaint.category_id

    @staticmethod
    def resolve_category_name(complaint) -> str:
        return complaint.category.name

    @staticmethod
    def resolve_campaign(complaint) -> int | None:
        return complaint.campaign_id

    @staticmethod
    def resolve_received_by(complaint) -> int:
        return complaint.received_by_id

    @staticmethod
    def resolve_handling_organisation(complaint) -> int:
        return complaint.handling_organisation_id

    @staticmethod
    def resolve_handling_organisation_name(complaint) -> str:
        return complaint.handling_organisation.name

    @staticmethod
    def resolve_handler(complaint) -> int | None:
        return complaint.handler_id

    @staticmethod
    def resolve_overdue(complaint) -> bool:
        return selectors.is_overdue(complaint, timezone.localdate())

    @staticmethod
    def resolve_satisfaction(complaint) -> str | None:
        return complaint.satisfaction or None


class ComplaintEventOut(Schema):
    action: ComplaintAction
    from_state: ComplaintState
    to_state: ComplaintState
    actor: str | None = Field(None, description="Username of the user who applied the action")
    at: dt.datetime
    note: str

    @staticmethod
    def resolve_actor(event) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class ComplaintDetailOut(ComplaintOut):
    events: list[ComplaintEventOut] = Field(description="The applied transitions, oldest first")
    available_actions: list[ComplaintAction] = Field(description="What the calling user may do to it now")
    cases: list[int] = Field(description="Ids of the cases opened from it that the user may see")

    # The events and cases belong to the complaint the selector has just shown the user.
    @staticmethod
    def resolve_events(complaint) -> list:
        return list(complaint.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_available_actions(complaint, context) -> list[str]:
        return selectors.complaint_actions(context["request"].auth, complaint)

    @staticmethod
    def resolve_cases(complaint, context) -> list[int]:
        user = context["request"].auth
        if not user.has_perm("enforcement.view_case"):
            return []
        return list(complaint.cases.visible_to(user).order_by("pk").values_list("pk", flat=True))


class RegisteredOut(ComplaintDetailOut):
    tracking_key: str = Field(description="Give it to the complainant: shown this once, kept nowhere")


class ComplaintFilters(Schema):
    state: ComplaintState | None = None
    category: text(40) = Field("", description="Code of the complaint category")
    overdue: bool = Field(False, description="Only those past their reply deadline")
    campaign: Id | None = None
    q: text(100) = Field("", description="Number, subject, institution, complainant or content")
    today: Day | None = Field(
        None, description="The day to count deadlines from; the server's today if absent"
    )


class _ComplaintFields(InputSchema):
    division: DivisionCode = Field(description="12-digit code of the county or township concerned")
    category: text(40, min_length=1) = Field(description="Code of the complaint category")
    content: text(5000, min_length=1)
    subject_name: text(200) = Field("", description="Who or what the complaint is about")
    subject_address: text(200) = ""
    anonymous: bool = Field(False, description="An anonymous complaint keeps no contact details")
    complainant_name: text(50) = ""
    complainant_phone: text(30) = Field("", description="A phone or an email is needed unless anonymous")
    complainant_email: text(100) = ""


class ComplaintIn(_ComplaintFields):
    channel: Channel
    received_at: Moment | None = Field(None, description="ISO 8601; now when absent")
    institution: Id | None = Field(None, description="The registered institution complained about")
    campaign: Id | None = None


class PublicComplaintIn(_ComplaintFields):
    """A complaint from a member of the public; the health commission of the division receives it."""


class PublicReceiptOut(Schema):
    number: str = Field(description="Quote it to follow the complaint")
    tracking_key: str = Field(description="With the number, lets the complainant follow the complaint")
    received_on: dt.date
    reply_due: dt.date


class ComplaintActionIn(InputSchema):
    """An action and the data its row of the workflow requires or accepts; only fields sent are passed:
    assign (handler), transfer (to_organisation), handle (substantiated, result; handled_on,
    on_site_checked_on), reply (reply; replied_on), rate (satisfaction)."""

    action: ComplaintAction
    note: text(2000) = Field("", description="Free text recorded with the step")
    handler: Id | None = Field(None, description="assign: id of a user of the handling organisation")
    to_organisation: Id | None = Field(None, description="transfer: id of the organisation taking it over")
    substantiated: bool | None = Field(None, description="handle")
    result: text(5000) = Field("", description="handle")
    handled_on: Day | None = Field(None, description="handle (today when absent)")
    on_site_checked_on: Day | None = Field(None, description="handle")
    reply: text(5000) = Field("", description="reply")
    replied_on: Day | None = Field(None, description="reply (today when absent)")
    satisfaction: Satisfaction | None = Field(None, description="rate")


class CampaignIn(InputSchema):
    campaign: Id | None = Field(description="The campaign to tie it to; null unties it")


def _category(code: str) -> ComplaintCategory:
    category = ComplaintCategory.objects.filter(pk=code).first()
    if category is None:
        raise invalid("category", _("Unknown complaint category."))
    return category


def _contact(payload: _ComplaintFields) -> dict:
    return {
        "name": payload.complainant_name,
        "phone": payload.complainant_phone,
        "email": payload.complainant_email,
    }


@complaints.get(
    "", response={200: list[ComplaintOut], **errors(*READ_ERRORS)}, summary="Complaints in the user's scope"
)
@paginate(Page)
def complaint_list(request: HttpRequest, filters: Query[ComplaintFilters]):
    return selectors.complaint_list(
        request.auth,
        state=filters.state or "",
        category=filters.category,
        overdue=filters.overdue,
        campaign=filters.campaign,
        query=filters.q,
        today=filters.today or timezone.localdate(),
    )


@complaints.post(
    "", response={201: RegisteredOut, **errors(*WRITE_ERRORS)}, summary="Register a complaint taken by staff"
)
def complaint_register(request: HttpRequest, payload: ComplaintIn):
    user = request.auth
    institution = None
    if payload.institution is not None:
        institution = reference("institution", registry_selectors.institution_get, user, payload.institution)
    complaint = services.complaint_register(
        user=user,
        channel=payload.channel,
        received_at=payload.received_at,
        division=reference("division", division_get, user, payload.division),
        category=_category(payload.category),
        content=payload.content,
        subject_name=payload.subject_name,
        subject_address=payload.subject_address,
        institution=institution,
        anonymous=payload.anonymous,
        campaign=running_campaign(user, "campaign", payload.campaign) if payload.campaign else None,
        **_contact(payload),
    )
    registered = selectors.complaint_get(user, complaint.pk)
    registered.tracking_key = complaint.tracking_key
    return Status(201, registered)


@complaints.post(
    "/public",
    auth=None,
    response={201: PublicReceiptOut, **errors(400, 422)},
    summary="Send a complaint as a member of the public (no login)",
)
def complaint_submit_public(request: HttpRequest, payload: PublicComplaintIn):
    division = selectors.public_divisions().filter(code=payload.division).first()
    if division is None:
        raise invalid("division", _("Choose a county or a township of this platform."))
    complaint = services.complaint_submit_public(
        division=division,
        category=_category(payload.category),
        content=payload.content,
        subject_name=payload.subject_name,
        subject_address=payload.subject_address,
        anonymous=payload.anonymous,
        **_contact(payload),
    )
    return Status(
        201,
        {
            "number": complaint.number,
            "tracking_key": complaint.tracking_key,
            "received_on": complaint.received_on,
            "reply_due": complaint.reply_due,
        },
    )


@complaints.get(
    "/{id}",
    response={200: ComplaintDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One complaint with its events and the actions the user may take now",
)
def complaint_get(request: HttpRequest, id: Id):
    return selectors.complaint_get(request.auth, id)


@complaints.post(
    "/{id}/actions",
    response={200: ComplaintDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Apply a workflow action (assign, transfer, start the check, handle, reply, rate)",
)
def complaint_action(request: HttpRequest, id: Id, payload: ComplaintActionIn):
    user = request.auth
    services.complaint_transition(user=user, complaint_id=id, **payload.model_dump(exclude_unset=True))
    return selectors.complaint_get(user, id)


@complaints.post(
    "/{id}/campaign",
    response={200: ComplaintDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Tie the complaint to a campaign (or untie it) while it is being triaged",
)
def complaint_campaign(request: HttpRequest, id: Id, payload: CampaignIn):
    user = request.auth
    campaign = running_campaign(user, "campaign", payload.campaign) if payload.campaign is not None else None
    services.complaint_set_campaign(user=user, complaint_id=id, campaign=campaign)
    return selectors.complaint_get(user, id)
