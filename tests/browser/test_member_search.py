"""Search as members type it (issue 20, item 3): a search box on 首页, and "党章" finds
中国共产党章程 in 学习 and in the 党内法规 library. Chromium at 360×640; screenshots in
test-artifacts/screenshots/search-*.png."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}
CHARTER = "中国共产党章程"


def test_a_member_finds_the_party_charter_by_typing_its_short_name(context_for, screenshot):
    world = factories.build_world()
    lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category=lf.C.REGULATION,
        title=CHARTER,
        body="<p>第一章 党员</p>",
        issuing_body="中国共产党全国代表大会",
    )
    lf.article(world.county, audience=lf.A.COUNTY, title="流动党员服务指南")
    page = context_for(world.member_a.user, viewport=SMALL_PHONE).new_page()

    page.goto("/")
    box = page.get_by_role("searchbox", name="搜索学习资料和党内法规")
    assert box.bounding_box()["y"] < SMALL_PHONE["height"]  # on the first screen
    screenshot(page, "search-01-home")
    box.fill("党章")
    box.press("Enter")
    page.wait_for_url("**/study/?q=*")
    expect(page.get_by_role("link", name=CHARTER)).to_be_visible()
    assert page.get_by_text("流动党员服务指南").count() == 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "search-02-study-results")

    page.goto("/")
    page.get_by_role("link", name="党内法规").click()
    page.get_by_label("关键词").fill("党章")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/regulations/?*q=*")
    expect(page.get_by_role("link", name=CHARTER)).to_be_visible()
    assert page.get_by_text("没有找到").count() == 0
    screenshot(page, "search-03-regulations")
