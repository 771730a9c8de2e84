"""The transitions table, and a random walk of every role over it through the service."""

import datetime as dt
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

from tests.complaints import factories
from weijian.complaints.models import Complaint, ComplaintState
from weijian.complaints.services import complaint_transition
from weijian.complaints.workflow import Action, TransitionNotAllowed, next_state
from weijian.core.audit import field_values
from weijian.core.errors import DomainError

D = dt.date

# The lifecycle as the product states it (受理 → 分办/转办 → 核查 → 处理 → 答复 → 满意度), by hand.
EXPECTED = {
    ("received", "assign"): "assigned",
    ("received", "transfer"): "transferred",
    ("assigned", "transfer"): "transferred",
    ("assigned", "start_check"): "checking",
    ("transferred", "start_check"): "checking",
    ("checking", "handle"): "handled",
    ("handled", "reply"): "replied",
    ("replied", "rate"): "rated",
}


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(ComplaintState.values, [*Action.values, "delete"]))
)
def test_the_table_allows_exactly_the_steps_of_the_lifecycle(state, action):
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            next_state(state, action)
    else:
        assert next_state(state, action) == expected


ACTORS = [
    "commission_leader",
    "supervisor",
    "department_officer",
    "institution_manager",
    "insurance_clerk",
    "institution_cashier",
    "township_staff",
    "village_doctor",
    "auditor",
    "superuser",
    "no_organisation",
]
# The receiving side: may triage and rate the complaints of its county.
REGULATORS = {"commission_leader", "supervisor"}
# The one user of each organisation whose role may handle complaints.
HANDLER_OF = {
    "commission_a": "commission_leader",
    "supervision_a": "supervisor",
    "county_hospital": "institution_manager",
}
ORG_OF = {
    "commission_leader": "commission_a",
    "supervisor": "supervision_a",
    "institution_manager": "county_hospital",
    "institution_cashier": "county_hospital",
}
TRANSFER_TARGETS = {
    "county_a": ["county_hospital", "supervision_a", "commission_a"],
    "county_b": ["hospital_b", "commission_b"],
}
REGULATOR_ACTIONS = {"assign", "transfer", "rate"}

REACHED: set[str] = set()


class ComplaintLifecycle(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.world = world
        self.complaint = None

    @initialize(
        county=st.sampled_from(["county_a", "county_a", "county_b"]),
        category=st.sampled_from(["other", "cell_therapy"]),
    )
    def receive(self, county, category):
        self.county = county
        self.handling = "commission_a" if county == "county_a" else "commission_b"
        self.complaint = factories.complaint(
            self.world, division=county, handling=self.handling, category=factories.category(category)
        )
        self.state = "received"
        self.applied = 0

    def _sees(self, actor):
        if actor == "superuser":
            return True
        if actor == "institution_manager":
            return self.handling == "county_hospital"
        return actor in REGULATORS | {"auditor"} and self.county == "county_a"

    def _may(self, actor, action):
        if not self._sees(actor):
            return False
        if action in REGULATOR_ACTIONS:
            return actor in REGULATORS | {"superuser"}
        return actor == "superuser" or HANDLER_OF.get(self.handling) == actor

    def _data(self, action, complete, with_check):
        """The action's data, and whether the service should accept it."""
        requires_check = self.complaint.category.requires_on_site_check
        if action == "assign":
            handler = HANDLER_OF.get(self.handling) if complete else None
            return {"handler": self.world.users[handler or "auditor"]}, handler is not None
        if action == "transfer":
            others = [t for t in TRANSFER_TARGETS[self.county] if t != self.handling]
            target = others[0] if complete else self.handling
            return {"to_organisation": self.world.orgs[target]}, target != self.handling
        if action == "handle":
            data = {
                "substantiated": True,
                "result": "属实" if complete else "",
                "handled_on": D(2026, 10, 20),
            }
            if with_check:
                data["on_site_checked_on"] = D(2026, 10, 9)
            return data, complete and (with_check or not requires_check)
        if action == "reply":
            return {"reply": "已处理" if complete else " ", "replied_on": D(2026, 10, 22)}, complete
        if action == "rate":
            return {"satisfaction": "satisfied" if complete else "delighted"}, complete
        return {}, True

    @rule(
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(Action.values),
        complete=st.booleans(),
        with_check=st.booleans(),
    )
    def act(self, actor, action, complete, with_check):
        self._try(actor, action, complete, with_check)

    # A purely random walk seldom gets far; this rule picks among the steps the lifecycle offers from
    # the present state, by an entitled role or any other, with data complete or not.
    @rule(data=st.data(), complete=st.booleans(), with_check=st.booleans())
    def step_forward(self, data, complete, with_check):
        offered = sorted(a for (s, a) in EXPECTED if s == self.state) or Action.values
        action = data.draw(st.sampled_from(offered))
        entitled = [actor for actor in ACTORS if self._may(actor, action)] or ACTORS
        actor = data.draw(st.sampled_from(entitled) | st.sampled_from(ACTORS))
        self._try(actor, action, complete or data.draw(st.booleans()), with_check or data.draw(st.booleans()))

    def _try(self, actor, action, complete, with_check):
        before = field_values(Complaint.objects.get(pk=self.complaint.pk))
        payload, valid = self._data(action, complete, with_check)
        try:
            complaint_transition(
                user=self.world.users[actor], complaint_id=self.complaint.pk, action=action, **payload
            )
            applied = True
        except DomainError:
            applied = False
        after = Complaint.objects.get(pk=self.complaint.pk)
        expected = EXPECTED.get((self.state, action))
        assert applied == (expected is not None and self._may(actor, action) and valid)
        if applied:
            self.state = expected
            self.applied += 1
            if action == "transfer":
                self.handling = next(
                    k for k, o in self.world.orgs.items() if o.pk == after.handling_organisation_id
                )
        else:
            assert field_values(after) == before
        assert after.state == self.state
        assert after.events.count() == self.applied
        REACHED.add(self.state)

    @precondition(lambda self: self.complaint is not None)
    @invariant()
    def the_handler_works_for_the_handling_organisation(self):
        complaint = Complaint.objects.select_related("handler").get(pk=self.complaint.pk)
        if complaint.handler is not None:
            assert complaint.handler.organisation_id == complaint.handling_organisation_id

    @precondition(lambda self: self.complaint is not None)
    @invariant()
    def a_reply_follows_a_complete_handling(self):
        complaint = Complaint.objects.get(pk=self.complaint.pk)
        if complaint.state in {"handled", "replied", "rated"}:
            assert complaint.handled_on is not None and complaint.result
            if complaint.category.requires_on_site_check:
                assert complaint.on_site_checked_on is not None
        if complaint.state in {"replied", "rated"}:
            assert complaint.replied_on >= complaint.handled_on


@pytest.mark.django_db
def test_no_sequence_of_actions_by_any_role_breaks_the_lifecycle(world):
    run_state_machine_as_test(
        lambda: ComplaintLifecycle(world),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            # Fixed examples, so the coverage check below cannot flake.
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walk must have gone the whole way round, or it has shown nothing about replies and ratings.
    assert {"assigned", "transferred", "checking", "handled", "replied", "rated"} <= REACHED
