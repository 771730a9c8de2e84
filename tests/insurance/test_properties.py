"""Properties of the settlement engine that hold for any claim, not just the hand-worked cases."""

import datetime
from collections import defaultdict
from dataclasses import replace
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import (
    CLAIM_TYPES,
    INPATIENT_BUCKET,
    OUTPATIENT_BUCKET,
    TOTAL_PARTS,
    Claim,
    PersonYear,
    TransferChain,
    settle,
    settle_year,
)

POLICY = demo_policy()
YEAR = 2012
DISEASES = ("", "stroke", "fracture", "viral_hepatitis")
GROUPS = ("none", "none", "none", "wubao", "dibao", "disabled", "tekun", "orphan")


@st.composite
def claims(draw, claim_id="c", person_ids=("p1",), tcm=True):
    total = draw(st.integers(0, 10_000_000))
    remaining = total
    parts = {}
    for name in TOTAL_PARTS:
        parts[name] = draw(st.integers(0, remaining // 2))
        remaining -= parts[name]
    claim_type = draw(st.sampled_from(CLAIM_TYPES))
    discharge = draw(st.dates(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)))
    return Claim(
        claim_id=claim_id,
        person_id=draw(st.sampled_from(person_ids)),
        claim_type=claim_type,
        facility_level=draw(st.integers(1, 3)),
        specialist=draw(st.booleans()),
        admit_date=discharge - datetime.timedelta(days=draw(st.integers(0, 10))),
        discharge_date=discharge,
        disease=draw(st.sampled_from(DISEASES)),
        total=total,
        tcm_amount=draw(st.integers(0, total)) if tcm else 0,
        other_insurance_paid=draw(st.integers(0, total)),
        special_group=draw(st.sampled_from(GROUPS)),
        designated=draw(st.booleans()),
        for_profit=draw(st.booleans()),
        out_of_county=draw(st.booleans()),
        referral=draw(st.booleans()),
        migrant_certificate=draw(st.booleans()),
        eyes=draw(st.integers(1, 2)) if claim_type == "cataract_outpatient" else 0,
        chronic_disease=draw(st.sampled_from(("hypertension", "diabetes", "asthma")))
        if claim_type == "chronic_outpatient"
        else "",
        **parts,
    )


@st.composite
def years_so_far(draw, claim: Claim):
    chains = {}
    if claim.disease and draw(st.booleans()):
        last = claim.admit_date - datetime.timedelta(days=draw(st.integers(0, 3)))
        chains[claim.disease] = TransferChain(claim.disease, last, draw(st.integers(0, 50_000)))
    return PersonYear(
        person_id=claim.person_id,
        year=claim.year,
        reimbursed=MappingProxyType(
            {
                INPATIENT_BUCKET: draw(st.integers(0, POLICY.inpatient_cap)),
                OUTPATIENT_BUCKET: draw(st.integers(0, POLICY.outpatient_annual_cap)),
            }
        ),
        first_admission_deductible_paid=draw(st.booleans()),
        chains=MappingProxyType(chains),
    )


@st.composite
def claim_and_year(draw, tcm=True):
    claim = draw(claims(tcm=tcm))
    return claim, draw(years_so_far(claim))


@st.composite
def years(draw):
    size = draw(st.integers(1, 25))
    return [draw(claims(claim_id=f"c{i:02d}", person_ids=("p1", "p2", "p3"))) for i in range(size)]


# The TCM preference is a cliff at 70% of total by design, so total cost is varied with no TCM share.
@given(claim_and_year(tcm=False), st.integers(1, 5_000_000))
def test_more_total_cost_never_lowers_reimbursement(claim_with_year, extra):
    claim, year = claim_with_year
    dearer = replace(claim, total=claim.total + extra)
    assert settle(dearer, year, POLICY).reimbursed >= settle(claim, year, POLICY).reimbursed


@given(claim_and_year())
def test_reimbursement_is_bounded_and_the_rest_is_the_patients(claim_with_year):
    claim, year = claim_with_year
    settlement = settle(claim, year, POLICY)
    assert 0 <= settlement.reimbursed <= settlement.eligible_cost
    assert settlement.reimbursed <= claim.total - claim.other_insurance_paid
    assert settlement.patient_pays + settlement.reimbursed == claim.total
    if not settlement.eligible:
        assert settlement.reimbursed == 0


@settings(max_examples=60)
@given(years())
def test_caps_hold_across_a_year(year_claims):
    by_id = {claim.claim_id: claim for claim in year_claims}
    spent = defaultdict(int)
    for settlement in settle_year(year_claims, POLICY):
        claim = by_id[settlement.claim_id]
        if claim.claim_type in ("inpatient", "delivery_pathological", "delivery_normal"):
            spent[claim.person_id, INPATIENT_BUCKET] += settlement.reimbursed
        elif claim.claim_type == "outpatient":
            spent[claim.person_id, OUTPATIENT_BUCKET] += settlement.reimbursed
        elif claim.claim_type == "chronic_outpatient":
            spent[claim.person_id, claim.chronic_disease] += settlement.reimbursed
        elif claim.claim_type == "tcm_outpatient":
            assert settlement.reimbursed <= POLICY.tcm_outpatient_claim_cap
    for (_, bucket), amount in spent.items():
        if bucket == INPATIENT_BUCKET:
            assert amount <= POLICY.inpatient_cap
        elif bucket == OUTPATIENT_BUCKET:
            assert amount <= POLICY.outpatient_annual_cap
        else:
            assert amount <= POLICY.chronic_quotas.get(bucket, 0)


@settings(max_examples=60)
@given(st.data(), years())
def test_settle_year_does_not_depend_on_row_order(data, year_claims):
    shuffled = data.draw(st.permutations(year_claims))
    first = {s.claim_id: s for s in settle_year(year_claims, POLICY)}
    second = {s.claim_id: s for s in settle_year(shuffled, POLICY)}
    assert first == second


@given(years())
def test_settle_year_returns_settlements_in_input_order(year_claims):
    settlements = settle_year(year_claims, POLICY)
    assert [s.claim_id for s in settlements] == [c.claim_id for c in year_claims]
