"""Reads of campaigns. Commission and department users see the campaigns of their subtree;
institution users the campaigns that cover their institution (run for its division or an ancestor);
templates are visible to everyone who may view campaigns."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import StartsWith

from weijian.core.errors import NotVisible
from weijian.core.models import PREFIX_LENGTH, OrganisationKind
from weijian.core.permissions import require
from weijian.core.scope import scope_of

from .models import Campaign, CampaignTask, TaskPartner


def _covering(division_code: str) -> StartsWith:
    """Campaigns whose division's subtree contains `division_code`: the campaign division's code,
    cut to the prefix length of its level, is a prefix of `division_code` — one query, no loop."""
    prefix_length = Case(
        *[When(division__level=level, then=Value(length)) for level, length in PREFIX_LENGTH.items()],
        output_field=IntegerField(),
    )
    return StartsWith(Value(division_code), Substr(F("division__code"), 1, prefix_length))


def _visible_campaigns(user) -> QuerySet[Campaign]:
    organisation = getattr(user, "organisation", None)
    qs = Campaign.objects.visible_to(user)
    if organisation is not None and organisation.kind == OrganisationKind.MEDICAL_INSTITUTION:
        # A township hospital (subtree scope) also sees what is run inside its township.
        qs = Campaign.objects.filter(Q(pk__in=qs.values("pk")) | Q(_covering(organisation.division_id)))
    return qs.filter(is_template=False)


def campaign_list(user, *, templates: bool = False, year: int | None = None) -> QuerySet[Campaign]:
    """The campaigns the user may see, or with `templates=True` the templates."""
    require(user, "campaigns.view_campaign")
    if templates:
        qs = (
            Campaign.objects.filter(is_template=True)
            if not scope_of(user).is_empty
            else Campaign.objects.none()
        )
    else:
        qs = _visible_campaigns(user)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("division", "owner").order_by("-year", "name", "pk")


def campaign_get(user, pk) -> Campaign:
    require(user, "campaigns.view_campaign")
    campaign = (
        Campaign.objects.filter(Q(is_template=True) | Q(pk__in=_visible_campaigns(user).values("pk")))
        .select_related("division", "owner")
        .filter(pk=pk)
        .first()
    )
    if campaign is None or (campaign.is_template and scope_of(user).is_empty):
        raise NotVisible()
    return campaign


def template_get(user, code_or_name: str) -> Campaign:
    """A template by its code (the file stem) or its Chinese name."""
    require(user, "campaigns.view_campaign")
    template = (
        Campaign.objects.filter(is_template=True, template_code=code_or_name).first()
        or Campaign.objects.filter(is_template=True, name=code_or_name).first()
    )
    if template is None:
        raise NotVisible()
    return template


def campaign_tasks(user, campaign: Campaign) -> QuerySet[CampaignTask]:
    campaign = campaign_get(user, campaign.pk)
    return (
        CampaignTask.objects.filter(campaign=campaign)
        .select_related("lead_organisation")
        .prefetch_related(
            Prefetch("partners", queryset=TaskPartner.objects.select_related("organisation")),
            "violation_categories",
        )
        .order_by("order")
    )
