"""Enforcement through the API: who lists and reads which record (roles × counties, written out by
hand from roles.py and the world's layout), a case from lead to close with its penalties, referrals,
transfers to the police and the blacklist, and errors that name the field at fault."""

import datetime as dt

import pytest

from tests.enforcement import factories
from tests.scope_expectations import ROLES
from weijian.core.models import Organisation, OrganisationKind
from weijian.enforcement import services
from weijian.enforcement.models import Case, Penalty

from .conftest import ERROR_KEYS

RESOURCES = ("cases", "site-checks", "referrals", "judicial-transfers", "blacklist")
COUNTY_A = frozenset({"A"})
BOTH = frozenset({"A", "B"})

# role → resource → the counties whose record the role lists; a resource missing from a role's row is
# refused outright (403): the role may not view it at all.
VISIBLE = {
    "commission_leader": dict.fromkeys(RESOURCES, COUNTY_A),
    "supervisor": dict.fromkeys(RESOURCES, COUNTY_A),
    "auditor": dict.fromkeys(RESOURCES, COUNTY_A),
    "superuser": dict.fromkeys(RESOURCES, BOTH),
    # A partner department sees the referrals of its county, nothing else of enforcement.
    "department_officer": {"referrals": COUNTY_A},
}


def _is_error(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    if code is not None:
        assert body["code"] == code
    if field is not None:
        assert body["field"] == field, body


def _county_records(world, county: str) -> dict[str, int]:
    """One record of each resource in the county, made through the services by its supervisor."""
    if county == "A":
        user_key, institution, division, peer = "supervisor", "beauty_t1", "t1", world.orgs["market_a"]
        campaign = factories.campaign(world)
    else:
        world.users["supervisor_b"] = factories.user_at(world.orgs["commission_b"], "supervisor_b")
        user_key, institution, division = "supervisor_b", "hospital_b", "tb1"
        peer = Organisation.objects.create(
            name="邻县市场监督管理局", kind=OrganisationKind.DEPARTMENT, division=world.divisions["county_b"]
        )
        campaign = factories.campaign(world, division="county_b", owner="commission_b")
    user = world.users[user_key]
    case = factories.open_case(
        world, user=user_key, institution=world.institutions[institution], campaign=campaign
    )
    factories.move(world, case, user_key, "verify")
    factories.move(world, case, user_key, "file", procedure="general", filed_on=factories.FILED_ON)
    return {
        "cases": case.pk,
        "site-checks": services.site_check_record(
            user=user,
            campaign=campaign,
            category=factories.category(),
            checked_on=dt.date(2026, 3, 10),
            party_name="美容工作室",
            division=world.divisions[division],
        ).pk,
        "referrals": services.referral_send(
            user=user,
            to_organisation=peer,
            category=factories.category(),
            facts="涉嫌违法医疗美容广告",
            sent_on=dt.date(2026, 3, 3),
            case=case,
        ).pk,
        "judicial-transfers": services.judicial_transfer_send(
            user=user,
            case_id=case.pk,
            receiving_body="县公安局",
            evidence=["检查笔录"],
            sent_on=dt.date(2026, 3, 6),
        ).pk,
        "blacklist": services.blacklist_add(
            user=user,
            reason="情节严重",
            listed_on=dt.date(2026, 5, 1),
            punishment_scope="联合惩戒",
            institution=world.institutions[institution],
        ).pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_and_reads_exactly_the_enforcement_records_of_its_scope(world, api_as, role):
    records = {county: _county_records(world, county) for county in ("A", "B")}
    api = api_as(world.users[role])
    for resource in RESOURCES:
        expected = VISIBLE.get(role, {}).get(resource)
        listing = api.get(
            f"/{resource}", {"limit": 500, **({"status": "all"} if resource == "blacklist" else {})}
        )
        if expected is None:
            _is_error(listing, 403)
            for county in ("A", "B"):
                _is_error(api.get(f"/{resource}/{records[county][resource]}"), 403)
            continue
        assert listing.status_code == 200, (resource, listing.content)
        listed = {item["id"] for item in listing.json()["items"]}
        assert listed == {records[county][resource] for county in expected}, resource
        for county in ("A", "B"):
            response = api.get(f"/{resource}/{records[county][resource]}")
            if county in expected:
                assert response.status_code == 200
                assert response.json()["id"] == records[county][resource]
            else:
                _is_error(response, 404)


# --- a case from lead to close ----------------------------------------------------------------------

NEW_CASE = {
    "category": "beauty_unlicensed_practice",
    "title": "丽人美容工作室非法开展医疗美容",
    "source": "inspection",
    "opened_on": "2026-03-02",
    "party_name": "丽人美容工作室",
    "party_address": "城关镇解放路12号",
    "venue_type": "residential",
    "division": "369901001000",
}

DECISION = {
    "action": "decide",
    "decided_on": "2026-03-20",
    "facts": "在居民楼内开展注射类医疗美容项目",
    "law_violated": "《医疗机构管理条例》第二十四条",
    "penalty_basis": "《医疗机构管理条例》第四十三条",
    "penalties": [
        {"kind": "warning", "description": "对操作人员给予警告", "on_person": True},
        {"kind": "fine", "amount": "30000.50", "description": "罚款三万元"},
    ],
}


def _filed(api) -> int:
    created = api.post("/cases", NEW_CASE)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    api.post(f"/cases/{pk}/actions", {"action": "verify"})
    api.post(f"/cases/{pk}/actions", {"action": "file", "procedure": "general", "filed_on": "2026-03-05"})
    return pk


def test_a_supervisor_takes_a_case_from_lead_to_close_and_marks_it_typical(world, api_as):
    api = api_as(world.users["supervisor"])

    created = api.post("/cases", NEW_CASE)
    assert created.status_code == 201
    case = created.json()
    assert (case["state"], case["subject_type"], case["division"], case["venue_type"]) == (
        "lead",
        "organisation",
        "369901001000",
        "residential",
    )
    assert case["available_actions"] == ["verify", "drop", "hand_over"]
    pk = case["id"]
    for step in (
        {"action": "verify"},
        {"action": "file", "procedure": "general", "filed_on": "2026-03-05"},
        {"action": "investigate"},
        DECISION,
        {"action": "execute"},
        {"action": "close", "closed_on": "2026-04-10", "note": "罚款已缴纳"},
    ):
        response = api.post(f"/cases/{pk}/actions", step)
        assert response.status_code == 200, (step["action"], response.content)

    closed = api.get(f"/cases/{pk}").json()
    assert (closed["state"], closed["procedure"], closed["closed_on"]) == ("closed", "general", "2026-04-10")
    assert [(p["kind"], p["amount"], p["subject_type"]) for p in closed["penalties"]] == [
        ("warning", None, "person"),
        ("fine", "30000.50", "organisation"),
    ]
    assert [e["action"] for e in closed["events"]] == [
        "verify",
        "file",
        "investigate",
        "decide",
        "execute",
        "close",
    ]
    assert closed["available_actions"] == []
    assert (
        Penalty.objects.get(kind="fine").amount == Case.objects.get(pk=pk).penalties.get(kind="fine").amount
    )

    typical = api.post(f"/cases/{pk}/typical", {"narrative": "曝光典型案例"})
    assert typical.status_code == 200
    assert (typical.json()["is_typical"], typical.json()["narrative"]) == (True, "曝光典型案例")
    assert [c["id"] for c in api.get("/cases", {"typical": True}).json()["items"]] == [pk]


def test_a_step_the_case_is_not_ready_for_is_refused_and_changes_nothing(world, api_as):
    api = api_as(world.users["supervisor"])
    pk = api.post("/cases", NEW_CASE).json()["id"]

    _is_error(api.post(f"/cases/{pk}/actions", {"action": "close", "closed_on": "2026-04-10"}), 409)
    _is_error(
        api_as(world.users["commission_leader"]).post(f"/cases/{pk}/actions", {"action": "verify"}), 403
    )

    assert Case.objects.get(pk=pk).state == "lead"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_CASE, "opened_on": "2026/03/02"}, "opened_on"),
        ({**NEW_CASE, "category": "no_such_category"}, "category"),
        ({**NEW_CASE, "division": "369902001000"}, "division"),  # county B: outside the supervisor's scope
        ({**NEW_CASE, "party_name": "", "division": None}, "institution"),  # no subject named
        ({**NEW_CASE, "colour": "red"}, "colour"),
    ],
)
def test_an_invalid_case_names_the_field_at_fault(world, api_as, body, field):
    _is_error(api_as(world.users["supervisor"]).post("/cases", body), 422, field=field)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("penalty", "field"),
    [
        ({"kind": "fine", "amount": "30000.505"}, "penalties.1.amount"),  # fen are the smallest unit
        ({"kind": "fine", "amount": 30000.5}, "penalties.1.amount"),  # never a float
        ({"kind": "fine"}, "penalties.1.amount"),  # a fine needs its amount
        ({"kind": "warning", "amount": "100"}, "penalties.1.amount"),  # a warning has none
        ({"kind": "flogging"}, "penalties.1.kind"),
    ],
)
def test_an_invalid_penalty_names_its_row_and_field_and_decides_nothing(world, api_as, penalty, field):
    api = api_as(world.users["supervisor"])
    pk = _filed(api)
    api.post(f"/cases/{pk}/actions", {"action": "investigate"})

    response = api.post(f"/cases/{pk}/actions", {**DECISION, "penalties": [{"kind": "warning"}, penalty]})

    _is_error(response, 422, field=field)
    assert Case.objects.get(pk=pk).state == "investigating"
    assert not Penalty.objects.exists()


def test_a_case_is_handed_over_to_an_organisation_named_by_id(world, api_as):
    api = api_as(world.users["supervisor"])
    pk = api.post("/cases", {**NEW_CASE, "facts": "发布违法医疗美容广告"}).json()["id"]

    outside = api.post(
        f"/cases/{pk}/actions", {"action": "hand_over", "to_organisation": world.orgs["commission_b"].pk}
    )
    handed = api.post(
        f"/cases/{pk}/actions", {"action": "hand_over", "to_organisation": world.orgs["market_a"].pk}
    )

    _is_error(outside, 422, field="to_organisation")
    assert handed.status_code == 200
    assert handed.json()["state"] == "handed_over"
    referrals = (
        api_as(world.users["department_officer"]).get("/referrals", {"direction": "in"}).json()["items"]
    )
    assert [(r["case"], r["facts"]) for r in referrals] == [(pk, "发布违法医疗美容广告")]


# --- referrals, transfers, blacklist ----------------------------------------------------------------


def test_a_department_refers_a_lead_and_the_recipient_accepts_it_opening_a_case(world, api_as):
    market = api_as(world.users["department_officer"])
    supervisor = api_as(world.users["supervisor"])

    sent = market.post(
        "/referrals",
        {
            "to_organisation": world.orgs["supervision_a"].pk,
            "category": "beauty_unlicensed_practice",
            "facts": "某美容店内有人注射玻尿酸",
            "sent_on": "2026-03-02",
            "party_name": "丽人美容工作室",
            "division": "369901001000",
        },
    )
    assert sent.status_code == 201, sent.content
    pk = sent.json()["id"]
    assert sent.json()["available_actions"] == []  # the sender does not answer its own referral
    _is_error(
        market.post(f"/referrals/{pk}/actions", {"action": "acknowledge", "acknowledged_on": "2026-03-03"}),
        403,
    )

    assert supervisor.get(f"/referrals/{pk}").json()["available_actions"] == ["acknowledge"]
    supervisor.post(f"/referrals/{pk}/actions", {"action": "acknowledge", "acknowledged_on": "2026-03-03"})
    accepted = supervisor.post(
        f"/referrals/{pk}/actions", {"action": "accept", "decided_on": "2026-03-04", "open_case": True}
    )

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    [case_id] = accepted.json()["opened_cases"]
    case = supervisor.get(f"/cases/{case_id}").json()
    assert (case["source"], case["referral"], case["party_name"]) == ("referral", pk, "丽人美容工作室")


def test_a_filed_case_is_transferred_to_the_police_and_the_receipt_recorded(world, api_as):
    api = api_as(world.users["supervisor"])
    case_id = _filed(api)

    empty = api.post(
        "/judicial-transfers",
        {"case": case_id, "receiving_body": "县公安局", "evidence": [" "], "sent_on": "2026-03-08"},
    )
    sent = api.post(
        "/judicial-transfers",
        {
            "case": case_id,
            "receiving_body": "县公安局",
            "evidence": ["现场检查笔录", "检测报告"],
            "sent_on": "2026-03-08",
        },
    )

    _is_error(empty, 422, field="evidence")
    assert sent.status_code == 201, sent.content
    transfer = sent.json()
    assert (transfer["case"], transfer["evidence"], transfer["state"]) == (
        case_id,
        ["现场检查笔录", "检测报告"],
        "sent",
    )
    pk = transfer["id"]
    early = api.post(
        f"/judicial-transfers/{pk}/actions", {"action": "acknowledge", "acknowledged_on": "2026-03-01"}
    )
    _is_error(early, 422, field="acknowledged_on")
    acknowledged = api.post(
        f"/judicial-transfers/{pk}/actions", {"action": "acknowledge", "acknowledged_on": "2026-03-09"}
    )
    assert (acknowledged.json()["state"], acknowledged.json()["acknowledged_on"]) == (
        "acknowledged",
        "2026-03-09",
    )
    assert [t["id"] for t in api.get("/judicial-transfers", {"case": case_id}).json()["items"]] == [pk]


def test_a_blacklist_manager_lists_and_removes_an_entry(world, api_as):
    api = api_as(world.users["commission_leader"])
    body = {
        "institution": world.institutions["beauty_t1"].pk,
        "reason": "非法开展医疗美容情节严重",
        "listed_on": "2026-05-01",
        "punishment_scope": "全县医疗卫生机构",
    }

    listed = api.post("/blacklist", body)
    twice = api.post("/blacklist", body)
    refused = api_as(world.users["auditor"]).post(
        "/blacklist", {**body, "institution": world.institutions["th1"].pk}
    )

    assert listed.status_code == 201, listed.content
    _is_error(twice, 409, code="already_listed")
    _is_error(refused, 403)
    pk = listed.json()["id"]
    assert listed.json()["subject_name"] == "美丽医疗美容诊所"
    removed = api.post(f"/blacklist/{pk}/removal", {"removed_on": "2026-06-01", "reason": "信用修复"})
    assert removed.status_code == 200
    assert (removed.json()["removed_on"], removed.json()["in_force"]) == ("2026-06-01", False)
    assert api.get("/blacklist").json()["items"] == []
    assert [e["id"] for e in api.get("/blacklist", {"status": "not_in_force"}).json()["items"]] == [pk]
