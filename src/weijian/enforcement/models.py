"""Enforcement: on-site checks, the case ledger (案件台账) with penalties, referrals between departments,
transfers to the police or judiciary (行刑衔接), bad-conduct points and the blacklist.

Case: 线索 → 核查 → 立案 (简易/一般) → 调查 → 处罚决定 → 执行 → 结案, through the table in
`weijian.enforcement.workflow`; a case may be handed over to another department (移送) from any open
state. Only the services change states.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.complaints.models import Complaint
from weijian.core.audit import AuditedModel
from weijian.core.models import Division, Organisation
from weijian.core.scope import ScopedQuerySet, scope_of
from weijian.inspections.models import Inspection
from weijian.registry.models import Institution, Practitioner


class SubjectType(models.TextChoices):
    """The 机构 / 人员 split of the medical-beauty summary table."""

    ORGANISATION = "organisation", pgettext_lazy("subject type", "Organisation")
    PERSON = "person", pgettext_lazy("subject type", "Person")


class VenueType(models.TextChoices):
    """Where unlicensed medical beauty is found (seed-000 篇1 §1.1: hotels, clubs, residential flats)."""

    BEAUTY_SALON = "beauty_salon", _("Lifestyle beauty salon")
    HOTEL = "hotel", _("Hotel")
    CLUB = "club", _("Club")
    RESIDENTIAL = "residential", _("Residential building")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")


class Subject(models.Model):
    """Who a check or case is about: a registered institution, a registered practitioner, or a party
    the registry does not know (an unlicensed salon, a person practising without a licence).

    `subject_type` and `subject_key` are set by `weijian.enforcement.subjects.fill_subject`:
    the type decides the 机构/人员 column, the key counts each subject once.
    """

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("practitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_name = models.CharField(_("party name"), max_length=200, blank=True)
    party_is_person = models.BooleanField(_("party is a person"), default=False)
    # ID number of a person or unified social credit code of an organisation, when known.
    party_id_number = models.CharField(_("ID number or credit code"), max_length=18, blank=True)
    party_address = models.CharField(_("address"), max_length=200, blank=True)
    venue_type = models.CharField(_("venue"), max_length=20, choices=VenueType.choices, blank=True)
    subject_type = models.CharField(_("subject type"), max_length=12, choices=SubjectType.choices)
    subject_key = models.CharField(max_length=120, editable=False, db_index=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def subject_name(self) -> str:
        if self.institution_id:
            return self.institution.organisation.name
        if self.practitioner_id:
            return self.practitioner.name
        return self.party_name


class SiteCheck(Subject, AuditedModel):
    """One inspected object (检查对象) of a campaign: the first row of the medical-beauty summary table.
    Recorded for registered institutions (optionally pointing at the inspection) and for parties the
    registry does not know."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="site_checks"
    )
    category = models.ForeignKey(
        ViolationCategory, verbose_name=_("violation category"), on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("checked on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="site_checks",
    )
    violation_found = models.BooleanField(_("violation found"), default=False)
    note = models.TextField(_("note"), blank=True)
    # The subject's earliest check in this campaign and category (`subjects.mark_first_checks` keeps it
    # true on exactly one check per subject): 检查对象数 counts objects, not visits, with one plain count.
    first_of_subject = models.BooleanField(default=False, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("site check")
        verbose_name_plural = _("site checks")
        indexes = [
            models.Index(fields=["campaign", "checked_on"]),
            # A subject's checks in a campaign and category, for `subjects.mark_first_checks`.
            models.Index(
                fields=["campaign", "category", "subject_key"],
                include=["checked_on", "division"],
                name="sitecheck_subjects_idx",
            ),
            # 检查对象数: the first checks only, counted per category from this index alone.
            models.Index(
                fields=["campaign", "category"],
                include=["checked_on", "division"],
                condition=models.Q(first_of_subject=True),
                name="sitecheck_first_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.subject_name}"


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection finding")
    COMPLAINT = "complaint", _("Complaint or tip")
    REFERRAL = "referral", _("Referral from a department")
    SUPERIOR = "superior", _("Supervised by a superior authority")
    OTHER = "other", _("Other")


class Procedure(models.TextChoices):
    SIMPLE = "simple", _("Summary procedure")
    GENERAL = "general", _("General procedure")


class CaseState(models.TextChoices):
    LEAD = "lead", _("Lead")
    VERIFYING = "verifying", _("Verifying")
    FILED = "filed", _("Filed")
    INVESTIGATING = "investigating", _("Investigating")
    DECIDED = "decided", _("Penalty decided")
    EXECUTING = "executing", _("Executing")
    CLOSED = "closed", pgettext_lazy("case", "Closed")
    DROPPED = "dropped", _("Not filed")
    HANDED_OVER = "handed_over", _("Handed over to another department")


class Case(Subject, AuditedModel):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("handling organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    referral = models.ForeignKey(
        "Referral",
        verbose_name=_("referral"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_cases",
    )
    category = models.ForeignKey(
        ViolationCategory, verbose_name=_("violation category"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    facts = models.TextField(_("illegal facts"), blank=True)
    law_violated = models.TextField(_("law violated"), blank=True)
    penalty_basis = models.TextField(_("penalty basis"), blank=True)
    procedure = models.CharField(_("procedure"), max_length=10, choices=Procedure.choices, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.LEAD)
    opened_on = models.DateField(_("lead recorded on"))
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    decided_on = models.DateField(_("penalty decided on"), null=True, blank=True)
    closed_on = models.DateField(pgettext_lazy("case", "closed on"), null=True, blank=True)
    is_typical = models.BooleanField(_("typical case"), default=False)
    narrative = models.TextField(_("case narrative"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None  # institutions see no case ledger

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("file_case", _("Can verify and file cases")),
            ("decide_case", _("Can record penalty decisions and close cases")),
            ("transfer_case", _("Can refer and transfer cases")),
        ]
        indexes = [
            models.Index(fields=["campaign", "filed_on"]),
            models.Index(fields=["campaign", "decided_on"]),
            models.Index(fields=["state"]),
            # The official forms group filed cases by category and subject type from this index alone.
            models.Index(
                fields=["campaign", "category", "subject_type"],
                include=["filed_on", "division"],
                name="case_form_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=20, choices=CaseState.choices)
    to_state = models.CharField(max_length=20, choices=CaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class PenaltyKind(models.TextChoices):
    CORRECTION_ORDER = "correction_order", _("Order to correct")
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    CONFISCATION = "confiscation", _("Confiscation of illegal income")
    SUSPENSION = "suspension", _("Order to suspend business for rectification")
    REVOCATION = "revocation", _("Revocation of a licence or qualification")
    OTHER = "other", _("Other measure")


# Kinds that carry an amount in yuan.
PENALTY_KINDS_WITH_AMOUNT = frozenset({PenaltyKind.FINE, PenaltyKind.CONFISCATION})


class Penalty(AuditedModel):
    """One measure of a penalty decision. A decision may impose several (warning and fine, say).

    The case's campaign, division, category and decision date are copied here when the decision is
    recorded, so the official forms aggregate one table (seed-000 篇1 附件1 over a million cases)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="penalties")
    kind = models.CharField(_("measure"), max_length=20, choices=PenaltyKind.choices)
    # Money is yuan with fen; never a float.
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("details"), max_length=200, blank=True)
    # Usually the case's subject; a case against an institution may also warn a person (对x名执业人员给予警告).
    subject_type = models.CharField(_("penalised"), max_length=12, choices=SubjectType.choices)
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("practitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(ViolationCategory, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        indexes = [
            models.Index(fields=["campaign", "decided_on"]),
            # The official forms total the measures from this index alone (bench/beauty_summary.py).
            models.Index(
                fields=["campaign", "category", "subject_type", "kind"],
                include=["decided_on", "division", "amount"],
                name="penalty_form_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CONCLUDED = "concluded", _("Outcome reported")


class ReferralQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Sender and recipient both see a referral, besides everyone whose subtree holds it."""
        scope = scope_of(user)
        mine = self.within(scope)
        if scope.everything or user.organisation_id is None:
            return mine
        return self.filter(
            models.Q(pk__in=mine.values("pk"))
            | models.Q(from_organisation_id=user.organisation_id)
            | models.Q(to_organisation_id=user.organisation_id)
        )


class Referral(Subject, AuditedModel):
    """A lead or case passed between organisations (线索通报 / 移送), e.g. market regulation → health about
    a salon, or health → cyberspace about online content."""

    from_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("sending organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case referred"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_out",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        ViolationCategory, verbose_name=_("violation category"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("facts"))
    sent_on = models.DateField(_("sent on"))
    state = models.CharField(
        _("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.SENT
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    decided_on = models.DateField(_("accepted or declined on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation}: {self.subject_name}"


class JudicialTransferState(models.TextChoices):
    SENT = "sent", pgettext_lazy("judicial transfer", "Transferred")
    ACKNOWLEDGED = "acknowledged", _("Receipt acknowledged")
    ACCEPTED = "accepted", _("Accepted for criminal investigation")
    DECLINED = "declined", _("Not accepted")
    CONCLUDED = "concluded", _("Outcome reported")


class JudicialTransfer(AuditedModel):
    """A suspected crime handed to the police or the judiciary (行政执法与刑事司法衔接)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="judicial_transfers"
    )
    receiving_body = models.CharField(_("receiving body"), max_length=100)  # e.g. 县公安局
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # One item per line: the evidence handed over with the case (鉴定检测 results, records, exhibits).
    evidence = models.JSONField(_("evidence handed over"), default=list)
    sent_on = models.DateField(_("transferred on"))
    state = models.CharField(
        _("state"), max_length=20, choices=JudicialTransferState.choices, default=JudicialTransferState.SENT
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    decided_on = models.DateField(_("accepted or declined on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    # Copied from the case for the forms (行刑衔接 counts in row 移送司法机关).
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(ViolationCategory, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=12, choices=SubjectType.choices)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("transfer to the police or judiciary")
        verbose_name_plural = _("transfers to the police or judiciary")
        indexes = [models.Index(fields=["campaign", "sent_on"])]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.receiving_body}"


class CreditPoint(AuditedModel):
    """Bad-conduct points (不良执业行为记分) given to an institution or a practitioner for a penalty,
    by the rules in data/credit_rules.toml."""

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_points"
    )
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_points"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="credit_points")
    penalty = models.ForeignKey(
        Penalty, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_points"
    )
    rule = models.CharField(_("rule"), max_length=40)
    points = models.PositiveSmallIntegerField(_("points"))
    awarded_on = models.DateField(_("awarded on"))
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("bad-conduct points")
        verbose_name_plural = _("bad-conduct points")
        constraints = [
            # A rule scores a penalty once: re-running the scoring is idempotent.
            models.UniqueConstraint(
                fields=["case", "penalty", "rule", "institution", "practitioner"], name="credit_point_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.points}"


class BlacklistEntry(Subject, AuditedModel):
    """A seriously illegal institution or person on the blacklist (黑名单), for joint punishment (联合惩戒)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    listed_on = models.DateField(_("listed on"))
    # Who applies the joint punishment, as decided (e.g. 全县医疗卫生机构; 发改、医保、市场监管).
    punishment_scope = models.CharField(_("joint punishment scope"), max_length=200)
    until = models.DateField(_("listed until"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        permissions = [("manage_blacklist", _("Can list and remove blacklist entries"))]

    def __str__(self) -> str:
        return f"{self.subject_name} ({self.listed_on})"
