"""Reads of the registry, every one scoped to the user through `visible_to`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from weijian.core.errors import NotVisible
from weijian.core.permissions import require
from weijian.core.textsearch import normalise_query

from .models import Enterprise, Institution, Practitioner


def institution_list(
    user,
    *,
    q: str = "",
    institution_type: str = "",
    division: str = "",
    grade_level: str | None = None,
    ownership: str = "",
    insurance_designated: bool | None = None,
) -> QuerySet[Institution]:
    require(user, "registry.view_institution")
    qs = Institution.objects.visible_to(user).select_related("organisation__division")
    if q := q.strip():
        key = normalise_query(q)
        qs = qs.filter(
            Q(organisation__search_key__contains=key)
            | Q(organisation__credit_code=q.upper())
            | Q(licence_number=q)
        )
    if institution_type:
        qs = qs.filter(institution_type=institution_type)
    if division:
        qs = qs.filter(organisation__division__code__startswith=_prefix(division))
    if grade_level is not None:
        qs = qs.filter(grade_level=grade_level)
    if ownership:
        qs = qs.filter(ownership=ownership)
    if insurance_designated is not None:
        qs = qs.filter(insurance_designated=insurance_designated)
    return qs


def institution_get(user, pk) -> Institution:
    require(user, "registry.view_institution")
    institution = (
        Institution.objects.visible_to(user)
        .select_related("organisation__division", "medical_group")
        .filter(pk=pk)
        .first()
    )
    if institution is None:
        raise NotVisible()
    return institution


def practitioner_list(user, *, q: str = "", category: str = "", institution=None) -> QuerySet[Practitioner]:
    require(user, "registry.view_practitioner")
    qs = Practitioner.objects.visible_to(user).select_related("registered_institution__organisation")
    if q := q.strip():
        qs = qs.filter(
            Q(search_key__contains=normalise_query(q)) | Q(id_number=q.upper()) | Q(practice_certificate=q)
        )
    if category:
        qs = qs.filter(category=category)
    if institution:
        qs = qs.filter(Q(registered_institution=institution) | Q(additional_sites=institution)).distinct()
    return qs


def practitioner_get(user, pk) -> Practitioner:
    require(user, "registry.view_practitioner")
    practitioner = (
        Practitioner.objects.visible_to(user)
        .select_related("registered_institution__organisation__division")
        .filter(pk=pk)
        .first()
    )
    if practitioner is None:
        raise NotVisible()
    return practitioner


def enterprise_list(user, *, q: str = "", kind: str = "") -> QuerySet[Enterprise]:
    require(user, "registry.view_enterprise")
    qs = Enterprise.objects.visible_to(user).select_related("division")
    if q := q.strip():
        qs = qs.filter(Q(search_key__contains=normalise_query(q)) | Q(credit_code=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def enterprise_get(user, pk) -> Enterprise:
    require(user, "registry.view_enterprise")
    enterprise = Enterprise.objects.visible_to(user).select_related("division").filter(pk=pk).first()
    if enterprise is None:
        raise NotVisible()
    return enterprise


def _prefix(division_code: str) -> str:
    """The subtree prefix of a division code given in a filter (trailing zero segments dropped)."""
    from weijian.core.models import PREFIX_LENGTH
    from weijian.core.validators import division_code_error, division_level_of

    if division_code_error(division_code):
        return division_code  # matches nothing that is not literally this code
    return division_code[: PREFIX_LENGTH[division_level_of(division_code)]]
