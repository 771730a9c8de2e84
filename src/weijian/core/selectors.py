"""Reads of core records, each scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from .errors import NotVisible
from .models import AuditEntry, Division, User
from .scope import scope_of


def divisions_visible_to(user) -> QuerySet[Division]:
    """The divisions inside the user's scope (institution users: their institution's division)."""
    scope = scope_of(user)
    qs = Division.objects.all()
    if scope.everything:
        return qs
    if scope.division_prefix is not None:
        return qs.filter(code__startswith=scope.division_prefix)
    if scope.organisation_id is not None:
        return qs.filter(organisations__pk=scope.organisation_id)
    return qs.none()


def division_get(user, code: str) -> Division:
    division = divisions_visible_to(user).filter(code=code).first()
    if division is None:
        raise NotVisible()
    return division


def audit_trail(record) -> QuerySet[AuditEntry]:
    """The history of one record; the caller has already checked the record is visible."""
    return AuditEntry.objects.filter(model=record._meta.label_lower, object_id=str(record.pk)).select_related(
        "actor"
    )


def users_visible_to(user) -> QuerySet[User]:
    """Active users whose organisation is inside the user's scope (for teams, inspector pools, names)."""
    scope = scope_of(user)
    qs = User.objects.filter(is_active=True)
    if scope.everything:
        return qs
    if scope.division_prefix is not None:
        return qs.filter(organisation__division__code__startswith=scope.division_prefix)
    if scope.organisation_id is not None:
        return qs.filter(organisation_id=scope.organisation_id)
    return qs.none()
