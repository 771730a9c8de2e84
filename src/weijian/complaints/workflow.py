"""The complaint state machine as one table (seed-004 §2.11, PRODUCT: 受理 → 分办/转办 → 核查 → 处理 → 答复
→ 满意度).

Each row says which permission the actor needs and whose side they must be on: `REGULATOR` (a user
whose data scope holds the complaint by division, not an institution) or `HANDLING` (a user of the
organisation handling the complaint now). The superuser stands on both sides. The only code that
applies a row is `weijian.complaints.services.complaint_transition`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core.errors import DomainError

from .models import ComplaintState

REGULATOR = "regulator"
HANDLING = "handling"

TRIAGE = "complaints.triage_complaint"
HANDLE = "complaints.handle_complaint"


class Action(models.TextChoices):
    ASSIGN = "assign", _("Assign in-house")
    TRANSFER = "transfer", _("Transfer to another organisation")
    START_CHECK = "start_check", _("Start checking")
    HANDLE = "handle", _("Record the handling result")
    REPLY = "reply", _("Reply to the complainant")
    RATE = "rate", _("Record the complainant's satisfaction")


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    next_state: str
    permission: str
    who: str
    # Data the action must carry, and data it may carry (besides a free-text `note`).
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()


TRANSITIONS: tuple[Transition, ...] = (
    # 分办: a user of the handling organisation takes it on.
    Transition(
        ComplaintState.RECEIVED,
        Action.ASSIGN,
        ComplaintState.ASSIGNED,
        TRIAGE,
        REGULATOR,
        requires=("handler",),
    ),
    # 转办: the competent organisation takes it over (转交相关部门查办, seed-004 §7.15).
    Transition(
        ComplaintState.RECEIVED,
        Action.TRANSFER,
        ComplaintState.TRANSFERRED,
        TRIAGE,
        REGULATOR,
        requires=("to_organisation",),
    ),
    Transition(
        ComplaintState.ASSIGNED,
        Action.TRANSFER,
        ComplaintState.TRANSFERRED,
        TRIAGE,
        REGULATOR,
        requires=("to_organisation",),
    ),
    Transition(ComplaintState.ASSIGNED, Action.START_CHECK, ComplaintState.CHECKING, HANDLE, HANDLING),
    Transition(ComplaintState.TRANSFERRED, Action.START_CHECK, ComplaintState.CHECKING, HANDLE, HANDLING),
    # 办结. Categories with 举报1例现场核查1例 (seed-004 §7.14) also need the on-site check date.
    Transition(
        ComplaintState.CHECKING,
        Action.HANDLE,
        ComplaintState.HANDLED,
        HANDLE,
        HANDLING,
        requires=("substantiated", "result"),
        accepts=("handled_on", "on_site_checked_on"),
    ),
    # 反馈: the reply is due within the category's working days (20 by default, seed-000 篇6 §6.5).
    Transition(
        ComplaintState.HANDLED,
        Action.REPLY,
        ComplaintState.REPLIED,
        HANDLE,
        HANDLING,
        requires=("reply",),
        accepts=("replied_on",),
    ),
    # 回访: the receiving side asks the complainant, not the institution complained about.
    Transition(
        ComplaintState.REPLIED,
        Action.RATE,
        ComplaintState.RATED,
        HANDLE,
        REGULATOR,
        requires=("satisfaction",),
    ),
)

_BY_KEY: dict[tuple[str, str], Transition] = {(row.state, row.action): row for row in TRANSITIONS}

# States in which the complaint is still being triaged: it may be tied to a campaign then.
TRIAGE_STATES = (ComplaintState.RECEIVED, ComplaintState.ASSIGNED, ComplaintState.TRANSFERRED)
# States before the reply: the reply deadline still runs.
AWAITING_REPLY = (*TRIAGE_STATES, ComplaintState.CHECKING, ComplaintState.HANDLED)


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409
    default_message = _("This action is not possible in the complaint's present state.")


def transition(state: str, action: str) -> Transition:
    """The row for `action` on a complaint in `state`; TransitionNotAllowed if there is none."""
    row = _BY_KEY.get((state, action))
    if row is None:
        raise TransitionNotAllowed()
    return row


def next_state(state: str, action: str) -> str:
    return transition(state, action).next_state


def actions_from(state: str) -> tuple[Transition, ...]:
    return tuple(row for row in TRANSITIONS if row.state == state)
