"""Recording hazards and applying the workflow's transitions through the one service."""

import datetime as dt

import pytest

from tests.rectification import factories
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.models import AuditEntry
from weijian.rectification.models import HazardEvent, HazardSource
from weijian.rectification.services import hazard_create, hazard_transition
from weijian.rectification.workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db


def _create(world, user="institution_manager", institution="county_hospital", **kwargs):
    kwargs.setdefault("level", "general")
    kwargs.setdefault("found_on", dt.date(2025, 9, 30))
    return hazard_create(
        user=world.users[user],
        institution=world.institutions[institution],
        category=factories.category(),
        description="配电房堆放易燃物",
        source=HazardSource.SELF_INSPECTION,
        **kwargs,
    )


def _move(world, hazard, user, action, **data):
    return hazard_transition(user=world.users[user], hazard_id=hazard.pk, action=action, **data)


def test_an_institution_manager_records_a_hazard_of_their_own_institution(world):
    hazard = _create(world)
    assert hazard.state == "found"
    assert hazard.report_due == dt.date(2025, 10, 16)


def test_an_institution_manager_cannot_record_a_hazard_of_another_institution(world):
    with pytest.raises(NotVisible):
        _create(world, institution="th1")


def test_a_supervisor_records_hazards_in_the_county_but_not_in_the_neighbour(world):
    assert _create(world, user="supervisor", institution="vc21").institution == world.institutions["vc21"]
    with pytest.raises(NotVisible):
        _create(world, user="supervisor", institution="hospital_b")


def test_a_role_without_the_permission_cannot_record_a_hazard(world):
    for role in ("department_officer", "township_staff", "auditor", "commission_leader"):
        with pytest.raises(NotAllowed):
            _create(world, user=role, institution="th1")


def test_the_report_is_due_seven_working_days_after_the_inspection_not_the_finding(world):
    inspection = factories.inspection(world, on=dt.date(2025, 9, 30))
    hazard = _create(world, user="supervisor", inspection=inspection, found_on=dt.date(2025, 10, 9))
    assert hazard.report_due == dt.date(2025, 10, 16)
    assert hazard.campaign == inspection.campaign


def test_a_hazard_cannot_point_to_an_inspection_of_another_institution(world):
    inspection = factories.inspection(world, institution="th1", on=dt.date(2025, 9, 30))
    with pytest.raises(DomainError) as error:
        _create(world, user="supervisor", inspection=inspection)
    assert error.value.field == "inspection"


def test_a_general_hazard_goes_the_whole_loop(world):
    hazard = _create(world)
    _move(world, hazard, "institution_manager", "plan", **factories.plan())
    _move(world, hazard, "institution_manager", "start")
    _move(world, hazard, "institution_manager", "complete", completion_evidence="通道已清理，照片存档")
    _move(world, hazard, "supervisor", "verify_pass")
    _move(world, hazard, "supervisor", "close", closed_on=dt.date(2025, 11, 3))
    hazard = _move(world, hazard, "supervisor", "look_back", note="未反弹")
    assert hazard.state == "looked_back"
    assert hazard.closed_on == dt.date(2025, 11, 3)
    assert list(hazard.events.values_list("action", flat=True)) == [
        "plan",
        "start",
        "complete",
        "verify_pass",
        "close",
        "look_back",
    ]


def test_a_major_hazard_must_be_listed_before_it_is_planned(world):
    hazard = _create(world, level="major")
    with pytest.raises(TransitionNotAllowed):
        _move(world, hazard, "institution_manager", "plan", **factories.plan())
    _move(world, hazard, "commission_leader", "list")
    assert _move(world, hazard, "institution_manager", "plan", **factories.plan()).state == "planned"


def test_a_general_hazard_cannot_be_listed(world):
    hazard = _create(world)
    with pytest.raises(TransitionNotAllowed) as error:
        _move(world, hazard, "commission_leader", "list")
    assert error.value.code == "transition_not_allowed"


@pytest.mark.parametrize(
    "missing", ["responsible_person", "measures", "funding", "deadline", "contingency_plan"]
)
def test_a_plan_needs_all_five_elements(world, missing):
    hazard = _create(world)
    data = factories.plan()
    data[missing] = ""
    with pytest.raises(DomainError) as error:
        _move(world, hazard, "institution_manager", "plan", **data)
    assert error.value.field == missing
    hazard.refresh_from_db()
    assert hazard.state == "found"


def test_a_plan_deadline_cannot_precede_the_finding(world):
    hazard = _create(world)
    with pytest.raises(DomainError) as error:
        _move(world, hazard, "institution_manager", "plan", **factories.plan(deadline=dt.date(2025, 9, 29)))
    assert error.value.field == "deadline"


def test_completion_needs_evidence(world):
    hazard = _create(world)
    _move(world, hazard, "institution_manager", "plan", **factories.plan())
    _move(world, hazard, "institution_manager", "start")
    with pytest.raises(DomainError) as error:
        _move(world, hazard, "institution_manager", "complete", completion_evidence="  ")
    assert error.value.field == "completion_evidence"


def test_a_failed_reinspection_needs_a_reason_and_sends_the_hazard_back(world):
    hazard = _create(world)
    _move(world, hazard, "institution_manager", "plan", **factories.plan())
    _move(world, hazard, "institution_manager", "start")
    _move(world, hazard, "institution_manager", "complete", completion_evidence="已清理")
    with pytest.raises(DomainError) as error:
        _move(world, hazard, "supervisor", "verify_fail")
    assert error.value.field == "reason"
    hazard = _move(world, hazard, "supervisor", "verify_fail", reason="灭火器仍过期")
    assert hazard.state == "in_progress"
    assert hazard.events.last().note == "灭火器仍过期"


def test_the_institution_cannot_reinspect_its_own_rectification(world):
    hazard = _create(world)
    _move(world, hazard, "institution_manager", "plan", **factories.plan())
    _move(world, hazard, "institution_manager", "start")
    _move(world, hazard, "institution_manager", "complete", completion_evidence="已清理")
    with pytest.raises(NotAllowed):
        _move(world, hazard, "institution_manager", "verify_pass")


def test_a_regulator_cannot_plan_on_behalf_of_the_institution(world):
    hazard = _create(world)
    with pytest.raises(NotAllowed):
        _move(world, hazard, "supervisor", "plan", **factories.plan())
    with pytest.raises(NotAllowed):
        _move(world, hazard, "superuser", "plan", **factories.plan())


def test_a_hazard_out_of_scope_is_reported_as_missing(world):
    hazard = _create(world, user="superuser", institution="hospital_b")
    with pytest.raises(NotVisible):
        _move(world, hazard, "supervisor", "list")
    other = _create(world, user="supervisor", institution="th1")
    with pytest.raises(NotVisible):
        _move(world, other, "institution_manager", "plan", **factories.plan())


def test_unknown_data_is_refused(world):
    hazard = _create(world)
    with pytest.raises(DomainError) as error:
        _move(world, hazard, "institution_manager", "plan", state="closed", **factories.plan())
    assert error.value.code == "unknown_field"


def test_a_transition_writes_an_event_and_an_audit_entry(world):
    hazard = _create(world)
    _move(world, hazard, "institution_manager", "plan", note="已上报院长", **factories.plan())
    event = HazardEvent.objects.get(hazard=hazard)
    assert (event.from_state, event.to_state, event.actor) == (
        "found",
        "planned",
        world.users["institution_manager"],
    )
    entry = AuditEntry.objects.get(
        model="rectification.hazard", object_id=str(hazard.pk), action="transition"
    )
    assert entry.changes == {"state": ["found", "planned"], "note": [None, "已上报院长"]}


def test_a_refused_transition_changes_nothing(world):
    hazard = _create(world)
    entries = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        _move(world, hazard, "auditor", "plan", **factories.plan())
    hazard.refresh_from_db()
    assert hazard.state == "found"
    assert hazard.responsible_person == ""
    assert AuditEntry.objects.count() == entries
    assert not HazardEvent.objects.exists()
