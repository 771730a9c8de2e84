"""The calling user (/me) and the administrative divisions in their scope (/divisions)."""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from weijian.core.models import Division, DivisionLevel, OrganisationKind
from weijian.core.roles import role_of
from weijian.core.scope import scope_of
from weijian.core.selectors import divisions_visible_to

from .schemas import READ_ERRORS, DivisionCode, Page, errors

router = Router(tags=["core"])


class RoleOut(Schema):
    code: str
    label: str


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    division: str = Field(description="12-digit division code")
    division_name: str


class ScopeOut(Schema):
    mode: Literal["everything", "subtree", "own_institution", "nothing"]
    division: str | None = Field(None, description="The division whose subtree the user sees")
    organisation: int | None = Field(None, description="The only institution the user sees")
    description: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: RoleOut | None
    organisation: OrganisationOut | None
    scope: ScopeOut
    permissions: list[str]


class DivisionOut(Schema):
    code: str
    name: str
    level: DivisionLevel
    parent: str | None = Field(None, description="Code of the parent division")

    @staticmethod
    def resolve_parent(division: Division) -> str | None:
        return division.parent_id


@router.get("/me", response={200: MeOut, **errors(401)}, summary="The calling user, role and data scope")
def me(request: HttpRequest):
    user = request.auth
    role = role_of(user)
    org = user.organisation
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.full_name,
        "role": {"code": role.code, "label": str(role.label)} if role else None,
        "organisation": {
            "id": org.pk,
            "name": org.name,
            "kind": org.kind,
            "division": org.division_id,
            "division_name": org.division.name,
        }
        if org
        else None,
        "scope": _scope(user),
        "permissions": sorted(user.get_all_permissions()),
    }


def _scope(user) -> dict:
    scope = scope_of(user)
    if scope.everything:
        return {"mode": "everything", "description": _("All records")}
    if scope.division_prefix is not None:
        division = user.organisation.division
        description = _("Records in %(division)s and the divisions under it") % {"division": division}
        return {"mode": "subtree", "division": division.code, "description": description}
    if scope.organisation_id is not None:
        return {
            "mode": "own_institution",
            "organisation": scope.organisation_id,
            "description": _("Records of %(organisation)s") % {"organisation": user.organisation},
        }
    return {"mode": "nothing", "description": _("No records: the user belongs to no organisation")}


class DivisionFilters(Schema):
    parent: DivisionCode | None = Field(None, description="Only the children of this division")


@router.get(
    "/divisions",
    response={200: list[DivisionOut], **errors(*READ_ERRORS)},
    summary="Divisions in the user's scope",
)
@paginate(Page)
def divisions(request: HttpRequest, filters: Query[DivisionFilters]):
    qs = divisions_visible_to(request.auth)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    return qs
