import random

import pytest
from playwright.sync_api import expect

from members.models import Member, Skill
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def populate(world, n=40):
    rng = random.Random(3)
    skills = [Skill.objects.create(name=name) for name in ("电焊", "厨师", "货车驾驶", "家政服务")]
    cities = [
        ("440000", "440300"),
        ("440000", "440100"),
        ("610000", "610100"),
        ("320000", "320500"),
        ("330000", "330100"),
    ]
    for _ in range(n):
        member = factories.MemberFactory(
            organization=rng.choice([world.branch_a1, world.branch_a2, world.branch_b1])
        )
        province, city = rng.choice(cities)
        Member.objects.filter(pk=member.pk).update(
            destination_province=province,
            destination_city=city,
            occupation=rng.choice(["construction", "manufacturing", "catering", "transport"]),
            monthly_income=rng.choice([3000, 5000, 7000, 9000, 15000]),
            status=rng.choices(["away", "returned"], weights=[8, 2])[0],
        )
        member.skills.add(rng.choice(skills))


def staff_login(page, username):
    """The staff login page; county accounts then give their authenticator's code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    page.goto("/accounts/login/?as=staff")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    if "/verify/" in page.url:
        page.get_by_label("动态验证码").fill(factories.totp_now(device))
        page.get_by_role("button", name="验证并登录").click()


def test_the_dashboard_draws_charts_with_tables_and_a_bar_click_lists_members(
    browser, live_server, screenshot
):
    world = factories.build_world()
    populate(world)
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="zh-CN"
    )
    page = context.new_page()
    staff_login(page, "county_staff")
    page.goto("/staff/dashboard/")
    page.wait_for_selector('canvas[data-chart="province"][data-ready="1"]')
    expect(page.get_by_role("heading", name="流入省份")).to_be_visible()
    expect(page.get_by_role("cell", name="广东省")).to_be_visible()
    screenshot(page, "20-dashboard-desktop")
    chart = page.locator('canvas[data-chart="status"]')
    chart.scroll_into_view_if_needed()  # below the figure cards on a 768-pixel screen
    box = chart.bounding_box()
    # The first bar of the status chart ("外出流动", the biggest) sits left of the middle.
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_url("**/staff/members/?dimension=status&key=away")
    expect(page.get_by_role("heading", name="党员档案")).to_be_visible()
    context.close()


def test_the_member_qr_card_at_phone_size(phone, screenshot):
    world = factories.build_world()
    page = phone
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(world.member_a.name)
    page.get_by_label("身份证号码").fill(world.member_a.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.goto("/me/")
    page.get_by_role("link", name="报到二维码（到流入地党组织报到）").click()
    expect(page.locator(".qr-card__code svg")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "21-member-qr-card")
