"""Every function of forum.permissions, asked directly for every principal of tests.tiers
(county, committee A directly and through a group, host staff hosting member A, member A,
anonymous, no user, an account without a tier): one row of the permission table per test."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum import permissions
from forum.models import Board, Post, PostReport, Thread
from forum.services.moderation import post_report
from forum.services.posting import thread_share_set
from tests.forum import factories as ff
from tests.tiers import (
    COUNTY,
    HOME_STAFF_PRINCIPALS,
    MEMBER,
    STAFF_PRINCIPALS,
    ask,
    extend_world,
    only,
    outcome,
    untested_functions,
)

pytestmark = pytest.mark.django_db

READERS = (*STAFF_PRINCIPALS, MEMBER)  # everyone with a tier reads the forum board


@pytest.fixture
def fw(world, settings):
    """The tier world plus, on the forum board, a thread of member A (with committee A's
    official reply, member B's reply with a photo, a hidden and a deleted reply of member B)
    and two of member B (one hidden by moderation); on the reflections board, member A's
    unshared reflection and member B's shared one; a report on a post of each side."""
    settings.FORUM_POSTS_PER_MINUTE = 100  # member B writes more than a person would
    w = extend_world(world)
    a, b = w.member_a.user, w.member_b.user
    w.threads = {
        "forum_a": ff.thread(a, title="甲方求助"),
        "forum_b": ff.thread(b, title="乙方求助"),
        "forum_b_hidden": ff.thread(b, title="乙方被隐藏的主题"),
        "reflection_a": ff.thread(a, board=Board.REFLECTIONS, title="甲方心得"),
        "reflection_b_shared": ff.thread(b, board=Board.REFLECTIONS, title="乙方心得"),
    }
    Thread.objects.filter(pk=w.threads["forum_b_hidden"].pk).update(is_hidden=True)
    thread_share_set(user=b, thread=w.threads["reflection_b_shared"], shared=True)
    forum_a = w.threads["forum_a"]
    w.posts = {
        "opening_a": forum_a.posts.order_by("id").first(),
        "official_a": ff.reply(w.staff_a, forum_a, body="城关街道党工委的答复"),
        "reply_b": ff.reply(b, forum_a, body="乙的回复", images=[ff.photo()]),
        "hidden_b": ff.reply(b, forum_a, body="被隐藏的回复"),
        "deleted_b": ff.reply(b, forum_a, body="被删除的回复"),
        "opening_b": w.threads["forum_b"].posts.order_by("id").first(),
    }
    Post.objects.filter(pk=w.posts["hidden_b"].pk).update(is_hidden=True)
    Post.objects.filter(pk=w.posts["deleted_b"].pk).update(is_deleted=True)
    w.image = w.posts["reply_b"].images.first()
    w.reports = {
        "a": post_report(user=a, post=w.posts["reply_b"], reason=PostReport.Reason.SPAM),
        "b": post_report(user=a, post=w.posts["opening_b"], reason=PostReport.Reason.SPAM),
    }
    for objects in (w.threads, w.posts):
        for name, obj in objects.items():
            objects[name] = type(obj).objects.get(pk=obj.pk)
    return w


def named(objects: dict, rows) -> set[str]:
    ids = {row.pk for row in rows}
    return {name for name, obj in objects.items() if obj.pk in ids}


def rows_for(table: dict, default=frozenset()) -> dict:
    """A full row of answers: `table` for the principals it names, `default` for the rest."""
    row = only(no=default)
    row.update(table)
    return row


# Who uses the forum and in whose name ------------------------------------------------------


def test_every_principal_with_a_tier_uses_the_forum_and_staff_are_staff(fw):
    assert ask(fw, permissions.may_use_forum) == only(*READERS)
    assert ask(fw, permissions.is_staff) == only(*STAFF_PRINCIPALS)


def test_staff_speak_for_their_grants(fw):
    answers = ask(fw, lambda user: [org.pk for org in permissions.speaking_organizations(user)])
    assert answers == rows_for(
        {
            "county": [fw.county.pk],
            "committee": [fw.committee_a.pk],
            "committee_group": [fw.committee_a.pk],
            "host": [fw.host.pk],
        },
        default=[],
    )


# Threads -----------------------------------------------------------------------------------

ALL_THREADS = {"forum_a", "forum_b", "forum_b_hidden", "reflection_a", "reflection_b_shared"}
VISIBLE = {
    "county": ALL_THREADS,
    "committee": ALL_THREADS - {"forum_b_hidden"},
    "committee_group": ALL_THREADS - {"forum_b_hidden"},
    "host": {"forum_a", "forum_b", "reflection_b_shared"},
    "member": {"forum_a", "forum_b", "reflection_a", "reflection_b_shared"},
}


def test_every_principal_reads_the_threads_the_board_rules_give_it(fw):
    answers = ask(fw, lambda user: named(fw.threads, permissions.filter_threads_visible_to(user)))
    assert answers == rows_for(VISIBLE)
    by_q = ask(
        fw,
        lambda user: named(
            fw.threads, Thread.objects.filter(permissions.thread_visibility_q(user))
        ),
    )
    assert by_q == answers
    forum_only = ask(
        fw,
        lambda user: named(
            fw.threads, permissions.filter_threads_visible_to(user, board=Board.FORUM)
        ),
    )
    assert forum_only == {
        name: seen - {"reflection_a", "reflection_b_shared"} for name, seen in answers.items()
    }


@pytest.mark.parametrize("thread", sorted(ALL_THREADS))
def test_a_thread_is_viewed_by_the_principals_that_list_it(fw, thread):
    found = fw.threads[thread]
    viewers = [name for name, seen in VISIBLE.items() if thread in seen]
    assert ask(fw, lambda user: permissions.can_view_thread(user, found)) == only(*viewers)
    checked = ask(
        fw, lambda user: outcome(lambda: permissions.check_view_thread_permission(user, found))
    )
    assert checked == only(*viewers, yes="ok", no=404)


@pytest.mark.parametrize(
    ("thread", "in_scope", "author"),
    [
        ("forum_a", HOME_STAFF_PRINCIPALS, MEMBER),
        ("reflection_a", HOME_STAFF_PRINCIPALS, MEMBER),
        ("forum_b", (COUNTY,), None),
    ],
)
def test_a_threads_scope_is_the_staff_over_its_organisation_and_its_author_the_member(
    fw, thread, in_scope, author
):
    found = fw.threads[thread]
    assert ask(fw, lambda user: permissions.in_thread_scope(user, found)) == only(*in_scope)
    assert ask(fw, lambda user: permissions.can_moderate_thread(user, found)) == only(*in_scope)
    authors = (author,) if author else ()
    assert ask(fw, lambda user: permissions.is_thread_author(user, found)) == only(*authors)
    speaking = ask(
        fw, lambda user: [org.pk for org in permissions.official_organizations(user, found)]
    )
    grants = {
        "county": [fw.county.pk],
        "committee": [fw.committee_a.pk],
        "committee_group": [fw.committee_a.pk],
    }
    assert speaking == {name: grants[name] if name in in_scope else [] for name in speaking}


@pytest.mark.parametrize(
    ("thread", "repliers"),
    [
        ("forum_a", READERS),
        ("forum_b_hidden", (COUNTY,)),  # a hidden thread: only the staff in its scope
        ("reflection_a", (*HOME_STAFF_PRINCIPALS, MEMBER)),  # the author and its staff
        ("reflection_b_shared", (COUNTY,)),  # shared: read by all, answered by its staff
    ],
)
def test_who_replies_to_a_thread(fw, thread, repliers):
    found = fw.threads[thread]
    assert ask(fw, lambda user: permissions.can_reply(user, found)) == only(*repliers)
    viewers = [name for name, seen in VISIBLE.items() if thread in seen]
    expected = only(*viewers, yes=403, no=404)  # readers who may not answer: 403
    expected.update(dict.fromkeys(repliers, "ok"))
    checked = ask(fw, lambda user: outcome(lambda: permissions.check_reply_permission(user, found)))
    assert checked == expected


def test_moderating_is_refused_with_403_to_readers_out_of_scope_and_404_to_the_rest(fw):
    found = fw.threads["forum_a"]
    checked = ask(
        fw, lambda user: outcome(lambda: permissions.check_moderate_thread_permission(user, found))
    )
    expected = only(*READERS, yes=403, no=404)
    expected.update(dict.fromkeys(HOME_STAFF_PRINCIPALS, "ok"))
    assert checked == expected


def test_only_the_author_shares_a_reflection_and_its_staff_mark_it_read(fw):
    reflection, forum = fw.threads["reflection_a"], fw.threads["forum_a"]
    assert ask(fw, lambda user: permissions.can_share_thread(user, reflection)) == only(MEMBER)
    assert ask(fw, lambda user: permissions.can_share_thread(user, forum)) == only()
    marked = ask(fw, lambda user: permissions.can_mark_reflection_read(user, reflection))
    assert marked == only(*HOME_STAFF_PRINCIPALS)
    assert ask(fw, lambda user: permissions.can_mark_reflection_read(user, forum)) == only()


# Posts, images and reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "author"),
    [("opening_a", MEMBER), ("official_a", "committee"), ("reply_b", None)],
)
def test_a_post_is_edited_by_its_author_only(fw, post, author):
    found = fw.posts[post]
    authors = (author,) if author else ()
    assert ask(fw, lambda user: permissions.is_post_author(user, found)) == only(*authors)
    assert ask(fw, lambda user: permissions.can_edit_post(user, found)) == only(*authors)


def test_the_edit_window_closes_after_the_setting(fw, settings):
    post = fw.posts["opening_a"]
    assert permissions.edit_window_open(post)
    post.created_at = timezone.now() - timedelta(seconds=settings.FORUM_EDIT_WINDOW_SECONDS + 1)
    assert not permissions.edit_window_open(post)
    assert ask(fw, lambda user: permissions.can_edit_post(user, post)) == only()


@pytest.mark.parametrize(
    ("post", "readers"),
    [
        (
            "reply_b",
            (
                "county",
                "committee",
                "committee_group",
                "host",
                "member",
                "anonymous",
                "none",
                "nobody",
            ),
        ),
        ("hidden_b", HOME_STAFF_PRINCIPALS),  # and its author (member B)
        ("deleted_b", ()),
    ],
)
def test_a_posts_body_shows_unless_deleted_or_hidden_from_those_out_of_scope(fw, post, readers):
    """The caller checked the thread (check_view_post_permission)."""
    found = fw.posts[post]
    assert ask(fw, lambda user: permissions.can_view_post_body(user, found)) == only(*readers)


def test_a_post_is_reached_through_its_thread(fw):
    found = fw.posts["reply_b"]
    checked = ask(
        fw, lambda user: outcome(lambda: permissions.check_view_post_permission(user, found))
    )
    assert checked == only(*READERS, yes="ok", no=404)
    assert ask(fw, lambda user: permissions.can_view_image(user, fw.image)) == only(*READERS)


@pytest.mark.parametrize(
    ("post", "reporters"),
    [("reply_b", (MEMBER,)), ("official_a", (MEMBER,)), ("opening_a", ()), ("deleted_b", ())],
)
def test_members_report_posts_of_others(fw, post, reporters):
    found = fw.posts[post]
    assert ask(fw, lambda user: permissions.can_report_post(user, found)) == only(*reporters)


def test_reports_and_thread_lists_of_a_scope_go_to_its_staff(fw):
    reports = ask(fw, lambda user: named(fw.reports, permissions.filter_reports_visible_to(user)))
    assert reports == rows_for({"county": {"a", "b"}, "committee": {"a"}, "committee_group": {"a"}})
    scoped = ask(
        fw,
        lambda user: named(fw.threads, permissions.filter_thread_scope(user, Thread.objects.all())),
    )
    side_a = {"forum_a", "reflection_a"}
    assert scoped == rows_for(
        {"county": ALL_THREADS, "committee": side_a, "committee_group": side_a}
    )
    assert (
        ask(
            fw,
            lambda user: named(
                fw.reports,
                permissions.filter_thread_scope(user, PostReport.objects.all(), prefix="thread__"),
            ),
        )
        == reports
    )


def test_every_function_of_forum_permissions_has_a_row_here():
    assert not untested_functions(permissions, __file__)
