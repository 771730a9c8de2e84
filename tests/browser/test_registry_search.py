"""A township user finds an institution by pinyin initials and opens it; another township's
institution stays invisible to them."""

from tests.browser.conftest import log_in
from tests.world import PASSWORD


def test_township_user_finds_an_institution_by_pinyin_and_not_another_townships(browser_world, page_for):
    page = page_for()
    log_in(page, "township_staff", PASSWORD)

    page.click("nav.modules a[href='/registry/institutions/']")
    page.fill("input[name=q]", "cgz")
    page.click("form[role=search] button")
    rows = page.locator("#institutions tbody tr")
    assert rows.count() == 1
    rows.first.locator("a").click()
    assert page.locator("h1").inner_text() == "城关镇卫生院"
    assert "369901001000" in page.locator("dl.facts").inner_text()

    page.goto("/registry/institutions/?q=dsx")
    assert page.locator("#institutions tbody a").count() == 0
    assert page.locator("#institutions td.empty").is_visible()

    other = browser_world.institutions["th2"]
    response = page.goto(f"/registry/institutions/{other.pk}/")
    assert response.status == 404


def test_the_registry_is_usable_at_phone_width(browser_world, page_for):
    page = page_for(width=375, height=740)
    log_in(page, "township_staff", PASSWORD)

    assert not page.locator("nav.modules").is_visible()  # folded behind the menu button
    page.click("label.nav-toggle-label")
    page.click("nav.modules a[href='/registry/institutions/']")
    page.fill("input[name=q]", "城关")
    page.click("form[role=search] button")
    link = page.locator("#institutions tbody a").first
    assert link.inner_text() == "城关镇卫生院"
    # Nothing is wider than the screen: no horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
