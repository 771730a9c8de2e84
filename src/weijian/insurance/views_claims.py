"""Pages of on-the-spot settlement: the cashier's desk (find the patient, enter and settle a claim), a
claim with its settlement, the printable settlement slip, and the monthly statements the scheme office
reviews. Views translate HTTP into selector and service calls; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from weijian.core.errors import DomainError, NotVisible, is_refusal
from weijian.core.permissions import require
from weijian.registry.models import Institution

from . import selectors, services
from .forms_claims import (
    AMOUNT_FIELDS,
    ClaimFilterForm,
    ClaimForm,
    CorrectionForm,
    PatientSearchForm,
    PaymentForm,
    ReverseForm,
    StatementFilterForm,
    StatementGenerateForm,
)
from .models import ClaimState, ItemDecision, Member, SettlementKind, StatementState

PAGE_SIZE = 50
# The patient chosen at the desk travels to the claim form signed, so a member's number in the address
# cannot be changed to open someone else's record (cashiers may not browse residents).
MEMBER_SALT = "insurance.claim-member"
MEMBER_TOKEN_MAX_AGE = 12 * 3600

STEP_LABELS = {
    "total": gettext_lazy("Total cost"),
    "self_pay": gettext_lazy("Self-pay items deducted"),
    "excluded_amount": gettext_lazy("Excluded items deducted"),
    "special_exam_not_counted": gettext_lazy("Special examinations not counted"),
    "special_treatment_not_counted": gettext_lazy("Special treatments not counted"),
    "blood_not_counted": gettext_lazy("Blood not counted"),
    "special_material_not_counted": gettext_lazy("Special materials not counted"),
    "partial_items_not_counted": gettext_lazy("Partly paid items not counted"),
    "special_group_no_deductible": gettext_lazy("No deductible for a special group"),
    "tcm_no_deductible": gettext_lazy("No deductible for mainly TCM treatment"),
    "transfer_chain_deductible": gettext_lazy("Deductible shared with the transfer before"),
    "not_first_admission_no_deductible": gettext_lazy("No deductible after the first admission of the year"),
    "deductible": gettext_lazy("Deductible"),
    "pooled": gettext_lazy("Pooled amount"),
    "ratio_applied": gettext_lazy("Compensation ratio applied"),
    "delivery_normal_flat_rate": gettext_lazy("Flat rate for a normal delivery"),
    "cataract_flat_rate_per_eye": gettext_lazy("Flat rate per cataract eye"),
    "annual_cap": gettext_lazy("Limited to the annual cap"),
    "claim_cap": gettext_lazy("Limited to the cap per claim"),
    "chronic_quota": gettext_lazy("Limited to the chronic-disease quota"),
    "dual_coverage_limit": gettext_lazy("Limited by what other insurance paid"),
    "reimbursed": gettext_lazy("Reimbursed"),
    "reversal": gettext_lazy("Reversed"),
    "not_enrolled": gettext_lazy("Not enrolled: no compensation"),
    "policy_not_in_force": gettext_lazy("No policy in force: no compensation"),
    "not_designated": gettext_lazy("Not a designated institution: no compensation"),
    "for_profit": gettext_lazy("For-profit institution: no compensation"),
    "out_of_county_no_referral": gettext_lazy("Out of county without referral: no compensation"),
    "chronic_disease_not_listed": gettext_lazy("Chronic disease not listed: no compensation"),
}
REASON_TEXTS = {
    "not_enrolled": gettext_lazy("The patient is not enrolled for the year of discharge."),
    "policy_not_in_force": gettext_lazy("No compensation policy was in force on the discharge date."),
    "not_designated": gettext_lazy("The institution is not designated by the scheme."),
    "for_profit": gettext_lazy("Care at for-profit institutions is not compensated."),
    "out_of_county_no_referral": gettext_lazy(
        "Treated outside the county without a referral or a migrant / student certificate."
    ),
    "chronic_disease_not_listed": gettext_lazy("The chronic disease is not on the scheme's list."),
    "annual_cap": gettext_lazy("The patient reached the annual cap; the compensation is limited to it."),
    "claim_cap": gettext_lazy("The compensation is limited to the cap per claim."),
    "chronic_quota": gettext_lazy("The compensation is limited to the chronic-disease quota of the year."),
    "dual_coverage_limit": gettext_lazy(
        "Together with other insurance the compensation may not exceed the eligible cost."
    ),
}


def _step_label(name: str) -> str:
    if name.startswith("hepatitis_at_level_"):
        return _("Hepatitis at a specialist hospital: level %(level)s standard") % {
            "level": name.removeprefix("hepatitis_at_level_").removesuffix("_standard")
        }
    return str(STEP_LABELS.get(name, name))


def _percent(share) -> str | None:
    if share is None:
        return None
    value = (Decimal(share) * 100).quantize(Decimal("0.01"))
    return f"{value.normalize():f}"


def _settlement_view(settlement) -> dict:
    """The settlement as the claim page and the slip show it: steps with readable labels."""
    return {
        "settlement": settlement,
        "steps": [
            {"code": name, "label": _step_label(name), "amount": Decimal(amount), "clause": clause}
            for name, amount, clause in settlement.steps
        ],
        "ratio_percent": _percent(settlement.ratio),
        "reason_text": REASON_TEXTS.get(settlement.reason, settlement.reason),
        "slip_number": slip_number(settlement),
    }


def slip_number(settlement) -> str:
    return f"JS{settlement.settled_on:%Y%m}-{settlement.pk:07d}"


def member_token(member: Member) -> str:
    return signing.TimestampSigner(salt=MEMBER_SALT).sign(str(member.pk))


def _member_from_token(token: str) -> Member:
    try:
        pk = signing.TimestampSigner(salt=MEMBER_SALT).unsign(token, max_age=MEMBER_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise NotVisible() from None
    member = Member.objects.select_related("household__division").filter(pk=pk).first()
    if member is None:
        raise NotVisible()
    return member


def _claim_institutions(user):
    return (
        Institution.objects.visible_to(user)
        .filter(insurance_designated=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


# --- the cashier's desk ------------------------------------------------------------------------------------


@login_required
@never_cache
def claim_list(request):
    user = request.user
    require(user, "insurance.view_claim")
    can_enter = user.has_perm("insurance.add_claim")
    # POST keeps card and ID numbers out of addresses and server logs.
    search = PatientSearchForm(request.POST or None) if can_enter else None
    found = None
    searched = False
    if search is not None and request.method == "POST" and search.is_valid():
        searched = True
        found = selectors.member_for_claim(user, search.cleaned_data["identifier"])
    filters = ClaimFilterForm(request.GET or None)
    state = filters.cleaned_data.get("state", "") if filters.is_valid() else ""
    page = Paginator(selectors.claims(user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insurance/claims/claim_list.html",
        {
            "search": search,
            "searched": searched,
            "found": found,
            "found_token": member_token(found) if found else "",
            "enrolled": found is not None and selectors.is_enrolled(found.pk, timezone.localdate().year),
            "filters": filters,
            "page": page,
        },
    )


@login_required
def claim_new(request):
    user = request.user
    require(user, "insurance.add_claim")
    token = request.GET.get("member", "")
    if not token:
        messages.info(request, _("Find the patient by scheme card or ID number first."))
        return redirect(reverse("insurance:claim_list") + "#find-patient")
    member = _member_from_token(token)
    own = selectors.own_institution(user)
    form = ClaimForm(
        request.POST or None,
        institutions=None if own is not None else _claim_institutions(user),
        initial={"admit_date": timezone.localdate(), "eyes": 0},
    )
    if request.method == "POST" and form.is_valid():
        institution = own or form.cleaned_data["institution"]
        try:
            claim = services.claim_enter(user, institution=institution, member=member, **form.claim_fields())
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_error(form.error_field(error.field), str(error.message))
        else:
            messages.success(request, _("Claim %(number)s saved.") % {"number": claim.number})
            if "settle" in request.POST:
                _settle(request, claim)
            return redirect("insurance:claim_detail", pk=claim.pk)
    return render(
        request,
        "insurance/claims/claim_form.html",
        {
            "form": form,
            "member": member,
            "institution": own,
            "can_settle": user.has_perm("insurance.settle_claim"),
            "correcting": None,
        },
    )


def _settle(request, claim) -> None:
    try:
        settlement = services.claim_settle(request.user, claim)
    except DomainError as error:
        if is_refusal(error):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Settled: the scheme pays %(reimbursed)s yuan, the patient pays %(patient_pays)s yuan.")
            % {"reimbursed": settlement.reimbursed, "patient_pays": settlement.patient_pays},
        )


@login_required
def claim_detail(request, pk):
    user = request.user
    claim = selectors.claim_get(user, pk)
    can_settle = user.has_perm("insurance.settle_claim")
    reverse_form = ReverseForm(request.POST if request.POST.get("action") == "reverse" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "settle":
            _settle(request, claim)
            return redirect("insurance:claim_detail", pk=pk)
        if action == "reverse" and reverse_form.is_valid():
            try:
                services.claim_reverse(user, claim, reason=reverse_form.cleaned_data["reason"])
            except DomainError as error:
                if is_refusal(error):
                    raise
                reverse_form.add_error("reason" if error.field == "reason" else None, str(error.message))
            else:
                messages.success(request, _("The settlement is reversed."))
                return redirect("insurance:claim_detail", pk=pk)
        elif action not in ("settle", "reverse"):
            messages.error(request, _("Unknown action."))
            return redirect("insurance:claim_detail", pk=pk)
    active = selectors.active_settlement(claim) if claim.state == ClaimState.SETTLED else None
    history = list(claim.settlements.select_related("settled_by", "policy").order_by("settled_at", "pk"))
    return render(
        request,
        "insurance/claims/claim_detail.html",
        {
            "claim": claim,
            "current": _settlement_view(active) if active else None,
            "history": [
                {"settlement": s, "slip_number": slip_number(s), "ratio_percent": _percent(s.ratio)}
                for s in history
            ],
            "corrections": list(claim.corrections.visible_to(user)),
            "can_settle": can_settle,
            "reverse_form": reverse_form if can_settle and claim.state == ClaimState.SETTLED else None,
            "can_view_history": user.has_perm("core.view_auditentry"),
        },
    )


def _claim_initial(claim) -> dict:
    names = (
        "claim_type",
        "admit_date",
        "discharge_date",
        "disease",
        "chronic_disease",
        "eyes",
        *AMOUNT_FIELDS,
        "specialist",
        "out_of_county",
        "referral",
        "migrant_certificate",
    )
    return {name: getattr(claim, name) for name in names}


@login_required
def claim_correct(request, pk):
    user = request.user
    require(user, "insurance.settle_claim")
    claim = selectors.claim_get(user, pk)
    if claim.state != ClaimState.SETTLED:
        messages.error(request, _("Only a settled claim can be corrected."))
        return redirect("insurance:claim_detail", pk=pk)
    form = CorrectionForm(request.POST or None, initial=_claim_initial(claim))
    if request.method == "POST" and form.is_valid():
        try:
            settlement = services.claim_correct(
                user, claim, reason=form.cleaned_data["reason"], **form.claim_fields()
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_error(form.error_field(error.field), str(error.message))
        else:
            messages.success(
                request,
                _("Claim %(old)s is reversed and corrected as %(new)s.")
                % {"old": claim.number, "new": settlement.claim.number},
            )
            return redirect("insurance:claim_detail", pk=settlement.claim_id)
    return render(
        request,
        "insurance/claims/claim_form.html",
        {
            "form": form,
            "member": claim.member,
            "institution": claim.institution,
            "can_settle": False,
            "correcting": claim,
        },
    )


@login_required
def settlement_slip(request, pk):
    settlement = selectors.settlement_get(request.user, pk)
    return render(
        request,
        "insurance/claims/settlement_slip.html",
        {**_settlement_view(settlement), "claim": settlement.claim, "printed_at": timezone.localtime()},
    )


# --- monthly statements ------------------------------------------------------------------------------------


@login_required
def statement_list(request):
    user = request.user
    require(user, "insurance.view_statement")
    can_review = user.has_perm("insurance.review_statement")
    generate = None
    if can_review:
        today = timezone.localdate()
        generate = StatementGenerateForm(
            request.POST or None,
            institutions=_claim_institutions(user),
            initial={"month": today.replace(day=1)},
        )
        if request.method == "POST" and generate.is_valid():
            try:
                statement = services.statement_generate(
                    user, generate.cleaned_data["institution"], generate.cleaned_data["month"]
                )
            except DomainError as error:
                if is_refusal(error):
                    raise
                generate.add_error(
                    error.field if error.field in generate.fields else None, str(error.message)
                )
            else:
                messages.success(request, _("The statement is up to date."))
                return redirect("insurance:statement_detail", pk=statement.pk)
    filters = StatementFilterForm(request.GET or None)
    month = filters.cleaned_data.get("month") if filters.is_valid() else None
    month = month.replace(day=1) if month else None
    page = Paginator(selectors.statements(user, month=month), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insurance/claims/statement_list.html",
        {"filters": filters, "page": page, "generate": generate},
    )


def _review_item(request, statement):
    """Decide one item; on a rule broken, the error to show on that item's row."""
    item = statement.items.filter(pk=request.POST.get("item") or 0).first()
    if item is None:
        raise NotVisible()
    try:
        services.statement_item_review(
            request.user,
            item,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        return {item.pk: str(error.message)}
    return None


@login_required
def statement_detail(request, pk):
    user = request.user
    statement = selectors.statement_get(user, pk)
    can_review = user.has_perm("insurance.review_statement")
    item_errors: dict[int, str] = {}
    payment = PaymentForm(
        request.POST if request.POST.get("action") == "pay" else None,
        initial={"paid_on": timezone.localdate()},
    )
    if request.method == "POST":
        require(user, "insurance.review_statement")
        action = request.POST.get("action")
        try:
            if action == "review":
                item_errors = _review_item(request, statement) or {}
                if not item_errors:
                    return redirect(reverse("insurance:statement_detail", args=[pk]) + "#items")
            elif action == "approve":
                services.statement_approve(user, statement)
                messages.success(request, _("The statement is approved."))
                return redirect("insurance:statement_detail", pk=pk)
            elif action == "pay":
                if payment.is_valid():
                    services.statement_pay(user, statement, paid_on=payment.cleaned_data["paid_on"])
                    messages.success(request, _("The payment is recorded."))
                    return redirect("insurance:statement_detail", pk=pk)
            else:
                messages.error(request, _("Unknown action."))
                return redirect("insurance:statement_detail", pk=pk)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
            return redirect("insurance:statement_detail", pk=pk)
        statement = selectors.statement_get(user, pk)
    items = [
        {
            "item": item,
            "settlement": item.settlement,
            "claim": item.settlement.claim,
            "error": item_errors.get(item.pk),
        }
        for item in selectors.statement_items(statement)
    ]
    is_open = statement.state == StatementState.OPEN
    return render(
        request,
        "insurance/claims/statement_detail.html",
        {
            "statement": statement,
            "items": items,
            "share_percent": _percent(statement.off_formulary_share),
            "limit_percent": _percent(statement.formulary_limit),
            "may_review": can_review and is_open,
            "may_pay": can_review and statement.state == StatementState.APPROVED,
            "payment": payment,
            "decisions": ItemDecision,
            "reversal": SettlementKind.REVERSAL,
        },
    )
