"""One-stop settlement for the poor as data: each claim's layers, worked by hand from seed-003 §2.11, §4.7
(R3 L131–L145, R6 L277–L287), checked on the scalar path and on the batch path."""

import datetime
import tomllib
from pathlib import Path

import numpy as np
import pytest

from weijian.insurance.engine.batch import LAYER_COLUMNS, settle_batch, table_from_claims
from weijian.insurance.engine.policy import (
    POLICY_DIR,
    PolicyError,
    demo_policy,
    load_policy,
    load_policy_text,
)
from weijian.insurance.engine.scalar import LAYER_NAMES, Claim, ClaimError, settle_year

from .support import claim_from_row, fen, poverty_policy_with

CASES_DIR = Path(__file__).parent / "cases_poverty"
MONEY_FIELDS = ("deductible", "reimbursed", "patient_pays", *LAYER_NAMES)
FLAG_FIELDS = ("eligible", "reason")


def _cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            for case in tomllib.load(handle)["case"]:
                yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _actual(settlement, key):
    if key in LAYER_NAMES:
        return getattr(settlement.layers, key)
    return getattr(settlement, key)


@pytest.mark.parametrize("case", list(_cases()))
def test_poverty_case(case):
    policy = poverty_policy_with(case.get("poverty"), case.get("switches"))
    claims = [claim_from_row(row) for row in case["claims"]]
    settled = settle_year(claims, policy)
    by_id = {s.claim_id: s for s in settled}
    assert case["expect"], "a case must expect something"
    for expected in case["expect"]:
        settlement = by_id[expected["claim_id"]]
        unknown = set(expected) - {"claim_id", *MONEY_FIELDS, *FLAG_FIELDS}
        assert not unknown, f"unknown expectation keys {unknown}"
        actual = {key: _actual(settlement, key) for key in expected if key != "claim_id"}
        wanted = {key: fen(value) if key in MONEY_FIELDS else value for key, value in expected.items()}
        del wanted["claim_id"]
        assert actual == wanted, f"claim {expected['claim_id']}: steps {settlement.steps}"
    for claim, settlement in zip(claims, settled, strict=True):
        assert sum(settlement.layers.amounts().values()) == claim.total
        assert settlement.patient_pays == settlement.layers.patient_pays
        assert settlement.layers.basic == settlement.reimbursed
    batch = settle_batch(table_from_claims(claims), policy)
    for name in (*LAYER_COLUMNS, "patient_pays"):
        scalar = np.array([s.layers.amounts()[name] for s in settled])
        assert batch[name].tolist() == scalar.tolist(), name


def test_demo_poverty_extends_demo_ncms_and_adds_the_layers():
    poverty = load_policy(POLICY_DIR / "demo-poverty.toml")
    ncms = demo_policy()
    assert poverty.code == "demo-poverty"
    assert poverty.name == "示范县健康扶贫一站式结算方案（演示）"
    assert poverty.levels == ncms.levels and poverty.inpatient_cap == ncms.inpatient_cap
    assert ncms.poverty is None
    rules = poverty.poverty
    assert rules.serious_illness.poor_deductible == fen(6000)
    assert rules.serious_illness.annual_cap == fen(250000)
    assert rules.self_pay_share() * 1000 == 95
    assert len(rules.major_diseases) == 15 and rules.major_diseases[0] == "mdr_tb"


def test_a_stored_policy_text_extends_a_base_given_by_the_resolver():
    base = tomllib.loads((POLICY_DIR / "demo-ncms.toml").read_text(encoding="utf-8"))
    text = (POLICY_DIR / "demo-poverty.toml").read_text(encoding="utf-8")
    text = text.replace('extends = "demo-ncms"', 'extends = "county-2012"')
    text = text.replace("poverty_line = 3535", "poverty_line = 2800")
    asked = []

    def resolve(code):
        asked.append(code)
        changed = dict(base, inpatient={**base["inpatient"], "cap": 60000})
        return changed

    policy = load_policy_text(text, resolve)
    assert asked == ["county-2012"]
    assert policy.inpatient_cap == fen(60000)
    assert policy.poverty.poverty_line == fen(2800)
    assert policy.code == "demo-poverty"


def test_an_unknown_poverty_key_is_refused_by_its_dotted_name():
    text = (POLICY_DIR / "demo-poverty.toml").read_text(encoding="utf-8")
    text = text.replace("poor_ratio = ", "poor_rate = ")
    with pytest.raises(PolicyError) as error:
        load_policy_text(text)
    assert error.value.key in ("poverty.serious_illness.poor_ratio", "poverty.serious_illness.poor_rate")


def test_extending_an_unknown_policy_is_refused():
    text = (POLICY_DIR / "demo-poverty.toml").read_text(encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.extends: no built-in policy named nowhere"):
        load_policy_text(text.replace('extends = "demo-ncms"', 'extends = "nowhere"'))


def test_policies_that_extend_each_other_in_a_circle_are_refused():
    documents = {
        "a": {"policy": {"code": "a", "extends": "b"}},
        "b": {"policy": {"code": "b", "extends": "a"}},
    }
    with pytest.raises(PolicyError, match="circle"):
        load_policy_text('[policy]\ncode = "c"\nextends = "a"\n', documents.__getitem__)


def test_a_major_disease_not_on_the_list_is_refused_on_both_paths():
    policy = poverty_policy_with()
    claim = Claim(
        "a",
        "p",
        "inpatient",
        2,
        datetime.date(2012, 1, 1),
        datetime.date(2012, 1, 2),
        total=100000,
        poor=True,
        major_disease="flu",
    )
    with pytest.raises(ClaimError) as error:
        settle_year([claim], policy)
    assert error.value.field == "major_disease"
    with pytest.raises(ClaimError) as error:
        settle_batch(table_from_claims([claim]), policy)
    assert error.value.field == "major_disease"


def test_every_layer_is_explained_with_its_clause():
    claim = claim_from_row(
        {"claim_id": "a", "claim_type": "inpatient", "facility_level": 2, "total": "50000", "poor": True}
    )
    (settlement,) = settle_year([claim], poverty_policy_with())
    steps = {name: clause for name, _, clause in settlement.steps}
    assert steps["poor_no_deductible"] == "R3 L131"
    assert steps["serious_illness"] == "R3 L135"
    assert steps["supplementary"] == "R3 L137"
    assert steps["waiver"] == "R3 L141"
    assert settlement.steps[-1] == ("patient_pays", settlement.patient_pays, "R3 L129")
