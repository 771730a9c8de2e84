"""Rectification pages: the board and a hazard's page follow role and scope; the closed loop is
walked through the detail page's forms; the home page's to-do panel lists what awaits the user."""

import datetime as dt

import pytest
from django.urls import reverse

from weijian.campaigns.models import ViolationCategory
from weijian.campaigns.services import campaign_from_template
from weijian.rectification import services
from weijian.rectification.models import Hazard, HazardLevel, HazardSource, HazardState

FOUND_ON = dt.date(2026, 11, 2)


@pytest.fixture
def campaign(world):
    return campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )


def _hazard(
    world, campaign, *, level=HazardLevel.MAJOR, institution="county_hospital", found_on=FOUND_ON
) -> Hazard:
    return services.hazard_create(
        user=world.users["supervisor"],
        institution=world.institutions[institution],
        category=ViolationCategory.objects.get(code="fire"),
        level=level,
        description="消防通道堵塞",
        source=HazardSource.ON_SITE,
        found_on=found_on,
        campaign=campaign,
        location="住院部",
    )


def _act(client, hazard, action, **data):
    return client.post(reverse("rectification:hazard_detail", args=[hazard.pk]), {"action": action, **data})


def _state(hazard) -> str:
    hazard.refresh_from_db()
    return hazard.state


@pytest.mark.parametrize(
    "role, status",
    [
        ("commission_leader", 200),
        ("supervisor", 200),
        ("institution_manager", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("township_staff", 404),  # its township does not contain the county hospital
        ("village_doctor", 403),
        ("department_officer", 403),
        ("no_organisation", 403),
    ],
)
def test_the_board_and_a_hazards_page_follow_role_and_scope(world, login, campaign, role, status):
    hazard = _hazard(world, campaign)
    client = login(world.users[role])
    board = client.get(reverse("rectification:board"))
    assert board.status_code == (403 if status == 403 else 200)
    if status != 403:
        listed = reverse("rectification:hazard_detail", args=[hazard.pk]) in board.content.decode()
        assert listed == (status == 200)
    assert client.get(reverse("rectification:hazard_detail", args=[hazard.pk])).status_code == status


def test_the_board_filters_by_campaign_level_and_state_and_marks_overdue_hazards(world, login, campaign):
    major = _hazard(world, campaign)
    _hazard(world, campaign, level=HazardLevel.GENERAL)  # filtered out by level
    client = login(world.users["commission_leader"])

    response = client.get(reverse("rectification:board"), {"campaign": campaign.pk, "level": "major"})
    shown = [e["hazard"] for c in response.context["columns"] for e in c["hazards"]]
    assert shown == [major]
    response = client.get(reverse("rectification:board"), {"state": "listed"})
    assert [c["state"] for c in response.context["columns"]] == ["listed"]
    assert not response.context["columns"][0]["hazards"]

    # The written report is due 7 working days after the finding: long past for a hazard found in
    # 2020, still ahead for one dated 2099.
    late = _hazard(world, None, level=HazardLevel.GENERAL, found_on=dt.date(2020, 1, 6))
    ahead = _hazard(world, None, level=HazardLevel.GENERAL, found_on=dt.date(2099, 1, 5))
    response = client.get(reverse("rectification:board"))
    entries = {e["hazard"].pk: e for c in response.context["columns"] for e in c["hazards"]}
    assert entries[late.pk]["overdue"] is True
    assert entries[ahead.pk]["overdue"] is False
    marked = sum(e["overdue"] for e in entries.values())
    assert response.content.decode().count("hazard-card overdue") == marked


def test_the_closed_loop_is_walked_through_the_detail_page(world, login, campaign):
    hazard = _hazard(world, campaign)
    leader = login(world.users["commission_leader"])
    page = leader.get(reverse("rectification:hazard_detail", args=[hazard.pk]))
    assert [f["action"] for f in page.context["action_forms"]] == ["list"]
    assert _act(leader, hazard, "list", **{"list-note": "挂牌督办"}).status_code == 302
    assert _state(hazard) == HazardState.LISTED

    manager = login(world.users["institution_manager"])
    plan = {
        "plan-responsible_person": "李科长",
        "plan-measures": "清理通道，张贴标识",
        "plan-funding": "1200.50",
        "plan-deadline": "2026-12-15",
        "plan-contingency_plan": "专人值守",
    }
    assert _act(manager, hazard, "plan", **plan).status_code == 302
    assert _state(hazard) == HazardState.PLANNED
    assert str(hazard.funding) == "1200.50"
    assert _act(manager, hazard, "start").status_code == 302
    assert _state(hazard) == HazardState.IN_PROGRESS
    assert (
        _act(manager, hazard, "complete", **{"complete-completion_evidence": "整改照片三张"}).status_code
        == 302
    )
    assert _state(hazard) == HazardState.COMPLETED

    supervisor = login(world.users["supervisor"])
    assert _act(supervisor, hazard, "verify_pass").status_code == 302
    assert _state(hazard) == HazardState.VERIFIED
    assert _act(supervisor, hazard, "close", **{"close-closed_on": "2026-12-20"}).status_code == 302
    assert _state(hazard) == HazardState.CLOSED
    assert hazard.closed_on == dt.date(2026, 12, 20)

    page = supervisor.get(reverse("rectification:hazard_detail", args=[hazard.pk]))
    assert [e["event"].action for e in page.context["events"]] == [
        "list",
        "plan",
        "start",
        "complete",
        "verify_pass",
        "close",
    ]
    assert "李科长" in page.content.decode()


def test_domain_errors_are_shown_on_the_action_form(world, login, campaign):
    hazard = _hazard(world, campaign, level=HazardLevel.GENERAL)
    manager = login(world.users["institution_manager"])
    response = _act(
        manager,
        hazard,
        "plan",
        **{
            "plan-responsible_person": "李科长",
            "plan-measures": "清理通道",
            "plan-funding": "0",
            "plan-deadline": "2026-10-01",  # before the hazard was found
            "plan-contingency_plan": "专人值守",
        },
    )
    assert response.status_code == 200
    form = response.context["action_forms"][0]["form"]
    assert form.errors["deadline"]
    assert _state(hazard) == HazardState.FOUND


def test_an_action_on_the_wrong_side_is_refused(world, login, campaign):
    major = _hazard(world, campaign)
    general = _hazard(world, campaign, level=HazardLevel.GENERAL)
    # The manager may plan but not place under listed supervision; the leader may not plan.
    assert _act(login(world.users["institution_manager"]), major, "list").status_code == 403
    assert _act(login(world.users["commission_leader"]), general, "plan").status_code == 403
    assert (_state(major), _state(general)) == (HazardState.FOUND, HazardState.FOUND)


def test_an_action_the_workflow_does_not_allow_now_is_reported_and_changes_nothing(world, login, campaign):
    major = _hazard(world, campaign)  # a major hazard is listed before any plan
    response = _act(login(world.users["institution_manager"]), major, "plan")
    assert response.status_code == 302
    page = login(world.users["institution_manager"]).get(response.url)
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert _state(major) == HazardState.FOUND


def test_the_home_page_lists_the_hazard_awaiting_the_user(world, login, campaign):
    major = _hazard(world, campaign)
    general = _hazard(world, campaign, level=HazardLevel.GENERAL)

    leader_home = login(world.users["commission_leader"]).get(reverse("home"))
    assert leader_home.context["todo"].awaiting == [major]  # to be placed under listed supervision
    html = leader_home.content.decode()
    awaiting = html.split('id="todo-awaiting"', 1)[1].split("</div>", 1)[0]
    assert reverse("rectification:hazard_detail", args=[major.pk]) in awaiting

    manager_home = login(world.users["institution_manager"]).get(reverse("home"))
    assert manager_home.context["todo"].awaiting == [general]  # a plan is due
    assert login(world.users["insurance_clerk"]).get(reverse("home")).context["todo"] is None
