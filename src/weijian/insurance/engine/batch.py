"""Settle a whole table of claims at once, column by column (篇6 §6.4).

The rules and the fen are those of the scalar path. Per-claim arithmetic is vectorised. The year state
is carried in (person, discharge date, claim id) order: running totals clipped at the cap for the
annual caps and quotas, an exclusive running count for the first-admission deductible, and a loop over
chain depth (not over claims) for same-disease transfer chains, the one genuinely sequential rule.
Under a policy with the one-stop layers for the poor (policy.poverty), each layer is one more vectorised
pass; its yearly limits are running totals clipped at the cap within person-year groups too.

A table is a mapping of column name → array, one row per claim, named like the Claim fields. Amounts
are whole fen (int64), dates datetime64[D]. Code columns (claim_type, special_group, disease,
chronic_disease, major_disease) are either string arrays or integer codes into the sequence stored under
"<column>_vocabulary"; claim_type and special_group default to CLAIM_TYPES and GROUPS.
"""

from collections.abc import Iterable, Mapping
from fractions import Fraction

import numpy as np

from .policy import FEE_CLASSES, LEVELS, SPECIAL_GROUPS, FeeShare, Policy
from .scalar import (
    AMOUNT_FIELDS,
    ANNUAL_CAP,
    CHRONIC_DISEASE_NOT_LISTED,
    CHRONIC_QUOTA,
    CLAIM_CAP,
    CLAIM_TYPES,
    DUAL_COVERAGE_LIMIT,
    FOR_PROFIT,
    INPATIENT_TYPES,
    LAYER_NAMES,
    NOT_DESIGNATED,
    NOT_IN_FORCE,
    OK,
    OUT_OF_COUNTY_NO_REFERRAL,
    OUTPATIENT_WAIVER_TYPES,
    STAY_TYPES,
    TOTAL_PARTS,
    Claim,
    ClaimError,
)

# Output reason column: an index into REASONS.
REASONS = (
    OK,
    NOT_IN_FORCE,
    NOT_DESIGNATED,
    FOR_PROFIT,
    OUT_OF_COUNTY_NO_REFERRAL,
    CHRONIC_DISEASE_NOT_LISTED,
    ANNUAL_CAP,
    CLAIM_CAP,
    CHRONIC_QUOTA,
    DUAL_COVERAGE_LIMIT,
)
GROUPS = ("none", *SPECIAL_GROUPS)
CODE_COLUMNS = ("claim_type", "special_group", "disease", "chronic_disease", "major_disease")
FLAG_COLUMNS = ("specialist", "designated", "for_profit", "out_of_county", "referral", "migrant_certificate")
# Read only under a policy with the one-stop layers.
LAYER_FLAG_COLUMNS = ("poor", "over_treatment")
FLAG_DEFAULTS = {"designated": True}
# ratio_numerator / ratio_denominator hold the ratio as a reduced fraction; 0/0 means none (flat rate).
OUTPUT_COLUMNS = (
    "claim_id",
    "eligible",
    "reason",
    "eligible_cost",
    "deductible",
    "pooled",
    "ratio_numerator",
    "ratio_denominator",
    "reimbursed",
    "patient_pays",
    "cap_applied",
)
# Added under a policy with the one-stop layers (patient_pays is then what is left after all of them).
LAYER_COLUMNS = LAYER_NAMES

_TYPE = {name: index for index, name in enumerate(CLAIM_TYPES)}
_REASON = {name: index for index, name in enumerate(REASONS)}
_INPATIENT = np.array([name in INPATIENT_TYPES for name in CLAIM_TYPES])
_STAY = np.array([name in STAY_TYPES for name in CLAIM_TYPES])
# Above this the int64 products of the half-up rounding could overflow.
_MAX_PRODUCT = 2**62


def table_from_claims(claims: Iterable[Claim]) -> dict[str, np.ndarray]:
    """The columnar form of Claim objects (codes as string arrays)."""
    claims = list(claims)
    table: dict[str, np.ndarray] = {}
    for name in ("claim_id", "person_id", *CODE_COLUMNS):
        table[name] = np.array([getattr(claim, name) for claim in claims], dtype=str)
    for name in (*AMOUNT_FIELDS, "facility_level", "eyes"):
        table[name] = np.array([getattr(claim, name) for claim in claims], dtype=np.int64)
    for name in (*FLAG_COLUMNS, *LAYER_FLAG_COLUMNS):
        table[name] = np.array([getattr(claim, name) for claim in claims], dtype=bool)
    for name in ("admit_date", "discharge_date"):
        table[name] = np.array([getattr(claim, name) for claim in claims], dtype="datetime64[D]")
    return table


def _share(amount: np.ndarray, numerator, denominator) -> np.ndarray:
    """amount × numerator / denominator rounded half-up to the fen, as money.apply_share."""
    return (2 * amount * numerator + denominator) // (2 * denominator)


def _codes(table: Mapping, name: str, size: int, default: tuple[str, ...]) -> tuple[np.ndarray, tuple]:
    if name not in table:
        return np.zeros(size, dtype=np.int64), default[:1]
    values = np.asarray(table[name])
    if values.dtype.kind in "USO":
        vocabulary, codes = np.unique(values.astype(str), return_inverse=True)
        return codes.astype(np.int64), tuple(str(item) for item in vocabulary)
    vocabulary = tuple(table.get(f"{name}_vocabulary", default))
    codes = values.astype(np.int64)
    if codes.size and (codes.min() < 0 or codes.max() >= len(vocabulary)):
        raise ClaimError(name, "has a code outside its vocabulary")
    return codes, vocabulary


def _lookup(vocabulary: tuple, name: str, allowed: Mapping) -> np.ndarray:
    unknown = [item for item in vocabulary if item not in allowed]
    if unknown:
        raise ClaimError(name, f"unknown value {unknown[0]!r}")
    return np.array([allowed[item] for item in vocabulary], dtype=np.int64)


def _counted(amount: np.ndarray, share: FeeShare, bracket_mode: str) -> np.ndarray:
    low = Fraction(share.counted)
    if share.bracket is None:
        return _share(amount, low.numerator, low.denominator)
    high = Fraction(share.counted_above)
    if bracket_mode == "marginal":
        below = np.minimum(amount, share.bracket)
        return _share(below, low.numerator, low.denominator) + _share(
            amount - below, high.numerator, high.denominator
        )
    within = amount <= share.bracket
    return _share(
        amount,
        np.where(within, low.numerator, high.numerator),
        np.where(within, low.denominator, high.denominator),
    )


def _check(columns: dict, kind: np.ndarray, admit, discharge, claim_id) -> None:
    for name in AMOUNT_FIELDS:
        if columns[name].size and columns[name].min() < 0:
            raise ClaimError(name, "must be a non-negative whole number of fen")
    total = columns["total"]
    if np.any(sum(columns[name] for name in TOTAL_PARTS) > total):
        raise ClaimError("total", f"is less than the sum of {', '.join(TOTAL_PARTS)}")
    for name in ("tcm_amount", "other_insurance_paid"):
        if np.any(columns[name] > total):
            raise ClaimError(name, "exceeds total")
    if np.any(discharge < admit):
        raise ClaimError("discharge_date", "is before admit_date")
    level = columns["facility_level"]
    if level.size and (level.min() < min(LEVELS) or level.max() > max(LEVELS)):
        raise ClaimError("facility_level", "must be 1, 2 or 3")
    cataract = kind == _TYPE["cataract_outpatient"]
    if np.any(cataract & ((columns["eyes"] < 1) | (columns["eyes"] > 2))):
        raise ClaimError("eyes", "a cataract claim covers 1 or 2 eyes")
    ordered_ids = np.sort(claim_id)
    if np.any(ordered_ids[1:] == ordered_ids[:-1]):
        raise ClaimError("claim_id", "appears twice")


def _group_starts(boundary: np.ndarray) -> np.ndarray:
    """For each position of a sorted run, the position where its group starts."""
    starts = np.flatnonzero(boundary)
    return starts[np.cumsum(boundary) - 1]


def _claim_order(person: np.ndarray, discharge: np.ndarray, claim_id: np.ndarray) -> np.ndarray:
    """Positions in (person, discharge date, claim id) order."""
    days = discharge.astype(np.int64)
    if person.dtype.kind in "iu" and person.size:
        # One integer key sorts much faster than a three-key lexsort; claim id order comes from
        # sorting by it first, since the key sort is stable.
        span = int(days.max()) - int(days.min()) + 1
        people = int(person.max()) - int(person.min()) + 1
        if people * span < 2**62:
            by_id = np.argsort(claim_id, kind="stable")
            key = (person[by_id].astype(np.int64) - int(person.min())) * span + (
                days[by_id] - int(days.min())
            )
            return by_id[np.argsort(key, kind="stable")]
    return np.lexsort((claim_id, days, person))


def settle_batch(table: Mapping, policy: Policy) -> dict[str, np.ndarray]:
    """Settle every claim in the table; columns OUTPUT_COLUMNS, rows in input order."""
    claim_id = np.asarray(table["claim_id"])
    size = claim_id.size
    person = np.asarray(table["person_id"])
    admit = np.asarray(table["admit_date"], dtype="datetime64[D]")
    discharge = np.asarray(table["discharge_date"], dtype="datetime64[D]")
    columns = {
        name: np.asarray(table[name], dtype=np.int64) if name in table else np.zeros(size, dtype=np.int64)
        for name in (*AMOUNT_FIELDS, "facility_level", "eyes")
    }
    flags = {
        name: np.asarray(table[name], dtype=bool)
        if name in table
        else np.full(size, FLAG_DEFAULTS.get(name, False))
        for name in FLAG_COLUMNS
    }
    type_codes, type_names = _codes(table, "claim_type", size, CLAIM_TYPES)
    kind = _lookup(type_names, "claim_type", _TYPE)[type_codes]
    group_codes, group_names = _codes(table, "special_group", size, GROUPS)
    _lookup(group_names, "special_group", {name: 0 for name in GROUPS})
    no_deductible_group = np.array([name in policy.no_deductible_groups for name in group_names])[group_codes]
    disease, disease_names = _codes(table, "disease", size, ("",))
    chronic, chronic_names = _codes(table, "chronic_disease", size, ("",))
    rules = policy.poverty
    if rules is not None:
        poor, over_treatment = (
            np.asarray(table[name], dtype=bool) if name in table else np.zeros(size, dtype=bool)
            for name in LAYER_FLAG_COLUMNS
        )
        major, major_names = _codes(table, "major_disease", size, ("",))
        unknown = [name for name in major_names if name and name not in rules.major_diseases]
        if unknown:
            raise ClaimError("major_disease", f"{unknown[0]!r} is not one of the policy's major diseases")
    _check(columns, kind, admit, discharge, claim_id)
    if np.any(
        (kind == _TYPE["chronic_outpatient"]) & (np.array([not name for name in chronic_names])[chronic])
    ):
        raise ClaimError("chronic_disease", "is required for a chronic-disease claim")

    total, level = columns["total"], columns["facility_level"]
    if size and int(total.max()) * 2 * 1000 >= _MAX_PRODUCT:
        raise ValueError("amounts too large for exact int64 arithmetic")

    # Exclusions, first match wins (scalar._exclusion).
    reason = np.full(size, _REASON[OK], dtype=np.int8)
    in_force = (discharge >= np.datetime64(policy.valid_from)) & (discharge <= np.datetime64(policy.valid_to))
    quota_of = np.array([policy.chronic_quotas.get(name, -1) for name in chronic_names], dtype=np.int64)
    is_chronic = kind == _TYPE["chronic_outpatient"]
    excluded_by = (
        (~in_force, NOT_IN_FORCE),
        (~flags["designated"], NOT_DESIGNATED),
        (flags["for_profit"], FOR_PROFIT),
        (
            flags["out_of_county"] & ~flags["referral"] & ~flags["migrant_certificate"],
            OUT_OF_COUNTY_NO_REFERRAL,
        ),
        (is_chronic & (quota_of[chronic] < 0), CHRONIC_DISEASE_NOT_LISTED),
    )
    for condition, code in reversed(excluded_by):
        reason[condition] = _REASON[code]
    eligible = reason == _REASON[OK]

    cost = total - columns["self_pay"] - columns["excluded_amount"]
    for fee_class in FEE_CLASSES:
        amount = columns[fee_class]
        cost -= amount - _counted(amount, policy.fee_classes[fee_class], policy.switches.bracket_mode)

    # Inpatient rule per claim: level standard, TCM preference, the deductible before the year state.
    inpatient = _INPATIENT[kind]
    hepatitis = np.array([name in policy.hepatitis_diseases for name in disease_names])[disease]
    standard = np.where(flags["specialist"] & hepatitis, policy.hepatitis_standard_level, level)
    share = policy.tcm_dominant_share
    tcm_dominant = (total > 0) & (columns["tcm_amount"] * share.denominator >= total * share.numerator)
    plain, uplifted = [Fraction(0)] * 4, [Fraction(0)] * 4
    full_deductible = np.zeros(4, dtype=np.int64)
    for lvl in LEVELS:
        rule = policy.levels[lvl]
        plain[lvl] = rule.ratio
        if policy.switches.tcm_uplift == "points":
            uplifted[lvl] = min(rule.ratio + policy.tcm_uplift, Fraction(1))
        else:
            uplifted[lvl] = min(rule.ratio * (1 + policy.tcm_uplift), Fraction(1))
        full_deductible[lvl] = rule.deductible
    due = full_deductible[standard]
    waived = no_deductible_group | tcm_dominant
    if rules is not None:
        # R3 L131: no inpatient deductible for the poor at the listed levels.
        waived = waived | (poor & np.isin(level, list(rules.deductible_waived_levels)))

    # Year state, in (person, discharge date, claim id) order; a person-year is one group.
    order = _claim_order(person, discharge, claim_id)
    person_sorted = person[order]
    year_sorted = discharge[order].astype("datetime64[Y]")
    boundary = np.ones(size, dtype=bool)
    if size:
        boundary[1:] = (person_sorted[1:] != person_sorted[:-1]) | (year_sorted[1:] != year_sorted[:-1])
    person_year = np.cumsum(boundary) - 1

    # Only the year's first county-level admission pays: count earlier ones in the group.
    county = eligible & inpatient & (level >= policy.first_admission_min_level)
    earlier = np.cumsum(county[order]) - county[order]
    seen_county = np.empty(size, dtype=bool)
    seen_county[order] = (earlier - earlier[_group_starts(boundary)]) > 0 if size else earlier > 0
    due = np.where(waived | (seen_county & (level >= policy.first_admission_min_level)), 0, due)
    deductible = np.minimum(due, cost)

    # Same-disease transfer chains: a stay continues the chain of the last stay for its disease.
    in_chain = (eligible & inpatient & np.array([bool(name) for name in disease_names])[disease])[order]
    members = order[in_chain]
    chain_key = person_year[in_chain] * len(disease_names) + disease[members]
    by_chain = np.argsort(chain_key, kind="stable")
    members, chain_key = members[by_chain], chain_key[by_chain]
    continued = np.zeros(members.size, dtype=bool)
    if members.size > 1:
        gap = (admit[members[1:]] - discharge[members[:-1]]).astype(np.int64)
        continued[1:] = (chain_key[1:] == chain_key[:-1]) & (gap <= policy.transfer_window_days)
    paid = deductible[members].copy()
    depth = np.arange(members.size) - _group_starts(~continued) if members.size else continued.astype(int)
    top_up = policy.switches.transfer_chain_deductible == "top_up"
    for step in range(1, int(depth.max()) + 1 if members.size else 1):
        here = np.flatnonzero(depth == step)
        claims_here = members[here]
        earlier_paid = paid[here - 1]
        chain_due = np.maximum(full_deductible[standard[claims_here]] - earlier_paid, 0) if top_up else 0
        chain_due = np.where(waived[claims_here], 0, chain_due)
        owed = np.minimum(chain_due, cost[claims_here])
        deductible[claims_here] = owed
        paid[here] = earlier_paid + owed

    # Ratios and the amount due before any cap, per claim type.
    numerator = np.zeros(size, dtype=np.int64)
    denominator = np.zeros(size, dtype=np.int64)
    for lvl in LEVELS:
        for tcm, ratio in ((False, plain[lvl]), (True, uplifted[lvl])):
            rows = inpatient & (standard == lvl) & (tcm_dominant == tcm)
            numerator[rows], denominator[rows] = ratio.numerator, ratio.denominator
    for name, ratio in (
        ("outpatient", policy.outpatient_ratio),
        ("tcm_outpatient", policy.tcm_outpatient_ratio),
        ("chronic_outpatient", policy.chronic_ratio),
    ):
        rows = kind == _TYPE[name]
        numerator[rows], denominator[rows] = ratio.numerator, ratio.denominator
    deductible = np.where(inpatient & eligible, deductible, 0)
    pooled = cost - deductible
    raw = _share(pooled, numerator, np.maximum(denominator, 1))
    delivery = kind == _TYPE["delivery_normal"]
    cataract = kind == _TYPE["cataract_outpatient"]
    raw = np.where(delivery, np.minimum(policy.delivery_normal, cost), raw)
    raw = np.where(cataract, np.minimum(policy.cataract_per_eye * columns["eyes"], cost), raw)

    # Caps: a running total per person-year bucket, clipped at the bucket's cap, is exact because each
    # claim receives min(due, cap − running total) and the dual-coverage limit is also a plain min.
    dual_limit = total - columns["other_insurance_paid"]
    # R3 L139: basic insurance pays at most the insurance share of a major-disease admission's total.
    split_limit = None
    if rules is not None:
        split = (
            eligible
            & poor
            & inpatient
            & np.array([bool(name) for name in major_names])[major]
            & np.isin(level, list(rules.major_splits))
        )
        insurance_share = np.zeros((2, 4), dtype=np.int64)
        supplementary_share = np.zeros((2, 4), dtype=np.int64)
        insurance_share[1], supplementary_share[1] = 1, 1
        for lvl, rule in rules.major_splits.items():
            insurance_share[:, lvl] = rule.insurance.numerator, rule.insurance.denominator
            supplementary_share[:, lvl] = rule.supplementary.numerator, rule.supplementary.denominator
        insurance = _share(total, insurance_share[0][level], insurance_share[1][level])
        split_limit = np.where(split, insurance, np.iinfo(np.int64).max)
    inpatient_bucket = inpatient | delivery
    per_claim_inpatient = policy.switches.inpatient_cap_period == "claim"
    bucket = np.zeros(size, dtype=np.int64)
    if not per_claim_inpatient:
        bucket[inpatient_bucket] = 1
    bucket[kind == _TYPE["outpatient"]] = 2
    bucket[is_chronic] = 3 + chronic[is_chronic]
    cap = np.zeros(size, dtype=np.int64)
    cap[inpatient_bucket] = policy.inpatient_cap
    cap[kind == _TYPE["outpatient"]] = policy.outpatient_annual_cap
    cap[kind == _TYPE["tcm_outpatient"]] = policy.tcm_outpatient_claim_cap
    cap[is_chronic] = np.maximum(quota_of[chronic[is_chronic]], 0)
    limit_reason = np.full(size, _REASON[ANNUAL_CAP], dtype=np.int8)
    limit_reason[kind == _TYPE["tcm_outpatient"]] = _REASON[CLAIM_CAP]
    if per_claim_inpatient:
        limit_reason[inpatient_bucket] = _REASON[CLAIM_CAP]
    limit_reason[is_chronic] = _REASON[CHRONIC_QUOTA]
    has_limit = inpatient_bucket | (bucket > 0) | (kind == _TYPE["tcm_outpatient"])

    limit = cap.copy()
    running = (eligible & (bucket > 0))[order]
    in_bucket = order[running]
    bucket_key = person_year[running] * (3 + len(chronic_names)) + bucket[in_bucket]
    by_bucket = np.argsort(bucket_key, kind="stable")
    in_bucket, bucket_key = in_bucket[by_bucket], bucket_key[by_bucket]
    if in_bucket.size:
        starts_here = np.ones(in_bucket.size, dtype=bool)
        starts_here[1:] = bucket_key[1:] != bucket_key[:-1]
        counted = np.minimum(raw[in_bucket], dual_limit[in_bucket])
        if split_limit is not None:
            counted = np.minimum(counted, split_limit[in_bucket])
        sums = np.cumsum(counted)
        before_group = (sums - counted)[_group_starts(starts_here)]
        spent = np.minimum(sums - before_group, cap[in_bucket])
        spent_before = np.concatenate(([0], spent[:-1]))
        spent_before[starts_here] = 0
        limit[in_bucket] = cap[in_bucket] - spent_before

    cap_applied = has_limit & (raw > limit)
    after_cap = np.where(cap_applied, limit, raw)
    reimbursed = np.minimum(after_cap, dual_limit)
    if split_limit is not None:
        reimbursed = np.minimum(reimbursed, split_limit)
    reason = np.where(
        ~eligible,
        reason,
        np.where(
            after_cap > dual_limit, _REASON[DUAL_COVERAGE_LIMIT], np.where(cap_applied, limit_reason, reason)
        ),
    ).astype(np.int8)

    zero = np.zeros(size, dtype=np.int64)
    reimbursed = np.where(eligible, reimbursed, 0)
    settled = {
        "claim_id": claim_id,
        "eligible": eligible,
        "reason": reason,
        "eligible_cost": np.where(eligible, cost, 0),
        "deductible": np.where(eligible, deductible, 0),
        "pooled": np.where(eligible, pooled, 0),
        "ratio_numerator": np.where(eligible, numerator, zero),
        "ratio_denominator": np.where(eligible, denominator, zero),
        "reimbursed": reimbursed,
        "patient_pays": total - reimbursed,
        "cap_applied": eligible & cap_applied,
    }
    if rules is None:
        return settled
    layers = _layers(
        rules,
        columns,
        eligible=eligible,
        kind=kind,
        cost=cost,
        basic=reimbursed,
        poor=poor & eligible,
        over_treatment=over_treatment,
        split=split,
        split_insurance=insurance,
        supplementary_share=_share(total, supplementary_share[0][level], supplementary_share[1][level]),
        funds_disease=np.array([name in rules.funds_diseases for name in disease_names])[disease],
        out_of_county=flags["out_of_county"],
        referral=flags["referral"],
        order=order,
        starts=_group_starts(boundary) if size else np.zeros(0, dtype=np.int64),
    )
    settled.update(layers)
    settled["patient_pays"] = total - sum(layers[name] for name in LAYER_NAMES)
    return settled


def _within_year(amount: np.ndarray, cap: int, order: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """What each claim receives when a person-year's running total stops at `cap`: min(cap, R_i) −
    min(cap, R_(i−1)), R the running sum in claim order, which is min(amount, cap − granted so far)."""
    ordered = amount[order]
    sums = np.cumsum(ordered)
    within = sums - (sums - ordered)[starts]
    granted = np.empty_like(amount)
    granted[order] = np.minimum(within, cap) - np.minimum(within - ordered, cap)
    return granted


def _fraction_share(amount: np.ndarray, share: Fraction) -> np.ndarray:
    return _share(amount, share.numerator, share.denominator)


def _layers(
    rules,
    columns: dict,
    *,
    eligible,
    kind,
    cost,
    basic,
    poor,
    over_treatment,
    split,
    split_insurance,
    supplementary_share,
    funds_disease,
    out_of_county,
    referral,
    order,
    starts,
) -> dict[str, np.ndarray]:
    """scalar._layers column by column: one pass per layer, in paying order."""
    total, level = columns["total"], columns["facility_level"]
    unpaid = total - columns["other_insurance_paid"]
    inpatient = _STAY[kind] & eligible
    paid = {name: np.zeros(total.size, dtype=np.int64) for name in LAYER_NAMES}
    paid["basic"] = basic
    so_far = basic.copy()

    def own() -> np.ndarray:
        return np.maximum(unpaid - so_far, 0)

    def pay(name: str, amount: np.ndarray) -> None:
        nonlocal so_far
        paid[name] = paid[name] + amount
        so_far = so_far + amount

    # Major diseases (R3 L139): fixed shares of the total, no other layer.
    pay("serious_illness", np.where(split, np.minimum(split_insurance - basic, own()), 0))
    pay("supplementary", np.where(split, np.minimum(supplementary_share, own()), 0))
    layered = inpatient & ~split

    # Serious illness (R3 L135), every patient: what the year's base owes now less what it owed before.
    serious = rules.serious_illness
    base = np.where(layered, np.maximum(cost - basic, 0), 0)
    ordered = base[order]
    sums = np.cumsum(ordered)
    after_sorted = sums - (sums - ordered)[starts]
    after = np.empty_like(base)
    after[order] = after_sorted
    before = after - base
    deductible = np.where(poor, serious.poor_deductible, serious.deductible)
    numerator = np.where(poor, serious.poor_ratio.numerator, serious.ratio.numerator)
    denominator = np.where(poor, serious.poor_ratio.denominator, serious.ratio.denominator)

    def due(amount: np.ndarray) -> np.ndarray:
        return np.minimum(
            serious.annual_cap, _share(np.maximum(amount - deductible, 0), numerator, denominator)
        )

    raw = np.where(layered, np.minimum(np.maximum(due(after) - due(before), 0), own()), 0)
    pay("serious_illness", _within_year(raw, serious.annual_cap, order, starts))

    poor_inpatient = layered & poor
    left = np.where(poor_inpatient, np.maximum(cost - paid["basic"] - paid["serious_illness"], 0), 0)
    pay("supplementary", np.minimum(_fraction_share(left, rules.supplementary_ratio), own()))
    left = np.maximum(left - paid["supplementary"], 0)
    assistance = np.minimum(_fraction_share(left, rules.assistance.ratio), own())
    pay("assistance", _within_year(assistance, rules.assistance.annual_cap, order, starts))
    in_county = ~out_of_county | referral
    funds = np.where(poor_inpatient & in_county & funds_disease, _fraction_share(own(), rules.funds.ratio), 0)
    pay("funds", _within_year(funds, rules.funds.annual_cap, order, starts))

    poor_rest = poor & ~split
    at_level = poor_rest & np.isin(level, list(rules.waiver_levels)) & ~out_of_county
    outpatient = np.isin(kind, [_TYPE[name] for name in OUTPATIENT_WAIVER_TYPES])
    waiver_amount = np.where(
        inpatient, rules.waiver_inpatient, np.where(outpatient, rules.waiver_outpatient, 0)
    )
    pay("waiver", np.where(at_level, np.minimum(own(), waiver_amount), 0))

    # The self-pay cap (R3 L137/L145 or R6 L277/L287); over-treatment makes the excess the hospital's.
    if rules.switches.self_pay_cap_reading == "r6":
        capped = (inpatient & in_county) | (kind == _TYPE["chronic_outpatient"])
    else:
        capped = inpatient
    capped &= poor_rest
    share = rules.self_pay_share()
    excess = np.where(capped, np.maximum(own() - _fraction_share(total, share), 0), 0)
    if rules.switches.annual_personal_cap == "poverty_line":
        # R6 L277: the year's own inpatient spending stops at the poverty line.
        personal = np.where(poor_inpatient, np.maximum(own() - excess, 0), 0)
        excess = excess + personal - _within_year(personal, rules.poverty_line, order, starts)
    pay("hospital_borne", np.where(over_treatment, excess, 0))
    pay("backstop", np.where(over_treatment, 0, excess))
    return paid
