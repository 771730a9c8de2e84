"""Campaign pages: who sees which campaign, starting one from a template, and the dashboard's numbers."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests import scope_expectations as expect
from weijian.campaigns.services import campaign_from_template
from weijian.inspections.models import Checklist, Inspection, InspectionKind, InspectionStatus

# Roles whose group holds campaigns.view_campaign, and which of them see a county A campaign.
VIEWERS = {
    "commission_leader",
    "supervisor",
    "department_officer",
    "institution_manager",
    "township_staff",
    "auditor",
    "superuser",
}
LINK = re.compile(r"/campaigns/(\d+)/\"")


@pytest.fixture
def campaigns(world):
    return {
        key: campaign_from_template(
            user=None, template_code="health_sector_safety", division=world.divisions[key], year=2026
        )
        for key in ("county_a", "county_b")
    }


@pytest.mark.parametrize("role", expect.ROLES)
def test_campaign_pages_show_the_campaigns_of_the_roles_scope(world, login, campaigns, role):
    client = login(world.users[role])
    response = client.get(reverse("campaigns:campaign_list"))
    if role not in VIEWERS:
        assert response.status_code == 403
        assert (
            client.get(reverse("campaigns:campaign_dashboard", args=[campaigns["county_a"].pk])).status_code
            == 403
        )
        return
    assert response.status_code == 200
    expected = {campaigns["county_a"].pk} | ({campaigns["county_b"].pk} if role == "superuser" else set())
    assert {c.pk for c in response.context["campaigns"]} == expected
    for campaign in campaigns.values():
        dashboard = client.get(reverse("campaigns:campaign_dashboard", args=[campaign.pk]))
        assert dashboard.status_code == (200 if campaign.pk in expected else 404)


def test_a_commission_leader_starts_a_campaign_from_a_template(world, login):
    client = login(world.users["commission_leader"])
    page = client.get(reverse("campaigns:campaign_list"))
    assert "health_sector_safety" in page.content.decode()

    response = client.post(
        reverse("campaigns:campaign_list"),
        {"template": "health_sector_safety", "division": world.divisions["county_a"].code, "year": 2026},
    )

    campaign = world.divisions["county_a"].campaigns.get(year=2026)
    assert response.status_code == 302
    assert response.url == reverse("campaigns:campaign_dashboard", args=[campaign.pk])
    again = client.post(
        reverse("campaigns:campaign_list"),
        {"template": "health_sector_safety", "division": world.divisions["county_a"].code, "year": 2026},
    )
    assert again.status_code == 200
    assert again.context["form"].errors["year"]


def test_a_division_outside_the_scope_cannot_be_chosen(world, login):
    client = login(world.users["commission_leader"])
    response = client.post(
        reverse("campaigns:campaign_list"),
        {"template": "health_sector_safety", "division": world.divisions["county_b"].code, "year": 2026},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["division"]


def test_roles_without_the_permission_cannot_start_a_campaign(world, login):
    client = login(world.users["supervisor"])
    response = client.post(
        reverse("campaigns:campaign_list"),
        {"template": "health_sector_safety", "division": world.divisions["county_a"].code, "year": 2026},
    )
    assert response.status_code == 403


BAR = re.compile(r'<li data-key="(\w*)" data-in-scope="(\d+)" data-inspected="(\d+)">')


def _bars(html: str, list_id: str) -> dict[str, tuple[int, int]]:
    section = html.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return {key: (int(n), int(done)) for key, n, done in BAR.findall(section)}


def test_the_dashboard_counts_coverage_from_submitted_on_site_inspections(world, login, campaigns):
    campaign = campaigns["county_a"]
    version = Checklist.objects.get(code="a18_safety").versions.first()

    def inspect(key, *, kind=InspectionKind.ON_SITE, status=InspectionStatus.SUBMITTED):
        Inspection.objects.create(
            campaign=campaign,
            checklist_version=version,
            institution=world.institutions[key],
            kind=kind,
            status=status,
            inspected_on=dt.date(2026, 11, 2),
        )

    inspect("county_hospital")
    inspect("vc11")
    inspect("vc21", status=InspectionStatus.DRAFT)  # not submitted: does not count
    inspect("th2", kind=InspectionKind.SELF)  # a self-inspection does not count

    response = login(world.users["commission_leader"]).get(
        reverse("campaigns:campaign_dashboard", args=[campaign.pk])
    )
    html = response.content.decode()

    by_class = _bars(html, "coverage-class")
    # Written out from tests.world: county A has one county-level hospital, two township hospitals,
    # two village clinics and one medical-beauty clinic.
    assert by_class["county_level"] == (1, 1)
    assert by_class["township_hospital"] == (2, 0)
    assert by_class["village_clinic"] == (2, 1)
    assert by_class["medical_beauty"] == (1, 0)
    assert by_class["community"] == (0, 0)
    by_township = _bars(html, "coverage-township")
    assert by_township[world.divisions["t1"].code] == (3, 1)  # th1, vc11, beauty_t1
    assert by_township[world.divisions["t2"].code] == (2, 0)  # th2, vc21
    assert by_township[""] == (1, 1)  # the county hospital, at county level
    assert sum(n for n, _ in by_class.values()) == len(expect.COUNTY_A_INSTITUTIONS)


def test_the_dashboard_shows_phases_tasks_and_the_current_phase(world, login, campaigns):
    campaign = campaigns["county_a"]
    response = login(world.users["supervisor"]).get(
        reverse("campaigns:campaign_dashboard", args=[campaign.pk])
    )
    html = response.content.decode()
    for phase in campaign.phases.all():
        assert phase.name in html
    for task in campaign.tasks.all():
        assert task.title in html
    assert 'id="current-phase"' in html
    assert reverse("inspections:sampling", args=[campaign.pk]) in html
