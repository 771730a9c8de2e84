"""Who sees which complaint: every role of the world against a complaint in county A, one in county B
and one of county A transferred to the county hospital."""

import pytest

from tests.complaints import factories
from weijian.complaints.selectors import complaint_get, complaint_list
from weijian.core.errors import NotAllowed, NotVisible

pytestmark = pytest.mark.django_db

SEES = {
    "commission_leader": {"county_a", "transferred"},
    "supervisor": {"county_a", "transferred"},
    "auditor": {"county_a", "transferred"},
    "superuser": {"county_a", "county_b", "transferred"},
    # An institution sees only what is transferred to it for handling.
    "institution_manager": {"transferred"},
}
# Roles whose permissions include no complaints at all.
BLIND = [
    "department_officer",
    "insurance_clerk",
    "institution_cashier",
    "township_staff",
    "village_doctor",
    "no_organisation",
]


@pytest.fixture
def complaints(world):
    return {
        "county_a": factories.complaint(world, division="t1"),
        "county_b": factories.complaint(world, division="tb1", handling="commission_b"),
        "transferred": factories.complaint(world, state="transferred", handling="county_hospital"),
    }


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_sees_exactly_its_complaints(world, complaints, role):
    user = world.users[role]
    listed = set(complaint_list(user))
    assert listed == {complaints[key] for key in SEES[role]}
    for key, complaint in complaints.items():
        if key in SEES[role]:
            assert complaint_get(user, complaint.pk) == complaint
        else:
            with pytest.raises(NotVisible):
                complaint_get(user, complaint.pk)


@pytest.mark.parametrize("role", BLIND)
def test_roles_without_the_view_permission_see_no_complaint(world, complaints, role):
    user = world.users[role]
    with pytest.raises(NotAllowed):
        complaint_list(user)
    with pytest.raises(NotAllowed):
        complaint_get(user, complaints["county_a"].pk)


def test_the_institution_loses_sight_of_a_complaint_transferred_away(world, complaints):
    transferred = complaints["transferred"]
    transferred.handling_organisation = world.orgs["th1"]
    transferred.save()
    assert not complaint_list(world.users["institution_manager"]).exists()
