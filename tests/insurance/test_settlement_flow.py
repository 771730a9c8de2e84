import datetime as dt
from decimal import Decimal

from weijian.insurance import selectors, services
from weijian.insurance.models import ClaimState, ItemDecision, Statement


def test_discharge_settles_posts_and_reaches_the_statement(world, financing):
    cashier = world.users["institution_cashier"]
    clerk = world.users["insurance_clerk"]
    patient = financing.households["wang"].members.get(name="王大山")
    claim = services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=patient,
        claim_type="inpatient",
        admit_date=dt.date(2026, 3, 1),
        discharge_date=dt.date(2026, 3, 10),
        total="10000",
        self_pay="1000",
        drug_cost="4000",
        off_formulary_drug_cost="600",
    )
    settlement = services.claim_settle(cashier, claim, on=dt.date(2026, 3, 10))
    # (10000 − 1000 − 100) × 65% = 5785 (篇6 §6.4.3, level 2).
    assert settlement.reimbursed == Decimal("5785.00")
    assert settlement.patient_pays == Decimal("4215.00")
    assert [step[0] for step in settlement.steps][:3] == ["total", "self_pay", "deductible"]
    assert services.claim_settle(cashier, claim) == settlement  # a retry posts nothing new

    statement = services.statement_generate(clerk, world.institutions["county_hospital"], dt.date(2026, 3, 1))
    assert statement.settled_amount == Decimal("5785.00")
    # Level 2 allows 10% of 4000 = 400 out-of-formulary; 600 − 400 = 200 deducted.
    assert statement.formulary_deduction == Decimal("200.00")
    assert statement.amount_due == Decimal("5585.00")
    item = statement.items.get()
    services.statement_item_review(clerk, item, decision=ItemDecision.REJECTED, reason="超范围用药")
    statement.refresh_from_db()
    assert statement.amount_due == Decimal("0.00")
    services.statement_approve(clerk, statement)
    services.statement_pay(clerk, Statement.objects.get(pk=statement.pk), paid_on=dt.date(2026, 4, 15))
    check = selectors.ledger_check(world.divisions["county_a"])
    assert check.holds, check


def test_unenrolled_patient_is_not_compensated(world, financing):
    cashier = world.users["institution_cashier"]
    patient = financing.households["unenrolled"].members.get()
    claim = services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=patient,
        claim_type="outpatient",
        admit_date=dt.date(2026, 3, 1),
        total="100",
    )
    settlement = services.claim_settle(cashier, claim)
    assert (settlement.eligible, settlement.reason, settlement.reimbursed) == (False, "not_enrolled", 0)


def test_correction_is_reversal_plus_new_settlement(world, financing):
    cashier = world.users["institution_cashier"]
    patient = financing.households["wang"].members.get(name="王大山")
    claim = services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=patient,
        claim_type="outpatient",
        admit_date=dt.date(2026, 5, 1),
        total="100",
    )
    services.claim_settle(cashier, claim)
    new = services.claim_correct(cashier, claim, reason="金额录错", total="200")
    claim.refresh_from_db()
    assert claim.state == ClaimState.REVERSED
    assert new.reimbursed == Decimal("60.00")
    net = sum(s.reimbursed for s in claim.settlements.all()) + new.reimbursed
    assert net == Decimal("60.00")
    assert selectors.ledger_check(world.divisions["county_a"]).holds


def test_subsidy_from_enrolled_headcount_is_idempotent(world, financing):
    clerk = world.users["insurance_clerk"]
    county = world.divisions["county_a"]
    received = services.subsidy_receive(clerk, county=county, year=2026, paid_on=dt.date(2026, 2, 1))
    # Five members enrolled in county A: 5 × (60 + 30 + 15 + 15).
    assert sum(c.amount for c in received) == Decimal("600.00")
    assert services.subsidy_receive(clerk, county=county, year=2026, paid_on=dt.date(2026, 2, 1)) == []
    assert selectors.ledger_check(county).holds
