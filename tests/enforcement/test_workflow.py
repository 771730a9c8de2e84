"""The case transitions table, and a random walk of every role over it through the service."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.enforcement import factories
from tests.enforcement.factories import CLOSED_ON, FILED_ON, snapshot
from weijian.core.errors import DomainError
from weijian.enforcement.models import Case, CaseState, CreditPoint, Penalty, Procedure
from weijian.enforcement.services import case_transition
from weijian.enforcement.workflow import Action, TransitionNotAllowed, actions_from, next_state

WARNINGS_ONLY = ("warning", "correction_order")
WITH_FINE = ("warning", "fine")


def expected_next(state: str, action: str, procedure: str, kinds=()) -> str | None:
    """The case loop as the issue states it, written out by hand."""
    plain = {
        ("lead", "verify"): "verifying",
        ("lead", "drop"): "dropped",
        ("verifying", "drop"): "dropped",
        ("verifying", "file"): "filed",
        ("decided", "execute"): "executing",
        ("executing", "close"): "closed",
    }
    if (state, action) in plain:
        return plain[(state, action)]
    if action == "hand_over" and state in {"lead", "verifying", "filed", "investigating"}:
        return "handed_over"
    if (state, action, procedure) == ("filed", "investigate", "general"):
        return "investigating"
    if action == "decide" and (state, procedure) in {("filed", "simple"), ("investigating", "general")}:
        return "decided"
    if (state, action) == ("decided", "close") and set(kinds) <= {"warning", "correction_order"}:
        return "closed"
    return None


@pytest.mark.parametrize(
    ("state", "action", "procedure", "kinds"),
    list(
        itertools.product(
            CaseState.values, [*Action.values, "reopen"], ["", *Procedure.values], [WARNINGS_ONLY, WITH_FINE]
        )
    ),
)
def test_the_table_allows_exactly_the_steps_of_the_loop(state, action, procedure, kinds):
    expected = expected_next(state, action, procedure, kinds)
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            next_state(state, action, procedure, kinds)
    else:
        assert next_state(state, action, procedure, kinds) == expected
    offered = {row.action for row in actions_from(state, procedure, kinds)}
    assert (action in offered) == (expected is not None)


def test_actions_from_without_the_decision_lists_closing_after_the_decision():
    assert {row.action for row in actions_from("decided", "simple")} == {"execute", "close"}


# --- the random walk --------------------------------------------------------------------------------

ACTORS = [
    "commission_leader",
    "supervisor",
    "department_officer",
    "institution_manager",
    "township_staff",
    "auditor",
    "superuser",
    "no_organisation",
    "colleague",  # supervisor role at the commission: sees the case, does not handle it
    "supervisor_b",  # supervisor role in county B
]
HANDLERS = {"A": {"supervisor", "superuser"}, "B": {"supervisor_b", "superuser"}}
NEEDS_DATA = {"drop", "file", "decide", "close", "hand_over"}


def _data(world, action: str, complete: bool, procedure: str, kinds) -> dict:
    if action == "drop":
        return {"reason": "经核查无违法事实" if complete else " "}
    if action == "file":
        return {"procedure": procedure, "filed_on": FILED_ON} if complete else {"procedure": procedure}
    if action == "decide":
        penalties = [{"kind": k, "amount": "1000" if k == "fine" else None} for k in kinds]
        if not complete:
            penalties[-1] = {"kind": "fine"}  # a fine without its amount
        return factories.decision(penalties=penalties)
    if action == "close":
        return {"closed_on": CLOSED_ON} if complete else {}
    if action == "hand_over":
        return {"to_organisation": world.orgs["market_a"], "facts": "涉嫌违法广告"} if complete else {}
    return {}


REACHED: set[str] = set()


class CaseLoop(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.world = world
        self.case = None

    @initialize(county=st.sampled_from(["A", "A", "B"]))
    def open(self, county):
        if county == "A":
            self.case = factories.open_case(self.world)
        else:
            self.case = factories.open_case(
                self.world, user="supervisor_b", institution=self.world.institutions["hospital_b"]
            )
        self.county = county
        self.state = "lead"
        self.procedure = ""
        self.kinds = ()
        self.closed_snapshot = None

    @rule(
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(Action.values),
        complete=st.booleans(),
        procedure=st.sampled_from(Procedure.values),
        kinds=st.sampled_from([WARNINGS_ONLY, WITH_FINE]),
    )
    def act(self, actor, action, complete, procedure, kinds):
        self._try(actor, action, complete, procedure, kinds)

    # A purely random walk seldom gets far: this rule takes one of the steps the loop offers from the
    # present state (by the hand-written table), by a handler or by anyone, with data complete or not.
    @rule(
        data=st.data(),
        procedure=st.sampled_from(Procedure.values),
        kinds=st.sampled_from([WARNINGS_ONLY, WITH_FINE]),
    )
    def step_forward(self, data, procedure, kinds):
        offered = [
            a
            for a in Action.values
            if expected_next(self.state, a, self.procedure or procedure, self.kinds or kinds)
        ] or Action.values
        action = data.draw(st.sampled_from(offered))
        actor = data.draw(st.sampled_from(sorted(HANDLERS[self.county])) | st.sampled_from(ACTORS))
        complete = data.draw(st.booleans()) or data.draw(st.booleans())
        self._try(actor, action, complete, procedure, kinds)

    # Drops and hand-overs end the walk early: this rule goes down the main line, by a handler with
    # complete data, so that walks reach the decision, the execution and the close.
    @rule(
        data=st.data(),
        procedure=st.sampled_from(Procedure.values),
        kinds=st.sampled_from([WARNINGS_ONLY, WITH_FINE]),
    )
    def advance(self, data, procedure, kinds):
        main_line = [
            a
            for a in ("verify", "file", "investigate", "decide", "execute", "close")
            if expected_next(self.state, a, self.procedure or procedure, self.kinds or kinds)
        ]
        if main_line:
            actor = data.draw(st.sampled_from(sorted(HANDLERS[self.county])))
            self._try(actor, data.draw(st.sampled_from(main_line)), True, procedure, kinds)

    def _try(self, actor, action, complete, procedure, kinds):
        procedure = self.procedure or procedure
        before = snapshot(self.case)
        try:
            case_transition(
                user=self.world.users[actor],
                case_id=self.case.pk,
                action=action,
                **_data(self.world, action, complete, procedure, kinds),
            )
            applied = True
        except DomainError:
            applied = False
        expected = expected_next(self.state, action, self.procedure, self.kinds)
        may = actor in HANDLERS[self.county]
        valid = complete or action not in NEEDS_DATA
        assert applied == (expected is not None and may and valid), (self.state, actor, action, complete)
        after = Case.objects.get(pk=self.case.pk)
        if applied:
            self.state = expected
            if action == "file":
                self.procedure = procedure
            if action == "decide":
                self.kinds = kinds
            assert after.events.count() == before[2] + 1
        else:
            assert snapshot(self.case) == before
        assert after.state == self.state
        if self.state == "closed" and self.closed_snapshot is None:
            self.closed_snapshot = snapshot(self.case)
        REACHED.add(self.state)

    @precondition(lambda self: self.case is not None)
    @invariant()
    def no_penalty_without_a_decision(self):
        decided = self.case.events.filter(action="decide").exists()
        assert Penalty.objects.filter(case=self.case).exists() == decided
        assert decided == (self.state in {"decided", "executing", "closed"})

    @precondition(lambda self: self.case is not None)
    @invariant()
    def points_only_for_a_closed_case(self):
        if self.state != "closed":
            assert not CreditPoint.objects.filter(case=self.case).exists()

    @precondition(lambda self: self.closed_snapshot is not None)
    @invariant()
    def a_closed_case_is_immutable(self):
        assert snapshot(self.case) == self.closed_snapshot


@pytest.mark.django_db
def test_no_sequence_of_actions_by_any_role_breaks_the_loop(world):
    world.users["colleague"] = factories.user_at(world.orgs["commission_a"], "colleague")
    world.users["supervisor_b"] = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    run_state_machine_as_test(
        lambda: CaseLoop(world),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            # Fixed examples, so the coverage check below cannot flake.
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walk must have reached every end of the loop, or it has shown nothing about them.
    assert {"investigating", "executing", "closed", "dropped", "handed_over"} <= REACHED
