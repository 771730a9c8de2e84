"""A county-hospital cashier settles a discharge on the spot for a patient found by scheme card, prints the
settlement slip; the scheme clerk generates the month's statement, rejects the discharge with a reason and
the amount to pay the hospital drops to what is left."""

import datetime as dt
import re

from django.utils import timezone

from tests.browser.conftest import log_in
from tests.insurance.fixtures import build_financing
from tests.world import PASSWORD
from weijian.core.models import User
from weijian.insurance import services
from weijian.insurance.models import Claim, ItemDecision, Statement


def _text(page, selector) -> str:
    return page.locator(selector).inner_text().strip()


def test_cashier_settles_a_discharge_and_the_clerk_rejects_it_on_the_statement(browser_world, page_for):
    world = browser_world
    world.users["superuser"] = User.objects.create_superuser("superuser", password=PASSWORD)
    financing = build_financing(world)
    hospital = world.institutions["county_hospital"]
    cashier = world.users["institution_cashier"]
    patient = financing.households["wang"].members.get(name="王大山")
    # An outpatient visit settled earlier this month: 100 × 30% = 30 yuan.
    visit = services.claim_enter(
        cashier,
        institution=hospital,
        member=financing.households["li"].members.get(name="李四"),
        claim_type="outpatient",
        admit_date=dt.date(2026, 3, 5),
        total="100",
    )
    services.claim_settle(cashier, visit)

    # The cashier finds the patient by the card presented and enters the discharge.
    desk = page_for()
    log_in(desk, "institution_cashier", PASSWORD)
    desk.goto("/insurance/claims/")
    desk.fill("#find-patient input[name=identifier]", patient.card_number)
    desk.click("#find-patient button[type=submit]")
    assert _text(desk, "#patient-name") == "王大山"
    desk.click("#enter-claim")
    desk.wait_for_url(re.compile(r"/insurance/claims/new/\?member="))
    form = desk.locator("#claim-form")
    form.locator("select[name=claim_type]").select_option("inpatient")
    for name, value in {
        "admit_date": "2026-03-01",
        "discharge_date": "2026-03-10",
        "disease": "肺炎",
        "total": "10000",
        "self_pay": "1000",
        "drug_cost": "4000",
        "off_formulary_drug_cost": "600",
    }.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[name=settle]").click()
    desk.wait_for_url(re.compile(r"/insurance/claims/\d+/$"))
    assert desk.locator("#claim-state").get_attribute("data-state") == "settled"
    # (10000 − 1000 − 100 deductible) × 65% = 5785; the patient pays the other 4215.
    assert _text(desk, "#reimbursed") == "5785.00"
    assert _text(desk, "#patient-pays") == "4215.00"
    number = Claim.objects.get(member=patient).number

    # The slip shows the same figures and each step; printed, the site's header is gone.
    desk.click("#print-slip")
    desk.wait_for_url(re.compile(r"/insurance/settlements/\d+/slip/$"))
    assert _text(desk, "#slip-patient") == "王大山"
    assert _text(desk, "#slip-card") == patient.card_number
    assert _text(desk, "#reimbursed") == "5785.00"
    assert _text(desk, "#patient-pays") == "4215.00"
    assert desk.locator("#steps tr[data-step=deductible] td.amount").inner_text().strip() == "-100.00"
    assert desk.locator("header.topbar").is_visible()
    desk.emulate_media(media="print")
    assert not desk.locator("header.topbar").is_visible()
    assert not desk.locator("#print").is_visible()
    assert desk.locator("#slip").is_visible()
    # The slip fits one A5 sheet.
    pdf = desk.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert re.search(
        rb"/MediaBox \[0 0 (419|420)(\.\d+)? (594|595)(\.\d+)?\]", pdf
    )  # A5: 148 × 210 mm in points
    desk.emulate_media(media="screen")

    # The clerk gathers the month's settlements of the hospital into its statement.
    clerk = page_for()
    log_in(clerk, "insurance_clerk", PASSWORD)
    clerk.goto("/insurance/statements/")
    generate = clerk.locator("#generate")
    generate.locator("select[name=institution]").select_option(str(hospital.pk))
    generate.locator("input[name=month]").fill(timezone.localdate().strftime("%Y-%m"))
    generate.locator("button[type=submit]").click()
    clerk.wait_for_url(re.compile(r"/insurance/statements/\d+/$"))
    assert _text(clerk, "#settled-amount") == "5815.00"
    # Level 2 allows out-of-formulary drugs up to 10% of 4000: 600 − 400 = 200 is deducted.
    assert _text(clerk, "#formulary-deduction") == "200.00"
    assert _text(clerk, "#amount-due") == "5615.00"
    row = clerk.locator(f"#items tr[data-claim='{number}']")
    assert row.is_visible()
    assert row.locator("td.reimbursed").inner_text().strip() == "5785.00"

    # The discharge is rejected: only the visit is owed, and without drugs nothing is deducted.
    row.locator("input[name=reason]").fill("超范围用药")
    row.locator(f"button[value={ItemDecision.REJECTED}]").click()
    clerk.wait_for_load_state()
    row = clerk.locator(f"#items tr[data-claim='{number}']")
    assert row.get_attribute("data-decision") == ItemDecision.REJECTED
    assert _text(clerk, "#rejected-amount") == "5785.00"
    assert _text(clerk, "#formulary-deduction") == "0.00"
    assert _text(clerk, "#amount-due") == "30.00"
    statement = Statement.objects.get(institution=hospital)
    assert str(statement.amount_due) == "30.00"
    assert statement.items.get(settlement__claim__number=number).reason == "超范围用药"
