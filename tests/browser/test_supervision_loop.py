"""An institution's safety officer submits a self-inspection with one major hazard and a plan; the
commission lists it, a supervisor verifies and closes it; the campaign dashboard counts follow."""

import datetime as dt
import re

from tests.browser.conftest import log_in
from tests.world import PASSWORD
from weijian.campaigns import services as campaigns
from weijian.inspections.models import Checklist
from weijian.rectification.models import Hazard, HazardState


def _closed_major_count(page, campaign_id) -> int:
    page.goto(f"/campaigns/{campaign_id}/")
    cell = page.locator("[data-level='major'][data-state='closed']")
    return int(cell.inner_text()) if cell.count() else 0


def test_a_major_hazard_goes_round_the_closed_loop_through_the_pages(browser_world, page_for, tmp_path):
    world = browser_world
    campaign = campaigns.campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )
    checklist = Checklist.objects.get(code="a18_safety")
    evidence = tmp_path / "photo.txt"
    evidence.write_text("现场照片")

    # The safety officer of the county hospital starts and fills the self-inspection on a phone.
    officer = page_for(width=375, height=800)
    log_in(officer, "institution_manager", PASSWORD)
    officer.goto(f"/inspections/new/?campaign={campaign.pk}")
    officer.select_option("select[name=checklist]", str(checklist.pk))
    officer.fill("input[name=inspected_on]", "2026-10-12")
    officer.click("form button[type=submit]")
    officer.wait_for_url(re.compile(r"/inspections/\d+/$"))

    items = officer.locator("#entry .item")
    first = items.first
    first_id = first.get_attribute("id").removeprefix("item-")
    for index in range(items.count()):
        item = items.nth(index)
        item_id = item.get_attribute("id").removeprefix("item-")
        answer = "1" if item_id == first_id else "0"
        item.locator(f"input[name=found_{item_id}][value='{answer}']").check()
        if item.locator(f"input[name=evidence_{item_id}]").count():
            item.locator(f"input[name=evidence_{item_id}]").set_input_files(str(evidence))
    first.locator(f"textarea[name=text_{first_id}]").fill("安全生产责任制未落实到科室")
    first.locator("summary").click()
    first.locator(f"select[name=hazard_level_{first_id}]").select_option("major")
    first.locator(f"input[name=hazard_location_{first_id}]").fill("总务科")
    first.locator(f"textarea[name=hazard_description_{first_id}]").fill("未建立安全生产责任制")
    officer.click("#entry button[type=submit]")
    officer.fill("#submit input[name=unit_head_name]", "张院长")
    officer.click("#submit button[type=submit]")
    assert officer.locator("#submit").count() == 0  # submitted: no longer editable
    assert officer.evaluate("document.documentElement.scrollWidth") <= 375

    hazard = Hazard.objects.get(inspection__campaign=campaign)
    assert (hazard.level, hazard.state) == ("major", HazardState.FOUND)

    # The commission lists the major hazard (挂牌督办); the supervisor sees it on the dashboard.
    leader = page_for()
    log_in(leader, "commission_leader", PASSWORD)
    closed_before = _closed_major_count(leader, campaign.pk)
    leader.goto(f"/rectification/{hazard.pk}/")
    leader.click("#action-list button[type=submit]")
    assert leader.locator("#hazard-state").get_attribute("data-state") == "listed"

    # The officer writes the plan with its five elements, starts and completes the rectification.
    officer.goto(f"/rectification/{hazard.pk}/")
    plan = officer.locator("#action-plan")
    plan.locator("[name=plan-responsible_person]").fill("李科长")
    plan.locator("[name=plan-measures]").fill("制定并下发安全生产责任制")
    plan.locator("[name=plan-funding]").fill("2000")
    plan.locator("[name=plan-deadline]").fill((dt.date(2026, 10, 30)).isoformat())
    plan.locator("[name=plan-contingency_plan]").fill("落实前由院办每日巡查")
    plan.locator("button[type=submit]").click()
    officer.click("#action-start button[type=submit]")
    officer.locator("#action-complete [name=complete-completion_evidence]").fill("责任制已下发，签字存档")
    officer.click("#action-complete button[type=submit]")
    assert officer.locator("#hazard-state").get_attribute("data-state") == "completed"

    # The supervisor finds it on the board, verifies and closes it.
    supervisor = page_for()
    log_in(supervisor, "supervisor", PASSWORD)
    supervisor.goto("/rectification/")
    supervisor.click(f"a[href='/rectification/{hazard.pk}/']")
    supervisor.click("#action-verify_pass button[type=submit]")
    supervisor.click("#action-close button[type=submit]")
    assert supervisor.locator("#hazard-state").get_attribute("data-state") == "closed"

    assert _closed_major_count(leader, campaign.pk) == closed_before + 1
