import datetime

import pytest

from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import Claim, ClaimError, PersonYear, settle, settle_year

DAY = datetime.date(2012, 6, 1)


def _claim(**overrides) -> Claim:
    values = {
        "claim_id": "c1",
        "person_id": "p1",
        "claim_type": "inpatient",
        "facility_level": 1,
        "admit_date": DAY,
        "discharge_date": DAY,
        "total": 100000,
    }
    values.update(overrides)
    return Claim(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claim_type": "dental"}, "claim_type"),
        ({"facility_level": 4}, "facility_level"),
        ({"self_pay": -1}, "self_pay"),
        ({"self_pay": 60000, "special_exam": 50000}, "total"),
        ({"other_insurance_paid": 100001}, "other_insurance_paid"),
        ({"discharge_date": DAY - datetime.timedelta(days=1)}, "discharge_date"),
        ({"special_group": "veteran"}, "special_group"),
        ({"claim_type": "cataract_outpatient", "eyes": 0}, "eyes"),
        ({"claim_type": "chronic_outpatient"}, "chronic_disease"),
    ],
)
def test_an_inconsistent_claim_is_refused_naming_the_field(overrides, field):
    with pytest.raises(ClaimError) as raised:
        _claim(**overrides)
    assert raised.value.field == field


def test_settling_against_another_persons_year_is_refused():
    with pytest.raises(ValueError, match="state is for p2/2012"):
        settle(_claim(), PersonYear(person_id="p2", year=2012), demo_policy())


def test_a_claim_id_may_appear_only_once_in_a_year_batch():
    with pytest.raises(ClaimError, match="appears twice"):
        settle_year([_claim(), _claim(total=5000)], demo_policy())


def test_settlement_steps_cite_the_clause_and_add_up_to_the_reimbursement():
    claim = _claim(
        facility_level=2, total=1_000_000, self_pay=100_000, special_exam=200_000, special_material=100_000
    )
    settlement = settle(claim, PersonYear(person_id="p1", year=2012), demo_policy())
    codes = [code for code, _, _ in settlement.steps]
    assert codes[:5] == [
        "total",
        "self_pay",
        "special_exam_not_counted",
        "special_material_not_counted",
        "deductible",
    ]
    assert all(clause.startswith("篇6 §6.4") for _, _, clause in settlement.steps)
    pooled = sum(amount for code, amount, _ in settlement.steps[:5])
    assert pooled == settlement.pooled == 720_000
    assert settlement.steps[-1] == ("reimbursed", 468_000, "篇6 §6.4.3")


def test_an_ineligible_claim_leaves_the_year_unchanged():
    state = PersonYear(person_id="p1", year=2012)
    settlement = settle(_claim(facility_level=2, designated=False), state, demo_policy())
    assert settlement.state == state
    assert settlement.state.first_admission_deductible_paid is False
