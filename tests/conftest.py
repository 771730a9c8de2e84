import pytest

from tests.world import PASSWORD, build_world


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests log in with force_login or a fast hash instead.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # Pages are checked in Chinese: compile the catalogue even when pytest runs without `make test`,
    # before anything translates and caches the catalogue.
    from django.core.management import call_command

    call_command("compiletranslations", verbosity=0)


@pytest.fixture
def world(db):
    from weijian.core.models import User

    w = build_world()
    w.users["superuser"] = User.objects.create_superuser("superuser", password=PASSWORD)
    w.users["no_organisation"] = User.objects.create_user("no_organisation", password=PASSWORD)
    return w


@pytest.fixture
def login(client):
    """Log the test client in as a world user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def financing(world):
    """Health-financing records on the world: the demo policy and enrolled households (see
    tests/insurance/fixtures.py)."""
    from tests.insurance.fixtures import build_financing

    return build_financing(world)


@pytest.fixture
def wang(financing):
    """An enrolled patient of county A (the head of a household with a 低保 member)."""
    return financing.households["wang"].members.get(name="王大山")
