"""Versioned checklists, self- and on-site inspections with their answers, and random sampling draws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.core.audit import AuditedModel
from weijian.core.scope import ScopedQuerySet
from weijian.registry.models import Institution


class Checklist(models.Model):
    """A checklist family, e.g. the A18 safety checklist; its content lives in versions."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return self.title


class ChecklistVersion(AuditedModel):
    """An immutable version. Editing a checklist creates a new version; inspections keep theirs."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    note = models.CharField(_("change note"), max_length=200, blank=True)
    # SHA-256 of the data file this version was loaded from; blank for versions edited in the app.
    # The loader compares it with the file so an unchanged file never makes a new version.
    source_digest = models.CharField(_("source digest"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["checklist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="checklist_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.checklist.title} v{self.number}"


class ChecklistSection(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(_("section"), max_length=200)
    violation_category = models.ForeignKey(ViolationCategory, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.title


class AnswerType(models.TextChoices):
    FOUND = "found", _("Not found / found (with text)")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")


class ChecklistItem(models.Model):
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(_("item"))
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices)
    requires_evidence = models.BooleanField(_("evidence required"), default=False)
    violation_category = models.ForeignKey(ViolationCategory, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["section", "order"]

    def __str__(self) -> str:
        return self.text[:60]


class InspectionKind(models.TextChoices):
    SELF = "self", _("Self-inspection")
    ON_SITE = "on_site", _("On-site inspection")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Inspection(AuditedModel):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="inspections"
    )
    checklist_version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="inspections"
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("inspected institution"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    inspected_on = models.DateField(_("inspection date"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspection team"), blank=True, related_name="inspections"
    )
    unit_head_name = models.CharField(_("head of the inspected unit"), max_length=50, blank=True)
    unit_head_signed_at = models.DateTimeField(_("signed by the unit head"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "institution__organisation__division"
    scope_organisation_path = "institution"

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.institution} {self.inspected_on} {self.get_kind_display()}"


class Answer(AuditedModel):
    """One item's answer. 未发现 is stored as found=False: a negative result, not an absence."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    found = models.BooleanField(_("found"), null=True, blank=True)  # FOUND and YES_NO answers
    number = models.DecimalField(_("number"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/%m/", blank=True)

    # core.audit cannot serialise a file field; services.inspection_answer records the file's name.

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_answer_per_item")]


class SamplingDraw(AuditedModel):
    """A random sampling draw (双随机): the inputs and seed are kept so anyone can re-run it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sampling_draws")
    seed = models.BigIntegerField(_("seed"))
    # {"institutions": {class: [ids…]}, "counts": {class: n}, "inspectors": [user ids…], "team_size": n}
    inputs = models.JSONField(_("inputs"))
    # [{"institution": id, "class": ..., "inspectors": [user ids…]}] in draw order
    result = models.JSONField(_("result"))
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)
    drawn_by = models.ForeignKey(  # None for a system run (`weijian sample` without --as)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "campaign__division"
    scope_organisation_path = None

    class Meta:
        ordering = ["-drawn_at"]
