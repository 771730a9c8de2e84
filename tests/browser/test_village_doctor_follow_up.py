"""A village doctor records a follow-up on a phone; the overdue list and the township's indicator follow."""

import datetime as dt

from tests.browser.conftest import log_in
from tests.poverty.fixtures import build_poverty
from weijian.core.models import User

PHONE = {"width": 390, "height": 844}
PASSWORD = "phone-pass-1"


def _township_follow_up(page):
    """The township's own row of its indicators page: follow-ups on time over follow-ups due."""
    cell = page.locator("#area-total td[data-indicator=follow_up]")
    return int(cell.get_attribute("data-numerator")), int(cell.get_attribute("data-denominator"))


def test_a_village_doctor_records_a_follow_up_on_a_phone(browser_world, page_for):
    world = browser_world
    world.users["superuser"] = User.objects.create_superuser("superuser", password=PASSWORD)
    poverty = build_poverty(world)
    zhang_er = poverty.persons["zhang_er"]  # diabetes, never followed up: overdue
    for user in (world.users["village_doctor"], world.users["township_staff"]):
        user.set_password(PASSWORD)
        user.save()
    township = world.divisions["t1"]

    staff = page_for(**PHONE)
    log_in(staff, "township_staff", PASSWORD)
    staff.goto(f"/poverty/kpi/?area={township.code}")
    on_time_before, due_before = _township_follow_up(staff)

    doctor = page_for(**PHONE)
    log_in(doctor, "village_doctor", PASSWORD)
    doctor.goto("/poverty/follow-ups/")
    row = doctor.locator(f"#due-{zhang_er.pk}-diabetes")
    assert row.is_visible()
    overdue_before = int(doctor.locator("#due-count").get_attribute("data-count"))
    # Nothing on the page is wider than the phone.
    assert doctor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    row.get_by_role("link", name="记录随访").click()
    doctor.wait_for_url(f"**/poverty/persons/{zhang_er.pk}/follow-up/")
    assert doctor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    doctor.fill("input[name=done_on]", dt.date.today().isoformat())
    doctor.check("input[name=method][value=home]")
    doctor.check("input[name=result][value=stable]")
    doctor.fill("textarea[name=note]", "血糖控制尚可，嘱按时服药")
    doctor.locator("form button[type=submit]").click()
    doctor.wait_for_url("**/poverty/follow-ups/")

    assert doctor.locator(f"#due-{zhang_er.pk}-diabetes").count() == 0
    assert int(doctor.locator("#due-count").get_attribute("data-count")) == overdue_before - 1
    recorded = User.objects.get(username="village_doctor")
    assert zhang_er.follow_ups.get(programme="diabetes").recorded_by == recorded

    staff.reload()
    assert _township_follow_up(staff) == (on_time_before + 1, due_before)
