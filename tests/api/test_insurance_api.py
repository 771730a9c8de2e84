"""On-the-spot settlement through the API, as an institution's billing system uses it: find the patient by
card, enter the claim, settle it (again: the same settlement, one ledger entry), reverse it; who sees which
claims and statements; amounts only as decimal strings, errors naming the field."""

import datetime as dt

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.world import PASSWORD
from weijian.core.models import User
from weijian.core.tokens import token_create
from weijian.insurance import services
from weijian.insurance.models import LedgerEntry
from weijian.wsgi import application

from .conftest import ERROR_KEYS
from .test_openapi import EXAMPLES, GenerationMode, _run, keep_connection  # noqa: F401  (a fixture)

INPATIENT = {
    "claim_type": "inpatient",
    "admit_date": "2026-03-01",
    "discharge_date": "2026-03-10",
    "total": "10000",
    "self_pay": "1000",
    "drug_cost": "4000",
    "off_formulary_drug_cost": "600",
}


@pytest.fixture
def county_b_clerk(world):
    """An insurance clerk of the neighbouring county: nothing of county A is theirs."""
    user = User.objects.create_user(
        username="county_b_clerk", password=PASSWORD, organisation=world.orgs["commission_b"]
    )
    user.groups.add(Group.objects.get(name="insurance_clerk"))
    return user


def _is_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    if field is not None:
        assert body["field"] == field, body
    return body


def _enter(api, card, **changes):
    return api.post("/claims", {"card": card, **INPATIENT, **changes})


def test_a_cashier_finds_the_patient_enters_settles_and_reverses_a_claim(world, api_as, wang):
    api = api_as(world.users["institution_cashier"])

    found = api.post("/members/lookup", {"card": wang.card_number, "year": 2026})
    assert found.status_code == 200, found.content
    assert found.json() == {
        "name": "王大山",
        "id_number": wang.id_number[:6] + "********" + wang.id_number[-4:],
        "household_number": wang.household.number,
        "village": world.divisions["v11"].code,
        "village_name": world.divisions["v11"].name,
        "special_group": "none",
        "year": 2026,
        "enrolled": True,
    }
    assert api.post("/members/lookup", {"card": wang.id_number, "year": 2025}).json()["enrolled"] is False

    entered = _enter(api, wang.card_number)
    assert entered.status_code == 201, entered.content
    claim = entered.json()
    assert (claim["state"], claim["institution"], claim["total"]) == (
        "entered",
        world.institutions["county_hospital"].pk,
        "10000.00",
    )

    settled = api.post(f"/claims/{claim['id']}/settle", {})
    assert settled.status_code == 200, settled.content
    settlement = settled.json()
    # (10000 − 1000 − 100) × 65% = 5785 (篇6 §6.4.3, level 2).
    assert settlement["reimbursed"] == "5785.00"
    assert settlement["patient_pays"] == "4215.00"
    assert settlement["eligible"] is True
    assert (settlement["policy_code"], settlement["policy_version"]) == ("demo-ncms", 1)
    assert [step["step"] for step in settlement["steps"]][:3] == ["total", "self_pay", "deductible"]
    assert all(set(step) == {"step", "amount", "clause"} for step in settlement["steps"])

    detail = api.get(f"/claims/{claim['id']}").json()
    assert detail["state"] == "settled"
    assert [s["id"] for s in detail["settlements"]] == [settlement["id"]]
    assert api.get(f"/settlements/{settlement['id']}").json() == settlement

    reversed_ = api.post(f"/claims/{claim['id']}/reverse", {"reason": "金额录错"})
    assert reversed_.status_code == 200, reversed_.content
    assert (reversed_.json()["kind"], reversed_.json()["reverses"], reversed_.json()["reimbursed"]) == (
        "reversal",
        settlement["id"],
        "-5785.00",
    )
    assert api.get(f"/claims/{claim['id']}").json()["state"] == "reversed"
    _is_error(api.post(f"/claims/{claim['id']}/reverse", {"reason": "again"}), 409)
    _is_error(api.post(f"/claims/{claim['id']}/settle", {}), 409)


def test_settling_again_returns_the_same_settlement_and_posts_no_second_entry(world, api_as, wang):
    api = api_as(world.users["institution_cashier"])
    claim = _enter(api, wang.card_number).json()
    entries = LedgerEntry.objects.count()

    first = api.post(f"/claims/{claim['id']}/settle", {})
    after_first = LedgerEntry.objects.count()
    second = api.post(f"/claims/{claim['id']}/settle", {})

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert after_first == entries + 1
    assert LedgerEntry.objects.count() == after_first


def test_an_unknown_card_is_not_found_and_minimal_data_only(world, api_as, financing):
    api = api_as(world.users["institution_cashier"])
    _is_error(api.post("/members/lookup", {"card": "HZ99999999"}), 404)
    # A role that does not enter claims finds nobody, even with a real card.
    card = financing.households["wang"].members.first().card_number
    _is_error(api_as(world.users["commission_leader"]).post("/members/lookup", {"card": card}), 404)
    _is_error(_enter(api, "HZ99999999"), 422, "card")


def test_the_scheme_office_names_the_institution_and_a_cashier_may_not(world, api_as, wang):
    clerk = api_as(world.users["insurance_clerk"])
    _is_error(_enter(clerk, wang.card_number), 422, "institution")
    entered = _enter(clerk, wang.card_number, institution=world.institutions["th1"].pk)
    assert entered.status_code == 201, entered.content
    assert entered.json()["facility_level"] == 1

    cashier = api_as(world.users["institution_cashier"])
    _is_error(_enter(cashier, wang.card_number, institution=world.institutions["th1"].pk), 422, "institution")
    _is_error(
        _enter(clerk, wang.card_number, institution=world.institutions["hospital_b"].pk), 422, "institution"
    )


def test_a_cashier_sees_only_the_claims_of_their_institution(world, api_as, wang, county_b_clerk):
    clerk = api_as(world.users["insurance_clerk"])
    cashier = api_as(world.users["institution_cashier"])
    th1_claim = _enter(clerk, wang.card_number, institution=world.institutions["th1"].pk).json()
    own_claim = _enter(cashier, wang.card_number).json()
    clerk.post(f"/claims/{th1_claim['id']}/settle", {})
    th1_settlement = clerk.get(f"/claims/{th1_claim['id']}").json()["settlements"][0]["id"]

    assert {c["id"] for c in cashier.get("/claims").json()["items"]} == {own_claim["id"]}
    _is_error(cashier.get(f"/claims/{th1_claim['id']}"), 404)
    _is_error(cashier.post(f"/claims/{th1_claim['id']}/settle", {}), 404)
    _is_error(cashier.post(f"/claims/{th1_claim['id']}/reverse", {"reason": "x"}), 404)
    _is_error(cashier.get(f"/settlements/{th1_settlement}"), 404)
    assert {c["id"] for c in clerk.get("/claims").json()["items"]} == {own_claim["id"], th1_claim["id"]}

    neighbour = api_as(county_b_clerk)
    assert neighbour.get("/claims").json()["count"] == 0
    _is_error(neighbour.get(f"/claims/{own_claim['id']}"), 404)
    _is_error(neighbour.post(f"/claims/{own_claim['id']}/settle", {}), 404)
    _is_error(neighbour.get(f"/settlements/{th1_settlement}"), 404)


def test_claims_filter_by_state_and_month(world, api_as, wang):
    api = api_as(world.users["institution_cashier"])
    march = _enter(api, wang.card_number).json()
    april = _enter(api, wang.card_number, admit_date="2026-04-01", discharge_date="2026-04-02").json()
    api.post(f"/claims/{march['id']}/settle", {})

    def ids(params):
        response = api.get("/claims", params)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["items"]}

    assert ids({"state": "settled"}) == {march["id"]}
    assert ids({"state": "entered"}) == {april["id"]}
    assert ids({"month": "2026-04"}) == {april["id"]}
    assert ids({"month": "2026-05"}) == set()
    _is_error(api.get("/claims", {"month": "2026-13"}), 422, "month")


def test_roles_without_the_permission_are_refused(world, api_as, wang):
    cashier = api_as(world.users["institution_cashier"])
    claim = _enter(cashier, wang.card_number).json()
    supervisor = api_as(world.users["supervisor"])  # county A, but no insurance role
    _is_error(supervisor.get("/claims"), 403)
    _is_error(supervisor.get(f"/claims/{claim['id']}"), 403)
    _is_error(supervisor.get("/statements"), 403)
    _is_error(_enter(supervisor, wang.card_number), 403)
    leader = api_as(world.users["commission_leader"])  # reads, never settles
    assert leader.get(f"/claims/{claim['id']}").status_code == 200
    _is_error(leader.post(f"/claims/{claim['id']}/settle", {}), 403)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total", "12.345"),
        ("total", 100.5),
        ("total", 100),
        ("self_pay", "-1"),
        ("drug_cost", "1e3"),
        ("blood", " 1"),
    ],
)
def test_a_malformed_amount_names_the_field(world, api_as, wang, field, value):
    body = _is_error(
        _enter(api_as(world.users["institution_cashier"]), wang.card_number, **{field: value}), 422
    )
    assert body["field"] == field
    assert body["code"] == "invalid_input"


def test_amounts_that_break_the_rules_name_the_field(world, api_as, wang):
    api = api_as(world.users["institution_cashier"])
    _is_error(_enter(api, wang.card_number, drug_cost="20000"), 422, "drug_cost")
    _is_error(_enter(api, wang.card_number, discharge_date="2026-02-01"), 422, "discharge_date")
    claim = _enter(api, wang.card_number).json()
    api.post(f"/claims/{claim['id']}/settle", {})
    _is_error(api.post(f"/claims/{claim['id']}/reverse", {"reason": "   "}), 422, "reason")
    _is_error(api.post(f"/claims/{claim['id']}/reverse", {}), 422, "reason")


def test_statements_for_the_institution_and_the_scheme_office(world, api_as, wang, county_b_clerk):
    cashier = api_as(world.users["institution_cashier"])
    clerk = api_as(world.users["insurance_clerk"])
    claim = _enter(cashier, wang.card_number).json()
    cashier.post(f"/claims/{claim['id']}/settle", {})
    other = _enter(clerk, wang.card_number, institution=world.institutions["th1"].pk).json()
    clerk.post(f"/claims/{other['id']}/settle", {})
    # Settled today (the settling day decides the statement's month, not the discharge).
    today = timezone.localdate()
    on = today.replace(day=1)
    own = services.statement_generate(
        world.users["insurance_clerk"], world.institutions["county_hospital"], on
    )
    th1 = services.statement_generate(world.users["insurance_clerk"], world.institutions["th1"], on)

    assert {s["id"] for s in cashier.get("/statements").json()["items"]} == {own.pk}
    assert {s["id"] for s in clerk.get("/statements", {"month": f"{today:%Y-%m}"}).json()["items"]} == {
        own.pk,
        th1.pk,
    }
    assert clerk.get("/statements", {"month": "2019-04"}).json()["count"] == 0
    _is_error(cashier.get(f"/statements/{th1.pk}"), 404)
    assert api_as(county_b_clerk).get("/statements").json()["count"] == 0
    _is_error(api_as(county_b_clerk).get(f"/statements/{own.pk}"), 404)

    detail = cashier.get(f"/statements/{own.pk}")
    assert detail.status_code == 200, detail.content
    body = detail.json()
    # Level 2 allows 10% of 4000 = 400 out-of-formulary; 600 − 400 = 200 deducted.
    assert (body["settled_amount"], body["formulary_deduction"], body["amount_due"]) == (
        "5785.00",
        "200.00",
        "5585.00",
    )
    assert body["month"] == on.isoformat()
    assert [(i["claim"], i["reimbursed"], i["decision"]) for i in body["items"]] == [
        (claim["id"], "5785.00", "approved")
    ]


# --- the document's promises, for the users who write ------------------------------------------------------


@pytest.fixture
def api_schema(request):
    request.getfixturevalue("keep_connection")  # imported from test_openapi: calls reach the app directly
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.mark.parametrize("who", ["institution_cashier", "insurance_clerk"])
def test_the_settlement_operations_answer_as_documented_for_the_users_who_write(world, wang, api_schema, who):
    """test_openapi runs every operation as the commission leader, who may not enter or settle claims;
    here the users who do, aimed also at a claim they can see, settle and reverse."""
    user = world.users[who]
    claim = services.claim_enter(
        user,
        institution=world.institutions["county_hospital"],
        member=wang,
        claim_type="outpatient",
        admit_date=dt.date(2026, 3, 1),
        total="100",
    )
    settled = services.claim_enter(
        user,
        institution=world.institutions["county_hospital"],
        member=wang,
        claim_type="outpatient",
        admit_date=dt.date(2026, 3, 2),
        total="200",
    )
    settlement = services.claim_settle(user, settled)
    statement = services.statement_generate(
        world.users["insurance_clerk"], world.institutions["county_hospital"], settlement.settled_on
    )
    known = {"/claims/": claim.pk, "/settlements/": settlement.pk, "/statements/": statement.pk}
    _token, key = token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    prefixes = ("/api/members", "/api/claims", "/api/settlements", "/api/statements")
    operations = [op.ok() for op in api_schema.get_all_operations() if op.ok().path.startswith(prefixes)]
    assert len(operations) == 9
    for operation in operations:
        for mode in EXAMPLES:
            _run(operation, headers, mode)
        if "{id}" in operation.path:
            prefix = next(p for p in known if p in operation.path)
            _run(operation, headers, GenerationMode.POSITIVE, path_parameters={"id": known[prefix]})
