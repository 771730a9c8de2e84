import json

import pytest
from django.contrib.auth.models import Group

from tests.world import PASSWORD
from weijian.core.models import User
from weijian.core.tokens import token_create

ERROR_KEYS = {"code", "message", "field", "errors"}


class Api:
    """A test client speaking JSON to /api/ with a bearer token of one user."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        _token, key = token_create(user=user, name="test")
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(f"/api{path}", params or {}, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )

    def patch(self, path, body):
        return self.client.patch(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as(client):
    return lambda user: Api(client, user)


@pytest.fixture
def leader_without_organisation(world):
    """A commission leader's permissions but no organisation, hence no data scope: sees nothing."""
    user = User.objects.create_user(username="leader_without_organisation", password=PASSWORD)
    user.groups.add(Group.objects.get(name="commission_leader"))
    return user
