"""Business actions on hazards: recording one, and moving it through the rectification workflow.

`hazard_transition` is the only code that changes `Hazard.state`: it applies a row of
`weijian.rectification.workflow.TRANSITIONS` after checking the role, the side (own institution or
regulator) and the scope, and writes the hazard, a HazardEvent and the audit trail in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.core.audit import record_transition
from weijian.core.calendar import add_working_days
from weijian.core.errors import DomainError, InvalidInput, NotAllowed, NotVisible, full_clean_or_raise
from weijian.core.permissions import require
from weijian.registry.models import Institution

from . import selectors, workflow
from .models import Hazard, HazardEvent

# The inspected unit hands in a written rectification report within 7 working days (seed-004 §7.7).
REPORT_DUE_WORKING_DAYS = 7


class InvalidHazard(InvalidInput):
    """A hazard or rectification step given data that breaks a rule."""


@transaction.atomic
def hazard_create(
    *,
    user,
    institution: Institution,
    category,
    level: str,
    description: str,
    source: str,
    found_on: dt.date,
    campaign=None,
    inspection=None,
    answer=None,
    location: str = "",
) -> Hazard:
    """Record a hazard found at `institution`: by the institution itself, or by a regulator in scope."""
    require(user, "rectification.add_hazard")
    # Institution users see only their own institution, regulators their subtree: the scope decides.
    if not Institution.objects.visible_to(user).filter(pk=institution.pk).exists():
        raise NotVisible()
    if inspection is not None:
        if inspection.institution_id != institution.pk:
            raise InvalidHazard(_("The inspection is of another institution."), field="inspection")
        if campaign is None:
            campaign = inspection.campaign
        elif campaign.pk != inspection.campaign_id:
            raise InvalidHazard(_("The inspection belongs to another campaign."), field="campaign")
    if answer is not None and (inspection is None or answer.inspection_id != inspection.pk):
        raise InvalidHazard(_("The answer is not part of this inspection."), field="answer")
    if inspection is not None and found_on < inspection.inspected_on:
        raise InvalidHazard(_("A hazard cannot be found before its inspection."), field="found_on")
    start = inspection.inspected_on if inspection is not None else found_on
    hazard = Hazard(
        institution=institution,
        category=category,
        level=level,
        description=description,
        source=source,
        found_on=found_on,
        campaign=campaign,
        inspection=inspection,
        answer=answer,
        location=location,
        report_due=add_working_days(start, REPORT_DUE_WORKING_DAYS),
    )
    full_clean_or_raise(hazard)
    hazard.save()
    return hazard


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


_required = InvalidHazard.required


def _plan(hazard: Hazard, data: dict[str, Any]) -> dict[str, Any]:
    """The five elements (五落实), all required; the deadline may not precede the finding."""
    values: dict[str, Any] = {}
    for name in ("responsible_person", "measures", "contingency_plan"):
        if not _text(data, name):
            raise _required(name)
        values[name] = _text(data, name)
    funding = data.get("funding")
    if funding is None or funding == "":
        raise _required("funding")
    try:
        funding = Decimal(str(funding))
    except InvalidOperation:
        raise InvalidHazard(_("Enter an amount in yuan."), field="funding") from None
    if funding < 0:
        raise InvalidHazard(_("The funding cannot be negative."), field="funding")
    values["funding"] = funding
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise _required("deadline")
    if deadline < hazard.found_on:
        raise InvalidHazard(_("The deadline cannot be before the hazard was found."), field="deadline")
    values["deadline"] = deadline
    return values


def _check_data(row: workflow.Transition, data: dict[str, Any]) -> None:
    unknown = set(data) - set(row.requires) - set(row.accepts) - {"note"}
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field"
        )


@transaction.atomic
def hazard_transition(*, user, hazard_id, action: str, **data) -> Hazard:
    """Apply `action` to the hazard. Refused (with nothing changed) when the table has no such step from
    the hazard's state and level, the role lacks the permission, the user is on the wrong side, the
    hazard is out of scope, or the data is incomplete."""
    hazard = selectors.hazard_get(user, hazard_id)
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    row = workflow.transition(hazard.state, action, hazard.level)
    require(user, row.permission)
    if not selectors.may_apply(user, hazard, row):
        if row.who == workflow.INSTITUTION:
            raise NotAllowed(_("Only the hazard's own institution may do this."))
        raise NotAllowed(_("Only the supervising authority may do this."))
    _check_data(row, data)

    note = _text(data, "note")
    changes: dict[str, Any] = {}
    if action == workflow.Action.PLAN:
        changes = _plan(hazard, data)
    elif action == workflow.Action.COMPLETE:
        if not _text(data, "completion_evidence"):
            raise _required("completion_evidence")
        changes = {"completion_evidence": _text(data, "completion_evidence")}
    elif action == workflow.Action.VERIFY_FAIL:
        if not _text(data, "reason"):
            raise _required("reason")
        note = _text(data, "reason") + (f"\n{note}" if note else "")
    elif action == workflow.Action.CLOSE:
        closed_on = data.get("closed_on") or timezone.localdate()
        if not isinstance(closed_on, dt.date) or isinstance(closed_on, dt.datetime):
            raise InvalidHazard(_("Enter a date."), field="closed_on")
        if closed_on < hazard.found_on:
            raise InvalidHazard(_("A hazard cannot be closed before it was found."), field="closed_on")
        changes = {"closed_on": closed_on}

    old = hazard.state
    for name, value in changes.items():
        setattr(hazard, name, value)
    hazard.state = row.next_state
    full_clean_or_raise(hazard)
    hazard.save()
    HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_state=old,
        to_state=hazard.state,
        actor=user,
        at=timezone.now(),
        note=note,
    )
    record_transition(hazard, field="state", old=old, new=hazard.state, note=note)
    return hazard
