"""Complaints through the API: who lists and reads which complaint (written out by hand from roles.py
and the world's layout), the public intake without login, a complaint taken by staff walked to the
complainant's rating, and errors that name the field at fault."""

import json

import pytest

from tests.complaints import factories
from tests.scope_expectations import ROLES
from weijian.complaints.models import Complaint

from .conftest import ERROR_KEYS

# role → the complaints it lists: "a" (county A, handled by its commission), "hospital" (county A,
# transferred to the county hospital), "b" (county B). None: the role may not view complaints (403).
VISIBLE = {
    "commission_leader": {"a", "hospital"},
    "supervisor": {"a", "hospital"},
    "auditor": {"a", "hospital"},
    # An institution sees only what it has been given to handle.
    "institution_manager": {"hospital"},
    "superuser": {"a", "hospital", "b"},
}

PUBLIC = {
    "division": "369901001000",
    "category": "illegal_medical_beauty",
    "content": "城关镇某美容院在居民楼内注射玻尿酸",
    "subject_name": "丽人美容工作室",
    "complainant_name": "李女士",
    "complainant_phone": "13800138001",
}


def _is_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    if field is not None:
        assert body["field"] == field, body


def _post_public(client, body):
    return client.post("/api/complaints/public", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_and_reads_exactly_the_complaints_of_its_scope(world, api_as, role):
    complaints = {
        "a": factories.complaint(world).pk,
        "hospital": factories.complaint(world, handling="county_hospital", state="transferred").pk,
        "b": factories.complaint(world, division="county_b", handling="commission_b").pk,
    }
    api = api_as(world.users[role])
    expected = VISIBLE.get(role)

    listing = api.get("/complaints", {"limit": 500})

    if expected is None:
        _is_error(listing, 403)
        for pk in complaints.values():
            _is_error(api.get(f"/complaints/{pk}"), 403)
        return
    assert listing.status_code == 200
    assert {c["id"] for c in listing.json()["items"]} == {complaints[key] for key in expected}
    for key, pk in complaints.items():
        response = api.get(f"/complaints/{pk}")
        if key in expected:
            assert response.status_code == 200
            assert response.json()["number"] == Complaint.objects.get(pk=pk).number
        else:
            _is_error(response, 404)


# --- the public intake ------------------------------------------------------------------------------


def test_a_member_of_the_public_sends_a_complaint_without_logging_in(world, client):
    response = _post_public(client, PUBLIC)

    assert response.status_code == 201, response.content
    receipt = response.json()
    complaint = Complaint.objects.get()
    assert receipt["number"] == complaint.number
    assert receipt["reply_due"] == complaint.reply_due.isoformat()
    assert len(receipt["tracking_key"]) == 14
    assert (complaint.channel, complaint.received_by, complaint.division_id, complaint.complainant_name) == (
        "web",
        world.orgs["commission_a"],
        "369901001000",
        "李女士",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"division": "369999000000"}, "division"),  # no such division on this platform
        ({"division": "369901001001"}, "division"),  # a village: choose the county or the township
        ({"category": "no_such_category"}, "category"),
        ({"content": ""}, "content"),
        ({"complainant_name": ""}, "complainant_name"),
        ({"complainant_phone": ""}, "complainant_phone"),  # a named complaint needs a phone or an email
        ({"complainant_email": "not-an-email"}, "complainant_email"),
        ({"received_at": "2026-09-28T10:00:00"}, "received_at"),  # the public do not set the time
    ],
)
def test_a_public_complaint_that_cannot_be_accepted_names_the_field(world, client, change, field):
    _is_error(_post_public(client, {**PUBLIC, **change}), 422, field=field)
    assert not Complaint.objects.exists()


def test_an_anonymous_public_complaint_keeps_no_contact(world, client):
    response = _post_public(client, {**PUBLIC, "anonymous": True})

    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.anonymous, complaint.complainant_name, complaint.complainant_phone) == (True, "", "")


def test_only_the_public_intake_is_open_without_login(world, client):
    _is_error(client.get("/api/complaints"), 401)
    _is_error(client.post("/api/complaints", json.dumps({}), content_type="application/json"), 401)


# --- staff intake and the workflow ------------------------------------------------------------------

REGISTERED = {
    "channel": "hotline",
    "received_at": "2026-09-28T10:00:00+08:00",
    "division": "369901000000",
    "category": "other",
    "content": "某诊所在居民楼内开展注射美容",
    "complainant_name": "张先生",
    "complainant_phone": "13800138000",
}


def test_a_supervisor_registers_a_complaint_and_walks_it_to_the_rating(world, api_as):
    api = api_as(world.users["supervisor"])

    registered = api.post("/complaints", REGISTERED)
    assert registered.status_code == 201, registered.content
    complaint = registered.json()
    assert (complaint["received_on"], complaint["reply_due"], complaint["channel"]) == (
        "2026-09-28",
        Complaint.objects.get().reply_due.isoformat(),
        "hotline",
    )
    assert complaint["tracking_key"]
    assert complaint["available_actions"] == ["assign", "transfer"]
    pk = complaint["id"]
    for step in (
        {"action": "assign", "handler": world.users["supervisor"].pk},
        {"action": "start_check"},
        {"action": "handle", "substantiated": True, "result": "已立案查处", "handled_on": "2026-10-09"},
        {"action": "reply", "reply": "经查属实，已依法处理", "replied_on": "2026-10-12"},
        {"action": "rate", "satisfaction": "satisfied"},
    ):
        response = api.post(f"/complaints/{pk}/actions", step)
        assert response.status_code == 200, (step["action"], response.content)

    done = api.get(f"/complaints/{pk}").json()
    assert (done["state"], done["substantiated"], done["replied_late"], done["satisfaction"]) == (
        "rated",
        True,
        False,
        "satisfied",
    )
    assert [e["action"] for e in done["events"]] == ["assign", "start_check", "handle", "reply", "rate"]
    assert "tracking_key" not in done


def test_a_complaint_is_transferred_to_an_institution_that_then_handles_it(world, api_as):
    supervisor = api_as(world.users["supervisor"])
    pk = supervisor.post("/complaints", REGISTERED).json()["id"]

    transferred = supervisor.post(
        f"/complaints/{pk}/actions",
        {"action": "transfer", "to_organisation": world.orgs["county_hospital"].pk},
    )
    hospital = api_as(world.users["institution_manager"])

    assert transferred.json()["handling_organisation"] == world.orgs["county_hospital"].pk
    assert hospital.get(f"/complaints/{pk}").json()["available_actions"] == ["start_check"]
    assert hospital.post(f"/complaints/{pk}/actions", {"action": "start_check"}).json()["state"] == "checking"
    # The institution does not triage: it may not move the complaint to a campaign.
    _is_error(hospital.post(f"/complaints/{pk}/campaign", {"campaign": None}), 403)


def test_a_complaint_in_triage_is_tied_to_a_campaign(world, api_as):
    from tests.enforcement.factories import campaign as a_campaign

    campaign = a_campaign(world)
    api = api_as(world.users["commission_leader"])
    pk = api.post("/complaints", REGISTERED).json()["id"]

    tied = api.post(f"/complaints/{pk}/campaign", {"campaign": campaign.pk})

    assert tied.status_code == 200
    assert tied.json()["campaign"] == campaign.pk
    assert [c["id"] for c in api.get("/complaints", {"campaign": campaign.pk}).json()["items"]] == [pk]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": 1790000000}, "received_at"),  # not a timestamp
        ({"received_at": "2026-09-28"}, "received_at"),  # a moment, not a day
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
        ({"division": "369902000000"}, "division"),  # county B: outside the supervisor's scope
        ({"channel": "pigeon"}, "channel"),
        ({"institution": 999999}, "institution"),
    ],
)
def test_an_invalid_registration_names_the_field(world, api_as, change, field):
    _is_error(
        api_as(world.users["supervisor"]).post("/complaints", {**REGISTERED, **change}), 422, field=field
    )
    assert not Complaint.objects.exists()


def test_a_step_with_missing_data_names_the_field_and_changes_nothing(world, api_as):
    api = api_as(world.users["supervisor"])
    pk = api.post("/complaints", REGISTERED).json()["id"]

    _is_error(api.post(f"/complaints/{pk}/actions", {"action": "assign"}), 422, field="handler")
    _is_error(api.post(f"/complaints/{pk}/actions", {"action": "reply", "reply": "x"}), 409)

    assert Complaint.objects.get().state == "received"
