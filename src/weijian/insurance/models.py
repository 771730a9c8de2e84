"""Health financing records: policy versions, households and enrolment, contributions, the fund ledger,
claims with their settlements, and monthly institution statements.

Amounts are Decimal yuan with two places; the engine works in integer fen. Settlements and ledger
postings are never edited: a correction is a reversal plus a new settlement, and the ledger only grows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weijian.core.audit import AuditedModel
from weijian.core.models import Division
from weijian.core.scope import ScopedQuerySet
from weijian.registry.models import Institution

MONEY = {"max_digits": 14, "decimal_places": 2}


def money_field(label, **kwargs):
    return models.DecimalField(label, default=0, **MONEY, **kwargs)


class SpecialGroup(models.TextChoices):
    """Groups with no deductible (篇6 §6.4.1); three of them have the personal share paid (§6.2)."""

    NONE = "none", _("None")
    WUBAO = "wubao", _("Five-guarantee household (五保)")
    DIBAO = "dibao", _("Minimum-allowance household (低保)")
    DISABLED = "disabled", _("Disabled person")
    TEKUN = "tekun", _("Extremely poor household (特困)")
    ORPHAN = "orphan", _("Orphan")


class PayerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs assistance fund")
    COLLECTIVE = "collective", _("Collective")
    CENTRAL = "central", _("Central government subsidy")
    REGION = "region", _("Regional government subsidy")
    CITY = "city", _("City government subsidy")
    COUNTY = "county", _("County government subsidy")


GOVERNMENT_PAYERS = (PayerType.CENTRAL, PayerType.REGION, PayerType.CITY, PayerType.COUNTY)


class SubFund(models.TextChoices):
    """The pools of the scheme's special account (大病住院统筹 + 门诊统筹, 篇6 §6.3)."""

    INPATIENT = "inpatient", _("Inpatient (major-illness) pooling")
    OUTPATIENT = "outpatient", _("Outpatient pooling")


class ClaimType(models.TextChoices):
    INPATIENT = "inpatient", _("Inpatient")
    OUTPATIENT = "outpatient", _("Outpatient")
    CHRONIC_OUTPATIENT = "chronic_outpatient", _("Chronic-disease outpatient")
    DELIVERY_NORMAL = "delivery_normal", _("Normal delivery")
    DELIVERY_PATHOLOGICAL = "delivery_pathological", _("Pathological delivery")
    CATARACT_OUTPATIENT = "cataract_outpatient", _("Outpatient cataract lens")
    TCM_OUTPATIENT = "tcm_outpatient", _("TCM outpatient (fracture)")


# Flat-rate deliveries are inpatient stays; the outpatient claim types draw on outpatient pooling.
INPATIENT_POOL_TYPES = (ClaimType.INPATIENT, ClaimType.DELIVERY_PATHOLOGICAL, ClaimType.DELIVERY_NORMAL)


class PolicyVersion(AuditedModel):
    """One version of a compensation policy document (TOML), in force for a region and a period.

    The text is what the engine parses; a new version is a new row, so every settlement names the exact
    rules it was computed with. `division` empty means the policy may be used anywhere.
    """

    code = models.SlugField(_("policy code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    division = models.ForeignKey(
        Division, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    document = models.TextField(_("policy document"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="policy_code_version_unique")]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        permissions = [("edit_policy", _("Can publish a new policy version"))]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Household(AuditedModel):
    """The enrolment unit (以户为单位): members enrol together for a coverage year."""

    division = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("household number"), max_length=30, unique=True)
    head_name = models.CharField(_("head of household"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["division__code", "number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"


class Member(AuditedModel):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    birth_date = models.DateField(_("date of birth"))
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    special_group = models.CharField(
        _("special group"), max_length=10, choices=SpecialGroup.choices, default=SpecialGroup.NONE
    )
    certificate_number = models.CharField(_("special-group certificate"), max_length=40, blank=True)
    card_number = models.CharField(_("scheme card number"), max_length=30, blank=True, db_index=True)
    photo = models.FileField(_("photo"), upload_to="insurance/photos/%Y/", blank=True)
    # Kept by the poverty registry (entry, exit, re-entry); a claim copies it when entered, so the cashier
    # recognises a poor patient from the card alone (seed-003 R2 L107).
    registered_poor = models.BooleanField(_("registered poor"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "household__division"
    scope_organisation_path = None

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return self.name

    @property
    def certified_group(self) -> str:
        """The special group counts only with a certificate (凭有效证件)."""
        return self.special_group if self.certificate_number else SpecialGroup.NONE


class Enrolment(AuditedModel):
    """A member covered for a coverage year (参合)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="enrolments"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrolments")
    # The household's village, copied so rates per township are one indexed aggregate.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("coverage year"))
    enrolled_on = models.DateField(_("enrolled on"))

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="enrolment_member_year_unique")
        ]
        indexes = [models.Index(fields=["year", "division"], name="enrolment_year_division_idx")]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")


class Contribution(AuditedModel):
    """Money raised for a coverage year, with the receipt that acknowledges it."""

    year = models.PositiveIntegerField(_("coverage year"))
    payer_type = models.CharField(_("payer"), max_length=15, choices=PayerType.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    # Persons the amount pays for: household members, or the enrolled headcount for a subsidy.
    headcount = models.PositiveIntegerField(_("persons"))
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    paid_on = models.DateField(_("paid on"))
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    # The household's village; the scheme's county for government subsidies.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["year", "division"], name="contribution_year_division_idx")]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    SUBSIDY = "subsidy", _("Government subsidy")
    SETTLEMENT = "settlement", _("Settlement")
    REVERSAL = "reversal", _("Reversal")
    STATEMENT = "statement", _("Statement review")
    PAYMENT = "payment", _("Payment to institution")


class LedgerEntry(AuditedModel):
    """One balanced journal entry of the scheme's special account (财政专户).

    `key` names the business event (e.g. `settlement:42`); it is unique, so posting the same event twice
    is impossible and a retried service finds the entry it already wrote.
    """

    key = models.CharField(_("idempotency key"), max_length=80, unique=True)
    # The scheme's county: ledgers are per scheme.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=EntryKind.choices)
    posted_on = models.DateField(_("posted on"))
    year = models.PositiveIntegerField(_("coverage year"))
    description = models.CharField(_("description"), max_length=200)
    posted_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["posted_on", "id"]
        indexes = [models.Index(fields=["division", "posted_on"], name="ledger_division_date_idx")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")


class Account(models.TextChoices):
    """Accounts of the special account's books; amounts are debit-positive."""

    FUND = "fund", _("Special account (bank)")
    CONTRIBUTIONS = "contributions", _("Contribution income")
    COMPENSATION = "compensation", _("Compensation expense")
    PAYABLE = "payable", _("Owed to institutions")
    RECOVERED = "recovered", _("Recovered from institutions")


class Posting(models.Model):
    """One line of a ledger entry. Postings of an entry sum to zero."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(_("account"), max_length=15, choices=Account.choices)
    sub_fund = models.CharField(_("sub-fund"), max_length=10, choices=SubFund.choices)
    # Payer type for contribution income; institution id for amounts owed to institutions.
    detail = models.CharField(_("detail"), max_length=30, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        indexes = [models.Index(fields=["account", "sub_fund"], name="posting_account_idx")]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")

    def __str__(self) -> str:
        return f"{self.account}/{self.sub_fund} {self.amount}"


class ClaimState(models.TextChoices):
    ENTERED = "entered", _("Entered")
    SETTLED = "settled", _("Settled")
    REVERSED = "reversed", _("Reversed")


class Claim(AuditedModel):
    """A visit or stay presented for compensation at a designated institution."""

    number = models.CharField(_("claim number"), max_length=30, unique=True)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="claims"
    )
    # The patient's village, copied for the notice board and for the scheme office's scope.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    claim_type = models.CharField(_("claim type"), max_length=25, choices=ClaimType.choices)
    facility_level = models.PositiveSmallIntegerField(_("facility level"))
    specialist = models.BooleanField(_("specialist hospital"), default=False)
    admit_date = models.DateField(_("admitted / visit date"))
    discharge_date = models.DateField(_("discharged"))
    disease = models.CharField(_("disease"), max_length=60, blank=True)
    chronic_disease = models.CharField(_("chronic disease"), max_length=60, blank=True)
    eyes = models.PositiveSmallIntegerField(_("eyes operated"), default=0)
    total = models.DecimalField(_("total cost"), **MONEY)
    self_pay = money_field(_("self-pay items"))
    special_exam = money_field(_("special examinations"))
    special_treatment = money_field(_("special treatments"))
    blood = money_field(_("blood"))
    special_material = money_field(_("special materials"))
    partial_items = money_field(_("partly paid items"))
    tcm_amount = money_field(_("TCM services"))
    excluded_amount = money_field(_("excluded amounts"))
    other_insurance_paid = money_field(_("paid by other insurance"))
    drug_cost = money_field(_("drugs"))
    off_formulary_drug_cost = money_field(_("out-of-formulary drugs"))
    out_of_county = models.BooleanField(_("out of county"), default=False)
    referral = models.BooleanField(_("referral"), default=False)
    migrant_certificate = models.BooleanField(_("migrant / student certificate"), default=False)
    # One-stop settlement facts (seed-003 R3 L137/L139): the patient's poverty status at entry, a disease of
    # the major-disease list, and over-treatment found by review (the hospital then bears the excess).
    poor = models.BooleanField(_("registered poor"), default=False)
    major_disease = models.CharField(_("major disease"), max_length=40, blank=True)
    over_treatment = models.BooleanField(_("over-treatment recorded"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.ENTERED
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["-discharge_date", "-id"]
        indexes = [
            models.Index(fields=["member", "discharge_date"], name="claim_member_date_idx"),
            models.Index(fields=["institution", "discharge_date"], name="claim_institution_date_idx"),
        ]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        permissions = [("settle_claim", _("Can settle claims on the spot"))]

    def __str__(self) -> str:
        return self.number


class SettlementKind(models.TextChoices):
    SETTLEMENT = "settlement", pgettext_lazy("settlement kind", "Settlement")
    REVERSAL = "reversal", _("Reversal")


class Settlement(AuditedModel):
    """The engine's result for a claim, with its explanation; a reversal negates an earlier one."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=10, choices=SettlementKind.choices)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    policy = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="settlements")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    sub_fund = models.CharField(_("sub-fund"), max_length=10, choices=SubFund.choices)
    eligible = models.BooleanField(_("eligible"))
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    total = models.DecimalField(_("total cost"), **MONEY)
    eligible_cost = models.DecimalField(_("eligible cost"), **MONEY)
    deductible = models.DecimalField(_("deductible"), **MONEY)
    pooled = models.DecimalField(_("pooled amount"), **MONEY)
    ratio = models.DecimalField(_("ratio"), max_digits=9, decimal_places=6, null=True, blank=True)
    reimbursed = models.DecimalField(_("reimbursed"), **MONEY)
    # The one-stop layers after basic insurance (`reimbursed`); zero under a policy without them.
    # reimbursed + the layers + patient_pays = total.
    serious_illness = money_field(_("serious-illness insurance"))
    supplementary = money_field(_("supplementary insurance"))
    assistance = money_field(_("medical assistance"))
    funds = money_field(_("assistance funds"))
    waiver = money_field(_("hospital waiver"))
    backstop = money_field(_("government backstop"))
    hospital_borne = money_field(_("borne by the hospital"))
    patient_pays = models.DecimalField(_("patient pays"), **MONEY)
    cap_applied = models.BooleanField(_("cap applied"), default=False)
    # [[step, amount in yuan as a string, clause], ...] in the order the engine applied them.
    steps = models.JSONField(_("explanation"), default=list)
    settled_on = models.DateField(_("settled on"))
    settled_at = models.DateTimeField(_("settled at"), auto_now_add=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["-settled_on", "-id"]
        indexes = [
            models.Index(fields=["institution", "settled_on"], name="settlement_institution_idx"),
            models.Index(fields=["division", "settled_on"], name="settlement_division_idx"),
        ]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")


class StatementState(models.TextChoices):
    OPEN = "open", _("Under review")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class Statement(AuditedModel):
    """What a scheme owes an institution for one month of on-the-spot settlements (月结算).

    `division` is the scheme's county (the payer), which is also what the scheme office's scope sees;
    the institution may lie outside it.
    """

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="statements"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # first day of the month
    state = models.CharField(
        _("state"), max_length=10, choices=StatementState.choices, default=StatementState.OPEN
    )
    facility_level = models.PositiveSmallIntegerField(_("facility level"))
    settled_amount = money_field(_("settled on the spot"))
    rejected_amount = money_field(_("rejected"))
    drug_cost = money_field(_("drugs"))
    off_formulary_drug_cost = money_field(_("out-of-formulary drugs"))
    formulary_base = money_field(_("share denominator"))
    formulary_limit = models.DecimalField(_("limit"), max_digits=7, decimal_places=4, default=0)
    formulary_deduction = money_field(_("out-of-formulary deduction"))
    amount_due = money_field(_("amount to pay"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["-month", "institution_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month"], name="statement_institution_month_unique"
            )
        ]
        verbose_name = _("monthly statement")
        verbose_name_plural = _("monthly statements")
        permissions = [("review_statement", _("Can review and approve institution statements"))]

    @property
    def off_formulary_share(self):
        if not self.formulary_base:
            return None
        return self.off_formulary_drug_cost / self.formulary_base


class ItemDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class StatementItem(AuditedModel):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="items")
    settlement = models.OneToOneField(Settlement, on_delete=models.PROTECT, related_name="statement_item")
    decision = models.CharField(
        _("decision"), max_length=10, choices=ItemDecision.choices, default=ItemDecision.APPROVED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["settlement__settled_on", "settlement_id"]
        verbose_name = _("statement item")
        verbose_name_plural = _("statement items")
