"""Policy cases written as data: each claim's expected outcome, worked by hand from 篇6 §6.4."""

import tomllib
from pathlib import Path

import pytest

from weijian.insurance.engine.money import parse_percent
from weijian.insurance.engine.scalar import settle_year

from .support import claim_from_row, fen, policy_with

CASES_DIR = Path(__file__).parent / "cases"
MONEY_FIELDS = ("eligible_cost", "deductible", "pooled", "reimbursed", "patient_pays")
FLAG_FIELDS = ("eligible", "reason", "cap_applied")


def _cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            for case in tomllib.load(handle)["case"]:
                yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_policy_case(case):
    policy = policy_with(case.get("switches"))
    claims = [claim_from_row(row) for row in case["claims"]]
    settlements = {s.claim_id: s for s in settle_year(claims, policy)}
    assert case["expect"], "a case must expect something"
    for expected in case["expect"]:
        settlement = settlements[expected["claim_id"]]
        unknown = set(expected) - {"claim_id", "ratio", *MONEY_FIELDS, *FLAG_FIELDS}
        assert not unknown, f"unknown expectation keys {unknown}"
        actual, wanted = {}, {}
        for key, value in expected.items():
            if key in MONEY_FIELDS:
                actual[key], wanted[key] = getattr(settlement, key), fen(value)
            elif key == "ratio":
                actual[key], wanted[key] = settlement.ratio, parse_percent(value)
            elif key in FLAG_FIELDS:
                actual[key], wanted[key] = getattr(settlement, key), value
        assert actual == wanted, f"claim {expected['claim_id']}: steps {settlement.steps}"
