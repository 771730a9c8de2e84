"""Properties of the one-stop layers for the poor that hold for any claims, not just the hand-worked cases."""

import datetime
from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weijian.insurance.engine.batch import (
    LAYER_COLUMNS,
    OUTPUT_COLUMNS,
    REASONS,
    settle_batch,
    table_from_claims,
)
from weijian.insurance.engine.money import apply_share
from weijian.insurance.engine.scalar import (
    CLAIM_TYPES,
    INPATIENT_TYPES,
    TOTAL_PARTS,
    Claim,
    major_disease_split,
    settle_year,
)

from .support import poverty_policy_with

READINGS = ("r3", "r6")
YEAR_CAPS = ("off", "poverty_line")
POLICIES = {
    (reading, year_cap): poverty_policy_with(
        {"switches": {"self_pay_cap_reading": reading, "annual_personal_cap": year_cap}}
    )
    for reading in READINGS
    for year_cap in YEAR_CAPS
}
# Demo caps lowered so the yearly limits of assistance, funds and the poverty line bite often.
TIGHT = poverty_policy_with(
    {
        "switches": {"self_pay_cap_reading": "r6", "annual_personal_cap": "poverty_line"},
        "assistance": {"annual_cap": 300},
        "funds": {"annual_cap": 500},
        "serious_illness": {"annual_cap": 20000},
        "backstop": {"poverty_line": 1000},
    }
)
SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def claim_sets(draw, size=(1, 30)):
    """A few persons over a year and a half, mostly poor, every claim type, amounts that reach the caps."""
    count = draw(st.integers(*size))
    persons = [f"p{i}" for i in range(draw(st.integers(1, 4)))]
    claims = []
    for index in range(count):
        total = draw(st.one_of(st.integers(0, 300_000), st.integers(0, 60_000_000)))
        remaining, parts = total, {}
        for name in TOTAL_PARTS:
            parts[name] = draw(st.sampled_from((0, 0, remaining // 7, remaining // 3)))
            remaining -= parts[name]
        claim_type = draw(st.sampled_from((*CLAIM_TYPES, "inpatient", "inpatient", "inpatient")))
        discharge = datetime.date(2012, 11, 1) + datetime.timedelta(days=draw(st.integers(0, 90)))
        claims.append(
            Claim(
                claim_id=f"c{index:03d}",
                person_id=draw(st.sampled_from(persons)),
                claim_type=claim_type,
                facility_level=draw(st.integers(1, 3)),
                specialist=draw(st.booleans()),
                admit_date=discharge - datetime.timedelta(days=draw(st.integers(0, 4))),
                discharge_date=discharge,
                disease=draw(st.sampled_from(("", "stroke", "uraemia", "fracture", "viral_hepatitis"))),
                total=total,
                tcm_amount=draw(st.sampled_from((0, 0, total, total * 7 // 10))),
                other_insurance_paid=draw(st.sampled_from((0, 0, 0, total // 2, total))),
                special_group=draw(st.sampled_from(("none", "none", "none", "dibao"))),
                designated=draw(st.integers(0, 9)) > 0,
                for_profit=draw(st.integers(0, 9)) == 0,
                out_of_county=draw(st.booleans()),
                referral=draw(st.booleans()),
                migrant_certificate=draw(st.booleans()),
                eyes=draw(st.integers(1, 2)) if claim_type == "cataract_outpatient" else 0,
                chronic_disease=draw(st.sampled_from(("hypertension", "diabetes", "asthma")))
                if claim_type == "chronic_outpatient"
                else "",
                poor=draw(st.integers(0, 3)) > 0,
                major_disease=draw(st.sampled_from(("", "", "", "mdr_tb", "breast_cancer"))),
                over_treatment=draw(st.integers(0, 3)) == 0,
                **parts,
            )
        )
    return claims


policies = st.sampled_from((*POLICIES.values(), TIGHT))


def _cap_applies(claim: Claim, policy) -> bool:
    inpatient = claim.claim_type in INPATIENT_TYPES
    if policy.poverty.switches.self_pay_cap_reading == "r3":
        return inpatient
    return (
        inpatient and (not claim.out_of_county or claim.referral)
    ) or claim.claim_type == "chronic_outpatient"


@SLOW
@given(claim_sets(), policies)
def test_the_layers_and_the_patients_share_add_up_to_the_total(claims, policy):
    for claim, settlement in zip(claims, settle_year(claims, policy), strict=True):
        amounts = settlement.layers.amounts()
        assert sum(amounts.values()) == claim.total
        assert all(amount >= 0 for amount in amounts.values()), amounts
        # Nobody pays what another insurer already paid.
        assert settlement.patient_pays >= claim.other_insurance_paid


@SLOW
@given(claim_sets(), policies)
def test_the_poor_patients_own_share_never_exceeds_the_self_pay_cap_where_it_applies(claims, policy):
    share = policy.poverty.self_pay_share()
    for claim, settlement in zip(claims, settle_year(claims, policy), strict=True):
        own = settlement.patient_pays - claim.other_insurance_paid
        capped = (
            settlement.eligible
            and claim.poor
            and major_disease_split(claim, policy) is None
            and _cap_applies(claim, policy)
        )
        if capped:
            assert own <= apply_share(claim.total, share), settlement.steps


@SLOW
@given(claim_sets(), policies)
def test_the_hospital_bears_an_excess_only_when_over_treatment_was_recorded(claims, policy):
    for claim, settlement in zip(claims, settle_year(claims, policy), strict=True):
        if settlement.layers.hospital_borne > 0:
            assert claim.over_treatment
        if claim.over_treatment:
            assert settlement.layers.backstop == 0


@SLOW
@given(claim_sets())
def test_the_poverty_line_holds_a_years_own_inpatient_spending(claims):
    rules = TIGHT.poverty
    spent = defaultdict(int)
    yearly = defaultdict(lambda: defaultdict(int))
    for claim, settlement in zip(claims, settle_year(claims, TIGHT), strict=True):
        key = (claim.person_id, claim.year)
        for name in ("assistance", "funds", "serious_illness"):
            if major_disease_split(claim, TIGHT) is None:
                yearly[key][name] += getattr(settlement.layers, name)
        if (
            settlement.eligible
            and claim.poor
            and claim.claim_type in INPATIENT_TYPES
            and major_disease_split(claim, TIGHT) is None
        ):
            spent[key] += settlement.patient_pays - claim.other_insurance_paid
    assert all(amount <= rules.poverty_line for amount in spent.values())
    for amounts in yearly.values():
        assert amounts["assistance"] <= rules.assistance.annual_cap
        assert amounts["funds"] <= rules.funds.annual_cap
        assert amounts["serious_illness"] <= rules.serious_illness.annual_cap


@SLOW
@given(claim_sets(size=(1, 60)), policies)
def test_batch_equals_scalar_to_the_fen(claims, policy):
    settled = settle_year(claims, policy)
    batch = settle_batch(table_from_claims(claims), policy)
    assert set(batch) == {*OUTPUT_COLUMNS, *LAYER_COLUMNS}
    scalar = {
        "eligible": [s.eligible for s in settled],
        "reason": [REASONS.index(s.reason) for s in settled],
        "deductible": [s.deductible for s in settled],
        "reimbursed": [s.reimbursed for s in settled],
        "patient_pays": [s.patient_pays for s in settled],
        "cap_applied": [s.cap_applied for s in settled],
        **{name: [getattr(s.layers, name) for s in settled] for name in LAYER_COLUMNS},
    }
    for name, values in scalar.items():
        differ = np.flatnonzero(np.asarray(batch[name]) != np.asarray(values))
        assert differ.size == 0, (
            f"{name} differs for claim {claims[differ[0]].claim_id}: batch {batch[name][differ[0]]}, "
            f"scalar {values[differ[0]]}"
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), claim_sets())
def test_the_layers_do_not_depend_on_row_order(data, claims):
    shuffled = data.draw(st.permutations(claims))
    policy = TIGHT
    first = {s.claim_id: s.layers for s in settle_year(claims, policy)}
    second = {s.claim_id: s.layers for s in settle_year(shuffled, policy)}
    assert first == second
