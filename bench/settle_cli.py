"""Benchmark: `weijian settle` end to end on a synthetic claims CSV (default 1,000,000 rows).

    .venv/bin/python bench/settle_cli.py [--claims 1000000] [--scalar-sample 20000] [--policy demo-ncms]

Writes a seeded claims file to a temporary folder and runs the command as a user would (a new
process, CSV in and out included), best and median of 3: without --explain (columnar reader, batch
engine, columnar writer) over the whole file, and with --explain (row reader, scalar engine, steps)
over a sample, for the ratio. With a policy that has the one-stop layers for the poor (--policy
demo-poverty) the file also has the columns poor (about a third of the claims), major_disease and
over_treatment. The two settlements files must agree on the sample. Target: ≤ 5 s per
million rows on two cores. The phases of one batch run (read, engine, write) are timed in process too.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from settlement import CHRONIC, DISEASES, synthetic_table
from weijian.insurance.engine.batch import CLAIM_TYPES, GROUPS
from weijian.insurance.engine.scalar import TOTAL_PARTS

WEIJIAN = Path(sys.executable).with_name("weijian")
REPEATS = 3
OPTIONAL_AMOUNTS = (*TOTAL_PARTS, "tcm_amount", "other_insurance_paid")
FLAGS = ("specialist", "designated", "for_profit", "out_of_county", "referral", "migrant_certificate")


def _yuan(fen: np.ndarray, blank_zero: bool) -> list[str]:
    whole = (fen // 100).astype(str)
    cents = np.char.zfill((fen % 100).astype(str), 2)
    text = np.char.add(np.char.add(whole, "."), cents)
    # Whole yuan are often written without decimals, and zero optional amounts left empty.
    text = np.where(fen % 100 == 0, whole, text)
    return np.where(blank_zero & (fen == 0), "", text).tolist()


def write_claims_csv(path: Path, count: int, seed: int = 20120601, poverty: bool = False) -> None:
    """The synthetic year of bench/settlement.py as the claims file a county would send."""
    table = synthetic_table(count, seed)
    columns: dict[str, list[str]] = {
        "claim_id": np.char.add("c", np.char.zfill(table["claim_id"].astype(str), 7)).tolist(),
        "person_id": np.char.add("p", np.char.zfill(table["person_id"].astype(str), 7)).tolist(),
        "claim_type": np.array(CLAIM_TYPES)[table["claim_type"]].tolist(),
        "facility_level": table["facility_level"].astype(str).tolist(),
        "admit_date": table["admit_date"].astype(str).tolist(),
        "discharge_date": table["discharge_date"].astype(str).tolist(),
        "total": _yuan(table["total"], blank_zero=False),
    }
    for name in OPTIONAL_AMOUNTS:
        columns[name] = _yuan(table[name], blank_zero=True)
    for name in FLAGS:
        columns[name] = table[name].astype(np.int8).astype(str).tolist()
    columns["disease"] = np.array(DISEASES)[table["disease"]].tolist()
    columns["chronic_disease"] = np.array(CHRONIC)[table["chronic_disease"]].tolist()
    columns["special_group"] = np.array(GROUPS)[table["special_group"]].tolist()
    columns["eyes"] = table["eyes"].astype(str).tolist()
    if poverty:
        generator = np.random.default_rng(seed + 1)
        poor = generator.random(count) < 0.3
        columns["poor"] = poor.astype(np.int8).astype(str).tolist()
        major = np.where(poor & (generator.random(count) < 0.05), "mdr_tb", "")
        columns["major_disease"] = major.tolist()
        columns["over_treatment"] = (generator.random(count) < 0.02).astype(np.int8).astype(str).tolist()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(columns) + "\n")
        handle.write("\n".join(map(",".join, zip(*columns.values(), strict=True))))
        handle.write("\n")


def sample_csv(source: Path, target: Path, count: int) -> None:
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for _, line in zip(range(count + 1), lines, strict=False):
            out.write(line)


POLICY = "demo-ncms"


def settle(claims: Path, out: Path, *extra: str) -> float:
    command = [str(WEIJIAN), "settle", "--policy", POLICY, "--claims", str(claims), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run([*command, *extra], check=True, capture_output=True)
    return time.perf_counter() - start


def timed(run) -> tuple[float, float]:
    times = [run() for _ in range(REPEATS)]
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--scalar-sample", type=int, default=20_000)
    parser.add_argument("--policy", default="demo-ncms", help="a built-in policy, e.g. demo-poverty")
    options = parser.parse_args()
    global POLICY
    POLICY = options.policy
    import polars

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, polars {polars.__version__}"
    )
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        claims = folder / "claims.csv"
        start = time.perf_counter()
        write_claims_csv(claims, options.claims, poverty=options.policy != "demo-ncms")
        size = claims.stat().st_size / 2**20
        print(f"wrote {options.claims:,} claims ({size:.0f} MiB) in {time.perf_counter() - start:.1f} s")

        startup, _ = timed(lambda: _startup())
        phases = _phases(claims, folder / "phases.csv")
        batch_best, batch_median = timed(lambda: settle(claims, folder / "settled.csv"))
        sample = folder / "sample.csv"
        sample_count = min(options.scalar_sample, options.claims)
        sample_csv(claims, sample, sample_count)
        scalar_best, scalar_median = timed(
            lambda: settle(sample, folder / "sample-scalar.csv", "--explain", str(folder / "steps.jsonl"))
        )
        settle(sample, folder / "sample-batch.csv")
        same = (folder / "sample-batch.csv").read_bytes() == (folder / "sample-scalar.csv").read_bytes()

    batch_rate = options.claims / batch_best
    scalar_rate = sample_count / max(scalar_best - startup, 1e-9)
    rows = [
        ("command start-up (weijian help)", "", f"{startup:.2f}", "", ""),
        (
            "settle, batch (no --explain)",
            f"{options.claims:,}",
            f"{batch_best:.2f}",
            f"{batch_median:.2f}",
            f"{batch_rate:,.0f}",
        ),
        (
            "settle --explain, scalar",
            f"{sample_count:,}",
            f"{scalar_best:.2f}",
            f"{scalar_median:.2f}",
            f"{scalar_rate:,.0f}",
        ),
    ]
    print(f"{'run':34} {'rows':>10} {'best s':>8} {'median s':>9} {'rows/s':>10}")
    for row in rows:
        print(f"{row[0]:34} {row[1]:>10} {row[2]:>8} {row[3]:>9} {row[4]:>10}")
    print("batch phases in process (s): " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases))
    print(f"batch target ≤ 5 s per million rows: {batch_best / options.claims * 1e6:.2f} s per million")
    print(f"scalar --explain would take ≈ {options.claims / scalar_rate:.0f} s for the whole file")
    print(f"batch / scalar speed: {batch_rate / scalar_rate:.0f}×; sample files identical: {same}")


PHASES = """
import sys, time
from pathlib import Path
start = time.perf_counter()
import django
django.setup()
from weijian.insurance import csvio
from weijian.insurance.engine.batch import settle_batch
from weijian.insurance.engine.policy import POLICY_DIR, load_policy
policy = load_policy(POLICY_DIR / f"{sys.argv[3]}.toml")
major = policy.poverty.major_diseases if policy.poverty is not None else None
marks = [("setup", time.perf_counter())]
columns = csvio.read_claims_columns(sys.argv[1], major)
marks.append(("read", time.perf_counter()))
settled = settle_batch(columns.table, policy)
marks.append(("engine", time.perf_counter()))
write = lambda handle: csvio.write_settlement_columns(columns.claim_ids, settled, handle)
csvio.write_files({Path(sys.argv[2]): write})
marks.append(("write", time.perf_counter()))
times = [start] + [mark for _, mark in marks]
print(" ".join(f"{name}={end - begin:.3f}" for (name, end), begin in zip(marks, times)))
"""


def _phases(claims: Path, out: Path) -> list[tuple[str, float]]:
    """Seconds of Django set-up, reading, settling and writing in one batch run."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="weijian.settings")
    result = subprocess.run(
        [sys.executable, "-c", PHASES, str(claims), str(out), POLICY],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    pairs = [item.split("=") for item in result.stdout.split()]
    return [(name, float(seconds)) for name, seconds in pairs]


def _startup() -> float:
    start = time.perf_counter()
    subprocess.run([str(WEIJIAN), "help", "settle"], check=True, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
