"""The financing rules a scheme clerk relies on: enrolment by household and who pays, subsidies, the
pools, eligibility and the person-year, reversal, monthly statements and policy versions."""

import datetime as dt
from decimal import Decimal

import pytest

from weijian.insurance import selectors, services
from weijian.insurance.models import (
    Account,
    Claim,
    Contribution,
    Enrolment,
    ItemDecision,
    LedgerEntry,
    PayerType,
    PolicyVersion,
    Posting,
    SpecialGroup,
    Statement,
    StatementState,
    SubFund,
)
from weijian.insurance.services import InvalidFinancing, WrongState

from .fixtures import PAID_ON, YEAR, household, member

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def clerk(world):
    return world.users["insurance_clerk"]


@pytest.fixture
def cashier(world):
    return world.users["institution_cashier"]


def _written() -> tuple:
    return (
        LedgerEntry.objects.count(),
        Posting.objects.count(),
        Contribution.objects.count(),
        Enrolment.objects.count(),
    )


def _registered(world, clerk, members, village="v11"):
    return household(world, "new", village, members, enrol=False, user=clerk)


def _enrol(clerk, home, receipt, civil_affairs="", year=YEAR):
    return services.household_enrol(
        clerk, home, year=year, paid_on=PAID_ON, receipt_number=receipt, civil_affairs_receipt=civil_affairs
    )


def _entry_lines(key):
    return sorted(
        (account, sub_fund, detail, amount)
        for account, sub_fund, detail, amount in Posting.objects.filter(entry__key=key).values_list(
            "account", "sub_fund", "detail", "amount"
        )
    )


def _settle(user, institution, patient, *, on, claim_type="inpatient", days=5, **amounts):
    claim = services.claim_enter(
        user,
        institution=institution,
        member=patient,
        claim_type=claim_type,
        admit_date=on - dt.timedelta(days=days),
        discharge_date=on,
        **amounts,
    )
    return services.claim_settle(user, claim, on=on)


# --- enrolment -------------------------------------------------------------------------------------------


def test_a_household_enrols_all_its_members_at_once(world, financing, clerk):
    code = world.divisions["v11"].code
    home = _registered(world, clerk, [member(code, "张一"), member(code, "张二"), member(code, "张三")])
    enrolments = _enrol(clerk, home, "SJ-ZHANG")
    assert {e.member for e in enrolments} == set(home.members.all())
    assert {(e.year, e.household_id, e.division_id) for e in enrolments} == {
        (YEAR, home.pk, home.division_id)
    }
    (paid,) = Contribution.objects.filter(household=home)
    assert (paid.payer_type, paid.amount, paid.headcount) == (PayerType.INDIVIDUAL, Decimal("90.00"), 3)


def test_civil_affairs_receipt_is_required_for_a_certified_member_and_pays_their_share(
    world, financing, clerk
):
    code = world.divisions["v11"].code
    home = _registered(
        world,
        clerk,
        [
            member(code, "刘一"),
            member(code, "刘二", group=SpecialGroup.WUBAO),
            member(code, "刘三", group="tekun"),
        ],
    )
    before = _written()
    with pytest.raises(InvalidFinancing) as refused:
        _enrol(clerk, home, "SJ-LIU")
    assert refused.value.field == "civil_affairs_receipt"
    assert _written() == before

    _enrol(clerk, home, "SJ-LIU", civil_affairs="MZ-LIU")
    paid = {c.payer_type: c for c in Contribution.objects.filter(household=home)}
    assert (paid[PayerType.INDIVIDUAL].amount, paid[PayerType.INDIVIDUAL].headcount) == (Decimal("30.00"), 1)
    civil = paid[PayerType.CIVIL_AFFAIRS]
    assert (civil.amount, civil.headcount, civil.receipt_number) == (Decimal("60.00"), 2, "MZ-LIU")
    # The civil-affairs share is income booked to that payer.
    assert (
        Account.CONTRIBUTIONS,
        SubFund.OUTPATIENT,
        PayerType.CIVIL_AFFAIRS,
        Decimal("-60.00"),
    ) in _entry_lines(f"contribution:{civil.pk}")


def test_a_special_group_member_without_a_certificate_pays_personally(world, financing, clerk):
    code = world.divisions["v11"].code
    uncertified = member(code, "陈二", group=SpecialGroup.DIBAO)
    uncertified["certificate_number"] = ""
    # Disabled people have no deductible, but the civil-affairs fund does not pay their share.
    disabled = member(code, "陈三", group=SpecialGroup.DISABLED)
    home = _registered(world, clerk, [member(code, "陈一"), uncertified, disabled])
    _enrol(clerk, home, "SJ-CHEN")  # no civil-affairs receipt needed
    (paid,) = Contribution.objects.filter(household=home)
    assert (paid.payer_type, paid.amount, paid.headcount) == (PayerType.INDIVIDUAL, Decimal("90.00"), 3)


def test_enrolling_again_with_the_same_receipt_returns_the_enrolments_and_posts_nothing(
    world, financing, clerk
):
    code = world.divisions["v11"].code
    home = _registered(world, clerk, [member(code, "周一"), member(code, "周二")])
    first = _enrol(clerk, home, "SJ-ZHOU")
    before = _written()
    again = _enrol(clerk, home, "SJ-ZHOU")
    assert sorted(e.pk for e in again) == sorted(e.pk for e in first)
    assert _written() == before


def test_another_receipt_for_an_enrolled_year_is_refused(world, financing, clerk):
    home = financing.households["li"]
    before = _written()
    with pytest.raises(InvalidFinancing) as refused:
        _enrol(clerk, home, "SJ-ANOTHER")
    assert refused.value.field == "year"
    assert _written() == before
    # The next coverage year is a new enrolment.
    assert len(_enrol(clerk, home, "SJ-NEXT", year=YEAR + 1)) == 3


def test_a_used_receipt_number_is_refused(world, financing, clerk):
    code = world.divisions["v11"].code
    used = Contribution.objects.filter(household=financing.households["li"]).first().receipt_number
    home = _registered(world, clerk, [member(code, "吴一")])
    before = _written()
    with pytest.raises(InvalidFinancing) as refused:
        _enrol(clerk, home, used)
    assert refused.value.field == "receipt_number"
    assert _written() == before
    assert not Enrolment.objects.filter(household=home).exists()


def test_a_receipt_is_required(world, financing, clerk):
    home = financing.households["unenrolled"]
    with pytest.raises(InvalidFinancing) as refused:
        _enrol(clerk, home, "  ")
    assert refused.value.field == "receipt_number"


# --- subsidies and pools -----------------------------------------------------------------------------------


def test_subsidies_follow_the_headcount_and_top_up_only_the_difference(world, financing, clerk):
    county = world.divisions["county_a"]
    first = services.subsidy_receive(clerk, county=county, year=YEAR, paid_on=dt.date(2026, 2, 1))
    # Five enrolled in county A (the neighbour county's household is not counted).
    assert {c.payer_type: c.amount for c in first} == {
        PayerType.CENTRAL: Decimal("300.00"),
        PayerType.REGION: Decimal("150.00"),
        PayerType.CITY: Decimal("75.00"),
        PayerType.COUNTY: Decimal("75.00"),
    }
    _enrol(clerk, financing.households["unenrolled"], "SJ-ZHAO")
    top_up = services.subsidy_receive(clerk, county=county, year=YEAR, paid_on=dt.date(2026, 3, 1))
    assert sum(c.amount for c in top_up) == Decimal("120.00")  # one more person × (60 + 30 + 15 + 15)
    assert all(c.headcount == 6 for c in top_up)
    assert services.subsidy_receive(clerk, county=county, year=YEAR, paid_on=dt.date(2026, 3, 1)) == []
    total = sum(
        c.amount
        for c in Contribution.objects.filter(payer_type__in=selectors.government_payers(), division=county)
    )
    assert total == Decimal("720.00")
    assert selectors.ledger_check(county).holds


def test_personal_contributions_go_to_outpatient_and_subsidies_to_inpatient(world, financing, clerk):
    county = world.divisions["county_a"]
    (subsidy, *_rest) = services.subsidy_receive(clerk, county=county, year=YEAR, paid_on=dt.date(2026, 2, 1))
    assert _entry_lines(f"contribution:{subsidy.pk}") == sorted(
        [
            (Account.CONTRIBUTIONS, SubFund.INPATIENT, subsidy.payer_type, -subsidy.amount),
            (Account.FUND, SubFund.INPATIENT, "", subsidy.amount),
        ]
    )
    personal = Contribution.objects.get(household=financing.households["li"])
    assert _entry_lines(f"contribution:{personal.pk}") == sorted(
        [
            (Account.CONTRIBUTIONS, SubFund.OUTPATIENT, PayerType.INDIVIDUAL, Decimal("-90.00")),
            (Account.FUND, SubFund.OUTPATIENT, "", Decimal("90.00")),
        ]
    )
    report = selectors.fund_report(clerk, county, YEAR, today=dt.date(2026, 6, 1))
    # Personal: 5 × 30 (two households of county A); subsidies: 5 × 120.
    assert report.balance_by_pool == {
        SubFund.OUTPATIENT: Decimal("150.00"),
        SubFund.INPATIENT: Decimal("600.00"),
    }


# --- settlement --------------------------------------------------------------------------------------------


def test_a_claim_for_an_unenrolled_member_is_ineligible(world, financing, cashier):
    patient = financing.households["unenrolled"].members.get()
    settlement = _settle(
        cashier, world.institutions["county_hospital"], patient, on=dt.date(2026, 3, 10), total="5000"
    )
    assert (settlement.eligible, settlement.reason) == (False, services.NOT_ENROLLED)
    assert (settlement.reimbursed, settlement.patient_pays) == (0, Decimal("5000.00"))
    assert selectors.ledger_check(world.divisions["county_a"]).holds


def test_the_second_inpatient_admission_at_level_two_pays_no_deductible(world, financing, cashier):
    hospital = world.institutions["county_hospital"]
    patient = financing.households["li"].members.first()
    first = _settle(cashier, hospital, patient, on=dt.date(2026, 3, 10), total="2000", disease="pneumonia")
    assert first.deductible == Decimal("100.00")
    # Settled in a separate call: the person-year is rebuilt from the claims already stored.
    second = _settle(cashier, hospital, patient, on=dt.date(2026, 6, 10), total="2000", disease="fracture")
    assert second.deductible == 0
    assert second.reimbursed == Decimal("1300.00")  # 2000 × 65%
    # Another member of the same household still pays it.
    other = _settle(
        cashier, hospital, financing.households["li"].members.last(), on=dt.date(2026, 6, 12), total="2000"
    )
    assert other.deductible == Decimal("100.00")


def test_the_annual_inpatient_cap_counts_the_stored_claims(world, financing, cashier):
    hospital = world.institutions["county_hospital"]
    patient = financing.households["li"].members.first()
    first = _settle(cashier, hospital, patient, on=dt.date(2026, 3, 10), total="60000", disease="tumour")
    assert first.reimbursed == Decimal("38935.00")  # (60000 − 100) × 65%
    second = _settle(cashier, hospital, patient, on=dt.date(2026, 8, 10), total="20000", disease="stroke")
    assert second.reimbursed == Decimal("6065.00")  # what is left of the 45,000 cap
    assert second.cap_applied
    third = _settle(cashier, hospital, patient, on=dt.date(2026, 9, 10), total="1000", disease="stroke")
    assert third.reimbursed == 0
    # A reversed claim no longer counts toward the cap.
    services.claim_reverse(cashier, first.claim, reason="重复录入")
    fourth = _settle(cashier, hospital, patient, on=dt.date(2026, 10, 10), total="1000", disease="stroke")
    assert fourth.reimbursed == Decimal("650.00")


def test_reversing_twice_is_refused(world, financing, cashier):
    patient = financing.households["li"].members.first()
    settlement = _settle(
        cashier,
        world.institutions["county_hospital"],
        patient,
        on=dt.date(2026, 3, 10),
        claim_type="outpatient",
        days=0,
        total="100",
    )
    reversal = services.claim_reverse(cashier, settlement.claim, reason="退费")
    assert reversal.reimbursed == -settlement.reimbursed
    before = _written()
    with pytest.raises(WrongState):
        services.claim_reverse(cashier, settlement.claim, reason="退费")
    with pytest.raises(WrongState):
        services.claim_settle(cashier, Claim.objects.get(pk=settlement.claim_id))
    assert _written() == before


# --- statements --------------------------------------------------------------------------------------------


def test_approval_posts_rejected_amounts_and_the_deduction_back(world, financing, clerk, cashier):
    hospital = world.institutions["county_hospital"]
    wang, li = financing.households["wang"], financing.households["li"]
    kept = _settle(
        cashier,
        hospital,
        wang.members.first(),
        on=dt.date(2026, 3, 10),
        total="10000",
        drug_cost="4000",
        off_formulary_drug_cost="600",
    )
    refused = _settle(
        cashier,
        hospital,
        li.members.first(),
        on=dt.date(2026, 3, 12),
        claim_type="outpatient",
        days=0,
        total="100",
    )
    statement = services.statement_generate(clerk, hospital, MARCH)
    item = statement.items.get(settlement=refused)
    services.statement_item_review(clerk, item, decision=ItemDecision.REJECTED, reason="超范围用药")
    statement = services.statement_approve(clerk, statement)
    # Rejected 30 (outpatient); of 4000 drugs, 10% may be out of formulary: 600 − 400 = 200 deducted.
    assert (statement.settled_amount, statement.rejected_amount) == (Decimal("6465.00"), Decimal("30.00"))
    assert statement.formulary_deduction == Decimal("200.00")
    assert statement.amount_due == Decimal("6235.00")
    institution = str(hospital.pk)
    assert _entry_lines(f"statement:{statement.pk}") == sorted(
        [
            (Account.PAYABLE, SubFund.OUTPATIENT, institution, Decimal("30.00")),
            (Account.COMPENSATION, SubFund.OUTPATIENT, "", Decimal("-30.00")),
            (Account.PAYABLE, SubFund.INPATIENT, institution, Decimal("200.00")),
            (Account.RECOVERED, SubFund.INPATIENT, institution, Decimal("-200.00")),
        ]
    )
    assert kept.reimbursed == Decimal("6435.00")
    services.statement_pay(clerk, statement, paid_on=dt.date(2026, 4, 15))
    paid = sum(a for acc, _p, _d, a in _entry_lines(f"payment:{statement.pk}") if acc == Account.FUND)
    assert -paid == statement.amount_due
    assert selectors.ledger_check(world.divisions["county_a"]).holds


def test_paying_an_open_statement_and_regenerating_an_approved_one_are_refused(
    world, financing, clerk, cashier
):
    hospital = world.institutions["county_hospital"]
    _settle(
        cashier, hospital, financing.households["li"].members.first(), on=dt.date(2026, 3, 10), total="1000"
    )
    statement = services.statement_generate(clerk, hospital, MARCH)
    before = _written()
    with pytest.raises(WrongState):
        services.statement_pay(clerk, statement, paid_on=dt.date(2026, 4, 15))
    assert _written() == before
    services.statement_approve(clerk, statement)
    with pytest.raises(WrongState):
        services.statement_generate(clerk, hospital, dt.date(2026, 3, 20))
    with pytest.raises(WrongState):
        services.statement_approve(clerk, statement)
    with pytest.raises(WrongState):
        services.statement_item_review(
            clerk, statement.items.get(), decision=ItemDecision.REJECTED, reason="迟了"
        )
    services.statement_pay(clerk, statement, paid_on=dt.date(2026, 4, 15))
    before = _written()
    with pytest.raises(WrongState):
        services.statement_pay(clerk, statement, paid_on=dt.date(2026, 4, 16))
    assert _written() == before
    assert Statement.objects.get(pk=statement.pk).state == StatementState.PAID


def test_a_month_of_reversals_only_is_not_a_bill(world, financing, clerk, cashier):
    hospital = world.institutions["county_hospital"]
    patient = financing.households["li"].members.first()
    settlement = _settle(
        cashier, hospital, patient, on=dt.date(2026, 3, 10), claim_type="outpatient", days=0, total="100"
    )
    march = services.statement_approve(clerk, services.statement_generate(clerk, hospital, MARCH))
    services.statement_pay(clerk, march, paid_on=dt.date(2026, 4, 2))
    services.claim_reverse(cashier, settlement.claim, reason="退费", on=dt.date(2026, 4, 3))
    april = services.statement_generate(clerk, hospital, dt.date(2026, 4, 1))
    assert (april.settled_amount, april.amount_due) == (Decimal("-30.00"), 0)
    services.statement_pay(clerk, services.statement_approve(clerk, april), paid_on=dt.date(2026, 5, 2))
    # Nothing was paid, and nothing was collected: the 30 stay owed by the institution.
    assert not Posting.objects.filter(entry__key=f"payment:{april.pk}").exists()
    report = selectors.fund_report(clerk, world.divisions["county_a"], YEAR, today=dt.date(2026, 6, 1))
    assert report.owed_to_institutions == Decimal("-30.00")
    assert selectors.ledger_check(world.divisions["county_a"]).holds


def test_a_reversal_and_its_settlement_cannot_be_rejected_nor_a_rejected_one_reversed(
    world, financing, clerk, cashier
):
    hospital = world.institutions["county_hospital"]
    li = financing.households["li"].members.all()
    on = dt.date(2026, 3, 10)
    reversed_ = _settle(cashier, hospital, li[0], on=on, claim_type="outpatient", days=0, total="100")
    services.claim_reverse(cashier, reversed_.claim, reason="退费", on=on)
    rejected = _settle(cashier, hospital, li[1], on=on, claim_type="outpatient", days=0, total="100")
    statement = services.statement_generate(clerk, hospital, MARCH)
    for item in statement.items.exclude(settlement=rejected):
        with pytest.raises(InvalidFinancing):
            services.statement_item_review(clerk, item, decision=ItemDecision.REJECTED, reason="超范围用药")
    services.statement_item_review(
        clerk, statement.items.get(settlement=rejected), decision=ItemDecision.REJECTED, reason="超范围用药"
    )
    with pytest.raises(WrongState):
        services.claim_reverse(cashier, rejected.claim, reason="退费")
    statement = services.statement_approve(clerk, statement)
    assert (statement.settled_amount, statement.rejected_amount, statement.amount_due) == (
        Decimal("30.00"),
        Decimal("30.00"),
        0,
    )
    assert selectors.ledger_check(world.divisions["county_a"]).holds


# --- policy versions ---------------------------------------------------------------------------------------


def _demo_document() -> str:
    return PolicyVersion.objects.get(code="demo-ncms", version=1).document


def test_a_bad_policy_document_is_refused_naming_its_key(world, financing):
    document = _demo_document().replace('[outpatient]\nratio = "30%"', "[outpatient]\nratio = 0.3")
    assert document != _demo_document()
    with pytest.raises(InvalidFinancing) as refused:
        services.policy_publish(world.users["superuser"], document=document)
    assert refused.value.field == "document"
    assert "outpatient.ratio" in str(refused.value.message)
    with pytest.raises(InvalidFinancing) as refused:
        services.policy_publish(world.users["superuser"], document="[policy\n")
    assert refused.value.field == "document"
    assert PolicyVersion.objects.filter(code="demo-ncms").count() == 1


def test_a_new_version_takes_over_later_dates_and_old_settlements_keep_theirs(world, financing, cashier):
    hospital = world.institutions["county_hospital"]
    patient = financing.households["li"].members.first()
    before = _settle(
        cashier, hospital, patient, on=dt.date(2026, 3, 10), claim_type="outpatient", days=0, total="100"
    )
    first = before.policy
    document = (
        _demo_document()
        .replace("valid_from = 2010-01-01", "valid_from = 2026-07-01")
        .replace('[outpatient]\nratio = "30%"', '[outpatient]\nratio = "40%"')
    )
    second = services.policy_publish(world.users["superuser"], document=document, note="门诊提高到40%")
    assert second.version == first.version + 1
    village = world.divisions["v21"]
    assert selectors.policy_version_in_force(village, dt.date(2026, 6, 30)) == first
    assert selectors.policy_version_in_force(village, dt.date(2026, 7, 1)) == second
    after = _settle(
        cashier, hospital, patient, on=dt.date(2026, 7, 10), claim_type="outpatient", days=0, total="100"
    )
    assert (after.policy, after.reimbursed) == (second, Decimal("40.00"))
    before.refresh_from_db()
    assert (before.policy, before.reimbursed) == (first, Decimal("30.00"))
    # A correction of the March claim is settled again by the rules in force at its discharge.
    corrected = services.claim_correct(cashier, before.claim, reason="金额录错", total="200")
    assert (corrected.policy, corrected.reimbursed) == (first, Decimal("60.00"))
