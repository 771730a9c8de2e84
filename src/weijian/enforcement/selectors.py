"""Reads of the enforcement records. Every read checks the role's view permission and starts from
`visible_to(user)`: subtree users see their division's records, superusers everything; referrals are
also seen by the organisations at both ends. A record out of scope is reported as missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from weijian.core.errors import NotVisible
from weijian.core.permissions import require
from weijian.core.textsearch import normalise_query
from weijian.registry.models import Institution, Practitioner

from . import workflow
from .models import BlacklistEntry, Case, CreditPoint, JudicialTransfer, Referral, SiteCheck
from .workflow import Transition

VIEW_CASE = "enforcement.view_case"
VIEW_SITE_CHECK = "enforcement.view_sitecheck"
VIEW_REFERRAL = "enforcement.view_referral"
VIEW_JUDICIAL_TRANSFER = "enforcement.view_judicialtransfer"
VIEW_BLACKLIST = "enforcement.view_blacklistentry"
VIEW_CREDIT = "enforcement.view_creditpoint"

SUBJECT_RELATED = ("institution__organisation", "practitioner", "division")


def _get(qs: QuerySet, pk):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    return found


# --- cases ------------------------------------------------------------------------------------------


def case_list(
    user,
    *,
    state: str = "",
    campaign=None,
    category="",
    source: str = "",
    query: str = "",
    typical: bool | None = None,
) -> QuerySet[Case]:
    """The case ledger (案件台账). `query` finds a case by number, title or subject (a registered
    subject also by pinyin); `typical` keeps only the typical cases (True) or the others (False)."""
    require(user, VIEW_CASE)
    qs = Case.objects.visible_to(user).select_related(
        *SUBJECT_RELATED, "category", "campaign", "organisation"
    )
    if state:
        qs = qs.filter(state=state)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if category:
        qs = qs.filter(category=category)
    if source:
        qs = qs.filter(source=source)
    if typical is not None:
        qs = qs.filter(is_typical=typical)
    query = query.strip()
    if query:
        key = normalise_query(query)
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(party_name__icontains=query)
            | Q(institution__organisation__search_key__contains=key)
            | Q(practitioner__search_key__contains=key)
        )
    return qs


def case_get(user, pk) -> Case:
    require(user, VIEW_CASE)
    return _get(
        Case.objects.visible_to(user).select_related(
            *SUBJECT_RELATED, "category", "campaign", "organisation", "handler"
        ),
        pk,
    )


def is_handling(user, case: Case) -> bool:
    """Whether the user works for the organisation handling the case (or is a superuser): one
    supervision institute does not decide another's cases, even within its subtree."""
    if user.is_superuser:
        return True
    return user.organisation_id is not None and user.organisation_id == case.organisation_id


def may_apply(user, case: Case, row: Transition) -> bool:
    """Whether `user` holds the row's permission and handles the case. Scope is the caller's."""
    return user.has_perm(row.permission) and is_handling(user, case)


def case_actions(user, case: Case) -> list[Transition]:
    """The rows of the table the user may apply to the case now."""
    kinds = list(case.penalties.values_list("kind", flat=True))
    return [
        row for row in workflow.actions_from(case.state, case.procedure, kinds) if may_apply(user, case, row)
    ]


# --- site checks ------------------------------------------------------------------------------------


def site_check_list(user, campaign=None) -> QuerySet[SiteCheck]:
    require(user, VIEW_SITE_CHECK)
    qs = SiteCheck.objects.visible_to(user).select_related(*SUBJECT_RELATED, "category", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


# --- referrals --------------------------------------------------------------------------------------


def referral_list(user, *, direction: str = "") -> QuerySet[Referral]:
    """Referrals the user may see; `direction` "in" keeps those sent to the user's organisation,
    "out" those it sent."""
    require(user, VIEW_REFERRAL)
    qs = Referral.objects.visible_to(user).select_related(
        *SUBJECT_RELATED, "from_organisation", "to_organisation", "category", "case"
    )
    if direction == "in":
        qs = qs.filter(to_organisation_id=user.organisation_id) if user.organisation_id else qs.none()
    elif direction == "out":
        qs = qs.filter(from_organisation_id=user.organisation_id) if user.organisation_id else qs.none()
    elif direction:
        raise ValueError(f"unknown direction {direction!r}")
    return qs


def referral_get(user, pk) -> Referral:
    require(user, VIEW_REFERRAL)
    return _get(
        Referral.objects.visible_to(user).select_related(
            *SUBJECT_RELATED, "from_organisation", "to_organisation", "category", "case"
        ),
        pk,
    )


# --- transfers to the police or judiciary (行刑衔接) ------------------------------------------------


def judicial_transfer_list(user, case=None) -> QuerySet[JudicialTransfer]:
    require(user, VIEW_JUDICIAL_TRANSFER)
    qs = JudicialTransfer.objects.visible_to(user).select_related("case", "to_organisation", "category")
    if case is not None:
        qs = qs.filter(case=case)
    return qs


def judicial_transfer_get(user, pk) -> JudicialTransfer:
    require(user, VIEW_JUDICIAL_TRANSFER)
    return _get(
        JudicialTransfer.objects.visible_to(user).select_related("case", "to_organisation", "category"),
        pk,
    )


# --- blacklist --------------------------------------------------------------------------------------


def active_on(day: dt.date) -> Q:
    """Entries in force on `day`: not removed, and listed without end or until that day."""
    return Q(removed_on__isnull=True, listed_on__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))


def blacklist_list(
    user, *, active: bool | None = True, on: dt.date | None = None
) -> QuerySet[BlacklistEntry]:
    """The blacklist: the entries in force on `on` (today by default), those not in force
    (`active=False`), or all of them (`active=None`)."""
    require(user, VIEW_BLACKLIST)
    qs = BlacklistEntry.objects.visible_to(user).select_related(*SUBJECT_RELATED, "case")
    condition = active_on(on or timezone.localdate())
    if active is True:
        qs = qs.filter(condition)
    elif active is False:
        qs = qs.exclude(condition)
    return qs


def blacklist_get(user, pk) -> BlacklistEntry:
    require(user, VIEW_BLACKLIST)
    return _get(BlacklistEntry.objects.visible_to(user).select_related(*SUBJECT_RELATED, "case"), pk)


# --- bad-conduct points -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditTotal:
    institution: Institution | None
    practitioner: Practitioner | None
    points: int

    @property
    def name(self) -> str:
        if self.institution is not None:
            return self.institution.organisation.name
        return self.practitioner.name if self.practitioner is not None else ""


def credit_totals(user, *, year: int) -> list[CreditTotal]:
    """Each institution's and each practitioner's points awarded in `year`, the most first."""
    require(user, VIEW_CREDIT)
    rows = list(
        CreditPoint.objects.visible_to(user)
        .filter(awarded_on__year=year)
        .values("institution", "practitioner")
        .annotate(total=Sum("points"))
        .order_by("-total", "institution", "practitioner")
    )
    institutions = Institution.objects.select_related("organisation").in_bulk(
        [r["institution"] for r in rows if r["institution"] is not None]
    )
    practitioners = Practitioner.objects.in_bulk(
        [r["practitioner"] for r in rows if r["practitioner"] is not None]
    )
    return [
        CreditTotal(
            institution=institutions.get(row["institution"]),
            practitioner=practitioners.get(row["practitioner"]),
            points=row["total"],
        )
        for row in rows
    ]


# --- who may answer, mark or send: one place for the services, the pages and the API ------------------


def may_answer_referral(user, referral: Referral) -> bool:
    """Only the receiving organisation answers a referral."""
    if not user.has_perm("enforcement.change_referral"):
        return False
    return user.is_superuser or user.organisation_id == referral.to_organisation_id


def may_answer_transfer(user, transfer: JudicialTransfer) -> bool:
    """The police usually answer on paper: the sending organisation records the 回执; users of the
    receiving organisation may record it too."""
    if not user.has_perm("enforcement.change_judicialtransfer"):
        return False
    sides = {transfer.case.organisation_id, transfer.to_organisation_id} - {None}
    return user.is_superuser or user.organisation_id in sides


def may_mark_typical(user, case: Case) -> bool:
    return (
        user.has_perm("enforcement.change_case")
        and is_handling(user, case)
        and case.state in workflow.DECIDED_OR_LATER
    )


def may_send_to_police(user, case: Case) -> bool:
    return (
        user.has_perm("enforcement.transfer_case")
        and is_handling(user, case)
        and case.state in workflow.TRANSFERABLE_STATES
    )
