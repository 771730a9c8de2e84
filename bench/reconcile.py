"""Benchmark: reconcile a poverty roster of N rows against an insurance enrolment of M rows.

    .venv/bin/python bench/reconcile.py [--registry 1000000] [--enrolment 10000000]

Builds seeded synthetic lists (generation not timed): a population of M persons with valid GB 11643
numbers computed with numpy, an enrolment list of all of them with a planted share of mistyped numbers
and of rows written twice, and a roster of N of them, some mistyped, some twice, some absent from the
enrolment. Times `reconcile({"poverty": ..., "insurance": ...})` end to end (best and median of 3), and
as the floor a bare polars inner join of the two ID-number columns in the same run. Checks that the
findings are the planted ones. Target (issue): ≤ 60 s for 1,000,000 against 10,000,000 rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import polars as pl

from weijian.poverty.engine.idnumber import CHECK_CHARS, WEIGHTS
from weijian.poverty.engine.reconcile import reconcile

REPEATS = 3
TODAY = datetime.date(2026, 11, 24)
FIRST_DAY = np.datetime64("1935-01-01")
DAYS = 32_000  # birth dates 1935-2022
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅兵文辉")
# Shares planted (of the roster, of the enrolment).
ABSENT = 0.02
ROSTER_INVALID = 0.01
ROSTER_TWICE = 0.005
ENROLMENT_INVALID = 0.005
ENROLMENT_TWICE = 0.01


def check_chars(body: np.ndarray) -> np.ndarray:
    """GB 11643 check character index (into CHECK_CHARS) of 17-digit bodies, vectorised."""
    total = np.zeros(body.size, dtype=np.int64)
    for i, weight in enumerate(WEIGHTS):
        total += (body // 10 ** (16 - i) % 10) * weight
    return total % 11


def population(count: int, rng: np.random.Generator) -> pl.DataFrame:
    """`count` distinct persons: valid numbers, names, birth dates and villages of one prefecture."""
    index = rng.permutation(count)
    day = index % DAYS
    seq = index // DAYS  # (birth date, sequence) is unique per person
    birth = FIRST_DAY + day.astype("timedelta64[D]")
    month_start = birth.astype("datetime64[M]")
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    day_of_month = (birth - month_start).astype(np.int64) + 1
    birth_int = year * 10_000 + month * 100 + day_of_month
    county = 510100 + rng.integers(1, 30, count)
    body = county * 10**11 + birth_int * 1000 + seq
    village = county * 10**6 + rng.integers(1, 21, count) * 1000 + rng.integers(1, 31, count)
    check = check_chars(body)
    names = pl.Series(SURNAMES).gather(rng.integers(0, len(SURNAMES), count)) + pl.Series(GIVEN).gather(
        rng.integers(0, len(GIVEN), count)
    )
    return pl.DataFrame({
        "body": body,
        "check": check,
        "name": names,
        "birth_date": pl.Series(birth).cast(pl.Date),
        "village": pl.Series(village).cast(pl.String),
    })  # fmt: skip


def id_numbers(frame: pl.DataFrame, mistyped: np.ndarray) -> pl.Series:
    """The numbers as text; where `mistyped`, the check character is replaced by a wrong one."""
    check = frame["check"].to_numpy()
    check = np.where(mistyped, (check + 1) % 11, check)
    chars = pl.Series(list(CHECK_CHARS)).gather(check)
    return frame["body"].cast(pl.String) + chars


def build(registry: int, enrolment: int, seed: int = 20181017) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    people = population(enrolment, rng)
    # The roster: the first `registry` persons; disjoint planted groups so the expected counts are exact.
    kinds = rng.permutation(registry)
    n_absent, n_invalid, n_twice = (int(registry * s) for s in (ABSENT, ROSTER_INVALID, ROSTER_TWICE))
    absent = kinds[:n_absent]
    invalid = kinds[n_absent : n_absent + n_invalid]
    twice = kinds[n_absent + n_invalid : n_absent + n_invalid + n_twice]
    roster = people.head(registry)
    mistyped = np.zeros(registry, dtype=bool)
    mistyped[invalid] = True
    status = np.where(rng.random(registry) < 0.9, "poor", "exited")
    roster = roster.with_columns(id_number=id_numbers(roster, mistyped), status=pl.Series(status))
    roster = pl.concat([roster, roster[twice]]).with_columns(
        row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64)
    )
    # The enrolment: everyone but the absentees; some others mistyped or twice (persons outside the roster
    # for the mistyped ones, so each is found once as invalid and matched by nobody).
    keep = np.ones(enrolment, dtype=bool)
    keep[absent] = False
    outside = rng.permutation(np.arange(registry, enrolment))
    n_ins_invalid, n_ins_twice = int(enrolment * ENROLMENT_INVALID), int(enrolment * ENROLMENT_TWICE)
    ins_mistyped = np.zeros(enrolment, dtype=bool)
    ins_mistyped[outside[:n_ins_invalid]] = True
    ins_twice = rng.choice(np.flatnonzero(keep & ~ins_mistyped), n_ins_twice, replace=False)
    insured = people.with_columns(id_number=id_numbers(people, ins_mistyped), status=pl.lit(""))
    insured = pl.concat([insured.filter(pl.Series(keep)), insured[ins_twice]])
    insured = insured[rng.permutation(insured.height)].with_columns(
        row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64)
    )
    columns = ["row", "id_number", "name", "birth_date", "village", "status"]
    expected = {
        ("invalid_id", "poverty"): n_invalid,
        ("invalid_id", "insurance"): n_ins_invalid,
        ("duplicate", "poverty"): n_twice,
        ("duplicate", "insurance"): n_ins_twice,
        ("not_enrolled", "poverty"): int((status[absent] == "poor").sum()),
    }
    return roster.select(columns), insured.select(columns), expected


def timed(run) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=int, default=1_000_000)
    parser.add_argument("--enrolment", type=int, default=10_000_000)
    args = parser.parse_args()

    start = time.perf_counter()
    roster, insured, expected = build(args.registry, args.enrolment)
    generated = time.perf_counter() - start
    after_generation = peak_mib()
    print(
        f"generated {roster.height:,} roster rows and {insured.height:,} enrolment rows in {generated:.1f} s"
    )
    print(
        f"python {platform.python_version()}, polars {pl.__version__}, numpy {np.__version__}, {os.cpu_count()} cores"
    )

    floor_best, floor_median, joined = timed(
        lambda: roster.select("id_number").join(insured.select("id_number"), on="id_number")
    )
    print(
        f"floor: inner join of the ID columns ({joined.height:,} pairs): best {floor_best:.2f} s, median {floor_median:.2f} s"
    )
    after_floor = peak_mib()

    best, median, result = timed(lambda: reconcile({"poverty": roster, "insurance": insured}, today=TODAY))
    print(f"reconcile: best {best:.2f} s, median {median:.2f} s ({best / floor_best:.1f}× the floor)")
    print(
        f"peak RSS: {after_generation:,.0f} MiB after generation, {after_floor:,.0f} MiB after the floor, "
        f"{peak_mib():,.0f} MiB after reconcile"
    )

    found = result.findings.group_by("kind", "source").agg(n=pl.len()).sort("kind", "source")
    got = {(kind, source): n for kind, source, n in found.iter_rows()}
    for key in sorted(set(got) | set(expected)):
        mark = "" if got.get(key) == expected.get(key) else "   <-- differs"
        print(
            f"  {key[0]:>14} {key[1]:<10} found {got.get(key, 0):>9,}  planted {expected.get(key, 0):>9,}{mark}"
        )
    by = result.matches.group_by("by").agg(n=pl.len()).sort("by")
    print("  matches:", dict(by.iter_rows()))
    print("verdict:", "within" if best <= 60 else "OVER", "the 60 s target")


if __name__ == "__main__":
    main()
