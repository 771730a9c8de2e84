"""Findings and hazards, and their closed-loop rectification (整改 → 复查 → 销号 → 回头看).

The state machine is the table in `weijian.rectification.workflow`; only its service changes `state`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.core.audit import AuditedModel
from weijian.core.scope import ScopedQuerySet
from weijian.inspections.models import Answer, Inspection
from weijian.registry.models import Institution


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class HazardSource(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("Self-inspection")
    ON_SITE = "on_site", _("On-site inspection")
    COMPLAINT = "complaint", _("Complaint or tip")
    REFERRAL = "referral", _("Referral from a department")
    SUPERIOR = "superior", _("Superior supervision")


class HazardState(models.TextChoices):
    FOUND = "found", _("Found")
    LISTED = "listed", _("Under listed supervision")
    PLANNED = "planned", _("Rectification plan")
    IN_PROGRESS = "in_progress", _("Rectifying")
    COMPLETED = "completed", _("Rectification completed")
    VERIFIED = "verified", _("Re-inspection passed")
    CLOSED = "closed", _("Closed out")
    LOOKED_BACK = "looked_back", _("Look-back done")


class Hazard(AuditedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="hazards"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="hazards"
    )
    source = models.CharField(_("source"), max_length=20, choices=HazardSource.choices)
    location = models.CharField(_("location or department"), max_length=100, blank=True)
    category = models.ForeignKey(ViolationCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=10, choices=HazardLevel.choices)
    description = models.TextField(_("description"))
    evidence = models.FileField(_("evidence"), upload_to="hazards/%Y/%m/", blank=True)
    found_on = models.DateField(_("found on"))
    state = models.CharField(
        _("state"), max_length=20, choices=HazardState.choices, default=HazardState.FOUND
    )
    # The written rectification report is due 7 working days after the inspection (seed-004 §7.7).
    report_due = models.DateField(_("rectification report due"), null=True, blank=True)
    # The five elements of a rectification plan (五落实, seed-004 §2.9.4).
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    funding = models.DecimalField(_("funding (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    contingency_plan = models.TextField(_("contingency plan"), blank=True)
    completion_evidence = models.TextField(_("completion evidence"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "institution__organisation__division"
    scope_organisation_path = "institution"
    # core.audit cannot yet serialise a FieldFile; until it records the file name, leave it out.

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        # The workflow's actions beyond the default add/change/view (see rectification.workflow).
        permissions = [
            ("list_hazard", _("Can place a major hazard under listed supervision")),
            ("plan_rectification", _("Can plan and carry out a rectification")),
            ("verify_rectification", _("Can re-inspect a rectification")),
            ("close_hazard", _("Can close out a hazard and look back")),
        ]
        indexes = [models.Index(fields=["state", "deadline"]), models.Index(fields=["state", "report_due"])]

    def __str__(self) -> str:
        return f"{self.institution} · {self.category} · {self.get_level_display()}"


class HazardEvent(models.Model):
    """One applied transition, in order: the hazard's own history, beside the audit trail."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=20, choices=HazardState.choices)
    to_state = models.CharField(max_length=20, choices=HazardState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["hazard", "at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.from_state} → {self.to_state}"
