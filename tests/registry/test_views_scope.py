"""The scope matrix through the web pages: every role lists, reads and changes exactly its records."""

import re

import pytest
from django.urls import reverse

from tests import scope_expectations as expect

LINK = re.compile(r"/registry/(?:institutions|practitioners|enterprises)/(\d+)/\"")


def _listed_ids(response) -> set[int]:
    return {int(pk) for pk in LINK.findall(response.content.decode())}


def _ids(records: dict, keys) -> set[int]:
    return {records[k].pk for k in keys}


@pytest.mark.parametrize("role", expect.ROLES)
def test_institution_list_and_detail_show_exactly_the_roles_scope(world, login, role):
    client = login(world.users[role])
    expected = _ids(world.institutions, expect.INSTITUTIONS[role])

    response = client.get(reverse("registry:institution_list"))
    if role == "no_organisation":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert _listed_ids(response) == expected

    for institution in world.institutions.values():
        detail = client.get(reverse("registry:institution_detail", args=[institution.pk]))
        assert detail.status_code == (200 if institution.pk in expected else 404), institution


@pytest.mark.parametrize("role", expect.ROLES)
def test_practitioner_pages_show_exactly_the_roles_scope(world, login, role):
    client = login(world.users[role])
    response = client.get(reverse("registry:practitioner_list"))
    keys = expect.PRACTITIONERS[role]
    if keys is None:
        assert response.status_code == 403
        return
    expected = _ids(world.practitioners, keys)
    assert _listed_ids(response) == expected
    for practitioner in world.practitioners.values():
        detail = client.get(reverse("registry:practitioner_detail", args=[practitioner.pk]))
        assert detail.status_code == (200 if practitioner.pk in expected else 404)


@pytest.mark.parametrize("role", expect.ROLES)
def test_enterprise_pages_show_exactly_the_roles_scope(world, login, role):
    client = login(world.users[role])
    response = client.get(reverse("registry:enterprise_list"))
    keys = expect.ENTERPRISES[role]
    if keys is None:
        assert response.status_code == 403
        return
    expected = _ids(world.enterprises, keys)
    assert _listed_ids(response) == expected
    for enterprise in world.enterprises.values():
        detail = client.get(reverse("registry:enterprise_detail", args=[enterprise.pk]))
        assert detail.status_code == (200 if enterprise.pk in expected else 404)


@pytest.mark.parametrize("role", expect.ROLES)
def test_only_editors_change_institutions_and_only_inside_their_scope(world, login, role):
    client = login(world.users[role])
    visible = _ids(world.institutions, expect.INSTITUTIONS[role])
    for institution in world.institutions.values():
        url = reverse("registry:institution_edit", args=[institution.pk])
        old_name = institution.organisation.name
        response = client.post(url, {"name": "改名", "credit_code": institution.organisation.credit_code})
        if role not in expect.EDITORS:
            assert response.status_code == 403
        elif institution.pk not in visible:
            assert response.status_code == 404
        institution.organisation.refresh_from_db()
        if role not in expect.EDITORS or institution.pk not in visible:
            assert institution.organisation.name == old_name


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("registry:institution_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_editor_changes_an_institution_and_the_change_is_in_its_history(world, login):
    leader = world.users["commission_leader"]
    client = login(leader)
    institution = world.institutions["th2"]
    form = client.get(reverse("registry:institution_edit", args=[institution.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        name="东山乡中心卫生院", beds=45, service_lines=[], division=institution.organisation.division_id
    )
    data = {k: v for k, v in data.items() if v is not False}

    response = client.post(reverse("registry:institution_edit", args=[institution.pk]), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    institution.refresh_from_db()
    institution.organisation.refresh_from_db()
    assert (institution.organisation.name, institution.beds) == ("东山乡中心卫生院", 45)
    history = client.get(reverse("audit_trail", args=["registry.institution", institution.pk]))
    assert history.status_code == 200
    entries = list(history.context["entries"])
    assert entries[0].actor == leader
    assert entries[0].changes["beds"] == [40, 45]


def test_an_invalid_credit_code_is_refused_with_a_message_and_nothing_changes(world, login):
    client = login(world.users["commission_leader"])
    institution = world.institutions["th1"]
    form = client.get(reverse("registry:institution_edit", args=[institution.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(credit_code="12369901ABCDEFGHIJ", service_lines=[])

    response = client.post(reverse("registry:institution_edit", args=[institution.pk]), data)

    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    institution.organisation.refresh_from_db()
    assert institution.organisation.credit_code != "12369901ABCDEFGHIJ"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cgz", {"th1"}),  # pinyin initials of 城关镇卫生院
        ("chengguan", {"th1"}),  # full pinyin
        ("衛生院", {"th1"}),  # traditional characters find simplified names
        ("dsx", set()),  # 东山乡卫生院 exists, but in another township
        ("邻县", set()),  # another county
    ],
)
def test_township_user_searches_its_township_by_pinyin_and_traditional_characters(
    world, login, query, expected
):
    client = login(world.users["township_staff"])
    response = client.get(reverse("registry:institution_list"), {"q": query})
    assert _listed_ids(response) == _ids(world.institutions, expected)


def test_the_county_sees_the_other_township_by_the_same_pinyin(world, login):
    client = login(world.users["commission_leader"])
    response = client.get(reverse("registry:institution_list"), {"q": "dsx"})
    assert _listed_ids(response) == _ids(world.institutions, {"th2"})
