"""Medical institutions, practitioners and enterprises: the registers every other module points at."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core import textsearch
from weijian.core.audit import AuditedModel
from weijian.core.models import Division, Organisation
from weijian.core.scope import ScopedQuerySet
from weijian.core.validators import validate_credit_code_field, validate_id_number_field


class InstitutionType(models.TextChoices):
    GENERAL_HOSPITAL = "general_hospital", _("General hospital")
    TCM_HOSPITAL = "tcm_hospital", _("TCM hospital")
    INTEGRATED_HOSPITAL = "integrated_hospital", _("Integrated Chinese and Western medicine hospital")
    SPECIALIST_HOSPITAL = "specialist_hospital", _("Specialist hospital")
    MCH_HOSPITAL = "mch_hospital", _("Maternal and child health hospital")
    DISEASE_CONTROL = "disease_control", _("Centre for disease control")
    TOWNSHIP_HOSPITAL = "township_hospital", _("Township hospital")
    COMMUNITY_CENTRE = "community_centre", _("Community health centre")
    COMMUNITY_STATION = "community_station", _("Community health station")
    VILLAGE_CLINIC = "village_clinic", _("Village clinic")
    CLINIC = "clinic", _("Clinic")
    OUTPATIENT_DEPARTMENT = "outpatient_department", _("Outpatient department")
    MEDICAL_BEAUTY = "medical_beauty", _("Medical beauty institution")
    OTHER = "other", _("Other institution")


class GradeLevel(models.TextChoices):
    LEVEL_1 = "1", _("Level 1")
    LEVEL_2 = "2", _("Level 2")
    LEVEL_3 = "3", _("Level 3")
    UNGRADED = "", _("Ungraded")


class GradeClass(models.TextChoices):
    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")
    NONE = "", _("No grade")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class ServiceLine(models.Model):
    """An approved clinical subject (诊疗科目) from the national catalogue, e.g. 14 医疗美容科."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service line")
        verbose_name_plural = _("service lines")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MedicalGroup(AuditedModel):
    """A county medical community or alliance (医共体/医联体)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["name"]
        verbose_name = _("medical group")
        verbose_name_plural = _("medical groups")

    def __str__(self) -> str:
        return self.name


class Institution(AuditedModel):
    """A medical or health institution. Its name, division and credit code are its organisation's."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="institution",
    )
    licence_number = models.CharField(_("practice licence number"), max_length=40, blank=True, db_index=True)
    institution_type = models.CharField(_("institution type"), max_length=30, choices=InstitutionType.choices)
    grade_level = models.CharField(_("grade level"), max_length=1, choices=GradeLevel.choices, blank=True)
    grade_class = models.CharField(_("grade class"), max_length=1, choices=GradeClass.choices, blank=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    for_profit = models.BooleanField(_("for profit"), default=False)
    beds = models.PositiveIntegerField(_("approved beds"), default=0)
    service_lines = models.ManyToManyField(ServiceLine, verbose_name=_("approved service lines"), blank=True)
    insurance_designated = models.BooleanField(_("insurance designated"), default=False)
    medical_group = models.ForeignKey(
        MedicalGroup,
        verbose_name=_("medical group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    head = models.CharField(_("person in charge"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "organisation__division"
    scope_organisation_path = "organisation"

    class Meta:
        ordering = ["organisation__division_id", "organisation__name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        permissions = [("import_registry", _("Can import institutions and practitioners"))]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def division(self) -> Division:
        return self.organisation.division

    @property
    def grade_display(self) -> str:
        if not self.grade_level:
            return str(GradeLevel.UNGRADED.label)
        if not self.grade_class:
            return str(self.get_grade_level_display())
        return f"{self.get_grade_level_display()} {self.get_grade_class_display()}"


class PractitionerCategory(models.TextChoices):
    PHYSICIAN = "physician", _("Licensed physician")
    ASSISTANT_PHYSICIAN = "assistant_physician", _("Licensed assistant physician")
    NURSE = "nurse", _("Nurse")
    PHARMACIST = "pharmacist", _("Pharmacist")
    TECHNICIAN = "technician", _("Medical technician")
    VILLAGE_DOCTOR = "village_doctor", _("Village doctor")
    OTHER = "other", _("Other health worker")


class PracticeCategory(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    TCM = "tcm", _("Traditional Chinese medicine")
    DENTAL = "dental", _("Dental")
    PUBLIC_HEALTH = "public_health", _("Public health")
    NONE = "", _("Not applicable")


class Practitioner(AuditedModel):
    """A health worker with their certificates and the institution where they are registered."""

    id_number = models.CharField(
        _("resident ID number"), max_length=18, unique=True, validators=[validate_id_number_field]
    )
    name = models.CharField(_("name"), max_length=50)
    category = models.CharField(_("category"), max_length=30, choices=PractitionerCategory.choices)
    practice_category = models.CharField(
        _("practice category"), max_length=20, choices=PracticeCategory.choices, blank=True
    )
    practice_scope = models.CharField(_("practice scope"), max_length=100, blank=True)
    qualification_certificate = models.CharField(
        _("qualification certificate number"), max_length=40, blank=True
    )
    practice_certificate = models.CharField(
        _("practice certificate number"), max_length=40, blank=True, db_index=True
    )
    registered_institution = models.ForeignKey(
        Institution,
        verbose_name=_("registered practice site"),
        on_delete=models.PROTECT,
        related_name="practitioners",
    )
    additional_sites = models.ManyToManyField(
        Institution,
        verbose_name=_("additional practice sites"),
        blank=True,
        related_name="visiting_practitioners",
    )
    search_key = models.TextField(editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "registered_institution__organisation__division"
    scope_organisation_path = "registered_institution"
    audit_exclude = frozenset({"search_key"})

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = textsearch.search_key(self.name)
        super().save(*args, **kwargs)


class EnterpriseKind(models.TextChoices):
    DRUG_MANUFACTURER = "drug_manufacturer", _("Drug manufacturer")
    DRUG_DISTRIBUTOR = "drug_distributor", _("Drug distributor")
    DEVICE_MANUFACTURER = "device_manufacturer", _("Medical device manufacturer")
    DEVICE_DISTRIBUTOR = "device_distributor", _("Medical device distributor")
    OTHER_SUPPLIER = "other_supplier", _("Other supplier")


class Enterprise(AuditedModel):
    """A supplier (drug or device company) dealing with the county's institutions."""

    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code_field]
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=EnterpriseKind.choices)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT)
    qualification = models.CharField(_("qualification licence number"), max_length=60, blank=True)
    qualification_valid_until = models.DateField(_("qualification valid until"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    search_key = models.TextField(editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    scope_division_path = "division"
    scope_organisation_path = None
    audit_exclude = frozenset({"search_key"})

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = textsearch.search_key(self.name)
        super().save(*args, **kwargs)
