"""The claim, settlement and statement pages: the cashier finds the patient by card, enters and settles a
discharge and prints the slip; the scheme clerk reviews the month's statement."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.world import PASSWORD
from weijian.core.models import User
from weijian.insurance import services
from weijian.insurance.models import Claim, ClaimState, ItemDecision, Statement, StatementState

MARCH = dt.date(2026, 3, 1)
DISCHARGE = {
    "claim_type": "inpatient",
    "admit_date": "2026-03-01",
    "discharge_date": "2026-03-10",
    "disease": "肺炎",
    "total": "10000",
    "self_pay": "1000",
    "drug_cost": "4000",
    "off_formulary_drug_cost": "600",
}


def _text(response, element_id: str) -> str:
    """The text inside the element with the id (tags stripped)."""
    html = response.content.decode()
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|td|span|strong|p)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _claim_form_url(client, identifier: str) -> str:
    found = client.post(reverse("insurance:claim_list"), {"identifier": identifier})
    assert found.status_code == 200
    assert found.context["found"] is not None
    return f"{reverse('insurance:claim_new')}?member={found.context['found_token']}"


def _settled_claim(world, wang, *, on=dt.date(2026, 3, 10), **fields) -> Claim:
    cashier = world.users["institution_cashier"]
    values = {key: value for key, value in DISCHARGE.items() if key != "disease"}
    values.update(fields)
    for name in ("admit_date", "discharge_date"):
        values[name] = dt.date.fromisoformat(values[name])
    claim = services.claim_enter(
        cashier, institution=world.institutions["county_hospital"], member=wang, **values
    )
    services.claim_settle(cashier, claim, on=on)
    return claim


def _other_cashier(world) -> User:
    user = User.objects.create_user(
        "th2_cashier", password=PASSWORD, full_name="th2_cashier", organisation=world.orgs["th2"]
    )
    user.groups.add(Group.objects.get(name="institution_cashier"))
    return user


def test_cashier_finds_the_patient_by_card_enters_and_settles_a_discharge(world, wang, login):
    client = login(world.users["institution_cashier"])
    desk = client.post(reverse("insurance:claim_list"), {"identifier": wang.card_number})
    assert _text(desk, "patient-name") == "王大山"
    assert 'id="enter-claim"' in desk.content.decode()

    url = _claim_form_url(client, wang.id_number)
    form = client.get(url)
    assert form.status_code == 200
    assert _text(form, "institution") == "示范县人民医院"
    assert "institution" not in form.context["form"].fields  # a cashier enters for their own hospital

    response = client.post(url, {**DISCHARGE, "settle": "1"}, follow=True)
    claim = Claim.objects.get(member=wang)
    assert response.redirect_chain[-1][0] == reverse("insurance:claim_detail", args=[claim.pk])
    assert claim.state == ClaimState.SETTLED
    # (10000 − 1000 − 100) × 65% = 5785 (level 2).
    assert _text(response, "reimbursed") == "5785.00"
    assert _text(response, "patient-pays") == "4215.00"
    assert _text(response, "deductible") == "100.00"
    assert _text(response, "ratio") == "65%"
    steps = [step["code"] for step in response.context["current"]["steps"]]
    assert steps[:3] == ["total", "self_pay", "deductible"]
    assert 'id="print-slip"' in response.content.decode()


def test_save_then_settle_from_the_claim_page(world, wang, login):
    client = login(world.users["institution_cashier"])
    url = _claim_form_url(client, wang.card_number)
    response = client.post(url, {**DISCHARGE, "save": "1"}, follow=True)
    claim = Claim.objects.get(member=wang)
    assert claim.state == ClaimState.ENTERED
    assert 'id="settle"' in response.content.decode()
    settled = client.post(
        reverse("insurance:claim_detail", args=[claim.pk]), {"action": "settle"}, follow=True
    )
    assert _text(settled, "reimbursed") == "5785.00"
    # Pressing Settle again (a retried request) finds the settlement instead of settling twice.
    client.post(reverse("insurance:claim_detail", args=[claim.pk]), {"action": "settle"})
    assert claim.settlements.count() == 1


def test_unenrolled_patient_settlement_explains_the_reason(world, financing, login):
    patient = financing.households["unenrolled"].members.get()
    client = login(world.users["institution_cashier"])
    desk = client.post(reverse("insurance:claim_list"), {"identifier": patient.card_number})
    assert desk.context["enrolled"] is False
    url = _claim_form_url(client, patient.card_number)
    response = client.post(url, {**DISCHARGE, "settle": "1"}, follow=True)
    assert _text(response, "reimbursed") == "0.00"
    assert 'data-reason="not_enrolled"' in response.content.decode()
    assert response.context["current"]["reason_text"] != "not_enrolled"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"drug_cost": "20000"}, "drug_cost"),
        ({"off_formulary_drug_cost": "5000"}, "off_formulary_drug_cost"),
        ({"discharge_date": "2026-02-01"}, "discharge_date"),
        ({"self_pay": "1000.555"}, "self_pay"),
        ({"total": ""}, "total"),
    ],
)
def test_errors_are_shown_on_the_field_they_name(world, wang, login, changes, field):
    client = login(world.users["institution_cashier"])
    url = _claim_form_url(client, wang.card_number)
    response = client.post(url, {**DISCHARGE, **changes, "settle": "1"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert f'id="field-{field}" class="has-error"' in response.content.decode()
    assert not Claim.objects.exists()


def test_a_cashier_of_another_institution_cannot_open_the_claim(world, wang, client):
    claim = _settled_claim(world, wang)
    settlement = claim.settlements.get()
    client.force_login(_other_cashier(world))
    assert client.get(reverse("insurance:claim_detail", args=[claim.pk])).status_code == 404
    assert client.get(reverse("insurance:settlement_slip", args=[settlement.pk])).status_code == 404
    assert (
        client.post(reverse("insurance:claim_detail", args=[claim.pk]), {"action": "settle"}).status_code
        == 404
    )
    listed = client.get(reverse("insurance:claim_list"))
    assert claim.number not in listed.content.decode()


def test_a_changed_member_in_the_address_is_refused(world, wang, login):
    client = login(world.users["institution_cashier"])
    assert client.get(f"{reverse('insurance:claim_new')}?member={wang.pk}").status_code == 404
    assert client.get(reverse("insurance:claim_new")).status_code == 302


def test_users_without_claims_cannot_open_the_desk(world, login):
    client = login(world.users["supervisor"])
    assert client.get(reverse("insurance:claim_list")).status_code == 403
    assert client.get(reverse("insurance:statement_list")).status_code == 403


def test_the_clerk_enters_a_claim_for_an_institution_they_choose(world, financing, login):
    patient = financing.households["li"].members.get(name="李四")
    client = login(world.users["insurance_clerk"])
    url = _claim_form_url(client, patient.card_number)
    form = client.get(url)
    assert world.institutions["th2"] in form.context["form"].fields["institution"].queryset
    response = client.post(
        url,
        {
            "institution": world.institutions["th2"].pk,
            "claim_type": "outpatient",
            "admit_date": "2026-03-05",
            "total": "100",
            "settle": "1",
        },
        follow=True,
    )
    claim = Claim.objects.get(member=patient)
    assert claim.institution == world.institutions["th2"]
    assert (
        _text(response, "reimbursed") == response.context["current"]["settlement"].reimbursed.to_eng_string()
    )


def test_the_slip_shows_the_patient_the_steps_and_the_policy(world, wang, login):
    claim = _settled_claim(world, wang)
    settlement = claim.settlements.get()
    client = login(world.users["institution_cashier"])
    slip = client.get(reverse("insurance:settlement_slip", args=[settlement.pk]))
    assert slip.status_code == 200
    html = slip.content.decode()
    assert _text(slip, "slip-patient") == "王大山"
    assert _text(slip, "slip-card") == wang.card_number
    assert _text(slip, "slip-institution") == "示范县人民医院"
    assert _text(slip, "reimbursed") == "5785.00"
    assert _text(slip, "patient-pays") == "4215.00"
    assert _text(slip, "slip-policy") == f"{settlement.policy.code} v{settlement.policy.version}"
    for code in ("total", "self_pay", "deductible", "reimbursed"):
        assert f'data-step="{code}"' in html
    assert "-1000.00" in html and "-100.00" in html
    assert "window.print()" in html
    assert "insurance/slip.css" in html


def test_reverse_needs_a_reason_and_correct_resettles(world, wang, login):
    claim = _settled_claim(
        world,
        wang,
        claim_type="outpatient",
        total="100",
        self_pay="0",
        drug_cost="0",
        off_formulary_drug_cost="0",
        discharge_date="2026-05-01",
        admit_date="2026-05-01",
    )
    client = login(world.users["institution_cashier"])
    detail = reverse("insurance:claim_detail", args=[claim.pk])
    refused = client.post(detail, {"action": "reverse", "reason": ""})
    assert refused.status_code == 200
    assert refused.context["reverse_form"].errors["reason"]

    correct_url = reverse("insurance:claim_correct", args=[claim.pk])
    prefilled = client.get(correct_url)
    assert prefilled.context["form"].initial["total"] == Decimal("100.00")
    data = {**{k: v for k, v in prefilled.context["form"].initial.items() if v is not None}}
    data.update(total="200", reason="金额录错", admit_date="2026-05-01", discharge_date="2026-05-01")
    data = {key: value for key, value in data.items() if value is not False}
    response = client.post(correct_url, data, follow=True)
    corrected = Claim.objects.get(corrects=claim)
    assert response.redirect_chain[-1][0] == reverse("insurance:claim_detail", args=[corrected.pk])
    assert _text(response, "reimbursed") == "60.00"
    claim.refresh_from_db()
    assert claim.state == ClaimState.REVERSED
    reversed_page = client.get(detail)
    assert reversed_page.context["reverse_form"] is None
    assert [row["settlement"].kind for row in reversed_page.context["history"]] == ["settlement", "reversal"]


def test_the_clerk_rejects_an_item_and_the_amount_to_pay_drops(world, financing, wang, login):
    discharge = _settled_claim(world, wang)
    outpatient = _settled_claim(
        world,
        financing.households["li"].members.get(name="李四"),
        claim_type="outpatient",
        admit_date="2026-03-05",
        discharge_date="2026-03-05",
        total="100",
        self_pay="0",
        drug_cost="0",
        off_formulary_drug_cost="0",
    )
    client = login(world.users["insurance_clerk"])
    response = client.post(
        reverse("insurance:statement_list"),
        {"institution": world.institutions["county_hospital"].pk, "month": "2026-03"},
        follow=True,
    )
    statement = Statement.objects.get(institution=world.institutions["county_hospital"], month=MARCH)
    url = reverse("insurance:statement_detail", args=[statement.pk])
    assert response.redirect_chain[-1][0] == url
    # 5785 + 30 settled; level 2 allows 10% of 4000 out-of-formulary drugs: 600 − 400 = 200 deducted.
    assert _text(response, "settled-amount") == "5815.00"
    assert _text(response, "formulary-deduction") == "200.00"
    assert _text(response, "amount-due") == "5615.00"
    assert "15%" in _text(response, "formulary-share")
    html = response.content.decode()
    assert discharge.number in html and outpatient.number in html

    item = statement.items.get(settlement__claim=discharge)
    without_reason = client.post(
        url, {"action": "review", "item": item.pk, "decision": ItemDecision.REJECTED}
    )
    assert without_reason.status_code == 200
    errors = {row["item"].pk: row["error"] for row in without_reason.context["items"]}
    assert errors.pop(item.pk)  # on the row that was rejected without a reason, and on no other
    assert not any(errors.values())
    assert _text(without_reason, "amount-due") == "5615.00"

    client.post(
        url, {"action": "review", "item": item.pk, "decision": ItemDecision.REJECTED, "reason": "超范围用药"}
    )
    page = client.get(url)
    # Only the outpatient visit is left to pay, and with no drugs there is nothing to deduct.
    assert _text(page, "rejected-amount") == "5785.00"
    assert _text(page, "formulary-deduction") == "0.00"
    assert _text(page, "amount-due") == "30.00"
    assert 'data-decision="rejected"' in page.content.decode()

    client.post(url, {"action": "approve"})
    client.post(url, {"action": "pay", "paid_on": "2026-04-15"})
    statement.refresh_from_db()
    assert (statement.state, statement.amount_due, statement.paid_on) == (
        StatementState.PAID,
        Decimal("30.00"),
        dt.date(2026, 4, 15),
    )


def test_the_cashier_sees_the_statement_but_cannot_review_it(world, wang, login):
    _settled_claim(world, wang)
    statement = services.statement_generate(
        world.users["insurance_clerk"], world.institutions["county_hospital"], MARCH
    )
    client = login(world.users["institution_cashier"])
    listed = client.get(reverse("insurance:statement_list"))
    assert listed.context["generate"] is None
    assert f'id="statement-{statement.pk}"' in listed.content.decode()
    url = reverse("insurance:statement_detail", args=[statement.pk])
    page = client.get(url)
    assert page.context["may_review"] is False
    item = statement.items.get()
    assert (
        client.post(
            url, {"action": "review", "item": item.pk, "decision": "rejected", "reason": "x"}
        ).status_code
        == 403
    )
    assert _other_cashier_sees_nothing(world, client, url)


def _other_cashier_sees_nothing(world, client, url) -> bool:
    client.force_login(_other_cashier(world))
    return client.get(url).status_code == 404
