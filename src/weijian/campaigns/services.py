"""Business actions on campaigns: instantiate a template, clone last year's campaign, simple updates.
Each checks the role and the scope and runs in one transaction; the audit trail is written by the
models. `user=None` is a system run without limits (a command without --as, the demo)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from weijian.core.errors import DomainError, NotVisible, full_clean_or_raise
from weijian.core.models import Division, Organisation, OrganisationKind
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope

from . import catalogue, selectors
from .models import TEMPLATE_YEAR, Campaign, CampaignTask, DepartmentRef

CAMPAIGN_UPDATE_FIELDS = {
    "name",
    "issuing_organisations",
    "legal_basis",
    "guiding_principle",
    "goals",
    "start",
    "end",
    "scope_institution_types",
    "scope_ownerships",
    "scope_grade_levels",
    "scope_note",
    "hotline",
    "email",
    "postal_address",
    "owner",
}
TASK_UPDATE_FIELDS = {"title", "description", "lead_department", "lead_organisation"}

# Department references that are an organisation kind of their own; the others are partner
# departments (Organisation.kind = department, Organisation.department = the code).
_KINDS = {
    DepartmentRef.COMMISSION: OrganisationKind.COMMISSION,
    DepartmentRef.SUPERVISION_INSTITUTE: OrganisationKind.SUPERVISION_INSTITUTE,
    DepartmentRef.SCHEME_OFFICE: OrganisationKind.SCHEME_OFFICE,
}
# No single organisation stands for these: every institution in scope, or a department the
# Department table lacks (its name is on the partner's label).
_UNRESOLVED = {DepartmentRef.INSTITUTIONS, DepartmentRef.OTHER}


class CampaignExists(DomainError):
    code = "campaign_exists"
    status = 409


def _require(user, permission: str) -> None:
    if user is not None:
        require(user, permission)


def resolve_organisation(department: str, division: Division) -> Organisation | None:
    """The organisation of that department kind in `division` or, failing that, its nearest ancestor."""
    if department in _UNRESOLVED:
        return None
    if department in _KINDS:
        filters = {"kind": _KINDS[department]}
    else:
        filters = {"kind": OrganisationKind.DEPARTMENT, "department": department}
    chain = [division, *reversed(division.ancestors())]  # nearest first
    rank = {d.code: i for i, d in enumerate(chain)}
    candidates = Organisation.objects.filter(division__in=chain, **filters).order_by("pk")
    return min(candidates, key=lambda o: rank[o.division_id], default=None)


def _resolver(division: Division):
    cache: dict[str, Organisation | None] = {}

    def resolve(department: str) -> Organisation | None:
        if department not in cache:
            cache[department] = resolve_organisation(department, division)
        return cache[department]

    return resolve


def _check_not_taken(template_code: str, division: Division, year: int) -> None:
    if (
        template_code
        and Campaign.objects.filter(
            is_template=False, template_code=template_code, division=division, year=year
        ).exists()
    ):
        raise CampaignExists(f"{division.name}{year}年已有该专项行动", field="year")


@transaction.atomic
def campaign_from_template(
    *, user, template_code: str, division: Division, year: int, owner: Organisation | None = None
) -> Campaign:
    """Copy a template into a campaign of `division` for `year`: dates get the year, each task's
    lead and partners the organisation of their department there (or in the nearest ancestor
    division), and the division's commission owns it unless `owner` is given."""
    _require(user, "campaigns.add_campaign")
    require_division_in_scope(user, division)
    template = Campaign.objects.filter(is_template=True, template_code=template_code).first()
    if template is None:
        raise NotVisible()
    _check_not_taken(template_code, division, year)
    resolve = _resolver(division)
    spec = catalogue.read_spec(template)
    years = year - TEMPLATE_YEAR
    campaign = Campaign(
        **{
            **spec["fields"],
            **{f: catalogue.shift_years(spec["fields"][f], years) for f in catalogue.CAMPAIGN_DATE_FIELDS},
        },
        year=year,
        template_code=template_code,
        division=division,
        owner=owner or resolve(DepartmentRef.COMMISSION),
    )
    full_clean_or_raise(campaign)
    campaign.save()
    catalogue.write_children(campaign, spec, years=years, resolve=resolve)
    return campaign


@transaction.atomic
def campaign_clone(*, user, campaign: Campaign, year: int) -> Campaign:
    """Last year's campaign as this year's: same division, owner and organisations, every date
    shifted by whole years. Liaisons are not copied: organisations name them anew each year."""
    _require(user, "campaigns.add_campaign")
    if user is not None:
        campaign = selectors.campaign_get(user, campaign.pk)
    if campaign.is_template or campaign.year is None or campaign.division is None:
        raise DomainError("只能复制已实施的专项行动", code="not_a_campaign")
    require_division_in_scope(user, campaign.division)
    _check_not_taken(campaign.template_code, campaign.division, year)
    spec = catalogue.read_spec(campaign)
    years = year - campaign.year
    clone = Campaign(
        **{
            **spec["fields"],
            **{f: catalogue.shift_years(spec["fields"][f], years) for f in catalogue.CAMPAIGN_DATE_FIELDS},
        },
        year=year,
        template_code=campaign.template_code,
        cloned_from=campaign,
        division=campaign.division,
        owner=campaign.owner,
    )
    full_clean_or_raise(clone)
    clone.save()
    catalogue.write_children(clone, spec, years=years)
    return clone


def _unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    extra = set(fields) - allowed
    if extra:
        raise DomainError(f"unknown fields: {', '.join(sorted(extra))}", code="unknown_field")


@transaction.atomic
def campaign_update(*, user, campaign_id, **changes) -> Campaign:
    _require(user, "campaigns.change_campaign")
    _unknown(changes, CAMPAIGN_UPDATE_FIELDS)
    campaign = (
        selectors.campaign_get(user, campaign_id)
        if user is not None
        else Campaign.objects.get(pk=campaign_id)
    )
    if campaign.is_template and user is not None and not user.is_superuser:
        # Templates follow their data files; editing one here would be undone by the next migrate.
        raise NotVisible()
    for field, value in changes.items():
        setattr(campaign, field, value)
    full_clean_or_raise(campaign)
    campaign.save()
    return campaign


@transaction.atomic
def task_update(*, user, task_id, violation_categories=None, **changes) -> CampaignTask:
    _require(user, "campaigns.change_campaign")
    _unknown(changes, TASK_UPDATE_FIELDS)
    task = CampaignTask.objects.select_related("campaign").filter(pk=task_id).first()
    if task is None:
        raise NotVisible()
    if user is not None:
        selectors.campaign_get(user, task.campaign_id)
        if task.campaign.is_template and not user.is_superuser:
            raise NotVisible()
    for field, value in changes.items():
        setattr(task, field, value)
    full_clean_or_raise(task, exclude=["campaign"])
    task.save()
    if violation_categories is not None:
        task.violation_categories.set(violation_categories)
    return task
