"""Enforcement: the case ledger and its workflow, on-site checks, referrals between organisations,
transfers to the police or judiciary (行刑衔接) and the blacklist.

Handlers only translate: references are resolved through scoped selectors, every read goes through
weijian.enforcement.selectors, every write through weijian.enforcement.services (which alone change
states, by the tables of weijian.enforcement.workflow).
"""

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from weijian.campaigns.models import ViolationCategory
from weijian.complaints import selectors as complaint_selectors
from weijian.core.errors import NotVisible
from weijian.core.models import Organisation
from weijian.core.selectors import division_get
from weijian.enforcement import selectors, services
from weijian.enforcement.models import (
    CaseSource,
    CaseState,
    JudicialTransferState,
    PenaltyKind,
    Procedure,
    ReferralState,
    SubjectType,
    VenueType,
)
from weijian.enforcement.workflow import Action, ReplyAction, reply_actions_from
from weijian.inspections import selectors as inspection_selectors
from weijian.registry import selectors as registry_selectors

from .campaigns import decimal_string, invalid, reference, running_campaign
from .schemas import READ_ERRORS, WRITE_ERRORS, Day, DivisionCode, Id, InputSchema, Page, errors, text

cases = Router(tags=["cases"])
site_checks = Router(tags=["site checks"])
referrals = Router(tags=["referrals"])
judicial_transfers = Router(tags=["judicial transfers"])
blacklist = Router(tags=["blacklist"])

# Every domain's workflow names its actions `Action`: give this one its own name in the OpenAPI document.
CaseAction = enum.StrEnum("CaseAction", {action.name: action.value for action in Action})

# Yuan with at most two decimals, written as a string so no float ever carries money.
Amount = Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,2})?$")]


# --- the subject every record names -----------------------------------------------------------------


class SubjectOut(Schema):
    subject_name: str
    subject_type: SubjectType = Field(description="Counted as an organisation (机构) or a person (人员)")
    institution: int | None = Field(None, description="Id of the registered institution")
    practitioner: int | None = Field(None, description="Id of the registered practitioner")
    party_name: str = Field(description="A party the registry does not know")
    party_is_person: bool
    party_id_number: str = Field(description="ID number or unified social credit code, when known")
    party_address: str
    venue_type: VenueType | None
    division: str = Field(description="12-digit code of the division the subject counts in")
    division_name: str

    @staticmethod
    def resolve_institution(record) -> int | None:
        return record.institution_id

    @staticmethod
    def resolve_practitioner(record) -> int | None:
        return record.practitioner_id

    @staticmethod
    def resolve_venue_type(record) -> str | None:
        return record.venue_type or None

    @staticmethod
    def resolve_division(record) -> str:
        return record.division_id

    @staticmethod
    def resolve_division_name(record) -> str:
        return record.division.name


class SubjectIn(InputSchema):
    """Name exactly one of institution, practitioner or party_name (a party needs its division); a
    record opened from another record may name none and take that record's subject."""

    institution: Id | None = None
    practitioner: Id | None = None
    party_name: text(200) = ""
    party_is_person: bool = False
    party_id_number: text(18) = ""
    party_address: text(200) = ""
    venue_type: VenueType | None = None
    division: DivisionCode | None = Field(None, description="Where a party was found (12-digit code)")


def _subject(user, payload: SubjectIn) -> dict[str, Any]:
    """The subject fields of a request as the services take them, references resolved in scope."""
    institution = practitioner = division = None
    if payload.institution is not None:
        institution = reference("institution", registry_selectors.institution_get, user, payload.institution)
    if payload.practitioner is not None:
        practitioner = reference(
            "practitioner", registry_selectors.practitioner_get, user, payload.practitioner
        )
    if payload.division is not None:
        division = reference("division", division_get, user, payload.division)
    return {
        "institution": institution,
        "practitioner": practitioner,
        "party_name": payload.party_name,
        "party_is_person": payload.party_is_person,
        "party_id_number": payload.party_id_number,
        "party_address": payload.party_address,
        "venue_type": payload.venue_type or "",
        "division": division,
    }


def _category(code: str) -> ViolationCategory:
    category = ViolationCategory.objects.filter(pk=code).first()
    if category is None:
        raise invalid("category", _("Unknown violation category."))
    return category


def _campaign(user, pk: int | None):
    return running_campaign(user, "campaign", pk) if pk is not None else None


def _organisation(user, field: str, pk: int | None) -> Organisation | None:
    """An organisation of the user's area, named by id."""
    if pk is None:
        return None
    organisation = Organisation.objects.visible_to(user).filter(pk=pk).first()
    if organisation is None:
        raise invalid(field, _("Unknown organisation, or outside your area."))
    return organisation


def _case(user, field: str, pk: int | None):
    return reference(field, selectors.case_get, user, pk) if pk is not None else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# --- cases ------------------------------------------------------------------------------------------


class PenaltyOut(Schema):
    id: int
    kind: PenaltyKind
    amount: str | None = Field(None, description="Decimal string, in yuan")
    description: str
    subject_type: SubjectType = Field(description="Whether an organisation or a person is penalised")
    practitioner: int | None
    decided_on: dt.date

    @staticmethod
    def resolve_amount(penalty) -> str | None:
        return decimal_string(penalty.amount)

    @staticmethod
    def resolve_practitioner(penalty) -> int | None:
        return penalty.practitioner_id


class CaseEventOut(Schema):
    action: CaseAction
    from_state: CaseState
    to_state: CaseState
    actor: str | None = Field(None, description="Username of the user who applied the action")
    at: dt.datetime
    note: str

    @staticmethod
    def resolve_actor(event) -> str | None:
        return _username(event.actor)


class CaseOut(SubjectOut):
    id: int
    number: str = Field(description="e.g. 卫监0007〔2026〕00012号")
    organisation: int = Field(description="Id of the handling organisation")
    organisation_name: str
    handler: int | None = Field(None, description="Id of the handling user")
    campaign: int | None
    source: CaseSource
    inspection: int | None
    complaint: int | None
    referral: int | None
    category: str = Field(description="Code of the violation category")
    category_name: str
    title: str
    facts: str
    law_violated: str
    penalty_basis: str
    procedure: Procedure | None = Field(None, description="Chosen when the case is filed")
    state: CaseState
    opened_on: dt.date
    filed_on: dt.date | None
    decided_on: dt.date | None
    closed_on: dt.date | None
    is_typical: bool
    narrative: str

    @staticmethod
    def resolve_organisation(case) -> int:
        return case.organisation_id

    @staticmethod
    def resolve_organisation_name(case) -> str:
        return case.organisation.name

    @staticmethod
    def resolve_handler(case) -> int | None:
        return case.handler_id

    @staticmethod
    def resolve_campaign(case) -> int | None:
        return case.campaign_id

    @staticmethod
    def resolve_inspection(case) -> int | None:
        return case.inspection_id

    @staticmethod
    def resolve_complaint(case) -> int | None:
        return case.complaint_id

    @staticmethod
    def resolve_referral(case) -> int | None:
        return case.referral_id

    @staticmethod
    def resolve_category(case) -> str:
        return case.category_id

    @staticmethod
    def resolve_category_name(case) -> str:
        return case.category.name

    @staticmethod
    def resolve_procedure(case) -> str | None:
        return case.procedure or None


class CaseDetailOut(CaseOut):
    penalties: list[PenaltyOut] = Field(description="The measures of the penalty decision")
    events: list[CaseEventOut] = Field(description="The applied transitions, oldest first")
    available_actions: list[CaseAction] = Field(description="What the calling user may do to it now")

    # The penalties and events belong to the case the selector has just shown the user.
    @staticmethod
    def resolve_penalties(case) -> list:
        return list(case.penalties.order_by("id"))

    @staticmethod
    def resolve_events(case) -> list:
        return list(case.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_available_actions(case, context) -> list[str]:
        actions = [row.action for row in selectors.case_actions(context["request"].auth, case)]
        return list(dict.fromkeys(actions))


class CaseFilters(Schema):
    state: CaseState | None = None
    campaign: Id | None = None
    category: text(40) = Field("", description="Code of the violation category")
    source: CaseSource | None = None
    typical: bool | None = Field(None, description="Only typical cases (true) or only the others (false)")
    q: text(100) = Field("", description="Case number, title or subject (a registered one also by pinyin)")


class CaseIn(SubjectIn):
    category: text(40, min_length=1) = Field(description="Code of the violation category")
    title: text(200, min_length=1)
    source: CaseSource
    opened_on: Day = Field(description="The day the lead was recorded")
    campaign: Id | None = None
    inspection: Id | None = Field(None, description="The inspection that found it (source inspection)")
    complaint: Id | None = Field(None, description="The complaint it comes from (source complaint)")
    referral: Id | None = Field(None, description="The accepted referral it comes from (source referral)")
    facts: text(5000) = ""


class PenaltyIn(InputSchema):
    kind: PenaltyKind
    amount: Amount | None = Field(None, description="Fines and confiscations: yuan as a decimal string")
    description: text(200) = ""
    on_person: bool | None = Field(
        None, description="Whether a person is penalised; the case's subject type when absent"
    )
    practitioner: Id | None = Field(None, description="The registered practitioner penalised, if any")


class CaseActionIn(InputSchema):
    """An action and the data its row of the workflow requires or accepts; only fields sent are passed:
    drop (reason), file (procedure, filed_on), decide (decided_on, facts, law_violated, penalty_basis,
    penalties), close (closed_on), hand_over (to_organisation; facts, sent_on)."""

    action: CaseAction
    note: text(2000) = Field("", description="Free text recorded with the step")
    reason: text(2000) = Field("", description="drop: why the lead is not filed")
    procedure: Procedure | None = Field(None, description="file: summary or general procedure")
    filed_on: Day | None = Field(None, description="file")
    decided_on: Day | None = Field(None, description="decide")
    facts: text(5000) = Field("", description="decide: the illegal facts; hand_over: facts sent")
    law_violated: text(5000) = Field("", description="decide")
    penalty_basis: text(5000) = Field("", description="decide")
    penalties: list[PenaltyIn] = Field(default_factory=list, max_length=50, description="decide")
    closed_on: Day | None = Field(None, description="close")
    to_organisation: Id | None = Field(None, description="hand_over: id of the receiving organisation")
    sent_on: Day | None = Field(None, description="hand_over (today when absent)")


class TypicalIn(InputSchema):
    typical: bool = Field(True, description="false takes the mark away")
    narrative: text(10000) = Field("", description="Required to mark a case typical")


def _penalty(user, index: int, item: dict[str, Any]) -> dict[str, Any]:
    penalty: dict[str, Any] = {"kind": item["kind"], "description": item.get("description", "")}
    if item.get("amount") is not None:
        penalty["amount"] = item["amount"]  # a decimal string; the service makes it a Decimal
    if item.get("on_person") is not None:
        penalty["subject_type"] = SubjectType.PERSON if item["on_person"] else SubjectType.ORGANISATION
    if item.get("practitioner") is not None:
        penalty["practitioner"] = reference(
            f"penalties.{index}.practitioner", registry_selectors.practitioner_get, user, item["practitioner"]
        )
    return penalty


@cases.get(
    "", response={200: list[CaseOut], **errors(*READ_ERRORS)}, summary="The case ledger in the user's scope"
)
@paginate(Page)
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    return selectors.case_list(
        request.auth,
        state=filters.state or "",
        campaign=filters.campaign,
        category=filters.category,
        source=filters.source or "",
        query=filters.q,
        typical=filters.typical,
    )


@cases.post("", response={201: CaseDetailOut, **errors(*WRITE_ERRORS)}, summary="Record a lead (线索)")
def case_create(request: HttpRequest, payload: CaseIn):
    user = request.auth
    links = {}
    if payload.inspection is not None:
        links["inspection"] = reference(
            "inspection", inspection_selectors.inspection_get, user, payload.inspection
        )
    if payload.complaint is not None:
        links["complaint"] = reference(
            "complaint", complaint_selectors.complaint_get, user, payload.complaint
        )
    if payload.referral is not None:
        links["referral"] = reference("referral", selectors.referral_get, user, payload.referral)
    case = services.case_open(
        user=user,
        category=_category(payload.category),
        title=payload.title,
        source=payload.source,
        opened_on=payload.opened_on,
        campaign=_campaign(user, payload.campaign),
        facts=payload.facts,
        **links,
        **_subject(user, payload),
    )
    return Status(201, selectors.case_get(user, case.pk))


@cases.get(
    "/{id}",
    response={200: CaseDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One case with its penalties, events and the actions the user may take now",
)
def case_get(request: HttpRequest, id: Id):
    return selectors.case_get(request.auth, id)


@cases.post(
    "/{id}/actions",
    response={200: CaseDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Apply a workflow action (verify, drop, file, investigate, decide, execute, close, hand over)",
)
def case_action(request: HttpRequest, id: Id, payload: CaseActionIn):
    user = request.auth
    data = payload.model_dump(exclude_unset=True)
    if "penalties" in data:
        data["penalties"] = [_penalty(user, index, item) for index, item in enumerate(data["penalties"])]
    if "to_organisation" in data:
        data["to_organisation"] = _organisation(user, "to_organisation", data["to_organisation"])
    services.case_transition(user=user, case_id=id, **data)
    return selectors.case_get(user, id)


@cases.post(
    "/{id}/typical",
    response={200: CaseDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Mark a decided case as typical (典型案例) with its narrative, or take the mark away",
)
def case_typical(request: HttpRequest, id: Id, payload: TypicalIn):
    user = request.auth
    services.case_mark_typical(user=user, case_id=id, typical=payload.typical, narrative=payload.narrative)
    return selectors.case_get(user, id)


# --- on-site checks ---------------------------------------------------------------------------------


class SiteCheckOut(SubjectOut):
    id: int
    campaign: int
    category: str = Field(description="Code of the violation category")
    category_name: str
    checked_on: dt.date
    inspector: int | None = Field(None, description="Id of the user who recorded it")
    inspection: int | None
    complaint: int | None
    violation_found: bool
    note: str

    @staticmethod
    def resolve_campaign(check) -> int:
        return check.campaign_id

    @staticmethod
    def resolve_category(check) -> str:
        return check.category_id

    @staticmethod
    def resolve_category_name(check) -> str:
        return check.category.name

    @staticmethod
    def resolve_inspector(check) -> int | None:
        return check.inspector_id

    @staticmethod
    def resolve_inspection(check) -> int | None:
        return check.inspection_id

    @staticmethod
    def resolve_complaint(check) -> int | None:
        return check.complaint_id


class CampaignFilter(Schema):
    campaign: Id | None = None


class SiteCheckIn(SubjectIn):
    campaign: Id
    category: text(40, min_length=1) = Field(description="Code of the violation category")
    checked_on: Day
    inspection: Id | None = Field(None, description="The inspection of a registered institution, if any")
    complaint: Id | None = Field(None, description="The complaint that led to the check, if any")
    violation_found: bool = False
    note: text(5000) = ""


def _site_check(user, pk: int):
    """One check, read through the scoped list (the selectors have no reader of a single check)."""
    found = selectors.site_check_list(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    return found


@site_checks.get(
    "",
    response={200: list[SiteCheckOut], **errors(*READ_ERRORS)},
    summary="On-site checks in the user's scope",
)
@paginate(Page)
def site_check_list(request: HttpRequest, filters: Query[CampaignFilter]):
    return selectors.site_check_list(request.auth, campaign=filters.campaign)


@site_checks.post(
    "",
    response={201: SiteCheckOut, **errors(*WRITE_ERRORS)},
    summary="Record an object checked in a campaign",
)
def site_check_create(request: HttpRequest, payload: SiteCheckIn):
    user = request.auth
    links = {}
    if payload.inspection is not None:
        links["inspection"] = reference(
            "inspection", inspection_selectors.inspection_get, user, payload.inspection
        )
    if payload.complaint is not None:
        links["complaint"] = reference(
            "complaint", complaint_selectors.complaint_get, user, payload.complaint
        )
    check = services.site_check_record(
        user=user,
        campaign=running_campaign(user, "campaign", payload.campaign),
        category=_category(payload.category),
        checked_on=payload.checked_on,
        violation_found=payload.violation_found,
        note=payload.note,
        **links,
        **_subject(user, payload),
    )
    return Status(201, _site_check(user, check.pk))


@site_checks.get(
    "/{id}", response={200: SiteCheckOut, **errors(*READ_ERRORS, 404)}, summary="One on-site check"
)
def site_check_get(request: HttpRequest, id: Id):
    return _site_check(request.auth, id)


# --- referrals --------------------------------------------------------------------------------------


class ReferralOut(SubjectOut):
    id: int
    from_organisation: int
    from_organisation_name: str
    to_organisation: int
    to_organisation_name: str
    case: int | None = Field(None, description="Id of the case referred, if any")
    campaign: int | None
    category: str = Field(description="Code of the violation category")
    category_name: str
    facts: str
    sent_on: dt.date
    state: ReferralState
    acknowledged_on: dt.date | None
    decided_on: dt.date | None = Field(None, description="Accepted or declined on")
    outcome: str = Field(description="The outcome, or the reason it was declined")
    outcome_on: dt.date | None

    @staticmethod
    def resolve_from_organisation(referral) -> int:
        return referral.from_organisation_id

    @staticmethod
    def resolve_from_organisation_name(referral) -> str:
        return referral.from_organisation.name

    @staticmethod
    def resolve_to_organisation(referral) -> int:
        return referral.to_organisation_id

    @staticmethod
    def resolve_to_organisation_name(referral) -> str:
        return referral.to_organisation.name

    @staticmethod
    def resolve_case(referral) -> int | None:
        return referral.case_id

    @staticmethod
    def resolve_campaign(referral) -> int | None:
        return referral.campaign_id

    @staticmethod
    def resolve_category(referral) -> str:
        return referral.category_id

    @staticmethod
    def resolve_category_name(referral) -> str:
        return referral.category.name


class ReferralDetailOut(ReferralOut):
    opened_cases: list[int] = Field(description="Ids of the cases opened from it that the user may see")
    available_actions: list[ReplyAction] = Field(description="What the calling user may do to it now")

    @staticmethod
    def resolve_opened_cases(referral, context) -> list[int]:
        user = context["request"].auth
        if not user.has_perm(selectors.VIEW_CASE):
            return []
        return list(referral.opened_cases.visible_to(user).order_by("pk").values_list("pk", flat=True))

    @staticmethod
    def resolve_available_actions(referral, context) -> list[str]:
        if not selectors.may_answer_referral(context["request"].auth, referral):
            return []
        return [row.action for row in reply_actions_from(referral.state)]


class ReferralFilters(Schema):
    direction: Literal["in", "out"] | None = Field(
        None, description="in: sent to the user's organisation; out: sent by it; absent: all visible"
    )


class ReferralIn(SubjectIn):
    to_organisation: Id = Field(description="Id of the receiving organisation")
    category: text(40, min_length=1) = Field(description="Code of the violation category")
    facts: text(5000, min_length=1)
    sent_on: Day
    campaign: Id | None = None
    case: Id | None = Field(None, description="The case referred; its subject is taken when none is named")


class ReplyIn(InputSchema):
    """An answer of the receiving side and its data; only fields sent are passed: acknowledge
    (acknowledged_on), accept (decided_on; open_case and title for a referral), decline (decided_on,
    reason), report_outcome (outcome, outcome_on)."""

    action: ReplyAction
    note: text(2000) = Field("", description="Free text recorded with the step")
    acknowledged_on: Day | None = None
    decided_on: Day | None = None
    open_case: bool | None = Field(None, description="accept a referral: open a case from it at once")
    title: text(200) = Field("", description="accept a referral: the title of the case opened")
    reason: text(2000) = Field("", description="decline")
    outcome: text(5000) = Field("", description="report_outcome")
    outcome_on: Day | None = None


@referrals.get(
    "",
    response={200: list[ReferralOut], **errors(*READ_ERRORS)},
    summary="Referrals sent or received in scope",
)
@paginate(Page)
def referral_list(request: HttpRequest, filters: Query[ReferralFilters]):
    return selectors.referral_list(request.auth, direction=filters.direction or "")


@referrals.post(
    "",
    response={201: ReferralDetailOut, **errors(*WRITE_ERRORS)},
    summary="Pass a lead or a case to another organisation",
)
def referral_create(request: HttpRequest, payload: ReferralIn):
    user = request.auth
    referral = services.referral_send(
        user=user,
        to_organisation=_organisation(user, "to_organisation", payload.to_organisation),
        category=_category(payload.category),
        facts=payload.facts,
        sent_on=payload.sent_on,
        campaign=_campaign(user, payload.campaign),
        case=_case(user, "case", payload.case),
        **_subject(user, payload),
    )
    return Status(201, selectors.referral_get(user, referral.pk))


@referrals.get(
    "/{id}",
    response={200: ReferralDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One referral with the answers the user may give now",
)
def referral_get(request: HttpRequest, id: Id):
    return selectors.referral_get(request.auth, id)


@referrals.post(
    "/{id}/actions",
    response={200: ReferralDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Answer a referral (acknowledge, accept, decline, report the outcome)",
)
def referral_action(request: HttpRequest, id: Id, payload: ReplyIn):
    user = request.auth
    services.referral_transition(user=user, referral_id=id, **payload.model_dump(exclude_unset=True))
    return selectors.referral_get(user, id)


# --- transfers to the police or judiciary -----------------------------------------------------------


class JudicialTransferOut(Schema):
    id: int
    case: int
    case_number: str
    receiving_body: str = Field(description="e.g. 县公安局")
    to_organisation: int | None = Field(None, description="Id of the receiving organisation, when registered")
    evidence: list[str] = Field(description="The evidence handed over, one item each")
    sent_on: dt.date
    state: JudicialTransferState
    acknowledged_on: dt.date | None
    decided_on: dt.date | None = Field(None, description="Accepted or declined on")
    outcome: str = Field(description="The outcome, or the reason it was not accepted")
    outcome_on: dt.date | None
    campaign: int | None
    division: str = Field(description="12-digit division code of the case")
    category: str = Field(description="Code of the violation category")
    subject_type: SubjectType

    @staticmethod
    def resolve_case(transfer) -> int:
        return transfer.case_id

    @staticmethod
    def resolve_case_number(transfer) -> str:
        return transfer.case.number

    @staticmethod
    def resolve_to_organisation(transfer) -> int | None:
        return transfer.to_organisation_id

    @staticmethod
    def resolve_campaign(transfer) -> int | None:
        return transfer.campaign_id

    @staticmethod
    def resolve_division(transfer) -> str:
        return transfer.division_id

    @staticmethod
    def resolve_category(transfer) -> str:
        return transfer.category_id


class JudicialTransferDetailOut(JudicialTransferOut):
    available_actions: list[ReplyAction] = Field(description="What the calling user may record now")

    @staticmethod
    def resolve_available_actions(transfer, context) -> list[str]:
        if not selectors.may_answer_transfer(context["request"].auth, transfer):
            return []
        return [row.action for row in reply_actions_from(transfer.state)]


class TransferFilters(Schema):
    case: Id | None = None


class JudicialTransferIn(InputSchema):
    case: Id
    receiving_body: text(100, min_length=1) = Field(description="e.g. 县公安局")
    to_organisation: Id | None = Field(None, description="The receiving organisation, when registered")
    evidence: list[text(500)] = Field(min_length=1, max_length=200, description="The evidence handed over")
    sent_on: Day


class TransferReplyIn(InputSchema):
    """An answer to a transfer (usually the police's 回执, recorded by the sender): acknowledge
    (acknowledged_on), accept (decided_on), decline (decided_on, reason), report_outcome (outcome,
    outcome_on). Only fields sent are passed."""

    action: ReplyAction
    note: text(2000) = Field("", description="Free text recorded with the step")
    acknowledged_on: Day | None = None
    decided_on: Day | None = None
    reason: text(2000) = Field("", description="decline")
    outcome: text(5000) = Field("", description="report_outcome")
    outcome_on: Day | None = None


@judicial_transfers.get(
    "",
    response={200: list[JudicialTransferOut], **errors(*READ_ERRORS)},
    summary="Transfers to the police or judiciary in the user's scope",
)
@paginate(Page)
def judicial_transfer_list(request: HttpRequest, filters: Query[TransferFilters]):
    return selectors.judicial_transfer_list(request.auth, case=filters.case)


@judicial_transfers.post(
    "",
    response={201: JudicialTransferDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Transfer a suspected crime of a filed case, with the evidence handed over",
)
def judicial_transfer_create(request: HttpRequest, payload: JudicialTransferIn):
    user = request.auth
    case = _case(user, "case", payload.case)
    transfer = services.judicial_transfer_send(
        user=user,
        case_id=case.pk,
        receiving_body=payload.receiving_body,
        to_organisation=_organisation(user, "to_organisation", payload.to_organisation),
        evidence=payload.evidence,
        sent_on=payload.sent_on,
    )
    return Status(201, selectors.judicial_transfer_get(user, transfer.pk))


@judicial_transfers.get(
    "/{id}",
    response={200: JudicialTransferDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One transfer with the answers the user may record now",
)
def judicial_transfer_get(request: HttpRequest, id: Id):
    return selectors.judicial_transfer_get(request.auth, id)


@judicial_transfers.post(
    "/{id}/actions",
    response={200: JudicialTransferDetailOut, **errors(*WRITE_ERRORS, 409)},
    summary="Record an answer to a transfer (acknowledge, accept, decline, report the outcome)",
)
def judicial_transfer_action(request: HttpRequest, id: Id, payload: TransferReplyIn):
    user = request.auth
    services.judicial_transfer_transition(user=user, transfer_id=id, **payload.model_dump(exclude_unset=True))
    return selectors.judicial_transfer_get(user, id)


# --- blacklist --------------------------------------------------------------------------------------


class BlacklistEntryOut(SubjectOut):
    id: int
    case: int | None
    reason: str
    listed_on: dt.date
    punishment_scope: str = Field(description="Who applies the joint punishment")
    until: dt.date | None = Field(None, description="Listed until; none for no end")
    removed_on: dt.date | None
    removal_reason: str
    in_force: bool = Field(description="In force today")

    @staticmethod
    def resolve_case(entry) -> int | None:
        return entry.case_id

    @staticmethod
    def resolve_in_force(entry) -> bool:
        today = timezone.localdate()
        return (
            entry.removed_on is None
            and entry.listed_on <= today
            and (entry.until is None or entry.until >= today)
        )


class BlacklistFilters(Schema):
    status: Literal["in_force", "not_in_force", "all"] = Field(
        "in_force", description="Entries in force on the day, those not in force, or all"
    )
    on: Day | None = Field(None, description="The day (today when absent)")


class BlacklistIn(SubjectIn):
    case: Id | None = Field(None, description="The case; its subject is listed when none is named")
    reason: text(5000, min_length=1)
    listed_on: Day
    punishment_scope: text(200, min_length=1) = Field(description="e.g. 全县医疗卫生机构")
    until: Day | None = None


class BlacklistRemoveIn(InputSchema):
    removed_on: Day
    reason: text(200, min_length=1)


STATUS_FILTER = {"in_force": True, "not_in_force": False, "all": None}


@blacklist.get(
    "",
    response={200: list[BlacklistEntryOut], **errors(*READ_ERRORS)},
    summary="The blacklist in the user's scope",
)
@paginate(Page)
def blacklist_list(request: HttpRequest, filters: Query[BlacklistFilters]):
    return selectors.blacklist_list(request.auth, active=STATUS_FILTER[filters.status], on=filters.on)


@blacklist.post(
    "",
    response={201: BlacklistEntryOut, **errors(*WRITE_ERRORS, 409)},
    summary="Put an institution or a person on the blacklist (联合惩戒)",
)
def blacklist_create(request: HttpRequest, payload: BlacklistIn):
    user = request.auth
    entry = services.blacklist_add(
        user=user,
        case=_case(user, "case", payload.case),
        reason=payload.reason,
        listed_on=payload.listed_on,
        punishment_scope=payload.punishment_scope,
        until=payload.until,
        **_subject(user, payload),
    )
    return Status(201, selectors.blacklist_get(user, entry.pk))


@blacklist.get(
    "/{id}", response={200: BlacklistEntryOut, **errors(*READ_ERRORS, 404)}, summary="One blacklist entry"
)
def blacklist_get(request: HttpRequest, id: Id):
    return selectors.blacklist_get(request.auth, id)


@blacklist.post(
    "/{id}/removal",
    response={200: BlacklistEntryOut, **errors(*WRITE_ERRORS)},
    summary="Take an entry off the blacklist, with the reason",
)
def blacklist_remove(request: HttpRequest, id: Id, payload: BlacklistRemoveIn):
    user = request.auth
    services.blacklist_remove(user=user, entry_id=id, removed_on=payload.removed_on, reason=payload.reason)
    return selectors.blacklist_get(user, id)
