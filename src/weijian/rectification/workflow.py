"""The rectification state machine as one table (seed-004 §2.9, §7.8–7.10).

发现 → [重大: 挂牌督办] → 整改方案 (five elements) → 整改中 → 整改完成 → 复查 (pass, or back to 整改中)
→ 销号 → 回头看. Each row says which permission the actor needs and whose side they must be on:
`INSTITUTION` (a user of the hazard's own institution) or `REGULATOR` (a subtree-scope user). The
only code that applies a row is `weijian.rectification.services.hazard_transition`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core.errors import DomainError

from .models import HazardLevel, HazardState

INSTITUTION = "institution"
REGULATOR = "regulator"

GENERAL = HazardLevel.GENERAL
MAJOR = HazardLevel.MAJOR
ALL_LEVELS = frozenset({GENERAL, MAJOR})

# The five elements of a plan (五落实: 责任、措施、资金、时限、预案, seed-004 §2.9.4, §7.9).
FIVE_ELEMENTS = ("responsible_person", "measures", "funding", "deadline", "contingency_plan")


class Action(models.TextChoices):
    LIST = "list", _("Place under listed supervision")
    PLAN = "plan", _("Submit the rectification plan")
    START = "start", _("Start rectifying")
    COMPLETE = "complete", _("Report rectification completed")
    VERIFY_PASS = "verify_pass", _("Pass the re-inspection")
    VERIFY_FAIL = "verify_fail", _("Fail the re-inspection")
    CLOSE = "close", _("Close out")
    LOOK_BACK = "look_back", _("Record the look-back")


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    next_state: str
    permission: str
    who: str
    levels: frozenset[str] = ALL_LEVELS
    # Data the action must carry, and data it may carry (besides a free-text `note`).
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()


TRANSITIONS: tuple[Transition, ...] = (
    # Every major hazard is placed under listed supervision before anything else (seed-004 §7.8).
    Transition(
        HazardState.FOUND,
        Action.LIST,
        HazardState.LISTED,
        "rectification.list_hazard",
        REGULATOR,
        frozenset({MAJOR}),
    ),
    Transition(
        HazardState.FOUND,
        Action.PLAN,
        HazardState.PLANNED,
        "rectification.plan_rectification",
        INSTITUTION,
        frozenset({GENERAL}),
        requires=FIVE_ELEMENTS,
    ),
    Transition(
        HazardState.LISTED,
        Action.PLAN,
        HazardState.PLANNED,
        "rectification.plan_rectification",
        INSTITUTION,
        requires=FIVE_ELEMENTS,
    ),
    Transition(
        HazardState.PLANNED,
        Action.START,
        HazardState.IN_PROGRESS,
        "rectification.plan_rectification",
        INSTITUTION,
    ),
    Transition(
        HazardState.IN_PROGRESS,
        Action.COMPLETE,
        HazardState.COMPLETED,
        "rectification.plan_rectification",
        INSTITUTION,
        requires=("completion_evidence",),
    ),
    Transition(
        HazardState.COMPLETED,
        Action.VERIFY_PASS,
        HazardState.VERIFIED,
        "rectification.verify_rectification",
        REGULATOR,
    ),
    # A failed re-inspection sends the hazard back to rectifying, with the reason (督促彻底整改, §2.9).
    Transition(
        HazardState.COMPLETED,
        Action.VERIFY_FAIL,
        HazardState.IN_PROGRESS,
        "rectification.verify_rectification",
        REGULATOR,
        requires=("reason",),
    ),
    Transition(
        HazardState.VERIFIED,
        Action.CLOSE,
        HazardState.CLOSED,
        "rectification.close_hazard",
        REGULATOR,
        accepts=("closed_on",),
    ),
    Transition(
        HazardState.CLOSED, Action.LOOK_BACK, HazardState.LOOKED_BACK, "rectification.close_hazard", REGULATOR
    ),
)

_BY_KEY: dict[tuple[str, str], tuple[Transition, ...]] = {}
for _row in TRANSITIONS:
    _BY_KEY[(_row.state, _row.action)] = (*_BY_KEY.get((_row.state, _row.action), ()), _row)

# States in which the report or plan deadline still runs, for deadlines and to-do lists.
AWAITING_PLAN = (HazardState.FOUND, HazardState.LISTED)
RECTIFYING = (HazardState.PLANNED, HazardState.IN_PROGRESS)


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409
    default_message = _("This action is not possible in the hazard's present state.")


def transition(state: str, action: str, level: str) -> Transition:
    """The row for `action` on a hazard of `level` in `state`; TransitionNotAllowed if there is none."""
    for row in _BY_KEY.get((state, action), ()):
        if level in row.levels:
            return row
    raise TransitionNotAllowed()


def next_state(state: str, action: str, level: str) -> str:
    return transition(state, action, level).next_state


def actions_from(state: str, level: str) -> tuple[Transition, ...]:
    """Every row that applies to a hazard of `level` in `state`."""
    return tuple(row for row in TRANSITIONS if row.state == state and level in row.levels)
