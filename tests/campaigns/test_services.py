"""Campaigns from templates and from last year, who sees which campaign, and the command."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from weijian.campaigns import selectors, services
from weijian.campaigns.models import Campaign
from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.models import Department, Organisation, OrganisationKind, User

CAMPAIGN_PERMISSIONS = ("view_campaign", "add_campaign", "change_campaign")


def _grant(user, *codenames):
    """Campaign permissions given directly, so these tests do not depend on core.roles."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


@pytest.fixture
def leader(world):
    return _grant(world.users["commission_leader"], *CAMPAIGN_PERMISSIONS)


@pytest.fixture
def leader_b(world):
    user = User.objects.create_user("leader_b", organisation=world.orgs["commission_b"])
    return _grant(user, *CAMPAIGN_PERMISSIONS)


def _new(user, world, code="red_envelope_kickback", division="county_a", year=2026):
    return services.campaign_from_template(
        user=user, template_code=code, division=world.divisions[division], year=year
    )


def test_a_campaign_from_a_template_gets_the_year_on_every_date(leader, world):
    campaign = _new(leader, world)
    assert (campaign.year, campaign.division, campaign.is_template) == (
        2026,
        world.divisions["county_a"],
        False,
    )
    assert campaign.template_code == "red_envelope_kickback"
    assert (campaign.start, campaign.end) == (dt.date(2026, 9, 10), dt.date(2026, 12, 31))
    first = campaign.phases.get(order=1)
    assert (first.start, first.end) == (dt.date(2026, 9, 10), dt.date(2026, 9, 20))
    assert first.deliverables.get().due == dt.date(2026, 9, 20)
    assert campaign.coverage_targets.get(institution_class="county_level").target_percent == 100


def test_the_division_commission_owns_the_campaign_and_departments_resolve_to_organisations(leader, world):
    campaign = _new(leader, world, code="medical_disorder")
    assert campaign.owner == world.orgs["commission_a"]
    drugs = campaign.tasks.get(title__startswith="查处制售假药")
    assert drugs.lead_organisation == world.orgs["market_a"]
    partners = {p.department: p.organisation for p in drugs.partners.all()}
    assert partners["commission"] == world.orgs["commission_a"]
    assert partners["public_security"] is None  # county A has no public security bureau in the world
    red = _new(leader, world, code="red_envelope_kickback")
    assert red.tasks.get(order=2).lead_organisation == world.orgs["supervision_a"]


def test_a_department_missing_in_the_division_resolves_to_the_nearest_ancestor(leader, world):
    city_police = Organisation.objects.create(
        name="示范市公安局",
        kind=OrganisationKind.DEPARTMENT,
        department=Department.PUBLIC_SECURITY,
        division=world.divisions["city"],
    )
    Organisation.objects.create(
        name="江西省公安厅",
        kind=OrganisationKind.DEPARTMENT,
        department=Department.PUBLIC_SECURITY,
        division=world.divisions["province"],
    )
    campaign = _new(leader, world, code="medical_disorder")
    task = campaign.tasks.get(order=1)
    assert task.partners.get(department="public_security").organisation == city_police


def test_a_user_cannot_start_a_campaign_outside_their_subtree(leader_b, world):
    with pytest.raises(NotVisible):
        _new(leader_b, world, division="county_a")


def test_a_user_without_the_permission_cannot_start_a_campaign(world):
    clerk = User.objects.create_user("clerk_a", organisation=world.orgs["commission_a"])  # no role
    with pytest.raises(NotAllowed):
        _new(clerk, world)


def test_the_same_template_cannot_be_started_twice_for_a_division_and_year(leader, world):
    _new(leader, world)
    with pytest.raises(services.CampaignExists):
        _new(leader, world)


def test_cloning_last_years_campaign_shifts_every_date_by_whole_years(leader, world):
    last = _new(leader, world, code="health_sector_safety", year=2025)
    clone = services.campaign_clone(user=leader, campaign=last, year=2026)
    assert (clone.year, clone.cloned_from, clone.owner) == (2026, last, last.owner)
    assert [(p.start, p.end) for p in clone.phases.all()] == [
        (
            dt.date(p.start.year + 1, p.start.month, p.start.day),
            dt.date(p.end.year + 1, p.end.month, p.end.day),
        )
        for p in last.phases.all()
    ]
    assert clone.reporting_rules.get(cadence="daily").until == dt.date(2026, 12, 31)
    assert [t.lead_organisation for t in clone.tasks.all()] == [t.lead_organisation for t in last.tasks.all()]
    assert last.phases.count() == 3  # the original is untouched


def test_a_campaign_update_is_audited_and_limited_to_known_fields(leader, world):
    campaign = _new(leader, world)
    services.campaign_update(user=leader, campaign_id=campaign.pk, hotline="0790-1234567")
    assert Campaign.objects.get(pk=campaign.pk).hotline == "0790-1234567"
    with pytest.raises(Exception, match="unknown fields"):
        services.campaign_update(user=leader, campaign_id=campaign.pk, year=2030)


@pytest.fixture
def campaigns(world, leader):
    superuser = world.users["superuser"]
    return {
        "county_a": _new(leader, world),
        "county_b": _new(superuser, world, division="county_b"),
        "t1": _new(superuser, world, code="medical_beauty", division="t1"),
        "t2": _new(superuser, world, code="medical_beauty", division="t2"),
    }


def _visible(user):
    return {c.division.code[:9] for c in selectors.campaign_list(user)}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("commission_leader", {"county_a", "t1", "t2"}),  # county A's subtree
        ("leader_b", {"county_b"}),
        ("township_staff", {"county_a", "t1"}),  # 城关镇卫生院: covered by county A and its township
        ("institution_manager", {"county_a"}),  # 示范县人民医院, in the county itself
        ("village_doctor", {"county_a", "t1"}),  # 城东村卫生室, in 城关镇
    ],
)
def test_campaign_list_shows_the_campaigns_of_the_users_scope(campaigns, world, leader_b, who, expected):
    user = leader_b if who == "leader_b" else _grant(world.users[who], "view_campaign")
    assert {c.pk for c in selectors.campaign_list(user)} == {campaigns[key].pk for key in expected}


def test_templates_are_visible_to_everyone_who_may_view_campaigns(campaigns, world):
    doctor = _grant(world.users["village_doctor"], "view_campaign")
    assert selectors.campaign_list(doctor, templates=True).count() == 4
    template = selectors.template_get(doctor, "医疗乱象专项整治")
    assert selectors.campaign_get(doctor, template.pk) == template


def test_a_campaign_outside_the_scope_is_reported_as_missing(campaigns, leader):
    with pytest.raises(NotVisible):
        selectors.campaign_get(leader, campaigns["county_b"].pk)


def test_campaign_tasks_come_with_their_lead_and_partners(campaigns, leader, django_assert_num_queries):
    tasks = list(selectors.campaign_tasks(leader, campaigns["county_a"]))
    with django_assert_num_queries(0):
        names = [(t.lead_organisation, [p.organisation for p in t.partners.all()]) for t in tasks]
    assert names[1][0].name == "示范县卫生健康综合监督执法局"


def test_the_command_starts_a_campaign_and_prints_its_tasks_and_phases(world):
    out = io.StringIO()
    call_command(
        "campaign",
        "new",
        "--template",
        "医疗乱象专项整治",
        "--division",
        "369901000000",
        "--year",
        "2026",
        stdout=out,
    )
    text = out.getvalue()
    campaign = Campaign.objects.get(is_template=False, template_code="medical_disorder")
    assert str(campaign.pk) in text
    assert "示范县市场监督管理局" in text and "示范县卫生健康委员会" in text
    assert "总结交流阶段" in text and "2026-12-20" in text


def test_the_command_acts_as_a_user_with_their_scope(world, leader_b):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "campaign",
            "new",
            "--template",
            "medical_beauty",
            "--division",
            "369901000000",
            "--year",
            "2026",
            "--as",
            "leader_b",
            stdout=io.StringIO(),
        )


def test_the_command_lists_the_templates(db):
    out = io.StringIO()
    call_command("campaign", "templates", stdout=out)
    assert "health_sector_safety" in out.getvalue() and "红包回扣专项整治" in out.getvalue()
