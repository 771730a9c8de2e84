import pytest
from django.urls import reverse

from tests import scope_expectations as expect


@pytest.mark.parametrize("role", [r for r in expect.ROLES if r != "no_organisation"])
def test_every_role_gets_a_home_page_with_its_role_and_counts(world, login, role):
    client = login(world.users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    cards = {card["label"]: card["count"] for card in response.context["cards"]}
    assert cards["institutions"] == len(expect.INSTITUTIONS[role])
    if role != "superuser":
        assert response.context["role"].code == role


def test_the_login_page_logs_a_user_in(world, client):
    from tests.world import PASSWORD

    response = client.post(reverse("login"), {"username": "township_staff", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].username == "township_staff"
