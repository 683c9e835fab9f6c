"""On PostgreSQL, search uses the GIN index on the segmented words (EXPLAIN on real rows)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning import selectors
from learning.models import Article
from sanyuan.search import segment

pytestmark = pytest.mark.django_db

GIN = "learning_article_search_text_gin"


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def big_library(world):
    now = timezone.now()
    common = segment("流动党员学习党的理论知识，参加组织生活")
    rows = [
        Article(
            title=f"资料{n}",
            category="news",
            organization=world.county,
            audience="public",
            status="published",
            published_at=now - timedelta(minutes=n),
            search_text=common + (" " + segment("葡萄合作社") if n % 1000 == 0 else ""),
        )
        for n in range(6000)
    ]
    Article.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE learning_article")
    return world


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index only on PostgreSQL")
def test_a_rare_word_is_found_through_the_gin_index(big_library):
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.article_list(user=None, q="葡萄合作社", page_size=20)
    assert len(page.results) == 6
    sql = [q["sql"] for q in ctx.captured_queries if "learning_article" in q["sql"]][-1]
    plan = _plan(sql)
    assert GIN in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index only on PostgreSQL")
def test_search_results_keep_newest_first_order_and_pages(big_library):
    page = selectors.article_list(user=None, q="葡萄合作社", page_size=4)
    assert [a.title for a in page.results] == ["资料0", "资料1000", "资料2000", "资料3000"]
    second = selectors.article_list(user=None, q="葡萄合作社", cursor=page.next_cursor, page_size=4)
    assert [a.title for a in second.results] == ["资料4000", "资料5000"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index only on PostgreSQL")
def test_a_common_word_walks_the_date_index_and_stops_at_one_page(big_library):
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.article_list(user=None, q="流动党员", page_size=20)
    assert len(page.results) == 20 and page.next_cursor
    sql = [q["sql"] for q in ctx.captured_queries if "learning_article" in q["sql"]][-1]
    assert "article_status_pub_idx" in _plan(sql)
