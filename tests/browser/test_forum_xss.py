"""Stored XSS in Chromium: pages holding the usual payloads (as rich text, plain text,
titles, quotes) run none of them — no dialog opens and no global flag is set."""

import pytest
from playwright.sync_api import expect

from forum import services
from tests import factories
from tests.forum.test_xss import PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)


def test_payload_posts_do_not_run_in_the_browser(phone, live_server, settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    settings.FORUM_THREADS_PER_DAY = 1000
    world = factories.build_world()
    writer = factories.activated_member(world.branch_a2, name="赵敏")
    thread = services.thread_create(
        user=world.member_b.user,
        board="forum",
        kind="message",
        title='<img src=x onerror="window.__xss=1">标题',
        body="<p>正文</p>" + PAYLOADS[0],
        body_format="html",
    )
    last = None
    for payload in PAYLOADS:
        last = services.post_create(
            user=writer.user, thread=thread, body=f"<p>正文</p>{payload}", body_format="html"
        )
        services.post_create(user=writer.user, thread=thread, body=payload)
    services.post_create(user=world.member_b.user, thread=thread, body="引用", quote=last.pk)

    page = phone
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(world.member_a.name)
    page.get_by_label("身份证号码").fill(world.member_a.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    for url in (
        f"/forum/threads/{thread.pk}/",
        f"/forum/threads/{thread.pk}/?cursor=&last=1",
        "/forum/",
        "/forum/search/?q=正文",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        # Hover and focus everything user content could have attached a handler to.
        page.evaluate(
            """() => document.querySelectorAll('.posts *, .thread-head *, .list *').forEach(el => {
                 for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'click']) {
                   if (type === 'click' && el.closest('a, button, summary, form')) continue;
                   el.dispatchEvent(new Event(type, {bubbles: true}));
                 }
               })"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__xss") == "undefined", url
        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('.post__body a')).map(a => a.href)"
        )
        assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))], url
    assert dialogs == []
    # The payloads are there, as text: the page is not simply empty.
    page.goto(f"/forum/threads/{thread.pk}/")
    expect(page.get_by_text('<img src=x onerror="window.__xss=1">标题')).to_be_visible()
