"""On-the-spot settlement (即时结报) for an institution's billing system (HIS): find the patient by the card
presented, enter the claim, settle it, reverse a settlement; read claims, settlements and the monthly
statements of the institution (a cashier) or of the scheme (the scheme office).

Handlers only translate: every read goes through weijian.insurance.selectors, every write through
weijian.insurance.services, which alone settle, reverse and post to the fund's ledger. Money is yuan as a
decimal string both ways ("1234.50"); a JSON number is refused, so no float ever carries an amount.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator, StringConstraints

from weijian.core.errors import NotVisible
from weijian.core.permissions import require
from weijian.insurance import selectors, services
from weijian.insurance.models import (
    ClaimState,
    ClaimType,
    ItemDecision,
    SettlementKind,
    SpecialGroup,
    StatementState,
    SubFund,
)
from weijian.registry import selectors as registry_selectors
from weijian.registry.models import Institution

from .campaigns import invalid, reference
from .enforcement import Amount
from .schemas import READ_ERRORS, WRITE_ERRORS, Day, Id, InputSchema, Page, Year, errors, text

members = Router(tags=["on-the-spot settlement"])
claims = Router(tags=["on-the-spot settlement"])
settlements = Router(tags=["on-the-spot settlement"])
statements = Router(tags=["statements"])


def _first_of(value: str) -> dt.date:
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


# A calendar month, YYYY-MM, within the years every date of the API is (1900–2099).
Month = Annotated[
    str, StringConstraints(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"), AfterValidator(_first_of)
]


def _as_string(value):
    return value if value is None or isinstance(value, str) else str(value)


# Money and ratios going out: the stored Decimal written as a string, e.g. "1234.50".
DecimalString = Annotated[str, BeforeValidator(_as_string)]


def masked(id_number: str) -> str:
    """The first six characters (the issuing division) and the last four; the birth date is starred."""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


# --- the patient ---------------------------------------------------------------------------------------


class MemberOut(Schema):
    name: str
    id_number: str = Field(description="Masked: the first six and the last four characters")
    household_number: str
    village: str = Field(description="12-digit code of the household's village")
    village_name: str
    special_group: SpecialGroup = Field(description="Counts only with a certificate; none otherwise")
    year: int = Field(description="The coverage year asked about")
    enrolled: bool = Field(description="Enrolled (参合) for that year")

    @staticmethod
    def resolve_id_number(member) -> str:
        return masked(member.id_number)

    @staticmethod
    def resolve_household_number(member) -> str:
        return member.household.number

    @staticmethod
    def resolve_village(member) -> str:
        return member.household.division_id

    @staticmethod
    def resolve_village_name(member) -> str:
        return member.household.division.name

    @staticmethod
    def resolve_special_group(member) -> str:
        return member.certified_group


class MemberLookup(InputSchema):
    card: text(30, min_length=1) = Field(description="Scheme card number or ID number, exactly as presented")
    year: Year | None = Field(None, description="Coverage year of the enrolment status; this year if absent")


@members.post(
    "/lookup",
    response={200: MemberOut, **errors(*WRITE_ERRORS, 404)},
    summary="The patient with this scheme card or ID number, with enrolment status for a year",
    description="A POST so that card and ID numbers stay out of addresses and server logs.",
)
def member_lookup(request: HttpRequest, lookup: MemberLookup):
    member = selectors.member_for_claim(request.auth, lookup.card)
    if member is None:
        raise NotVisible(_("No scheme member has this card or ID number."))
    member.year = lookup.year or timezone.localdate().year
    member.enrolled = selectors.is_enrolled(member.pk, member.year)
    return member


# --- settlements ---------------------------------------------------------------------------------------


class StepOut(Schema):
    step: str = Field(description="Stable code of the step, e.g. deductible, ratio_applied, annual_cap")
    amount: str = Field(description="Yuan as a decimal string")
    clause: str = Field(description="The policy clause the step applies")


class SettlementOut(Schema):
    id: int
    claim: int
    claim_number: str
    kind: SettlementKind = Field(description="A settlement, or a reversal negating an earlier one")
    reverses: int | None = Field(None, description="Reversal: id of the settlement it negates")
    institution: int
    sub_fund: SubFund
    eligible: bool
    reason: str = Field(description="Why not compensated or limited (e.g. not_enrolled, annual_cap); empty")
    total: DecimalString = Field(description="Amounts are yuan as decimal strings; a reversal's are negative")
    eligible_cost: DecimalString
    deductible: DecimalString
    pooled: DecimalString
    ratio: DecimalString | None = Field(
        None, description='Compensation ratio as a decimal string, e.g. "0.650000"'
    )
    reimbursed: DecimalString = Field(description="Paid by the scheme (basic insurance)")
    serious_illness: DecimalString = Field(description="One-stop layers for a poor patient; zero otherwise")
    supplementary: DecimalString
    assistance: DecimalString
    funds: DecimalString
    waiver: DecimalString
    backstop: DecimalString
    hospital_borne: DecimalString
    patient_pays: DecimalString = Field(description="reimbursed + the layers + patient_pays = total")
    cap_applied: bool
    policy_code: str
    policy_version: int
    steps: list[StepOut] = Field(description="The calculation in the order the engine applied it")
    settled_on: dt.date
    settled_at: dt.datetime

    @staticmethod
    def resolve_claim(settlement) -> int:
        return settlement.claim_id

    @staticmethod
    def resolve_claim_number(settlement) -> str:
        return settlement.claim.number

    @staticmethod
    def resolve_reverses(settlement) -> int | None:
        return settlement.reverses_id

    @staticmethod
    def resolve_institution(settlement) -> int:
        return settlement.institution_id

    @staticmethod
    def resolve_policy_code(settlement) -> str:
        return settlement.policy.code

    @staticmethod
    def resolve_policy_version(settlement) -> int:
        return settlement.policy.version

    @staticmethod
    def resolve_steps(settlement) -> list[dict]:
        return [
            {"step": step, "amount": amount, "clause": clause} for step, amount, clause in settlement.steps
        ]


# --- claims --------------------------------------------------------------------------------------------


class ClaimOut(Schema):
    id: int
    number: str = Field(description="e.g. BC2026-00003-000001")
    state: ClaimState
    institution: int
    institution_name: str
    patient_name: str
    patient_id_number: str = Field(description="Masked: the first six and the last four characters")
    village: str = Field(description="12-digit code of the patient's village")
    claim_type: ClaimType
    facility_level: int
    specialist: bool
    admit_date: dt.date
    discharge_date: dt.date
    disease: str
    chronic_disease: str
    eyes: int
    total: DecimalString = Field(description="Amounts are yuan as decimal strings")
    self_pay: DecimalString
    special_exam: DecimalString
    special_treatment: DecimalString
    blood: DecimalString
    special_material: DecimalString
    partial_items: DecimalString
    tcm_amount: DecimalString
    excluded_amount: DecimalString
    other_insurance_paid: DecimalString
    drug_cost: DecimalString
    off_formulary_drug_cost: DecimalString
    out_of_county: bool
    referral: bool
    migrant_certificate: bool
    poor: bool = Field(description="The patient was registered poor when the claim was entered (one-stop)")
    major_disease: str
    over_treatment: bool
    corrects: int | None = Field(None, description="Id of the claim this one corrects")
    entered_at: dt.datetime

    @staticmethod
    def resolve_institution(claim) -> int:
        return claim.institution_id

    @staticmethod
    def resolve_institution_name(claim) -> str:
        return claim.institution.organisation.name

    @staticmethod
    def resolve_patient_name(claim) -> str:
        return claim.member.name

    @staticmethod
    def resolve_patient_id_number(claim) -> str:
        return masked(claim.member.id_number)

    @staticmethod
    def resolve_village(claim) -> str:
        return claim.division_id

    @staticmethod
    def resolve_corrects(claim) -> int | None:
        return claim.corrects_id


class ClaimDetailOut(ClaimOut):
    settlements: list[SettlementOut] = Field(description="Settlements and reversals, oldest first")

    # The settlements belong to the claim the selector has just shown the user.
    @staticmethod
    def resolve_settlements(claim) -> list:
        return list(claim.settlements.select_related("claim", "policy").order_by("settled_at", "pk"))


class ClaimFilters(Schema):
    state: ClaimState | None = None
    month: Month | None = Field(None, description="Discharged in this month, YYYY-MM")


class ClaimIn(InputSchema):
    """A claim as the billing system has it. Amounts are yuan as decimal strings with at most two decimals;
    those left out are zero."""

    card: text(30, min_length=1) = Field(description="The patient's scheme card or ID number, as presented")
    institution: Id | None = Field(
        None, description="Scheme office only: the institution treating; a cashier's is their own"
    )
    claim_type: ClaimType
    admit_date: Day = Field(description="Admission, or the day of the visit")
    discharge_date: Day | None = Field(None, description="The admission day when absent (a visit)")
    disease: text(60) = ""
    chronic_disease: text(60) = Field("", description="chronic_outpatient: the listed chronic disease")
    eyes: int = Field(0, ge=0, le=2, description="cataract_outpatient: eyes operated (1 or 2)")
    total: Amount = Field(description="Total cost")
    self_pay: Amount = "0"
    special_exam: Amount = "0"
    special_treatment: Amount = "0"
    blood: Amount = "0"
    special_material: Amount = "0"
    partial_items: Amount = "0"
    tcm_amount: Amount = "0"
    excluded_amount: Amount = "0"
    other_insurance_paid: Amount = "0"
    drug_cost: Amount = "0"
    off_formulary_drug_cost: Amount = "0"
    specialist: bool = False
    out_of_county: bool = False
    referral: bool = False
    migrant_certificate: bool = False
    major_disease: text(40) = Field("", description="A code of the one-stop policy's major-disease list")
    over_treatment: bool = Field(False, description="Over-treatment found: the hospital bears the excess")


class ReverseIn(InputSchema):
    reason: text(200, min_length=1) = Field(description="Why the settlement is undone")


def _institution(user, chosen: int | None) -> Institution:
    """A cashier enters claims at their own institution; the scheme office names one it can see."""
    own = selectors.own_institution(user)
    if own is not None:
        if chosen is not None and chosen != own.pk:
            raise invalid("institution", _("Claims are entered at your own institution only."))
        return own
    if chosen is None:
        raise invalid("institution", _("This field is required."))
    return reference("institution", registry_selectors.institution_get, user, chosen)


@claims.get(
    "",
    response={200: list[ClaimOut], **errors(*READ_ERRORS)},
    summary="Claims in the user's scope, latest discharge first",
)
@paginate(Page)
def claim_list(request: HttpRequest, filters: Query[ClaimFilters]):
    require(request.auth, "insurance.view_claim")
    return selectors.claims(request.auth, state=filters.state or "", month=filters.month)


@claims.post(
    "",
    response={201: ClaimOut, **errors(*WRITE_ERRORS)},
    summary="Enter a claim for the patient whose card is presented",
)
def claim_enter(request: HttpRequest, payload: ClaimIn):
    user = request.auth
    require(user, "insurance.add_claim")
    member = selectors.member_for_claim(user, payload.card)
    if member is None:
        raise invalid("card", _("No scheme member has this card or ID number."))
    fields = payload.model_dump(exclude={"card", "institution"})
    fields["discharge_date"] = payload.discharge_date or payload.admit_date
    claim = services.claim_enter(
        user, institution=_institution(user, payload.institution), member=member, **fields
    )
    return Status(201, selectors.claim_get(user, claim.pk))


@claims.get(
    "/{id}",
    response={200: ClaimDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One claim with its settlements and reversals",
)
def claim_get(request: HttpRequest, id: Id):
    require(request.auth, "insurance.view_claim")
    return selectors.claim_get(request.auth, id)


@claims.post(
    "/{id}/settle",
    response={200: SettlementOut, **errors(*WRITE_ERRORS, 409)},
    summary="Settle the claim on the spot; settling it again returns the same settlement",
)
def claim_settle(request: HttpRequest, id: Id):
    user = request.auth
    settlement = services.claim_settle(user, selectors.claim_get(user, id))
    return selectors.settlement_get(user, settlement.pk)


@claims.post(
    "/{id}/reverse",
    response={200: SettlementOut, **errors(*WRITE_ERRORS, 409)},
    summary="Reverse the claim's settlement (a negating settlement; the claim becomes reversed)",
)
def claim_reverse(request: HttpRequest, id: Id, payload: ReverseIn):
    user = request.auth
    reversal = services.claim_reverse(user, selectors.claim_get(user, id), reason=payload.reason)
    return selectors.settlement_get(user, reversal.pk)


@settlements.get(
    "/{id}",
    response={200: SettlementOut, **errors(*READ_ERRORS, 404)},
    summary="One settlement or reversal with its calculation",
)
def settlement_get(request: HttpRequest, id: Id):
    require(request.auth, "insurance.view_settlement")
    return selectors.settlement_get(request.auth, id)


# --- monthly statements --------------------------------------------------------------------------------


class StatementOut(Schema):
    id: int
    institution: int
    institution_name: str
    month: dt.date = Field(description="First day of the month")
    state: StatementState
    facility_level: int
    settled_amount: DecimalString = Field(description="Amounts are yuan as decimal strings")
    rejected_amount: DecimalString
    drug_cost: DecimalString
    off_formulary_drug_cost: DecimalString
    formulary_base: DecimalString
    formulary_limit: DecimalString = Field(
        description='Share of out-of-formulary drugs allowed, e.g. "0.1000"'
    )
    formulary_deduction: DecimalString
    amount_due: DecimalString = Field(description="What the scheme pays the institution")
    approved_at: dt.datetime | None
    paid_on: dt.date | None

    @staticmethod
    def resolve_institution(statement) -> int:
        return statement.institution_id

    @staticmethod
    def resolve_institution_name(statement) -> str:
        return statement.institution.organisation.name


class StatementItemOut(Schema):
    id: int
    settlement: int
    kind: SettlementKind
    claim: int
    claim_number: str
    patient_name: str
    settled_on: dt.date
    reimbursed: DecimalString = Field(description="Yuan as a decimal string")
    decision: ItemDecision
    reason: str = Field(description="Why the item was rejected")

    @staticmethod
    def resolve_settlement(item) -> int:
        return item.settlement_id

    @staticmethod
    def resolve_kind(item) -> str:
        return item.settlement.kind

    @staticmethod
    def resolve_claim(item) -> int:
        return item.settlement.claim_id

    @staticmethod
    def resolve_claim_number(item) -> str:
        return item.settlement.claim.number

    @staticmethod
    def resolve_patient_name(item) -> str:
        return item.settlement.claim.member.name

    @staticmethod
    def resolve_settled_on(item) -> dt.date:
        return item.settlement.settled_on

    @staticmethod
    def resolve_reimbursed(item) -> str:
        return str(item.settlement.reimbursed)


class StatementDetailOut(StatementOut):
    items: list[StatementItemOut]

    @staticmethod
    def resolve_items(statement) -> list:
        return list(selectors.statement_items(statement))


class StatementFilters(Schema):
    month: Month | None = Field(None, description="YYYY-MM")


@statements.get(
    "",
    response={200: list[StatementOut], **errors(*READ_ERRORS)},
    summary="Monthly statements: the institution's own, or every institution's for the scheme office",
)
@paginate(Page)
def statement_list(request: HttpRequest, filters: Query[StatementFilters]):
    require(request.auth, "insurance.view_statement")
    return selectors.statements(request.auth, month=filters.month)


@statements.get(
    "/{id}",
    response={200: StatementDetailOut, **errors(*READ_ERRORS, 404)},
    summary="One monthly statement with its totals and items",
)
def statement_get(request: HttpRequest, id: Id):
    require(request.auth, "insurance.view_statement")
    return selectors.statement_get(request.auth, id)
