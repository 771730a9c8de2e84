"""The demo county's health financing at its real size: enrolment below 100% and uneven between
townships, a year of claims settled by the engine, statements for every institution and month, and a
fund ledger whose invariants hold.

Built once for the module inside a transaction that is rolled back at the end, as in test_demo.py.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count

from weijian.core.models import Division, User
from weijian.demo import COUNTY_CODE, build_demo
from weijian.demo.insurance_part import TODAY, YEAR
from weijian.insurance import bookkeeping, selectors, services
from weijian.insurance.models import (
    Claim,
    ClaimState,
    Contribution,
    Enrolment,
    Household,
    ItemDecision,
    LedgerEntry,
    Member,
    PayerType,
    Posting,
    Settlement,
    Statement,
    StatementItem,
    StatementState,
)

SEED = 13


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED)
        transaction.set_rollback(True)


@pytest.fixture
def county(demo, db):
    return Division.objects.get(code=COUNTY_CODE)


def test_the_ledger_invariants_hold(county):
    check = selectors.ledger_check(county)
    assert check.holds, check
    # One entry per business event: each contribution, each settlement or reversal, each approval and
    # each payment of a closed statement.
    closed = Statement.objects.exclude(state=StatementState.OPEN).count()
    assert check.entries == Contribution.objects.count() + Settlement.objects.count() + 2 * closed
    # 以收定支，略有结余: the year's compensation so far stays within what was raised.
    assert 0 < check.compensation < check.contributions


def test_counts_are_those_of_a_county_of_this_size(county):
    households = Household.objects.count()
    members = Member.objects.count()
    assert households == 30_000
    assert 3.0 <= members / households <= 3.6
    assert 0.9 * members <= Enrolment.objects.filter(year=YEAR).count() < members
    claims = Claim.objects.count()
    assert 40_000 <= claims <= 150_000
    assert Settlement.objects.filter(eligible=False, reason="not_enrolled").exists()
    groups = Member.objects.exclude(certificate_number="").values("special_group").annotate(n=Count("id"))
    assert {row["special_group"] for row in groups} >= {"wubao", "dibao", "tekun", "disabled", "orphan"}
    assert 0.01 * members <= sum(row["n"] for row in groups) <= 0.1 * members


def test_enrolment_rates_are_below_100_percent_and_differ_between_townships(county):
    clerk = User.objects.get(username="insurance_clerk")
    progress = selectors.collection_progress(clerk, county, YEAR, today=TODAY)
    rates = [row.enrolment_rate for row in progress.rows if row.members]
    assert len(rates) >= 10
    assert all(rate < 100 for rate in rates)
    assert len(set(rates)) > 1
    assert progress.total.collected == progress.total.expected  # everyone enrolled has paid


def test_contributions_have_receipts_and_subsidies_follow_the_headcount(county):
    headcount = Enrolment.objects.filter(year=YEAR).count()
    payers = set(Contribution.objects.values_list("payer_type", flat=True))
    assert payers == set(PayerType.values)
    assert not Contribution.objects.filter(receipt_number="").exists()
    central = Contribution.objects.get(payer_type=PayerType.CENTRAL, year=YEAR)
    assert central.headcount == headcount
    assert central.amount == 60 * headcount
    assert all(c.paid_on.year == YEAR - 1 for c in Contribution.objects.filter(household__isnull=False)[:500])


def test_every_institution_has_a_statement_for_every_month_with_settlements(county):
    # The out-of-county hospital included: a statement is between the county's scheme and an institution.
    months = {
        (institution, services.month_start(day))
        for institution, day in Settlement.objects.values_list("institution_id", "settled_on")
    }
    statements = set(Statement.objects.values_list("institution_id", "month"))
    assert months <= statements
    current = services.month_start(TODAY)
    assert set(Statement.objects.filter(month__lt=current).values_list("state", flat=True)) == {
        StatementState.PAID
    }
    assert set(Statement.objects.filter(month=current).values_list("state", flat=True)) == {
        StatementState.OPEN
    }
    assert set(Statement.objects.values_list("division", flat=True)) == {county.pk}
    assert not Settlement.objects.filter(statement_item__isnull=True).exists()


def test_some_statements_deduct_out_of_formulary_drugs_and_some_items_are_rejected(county):
    deducted = Statement.objects.filter(formulary_deduction__gt=0)
    assert deducted.exists()
    assert deducted.values("facility_level").distinct().count() >= 2
    rejected = StatementItem.objects.filter(decision=ItemDecision.REJECTED)
    assert rejected.exists()
    assert not rejected.filter(reason="").exists()


def test_claims_of_every_kind_and_a_few_corrections(county):
    types = set(Claim.objects.values_list("claim_type", flat=True))
    assert types == {
        "inpatient",
        "outpatient",
        "chronic_outpatient",
        "delivery_normal",
        "delivery_pathological",
        "cataract_outpatient",
        "tcm_outpatient",
    }
    assert set(Claim.objects.values_list("facility_level", flat=True)) == {1, 2, 3}
    assert Claim.objects.filter(facility_level=3, out_of_county=True, referral=True).exists()
    assert 1 <= Claim.objects.filter(state=ClaimState.REVERSED).count() <= 10
    assert (
        Claim.objects.filter(corrects__isnull=False).count()
        == Claim.objects.filter(state=ClaimState.REVERSED).count()
    )
    assert not Claim.objects.filter(discharge_date__gt=TODAY).exists()


def test_stored_settlements_are_what_the_engine_gives_and_a_replay_posts_nothing(county):
    cashier = User.objects.get(username="institution_cashier")
    admin = User.objects.get(username="admin")
    settled = Claim.objects.filter(state=ClaimState.SETTLED)
    # services.year_so_far replays every claim of the year settled so far, so compare each member's last.
    last = {}
    for claim in settled.filter(institution__organisation=cashier.organisation).order_by("number")[::97][:30]:
        last[claim.member_id] = (
            settled.filter(member_id=claim.member_id)
            .select_related("member__household__division", "institution__organisation")
            .order_by("-discharge_date", "-number")
            .first()
        )
    claims = list(last.values())
    assert claims
    entries = LedgerEntry.objects.count()
    postings = Posting.objects.count()
    for claim in claims:
        stored = claim.settlements.get(kind="settlement")
        version = selectors.policy_version_in_force(claim.division, claim.discharge_date)
        policy = selectors.engine_policy(version)
        again = services.scalar.settle(
            services.engine_claim_of(claim), services.year_so_far(claim, policy), policy
        )
        assert services.fen_to_yuan(again.reimbursed) == stored.reimbursed, claim.number
        assert bookkeeping.steps_as_stored(again.steps) == stored.steps, claim.number
        assert services.claim_settle(admin, claim) == stored
    assert (LedgerEntry.objects.count(), Posting.objects.count()) == (entries, postings)
