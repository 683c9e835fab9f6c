"""首页's 继续学习 and 我的学习 show only what the member may still open (issue 20, item 8):
after moving to another branch, the old branch's article is neither linked (it would be a
404) nor in the offline fetch-ahead list; 我的待办 lists new official replies until they are
read. Chromium at 360×640; screenshots in
test-artifacts/screenshots/home-readable-*.png."""

import pytest
from playwright.sync_api import expect

from learning.services.study import study_record_touch
from tests import factories
from tests.browser.conftest import SCREENSHOTS, assert_no_horizontal_scroll
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


def test_after_moving_branch_the_old_branchs_article_is_not_offered(context_for, screenshot):
    world = factories.build_world()
    member = world.member_a
    old = lf.article(world.branch_a1, title="东关社区支部学习材料")
    kept = lf.article(world.county, audience=lf.A.COUNTY, title="全县学习材料")
    for article in (old, kept):
        study_record_touch(member=member, article=article, seconds=30)
    member.organization = world.branch_b1
    member.save(update_fields=["organization"])

    page = context_for(member.user, viewport=SMALL_PHONE).new_page()
    page.goto("/")
    strip = page.get_by_role("region", name="继续学习")
    expect(strip.get_by_text("全县学习材料")).to_be_visible()
    assert page.get_by_text("东关社区支部学习材料").count() == 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "home-readable-01-home")

    urls = page.evaluate("fetch('/offline/precache.json').then(r => r.json())")
    flat = str(urls)
    assert f"/articles/{kept.pk}/" in flat and f"/articles/{old.pk}/" not in flat

    page.goto("/study/mine/")
    expect(page.get_by_text("全县学习材料").first).to_be_visible()
    assert page.get_by_text("东关社区支部学习材料").count() == 0
    screenshot(page, "home-readable-02-my-study")
    assert page.goto(f"/articles/{old.pk}/").status == 404  # what the links used to lead to


def test_the_home_page_opens_with_my_to_dos_instead_of_a_banner(context_for, screenshot):
    from tests.activities import factories as af

    world = factories.build_world()
    member = world.member_a
    af.activity(world.branch_a1, title="十二月主题党日")
    lf.article(world.county, audience=lf.A.COUNTY, title="党员的八项义务", required=True)
    page = context_for(member.user, viewport=SMALL_PHONE).new_page()

    page.goto("/")
    assert page.locator(".hero").count() == 0  # the name is said once, in one line
    todos = page.get_by_role("region", name="我的待办")
    assert todos.bounding_box()["y"] < SMALL_PHONE["height"]  # on the first screen
    expect(todos.get_by_role("link", name="组织活动待回复 1")).to_be_visible()
    expect(todos.get_by_role("link", name="必学资料未学完 1")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "home-readable-03-todos")

    todos.get_by_role("link", name="组织活动待回复 1").click()
    page.wait_for_url("**/activities/")
    page.get_by_role("link", name="十二月主题党日").click()
    page.get_by_role("region", name="回复本次活动").get_by_role("button", name="参加").click()
    page.get_by_text("已报名参加").first.wait_for()
    page.goto("/")
    assert page.get_by_role("region", name="我的待办").get_by_text("组织活动待回复").count() == 0


def test_a_new_official_reply_is_a_to_do_until_the_member_reads_it(context_for, screenshot):
    """我的待办 → 党组织的新回复 (item 8): the link opens the thread at the first reply the
    member has not read; once read, the to-do is gone."""
    from tests.forum import factories as ff

    world = factories.build_world()
    member = world.member_a
    thread = ff.thread(
        member.user,
        title="请问在外地怎么转组织关系？",
        body="我在深圳打工三年了，想把组织关系转过来，需要准备什么材料？",
    )
    first = ff.reply(
        world.staff_a,
        thread,
        body="您好，请先联系流入地党组织开具接收函。",
        organization=world.committee_a,
    )
    ff.reply(
        world.staff_a, thread, body="接收函开好后拍照发给我们即可。", organization=world.committee_a
    )
    page = context_for(member.user, viewport=SMALL_PHONE).new_page()

    page.goto("/")
    todos = page.get_by_role("region", name="我的待办")
    link = todos.get_by_role("link", name="党组织的新回复 2")
    expect(link).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "home-readable-04-official-reply-todo")

    link.tap()
    page.wait_for_url(f"**/forum/threads/{thread.pk}/**")
    reply = page.locator(f"#post-{first.pk}")
    reply.get_by_text("请先联系流入地党组织开具接收函").wait_for()
    top = page.evaluate(f"document.getElementById('post-{first.pk}').getBoundingClientRect().top")
    bar = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
    assert bar <= top < SMALL_PHONE["height"]  # opened at the reply, not under the top bar
    page.screenshot(path=str(SCREENSHOTS / "home-readable-05-official-reply-opened.png"))

    page.goto("/")
    todos = page.get_by_role("region", name="我的待办")
    todos.wait_for()
    assert todos.get_by_text("党组织的新回复").count() == 0
    screenshot(page, "home-readable-06-official-reply-read")
