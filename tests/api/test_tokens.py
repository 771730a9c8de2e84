import datetime as dt
import hashlib
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from tests.world import PASSWORD
from weijian.core.models import ApiToken, AuditEntry
from weijian.core.tokens import token_authenticate, token_create, token_revoke


def _bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_a_new_token_keeps_only_the_hash_of_its_key(world):
    token, key = token_create(user=world.users["supervisor"], name="监督平台")

    assert key.startswith(f"wj_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}
    assert token.last_used_at is None and token.revoked_at is None


def test_a_key_authenticates_its_user(world):
    _token, key = token_create(user=world.users["supervisor"], name="x")

    assert token_authenticate(key) == world.users["supervisor"]
    assert token_authenticate(key + "x") is None
    assert token_authenticate("") is None
    assert token_authenticate("not-a-key") is None


def test_a_revoked_token_or_an_inactive_user_does_not_authenticate(world):
    token, key = token_create(user=world.users["supervisor"], name="x")
    _other, other_key = token_create(user=world.users["auditor"], name="y")

    token_revoke(token=token)
    world.users["auditor"].is_active = False
    world.users["auditor"].save()

    assert token_authenticate(key) is None
    assert token_authenticate(other_key) is None


def test_last_use_is_written_at_most_once_a_minute(world):
    token, key = token_create(user=world.users["supervisor"], name="x")

    token_authenticate(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(seconds=1)


def test_creating_and_revoking_a_token_is_audited_without_the_key(world):
    token, key = token_create(user=world.users["supervisor"], name="x")
    token_revoke(token=token)

    entries = AuditEntry.objects.filter(model="core.apitoken", object_id=str(token.pk))
    assert sorted(e.action for e in entries) == ["create", "update"]
    assert all(
        key not in json.dumps(e.changes) and token.key_hash not in json.dumps(e.changes) for e in entries
    )


def test_the_api_accepts_a_token_until_it_is_revoked(world, client):
    token, key = token_create(user=world.users["supervisor"], name="x")

    response = client.get("/api/me", headers=_bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "supervisor"

    token_revoke(token=token)
    response = client.get("/api/me", headers=_bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


NO_CREDENTIALS = [{}, {"Authorization": "Bearer wj_nothing"}, {"Authorization": "Basic eDp5"}]


@pytest.mark.parametrize("headers", NO_CREDENTIALS)
def test_without_valid_credentials_every_operation_is_401(world, client, headers):
    pk = world.institutions["th1"].pk
    assert client.get("/api/institutions", headers=headers).status_code == 401
    assert client.get(f"/api/institutions/{pk}", headers=headers).status_code == 401
    body = json.dumps({"beds": 1})
    response = client.patch(f"/api/institutions/{pk}", body, content_type="application/json", headers=headers)
    assert response.status_code == 401


def test_the_session_of_a_logged_in_user_works_too(world, client):
    assert client.login(username="commission_leader", password=PASSWORD)

    response = client.get("/api/me")

    assert response.status_code == 200
    assert response.json()["scope"]["mode"] == "subtree"


def test_a_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="commission_leader", password=PASSWORD)
    url = f"/api/institutions/{world.institutions['th1'].pk}"
    body = json.dumps({"beds": 61})

    refused = client.patch(url, body, content_type="application/json")
    # What a page of the site gives the browser: a CSRF cookie, echoed in a header by the script.
    secret = "k" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.patch(url, body, content_type="application/json", headers={"X-CSRFToken": secret})

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_a_bearer_write_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    _token, key = token_create(user=world.users["commission_leader"], name="x")

    response = client.patch(
        f"/api/institutions/{world.institutions['th1'].pk}",
        json.dumps({"beds": 61}),
        content_type="application/json",
        headers=_bearer(key),
    )

    assert response.status_code == 200


def test_the_token_command_creates_lists_and_revokes(world, capsys):
    call_command("token", "create", "supervisor", "--name", "监督平台")
    key = capsys.readouterr().out.strip()
    assert token_authenticate(key) == world.users["supervisor"]
    prefix = key.split("_")[1]

    call_command("token", "list", "supervisor")
    listing = capsys.readouterr().out
    assert prefix in listing and "监督平台" in listing and "active" in listing

    call_command("token", "revoke", prefix)
    assert token_authenticate(key) is None
    call_command("token", "list", "supervisor")
    assert "revoked" in capsys.readouterr().out
    assert AuditEntry.objects.filter(model="core.apitoken", actor_label="weijian token").count() == 2


def test_the_token_command_refuses_unknown_users_and_prefixes(world):
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody")
    with pytest.raises(CommandError):
        call_command("token", "revoke", "ffffffff")
