"""Who sees which health-financing record: every role of the world against records of each kind in
county A and county B, and claims of county A at the county hospital and at a township hospital. The
expectations are written out by hand from roles.py and the world's layout, independently of the scope
mechanism."""

import contextlib
import datetime as dt

import pytest

from tests.scope_expectations import ROLES
from weijian.core.errors import NotAllowed, NotVisible
from weijian.insurance import selectors, services
from weijian.insurance.models import (
    Claim,
    Contribution,
    Enrolment,
    Household,
    ItemDecision,
    LedgerEntry,
    Member,
    Settlement,
    Statement,
)

from .fixtures import build_financing, household, member

pytestmark = pytest.mark.django_db

KINDS = ("household", "member", "enrolment", "contribution", "claim", "settlement", "statement", "ledger")
# Records: county A's (with claims at the county hospital and at th1) and county B's.
RECORDS = ("A", "A_th1", "B")
HOUSEHOLD_KINDS = ("household", "member", "enrolment", "contribution")
INSTITUTION_KINDS = ("claim", "settlement", "statement")
COUNTY_A = {"A", "A_th1"}

# role → kind → the records the role sees; a kind missing from a role's row is not visible at all.
SEES = {
    "insurance_clerk": dict.fromkeys(KINDS, COUNTY_A),
    "auditor": dict.fromkeys(KINDS, COUNTY_A),
    "commission_leader": dict.fromkeys(KINDS, COUNTY_A),
    # The cashier works for the county hospital: its claims, settlements and statements, no residents.
    "institution_cashier": {key: {"A"} for key in INSTITUTION_KINDS},
    "superuser": {key: set(RECORDS) for key in KINDS},
}

VIEW_PERMISSION = {
    "household": "insurance.view_household",
    "member": "insurance.view_member",
    "enrolment": "insurance.view_enrolment",
    "contribution": "insurance.view_contribution",
    "claim": "insurance.view_claim",
    "settlement": "insurance.view_settlement",
    "statement": "insurance.view_statement",
    "ledger": "insurance.view_ledgerentry",
}
MODELS = {
    "member": Member,
    "enrolment": Enrolment,
    "contribution": Contribution,
    "ledger": LedgerEntry,
}


def _claim(world, user, institution, patient, month):
    claim = services.claim_enter(
        user,
        institution=institution,
        member=patient,
        claim_type="outpatient",
        admit_date=month.replace(day=5),
        total="100",
    )
    settlement = services.claim_settle(user, claim, on=month.replace(day=5))
    return claim, settlement


@pytest.fixture
def records(world):
    """One record of each kind per county, and county A's claims at two institutions."""
    financing = build_financing(world)
    superuser = world.users["superuser"]
    month = dt.date(2026, 3, 1)
    wang = financing.households["wang"]
    neighbour = financing.households["neighbour"]
    a_claim, a_settlement = _claim(
        world, superuser, world.institutions["county_hospital"], wang.members.first(), month
    )
    th1_claim, th1_settlement = _claim(
        world, superuser, world.institutions["th1"], wang.members.last(), month
    )
    b_claim, b_settlement = _claim(
        world, superuser, world.institutions["hospital_b"], neighbour.members.get(), month
    )
    found = {}
    for key, home, claim, settlement, institution in (
        ("A", wang, a_claim, a_settlement, "county_hospital"),
        ("A_th1", wang, th1_claim, th1_settlement, "th1"),
        ("B", neighbour, b_claim, b_settlement, "hospital_b"),
    ):
        statement = services.statement_generate(superuser, world.institutions[institution], month)
        found[key] = {
            "household": home,
            "member": home.members.first(),
            "enrolment": Enrolment.objects.filter(household=home).first(),
            "contribution": Contribution.objects.filter(household=home).first(),
            "claim": claim,
            "settlement": settlement,
            "statement": statement,
            "ledger": LedgerEntry.objects.get(key=f"settlement:{settlement.pk}"),
        }
    return found


def _listed(user, kind):
    """What the user reaches of a kind: its selector where there is one, else scope and role."""
    if kind == "household":
        return set(selectors.households(user))
    if kind == "claim":
        return set(selectors.claims(user))
    if kind == "statement":
        return set(selectors.statements(user))
    if kind == "settlement":
        return set(Settlement.objects.filter(pk__in=_gettable(user, selectors.settlement_get)))
    if not user.has_perm(VIEW_PERMISSION[kind]):
        return set()
    return set(MODELS[kind].objects.visible_to(user))


def _gettable(user, getter):
    found = []
    for pk in Settlement.objects.values_list("pk", flat=True):
        with contextlib.suppress(NotVisible):
            found.append(getter(user, pk).pk)
    return found


GETTERS = {
    "household": selectors.household_get,
    "claim": selectors.claim_get,
    "settlement": selectors.settlement_get,
    "statement": selectors.statement_get,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_financing_records_of_its_scope(world, records, role):
    user = world.users[role]
    for kind in KINDS:
        expected = SEES.get(role, {}).get(kind, set())
        listed = _listed(user, kind)
        for key in RECORDS:
            record = records[key][kind]
            if key == "A_th1" and kind in HOUSEHOLD_KINDS:
                continue  # the same household as "A"
            assert (record in listed) == (key in expected), (role, kind, key)
            if kind in GETTERS:
                if key in expected:
                    assert GETTERS[kind](user, record.pk) == record
                else:
                    with pytest.raises(NotVisible):
                        GETTERS[kind](user, record.pk)


@pytest.mark.parametrize("role", ["supervisor", "department_officer"])
def test_regulators_without_the_role_see_nothing_of_the_scheme(world, records, role):
    user = world.users[role]
    assert not selectors.households(user).exists()
    assert not selectors.claims(user).exists()
    assert not selectors.statements(user).exists()
    assert not selectors.policy_versions(user).exists()
    with pytest.raises(NotVisible):
        selectors.fund_report(user, world.divisions["county_a"], 2026, today=dt.date(2026, 6, 1))
    with pytest.raises(NotVisible):
        selectors.collection_progress(user, world.divisions["county_a"], 2026, today=dt.date(2026, 6, 1))


@pytest.mark.parametrize("role", ["insurance_clerk", "auditor", "commission_leader"])
def test_county_a_readers_reach_the_fund_report_of_their_county_only(world, records, role):
    user = world.users[role]
    report = selectors.fund_report(user, world.divisions["county_a"], 2026, today=dt.date(2026, 6, 1))
    assert report.scheme == world.divisions["county_a"]
    with pytest.raises(NotVisible):
        selectors.fund_report(user, world.divisions["county_b"], 2026, today=dt.date(2026, 6, 1))


# --- actions ------------------------------------------------------------------------------------------


def test_cashier_cannot_settle_another_institutions_claim(world, records):
    cashier = world.users["institution_cashier"]
    th1_claim = records["A_th1"]["claim"]
    entered = services.claim_enter(
        world.users["insurance_clerk"],
        institution=world.institutions["th1"],
        member=th1_claim.member,
        claim_type="outpatient",
        admit_date=dt.date(2026, 3, 6),
        total="80",
    )
    with pytest.raises(NotVisible):
        services.claim_settle(cashier, entered)
    with pytest.raises(NotVisible):
        services.claim_reverse(cashier, Claim.objects.get(pk=records["B"]["claim"].pk), reason="x")
    with pytest.raises(NotVisible):
        services.claim_enter(
            cashier,
            institution=world.institutions["th1"],
            member=th1_claim.member,
            claim_type="outpatient",
            admit_date=dt.date(2026, 3, 6),
            total="80",
        )
    entered.refresh_from_db()
    assert entered.state == "entered"


def test_cashier_cannot_review_or_generate_statements(world, records):
    cashier = world.users["institution_cashier"]
    statement = records["A"]["statement"]
    with pytest.raises(NotAllowed):
        services.statement_item_review(
            cashier, statement.items.get(), decision=ItemDecision.REJECTED, reason="超范围用药"
        )
    with pytest.raises(NotAllowed):
        services.statement_approve(cashier, statement)
    with pytest.raises(NotAllowed):
        services.statement_generate(cashier, world.institutions["county_hospital"], dt.date(2026, 3, 1))
    assert Statement.objects.get(pk=statement.pk).state == "open"


def test_clerk_cannot_register_or_enrol_in_county_b(world, records):
    clerk = world.users["insurance_clerk"]
    tb1 = world.divisions["tb1"]
    with pytest.raises(NotVisible):
        household(world, "b", "tb1", [member(tb1.code, "邻县新户")], user=clerk)
    with pytest.raises(NotVisible):
        services.household_enrol(
            clerk, records["B"]["household"], year=2027, paid_on=dt.date(2026, 12, 1), receipt_number="SJB1"
        )
    assert not Enrolment.objects.filter(year=2027).exists()
    with pytest.raises(NotVisible):
        services.subsidy_receive(
            clerk, county=world.divisions["county_b"], year=2026, paid_on=dt.date(2026, 2, 1)
        )


def test_auditor_and_leader_only_read(world, records):
    wang = records["A"]["household"]
    claim = records["A"]["claim"]
    for role in ("auditor", "commission_leader"):
        user = world.users[role]
        with pytest.raises(NotAllowed):
            services.household_enrol(
                user, wang, year=2027, paid_on=dt.date(2026, 12, 1), receipt_number=f"SJ-{role}"
            )
        with pytest.raises(NotAllowed):
            services.claim_reverse(user, claim, reason="x")
        with pytest.raises(NotAllowed):
            services.statement_approve(user, records["A"]["statement"])
        with pytest.raises(NotAllowed):
            services.subsidy_receive(
                user, county=world.divisions["county_a"], year=2026, paid_on=dt.date(2026, 2, 1)
            )
        assert selectors.member_for_claim(user, wang.members.first().card_number) is None


def test_member_for_claim_needs_the_claim_role(world, records):
    patient = records["A"]["member"]
    for role in ROLES:
        user = world.users[role]
        found = selectors.member_for_claim(user, patient.card_number)
        if user.has_perm("insurance.add_claim"):
            assert found == patient, role
            assert selectors.member_for_claim(user, patient.id_number.lower()) == patient
        else:
            assert found is None, role
    assert selectors.member_for_claim(world.users["institution_cashier"], " ") is None
    # Only an exact card or ID number finds a person: a cashier cannot browse residents.
    assert selectors.member_for_claim(world.users["institution_cashier"], patient.card_number[:-1]) is None


def test_households_of_county_b_stay_out_of_county_a_searches(world, records):
    clerk = world.users["insurance_clerk"]
    neighbour = records["B"]["household"]
    assert not selectors.households(clerk, query=neighbour.number).exists()
    assert Household.objects.filter(number=neighbour.number).exists()
