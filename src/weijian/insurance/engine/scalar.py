"""Settle one claim at a time against a person's year-to-date state (篇6 §6.4).

Money is integer fen throughout. Ratios are Fractions; a ratio is applied once and the result is
rounded half-up to the fen.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import MappingProxyType

from .money import apply_share
from .policy import FEE_CLASSES, LEVELS, SPECIAL_GROUPS, FeeShare, MajorDiseaseSplit, Policy

INPATIENT_TYPES = ("inpatient", "delivery_pathological")
# Admissions for the one-stop layers: a normal delivery is a stay too, though basic insurance pays it a
# flat rate, so the poor mother's share is held to the self-pay cap like any admission's (R3 L137).
STAY_TYPES = (*INPATIENT_TYPES, "delivery_normal")
CLAIM_TYPES = (
    "inpatient",
    "outpatient",
    "chronic_outpatient",
    "delivery_normal",
    "delivery_pathological",
    "cataract_outpatient",
    "tcm_outpatient",
)
AMOUNT_FIELDS = (
    "total",
    "self_pay",
    *FEE_CLASSES,
    "tcm_amount",
    "excluded_amount",
    "other_insurance_paid",
)
# Parts of the total that cannot overlap, so together they cannot exceed it.
TOTAL_PARTS = ("self_pay", *FEE_CLASSES, "excluded_amount")

# Stable reason codes: the CSV output and the batch path rely on them.
OK = "ok"
NOT_IN_FORCE = "policy_not_in_force"
NOT_DESIGNATED = "not_designated"
FOR_PROFIT = "for_profit"
OUT_OF_COUNTY_NO_REFERRAL = "out_of_county_no_referral"
CHRONIC_DISEASE_NOT_LISTED = "chronic_disease_not_listed"
ANNUAL_CAP = "annual_cap"
CLAIM_CAP = "claim_cap"
CHRONIC_QUOTA = "chronic_quota"
DUAL_COVERAGE_LIMIT = "dual_coverage_limit"

INPATIENT_BUCKET = "inpatient"
OUTPATIENT_BUCKET = "outpatient"

FORMULA = "篇6 §6.4.3"
SCOPE = "篇6 §6.4.1"
EXCLUSIONS = "篇6 §6.4.5(2)"
EXCLUDED_ITEMS = "篇6 §6.4.5(3)"
OUTPATIENT = "篇6 §6.4.2"

# One-stop layers for the poor (seed-003 §2.11, §4.7): the source document and line of each rule.
POOR_DEDUCTIBLE = "R3 L131"
SERIOUS_ILLNESS = "R3 L135"
SUPPLEMENTARY = "R3 L137"
MAJOR_DISEASE = "R3 L139"
ASSISTANCE = "R3 L137, R6 L287"
FUNDS = "R6 L287"
WAIVER = "R3 L141"
SELF_PAY_CAP = {"r3": "R3 L137, L145", "r6": "R6 L277, L287"}
OVER_TREATMENT = "R3 L137"
POVERTY_LINE = "R6 L277"
PATIENT_SHARE = "R3 L129"

# The layers in the order they pay; with patient_pays they add up to the claim's total.
LAYER_NAMES = (
    "basic",
    "serious_illness",
    "supplementary",
    "assistance",
    "funds",
    "waiver",
    "backstop",
    "hospital_borne",
)
OUTPATIENT_WAIVER_TYPES = ("outpatient", "tcm_outpatient", "chronic_outpatient")
# Person-year buckets of the layers (PersonYear.reimbursed).
SERIOUS_ILLNESS_BASE_BUCKET = "serious_illness_base"
SERIOUS_ILLNESS_BUCKET = "serious_illness"
ASSISTANCE_BUCKET = "assistance"
FUNDS_BUCKET = "funds"
PERSONAL_BUCKET = "personal"


class ClaimError(ValueError):
    """A claim's fields are inconsistent; `field` names the offending one."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Claim:
    """One claim row; amounts in fen."""

    claim_id: str
    person_id: str
    claim_type: str
    facility_level: int
    admit_date: datetime.date
    discharge_date: datetime.date
    total: int
    self_pay: int = 0
    special_exam: int = 0
    special_treatment: int = 0
    blood: int = 0
    special_material: int = 0
    partial_items: int = 0
    tcm_amount: int = 0
    excluded_amount: int = 0
    other_insurance_paid: int = 0
    disease: str = ""
    specialist: bool = False
    special_group: str = "none"
    designated: bool = True
    for_profit: bool = False
    out_of_county: bool = False
    referral: bool = False
    migrant_certificate: bool = False
    eyes: int = 0
    chronic_disease: str = ""
    # One-stop settlement for the poor (seed-003 §2.11): a registered poor patient, one of the policy's
    # major diseases (empty: none), and care the hospital recorded as over-treatment (R3 L137).
    poor: bool = False
    major_disease: str = ""
    over_treatment: bool = False

    def __post_init__(self):
        if not self.claim_id:
            raise ClaimError("claim_id", "is required")
        if not self.person_id:
            raise ClaimError("person_id", "is required")
        if self.claim_type not in CLAIM_TYPES:
            raise ClaimError("claim_type", f"must be one of {', '.join(CLAIM_TYPES)}")
        if self.facility_level not in LEVELS:
            raise ClaimError("facility_level", "must be 1, 2 or 3")
        for name in AMOUNT_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ClaimError(name, "must be a non-negative whole number of fen")
        if sum(getattr(self, name) for name in TOTAL_PARTS) > self.total:
            raise ClaimError("total", f"is less than the sum of {', '.join(TOTAL_PARTS)}")
        for name in ("tcm_amount", "other_insurance_paid"):
            if getattr(self, name) > self.total:
                raise ClaimError(name, "exceeds total")
        if self.discharge_date < self.admit_date:
            raise ClaimError("discharge_date", "is before admit_date")
        if self.special_group != "none" and self.special_group not in SPECIAL_GROUPS:
            raise ClaimError("special_group", f"must be none or one of {', '.join(SPECIAL_GROUPS)}")
        if self.claim_type == "cataract_outpatient" and self.eyes not in (1, 2):
            raise ClaimError("eyes", "a cataract claim covers 1 or 2 eyes")
        if self.claim_type == "chronic_outpatient" and not self.chronic_disease:
            raise ClaimError("chronic_disease", "is required for a chronic-disease claim")

    @property
    def year(self) -> int:
        return self.discharge_date.year


@dataclass(frozen=True)
class TransferChain:
    """Consecutive admissions for one disease; one deductible for the whole chain (篇6 §6.4.1)."""

    disease: str
    last_discharge: datetime.date
    deductible_paid: int


@dataclass(frozen=True)
class PersonYear:
    """What earlier claims in the calendar year leave behind for the next one."""

    person_id: str
    year: int
    reimbursed: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    first_admission_deductible_paid: bool = False
    chains: Mapping[str, TransferChain] = field(default_factory=lambda: MappingProxyType({}))

    def reimbursed_in(self, bucket: str) -> int:
        return self.reimbursed.get(bucket, 0)


@dataclass(frozen=True)
class Layers:
    """Who pays what of one claim under a policy with the one-stop layers; the amounts add up to the total."""

    basic: int
    serious_illness: int
    supplementary: int
    assistance: int
    funds: int
    waiver: int
    backstop: int
    hospital_borne: int
    patient_pays: int  # includes anything another insurer covered, as Settlement.patient_pays

    def amounts(self) -> dict[str, int]:
        """Every layer by name, in paying order, then patient_pays."""
        return {name: getattr(self, name) for name in (*LAYER_NAMES, "patient_pays")}


@dataclass(frozen=True)
class Settlement:
    claim_id: str
    eligible: bool
    reason: str
    eligible_cost: int
    deductible: int
    pooled: int
    ratio: Fraction | None  # None for flat-rate benefits
    reimbursed: int
    # What this scheme does not pay: the patient's share, including anything another insurer covered.
    patient_pays: int
    cap_applied: bool
    state: PersonYear
    steps: tuple[tuple[str, int, str], ...]
    # The one-stop layers (None under a policy without them); patient_pays above is then layers.patient_pays.
    layers: Layers | None = None


def _counted(amount: int, share: FeeShare, bracket_mode: str) -> int:
    if share.bracket is None:
        return apply_share(amount, share.counted)
    if bracket_mode == "marginal":
        below = min(amount, share.bracket)
        return apply_share(below, share.counted) + apply_share(amount - below, share.counted_above)
    # "在1000元以内按60%": 以内 includes the bracket amount itself.
    return apply_share(amount, share.counted if amount <= share.bracket else share.counted_above)


def _eligible_cost(claim: Claim, policy: Policy, steps: list) -> int:
    cost = claim.total
    steps.append(("total", claim.total, FORMULA))
    if claim.self_pay:
        cost -= claim.self_pay
        steps.append(("self_pay", -claim.self_pay, FORMULA))
    if claim.excluded_amount:
        cost -= claim.excluded_amount
        steps.append(("excluded_amount", -claim.excluded_amount, EXCLUDED_ITEMS))
    for fee_class in FEE_CLASSES:
        amount = getattr(claim, fee_class)
        if amount:
            not_counted = amount - _counted(
                amount, policy.fee_classes[fee_class], policy.switches.bracket_mode
            )
            cost -= not_counted
            clause = SCOPE if fee_class == "partial_items" else FORMULA
            steps.append((f"{fee_class}_not_counted", -not_counted, clause))
    return cost


def _exclusion(claim: Claim, policy: Policy) -> tuple[str, str] | None:
    if not policy.valid_from <= claim.discharge_date <= policy.valid_to:
        return NOT_IN_FORCE, f"{policy.code} valid_from–valid_to"
    if not claim.designated:
        return NOT_DESIGNATED, EXCLUSIONS
    if claim.for_profit:
        return FOR_PROFIT, EXCLUSIONS
    # Migrant workers and students with a certificate are reviewed at the same-level standard (篇6 §6.4.1).
    if claim.out_of_county and not claim.referral and not claim.migrant_certificate:
        return OUT_OF_COUNTY_NO_REFERRAL, EXCLUSIONS
    if claim.claim_type == "chronic_outpatient" and claim.chronic_disease not in policy.chronic_quotas:
        return CHRONIC_DISEASE_NOT_LISTED, FORMULA
    return None


def _is_tcm_dominant(claim: Claim, policy: Policy) -> bool:
    return claim.total > 0 and claim.tcm_amount >= claim.total * policy.tcm_dominant_share


def _continued_chain(claim: Claim, state: PersonYear, policy: Policy) -> TransferChain | None:
    chain = state.chains.get(claim.disease) if claim.disease else None
    if chain is None:
        return None
    if (claim.admit_date - chain.last_discharge).days > policy.transfer_window_days:
        return None
    return chain


@dataclass
class _Inpatient:
    deductible: int
    pooled: int
    ratio: Fraction
    chain_paid: int


def _inpatient(claim: Claim, state: PersonYear, policy: Policy, cost: int, steps: list) -> _Inpatient:
    level = claim.facility_level
    if claim.specialist and claim.disease in policy.hepatitis_diseases:
        level = policy.hepatitis_standard_level
        steps.append((f"hepatitis_at_level_{level}_standard", 0, SCOPE))
    rule = policy.levels[level]
    ratio = rule.ratio
    tcm_dominant = _is_tcm_dominant(claim, policy)
    if tcm_dominant:
        if policy.switches.tcm_uplift == "points":
            ratio = ratio + policy.tcm_uplift
        else:
            ratio = ratio * (1 + policy.tcm_uplift)
        ratio = min(ratio, Fraction(1))

    chain = _continued_chain(claim, state, policy)
    due = rule.deductible
    if claim.special_group in policy.no_deductible_groups:
        due = 0
        steps.append(("special_group_no_deductible", 0, SCOPE))
    elif _poor_waiver(claim, policy):
        due = 0
        steps.append(("poor_no_deductible", 0, POOR_DEDUCTIBLE))
    elif tcm_dominant:
        due = 0
        steps.append(("tcm_no_deductible", 0, SCOPE))
    elif chain is not None:
        if policy.switches.transfer_chain_deductible == "top_up":
            due = max(0, rule.deductible - chain.deductible_paid)
        else:
            due = 0
        steps.append(("transfer_chain_deductible", 0, SCOPE))
    elif claim.facility_level >= policy.first_admission_min_level and state.first_admission_deductible_paid:
        due = 0
        steps.append(("not_first_admission_no_deductible", 0, SCOPE))
    deductible = min(due, cost)
    if deductible:
        steps.append(("deductible", -deductible, FORMULA))
    chain_paid = (chain.deductible_paid if chain is not None else 0) + deductible
    return _Inpatient(deductible=deductible, pooled=cost - deductible, ratio=ratio, chain_paid=chain_paid)


def _poor_waiver(claim: Claim, policy: Policy) -> bool:
    """A poor patient pays no inpatient deductible at the listed levels (R3 L131); like the special-group
    waiver, the admission still uses up the year's first-admission deductible."""
    rules = policy.poverty
    return rules is not None and claim.poor and claim.facility_level in rules.deductible_waived_levels


def major_disease_split(claim: Claim, policy: Policy) -> MajorDiseaseSplit | None:
    """The fixed split of a poor patient's major-disease admission at a listed level (R3 L139), else None."""
    rules = policy.poverty
    if rules is None or not claim.poor or not claim.major_disease or claim.claim_type not in INPATIENT_TYPES:
        return None
    return rules.major_splits.get(claim.facility_level)


def _check_major_disease(claim: Claim, policy: Policy) -> None:
    rules = policy.poverty
    if rules is not None and claim.major_disease and claim.major_disease not in rules.major_diseases:
        raise ClaimError(
            "major_disease", f"{claim.major_disease!r} is not one of the policy's major diseases"
        )


def _inpatient_limit(state: PersonYear, policy: Policy) -> tuple[int, str]:
    if policy.switches.inpatient_cap_period == "claim":
        return policy.inpatient_cap, CLAIM_CAP
    return policy.inpatient_cap - state.reimbursed_in(INPATIENT_BUCKET), ANNUAL_CAP


def settle(claim: Claim, state: PersonYear, policy: Policy) -> Settlement:
    """Settle one claim given the person's year so far; return the settlement and the new state."""
    if (state.person_id, state.year) != (claim.person_id, claim.year):
        raise ValueError(
            f"claim {claim.claim_id} is for {claim.person_id}/{claim.year}, state is for {state.person_id}/{state.year}"
        )
    _check_major_disease(claim, policy)
    steps: list[tuple[str, int, str]] = []
    excluded = _exclusion(claim, policy)
    if excluded is not None:
        reason, clause = excluded
        steps.append(("total", claim.total, FORMULA))
        steps.append((reason, -claim.total, clause))
        nothing = None if policy.poverty is None else Layers(*([0] * len(LAYER_NAMES)), claim.total)
        return Settlement(
            claim_id=claim.claim_id,
            eligible=False,
            reason=reason,
            eligible_cost=0,
            deductible=0,
            pooled=0,
            ratio=None,
            reimbursed=0,
            patient_pays=claim.total,
            cap_applied=False,
            state=state,
            steps=tuple(steps),
            layers=nothing,
        )

    cost = _eligible_cost(claim, policy, steps)
    deductible = 0
    ratio: Fraction | None = None
    bucket: str | None = None
    limit: int | None = None  # what this claim may still receive under its cap
    limit_reason, limit_clause = ANNUAL_CAP, FORMULA
    new_state = state
    kind = claim.claim_type

    if kind in INPATIENT_TYPES:
        result = _inpatient(claim, state, policy, cost, steps)
        deductible, pooled, ratio = result.deductible, result.pooled, result.ratio
        raw = apply_share(pooled, ratio)
        steps.append(("pooled", pooled, FORMULA))
        steps.append(("ratio_applied", raw, FORMULA))
        chains = dict(state.chains)
        if claim.disease:
            chains[claim.disease] = TransferChain(claim.disease, claim.discharge_date, result.chain_paid)
        # The first county-level admission uses up the year's deductible even when a waiver made it
        # zero: "只计算首次住院的起付线". The county-level test uses the real facility level, not the
        # hepatitis standard.
        new_state = replace(
            state,
            chains=MappingProxyType(chains),
            first_admission_deductible_paid=state.first_admission_deductible_paid
            or claim.facility_level >= policy.first_admission_min_level,
        )
        bucket = INPATIENT_BUCKET
        limit, limit_reason = _inpatient_limit(state, policy)
    elif kind == "delivery_normal":
        pooled = cost
        raw = min(policy.delivery_normal, cost)
        steps.append(("delivery_normal_flat_rate", raw, SCOPE))
        # A delivery is an inpatient stay, so it counts toward the inpatient cap.
        bucket = INPATIENT_BUCKET
        limit, limit_reason = _inpatient_limit(state, policy)
    elif kind == "cataract_outpatient":
        pooled = cost
        raw = min(policy.cataract_per_eye * claim.eyes, cost)
        steps.append(("cataract_flat_rate_per_eye", raw, SCOPE))
    elif kind == "outpatient":
        pooled, ratio = cost, policy.outpatient_ratio
        raw = apply_share(pooled, ratio)
        steps.append(("ratio_applied", raw, FORMULA))
        bucket = OUTPATIENT_BUCKET
        limit = policy.outpatient_annual_cap - state.reimbursed_in(bucket)
        limit_clause = OUTPATIENT
    elif kind == "tcm_outpatient":
        pooled, ratio = cost, policy.tcm_outpatient_ratio
        raw = apply_share(pooled, ratio)
        steps.append(("ratio_applied", raw, SCOPE))
        limit, limit_reason, limit_clause = policy.tcm_outpatient_claim_cap, CLAIM_CAP, SCOPE
    else:  # chronic_outpatient
        pooled, ratio = cost, policy.chronic_ratio
        raw = apply_share(pooled, ratio)
        steps.append(("ratio_applied", raw, FORMULA))
        bucket = f"chronic:{claim.chronic_disease}"
        limit = policy.chronic_quotas[claim.chronic_disease] - state.reimbursed_in(bucket)
        limit_reason = CHRONIC_QUOTA

    reimbursed, reason, cap_applied = raw, OK, False
    if limit is not None and reimbursed > max(limit, 0):
        steps.append((limit_reason, max(limit, 0) - reimbursed, limit_clause))
        reimbursed, reason, cap_applied = max(limit, 0), limit_reason, True
    # Combined compensation must not exceed the actual cost (篇6 §6.4.1 dual coverage).
    dual_limit = claim.total - claim.other_insurance_paid
    if reimbursed > dual_limit:
        steps.append((DUAL_COVERAGE_LIMIT, dual_limit - reimbursed, SCOPE))
        reimbursed, reason = dual_limit, DUAL_COVERAGE_LIMIT
    split = major_disease_split(claim, policy)
    if split is not None:
        # Basic and serious-illness insurance together pay the split's share of the total (R3 L139).
        insurance = apply_share(claim.total, split.insurance)
        if reimbursed > insurance:
            steps.append(("major_disease_insurance_share", insurance - reimbursed, MAJOR_DISEASE))
            reimbursed = insurance
    steps.append(("reimbursed", reimbursed, FORMULA))

    if bucket is not None and reimbursed:
        totals = dict(new_state.reimbursed)
        totals[bucket] = totals.get(bucket, 0) + reimbursed
        new_state = replace(new_state, reimbursed=MappingProxyType(totals))

    layers = None
    patient_pays = claim.total - reimbursed
    if policy.poverty is not None:
        layers, new_state = _layers(claim, policy, cost, reimbursed, split, new_state, steps)
        patient_pays = layers.patient_pays

    return Settlement(
        claim_id=claim.claim_id,
        eligible=True,
        reason=reason,
        eligible_cost=cost,
        deductible=deductible,
        pooled=pooled,
        ratio=ratio,
        reimbursed=reimbursed,
        patient_pays=patient_pays,
        cap_applied=cap_applied,
        state=new_state,
        steps=tuple(steps),
        layers=layers,
    )


def _layers(
    claim: Claim,
    policy: Policy,
    cost: int,
    basic: int,
    split: MajorDiseaseSplit | None,
    state: PersonYear,
    steps: list,
) -> tuple[Layers, PersonYear]:
    """The layers after basic insurance, in the order of seed-003 §4.7; each pays from what is left."""
    rules = policy.poverty
    paid = dict.fromkeys(LAYER_NAMES, 0)
    paid["basic"] = basic
    totals = dict(state.reimbursed)

    def own() -> int:
        # What nobody has paid yet; what another insurer paid is never paid twice (篇6 §6.4.1).
        return max(0, claim.total - claim.other_insurance_paid - sum(paid.values()))

    def pay(layer: str, amount: int, clause: str, step: str | None = None) -> None:
        if amount:
            paid[layer] += amount
            steps.append((step or layer, amount, clause))

    def within_year(bucket: str, amount: int, cap: int) -> int:
        granted = min(amount, max(0, cap - totals.get(bucket, 0)))
        totals[bucket] = totals.get(bucket, 0) + granted
        return granted

    inpatient = claim.claim_type in STAY_TYPES
    if split is not None:
        # R3 L139: insurance (basic + serious illness) and supplementary pay fixed shares of the total;
        # no other layer pays, and the admission stays out of the serious-illness running base.
        insurance = apply_share(claim.total, split.insurance)
        pay("serious_illness", min(insurance - basic, own()), MAJOR_DISEASE)
        pay("supplementary", min(apply_share(claim.total, split.supplementary), own()), MAJOR_DISEASE)
    else:
        if inpatient:
            serious = rules.serious_illness
            deductible, ratio = serious.deductible, serious.ratio
            if claim.poor:
                deductible, ratio = serious.poor_deductible, serious.poor_ratio
            before = totals.get(SERIOUS_ILLNESS_BASE_BUCKET, 0)
            after = before + max(0, cost - basic)
            totals[SERIOUS_ILLNESS_BASE_BUCKET] = after

            def due(base: int) -> int:
                return min(serious.annual_cap, apply_share(max(0, base - deductible), ratio))

            # What the year's base owes now less what it owed before this admission, so one deductible
            # serves the whole year; the running total stops at the annual cap (R3 L135).
            raw = min(max(0, due(after) - due(before)), own())
            pay(
                "serious_illness",
                within_year(SERIOUS_ILLNESS_BUCKET, raw, serious.annual_cap),
                SERIOUS_ILLNESS,
            )
        if claim.poor:
            if inpatient:
                left = max(0, cost - paid["basic"] - paid["serious_illness"])
                pay("supplementary", min(apply_share(left, rules.supplementary_ratio), own()), SUPPLEMENTARY)
                left = max(0, left - paid["supplementary"])
                assistance = min(apply_share(left, rules.assistance.ratio), own())
                granted = within_year(ASSISTANCE_BUCKET, assistance, rules.assistance.annual_cap)
                pay("assistance", granted, ASSISTANCE)
                in_county = not claim.out_of_county or claim.referral
                if in_county and claim.disease in rules.funds_diseases:
                    funds = apply_share(own(), rules.funds.ratio)
                    pay("funds", within_year(FUNDS_BUCKET, funds, rules.funds.annual_cap), FUNDS)
            if claim.facility_level in rules.waiver_levels and not claim.out_of_county:
                if inpatient:
                    pay("waiver", min(own(), rules.waiver_inpatient), WAIVER)
                elif claim.claim_type in OUTPATIENT_WAIVER_TYPES:
                    pay("waiver", min(own(), rules.waiver_outpatient), WAIVER)
            # R3 L137 vs L145: an excess caused by over-treatment is the hospital's, otherwise the backstop's.
            excess_layer = "hospital_borne" if claim.over_treatment else "backstop"
            reading = rules.switches.self_pay_cap_reading
            if reading == "r6":
                capped = (inpatient and (not claim.out_of_county or claim.referral)) or (
                    claim.claim_type == "chronic_outpatient"
                )
            else:
                capped = inpatient
            if capped:
                cap = apply_share(claim.total, rules.self_pay_share())
                pay(excess_layer, max(0, own() - cap), SELF_PAY_CAP[reading])
            if rules.switches.annual_personal_cap == "poverty_line" and inpatient:
                personal = own()
                allowed = within_year(PERSONAL_BUCKET, personal, rules.poverty_line)
                pay(excess_layer, personal - allowed, POVERTY_LINE, f"{excess_layer}_poverty_line")
    patient_pays = claim.total - sum(paid.values())
    steps.append(("patient_pays", patient_pays, PATIENT_SHARE))
    layers = Layers(**paid, patient_pays=patient_pays)
    return layers, replace(state, reimbursed=MappingProxyType(totals))


def settle_year(claims: Iterable[Claim], policy: Policy) -> list[Settlement]:
    """Settle many claims in (person, discharge date, claim id) order; return them in input order."""
    claims = list(claims)
    seen: set[str] = set()
    for claim in claims:
        if claim.claim_id in seen:
            raise ClaimError("claim_id", f"{claim.claim_id} appears twice")
        seen.add(claim.claim_id)
    order = sorted(
        range(len(claims)), key=lambda i: (claims[i].person_id, claims[i].discharge_date, claims[i].claim_id)
    )
    states: dict[tuple[str, int], PersonYear] = {}
    by_index: dict[int, Settlement] = {}
    for index in order:
        claim = claims[index]
        key = (claim.person_id, claim.year)
        if key not in states:
            states[key] = PersonYear(person_id=claim.person_id, year=claim.year)
        settlement = settle(claim, states[key], policy)
        states[key] = settlement.state
        by_index[index] = settlement
    return [by_index[index] for index in range(len(claims))]
