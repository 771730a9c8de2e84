"""Which users a user may name (inspection teams, inspector pools): those of organisations in scope."""

import pytest

from weijian.core.selectors import users_visible_to


def test_a_county_user_sees_the_county_users_and_not_the_neighbours(world):
    from weijian.core.models import User

    neighbour = User.objects.create_user("neighbour", organisation=world.orgs["commission_b"])
    visible = set(users_visible_to(world.users["commission_leader"]).values_list("username", flat=True))
    assert neighbour.username not in visible
    assert {"supervisor", "township_staff", "village_doctor", "institution_manager"} <= visible


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("township_staff", {"township_staff", "village_doctor"}),
        ("institution_manager", {"institution_manager", "institution_cashier"}),
        ("no_organisation", set()),
    ],
)
def test_narrow_scopes_see_only_their_own_people(world, role, expected):
    assert set(users_visible_to(world.users[role]).values_list("username", flat=True)) == expected
