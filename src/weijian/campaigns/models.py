"""Special campaigns (专项行动/专项整治) as data: scope, tasks with lead and co-operating departments,
phases with deliverables, coverage targets, reporting calendar, leading group and liaisons.

A template is a campaign with `is_template=True` and no division; `campaign new` copies it into a
division and a year, resolving each department code to the organisation of that kind there. Templates
are year-less: their dates are stored in `TEMPLATE_YEAR` (a leap year, so 02-29 fits; a date in the
following year means the campaign runs over the new year) and get the real year when instantiated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core.audit import AuditedModel
from weijian.core.models import Division, Organisation
from weijian.core.scope import ScopedQuerySet

TEMPLATE_YEAR = 2000


class ViolationCategory(models.Model):
    """A kind of violation or risk a finding, a task or a case is about (seed-004 §5, incl. the eight
    safety risk types of §5.12, and the medical-beauty categories of seed-000 篇1)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("group"), max_length=100)
    is_safety_risk = models.BooleanField(_("safety risk type"), default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")

    def __str__(self) -> str:
        return self.name


class Campaign(AuditedModel):
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    is_template = models.BooleanField(_("template"), default=False)
    template_code = models.CharField(_("template code"), max_length=50, blank=True, db_index=True)
    cloned_from = models.ForeignKey(
        "self",
        verbose_name=_("cloned from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clones",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("campaign owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_campaigns",
    )
    issuing_organisations = models.CharField(_("issued by"), max_length=300, blank=True)
    # [{"title": ..., "number": ...}]: the upper-level documents the campaign rests on.
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    guiding_principle = models.TextField(_("guiding principle"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    # Scope: institution types, ownerships and grade levels (empty list = all), inside `division`.
    scope_institution_types = models.JSONField(_("institution types in scope"), default=list, blank=True)
    scope_ownerships = models.JSONField(_("ownerships in scope"), default=list, blank=True)
    scope_grade_levels = models.JSONField(_("grade levels in scope"), default=list, blank=True)
    scope_note = models.TextField(_("scope as written in the plan"), blank=True)
    hotline = models.CharField(_("complaint hotline"), max_length=50, blank=True)
    email = models.CharField(_("complaint email"), max_length=100, blank=True)
    postal_address = models.CharField(_("complaint postal address"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None  # institution users reach campaigns through campaigns.selectors

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class DepartmentRef(models.TextChoices):
    """Who a task or deliverable belongs to, by kind, so templates need no concrete organisation."""

    COMMISSION = "commission", _("Health commission")
    SUPERVISION_INSTITUTE = "supervision_institute", _("Health supervision institute")
    SCHEME_OFFICE = "scheme_office", _("Medical scheme office")
    INSTITUTIONS = "institutions", _("Medical institutions")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance bureau")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    POVERTY_ALLEVIATION = "poverty_alleviation", _("Poverty alleviation office")
    PUBLIC_SECURITY = "public_security", _("Public security")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    CYBERSPACE = "cyberspace", _("Cyberspace administration")
    DEVELOPMENT_REFORM = "development_reform", _("Development and reform")
    FINANCE = "finance", _("Finance")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    EDUCATION = "education", _("Education")
    DRUG_ADMINISTRATION = "drug_administration", _("Drug administration")
    JUSTICE = "justice", _("Procuratorate and courts")
    OTHER = "other", _("Other department")


class CampaignTask(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_department = models.CharField(_("lead department"), max_length=30, choices=DepartmentRef.choices)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    violation_categories = models.ManyToManyField(ViolationCategory, blank=True, related_name="tasks")

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")

    def __str__(self) -> str:
        return self.title


class TaskPartner(AuditedModel):
    """A co-operating (配合) department of a task, or a co-lead where the plan names two leads
    ("发展改革局、医疗保障局牵头负责", seed-004 §1.2 三.3)."""

    task = models.ForeignKey(CampaignTask, on_delete=models.CASCADE, related_name="partners")
    department = models.CharField(_("department"), max_length=30, choices=DepartmentRef.choices)
    # The department's name as the plan writes it, e.g. 消防救援大队 for an `other` department.
    label = models.CharField(_("name in the plan"), max_length=100, blank=True)
    co_lead = models.BooleanField(_("co-lead"), default=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="partner_tasks"
    )

    class Meta:
        ordering = ["task", "id"]


class Phase(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(_("phase"), max_length=100)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    activities = models.TextField(_("activities"), blank=True)

    class Meta:
        ordering = ["campaign", "order"]

    def __str__(self) -> str:
        return self.name


class Deliverable(AuditedModel):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(_("deliverable"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    submitter_department = models.CharField(_("submitted by"), max_length=30, choices=DepartmentRef.choices)
    recipient = models.CharField(_("submitted to"), max_length=100, blank=True)

    class Meta:
        ordering = ["phase", "due", "id"]


class InstitutionClass(models.TextChoices):
    """The classes coverage targets are set for (seed-004 §7.12: hospitals or county-level 100%,
    others ≥ 50%). `weijian.campaigns.coverage.class_of` assigns an institution to one."""

    COUNTY_LEVEL = "county_level", _("County-level institutions and hospitals")
    TOWNSHIP_HOSPITAL = "township_hospital", _("Township hospitals")
    COMMUNITY = "community", _("Community health centres and stations")
    VILLAGE_CLINIC = "village_clinic", _("Village clinics")
    CLINIC = "clinic", _("Clinics and outpatient departments")
    MEDICAL_BEAUTY = "medical_beauty", _("Medical beauty institutions")


class CoverageTarget(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="coverage_targets")
    institution_class = models.CharField(
        _("institution class"), max_length=30, choices=InstitutionClass.choices
    )
    target_percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "institution_class"], name="coverage_target_unique_class"
            )
        ]


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")
    IMMEDIATE = "immediate", _("Immediately when it happens")
    AFTER_INSPECTION = "after_inspection", _("After each inspection")


class ReportingRule(AuditedModel):
    """One line of the reporting calendar, e.g. weekly, Friday 11:00, covering last Friday → this Friday."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reporting_rules")
    title = models.CharField(_("report"), max_length=200)
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday (1 = Monday)"), null=True, blank=True)
    cutoff = models.TimeField(_("cut-off time"), null=True, blank=True)
    # Month-day strings ("03-20") for quarterly and annual reports on named dates.
    dates = models.JSONField(_("named dates"), default=list, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    # For reports due a number of working days after an event (A18: 7 working days after an inspection).
    within_working_days = models.PositiveSmallIntegerField(_("within working days"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)  # e.g. the period covered
    form_code = models.CharField(_("form"), max_length=50, blank=True)
    submitter_department = models.CharField(
        _("submitted by"), max_length=30, choices=DepartmentRef.choices, blank=True
    )


class LeadingGroupMember(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leading_group")
    order = models.PositiveIntegerField(default=0)
    group_role = models.CharField(_("role in the group"), max_length=50)  # 组长 / 副组长 / 成员 / 办公室主任
    name = models.CharField(_("name"), max_length=50, blank=True)
    title = models.CharField(_("post"), max_length=100, blank=True)

    class Meta:
        ordering = ["campaign", "order"]


class Liaison(AuditedModel):
    """The liaison officer (联络员) an organisation names for the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="liaisons")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="liaisons")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="one_liaison_per_org")
        ]
