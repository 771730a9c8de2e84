"""Health poverty alleviation (健康扶贫) records: the registry of the poor population with its status
history, the department lists reconciled against it and the mismatches found, family-doctor teams,
contracts, fulfilment and follow-ups, village cover by township doctors, and check-up campaigns.

A person's village decides who sees them (division scope); the village clinic that serves the village
is the owning institution, so a village doctor sees the people of the clinic's village and no one else.
Rates are never stored: they are computed from these records (selectors, engine/kpi.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core.audit import AuditedModel
from weijian.core.models import Division, Organisation
from weijian.core.scope import ScopedQuerySet
from weijian.insurance.models import Member
from weijian.registry.models import Institution, Practitioner


class PopulationGroup(models.TextChoices):
    REGISTERED_POOR = "registered_poor", _("Registered poor (建档立卡)")
    LOW_INCOME = "low_income", _("Low-income rural household (低收入农户)")
    MONITORED = "monitored", _("Edge / monitored household (边缘户·监测户)")


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("In the registry")
    EXITED = "exited", _("Exited poverty (脱贫)")


class Residence(models.TextChoices):
    RESIDENT = "resident", _("Resident (常住)")
    LONG_ABSENT = "long_absent", _("Long-term absent (长期外出)")
    MIGRANT_WORK = "migrant_work", _("Away for work (外出务工)")


class PersonCategory(models.TextChoices):
    WUBAO = "wubao", _("Five-guarantee (五保)")
    DIBAO = "dibao", _("Minimum allowance (低保)")
    TEKUN = "tekun", _("Extremely poor (特困)")
    DISABLED = "disabled", _("Disabled")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("Special family-planning family")


class PoorHousehold(AuditedModel):
    """A household of the registry (户), with its assigned helper (帮扶责任人)."""

    number = models.CharField(_("household number"), max_length=30, unique=True)
    village = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    clinic = models.ForeignKey(
        Institution,
        verbose_name=_("village clinic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head_name = models.CharField(_("head of household"), max_length=50)
    helper_name = models.CharField(_("assigned helper"), max_length=50, blank=True)
    helper_phone = models.CharField(_("helper's phone"), max_length=30, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "village"
    scope_organisation_path = "clinic"

    class Meta:
        ordering = ["number"]
        verbose_name = _("poor household")
        verbose_name_plural = _("poor households")

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"


class PoorPerson(AuditedModel):
    """A person of the registry: identity, group and status, disease profile, links to insurance and care."""

    household = models.ForeignKey(
        PoorHousehold, verbose_name=_("household"), on_delete=models.PROTECT, related_name="persons"
    )
    id_number = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    # Copied from the household so that scope and counts per village are one indexed filter.
    village = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    clinic = models.ForeignKey(
        Institution,
        verbose_name=_("village clinic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.CharField(_("population group"), max_length=20, choices=PopulationGroup.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PovertyStatus.choices, default=PovertyStatus.POOR
    )
    registered_year = models.PositiveSmallIntegerField(_("year registered"))
    impoverished_by_illness = models.BooleanField(_("impoverished by illness (因病致贫)"), default=False)
    residence = models.CharField(
        _("residence"), max_length=15, choices=Residence.choices, default=Residence.RESIDENT
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    # Codes from the major-disease list of the one-stop policy and from poverty/data/catalogue.toml.
    major_disease = models.CharField(_("major disease"), max_length=40, blank=True)
    chronic_diseases = models.JSONField(_("chronic diseases (class I / II)"), default=list, blank=True)
    programmes = models.JSONField(_("key-population programmes"), default=list, blank=True)
    member = models.OneToOneField(
        Member,
        verbose_name=_("insurance member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="poor_person",
    )
    village_doctor = models.ForeignKey(
        Practitioner,
        verbose_name=_("village doctor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "village"
    scope_organisation_path = "clinic"

    class Meta:
        ordering = ["village_id", "household_id", "id"]
        indexes = [models.Index(fields=["village", "status"], name="poor_person_village_idx")]
        verbose_name = _("poor person")
        verbose_name_plural = _("poor persons")
        permissions = [("manage_registry", _("Can register, exit and re-enter poor persons"))]

    def __str__(self) -> str:
        return self.name


class StatusAction(models.TextChoices):
    ENTER = "enter", _("Entered the registry")
    EXIT = "exit", _("Exited poverty")
    RE_ENTER = "re_enter", _("Re-entered (返贫)")


class StatusChange(AuditedModel):
    """One dated step of a person's status history (dynamic adjustment, 动态管理)."""

    person = models.ForeignKey(PoorPerson, on_delete=models.PROTECT, related_name="status_changes")
    action = models.CharField(_("action"), max_length=10, choices=StatusAction.choices)
    status_after = models.CharField(_("status after"), max_length=10, choices=PovertyStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "person__village"
    scope_organisation_path = "person__clinic"

    class Meta:
        ordering = ["person_id", "effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class ListSource(models.TextChoices):
    POVERTY = "poverty", _("Poverty office roster")
    INSURANCE = "insurance", _("Insurance enrolment")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs assistance")
    HEALTH_RECORDS = "health_records", _("Health records")


class DepartmentList(AuditedModel):
    """One imported list of a department (a file), kept so that a mismatch can name its row."""

    source = models.CharField(_("source"), max_length=20, choices=ListSource.choices)
    division = models.ForeignKey(Division, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("department list")
        verbose_name_plural = _("department lists")
        permissions = [("reconcile", _("Can import department lists and reconcile them"))]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.file_name}"


class ListRow(models.Model):
    """A row of a department list as it was in the file (not audited: the list's import is)."""

    department_list = models.ForeignKey(DepartmentList, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    id_number = models.CharField(_("resident ID number"), max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    village_code = models.CharField(_("village code"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=10, blank=True)

    class Meta:
        ordering = ["department_list_id", "row"]
        constraints = [models.UniqueConstraint(fields=["department_list", "row"], name="list_row_unique")]

    def __str__(self) -> str:
        return f"{self.department_list_id}:{self.row}"


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Reconciliation(AuditedModel):
    """One comparison of the latest list of each source in an area."""

    division = models.ForeignKey(Division, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    lists = models.ManyToManyField(DepartmentList, verbose_name=_("lists compared"), related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    counts = models.JSONField(_("mismatches by kind"), default=dict, blank=True)
    # Per village, as counted from the lists (never typed): poor, poor_enrolled, health_records,
    # health_persons, residents. The page sums them per township and computes the rates.
    rates = models.JSONField(_("data-quality counts by village"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")


class MismatchKind(models.TextChoices):
    INVALID_ID = "invalid_id", _("Invalid ID number")
    DUPLICATE = "duplicate", _("Same person twice in a list")
    NOT_ENROLLED = "not_enrolled", _("Poor person not enrolled in insurance")
    MISSING = "missing", _("On one list but not on another")
    STATUS_CONFLICT = "status_conflict", _("Exited in one list, poor in another")
    RECORDS_EXCEED_RESIDENTS = "records_exceed_residents", _("More health records than residents")


class MismatchState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Mismatch(AuditedModel):
    """A work item: one mismatch found by reconciliation, owned by an organisation until resolved.

    `fingerprint` identifies the same mismatch across runs, so running again neither duplicates an open
    item nor reopens a resolved one that is still resolved in the data.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=MismatchKind.choices)
    source = models.CharField(_("list"), max_length=20, choices=ListSource.choices, blank=True)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    other_source = models.CharField(_("other list"), max_length=20, choices=ListSource.choices, blank=True)
    other_row = models.PositiveIntegerField(_("row in the other list"), null=True, blank=True)
    id_number = models.CharField(_("resident ID number"), max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="poverty_mismatches"
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=MismatchState.choices, default=MismatchState.OPEN
    )
    found_by = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="found")
    last_seen_by = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="seen")
    resolution = models.CharField(_("how it was resolved"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "owner"

    class Meta:
        ordering = ["state", "deadline", "id"]
        indexes = [models.Index(fields=["division", "state"], name="mismatch_division_state_idx")]
        verbose_name = _("mismatch")
        verbose_name_plural = _("mismatches")
        permissions = [("resolve_mismatch", _("Can resolve reconciliation mismatches"))]


class TeamRole(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    PUBLIC_HEALTH = "public_health", _("Public-health staff")
    VILLAGE_DOCTOR = "village_doctor", _("Village doctor")


class DoctorTeam(AuditedModel):
    """A family-doctor team (家庭医生团队) of an institution."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="doctor_teams"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("team name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("family-doctor team")
        verbose_name_plural = _("family-doctor teams")

    def __str__(self) -> str:
        return self.name


class TeamMember(AuditedModel):
    team = models.ForeignKey(DoctorTeam, on_delete=models.CASCADE, related_name="members")
    practitioner = models.ForeignKey(
        Practitioner, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the team"), max_length=20, choices=TeamRole.choices)

    class Meta:
        ordering = ["team_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "practitioner"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.practitioner_id}"


class ContractCategory(models.TextChoices):
    """The population segment a contract counts toward (R1 L39 targets per segment)."""

    REGISTERED_POOR = "registered_poor", _("Registered poor")
    KEY_GROUP = "key_group", _("Key group")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("Special family-planning family")
    GENERAL = "general", _("General population")


class ServicePackage(models.TextChoices):
    """R6 L291: basic medical services and health management."""

    BASIC = "basic", _("Basic medical services")
    HEALTH_MANAGEMENT = "health_management", _("Basic services + health management")


class ContractState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class Contract(AuditedModel):
    """A family-doctor contract (签约) between a person and a team."""

    person = models.ForeignKey(
        PoorPerson, verbose_name=_("person"), on_delete=models.PROTECT, related_name="contracts"
    )
    team = models.ForeignKey(
        DoctorTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="contracts"
    )
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    category = models.CharField(_("population category"), max_length=30, choices=ContractCategory.choices)
    package = models.CharField(_("service package"), max_length=30, choices=ServicePackage.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ContractState.choices, default=ContractState.ACTIVE
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "person__village"
    scope_organisation_path = "person__clinic"

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("family-doctor contract")
        verbose_name_plural = _("family-doctor contracts")
        permissions = [("record_service", _("Can record contracts, fulfilment and follow-ups"))]


class NotDoneReason(models.TextChoices):
    LONG_ABSENT = "long_absent", _("Long-term absent (长期外出)")
    MIGRANT_WORK = "migrant_work", _("Away for work (外出打工)")
    HOSPITALISED = "hospitalised", _("In hospital")
    REFUSED = "refused", _("Refused")
    DECEASED = "deceased", _("Deceased")


class Fulfilment(AuditedModel):
    """One service delivered (or not) under a contract (履约)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="fulfilments")
    done_on = models.DateField(_("date"))
    content = models.CharField(_("service content"), max_length=200)
    done = models.BooleanField(_("done"), default=True)
    reason_not_done = models.CharField(
        _("why not done"), max_length=20, choices=NotDoneReason.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "contract__person__village"
    scope_organisation_path = "contract__person__clinic"

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")


class FollowUpMethod(models.TextChoices):
    HOME = "home", _("Home visit")
    PHONE = "phone", _("Phone")
    CLINIC = "clinic", _("At the clinic")


class FollowUpResult(models.TextChoices):
    STABLE = "stable", _("Controlled")
    UNSTABLE = "unstable", _("Not controlled")
    REFERRED = "referred", _("Referred")
    NOT_REACHED = "not_reached", _("Not reached")


class FollowUp(AuditedModel):
    """A follow-up of a person under a key-population programme (随访)."""

    person = models.ForeignKey(PoorPerson, on_delete=models.PROTECT, related_name="follow_ups")
    programme = models.CharField(_("programme"), max_length=30)
    done_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=FollowUpMethod.choices)
    result = models.CharField(_("result"), max_length=15, choices=FollowUpResult.choices)
    note = models.CharField(_("findings"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "person__village"
    scope_organisation_path = "person__clinic"

    class Meta:
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["person", "programme", "done_on"], name="follow_up_person_idx")]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


class VillageCover(AuditedModel):
    """A township doctor assigned to a village without its own doctor (包村医生, R6 L335)."""

    village = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    practitioner = models.ForeignKey(
        Practitioner, verbose_name=_("covering doctor"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("township hospital"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "village"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["village_id", "-since"]
        verbose_name = _("village cover")
        verbose_name_plural = _("village covers")


class SittingMonth(AuditedModel):
    """Days a covering doctor sat at the village clinic in one month (7–10 required, R6 L335)."""

    cover = models.ForeignKey(VillageCover, on_delete=models.PROTECT, related_name="months")
    month = models.DateField(_("month"))  # the first day of the month
    days = models.PositiveSmallIntegerField(_("days at the village"))

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "cover__village"
    scope_organisation_path = "cover__institution"

    class Meta:
        ordering = ["cover_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["cover", "month"], name="sitting_month_unique")]
        verbose_name = _("sitting days")
        verbose_name_plural = _("sitting days")


class CheckupTarget(models.TextChoices):
    POOR_7_TO_64 = "poor_7_to_64", _("Poor persons aged 7–64")
    ALL_POOR = "all_poor", _("All poor persons")
    KEY_GROUPS = "key_groups", _("Poor persons in key-population programmes")


class CheckupCampaign(AuditedModel):
    """A free health check-up campaign (免费健康体检) over an area and a window."""

    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(Division, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    target = models.CharField(_("target group"), max_length=20, choices=CheckupTarget.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("check-up campaign")
        verbose_name_plural = _("check-up campaigns")

    def __str__(self) -> str:
        return self.name


class Checkup(AuditedModel):
    campaign = models.ForeignKey(CheckupCampaign, on_delete=models.PROTECT, related_name="checkups")
    person = models.ForeignKey(PoorPerson, on_delete=models.PROTECT, related_name="checkups")
    examined_on = models.DateField(_("examined on"))

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "person__village"
    scope_organisation_path = "person__clinic"

    class Meta:
        ordering = ["-examined_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="checkup_once_per_campaign")
        ]
        verbose_name = _("check-up")
        verbose_name_plural = _("check-ups")
