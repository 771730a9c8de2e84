"""Business actions on the registry. Each checks the role, the scope, validates, saves in one
transaction; the audit trail is written by the models."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from weijian.core.errors import DomainError, full_clean_or_raise
from weijian.core.models import Division, Organisation, OrganisationKind, default_scope_mode
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope

from . import selectors
from .models import Enterprise, Institution, Practitioner

ORGANISATION_FIELDS = {"name", "credit_code", "division"}
INSTITUTION_FIELDS = {
    "licence_number",
    "institution_type",
    "grade_level",
    "grade_class",
    "ownership",
    "for_profit",
    "beds",
    "insurance_designated",
    "medical_group",
    "head",
    "address",
    "phone",
    "licence_valid_until",
}
PRACTITIONER_FIELDS = {
    "id_number",
    "name",
    "category",
    "practice_category",
    "practice_scope",
    "qualification_certificate",
    "practice_certificate",
    "registered_institution",
}
ENTERPRISE_FIELDS = {
    "credit_code",
    "name",
    "kind",
    "division",
    "qualification",
    "qualification_valid_until",
    "legal_representative",
    "address",
}


def _unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    extra = set(fields) - allowed
    if extra:
        raise DomainError(f"unknown fields: {', '.join(sorted(extra))}", code="unknown_field")


@transaction.atomic
def institution_create(
    *, user, name: str, credit_code: str, division: Division, service_lines=(), **fields
) -> Institution:
    require(user, "registry.add_institution")
    _unknown(fields, INSTITUTION_FIELDS)
    require_division_in_scope(user, division)
    organisation = Organisation(
        name=name,
        credit_code=credit_code,
        division=division,
        kind=OrganisationKind.MEDICAL_INSTITUTION,
        scope_mode=default_scope_mode(OrganisationKind.MEDICAL_INSTITUTION),
    )
    full_clean_or_raise(organisation)
    organisation.save()
    institution = Institution(organisation=organisation, **fields)
    full_clean_or_raise(institution, exclude=["organisation"])
    institution.save()
    if service_lines:
        institution.service_lines.set(service_lines)
    return institution


@transaction.atomic
def institution_update(*, user, institution_id, service_lines=None, **changes) -> Institution:
    require(user, "registry.change_institution")
    _unknown(changes, ORGANISATION_FIELDS | INSTITUTION_FIELDS)
    institution = selectors.institution_get(user, institution_id)
    organisation = institution.organisation
    if "division" in changes:
        require_division_in_scope(user, changes["division"])
    for field, value in changes.items():
        setattr(organisation if field in ORGANISATION_FIELDS else institution, field, value)
    full_clean_or_raise(organisation)
    full_clean_or_raise(institution, exclude=["organisation"])
    organisation.save()
    institution.save()
    if service_lines is not None:
        institution.service_lines.set(service_lines)
    return institution


@transaction.atomic
def practitioner_create(*, user, additional_sites=(), **fields) -> Practitioner:
    require(user, "registry.add_practitioner")
    _unknown(fields, PRACTITIONER_FIELDS)
    if "registered_institution" in fields:
        selectors.institution_get(user, fields["registered_institution"].pk)
    practitioner = Practitioner(**fields)
    full_clean_or_raise(practitioner)
    practitioner.save()
    if additional_sites:
        practitioner.additional_sites.set(additional_sites)
    return practitioner


@transaction.atomic
def practitioner_update(*, user, practitioner_id, additional_sites=None, **changes) -> Practitioner:
    require(user, "registry.change_practitioner")
    _unknown(changes, PRACTITIONER_FIELDS)
    practitioner = selectors.practitioner_get(user, practitioner_id)
    if "registered_institution" in changes:
        selectors.institution_get(user, changes["registered_institution"].pk)
    for field, value in changes.items():
        setattr(practitioner, field, value)
    full_clean_or_raise(practitioner)
    practitioner.save()
    if additional_sites is not None:
        practitioner.additional_sites.set(additional_sites)
    return practitioner


@transaction.atomic
def enterprise_create(*, user, **fields) -> Enterprise:
    require(user, "registry.add_enterprise")
    _unknown(fields, ENTERPRISE_FIELDS)
    if "division" in fields:
        require_division_in_scope(user, fields["division"])
    enterprise = Enterprise(**fields)
    full_clean_or_raise(enterprise)
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, user, enterprise_id, **changes) -> Enterprise:
    require(user, "registry.change_enterprise")
    _unknown(changes, ENTERPRISE_FIELDS)
    enterprise = selectors.enterprise_get(user, enterprise_id)
    if "division" in changes:
        require_division_in_scope(user, changes["division"])
    for field, value in changes.items():
        setattr(enterprise, field, value)
    full_clean_or_raise(enterprise)
    enterprise.save()
    return enterprise
