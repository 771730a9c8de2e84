"""The case workflow and the reply workflow of referrals and judicial transfers, as tables.

A case: 线索 → 核查 → 立案 (简易/一般) → 调查 → 处罚决定 → 执行 → 结案 (seed-004 §2.12). The summary
procedure (简易程序) decides on the spot, so it skips the investigation; a decision made of warnings and
orders to correct only has nothing to execute, so the case may close straight after it. A lead may be
dropped (不予立案) before filing, and an open case handed over (移送) to the department it belongs to.

Each row names the permission the actor needs; the actor must also belong to the handling
organisation (see `weijian.enforcement.selectors.may_apply`). The only code that applies a row is
`weijian.enforcement.services.case_transition`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.core.errors import DomainError

from .models import CaseState, PenaltyKind, Procedure, ReferralState

NO_PROCEDURE = ""  # before filing the procedure is not chosen yet
ANY_PROCEDURE = frozenset({NO_PROCEDURE, Procedure.SIMPLE, Procedure.GENERAL})
GENERAL_ONLY = frozenset({Procedure.GENERAL})
SIMPLE_ONLY = frozenset({Procedure.SIMPLE})

# Measures that are complete once decided: nothing is collected, confiscated or enforced afterwards.
NEEDS_NO_EXECUTION = frozenset({PenaltyKind.WARNING, PenaltyKind.CORRECTION_ORDER})

# The states a case may still be handed over from: before the penalty decision.
OPEN_BEFORE_DECISION = (CaseState.LEAD, CaseState.VERIFYING, CaseState.FILED, CaseState.INVESTIGATING)
FINAL_STATES = frozenset({CaseState.CLOSED, CaseState.DROPPED, CaseState.HANDED_OVER})
DECIDED_OR_LATER = frozenset({CaseState.DECIDED, CaseState.EXECUTING, CaseState.CLOSED})
# A suspected crime may go to the police once the case is filed and until it is closed (行刑衔接).
TRANSFERABLE_STATES = (CaseState.FILED, CaseState.INVESTIGATING, CaseState.DECIDED, CaseState.EXECUTING)

FILE = "enforcement.file_case"
DECIDE = "enforcement.decide_case"
TRANSFER = "enforcement.transfer_case"

DECISION_FIELDS = ("decided_on", "facts", "law_violated", "penalty_basis", "penalties")


class Action(models.TextChoices):
    VERIFY = "verify", _("Start verifying the lead")
    DROP = "drop", _("Do not file")
    FILE = "file", _("File the case")
    INVESTIGATE = "investigate", _("Start the investigation")
    DECIDE = "decide", _("Record the penalty decision")
    EXECUTE = "execute", _("Start executing the penalty")
    CLOSE = "close", _("Close the case")
    HAND_OVER = "hand_over", _("Hand over to another department")


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    next_state: str
    permission: str
    procedures: frozenset[str] = ANY_PROCEDURE
    # Data the action must carry, and data it may carry (besides a free-text `note`).
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    # Only when every penalty of the decision needs no execution.
    only_without_execution: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(CaseState.LEAD, Action.VERIFY, CaseState.VERIFYING, FILE),
    Transition(CaseState.LEAD, Action.DROP, CaseState.DROPPED, FILE, requires=("reason",)),
    Transition(CaseState.VERIFYING, Action.DROP, CaseState.DROPPED, FILE, requires=("reason",)),
    Transition(CaseState.VERIFYING, Action.FILE, CaseState.FILED, FILE, requires=("procedure", "filed_on")),
    Transition(CaseState.FILED, Action.INVESTIGATE, CaseState.INVESTIGATING, FILE, GENERAL_ONLY),
    Transition(
        CaseState.INVESTIGATING, Action.DECIDE, CaseState.DECIDED, DECIDE, GENERAL_ONLY, DECISION_FIELDS
    ),
    # 简易程序: decided on the spot, without an investigation stage.
    Transition(CaseState.FILED, Action.DECIDE, CaseState.DECIDED, DECIDE, SIMPLE_ONLY, DECISION_FIELDS),
    Transition(CaseState.DECIDED, Action.EXECUTE, CaseState.EXECUTING, DECIDE),
    Transition(CaseState.EXECUTING, Action.CLOSE, CaseState.CLOSED, DECIDE, requires=("closed_on",)),
    Transition(
        CaseState.DECIDED,
        Action.CLOSE,
        CaseState.CLOSED,
        DECIDE,
        requires=("closed_on",),
        only_without_execution=True,
    ),
    *(
        Transition(
            state,
            Action.HAND_OVER,
            CaseState.HANDED_OVER,
            TRANSFER,
            requires=("to_organisation",),
            accepts=("facts", "sent_on"),
        )
        for state in OPEN_BEFORE_DECISION
    ),
)


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409
    default_message = _("This action is not possible in the record's present state.")


def needs_execution(penalty_kinds: Iterable[str]) -> bool:
    """Whether a decision of these measures leaves something to execute (a fine to collect, say)."""
    return any(kind not in NEEDS_NO_EXECUTION for kind in penalty_kinds)


def _applies(row: Transition, procedure: str, penalty_kinds: Iterable[str] | None) -> bool:
    if procedure not in row.procedures:
        return False
    if row.only_without_execution and penalty_kinds is not None:
        return not needs_execution(penalty_kinds)
    return True


def transition(state: str, action: str, procedure: str, penalty_kinds: Iterable[str] = ()) -> Transition:
    """The row for `action` on a case in `state` under `procedure` whose decision imposed
    `penalty_kinds`; TransitionNotAllowed if there is none."""
    kinds = tuple(penalty_kinds)
    for row in TRANSITIONS:
        if row.state == state and row.action == action and _applies(row, procedure, kinds):
            return row
    raise TransitionNotAllowed()


def next_state(state: str, action: str, procedure: str, penalty_kinds: Iterable[str] = ()) -> str:
    return transition(state, action, procedure, penalty_kinds).next_state


def actions_from(
    state: str, procedure: str, penalty_kinds: Iterable[str] | None = None
) -> tuple[Transition, ...]:
    """Every row that applies to a case in `state` under `procedure`. Without `penalty_kinds` the
    close-after-decision row is listed whatever the decision; with them, only when it applies."""
    kinds = tuple(penalty_kinds) if penalty_kinds is not None else None
    return tuple(row for row in TRANSITIONS if row.state == state and _applies(row, procedure, kinds))


# --- referrals and judicial transfers -------------------------------------------------------------
# Both wait for the receiving side's answer the same way: receipt, acceptance or refusal, outcome.
# ReferralState and JudicialTransferState share their values, so one table serves both.


class ReplyAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge receipt")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    REPORT_OUTCOME = "report_outcome", _("Report the outcome")


@dataclass(frozen=True)
class ReplyTransition:
    state: str
    action: str
    next_state: str
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()


REPLY_TRANSITIONS: tuple[ReplyTransition, ...] = (
    ReplyTransition(
        ReferralState.SENT, ReplyAction.ACKNOWLEDGE, ReferralState.ACKNOWLEDGED, ("acknowledged_on",)
    ),
    # Accepting a referral may open a case in the receiving organisation at once.
    ReplyTransition(
        ReferralState.ACKNOWLEDGED,
        ReplyAction.ACCEPT,
        ReferralState.ACCEPTED,
        ("decided_on",),
        ("open_case", "title"),
    ),
    ReplyTransition(
        ReferralState.ACKNOWLEDGED, ReplyAction.DECLINE, ReferralState.DECLINED, ("decided_on", "reason")
    ),
    ReplyTransition(
        ReferralState.ACCEPTED,
        ReplyAction.REPORT_OUTCOME,
        ReferralState.CONCLUDED,
        ("outcome", "outcome_on"),
    ),
)


def reply_transition(state: str, action: str) -> ReplyTransition:
    for row in REPLY_TRANSITIONS:
        if row.state == state and row.action == action:
            return row
    raise TransitionNotAllowed()


def reply_actions_from(state: str) -> tuple[ReplyTransition, ...]:
    return tuple(row for row in REPLY_TRANSITIONS if row.state == state)
