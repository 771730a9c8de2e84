"""Campaigns, inspections, sampling draws and hazards through the API: scope, the rectification
workflow, a re-run draw, and a campaign started from a template.

Expected records are read off the world's layout (tests/world.py), not asked of the scope code.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission

from tests.rectification import factories
from tests.world import PASSWORD
from weijian.campaigns.models import InstitutionClass
from weijian.campaigns.services import campaign_from_template
from weijian.core.calendar import add_working_days
from weijian.core.models import AuditEntry, User
from weijian.inspections.models import Checklist, Inspection, InspectionKind
from weijian.rectification.models import HazardEvent

from .conftest import ERROR_KEYS

# Where the world's institutions are: county A's county level, its two townships, county B.
TOWNSHIP_T1 = {"th1", "vc11", "beauty_t1"}
COUNTY_A = {"county_hospital", "th1", "th2", "vc11", "vc21", "beauty_t1"}
ALL = COUNTY_A | {"hospital_b"}

# Which institutions' records each user sees: a subtree, one institution, or nothing.
SEES = {
    "commission_leader": COUNTY_A,
    "supervisor": COUNTY_A,
    "township_staff": TOWNSHIP_T1,  # the township hospital runs its villages' clinics
    "institution_manager": {"county_hospital"},
    "leader_b": {"hospital_b"},  # a commission leader of county B: nothing of county A
    "superuser": ALL,
}


@pytest.fixture
def campaign(world):
    return campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )


@pytest.fixture
def sampled(campaign):
    """The campaign with coverage targets to draw against (the safety template sets none)."""
    campaign.coverage_targets.create(institution_class=InstitutionClass.COUNTY_LEVEL, target_percent=100)
    campaign.coverage_targets.create(institution_class=InstitutionClass.VILLAGE_CLINIC, target_percent=50)
    return campaign


@pytest.fixture
def leader_b(world):
    user = User.objects.create_user(
        username="leader_b", password=PASSWORD, organisation=world.orgs["commission_b"]
    )
    user.groups.add(Group.objects.get(name="commission_leader"))
    return user


@pytest.fixture
def user_of(world, leader_b):
    users = {**world.users, "leader_b": leader_b}
    return users.__getitem__


def _is_error(response, status):
    assert response.status_code == status, response.content
    assert set(response.json()) == ERROR_KEYS


def _may_view_inspections(user):
    """The township staff role does not view inspections; give it the permission so that its scope,
    not its role, is what this test sees."""
    if not user.has_perm("inspections.view_inspection"):
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="inspections", codename="view_inspection")
        )
        user = User.objects.get(pk=user.pk)  # a fresh permission cache
    return user


@pytest.mark.parametrize("who", SEES)
def test_a_user_lists_and_reads_exactly_the_hazards_of_institutions_in_scope(world, api_as, user_of, who):
    hazards = {key: factories.hazard(world, institution=key).pk for key in ALL}
    api = api_as(user_of(who))
    expected = {hazards[key] for key in SEES[who]}

    listing = api.get("/hazards", {"limit": 500})

    assert listing.status_code == 200
    assert {h["id"] for h in listing.json()["items"]} == expected
    for key, pk in hazards.items():
        response = api.get(f"/hazards/{pk}")
        if key in SEES[who]:
            assert response.status_code == 200
            assert response.json()["institution"] == world.institutions[key].pk
        else:
            _is_error(response, 404)


@pytest.mark.parametrize("who", SEES)
def test_a_user_lists_and_reads_exactly_the_inspections_of_institutions_in_scope(
    world, api_as, user_of, campaign, who
):
    inspections = {
        key: factories.inspection(world, institution=key, on=dt.date(2026, 5, 6), of=campaign).pk
        for key in ALL
    }
    api = api_as(_may_view_inspections(user_of(who)))
    expected = {inspections[key] for key in SEES[who]}

    listing = api.get("/inspections", {"limit": 500})

    assert listing.status_code == 200
    assert {i["id"] for i in listing.json()["items"]} == expected
    for key, pk in inspections.items():
        response = api.get(f"/inspections/{pk}")
        if key in SEES[who]:
            assert response.status_code == 200
            assert response.json()["answers"] == []
        else:
            _is_error(response, 404)


def test_a_role_without_the_view_permission_is_refused_inspections_and_sampling_draws(world, api_as):
    api = api_as(world.users["township_staff"])
    _is_error(api.get("/inspections"), 403)
    _is_error(api.get("/sampling-draws"), 403)


def test_a_major_hazard_goes_round_the_loop_through_the_api(world, api_as, campaign):
    manager = api_as(world.users["institution_manager"])
    leader = api_as(world.users["commission_leader"])
    supervisor = api_as(world.users["supervisor"])
    institution = world.institutions["county_hospital"]

    created = manager.post(
        "/hazards",
        {
            "institution": institution.pk,
            "category": factories.category().code,
            "level": "major",
            "description": "配电室堆放易燃物",
            "source": "self_inspection",
            "found_on": "2026-05-06",
            "campaign": campaign.pk,
            "location": "配电室",
        },
    )
    assert created.status_code == 201, created.content
    hazard = created.json()
    report_due = add_working_days(dt.date(2026, 5, 6), 7).isoformat()  # 5-9 is a make-up working day
    assert (hazard["state"], hazard["campaign"], hazard["report_due"]) == ("found", campaign.pk, report_due)
    assert hazard["available_actions"] == []  # a major hazard is listed by the regulator first
    pk = hazard["id"]

    listing = leader.get("/hazards", {"state": "found", "level": "major"})
    assert [h["id"] for h in listing.json()["items"]] == [pk]
    assert leader.get(f"/hazards/{pk}").json()["available_actions"] == ["list"]

    steps = [
        (leader, {"action": "list", "note": "挂牌督办"}, "listed"),
        (
            manager,
            {
                "action": "plan",
                "responsible_person": "王科长",
                "measures": "清理易燃物，设置隔离区",
                "funding": "12000.50",
                "deadline": "2026-06-30",
                "contingency_plan": "专人值守",
            },
            "planned",
        ),
        (manager, {"action": "start"}, "in_progress"),
        (manager, {"action": "complete", "completion_evidence": "已清理，照片存档"}, "completed"),
        (supervisor, {"action": "verify_pass"}, "verified"),
        (supervisor, {"action": "close", "closed_on": "2026-07-03"}, "closed"),
    ]
    for api, body, state in steps:
        response = api.post(f"/hazards/{pk}/transitions", body)
        assert response.status_code == 200, (body, response.content)
        assert response.json()["state"] == state

    closed = supervisor.get(f"/hazards/{pk}").json()
    assert (closed["funding"], closed["deadline"], closed["closed_on"]) == (
        "12000.50",
        "2026-06-30",
        "2026-07-03",
    )
    assert [(e["action"], e["actor"]) for e in closed["events"]] == [
        ("list", "commission_leader"),
        ("plan", "institution_manager"),
        ("start", "institution_manager"),
        ("complete", "institution_manager"),
        ("verify_pass", "supervisor"),
        ("close", "supervisor"),
    ]
    assert closed["available_actions"] == ["look_back"]


@pytest.mark.parametrize(
    ("who", "action", "status", "code"),
    [
        ("institution_manager", "verify_pass", 403, "permission_denied"),  # the wrong side and role
        ("supervisor", "close", 409, "transition_not_allowed"),  # not from `completed`
        ("commission_leader", "list", 409, "transition_not_allowed"),  # only major hazards are listed
    ],
)
def test_a_refused_transition_answers_with_its_code_and_changes_nothing(
    world, api_as, who, action, status, code
):
    hazard = factories.hazard(world, state="completed")
    api = api_as(world.users[who])
    events, entries = HazardEvent.objects.count(), AuditEntry.objects.count()

    response = api.post(f"/hazards/{hazard.pk}/transitions", {"action": action})

    _is_error(response, status)
    assert response.json()["code"] == code
    hazard.refresh_from_db()
    assert hazard.state == "completed"
    assert (HazardEvent.objects.count(), AuditEntry.objects.count()) == (events, entries)


def test_a_plan_without_its_five_elements_is_invalid_and_changes_nothing(world, api_as):
    hazard = factories.hazard(world)

    response = api_as(world.users["institution_manager"]).post(
        f"/hazards/{hazard.pk}/transitions", {"action": "plan", "responsible_person": "王科长"}
    )

    _is_error(response, 422)
    assert response.json()["field"] == "measures"
    hazard.refresh_from_db()
    assert (hazard.state, hazard.responsible_person) == ("found", "")


def test_the_todo_list_holds_what_the_user_may_act_on(world, api_as):
    hazard = factories.hazard(world)  # general, found: the institution plans it

    todo = api_as(world.users["institution_manager"]).get("/hazards/todo", {"today": "2025-10-01"}).json()
    overdue = api_as(world.users["supervisor"]).get("/hazards/overdue", {"today": "2025-10-20"}).json()

    assert [h["id"] for h in todo["awaiting"]] == [hazard.pk]
    assert [h["id"] for h in overdue["items"]] == [hazard.pk]


def test_a_sampling_draw_reruns_to_the_same_result_and_can_be_published(world, api_as, sampled):
    campaign = sampled
    api = api_as(world.users["commission_leader"])

    created = api.post("/sampling-draws", {"campaign": campaign.pk, "seed": 20260506, "team_size": 0})
    assert created.status_code == 201, created.content
    draw = created.json()
    drawn = [world.institutions[k].pk for k in ("county_hospital", "vc11", "vc21")]
    assert {r["institution"] for r in draw["result"]} in ({drawn[0], drawn[1]}, {drawn[0], drawn[2]})

    rerun = api.get(f"/sampling-draws/{draw['id']}/rerun").json()
    assert rerun == {"stored": draw["result"], "rerun": draw["result"], "equal": True}

    published = api.post(f"/sampling-draws/{draw['id']}/publish", {})
    assert published.status_code == 200
    assert published.json()["published_at"] is not None
    _is_error(api.post(f"/sampling-draws/{draw['id']}/publish", {}), 400)
    assert [d["id"] for d in api.get("/sampling-draws", {"campaign": campaign.pk}).json()["items"]] == [
        draw["id"]
    ]


def test_the_same_seed_draws_the_same_and_a_draw_outside_scope_is_not_found(world, api_as, sampled, leader_b):
    campaign = sampled
    api = api_as(world.users["commission_leader"])
    first = api.post("/sampling-draws", {"campaign": campaign.pk, "seed": 7}).json()
    second = api.post("/sampling-draws", {"campaign": campaign.pk, "seed": 7}).json()

    assert first["result"] == second["result"]
    _is_error(api_as(leader_b).get(f"/sampling-draws/{first['id']}/rerun"), 404)
    refused = api_as(leader_b).post("/sampling-draws", {"campaign": campaign.pk, "seed": 7})
    _is_error(refused, 422)
    assert refused.json()["field"] == "campaign"


def test_a_campaign_started_from_a_template_has_tasks_phases_targets_and_coverage(world, api_as):
    api = api_as(world.users["commission_leader"])
    templates = api.get("/campaigns", {"templates": "true"}).json()["items"]
    assert "health_sector_safety" in {t["template_code"] for t in templates}

    created = api.post(
        "/campaigns/from-template",
        {"template_code": "health_sector_safety", "division": world.divisions["county_a"].code, "year": 2026},
    )
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert (campaign["year"], campaign["division"], campaign["owner"]) == (
        2026,
        world.divisions["county_a"].code,
        world.orgs["commission_a"].pk,
    )
    assert campaign["tasks"] and campaign["phases"]
    assert campaign["coverage_targets"] == []  # the safety template sets none
    assert campaign["tasks"][0]["lead_organisation"] is not None
    assert any(phase["deliverables"] for phase in campaign["phases"])
    assert api.get("/campaigns", {"year": 2026}).json()["count"] == 1

    again = api.post(
        "/campaigns/from-template",
        {"template_code": "health_sector_safety", "division": world.divisions["county_a"].code, "year": 2026},
    )
    _is_error(again, 409)
    assert again.json()["code"] == "campaign_exists"

    rows = api.get(f"/campaigns/{campaign['id']}/coverage").json()
    by_class = {r["key"]: r for r in rows if r["dimension"] == "class"}
    townships = {r["key"]: r for r in rows if r["dimension"] == "township"}
    assert sum(r["in_scope"] for r in by_class.values()) == sum(r["in_scope"] for r in townships.values())
    assert all(r["inspected"] == 0 and r["target"] is None for r in rows)
    assert set(by_class) == set(InstitutionClass.values)
    assert {world.divisions["t1"].code, world.divisions["t2"].code} <= set(townships)


def test_a_submitted_on_site_inspection_counts_towards_coverage(world, api_as, campaign):
    supervisor = api_as(world.users["supervisor"])
    checklist = Checklist.objects.order_by("code").first()
    version = checklist.versions.order_by("-number").first()
    th1 = world.institutions["th1"]

    started = supervisor.post(
        "/inspections",
        {
            "campaign": campaign.pk,
            "institution": th1.pk,
            "kind": "on_site",
            "checklist_version": version.pk,
            "inspected_on": "2026-05-06",
        },
    )
    assert started.status_code == 201, started.content
    inspection = started.json()
    assert inspection["team"] == [world.users["supervisor"].pk]

    content = supervisor.get(f"/checklists/versions/{version.pk}").json()
    for item in (item for section in content["sections"] for item in section["items"]):
        body = {
            "found": {"found": False, "text": ""},
            "yes_no": {"found": True},
            "number": {"number": "3"},
            "text": {"text": "已核查"},
        }[item["answer_type"]]
        if item["requires_evidence"]:
            pytest.skip("the API takes no evidence files yet")
        answer = supervisor.client.put(
            f"/api/inspections/{inspection['id']}/answers/{item['id']}",
            body,
            content_type="application/json",
            headers=supervisor.headers,
        )
        assert answer.status_code == 200, answer.content
    submitted = supervisor.post(f"/inspections/{inspection['id']}/submit", {"unit_head_name": "李院长"})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    rows = supervisor.get(f"/campaigns/{campaign.pk}/coverage").json()
    township = next(r for r in rows if r["key"] == world.divisions["t1"].code)
    assert township["inspected"] == 1
    assert Inspection.objects.get(pk=inspection["id"]).kind == InspectionKind.ON_SITE
