"""Institutions, practitioners and enterprises: list, read, create, change and history.

Handlers only translate: references given as codes or ids are resolved through scoped selectors, and
every read and write goes through weijian.registry.selectors and .services.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from weijian.core.errors import InvalidRecord, NotVisible
from weijian.core.models import AuditAction, Division
from weijian.core.permissions import require
from weijian.core.selectors import audit_trail, division_get
from weijian.registry import selectors, services
from weijian.registry.models import (
    EnterpriseKind,
    GradeClass,
    GradeLevel,
    Institution,
    InstitutionType,
    MedicalGroup,
    Ownership,
    PracticeCategory,
    PractitionerCategory,
    ServiceLine,
)

from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    DivisionCode,
    Id,
    InputSchema,
    Page,
    changes_of,
    errors,
    partial,
    text,
)

institutions = Router(tags=["institutions"])
practitioners = Router(tags=["practitioners"])
enterprises = Router(tags=["enterprises"])

CreditCode = text(18)


# --- shared ---------------------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    action: AuditAction
    actor: str | None = Field(None, description="Username of the user who made the change")
    actor_label: str
    changes: dict[str, Any] = Field(description="field → [old, new]")

    @staticmethod
    def resolve_actor(entry) -> str | None:
        return entry.actor.get_username() if entry.actor_id else None


def _invalid(field: str, message: str) -> InvalidRecord:
    return InvalidRecord(ValidationError({field: [message]}))


def _division(user, code: str) -> Division:
    """A division given by code; one outside the user's scope is reported like an unknown one."""
    try:
        return division_get(user, code)
    except NotVisible:
        raise _invalid("division", _("Unknown division code, or outside your scope.")) from None


def _given(filters: Schema) -> dict[str, Any]:
    """The filters the client sent (an absent filter is None; "" can be a value, e.g. ungraded)."""
    return {name: value for name, value in filters.dict().items() if value is not None}


def _stable(qs: QuerySet) -> QuerySet:
    """Page boundaries must not move between requests: break ordering ties by primary key."""
    ordering = list(qs.query.order_by or qs.model._meta.ordering)
    return qs.order_by(*ordering, "pk")


def _history(user, get, pk: int) -> QuerySet:
    """The audit trail of a record the user can see; reading it needs core.view_auditentry."""
    require(user, "core.view_auditentry")
    record = get(user, pk)
    trail = audit_trail(record)
    if isinstance(record, Institution):
        # Name, credit code and division live on the organisation: its trail is part of this one.
        trail = trail | audit_trail(record.organisation)
    return trail


HISTORY_RESPONSES = {200: list[AuditEntryOut], **errors(*READ_ERRORS, 404)}


# --- institutions ---------------------------------------------------------------------------------


class InstitutionOut(Schema):
    id: int
    name: str
    credit_code: str
    division: str = Field(description="12-digit division code")
    division_name: str
    licence_number: str
    institution_type: InstitutionType
    grade_level: GradeLevel
    grade_class: GradeClass
    ownership: Ownership
    for_profit: bool
    beds: int
    insurance_designated: bool
    medical_group: int | None
    head: str
    address: str
    phone: str
    licence_valid_until: dt.date | None
    service_lines: list[str] = Field(description="Codes of the approved service lines (诊疗科目)")

    @staticmethod
    def resolve_id(institution: Institution) -> int:
        return institution.pk

    @staticmethod
    def resolve_credit_code(institution: Institution) -> str:
        return institution.organisation.credit_code

    @staticmethod
    def resolve_division(institution: Institution) -> str:
        return institution.organisation.division_id

    @staticmethod
    def resolve_division_name(institution: Institution) -> str:
        return institution.organisation.division.name

    @staticmethod
    def resolve_medical_group(institution: Institution) -> int | None:
        return institution.medical_group_id

    @staticmethod
    def resolve_service_lines(institution: Institution) -> list[str]:
        return [line.code for line in institution.service_lines.all()]


class InstitutionIn(InputSchema):
    name: text(200, min_length=1)
    credit_code: CreditCode = Field("", description="Unified social credit code (GB 32100)")
    division: DivisionCode
    institution_type: InstitutionType
    ownership: Ownership
    licence_number: text(40) = ""
    grade_level: GradeLevel = GradeLevel.UNGRADED
    grade_class: GradeClass = GradeClass.NONE
    for_profit: bool = False
    beds: int = Field(0, ge=0, le=2_147_483_647)
    insurance_designated: bool = False
    medical_group: Id | None = None
    head: text(50) = ""
    address: text(200) = ""
    phone: text(30) = ""
    licence_valid_until: Day | None = None
    service_lines: list[text(10)] = Field(default_factory=list, max_length=200)


InstitutionPatch = partial(InstitutionIn, "InstitutionPatch")


class InstitutionFilters(Schema):
    q: text(100) = Field("", description="Name (简/繁/pinyin), credit code or licence number")
    institution_type: InstitutionType | None = None
    division: DivisionCode | None = Field(None, description="Only this division and the divisions under it")
    grade_level: GradeLevel | None = Field(None, description="An empty value selects ungraded institutions")
    ownership: Ownership | None = None
    insurance_designated: bool | None = None


def _institution_fields(user, fields: dict[str, Any]) -> dict[str, Any]:
    if "division" in fields:
        fields["division"] = _division(user, fields["division"])
    if fields.get("medical_group") is not None:
        group = MedicalGroup.objects.filter(pk=fields["medical_group"]).first()
        if group is None:
            raise _invalid("medical_group", _("Unknown medical group."))
        fields["medical_group"] = group
    if fields.get("service_lines") is not None:
        codes = set(fields["service_lines"])
        lines = list(ServiceLine.objects.filter(code__in=codes))
        if len(lines) != len(codes):
            unknown = sorted(codes - {line.code for line in lines})
            message = _("Unknown service lines: %(codes)s.") % {"codes": ", ".join(unknown)}
            raise _invalid("service_lines", message)
        fields["service_lines"] = lines
    return fields


@institutions.get(
    "",
    response={200: list[InstitutionOut], **errors(*READ_ERRORS)},
    summary="Institutions in the user's scope",
)
@paginate(Page)
def institution_list(request: HttpRequest, filters: Query[InstitutionFilters]):
    qs = selectors.institution_list(request.auth, **_given(filters))
    return _stable(qs).prefetch_related("service_lines")


@institutions.post(
    "", response={201: InstitutionOut, **errors(*WRITE_ERRORS)}, summary="Register an institution"
)
def institution_create(request: HttpRequest, payload: InstitutionIn):
    fields = _institution_fields(request.auth, payload.dict())
    institution = services.institution_create(user=request.auth, **fields)
    return Status(201, selectors.institution_get(request.auth, institution.pk))


@institutions.get(
    "/{id}", response={200: InstitutionOut, **errors(*READ_ERRORS, 404)}, summary="One institution"
)
def institution_get(request: HttpRequest, id: Id):
    return selectors.institution_get(request.auth, id)


@institutions.patch(
    "/{id}",
    response={200: InstitutionOut, **errors(*WRITE_ERRORS)},
    summary="Change an institution (only the fields sent)",
)
def institution_update(request: HttpRequest, id: Id, payload: InstitutionPatch):
    fields = _institution_fields(request.auth, changes_of(payload))
    services.institution_update(user=request.auth, institution_id=id, **fields)
    return selectors.institution_get(request.auth, id)


@institutions.get("/{id}/history", response=HISTORY_RESPONSES, summary="Audit trail of an institution")
@paginate(Page)
def institution_history(request: HttpRequest, id: Id):
    return _history(request.auth, selectors.institution_get, id)


# --- practitioners --------------------------------------------------------------------------------


class PractitionerOut(Schema):
    id: int
    id_number: str
    name: str
    category: PractitionerCategory
    practice_category: PracticeCategory
    practice_scope: str
    qualification_certificate: str
    practice_certificate: str
    registered_institution: int
    registered_institution_name: str
    additional_sites: list[int] = Field(description="Ids of the other institutions where they practise")

    @staticmethod
    def resolve_registered_institution(practitioner) -> int:
        return practitioner.registered_institution_id

    @staticmethod
    def resolve_registered_institution_name(practitioner) -> str:
        return practitioner.registered_institution.organisation.name

    @staticmethod
    def resolve_additional_sites(practitioner) -> list[int]:
        return [site.pk for site in practitioner.additional_sites.all()]


class PractitionerIn(InputSchema):
    id_number: text(18, min_length=1) = Field(description="Resident ID number (GB 11643)")
    name: text(50, min_length=1)
    category: PractitionerCategory
    practice_category: PracticeCategory = PracticeCategory.NONE
    practice_scope: text(100) = ""
    qualification_certificate: text(40) = ""
    practice_certificate: text(40) = ""
    registered_institution: Id
    additional_sites: list[Id] = Field(default_factory=list, max_length=50)


PractitionerPatch = partial(PractitionerIn, "PractitionerPatch")


class PractitionerFilters(Schema):
    q: text(100) = Field("", description="Name (简/繁/pinyin), ID number or practice certificate number")
    category: PractitionerCategory | None = None
    institution: Id | None = Field(None, description="Registered or additional practice site")


def _practitioner_fields(user, fields: dict[str, Any]) -> dict[str, Any]:
    if "registered_institution" in fields:
        fields["registered_institution"] = _institution_ref(
            user, "registered_institution", fields["registered_institution"]
        )
    if fields.get("additional_sites") is not None:
        fields["additional_sites"] = [
            _institution_ref(user, "additional_sites", pk) for pk in dict.fromkeys(fields["additional_sites"])
        ]
    return fields


def _institution_ref(user, field: str, pk: int) -> Institution:
    try:
        return selectors.institution_get(user, pk)
    except NotVisible:
        message = _("Unknown institution %(id)s, or outside your scope.") % {"id": pk}
        raise _invalid(field, message) from None


@practitioners.get(
    "",
    response={200: list[PractitionerOut], **errors(*READ_ERRORS)},
    summary="Practitioners in the user's scope",
)
@paginate(Page)
def practitioner_list(request: HttpRequest, filters: Query[PractitionerFilters]):
    qs = selectors.practitioner_list(request.auth, **_given(filters))
    return _stable(qs).prefetch_related("additional_sites")


@practitioners.post(
    "", response={201: PractitionerOut, **errors(*WRITE_ERRORS)}, summary="Register a practitioner"
)
def practitioner_create(request: HttpRequest, payload: PractitionerIn):
    fields = _practitioner_fields(request.auth, payload.dict())
    practitioner = services.practitioner_create(user=request.auth, **fields)
    return Status(201, selectors.practitioner_get(request.auth, practitioner.pk))


@practitioners.get(
    "/{id}", response={200: PractitionerOut, **errors(*READ_ERRORS, 404)}, summary="One practitioner"
)
def practitioner_get(request: HttpRequest, id: Id):
    return selectors.practitioner_get(request.auth, id)


@practitioners.patch(
    "/{id}",
    response={200: PractitionerOut, **errors(*WRITE_ERRORS)},
    summary="Change a practitioner (only the fields sent)",
)
def practitioner_update(request: HttpRequest, id: Id, payload: PractitionerPatch):
    fields = _practitioner_fields(request.auth, changes_of(payload))
    services.practitioner_update(user=request.auth, practitioner_id=id, **fields)
    return selectors.practitioner_get(request.auth, id)


@practitioners.get("/{id}/history", response=HISTORY_RESPONSES, summary="Audit trail of a practitioner")
@paginate(Page)
def practitioner_history(request: HttpRequest, id: Id):
    return _history(request.auth, selectors.practitioner_get, id)


# --- enterprises ----------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    kind: EnterpriseKind
    division: str = Field(description="12-digit division code")
    division_name: str
    qualification: str
    qualification_valid_until: dt.date | None
    legal_representative: str
    address: str

    @staticmethod
    def resolve_division(enterprise) -> str:
        return enterprise.division_id

    @staticmethod
    def resolve_division_name(enterprise) -> str:
        return enterprise.division.name


class EnterpriseIn(InputSchema):
    credit_code: text(18, min_length=1) = Field(description="Unified social credit code (GB 32100)")
    name: text(200, min_length=1)
    kind: EnterpriseKind
    division: DivisionCode
    qualification: text(60) = ""
    qualification_valid_until: Day | None = None
    legal_representative: text(50) = ""
    address: text(200) = ""


EnterprisePatch = partial(EnterpriseIn, "EnterprisePatch")


class EnterpriseFilters(Schema):
    q: text(100) = Field("", description="Name (简/繁/pinyin) or credit code")
    kind: EnterpriseKind | None = None


def _enterprise_fields(user, fields: dict[str, Any]) -> dict[str, Any]:
    if "division" in fields:
        fields["division"] = _division(user, fields["division"])
    return fields


@enterprises.get(
    "", response={200: list[EnterpriseOut], **errors(*READ_ERRORS)}, summary="Enterprises in the user's scope"
)
@paginate(Page)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]):
    qs = selectors.enterprise_list(request.auth, **_given(filters))
    return _stable(qs)


@enterprises.post(
    "", response={201: EnterpriseOut, **errors(*WRITE_ERRORS)}, summary="Register an enterprise"
)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn):
    fields = _enterprise_fields(request.auth, payload.dict())
    return Status(201, services.enterprise_create(user=request.auth, **fields))


@enterprises.get(
    "/{id}", response={200: EnterpriseOut, **errors(*READ_ERRORS, 404)}, summary="One enterprise"
)
def enterprise_get(request: HttpRequest, id: Id):
    return selectors.enterprise_get(request.auth, id)


@enterprises.patch(
    "/{id}",
    response={200: EnterpriseOut, **errors(*WRITE_ERRORS)},
    summary="Change an enterprise (only the fields sent)",
)
def enterprise_update(request: HttpRequest, id: Id, payload: EnterprisePatch):
    fields = _enterprise_fields(request.auth, changes_of(payload))
    return services.enterprise_update(user=request.auth, enterprise_id=id, **fields)


@enterprises.get("/{id}/history", response=HISTORY_RESPONSES, summary="Audit trail of an enterprise")
@paginate(Page)
def enterprise_history(request: HttpRequest, id: Id):
    return _history(request.auth, selectors.enterprise_get, id)
