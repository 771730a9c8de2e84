"""The campaign's forms page and the download follow role and scope."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from . import factories as make


@pytest.fixture
def campaign(world):
    campaign = make.campaign(world, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    make.site_check(world, campaign, "beauty_drugs", party="甲店", on=dt.date(2026, 2, 1))
    return campaign


def _page(client, campaign):
    return client.get(reverse("reports:campaign_forms", args=[campaign.pk]))


def test_the_page_lists_the_forms_the_role_may_produce(world, login, campaign):
    page = _page(login(world.users["supervisor"]), campaign)
    assert page.status_code == 200
    codes = [entry["spec"].code for entry in page.context["entries"]]
    assert codes == ["beauty-summary", "typical-cases", "safety-weekly", "safety-checklist", "quantitative"]
    page = _page(login(world.users["department_officer"]), campaign)
    assert [entry["spec"].code for entry in page.context["entries"]] == ["beauty-summary", "quantitative"]


def test_the_division_choice_offers_the_user_s_divisions_of_the_campaign(world, login, campaign):
    page = _page(login(world.users["township_staff"]), campaign)
    form = page.context["entries"][0]["form"]
    assert [d.code for d in form.fields["division"].queryset] == ["369901001000"]


@pytest.mark.parametrize(
    "role, status", [("village_doctor", 403), ("no_organisation", 403), ("supervisor", 200)]
)
def test_the_page_needs_the_campaign_permission(world, login, campaign, role, status):
    assert _page(login(world.users[role]), campaign).status_code == status


def test_a_campaign_of_another_county_is_not_found(world, login):
    campaign = make.campaign(world, division="county_b")
    assert _page(login(world.users["supervisor"]), campaign).status_code == 404


def test_the_download_is_the_form_as_a_file(world, login, campaign):
    url = reverse("reports:download", args=[campaign.pk, "beauty-summary"])
    response = login(world.users["supervisor"]).get(
        url, {"division": "369901000000", "date_from": "2026-01-01", "date_to": "2026-03-31", "fmt": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["F5"].value == 1


def test_on_a_queue_backend_the_page_waits_for_the_worker(world, login, campaign, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    url = reverse("reports:download", args=[campaign.pk, "beauty-summary"])
    response = login(world.users["supervisor"]).get(
        url, {"division": "369901000000", "date_from": "2026-01-01", "date_to": "2026-03-31", "fmt": "xlsx"}
    )
    assert response.status_code == 202
    [result_url] = re.findall(r'href="([^"]*/result/[^"]*)"', response.content.decode())
    # Still queued: the same page again, for the user who asked and nobody else.
    assert login(world.users["supervisor"]).get(result_url).status_code == 202
    assert login(world.users["commission_leader"]).get(result_url).status_code == 404


def test_a_bad_request_shows_the_page_again_with_the_error(world, login, campaign):
    url = reverse("reports:download", args=[campaign.pk, "beauty-summary"])
    response = login(world.users["supervisor"]).get(
        url, {"division": "369901000000", "date_from": "2026-03-01", "date_to": "2026-02-01", "fmt": "xlsx"}
    )
    assert response.status_code == 400
    [entry] = [e for e in response.context["entries"] if e["spec"].code == "beauty-summary"]
    assert entry["form"].errors["date_from"]


def test_a_division_outside_the_user_s_scope_cannot_be_chosen(world, login, campaign):
    url = reverse("reports:download", args=[campaign.pk, "safety-weekly"])
    response = login(world.users["township_staff"]).get(url, {"division": "369901000000", "fmt": "xlsx"})
    assert response.status_code == 400
    response = login(world.users["township_staff"]).get(url, {"division": "369901001000", "fmt": "xlsx"})
    assert response.status_code == 200


def test_an_unknown_form_is_not_found(world, login, campaign):
    url = reverse("reports:download", args=[campaign.pk, "monthly"])
    assert login(world.users["supervisor"]).get(url).status_code == 404
