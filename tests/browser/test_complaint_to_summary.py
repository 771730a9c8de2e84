"""A member of the public reports an illegal beauty parlour from a phone; the supervision institute
checks it, opens a case from the complaint, fines the parlour and closes the case; the campaign's
medical-beauty summary counts the case, the fine and the complaint."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from tests.browser.conftest import log_in
from tests.world import PASSWORD
from weijian.campaigns import services as campaigns
from weijian.complaints.models import Complaint, ComplaintState
from weijian.enforcement.models import Case, CaseState, PenaltyKind

COLUMN = "beauty_unlicensed_practice-organisation"


def _fits_the_screen(page, width) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def _submit_public_complaint(page, township) -> str:
    """Fill and send the public form on a 375 px wide screen; the number shown on the receipt."""
    page.goto("/complaints/submit/")
    assert _fits_the_screen(page, 375)
    form = page.locator("#public-complaint")
    form.locator("select[name=division]").select_option(township.pk)
    form.locator("select[name=category]").select_option("illegal_medical_beauty")
    form.locator("input[name=subject_name]").fill("丽人生活美容会所")
    form.locator("input[name=subject_address]").fill("城关镇解放路12号")
    form.locator("textarea[name=content]").fill("该会所无医师在店内为顾客注射玻尿酸。")
    form.locator("input[name=name]").fill("王女士")
    form.locator("input[name=phone]").fill("13800138000")
    form.locator("button[type=submit]").click()
    return page.locator("#complaint-number").inner_text().strip()


def _apply(page, action, **fields):
    """Fill the fields of a case or complaint action form (names without the action prefix) and send."""
    form = page.locator(f"#action-{action}")
    for name, value in fields.items():
        form.locator(f"[name={action}-{name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _cell(page, row, column=COLUMN) -> str:
    return page.locator(f"#summary-preview tr[data-row={row}] td[data-column={column}]").inner_text().strip()


def test_a_public_complaint_becomes_a_fined_case_counted_in_the_campaign_summary(browser_world, page_for):
    world = browser_world
    today = timezone.localdate()
    campaign = campaigns.campaign_from_template(
        user=None, template_code="medical_beauty", division=world.divisions["county_a"], year=today.year
    )
    # The period runs from the new year, so it holds today whatever the date.
    campaign.start = dt.date(today.year, 1, 1)
    campaign.save()
    supervision = world.orgs["supervision_a"]

    # A member of the public complains from a phone, without an account.
    public = page_for(width=375, height=800)
    number = _submit_public_complaint(public, world.divisions["t1"])
    assert number
    assert _fits_the_screen(public, 375)

    # The supervisor finds it, ties it to the campaign and takes it over for the institute.
    supervisor = page_for()
    log_in(supervisor, "supervisor", PASSWORD)
    supervisor.goto("/complaints/")
    supervisor.fill("form.filters input[name=q]", number)
    supervisor.click("form.filters button[type=submit]")
    supervisor.wait_for_url(re.compile(r"/complaints/\?.*q="))
    supervisor.locator("#complaints").get_by_role("link", name=number).click()
    supervisor.wait_for_url(re.compile(r"/complaints/\d+/$"))
    complaint_url = supervisor.url

    supervisor.locator("#set-campaign select[name=campaign]").select_option(str(campaign.pk))
    supervisor.locator("#set-campaign button[type=submit]").click()
    supervisor.wait_for_load_state()

    supervisor.locator("#action-transfer select[name=transfer-to_organisation]").select_option(
        str(supervision.pk)
    )
    _apply(supervisor, "transfer")
    assert supervisor.locator("#handling-organisation").inner_text().strip() == supervision.name

    _apply(supervisor, "start_check")
    assert supervisor.locator("#complaint-state").get_attribute("data-state") == ComplaintState.CHECKING

    handle = supervisor.locator("#action-handle")
    handle.locator("input[name=handle-substantiated][value=yes]").check()
    _apply(
        supervisor,
        "handle",
        result="现场核查属实,该会所无《医疗机构执业许可证》开展注射美容。",
        on_site_checked_on=today.isoformat(),
        handled_on=today.isoformat(),
    )
    assert supervisor.locator("#complaint-state").get_attribute("data-state") == ComplaintState.HANDLED

    # From the complaint a case is opened, filed under the general procedure, decided and closed.
    supervisor.click("#open-case")
    supervisor.wait_for_url(re.compile(r"/enforcement/cases/new/\?complaint=\d+$"))
    opening = supervisor.locator("#case-new")
    opening.locator("select[name=category]").select_option("beauty_unlicensed_practice")
    opening.locator("input[name=title]").fill("丽人生活美容会所非法开展医疗美容案")
    opening.locator("input[name=opened_on]").fill(today.isoformat())
    opening.locator("button[type=submit]").click()
    supervisor.wait_for_url(re.compile(r"/enforcement/cases/\d+/$"))

    _apply(supervisor, "verify")
    supervisor.locator("#action-file input[name=file-procedure][value=general]").check()
    _apply(supervisor, "file", filed_on=today.isoformat())
    _apply(supervisor, "investigate")

    decide = supervisor.locator("#action-decide")
    decide.locator("select[name=penalties-0-kind]").select_option(PenaltyKind.FINE)
    decide.locator("input[name=penalties-0-amount]").fill("20000.00")
    if decide.locator("select[name=penalties-1-kind]").count():
        decide.locator("select[name=penalties-1-kind]").select_option(PenaltyKind.CORRECTION_ORDER)
    _apply(
        supervisor,
        "decide",
        decided_on=today.isoformat(),
        facts="当事人未取得《医疗机构执业许可证》擅自开展医疗美容注射。",
        law_violated="《基本医疗卫生与健康促进法》第三十八条",
        penalty_basis="《基本医疗卫生与健康促进法》第九十九条",
    )
    assert supervisor.locator("#case-state").get_attribute("data-state") == CaseState.DECIDED
    _apply(supervisor, "execute")
    _apply(supervisor, "close", closed_on=today.isoformat())
    assert supervisor.locator("#case-state").get_attribute("data-state") == CaseState.CLOSED
    assert supervisor.locator("#linked-complaint").inner_text().strip() == number

    # The campaign's summary counts one case and one fine of 2 万元 against an organisation, and the
    # complaint as received, closed and penalised, not yet replied to.
    supervisor.goto(f"/reports/campaign/{campaign.pk}/")
    assert _cell(supervisor, "cases") == "1"
    assert _cell(supervisor, "fines") == "1"
    assert Decimal(_cell(supervisor, "fine_amount")) == Decimal(2)
    counters = {
        name: supervisor.locator(f"#summary-preview span[data-counter={name}]").inner_text().strip()
        for name in ("received", "closed", "penalised", "replied")
    }
    assert counters == {"received": "1", "closed": "1", "penalised": "1", "replied": "0"}

    complaint = Complaint.objects.get(number=number)
    assert complaint_url.endswith(f"/complaints/{complaint.pk}/")
    assert (complaint.state, complaint.campaign_id, complaint.handling_organisation_id) == (
        ComplaintState.HANDLED,
        campaign.pk,
        supervision.pk,
    )
    assert complaint.substantiated is True
    case = Case.objects.get(complaint=complaint)
    assert (case.state, case.campaign_id, case.category_id, case.subject_type) == (
        CaseState.CLOSED,
        campaign.pk,
        "beauty_unlicensed_practice",
        "organisation",
    )
    fines = [p.amount for p in case.penalties.filter(kind=PenaltyKind.FINE)]
    assert fines == [Decimal("20000.00")]
