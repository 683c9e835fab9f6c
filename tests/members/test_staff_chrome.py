"""Staff pages never show the member tab bar: every staff template is built on staff/base.html,
and pages shared with members (inbox, forum, articles) show staff the way back to the 工作台
instead."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import login_staff
from tests.forum import factories as ff
from tests.learning import factories as lf

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def staff_templates() -> list[Path]:
    found = [*TEMPLATES.glob("*/staff/*.html"), *TEMPLATES.glob("*/staff_*.html")]
    # Partials (_subnav.html) and the includes folder are pieces of pages, not pages.
    return [p for p in found if not p.name.startswith("_") and p.parent.name != "includes"]


def test_every_staff_template_is_built_on_the_staff_base():
    paths = staff_templates()
    assert len(paths) > 25
    for path in paths:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == '{% extends "staff/base.html" %}', path.relative_to(TEMPLATES)


@pytest.mark.django_db
def test_staff_on_pages_shared_with_members_get_no_tab_bar(world):
    thread = ff.thread(world.member_a.user, title="求助：社保转移")
    article = lf.article(world.branch_a1, title="学习资料")
    shared = ["/notices/", "/forum/", f"/forum/threads/{thread.pk}/", f"/articles/{article.pk}/"]
    staff = login_staff(Client(), world.staff_a)
    member = Client()
    member.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    for url in shared:
        page = staff.get(url).content.decode()
        assert 'class="tabbar"' not in page and "回到工作台" in page, url
        mine = member.get(url).content.decode()
        assert 'class="tabbar"' in mine and "回到工作台" not in mine, url
