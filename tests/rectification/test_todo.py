"""The to-do list: hazards waiting for the user's action, due within three working days, overdue."""

import datetime as dt

import pytest

from tests.rectification import factories
from weijian.rectification.selectors import available_actions, todo_for

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2025, 9, 30)  # a Tuesday, the day before the National Day holiday


def _not_due(**fields):
    return {"report_due": D(2025, 12, 31), **fields}


def test_an_institution_manager_is_asked_to_plan_start_and_complete_its_own_hazards(world):
    general = factories.hazard(world, **_not_due())
    listed = factories.hazard(world, level="major", state="listed", **_not_due())
    planned = factories.hazard(world, state="planned", deadline=D(2025, 12, 31), **_not_due())
    rectifying = factories.hazard(world, state="in_progress", deadline=D(2025, 12, 31), **_not_due())
    factories.hazard(world, level="major", **_not_due())  # waits for listing by the regulator
    factories.hazard(world, state="completed", **_not_due())  # waits for the re-inspection
    factories.hazard(world, institution="th1", **_not_due())  # another institution's

    todo = todo_for(world.users["institution_manager"], TODAY)
    assert set(todo.awaiting) == {general, listed, planned, rectifying}


def test_a_supervisor_is_asked_to_reinspect_close_and_look_back_in_the_county(world):
    completed = factories.hazard(world, state="completed", **_not_due())
    verified = factories.hazard(world, institution="th2", state="verified", **_not_due())
    closed = factories.hazard(world, institution="vc21", state="closed", **_not_due())
    factories.hazard(world, **_not_due())  # waits for the institution's plan
    factories.hazard(world, level="major", **_not_due())  # listing is the commission's
    factories.hazard(world, state="looked_back", **_not_due())  # finished
    factories.hazard(world, institution="hospital_b", state="completed", **_not_due())  # neighbour county

    todo = todo_for(world.users["supervisor"], TODAY)
    assert set(todo.awaiting) == {completed, verified, closed}
    assert available_actions(world.users["supervisor"], completed) == ["verify_pass", "verify_fail"]


def test_the_commission_is_asked_to_list_major_hazards(world):
    major = factories.hazard(world, level="major", **_not_due())
    factories.hazard(world, **_not_due())
    assert todo_for(world.users["commission_leader"], TODAY).awaiting == [major]


def test_due_soon_counts_working_days_across_the_holiday_and_overdue_is_separate(world):
    # From Tue 2025-09-30: Thu 10-09 is the 1st working day, Sat 10-11 (make-up) the 3rd, Mon 10-13
    # the 4th.
    first = factories.hazard(world, report_due=D(2025, 10, 9))
    make_up = factories.hazard(world, state="planned", report_due=D(2025, 9, 1), deadline=D(2025, 10, 11))
    today = factories.hazard(world, report_due=TODAY)
    fourth = factories.hazard(world, report_due=D(2025, 10, 13))
    late = factories.hazard(world, report_due=D(2025, 9, 29))
    done = factories.hazard(world, state="completed", deadline=D(2025, 10, 9))

    for role in ("institution_manager", "supervisor"):
        todo = todo_for(world.users[role], TODAY)
        assert todo.due_soon == [today, first, make_up]
        assert todo.overdue == [late]
        assert fourth not in todo.due_soon and done not in todo.due_soon


def test_a_role_that_may_not_see_hazards_has_an_empty_list(world):
    factories.hazard(world, report_due=D(2025, 9, 29))
    todo = todo_for(world.users["insurance_clerk"], TODAY)
    assert (todo.awaiting, todo.due_soon, todo.overdue) == ([], [], [])
