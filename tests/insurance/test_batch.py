"""The batch path settles exactly as the scalar path, fen for fen, whatever the row order."""

import datetime
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weijian.insurance.engine.batch import OUTPUT_COLUMNS, REASONS, settle_batch, table_from_claims
from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import CLAIM_TYPES, TOTAL_PARTS, Claim, settle_year

from .support import claim_from_row, policy_with

CASES_DIR = Path(__file__).parent / "cases"
POLICY = demo_policy()
YEAR_START = datetime.date(2012, 1, 1)
SWITCH_SETS = (
    {},
    {"fee_class_reading": "text", "bracket_mode": "marginal"},
    {"inpatient_cap_period": "claim", "tcm_uplift": "relative", "transfer_chain_deductible": "first_only"},
)


def scalar_columns(claims, policy) -> dict[str, np.ndarray]:
    settlements = settle_year(claims, policy)
    return {
        "claim_id": np.array([s.claim_id for s in settlements], dtype=str),
        "eligible": np.array([s.eligible for s in settlements]),
        "reason": np.array([REASONS.index(s.reason) for s in settlements]),
        "eligible_cost": np.array([s.eligible_cost for s in settlements]),
        "deductible": np.array([s.deductible for s in settlements]),
        "pooled": np.array([s.pooled for s in settlements]),
        "ratio_numerator": np.array([s.ratio.numerator if s.ratio is not None else 0 for s in settlements]),
        "ratio_denominator": np.array(
            [s.ratio.denominator if s.ratio is not None else 0 for s in settlements]
        ),
        "reimbursed": np.array([s.reimbursed for s in settlements]),
        "patient_pays": np.array([s.patient_pays for s in settlements]),
        "cap_applied": np.array([s.cap_applied for s in settlements]),
    }


def assert_same(batch: dict, scalar: dict) -> None:
    assert set(batch) == set(OUTPUT_COLUMNS)
    for name in OUTPUT_COLUMNS:
        differ = np.flatnonzero(np.asarray(batch[name]) != scalar[name])
        assert differ.size == 0, (
            f"{name} differs on {differ.size} rows, first claim {scalar['claim_id'][differ[0]]}: "
            f"batch {batch[name][differ[0]]}, scalar {scalar[name][differ[0]]}"
        )


def assert_batch_matches_scalar(claims, policy) -> None:
    assert_same(settle_batch(table_from_claims(claims), policy), scalar_columns(claims, policy))


def _cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            for case in tomllib.load(handle)["case"]:
                yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_batch_settles_every_hand_worked_case_as_the_scalar_path(case):
    policy = policy_with(case.get("switches"))
    assert_batch_matches_scalar([claim_from_row(row) for row in case["claims"]], policy)


@st.composite
def claim_sets(draw):
    """Many persons, every claim type, short gaps so chains form, large amounts so caps bite."""
    size = draw(st.integers(1, 60))
    persons = [f"p{i}" for i in range(draw(st.integers(1, 6)))]
    claims = []
    for index in range(size):
        total = draw(st.one_of(st.integers(0, 20_000), st.integers(0, 12_000_000)))
        remaining, parts = total, {}
        for name in TOTAL_PARTS:
            parts[name] = draw(st.integers(0, remaining // 3))
            remaining -= parts[name]
        claim_type = draw(st.sampled_from((*CLAIM_TYPES, "inpatient", "inpatient")))
        # Dates cluster within a few weeks, across a year boundary, so transfers and ties happen.
        discharge = datetime.date(2012, 12, 20) + datetime.timedelta(days=draw(st.integers(0, 25)))
        claims.append(
            Claim(
                claim_id=f"c{index:03d}",
                person_id=draw(st.sampled_from(persons)),
                claim_type=claim_type,
                facility_level=draw(st.integers(1, 3)),
                specialist=draw(st.booleans()),
                admit_date=discharge - datetime.timedelta(days=draw(st.integers(0, 4))),
                discharge_date=discharge,
                disease=draw(st.sampled_from(("", "stroke", "stroke", "fracture", "viral_hepatitis"))),
                total=total,
                tcm_amount=draw(st.sampled_from((0, total, total * 7 // 10, total * 69 // 100))),
                other_insurance_paid=draw(st.sampled_from((0, 0, total // 2, total))),
                special_group=draw(st.sampled_from(("none", "none", "none", "none", "wubao", "orphan"))),
                designated=draw(st.booleans()) or draw(st.booleans()),
                for_profit=not (draw(st.booleans()) or draw(st.booleans())),
                out_of_county=draw(st.booleans()),
                referral=draw(st.booleans()),
                migrant_certificate=draw(st.booleans()),
                eyes=draw(st.integers(1, 2)) if claim_type == "cataract_outpatient" else 0,
                chronic_disease=draw(st.sampled_from(("hypertension", "diabetes", "asthma")))
                if claim_type == "chronic_outpatient"
                else "",
                **parts,
            )
        )
    return claims


@settings(max_examples=150, deadline=None)
@given(claim_sets(), st.sampled_from(SWITCH_SETS))
def test_batch_equals_scalar_on_random_claim_sets(claims, switches):
    assert_batch_matches_scalar(claims, policy_with(switches))


@settings(max_examples=60, deadline=None)
@given(st.data(), claim_sets())
def test_batch_does_not_depend_on_row_order(data, claims):
    shuffled = data.draw(st.permutations(claims))
    first = settle_batch(table_from_claims(claims), POLICY)
    second = settle_batch(table_from_claims(shuffled), POLICY)
    position = {claim.claim_id: index for index, claim in enumerate(claims)}
    back = np.array([position[claim.claim_id] for claim in shuffled])
    for name in OUTPUT_COLUMNS:
        assert np.array_equal(second[name], first[name][back]), name


def random_claims(count: int, seed: int) -> list[Claim]:
    """A seeded year of claims: a few per person, chains, exclusions and caps all occur."""
    rng = np.random.default_rng(seed)
    persons = rng.integers(0, max(count // 4, 1), count)
    types = rng.choice(len(CLAIM_TYPES), count, p=[0.45, 0.25, 0.1, 0.05, 0.05, 0.05, 0.05])
    levels = rng.integers(1, 4, count)
    discharge = rng.integers(0, 400, count)  # some fall in the next year
    stay = rng.integers(0, 8, count)
    totals = np.where(
        rng.random(count) < 0.05, rng.integers(0, 15_000_000, count), rng.integers(0, 800_000, count)
    )
    fractions = rng.random((count, len(TOTAL_PARTS))) * 0.15
    parts = (totals[:, None] * fractions).astype(np.int64)
    tcm = np.where(rng.random(count) < 0.1, totals, 0)
    other = np.where(rng.random(count) < 0.05, totals // 2, 0)
    diseases = np.array(["", "stroke", "fracture", "viral_hepatitis"])[rng.integers(0, 4, count)]
    groups = np.array(["none"] * 6 + ["wubao", "dibao"])[rng.integers(0, 8, count)]
    chronic = np.array(["hypertension", "diabetes", "asthma"])[rng.integers(0, 3, count)]
    flags = rng.random((count, 6))
    claims = []
    for i in range(count):
        kind = CLAIM_TYPES[types[i]]
        day = YEAR_START + datetime.timedelta(days=int(discharge[i]))
        claims.append(
            Claim(
                claim_id=f"c{i:06d}",
                person_id=f"p{persons[i]:06d}",
                claim_type=kind,
                facility_level=int(levels[i]),
                specialist=bool(flags[i, 0] < 0.1),
                admit_date=day - datetime.timedelta(days=int(stay[i])),
                discharge_date=day,
                disease=str(diseases[i]),
                total=int(totals[i]),
                tcm_amount=int(tcm[i]),
                other_insurance_paid=int(other[i]),
                special_group=str(groups[i]),
                designated=bool(flags[i, 1] > 0.02),
                for_profit=bool(flags[i, 2] < 0.02),
                out_of_county=bool(flags[i, 3] < 0.1),
                referral=bool(flags[i, 4] < 0.5),
                migrant_certificate=bool(flags[i, 5] < 0.1),
                eyes=1 + int(flags[i, 5] < 0.5) if kind == "cataract_outpatient" else 0,
                chronic_disease=str(chronic[i]) if kind == "chronic_outpatient" else "",
                **{name: int(parts[i, j]) for j, name in enumerate(TOTAL_PARTS)},
            )
        )
    return claims


def test_batch_equals_scalar_on_100000_seeded_claims_column_by_column():
    claims = random_claims(100_000, seed=20120601)
    batch = settle_batch(table_from_claims(claims), POLICY)
    scalar = scalar_columns(claims, POLICY)
    assert_same(batch, scalar)
    # The set exercises what it claims to: caps, quotas and dual coverage all bite somewhere.
    reasons = {REASONS[code] for code in np.unique(batch["reason"])}
    assert {"annual_cap", "claim_cap", "chronic_quota", "dual_coverage_limit"} <= reasons


def test_integer_codes_and_ids_settle_as_strings_do():
    claims = random_claims(2_000, seed=7)
    table = table_from_claims(claims)
    coded = dict(table)
    # Zero-padded ids sort as their numbers do, so the settlement order is the same.
    coded["person_id"] = np.array([int(claim.person_id[1:]) for claim in claims])
    coded["claim_id"] = np.array([int(claim.claim_id[1:]) for claim in claims])
    for name in ("claim_type", "disease", "special_group", "chronic_disease"):
        vocabulary, codes = np.unique(table[name], return_inverse=True)
        coded[name], coded[f"{name}_vocabulary"] = codes, tuple(vocabulary)
    expected = settle_batch(table, POLICY)
    actual = settle_batch(coded, POLICY)
    for name in OUTPUT_COLUMNS[1:]:
        assert np.array_equal(actual[name], expected[name]), name


def test_a_repeated_claim_id_is_refused():
    claims = random_claims(3, seed=1)
    table = table_from_claims(claims)
    table["claim_id"] = np.array(["a", "b", "a"])
    with pytest.raises(ValueError, match="appears twice"):
        settle_batch(table, POLICY)
