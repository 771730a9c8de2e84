"""Complaints and tips (投诉举报): intake on every channel, triage, transfer, check, result, reply, rating.

受理 → 分办 (in-house) / 转办 (to the responsible organisation) → 核查 → 处理 (办结) → 答复 → 满意度.
The state machine is the table in `weijian.complaints.workflow`; only its service changes `state`.
The reply is due a number of working days after receipt (20 by default, seed-000 篇6 §6.5), set per
category.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.core.audit import AuditedModel
from weijian.core.models import Division, Organisation
from weijian.core.scope import ScopedQuerySet
from weijian.registry.models import Institution

DEFAULT_REPLY_WORKING_DAYS = 20


class ComplaintCategory(models.Model):
    """What a complaint is about, with its reply deadline and whether every one needs an on-site check
    (举报1例现场核查1例, seed-004 §7.14). Loaded from data/complaint_categories.toml after migrate."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    reply_working_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"), default=DEFAULT_REPLY_WORKING_DAYS
    )
    requires_on_site_check = models.BooleanField(_("on-site check required"), default=False)
    violation_category = models.ForeignKey(
        ViolationCategory,
        verbose_name=_("violation category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    WALK_IN = "walk_in", _("Walk-in")
    WECHAT = "wechat", _("WeChat")
    PETITION = "petition", _("Petition letters and visits")
    REFERRAL = "referral", _("Passed on by a department")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned in-house")
    TRANSFERRED = "transferred", _("Transferred")
    CHECKING = "checking", _("Being checked")
    HANDLED = "handled", _("Handled (closed)")
    REPLIED = "replied", _("Replied")
    RATED = "rated", _("Satisfaction recorded")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Complaint(AuditedModel):
    # A short code the complainant can quote to ask about progress (e.g. TS2026-000123).
    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"))
    received_on = models.DateField(_("received on"), db_index=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("phone"), max_length=30, blank=True)
    complainant_email = models.CharField(_("email"), max_length=100, blank=True)
    # Who or what the complaint is about: a registered institution, or a name as the complainant gave it.
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    subject_name = models.CharField(_("complained about"), max_length=200, blank=True)
    subject_address = models.CharField(_("address"), max_length=200, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="complaints"
    )
    category = models.ForeignKey(
        ComplaintCategory,
        verbose_name=_("complaint category"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    content = models.TextField(_("content"))
    state = models.CharField(
        _("state"), max_length=20, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    # The organisation that received it and the one handling it now (the same until a 转办).
    received_by = models.ForeignKey(
        Organisation, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    handling_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("handling organisation"),
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due = models.DateField(_("reply due"), db_index=True)
    on_site_checked_on = models.DateField(_("on-site check on"), null=True, blank=True)
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    result = models.TextField(_("handling result"), blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )  # Set by the enforcement app when a case opened from this complaint reaches a penalty decision: the
    # 实施行政处罚件 counter of the summary table reads it instead of joining cases and penalties.
    led_to_penalty = models.BooleanField(_("led to an administrative penalty"), default=False, editable=False)

    # SHA-256 of the tracking key shown once at intake: the only way to follow an anonymous complaint.
    tracking_key_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    # An institution sees the complaints transferred to it for handling, nothing else.
    scope_organisation_path = "handling_organisation"
    audit_exclude = frozenset({"tracking_key_hash"})

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("triage_complaint", _("Can assign and transfer complaints")),
            ("handle_complaint", _("Can check, handle and reply to complaints")),
        ]
        indexes = [
            models.Index(fields=["campaign", "received_on"]),
            models.Index(fields=["state", "reply_due"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def replied_late(self) -> bool | None:
        """Late when the reply came after the due date; None while there is no reply."""
        if self.replied_on is None:
            return None
        return self.replied_on > self.reply_due


class ComplaintEvent(models.Model):
    """One applied transition, in order: the complaint's own history, beside the audit trail."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=20, choices=ComplaintState.choices)
    to_state = models.CharField(max_length=20, choices=ComplaintState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_state} → {self.to_state}"
