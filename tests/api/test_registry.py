"""Registry endpoints beyond scope: creating, validating, filtering, paging, history and /me."""

import datetime as dt

import pytest

from weijian.core import synthetic
from weijian.registry.models import Enterprise, Institution, Practitioner

from .conftest import ERROR_KEYS


@pytest.fixture
def leader(world, api_as):
    return api_as(world.users["commission_leader"])


def _ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_me_tells_the_user_role_organisation_and_scope(world, api_as):
    body = api_as(world.users["village_doctor"]).get("/me").json()

    assert body["username"] == "village_doctor"
    assert body["role"]["code"] == "village_doctor"
    assert body["organisation"]["id"] == world.orgs["vc11"].pk
    assert body["scope"]["mode"] == "own_institution"
    assert body["scope"]["organisation"] == world.orgs["vc11"].pk
    assert body["permissions"] == [
        "poverty.record_service",
        "poverty.view_checkup",
        "poverty.view_checkupcampaign",
        "poverty.view_contract",
        "poverty.view_followup",
        "poverty.view_fulfilment",
        "poverty.view_poorhousehold",
        "poverty.view_poorperson",
        "registry.view_institution",
    ]


def test_me_of_a_user_without_organisation_has_an_empty_scope(world, api_as):
    body = api_as(world.users["no_organisation"]).get("/me").json()

    assert (body["role"], body["organisation"], body["scope"]["mode"]) == (None, None, "nothing")


def test_divisions_can_be_listed_by_parent(world, leader):
    response = leader.get("/divisions", {"parent": world.divisions["county_a"].code})

    assert [d["code"] for d in response.json()["items"]] == ["369901001000", "369901002000"]


def test_institutions_are_filtered_by_name_in_pinyin_division_grade_and_designation(world, leader):
    w = world.institutions
    assert _ids(leader.get("/institutions", {"q": "cgz"})) == {w["th1"].pk}
    assert _ids(leader.get("/institutions", {"division": "369901001000"})) == {
        w["th1"].pk,
        w["vc11"].pk,
        w["beauty_t1"].pk,
    }
    assert _ids(leader.get("/institutions", {"grade_level": ""})) == {
        w["vc11"].pk,
        w["vc21"].pk,
        w["beauty_t1"].pk,
    }
    assert _ids(leader.get("/institutions", {"insurance_designated": "true", "grade_level": "1"})) == {
        w["th1"].pk,
        w["th2"].pk,
    }
    beauty = {"institution_type": "medical_beauty", "ownership": "private"}
    assert _ids(leader.get("/institutions", beauty)) == {w["beauty_t1"].pk}


def test_lists_are_paged_with_limit_and_offset(world, leader):
    first = leader.get("/institutions", {"limit": 4}).json()
    rest = leader.get("/institutions", {"limit": 4, "offset": 4}).json()

    assert first["count"] == rest["count"] == 6
    assert len(first["items"]) == 4 and len(rest["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in rest["items"]}


def test_practitioners_are_filtered_by_institution_and_enterprises_by_name(world, leader):
    th1 = world.institutions["th1"]
    assert _ids(leader.get("/practitioners", {"institution": th1.pk})) == {world.practitioners["th1"].pk}
    assert _ids(leader.get("/enterprises", {"q": "城关"})) == {world.enterprises["supplier_a"].pk}


def test_the_commission_leader_registers_an_institution_in_scope(world, leader):
    response = leader.post(
        "/institutions",
        {
            "name": "东山乡中医诊所",
            "credit_code": synthetic.credit_code("369901002000", 9001),
            "division": "369901002000",
            "institution_type": "clinic",
            "ownership": "private",
            "for_profit": True,
            "licence_valid_until": "2030-12-31",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["division"], body["licence_valid_until"]) == (
        "东山乡中医诊所",
        "369901002000",
        "2030-12-31",
    )
    assert Institution.objects.get(pk=body["id"]).organisation.name == "东山乡中医诊所"


def test_a_record_cannot_be_placed_in_a_division_outside_the_scope(world, leader):
    response = leader.post(
        "/enterprises",
        {
            "credit_code": synthetic.credit_code("369902001000", 9002, authority="9", kind="1"),
            "name": "河西医药",
            "kind": "drug_distributor",
            "division": "369902001000",
        },
    )

    assert response.status_code == 422
    assert response.json()["field"] == "division"
    assert not Enterprise.objects.filter(name="河西医药").exists()


def test_a_practitioner_is_registered_only_at_an_institution_in_scope(world, leader):
    body = {
        "id_number": synthetic.id_number("369901001000", dt.date(1990, 5, 1), 77),
        "name": "李四",
        "category": "nurse",
        "registered_institution": world.institutions["hospital_b"].pk,
    }
    refused = leader.post("/practitioners", body)
    accepted = leader.post(
        "/practitioners",
        {
            **body,
            "registered_institution": world.institutions["th1"].pk,
            "additional_sites": [world.institutions["vc11"].pk],
        },
    )

    assert refused.status_code == 422 and refused.json()["field"] == "registered_institution"
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["additional_sites"] == [world.institutions["vc11"].pk]
    assert Practitioner.objects.filter(name="李四").count() == 1


def test_a_domain_validation_error_names_the_field(world, leader):
    response = leader.patch(f"/institutions/{world.institutions['th1'].pk}", {"credit_code": "123"})

    assert response.status_code == 422
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert (body["code"], body["field"]) == ("invalid", "credit_code")
    assert body["errors"]["credit_code"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"beds": -1}, "beds"),
        ({"beds": None}, "beds"),
        ({"name": ""}, "name"),
        ({"institution_type": "palace"}, "institution_type"),
        ({"bed": 5}, "bed"),
        ({"address": "a\x00b"}, "address"),
    ],
)
def test_malformed_input_is_422_with_the_field(world, leader, body, field):
    response = leader.patch(f"/institutions/{world.institutions['th1'].pk}", body)

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", field)


def test_a_body_that_is_not_json_is_400(world, leader):
    response = leader.client.patch(
        f"/api/institutions/{world.institutions['th1'].pk}",
        "{beds:",
        content_type="application/json",
        headers=leader.headers,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_ids_beyond_64_bits_are_422_not_a_crash(world, leader):
    assert leader.get(f"/institutions/{2**64}").status_code == 422


def test_a_patch_sends_only_what_changes_and_null_clears_a_nullable_field(world, leader):
    th1 = world.institutions["th1"]
    leader.patch(f"/institutions/{th1.pk}", {"licence_valid_until": "2031-01-01"})

    response = leader.patch(f"/institutions/{th1.pk}", {"licence_valid_until": None})

    assert response.status_code == 200
    assert response.json()["licence_valid_until"] is None
    assert response.json()["beds"] == 60


def test_history_shows_the_changes_with_their_actor_newest_first(world, leader):
    th1 = world.institutions["th1"]
    leader.patch(f"/institutions/{th1.pk}", {"beds": 70})
    leader.patch(f"/institutions/{th1.pk}", {"name": "城关镇中心卫生院"})

    items = leader.get(f"/institutions/{th1.pk}/history").json()["items"]

    assert [(i["action"], i["changes"]) for i in items[:2]] == [
        ("update", {"name": ["城关镇卫生院", "城关镇中心卫生院"]}),
        ("update", {"beds": [60, 70]}),
    ]
    assert {i["actor"] for i in items[:2]} == {"commission_leader"}
    assert items[-1]["action"] == "create"
