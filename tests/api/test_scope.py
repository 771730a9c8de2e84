"""The data scope through the API: roles × records.

The expected records are worked out here from the world's layout (division codes and organisation
ids in tests/world.py), not by asking the scope code, so a mistake in scope cannot hide itself.
"""

import pytest

from weijian.core.models import AuditEntry
from weijian.registry.models import Enterprise, Institution, Practitioner

from .conftest import ERROR_KEYS

# What each user sees, read off the world: a division and everything under it, one institution's
# own records, everything, or nothing.
SEES = {
    "commission_leader": ("subtree", "county_a"),
    "supervisor": ("subtree", "county_a"),
    "department_officer": ("subtree", "county_a"),
    "insurance_clerk": ("subtree", "county_a"),
    "auditor": ("subtree", "county_a"),
    "institution_manager": ("own", "county_hospital"),
    "institution_cashier": ("own", "county_hospital"),
    # The township hospital runs its villages' clinics (乡村一体化管理), so it sees its township.
    "township_staff": ("subtree", "t1"),
    "village_doctor": ("own", "vc11"),
    "superuser": ("all", None),
    "no_organisation": ("none", None),  # and no role either
    "leader_without_organisation": ("none", None),  # a role's permissions, but no scope
}

# Digits of a 12-digit code that name a division at each level: province 2, city 4, county 6, ...
SIGNIFICANT_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}

# A harmless change per resource, and the field it touches.
CHANGE = {
    "institutions": ("phone", "0791-8888888"),
    "practitioners": ("practice_scope", "内科专业"),
    "enterprises": ("address", "新地址"),
}
MODELS = {"institutions": Institution, "practitioners": Practitioner, "enterprises": Enterprise}
PERMISSION = {"institutions": "institution", "practitioners": "practitioner", "enterprises": "enterprise"}


def _records(world):
    """Each resource's records as (id, division code, owning institution id or None)."""
    return {
        "institutions": [(i.pk, i.organisation.division_id, i.pk) for i in world.institutions.values()],
        "practitioners": [
            (p.pk, p.registered_institution.organisation.division_id, p.registered_institution_id)
            for p in world.practitioners.values()
        ],
        "enterprises": [(e.pk, e.division_id, None) for e in world.enterprises.values()],
    }


def _visible(world, who, division_code, owner_id) -> bool:
    mode, key = SEES[who]
    if mode == "all":
        return True
    if mode == "subtree":
        division = world.divisions[key]
        return division_code.startswith(division.code[: SIGNIFICANT_DIGITS[division.level]])
    if mode == "own":
        return owner_id == world.orgs[key].pk
    return False


@pytest.fixture
def user_of(world, leader_without_organisation):
    users = {**world.users, "leader_without_organisation": leader_without_organisation}
    return users.__getitem__


def _is_error(response, status):
    assert response.status_code == status, response.content
    assert set(response.json()) == ERROR_KEYS


def test_every_role_of_the_world_is_in_the_matrix(world):
    assert set(world.users) <= set(SEES)


@pytest.mark.parametrize("who", SEES)
def test_a_user_lists_and_reads_exactly_the_records_in_scope(world, api_as, user_of, who):
    user = user_of(who)
    api = api_as(user)
    for resource, records in _records(world).items():
        may_view = user.has_perm(f"registry.view_{PERMISSION[resource]}")
        expected = {pk for pk, division, owner in records if _visible(world, who, division, owner)}

        listing = api.get(f"/{resource}", {"limit": 500})
        if not may_view:
            _is_error(listing, 403)
            expected = set()
        else:
            assert listing.status_code == 200
            assert {item["id"] for item in listing.json()["items"]} == expected, resource
            assert listing.json()["count"] == len(expected)

        for pk, _division, _owner in records:
            response = api.get(f"/{resource}/{pk}")
            if pk in expected:
                assert response.status_code == 200
                assert response.json()["id"] == pk
            else:
                _is_error(response, 404 if may_view else 403)


@pytest.mark.parametrize("who", SEES)
def test_a_user_changes_only_records_in_scope_and_only_with_the_permission(world, api_as, user_of, who):
    user = user_of(who)
    api = api_as(user)
    for resource, records in _records(world).items():
        may_change = user.has_perm(f"registry.change_{PERMISSION[resource]}")
        field, value = CHANGE[resource]
        for pk, division, owner in records:
            before = getattr(MODELS[resource].objects.get(pk=pk), field)
            response = api.patch(f"/{resource}/{pk}", {field: value})
            after = getattr(MODELS[resource].objects.get(pk=pk), field)
            if may_change and _visible(world, who, division, owner):
                assert response.status_code == 200
                assert response.json()[field] == value == after
            else:
                _is_error(response, 404 if may_change else 403)
                assert after == before


@pytest.mark.parametrize("who", SEES)
def test_a_user_reads_history_only_of_records_in_scope_and_only_with_the_permission(
    world, api_as, user_of, who
):
    user = user_of(who)
    api = api_as(user)
    may_audit = user.has_perm("core.view_auditentry")
    for resource, records in _records(world).items():
        may_view = user.has_perm(f"registry.view_{PERMISSION[resource]}")
        for pk, division, owner in records:
            response = api.get(f"/{resource}/{pk}/history")
            if not (may_audit and may_view):
                _is_error(response, 403)
            elif _visible(world, who, division, owner):
                assert response.status_code == 200
                assert response.json()["count"] >= 1  # at least its creation
            else:
                _is_error(response, 404)


@pytest.mark.parametrize("who", SEES)
def test_a_user_lists_the_divisions_in_scope(world, api_as, user_of, who):
    codes = {d.code for d in world.divisions.values()}
    mode, key = SEES[who]
    if mode == "own":
        # An institution user sees the division their institution is in.
        expected = {world.orgs[key].division_id}
    else:
        expected = {code for code in codes if _visible(world, who, code, None)}
    response = api_as(user_of(who)).get("/divisions", {"limit": 500})
    assert response.status_code == 200
    assert {d["code"] for d in response.json()["items"]} == expected


def test_the_commission_leader_changes_a_record_in_scope_and_is_recorded_as_the_actor(world, api_as):
    leader = world.users["commission_leader"]
    th1 = world.institutions["th1"]

    response = api_as(leader).patch(f"/institutions/{th1.pk}", {"beds": 61, "name": "城关镇中心卫生院"})

    assert response.status_code == 200
    assert response.json()["beds"] == 61
    th1.refresh_from_db()
    th1.organisation.refresh_from_db()
    assert (th1.beds, th1.organisation.name) == (61, "城关镇中心卫生院")
    entries = AuditEntry.objects.filter(
        model__in=["registry.institution", "core.organisation"], object_id=str(th1.pk), action="update"
    )
    assert {(e.model, e.actor_id) for e in entries} == {
        ("registry.institution", leader.pk),
        ("core.organisation", leader.pk),
    }
    assert entries.get(model="registry.institution").changes == {"beds": [60, 61]}


def test_changing_a_record_out_of_scope_is_not_found_and_changes_nothing(world, api_as):
    api = api_as(world.users["commission_leader"])
    entries_before = AuditEntry.objects.count()
    targets = {
        "institutions": world.institutions["hospital_b"].pk,
        "practitioners": world.practitioners["hospital_b"].pk,
        "enterprises": world.enterprises["supplier_b"].pk,
    }
    for resource, pk in targets.items():
        field, value = CHANGE[resource]
        response = api.patch(f"/{resource}/{pk}", {field: value})
        _is_error(response, 404)
        assert response.json()["code"] == "not_found"
        assert getattr(MODELS[resource].objects.get(pk=pk), field) != value
    assert AuditEntry.objects.count() == entries_before


def test_a_role_without_the_view_permission_is_refused_the_list(world, api_as):
    _is_error(api_as(world.users["department_officer"]).get("/practitioners"), 403)
    _is_error(api_as(world.users["insurance_clerk"]).get("/enterprises"), 403)
    assert api_as(world.users["insurance_clerk"]).get("/practitioners").json()["code"] == "permission_denied"
