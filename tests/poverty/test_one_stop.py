"""One-stop settlement at the cashier's desk: the registry's poor flag reaches the claim, the county's
layered policy settles it, every layer is stored, shown on the slip and given by the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.poverty.fixtures import build_poverty, publish_one_stop
from weijian.insurance import services as insurance_services
from weijian.insurance.engine.policy import POLICY_DIR
from weijian.insurance.services import InvalidFinancing
from weijian.poverty import services
from weijian.poverty.models import StatusAction

LAYERS = ("reimbursed", "serious_illness", "supplementary", "assistance", "funds", "waiver", "backstop")


@pytest.fixture
def poverty(world):
    made = build_poverty(world)
    publish_one_stop(world)
    return made


def _stay(world, member, **fields):
    cashier = world.users["institution_cashier"]
    claim = insurance_services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=member,
        claim_type="inpatient",
        admit_date=dt.date(2026, 11, 1),
        discharge_date=dt.date(2026, 11, 10),
        **fields,
    )
    return claim, insurance_services.claim_settle(cashier, claim, on=dt.date(2026, 11, 10))


def test_a_poor_patient_is_settled_layer_by_layer_at_the_desk(world, poverty, login):
    li_yi = poverty.persons["li_yi"]
    claim, settlement = _stay(world, li_yi.member, total="20000")
    assert claim.poor is True
    # Level 2, the deductible waived for the poor (R3 L131): basic 20,000 × 65% = 13,000. Serious
    # illness (7,000 − 6,000) × 55% = 550; supplementary 6,450 × 70% = 4,515; assistance 1,935 × 10% =
    # 193.50; level-2 waiver 80; own share 1,661.50 is under 9.5% × 20,000 = 1,900: no backstop.
    amounts = {name: getattr(settlement, name) for name in (*LAYERS, "hospital_borne", "patient_pays")}
    assert amounts == {
        "reimbursed": Decimal("13000.00"),
        "serious_illness": Decimal("550.00"),
        "supplementary": Decimal("4515.00"),
        "assistance": Decimal("193.50"),
        "funds": Decimal("0.00"),
        "waiver": Decimal("80.00"),
        "backstop": Decimal("0.00"),
        "hospital_borne": Decimal("0.00"),
        "patient_pays": Decimal("1661.50"),
    }
    assert settlement.policy.code == "demo-poverty"

    slip = login(world.users["institution_cashier"]).get(
        reverse("insurance:settlement_slip", args=[settlement.pk])
    )
    html = slip.content.decode()
    assert "一站式结算单" in html
    assert 'id="supplementary">4515.00<' in html
    assert 'id="patient-pays">1661.50<' in html


def test_over_treatment_puts_the_excess_on_the_hospital_not_the_backstop(world, poverty):
    li_yi = poverty.persons["li_yi"]
    # Self-pay items of 4,000 are outside the insurances: own share 20,000 − 10,400 (16,000 × 65%)
    # − 0 serious (5,600 under 6,000) − 3,920 (5,600 × 70%) − 168 (1,680 × 10%) − 80 = 5,432 against a
    # cap of 1,900: 3,532 over, borne by the hospital.
    _, settlement = _stay(world, li_yi.member, total="20000", self_pay="4000", over_treatment=True)
    assert (settlement.reimbursed, settlement.supplementary, settlement.assistance) == (
        Decimal("10400.00"),
        Decimal("3920.00"),
        Decimal("168.00"),
    )
    assert (settlement.backstop, settlement.hospital_borne, settlement.patient_pays) == (
        Decimal("0.00"),
        Decimal("3532.00"),
        Decimal("1900.00"),
    )


def test_a_disease_off_the_major_disease_list_is_refused_at_entry(world, poverty):
    with pytest.raises(InvalidFinancing) as caught:
        _stay(world, poverty.persons["li_yi"].member, total="9000", major_disease="common_cold")
    assert caught.value.field == "major_disease"


def test_a_person_who_exited_is_settled_without_the_poverty_layers(world, poverty):
    zhang_yi = poverty.persons["zhang_yi"]
    services.person_status_change(
        world.users["township_staff"],
        zhang_yi,
        action=StatusAction.EXIT,
        effective_on=dt.date(2026, 10, 1),
        reason="人均纯收入稳定超过贫困线",
    )
    claim, settlement = _stay(world, zhang_yi.member, total="20000")
    assert claim.poor is False
    # Basic with the level-2 deductible: (20,000 − 100) × 65% = 12,935; serious illness for everyone
    # (standard 12,000 deductible): base 6,965 → 0. No other layer.
    assert settlement.reimbursed == Decimal("12935.00")
    assert [getattr(settlement, name) for name in LAYERS[1:]] == [Decimal("0.00")] * 6
    assert settlement.patient_pays == Decimal("7065.00")


def test_a_stored_one_stop_version_keeps_the_base_rules_it_was_published_with(world, poverty):
    """demo-poverty v1 was laid over demo-ncms v1; a later demo-ncms v2 (level-2 ratio 70 %) changes
    nothing for it, and only a republished demo-poverty takes the new base."""
    base = (POLICY_DIR / "demo-ncms.toml").read_text(encoding="utf-8")
    raised = base.replace(
        '[inpatient.levels.2]\ndeductible = 100\nratio = "65%"',
        '[inpatient.levels.2]\ndeductible = 100\nratio = "70%"',
    )
    assert raised != base
    insurance_services.policy_publish(None, document=raised, note="二级医院报销比例提高到70%")
    li_yi = poverty.persons["li_yi"]
    _, settlement = _stay(world, li_yi.member, total="20000")
    assert (settlement.policy.code, settlement.policy.version) == ("demo-poverty", 1)
    assert settlement.reimbursed == Decimal("13000.00")  # 20,000 × 65 %

    publish_one_stop(world)
    _, later = _stay(world, li_yi.member, total="10000")
    assert (later.policy.code, later.policy.version) == ("demo-poverty", 2)
    assert later.reimbursed == Decimal("7000.00")  # 10,000 × 70 %, the poor's deductible waived
