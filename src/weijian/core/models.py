"""Divisions, organisations, users, API tokens, the audit trail and working-day overrides."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import textsearch
from .audit import AuditedModel
from .scope import ScopedQuerySet
from .validators import validate_credit_code_field, validate_division_code_field


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


# Digits of the 12-digit code that identify a division at each level (GB/T 2260 plus the
# statistical township and village segments): the subtree of a division is this prefix.
PREFIX_LENGTH = {
    DivisionLevel.PROVINCE: 2,
    DivisionLevel.CITY: 4,
    DivisionLevel.COUNTY: 6,
    DivisionLevel.TOWNSHIP: 9,
    DivisionLevel.VILLAGE: 12,
}


class Division(models.Model):
    """An administrative division (行政区划), keyed by its 12-digit statistical code."""

    code = models.CharField(
        _("division code"), max_length=12, primary_key=True, validators=[validate_division_code_field]
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def ancestors(self) -> list[Division]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class OrganisationKind(models.TextChoices):
    COMMISSION = "commission", _("Health commission")
    SUPERVISION_INSTITUTE = "supervision_institute", _("Health supervision institute")
    SCHEME_OFFICE = "scheme_office", _("Medical scheme office")
    DEPARTMENT = "department", _("Partner department")
    MEDICAL_INSTITUTION = "medical_institution", _("Medical institution")


class Department(models.TextChoices):
    """The partner departments named in the source plans (医保, 民政, 扶贫, 公安, …)."""

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


class ScopeMode(models.TextChoices):
    SUBTREE = "subtree", _("Division subtree")
    OWN_INSTITUTION = "own_institution", _("Own institution")


class Organisation(AuditedModel):
    """A unit a user works for: the commission, an office, a partner department or an institution."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    department = models.CharField(_("department"), max_length=30, choices=Department.choices, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="organisations"
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code_field]
    )
    # Commission and department users see their division's subtree; institution users their own
    # institution. A township hospital that runs its villages' clinics (乡村一体化管理) sees its township.
    scope_mode = models.CharField(_("data scope"), max_length=20, choices=ScopeMode.choices)
    search_key = models.TextField(editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = "pk"
    audit_exclude = frozenset({"search_key"})

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_credit_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = textsearch.search_key(self.name)
        if not self.scope_mode:
            self.scope_mode = default_scope_mode(self.kind)
        super().save(*args, **kwargs)


def default_scope_mode(kind: str) -> str:
    if kind == OrganisationKind.MEDICAL_INSTITUTION:
        return ScopeMode.OWN_INSTITUTION
    return ScopeMode.SUBTREE


class User(AbstractUser):
    """A person who logs in. Belongs to one organisation; roles are groups."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for integrations. Only a hash is kept; the key is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("State change")


class AuditEntry(models.Model):
    """Who changed what, when, from what to what. Written only by weijian.core.audit."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), encoder=DjangoJSONEncoder, default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class HolidayOverride(AuditedModel):
    """An administrator's correction to the holiday calendar, e.g. for a year the library lacks."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_working_day else '休'}"
