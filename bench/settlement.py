"""Benchmark: settle N synthetic claims (default 1,000,000) with the batch engine.

    .venv/bin/python bench/settlement.py [--claims 1000000] [--scalar-sample 20000]

Times, best and median of 3: the batch path over the whole set as columns; the scalar path (one
Claim at a time, with its step-by-step explanation) over a sample; and, as the machine's floor, a
bare hand-vectorised inpatient formula (deductible, ratio by level, annual cap by a running total per
person) over the same columns. Targets: batch ≤ 1 s per million claims and within 3× the floor;
scalar ≥ 20,000 claims/s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

from weijian.insurance.engine.batch import CLAIM_TYPES, GROUPS, settle_batch
from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import TOTAL_PARTS, Claim, settle_year

DISEASES = ("", "stroke", "fracture", "pneumonia", "viral_hepatitis")
CHRONIC = ("", "hypertension", "diabetes", "chronic_nephritis", "asthma")
EPOCH = np.datetime64("2012-01-01")
REPEATS = 3


def synthetic_table(count: int, seed: int = 20120601) -> dict[str, np.ndarray]:
    """A seeded year of claims as columns: about four claims per person, every claim type."""
    rng = np.random.default_rng(seed)
    types = rng.choice(len(CLAIM_TYPES), count, p=[0.45, 0.25, 0.1, 0.05, 0.05, 0.05, 0.05])
    totals = np.where(
        rng.random(count) < 0.05, rng.integers(0, 15_000_000, count), rng.integers(0, 800_000, count)
    )
    discharge = EPOCH + rng.integers(0, 366, count).astype("timedelta64[D]")
    table = {
        "claim_id": np.arange(count, dtype=np.int64),
        "person_id": rng.integers(0, max(count // 4, 1), count),
        "claim_type": types,
        "facility_level": rng.integers(1, 4, count),
        "discharge_date": discharge,
        "admit_date": discharge - rng.integers(0, 8, count).astype("timedelta64[D]"),
        "total": totals,
        "tcm_amount": np.where(rng.random(count) < 0.1, totals, 0),
        "other_insurance_paid": np.where(rng.random(count) < 0.05, totals // 2, 0),
        "disease": rng.integers(0, len(DISEASES), count),
        "disease_vocabulary": DISEASES,
        "special_group": np.where(rng.random(count) < 0.1, rng.integers(1, len(GROUPS), count), 0),
        "chronic_disease": np.where(
            types == CLAIM_TYPES.index("chronic_outpatient"), rng.integers(1, len(CHRONIC), count), 0
        ),
        "chronic_disease_vocabulary": CHRONIC,
        "specialist": rng.random(count) < 0.1,
        "designated": rng.random(count) > 0.02,
        "for_profit": rng.random(count) < 0.02,
        "out_of_county": rng.random(count) < 0.1,
        "referral": rng.random(count) < 0.5,
        "migrant_certificate": rng.random(count) < 0.1,
        "eyes": np.where(types == CLAIM_TYPES.index("cataract_outpatient"), rng.integers(1, 3, count), 0),
    }
    for name in TOTAL_PARTS:
        table[name] = (totals * rng.random(count) * 0.15).astype(np.int64)
    return table


def claims_from_table(table: dict, rows: np.ndarray) -> list[Claim]:
    def day(value) -> datetime.date:
        return datetime.date(2012, 1, 1) + datetime.timedelta(days=int((value - EPOCH).astype(int)))

    claims = []
    for i in rows:
        claims.append(
            Claim(
                claim_id=f"c{table['claim_id'][i]:07d}",
                person_id=f"p{table['person_id'][i]:07d}",
                claim_type=CLAIM_TYPES[table["claim_type"][i]],
                facility_level=int(table["facility_level"][i]),
                specialist=bool(table["specialist"][i]),
                admit_date=day(table["admit_date"][i]),
                discharge_date=day(table["discharge_date"][i]),
                disease=DISEASES[table["disease"][i]],
                total=int(table["total"][i]),
                tcm_amount=int(table["tcm_amount"][i]),
                other_insurance_paid=int(table["other_insurance_paid"][i]),
                special_group=GROUPS[table["special_group"][i]],
                designated=bool(table["designated"][i]),
                for_profit=bool(table["for_profit"][i]),
                out_of_county=bool(table["out_of_county"][i]),
                referral=bool(table["referral"][i]),
                migrant_certificate=bool(table["migrant_certificate"][i]),
                eyes=int(table["eyes"][i]),
                chronic_disease=CHRONIC[table["chronic_disease"][i]],
                **{name: int(table[name][i]) for name in TOTAL_PARTS},
            )
        )
    return claims


def floor(table: dict, policy) -> np.ndarray:
    """The least any engine must do: deductible, ratio by level, annual cap per person."""
    deductibles = np.array([0] + [policy.levels[level].deductible for level in (1, 2, 3)])
    numerators = np.array([0] + [policy.levels[level].ratio.numerator for level in (1, 2, 3)])
    denominators = np.array([1] + [policy.levels[level].ratio.denominator for level in (1, 2, 3)])
    level = table["facility_level"]
    pooled = np.maximum(table["total"] - table["self_pay"] - deductibles[level], 0)
    raw = (2 * pooled * numerators[level] + denominators[level]) // (2 * denominators[level])
    order = np.lexsort((table["discharge_date"], table["person_id"]))
    person = table["person_id"][order]
    sums = np.cumsum(raw[order])
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = person[1:] != person[:-1]
    before = (sums - raw[order])[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    spent = np.minimum(sums - before, policy.inpatient_cap)
    reimbursed = np.empty_like(raw)
    reimbursed[order] = np.diff(spent, prepend=0)
    reimbursed[order[starts]] = spent[starts]
    return reimbursed


def timed(run) -> tuple[float, float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--scalar-sample", type=int, default=20_000)
    options = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    policy = demo_policy()
    start = time.perf_counter()
    table = synthetic_table(options.claims)
    print(f"generated {options.claims:,} claims in {time.perf_counter() - start:.2f} s")

    batch_best, batch_median = timed(lambda: settle_batch(table, policy))
    floor_best, floor_median = timed(lambda: floor(table, policy))
    print(
        f"batch: best {batch_best:.3f} s, median {batch_median:.3f} s ({options.claims / batch_best:,.0f} claims/s)"
    )
    print(f"floor: best {floor_best:.3f} s, median {floor_median:.3f} s")
    print(f"batch / floor: {batch_best / floor_best:.1f}× (target ≤ 3×); batch target ≤ 1 s per million")

    sample = np.random.default_rng(1).choice(options.claims, options.scalar_sample, replace=False)
    claims = claims_from_table(table, np.sort(sample))
    scalar_best, scalar_median = timed(lambda: settle_year(claims, policy))
    print(
        f"scalar with explanation on {len(claims):,} claims: best {scalar_best:.3f} s, "
        f"median {scalar_median:.3f} s ({len(claims) / scalar_best:,.0f} claims/s, target ≥ 20,000)"
    )


if __name__ == "__main__":
    main()
