"""Audience scoping for every tier, through the API, the pages and the selectors."""

import pytest

from learning import permissions
from learning.models import Article, FeedSource, StudyRecord
from tests.conftest import client_for
from tests.learning import factories as lf
from tests.learning.conftest import fresh
from tests.tiers import PRINCIPALS, ask, extend_world, only, outcome, pks, untested_functions

pytestmark = pytest.mark.django_db

ALL_PUBLISHED = {
    "公开的新闻",
    "全县的通知",
    "县委面向下级的资料",
    "城关街道的资料",
    "东关社区支部的资料",
    "西关社区支部的资料",
    "陵前镇的资料",
}
EXPECTED = {
    None: {"公开的新闻"},
    "member_a": {
        "公开的新闻",
        "全县的通知",
        "县委面向下级的资料",
        "城关街道的资料",
        "东关社区支部的资料",
    },
    "member_b": {"公开的新闻", "全县的通知", "县委面向下级的资料", "陵前镇的资料"},
    "county_staff": ALL_PUBLISHED,
    "staff_a": ALL_PUBLISHED - {"陵前镇的资料"},
    "staff_b": {"公开的新闻", "全县的通知", "县委面向下级的资料", "陵前镇的资料"},
}


def user_of(w, who):
    if who is None:
        return None
    if who.startswith("member"):
        return getattr(w, who).user
    return getattr(w, who)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_tier_lists_exactly_the_articles_of_its_audience(library, who):
    client = client_for(user_of(library, who))
    response = client.get("/api/articles/?page_size=100")
    assert response.status_code == 200
    assert {a["title"] for a in response.json()["results"]} == EXPECTED[who]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_tier_opens_only_the_articles_it_may_read(library, who):
    client = client_for(user_of(library, who))
    for article in Article.objects.all():
        response = client.get(f"/api/articles/{article.pk}/")
        expected = article.title in EXPECTED[who]
        assert response.status_code == (200 if expected else 404), (who, article.title)


def test_an_account_without_a_tier_reads_only_public_articles(library):
    from members.models import User

    nobody = User.objects.create_user(username="nobody", password="x-Long-Password-1")
    titles = {a.title for a in permissions.filter_articles_visible_to(nobody)}
    assert titles == {"公开的新闻"}


def test_drafts_and_withdrawn_articles_are_invisible_even_to_their_publishers(library):
    from learning.services.articles import article_withdraw

    article_withdraw(actor=library.county_staff, article=library.public)
    for user in (None, library.county_staff, library.member_a.user):
        client = client_for(user)
        assert client.get(f"/api/articles/{library.public.pk}/").status_code == 404
        assert client.get(f"/api/articles/{library.draft.pk}/").status_code == 404


def test_the_article_page_follows_the_same_rules(client, library):
    assert client.get(f"/articles/{library.public.pk}/").status_code == 200
    # Anonymous visitors are sent to log in for anything else, existing or not.
    for pk in (library.for_a.pk, 999999):
        response = client.get(f"/articles/{pk}/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(library.member_b.user, backend="members.backends.MemberBackend")
    assert client.get(f"/articles/{library.for_a.pk}/").status_code == 404
    assert client.get(f"/articles/{library.for_b.pk}/").status_code == 200


def test_the_home_and_study_pages_show_anonymous_visitors_only_public_articles(client, library):
    home = client.get("/").content.decode()
    study = client.get("/study/").content.decode()
    assert "公开的新闻" in home and "公开的新闻" in study
    for hidden in ("全县的通知", "城关街道的资料", "草稿不可见"):
        assert hidden not in home and hidden not in study
    assert "激活档案" in home


def test_a_member_sees_their_organisations_articles_on_the_pages(client, library):
    client.force_login(library.member_a.user, backend="members.backends.MemberBackend")
    body = client.get("/study/").content.decode()
    assert "东关社区支部的资料" in body and "陵前镇的资料" not in body
    assert "西关社区支部的资料" not in body
    assert f"{library.member_a.name}，您好！" in client.get("/").content.decode()


def test_committee_staff_cannot_publish_county_wide_or_outside_their_subtree(world):
    from learning.services.articles import ArticleInput, article_create
    from sanyuan.errors import ServiceError

    for organization, audience, field in (
        (world.committee_a, lf.A.COUNTY, "audience"),
        (world.committee_a, lf.A.PUBLIC, "audience"),
        (world.committee_b, lf.A.SUBTREE, "organization"),
        (world.county, lf.A.SUBTREE, "organization"),
    ):
        with pytest.raises(ServiceError) as info:
            article_create(
                actor=world.staff_a,
                data=ArticleInput(
                    title="越权发布", category="news", organization=organization, audience=audience
                ),
            )
        assert info.value.field == field
    assert not Article.objects.filter(title="越权发布").exists()
    ok = article_create(
        actor=world.staff_a,
        data=ArticleInput(title="本级发布", category="news", organization=world.branch_a1),
    )
    assert ok.status == Article.Status.DRAFT


def test_county_staff_publish_to_any_audience(world):
    from learning.services.articles import ArticleInput, article_create

    for audience in lf.A.values:
        article_create(
            actor=world.county_staff,
            data=ArticleInput(
                title=f"县级{audience}",
                category="news",
                organization=world.county,
                audience=audience,
            ),
        )
    assert Article.objects.filter(title__startswith="县级").count() == 3


def test_staff_manage_only_articles_of_their_scope(library):
    manageable = {
        a.title for a in permissions.filter_articles_manageable_by(fresh(library.staff_a))
    }
    assert manageable == {"城关街道的资料", "东关社区支部的资料", "西关社区支部的资料"}
    assert not permissions.filter_articles_manageable_by(fresh(library.member_a.user)).exists()


# Every function of learning.permissions, asked directly for every principal of tests.tiers
# (county, committee A directly and through a group, host staff hosting member A, member A,
# anonymous, no user, an account without a tier): one row of the table per test.

HOST_ARTICLE = "流入地的资料"
PUBLISHED_IN_COUNTY = ALL_PUBLISHED
BEYOND_COMMITTEE_A = {"陵前镇的资料"}


@pytest.fixture
def lw(library):
    """The library plus the principals of tests.tiers, an article of the host organisation,
    a study record on each side and a feed source of the county."""
    w = extend_world(library)
    w.host_article = lf.article(w.host, title=HOST_ARTICLE)
    w.study_a = StudyRecord.objects.create(member=w.member_a, article=w.for_a1, seconds=60)
    w.study_b = StudyRecord.objects.create(member=w.member_b, article=w.for_b, seconds=60)
    w.feed = FeedSource.objects.create(name="三原发布", organization=w.county)
    w.host_feed = FeedSource.objects.create(name="宝安发布", organization=w.host)
    return w


def titles(articles) -> set[str]:
    return {article.title for article in articles}


def test_every_principal_reads_the_published_articles_of_its_audience(lw):

    answers = ask(lw, lambda user: titles(permissions.filter_articles_visible_to(user)))
    public = {"公开的新闻"}
    assert answers == {
        "county": PUBLISHED_IN_COUNTY,
        "committee": PUBLISHED_IN_COUNTY - BEYOND_COMMITTEE_A,
        "committee_group": PUBLISHED_IN_COUNTY - BEYOND_COMMITTEE_A,
        "host": {"公开的新闻", "全县的通知", HOST_ARTICLE},
        "member": EXPECTED["member_a"],  # their home organisations' (not the host's)
        "anonymous": public,
        "none": public,
        "nobody": public,
    }


def test_readable_q_is_the_audience_rule_without_the_status(lw):

    def by_audience(user):
        return titles(Article.objects.filter(permissions.readable_q(user)))

    def published_and_draft(user):
        return titles(permissions.filter_articles_visible_to(user)) | {"草稿不可见"}

    assert ask(lw, by_audience) == ask(lw, published_and_draft)


def test_users_with_the_same_audience_key_read_the_same_articles(lw):

    keys = ask(lw, permissions.audience_key)
    assert keys["committee_group"] == keys["committee"]
    assert keys["anonymous"] == keys["none"] == keys["nobody"]
    distinct = {keys[name] for name in ("county", "committee", "host", "member", "anonymous")}
    assert len(distinct) == 5
    readable = ask(lw, lambda user: titles(permissions.filter_articles_visible_to(user)))
    for one in PRINCIPALS:
        for other in PRINCIPALS:
            if keys[one] == keys[other]:
                assert readable[one] == readable[other], (one, other)


def test_staff_manage_the_articles_of_their_scope_drafts_included(lw):

    county = PUBLISHED_IN_COUNTY | {"草稿不可见"}
    answers = ask(lw, lambda user: titles(permissions.filter_articles_manageable_by(user)))
    side_a = {"城关街道的资料", "东关社区支部的资料", "西关社区支部的资料"}
    expected = only(no=set())
    expected.update(county=county, committee=side_a, committee_group=side_a, host={HOST_ARTICLE})
    assert answers == expected


@pytest.mark.parametrize(
    ("article", "managers"),
    [
        ("for_a1", ("county", "committee", "committee_group")),
        ("for_b", ("county",)),
        ("host_article", ("host",)),
    ],
)
def test_an_article_is_managed_and_authored_by_the_staff_of_its_organisation(lw, article, managers):

    found = getattr(lw, article)
    assert ask(lw, lambda user: permissions.can_manage_article(user, found)) == only(*managers)
    checked = ask(
        lw, lambda user: outcome(lambda: permissions.check_manage_article_permission(user, found))
    )
    assert checked == only(*managers, yes="ok", no=404)
    authors = ask(lw, lambda user: permissions.can_author_for(user, found.organization))
    assert authors == only(*managers)


@pytest.mark.parametrize(
    ("organization", "audience", "publishers"),
    [
        ("committee_a", lf.A.SUBTREE, ("county", "committee", "committee_group")),
        ("committee_a", lf.A.COUNTY, ("county",)),
        ("county", lf.A.PUBLIC, ("county",)),
        ("host", lf.A.SUBTREE, ("host",)),
        ("host", lf.A.PUBLIC, ()),  # public articles are the county's
    ],
)
def test_committee_and_host_staff_publish_to_their_subtree_and_the_county_everywhere(
    lw, organization, audience, publishers
):

    org = getattr(lw, organization)
    answers = ask(
        lw, lambda user: permissions.can_publish_to(user, organization=org, audience=audience)
    )
    assert answers == only(*publishers)


def test_study_records_are_read_by_home_staff_and_by_the_member_who_studied(lw):

    answers = ask(lw, lambda user: pks(permissions.filter_study_records_visible_to(user)))
    expected = only(no=set())
    expected.update(
        county={lw.study_a.pk, lw.study_b.pk},
        committee={lw.study_a.pk},
        committee_group={lw.study_a.pk},
        member={lw.study_a.pk},
    )
    assert answers == expected
    figures = ask(lw, permissions.can_view_study_figures)
    assert figures == only("county", "committee", "committee_group", "host")


def test_feed_sources_are_the_countys(lw):

    assert ask(lw, permissions.can_manage_feed_sources) == only("county")
    answers = ask(
        lw,
        lambda user: pks(
            permissions.filter_feed_sources_manageable_by(user, FeedSource.objects.all())
        ),
    )
    assert answers == only("county", yes={lw.feed.pk}, no=set())


def test_every_function_of_learning_permissions_has_a_row_here():

    assert not untested_functions(permissions, __file__)
