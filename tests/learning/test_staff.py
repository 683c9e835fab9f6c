"""Staff study figures: pages in scope, who has not opened a required article, Excel export."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sanyuan.excel import neutralise
from tests import factories
from tests.factories import login_staff
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def login(client, user):
    login_staff(client, user)
    return client


@pytest.fixture
def required(world, as_user):
    w = world
    w.article = lf.article(
        w.county, audience=lf.A.COUNTY, title="必学：党员教育管理条例", required=True
    )
    w.member_a3 = factories.activated_member(w.branch_a2, name='=HYPERLINK("http://x")')
    as_user(w.member_a.user).post(
        f"/api/articles/{w.article.pk}/study/", {"finished": True}, format="json"
    )
    as_user(w.member_b.user).post(f"/api/articles/{w.article.pk}/study/", {}, format="json")
    return w


def test_staff_see_who_studied_and_who_has_not_opened_within_their_scope(client, required):
    w = required
    page = login(client, w.staff_a).get(f"/staff/study/articles/{w.article.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "张三" in body and "李四" in body and "王五" not in body  # 王五 is in committee B
    not_opened = client.get(
        f"/staff/study/articles/{w.article.pk}/?state=not_opened"
    ).content.decode()
    assert "李四" in not_opened and "张三" not in not_opened
    finished = client.get(f"/staff/study/articles/{w.article.pk}/?state=finished").content.decode()
    assert "张三" in finished and "李四" not in finished


def test_the_study_list_counts_only_members_in_scope(client, required):
    w = required
    body = login(client, w.staff_b).get("/staff/study/?required=1").content.decode()
    assert "必学：党员教育管理条例" in body
    row = body.split("必学：党员教育管理条例")[1].split("</tr>")[0]
    # Committee B: 王五 opened it, nobody finished.
    assert '<td class="mono">1</td>' in row and '<td class="mono">0</td>' in row


def test_the_staff_list_costs_the_same_for_any_number_of_articles(client, world):
    login(client, world.county_staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/study/").status_code == 200
        return len(ctx)

    lf.article(world.county, audience=lf.A.COUNTY)
    count()  # warms the per-user caches (unread notices)
    few = count()
    for _ in range(8):
        lf.article(world.county, audience=lf.A.COUNTY)
    count()
    assert count() == few


def test_members_and_anonymous_users_cannot_see_study_figures(client, required):
    w = required
    urls = [
        "/staff/study/",
        f"/staff/study/articles/{w.article.pk}/",
        f"/staff/study/articles/{w.article.pk}/export.xlsx",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    for url in urls:
        response = client.get(url)
        # A member on a staff page: 403 in Chinese, as on every staff page.
        assert response.status_code == 403 and "仅限党组织工作人员使用" in response.content.decode()


def test_staff_cannot_see_figures_of_an_article_they_cannot_read(client, world):
    article_b = lf.article(world.committee_b, title="陵前镇内部")
    login(client, world.staff_a)
    assert client.get(f"/staff/study/articles/{article_b.pk}/").status_code == 404
    assert client.get(f"/staff/study/articles/{article_b.pk}/export.xlsx").status_code == 404


def test_the_excel_export_lists_the_scope_and_neutralises_formulas(client, required):
    w = required
    response = login(client, w.staff_a).get(f"/staff/study/articles/{w.article.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"张三", "李四", '\'=HYPERLINK("http://x")'}
    assert by_name["张三"][2] == "已学完" and by_name["李四"][2] == "未打开"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x"])
def test_cells_that_start_like_a_formula_are_kept_as_text(value):
    assert neutralise(value) == "'" + value
    assert neutralise("张三") == "张三" and neutralise(3) == 3


def test_the_staff_navigation_links_to_study_figures(client, world):
    body = login(client, world.staff_a).get("/staff/").content.decode()
    assert "/staff/study/" in body
