"""Data scope: the one mechanism that decides which records a user may see.

Every scoped model uses `ScopedQuerySet` and names two paths:
- `scope_division_path`: the foreign key to the `Division` the record belongs to;
- `scope_organisation_path`: the field holding the owning organisation's id (None if the record has
  no owning institution, in which case institution users see none of it).
Selectors and API handlers start every read with `Model.objects.visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    division_prefix: str | None = None
    organisation_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and self.division_prefix is None and self.organisation_id is None


NOTHING = Scope()


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_weijian_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    elif user.organisation_id is None:
        scope = NOTHING
    else:
        from .models import ScopeMode

        org = user.organisation
        if org.scope_mode == ScopeMode.SUBTREE:
            scope = Scope(division_prefix=org.division.prefix)
        else:
            scope = Scope(organisation_id=org.pk)
    user._weijian_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        return self.within(scope_of(user))

    def within(self, scope: Scope) -> ScopedQuerySet:
        model = self.model
        if scope.everything:
            return self.all()
        if scope.division_prefix is not None:
            return self.filter(**{f"{model.scope_division_path}__code__startswith": scope.division_prefix})
        if scope.organisation_id is not None and model.scope_organisation_path:
            return self.filter(**{model.scope_organisation_path: scope.organisation_id})
        return self.none()


def require_division_in_scope(user, division) -> None:
    """A record may be placed only in a division inside the user's subtree (`user=None`: a system run)."""
    if user is None:
        return
    scope = scope_of(user)
    if scope.everything:
        return
    if scope.division_prefix is None or not division.code.startswith(scope.division_prefix):
        from .errors import NotVisible

        raise NotVisible()
