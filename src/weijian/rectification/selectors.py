"""Reads of hazards, every one scoped to the user through `visible_to`: lists, deadlines, escalation
to the campaign owner and the to-do list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from weijian.core.calendar import add_working_days, working_days_between
from weijian.core.errors import NotVisible
from weijian.core.permissions import require
from weijian.core.scope import scope_of

from . import workflow
from .models import Hazard
from .workflow import INSTITUTION, Transition

VIEW = "rectification.view_hazard"
DUE_SOON_WORKING_DAYS = 3


def hazard_list(
    user,
    *,
    state: str = "",
    level: str = "",
    institution=None,
    campaign=None,
    category: str = "",
    source: str = "",
) -> QuerySet[Hazard]:
    require(user, VIEW)
    qs = Hazard.objects.visible_to(user).select_related("institution__organisation", "category", "campaign")
    if state:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    if institution is not None:
        qs = qs.filter(institution=institution)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if category:
        qs = qs.filter(category=category)
    if source:
        qs = qs.filter(source=source)
    return qs


def hazard_get(user, pk) -> Hazard:
    require(user, VIEW)
    hazard = (
        Hazard.objects.visible_to(user)
        .select_related("institution__organisation__division", "category", "campaign", "inspection")
        .filter(pk=pk)
        .first()
    )
    if hazard is None:
        raise NotVisible()
    return hazard


# --- who may act ------------------------------------------------------------------------------------


def is_own_institution(user, hazard: Hazard) -> bool:
    return user.organisation_id is not None and user.organisation_id == hazard.institution_id


def is_regulator(user, hazard: Hazard) -> bool:
    """A subtree-scope user other than the hazard's own institution: a township hospital does not
    re-inspect or close out its own hazards."""
    scope = scope_of(user)
    if scope.everything:
        return True
    return scope.division_prefix is not None and not is_own_institution(user, hazard)


def may_apply(user, hazard: Hazard, row: Transition) -> bool:
    """Whether `user` holds the row's permission and stands on the row's side. Scope is the caller's."""
    if not user.has_perm(row.permission):
        return False
    if row.who == INSTITUTION:
        return is_own_institution(user, hazard)
    return is_regulator(user, hazard)


def available_actions(user, hazard: Hazard) -> list[str]:
    return [
        row.action
        for row in workflow.actions_from(hazard.state, hazard.level)
        if may_apply(user, hazard, row)
    ]


def _actionable(user) -> Q | None:
    """The hazards (among the visible ones) on which the user may apply some transition, as a filter."""
    scope = scope_of(user)
    condition = None
    for row in workflow.TRANSITIONS:
        if not user.has_perm(row.permission):
            continue
        q = Q(state=row.state, level__in=sorted(row.levels))
        if row.who == INSTITUTION:
            if user.organisation_id is None:
                continue
            q &= Q(institution_id=user.organisation_id)
        elif not scope.everything:
            if scope.division_prefix is None:
                continue
            q &= ~Q(institution_id=user.organisation_id)
        condition = q if condition is None else condition | q
    return condition


# --- deadlines --------------------------------------------------------------------------------------


def due_date(hazard: Hazard) -> dt.date | None:
    """The date the hazard's next step is due: the written report (and plan) until a plan exists,
    then the plan's own deadline until rectification is reported complete."""
    if hazard.state in workflow.AWAITING_PLAN:
        return hazard.report_due
    if hazard.state in workflow.RECTIFYING:
        return hazard.deadline
    return None


def _overdue(today: dt.date) -> Q:
    return Q(state__in=workflow.AWAITING_PLAN, report_due__lt=today) | Q(
        state__in=workflow.RECTIFYING, deadline__lt=today
    )


def overdue_hazards(user, today: dt.date) -> QuerySet[Hazard]:
    """Hazards whose plan deadline has passed before rectification was completed, or whose written
    report (seed-004 §7.7) is late with no plan yet."""
    return hazard_list(user).filter(_overdue(today))


def escalated_to_owner(user, today: dt.date) -> QuerySet[Hazard]:
    """Overdue hazards of the campaigns that the user's organisation owns: the owner follows them up."""
    qs = overdue_hazards(user, today)
    if user.organisation_id is None:
        return qs.none()
    return qs.filter(campaign__owner_id=user.organisation_id)


@dataclass
class Todo:
    awaiting: list[Hazard] = field(default_factory=list)
    due_soon: list[Hazard] = field(default_factory=list)
    overdue: list[Hazard] = field(default_factory=list)


def todo_for(user, today: dt.date) -> Todo:
    """What the user should look at today: hazards waiting for an action the user may take, hazards due
    within three working days, and overdue hazards. Empty for a role that may not see hazards."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Todo()
    visible = hazard_list(user)
    actionable = _actionable(user)
    awaiting = list(visible.filter(actionable)) if actionable is not None else []
    # No date on or after the (n+1)-th working day is within n working days: bound the query there.
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS + 1)
    open_hazards = visible.filter(
        Q(state__in=workflow.AWAITING_PLAN, report_due__gte=today, report_due__lt=horizon)
        | Q(state__in=workflow.RECTIFYING, deadline__gte=today, deadline__lt=horizon)
    )
    due_soon = [h for h in open_hazards if working_days_between(today, due_date(h)) <= DUE_SOON_WORKING_DAYS]
    due_soon.sort(key=lambda h: (due_date(h), h.pk))
    overdue = sorted(visible.filter(_overdue(today)), key=lambda h: (due_date(h), h.pk))
    return Todo(awaiting=awaiting, due_soon=due_soon, overdue=overdue)
