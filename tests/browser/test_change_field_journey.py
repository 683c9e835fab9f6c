"""Changing one thing in 我的档案 at 360×640 (issue 20 item 7): tap the row, change that
field, give the reason and a photo. The destination's province → city → district selects
follow each choice with JavaScript and work without it by a two-step submit."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from members.models import ChangeRequest
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.pages import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "租房合同.jpg"
    Image.new("RGB", (800, 600), (230, 230, 220)).save(path, format="JPEG")
    return path


def test_a_member_taps_the_destination_row_and_picks_province_city_and_district(
    context_for, screenshot, photo
):
    world = factories.build_world()
    page = context_for(world.member_a.user, viewport=SMALL_PHONE, bypass_csp=True).new_page()
    page.goto("/me/archive/")
    expect(page.get_by_text("点那一行就能申请修改")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "change-field-01-archive")
    assert axe_violations(page) == []

    page.get_by_role("link", name="修改流入地").click()
    expect(page.get_by_role("heading", name="修改流入地")).to_be_visible()
    assert not page.get_by_label("民族").count()  # this row only
    expect(page.get_by_role("button", name="下一步：列出这个省的城市")).not_to_be_visible()
    page.get_by_label("流入省份").select_option(label="广东省")
    city = page.get_by_label("流入城市")
    page.wait_for_function(
        "() => [...document.querySelector('#id_destination_city').options]"
        ".some(o => o.text === '深圳市')"
    )
    assert city.locator("option").count() < 30  # Guangdong's cities, not all 347
    city.select_option(label="深圳市")
    page.wait_for_function(
        "() => [...document.querySelector('#id_destination_district').options]"
        ".some(o => o.text === '宝安区')"
    )
    page.get_by_label("流入区县").select_option(label="宝安区")
    page.get_by_label("申请理由").fill("到深圳宝安区工地打工")
    page.locator("#id_evidence").set_input_files(str(photo))
    assert_no_horizontal_scroll(page)
    screenshot(page, "change-field-02-destination")
    assert axe_violations(page) == []
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("修改申请已提交").wait_for()
    request = ChangeRequest.objects.get(member=world.member_a)
    assert request.changes["destination_city"]["new"] == "440300"
    assert request.changes["destination_district"]["new"] == "440306"
    assert request.evidence.count() == 1
    screenshot(page, "change-field-03-submitted")


def test_without_javascript_the_region_lists_come_one_step_at_a_time(context_for, screenshot):
    world = factories.build_world()
    context = context_for(world.member_b.user, viewport=SMALL_PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto("/me/archive/")
    page.get_by_role("link", name="修改流入地").click()
    page.get_by_label("流入省份").select_option(label="广东省")
    page.get_by_role("button", name="下一步：列出这个省的城市").click()
    page.get_by_label("流入城市").select_option(label="深圳市")
    page.get_by_role("button", name="下一步：列出这个城市的区县").click()
    page.get_by_label("流入区县").select_option(label="宝安区")
    page.get_by_label("申请理由").fill("到深圳宝安区工地打工")
    assert_no_horizontal_scroll(page)
    screenshot(page, "change-field-04-no-javascript")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("修改申请已提交")).to_be_visible()
    assert (
        ChangeRequest.objects.get(member=world.member_b).changes["destination_district"]["new"]
        == "440306"
    )
