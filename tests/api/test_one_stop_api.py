"""One-stop settlement through the API: a billing system records the facts and gets every layer back."""

from decimal import Decimal

import pytest

from tests.poverty.fixtures import build_poverty, publish_one_stop
from weijian.insurance.models import Settlement

LAYERS = ("serious_illness", "supplementary", "assistance", "funds", "waiver", "backstop", "hospital_borne")


@pytest.fixture
def poverty(world):
    made = build_poverty(world)
    publish_one_stop(world)
    return made


def test_the_api_takes_the_one_stop_facts_and_returns_every_layer(world, poverty, api_as):
    li_yi = poverty.persons["li_yi"]
    client = api_as(world.users["institution_cashier"])
    created = client.post(
        "/claims",
        {
            "card": li_yi.member.card_number,
            "claim_type": "inpatient",
            "admit_date": "2026-11-01",
            "discharge_date": "2026-11-10",
            "total": "20000",
            "self_pay": "4000",
            "over_treatment": True,
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["poor"] is True
    settled = client.post(f"/claims/{created.json()['id']}/settle", {})
    body = settled.json()
    assert (body["hospital_borne"], body["backstop"], body["patient_pays"]) == ("3532.00", "0.00", "1900.00")
    parts = ("reimbursed", *LAYERS, "patient_pays")
    assert sum(Decimal(body[name]) for name in parts) == Decimal(body["total"])
    assert Settlement.objects.get(pk=body["id"]).hospital_borne == Decimal("3532.00")
