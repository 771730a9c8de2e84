"""Reads of complaints, every one scoped to the user through `visible_to`: lists, deadlines, who may act,
the five counters of the medical-beauty summary footer, and the complainant's own tracking without login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet

from weijian.core.calendar import working_days_between
from weijian.core.errors import NotVisible
from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind, ScopeMode, User
from weijian.core.permissions import require
from weijian.core.scope import scope_of

from . import workflow
from .models import Complaint, ComplaintState, Satisfaction
from .workflow import HANDLING, REGULATOR, Transition

VIEW = "complaints.view_complaint"


def complaint_list(
    user,
    *,
    state: str = "",
    category: str = "",
    overdue: bool = False,
    campaign=None,
    query: str = "",
    today: dt.date | None = None,
) -> QuerySet[Complaint]:
    """The complaints the user may see, filtered. `overdue` needs `today`."""
    require(user, VIEW)
    qs = Complaint.objects.visible_to(user).select_related(
        "category", "division", "institution__organisation", "handling_organisation", "campaign"
    )
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if overdue:
        if today is None:
            raise ValueError("`overdue` needs `today`")
        qs = qs.filter(_overdue(today))
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(subject_name__icontains=query)
            | Q(institution__organisation__name__icontains=query)
            | Q(complainant_name__icontains=query)
            | Q(content__icontains=query)
        )
    return qs


def complaint_get(user, pk) -> Complaint:
    require(user, VIEW)
    complaint = (
        Complaint.objects.visible_to(user)
        .select_related(
            "category",
            "division",
            "institution__organisation",
            "received_by",
            "handling_organisation",
            "handler",
            "campaign",
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise NotVisible()
    return complaint


# --- who may act ------------------------------------------------------------------------------------


def is_regulator(user) -> bool:
    """A user whose scope is a division subtree and who does not work for a medical institution (a
    township hospital sees its township but does not triage complaints). Scope is the caller's."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.division_prefix is None or user.organisation_id is None:
        return False
    return user.organisation.kind != OrganisationKind.MEDICAL_INSTITUTION


def is_handling(user, complaint: Complaint) -> bool:
    """A user of the organisation handling the complaint now, or the superuser."""
    if user.is_superuser:
        return True
    return user.organisation_id is not None and user.organisation_id == complaint.handling_organisation_id


def may_apply(user, complaint: Complaint, row: Transition) -> bool:
    """Whether `user` holds the row's permission and stands on the row's side. Scope is the caller's."""
    if not user.has_perm(row.permission):
        return False
    if row.who == REGULATOR:
        return is_regulator(user)
    if row.who == HANDLING:
        return is_handling(user, complaint)
    return False


def complaint_actions(user, complaint: Complaint) -> list[str]:
    """The actions `user` may apply to `complaint` (already read through `complaint_get`) now."""
    return [row.action for row in workflow.actions_from(complaint.state) if may_apply(user, complaint, row)]


def may_set_campaign(user, complaint: Complaint) -> bool:
    return complaint.state in workflow.TRIAGE_STATES and user.has_perm(workflow.TRIAGE) and is_regulator(user)


def handler_choices(complaint: Complaint) -> QuerySet[User]:
    """Active users of the handling organisation whose role may handle complaints."""
    permission = Permission.objects.filter(
        content_type__app_label="complaints", codename="handle_complaint"
    ).first()
    may_handle = Q(is_superuser=True)
    if permission is not None:
        may_handle |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return (
        User.objects.filter(organisation_id=complaint.handling_organisation_id, is_active=True)
        .filter(may_handle)
        .distinct()
        .order_by("full_name", "username")
    )


def organisation_sees(organisation: Organisation, complaint: Complaint) -> bool:
    """Whether users of `organisation` would see the complaint once it handles it: an institution
    sees what it handles; a subtree organisation only complaints of its own division or below."""
    if organisation.scope_mode == ScopeMode.OWN_INSTITUTION:
        return True
    return complaint.division.code.startswith(organisation.division.prefix)


def transfer_targets(user, complaint: Complaint) -> QuerySet[Organisation]:
    """Organisations in the user's scope, other than the present handler, that would see the
    complaint: institutions, and subtree organisations of the complaint's division or above it."""
    chain = [complaint.division, *complaint.division.ancestors()]
    return (
        Organisation.objects.visible_to(user)
        .exclude(pk=complaint.handling_organisation_id)
        .exclude(kind=OrganisationKind.DEPARTMENT)  # partner departments get referrals (see services)
        .filter(Q(scope_mode=ScopeMode.OWN_INSTITUTION) | Q(scope_mode=ScopeMode.SUBTREE, division__in=chain))
        .select_related("division")
    )


def campaign_choices(user):
    """The campaigns a complaint of this user may be tied to (none for a role that cannot see any)."""
    from weijian.campaigns import selectors as campaigns
    from weijian.campaigns.models import Campaign

    if not user.has_perm("campaigns.view_campaign"):
        return Campaign.objects.none()
    return campaigns.campaign_list(user)


def public_divisions() -> QuerySet[Division]:
    """The counties and townships a member of the public may name: those under a health commission of
    the deployment, which receives the complaint."""
    prefixes = {
        division.prefix
        for division in Division.objects.filter(organisations__kind=OrganisationKind.COMMISSION).distinct()
    }
    if not prefixes:
        return Division.objects.none()
    under = Q()
    for prefix in sorted(prefixes):
        under |= Q(code__startswith=prefix)
    return Division.objects.filter(under, level__in=[DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]).order_by(
        "code"
    )


def intake_divisions(user) -> QuerySet[Division]:
    """The counties and townships in which the user may register a complaint."""
    scope = scope_of(user)
    qs = Division.objects.filter(level__in=[DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]).order_by("code")
    if scope.everything:
        return qs
    if scope.division_prefix is None:
        return qs.none()
    return qs.filter(code__startswith=scope.division_prefix)


# --- deadlines --------------------------------------------------------------------------------------


def _overdue(today: dt.date) -> Q:
    return Q(state__in=workflow.AWAITING_REPLY, reply_due__lt=today)


def overdue(user, today: dt.date) -> QuerySet[Complaint]:
    """Complaints not yet replied to whose reply was due before `today`."""
    return complaint_list(user).filter(_overdue(today))


def is_overdue(complaint: Complaint, today: dt.date) -> bool:
    return complaint.state in workflow.AWAITING_REPLY and complaint.reply_due < today


def working_days_left(complaint: Complaint, today: dt.date) -> int | None:
    """Working days from `today` to the reply deadline (negative once overdue); None after the reply."""
    if complaint.state not in workflow.AWAITING_REPLY:
        return None
    return working_days_between(today, complaint.reply_due)


# --- the summary footer ------------------------------------------------------------------------------


def summary_counters(queryset: QuerySet[Complaint]) -> dict[str, int]:
    """The five complaint counters of the medical-beauty summary footer (seed-000 篇1 附件1):
    投诉举报件 received, 办结件 closed, 实施行政处罚件 penalised (a case opened from it reached a penalty
    decision, `led_to_penalty`), 反馈件 replied, 举报人满意件 satisfied. One aggregate query."""
    return queryset.order_by().aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=Q(handled_on__isnull=False)),
        penalised=Count("pk", filter=Q(led_to_penalty=True)),
        replied=Count("pk", filter=Q(replied_on__isnull=False)),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
    )


# --- tracking without login ---------------------------------------------------------------------------


def normalise_tracking_key(key: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", key.upper())


def hash_tracking_key(key: str) -> str:
    return hashlib.sha256(normalise_tracking_key(key).encode()).hexdigest()


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


# Fewer digits than a local number would let a guess match too easily.
MIN_PHONE_DIGITS = 7


def _contact_matches(complaint: Complaint, secret: str) -> bool:
    key = normalise_tracking_key(secret)
    if (
        key
        and complaint.tracking_key_hash
        and hmac.compare_digest(complaint.tracking_key_hash, hash_tracking_key(key))
    ):
        return True
    if complaint.anonymous:
        return False
    phone = _digits(secret)
    if (
        len(phone) >= MIN_PHONE_DIGITS
        and complaint.complainant_phone
        and hmac.compare_digest(phone, _digits(complaint.complainant_phone))
    ):
        return True
    email = secret.strip().casefold()
    if "@" in email and complaint.complainant_email:
        return hmac.compare_digest(email.encode(), complaint.complainant_email.strip().casefold().encode())
    return False


@dataclass(frozen=True)
class PublicStatus:
    """What a complainant learns about their complaint: progress and the reply, nothing internal."""

    number: str
    state: str
    state_label: str
    received_on: dt.date
    reply_due: dt.date
    replied_on: dt.date | None
    reply: str


def public_status(number: str, phone_or_email: str) -> PublicStatus | None:
    """The status of complaint `number` for its complainant, who proves it with the phone or email given
    at intake or with the tracking key; None when either does not match (no hint which)."""
    complaint = Complaint.objects.filter(number=number.strip().upper()).first()
    if complaint is None or not _contact_matches(complaint, phone_or_email or ""):
        return None
    replied = complaint.state in (ComplaintState.REPLIED, ComplaintState.RATED)
    return PublicStatus(
        number=complaint.number,
        state=complaint.state,
        state_label=str(complaint.get_state_display()),
        received_on=complaint.received_on,
        reply_due=complaint.reply_due,
        replied_on=complaint.replied_on if replied else None,
        reply=complaint.reply if replied else "",
    )
