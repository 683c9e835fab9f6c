"""The member's pages (phone) and the staff pages of appraisals, with and without permission,
the Excel export and the staff list's query count."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from appraisals import services
from appraisals.models import BallotRegister, SelfAssessment
from members.models import AuditEvent, Organization
from tests import factories
from tests.appraisals.factories import ballot_for, open_round
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


def member_client(member) -> Client:
    client = Client()
    client.force_login(member.user, backend="members.backends.MemberBackend")
    return client


def test_a_member_writes_and_votes_on_the_pages(aw):
    appraisal = open_round(aw)
    client = member_client(aw.member_a)
    listing = client.get("/me/appraisals/").content.decode()
    assert f"{appraisal.year}年度民主评议党员：请投票" in listing
    page = client.post(
        f"/me/appraisals/{appraisal.pk}/", {"text": "坚持学习，积极参加线上组织生活。"}, follow=True
    )
    assert "自我评价已保存" in page.content.decode()
    assert SelfAssessment.objects.get(member=aw.member_a).text.startswith("坚持学习")
    form = client.get(f"/me/appraisals/{appraisal.pk}/ballot/").content.decode()
    assert "赵六" in form and "孙八" in form and "张三" not in form
    partial = client.post(
        f"/me/appraisals/{appraisal.pk}/ballot/", {f"rating-{aw.voter2.pk}": "excellent"}
    )
    assert partial.status_code == 400 and "请评价钱七" in partial.content.decode()
    assert not BallotRegister.objects.exists()
    post = {f"rating-{row['member']}": row["rating"] for row in ballot_for(appraisal, aw.member_a)}
    done = client.post(f"/me/appraisals/{appraisal.pk}/ballot/", post, follow=True)
    assert "投票成功" in done.content.decode() and "您已投票" in done.content.decode()
    # The ballot page is gone for them now; a second post answers with the 409's message.
    assert client.get(f"/me/appraisals/{appraisal.pk}/ballot/").status_code == 302
    again = client.post(f"/me/appraisals/{appraisal.pk}/ballot/", post, follow=True)
    assert "已经投过票" in again.content.decode()
    assert BallotRegister.objects.count() == 1


def test_a_probationary_member_is_told_they_do_not_vote(aw):
    appraisal = open_round(aw)
    client = member_client(aw.probationary)
    page = client.get(f"/me/appraisals/{appraisal.pk}/").content.decode()
    assert "没有表决权" in page and "去投票" not in page
    assert client.get(f"/me/appraisals/{appraisal.pk}/ballot/").status_code == 302


def test_member_pages_refuse_staff_others_and_anonymous(aw):
    appraisal = open_round(aw)
    assert member_client(aw.member_b).get(f"/me/appraisals/{appraisal.pk}/").status_code == 404
    assert login_staff(Client(), aw.staff_a).get("/me/appraisals/").status_code == 403
    assert Client().get("/me/appraisals/").status_code == 302


def test_staff_open_a_round_close_the_ballot_rate_and_export(aw):
    client = login_staff(Client(), aw.staff_a)
    form = client.get("/staff/appraisals/new/").content.decode()
    assert "东关社区党支部" in form and "陵前村党支部" not in form
    from tests.appraisals.factories import dates

    values = {key: value.isoformat() for key, value in dates().items()}
    bad = client.post(
        "/staff/appraisals/new/",
        {"organization": aw.branch_a1.pk, "year": 2026, **values, "decision_ends_on": "2020-01-01"},
    )
    assert bad.status_code == 400 and "不能早于民主测评截止日期" in bad.content.decode()
    created = client.post(
        "/staff/appraisals/new/",
        {"organization": aw.branch_a1.pk, "year": values["ballot_starts_on"][:4], **values},
    )
    assert created.status_code == 302
    pk = int(created["Location"].rstrip("/").split("/")[-1])
    assert "民主评议已发起" in client.get(created["Location"]).content.decode()
    appraisal = aw.branch_a1.appraisals.get()
    services.ballot_cast(
        actor=aw.member_a.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.member_a)
    )
    closed = client.post(f"/staff/appraisals/{pk}/", {"action": "close_ballot"}, follow=True)
    assert "民主测评已结束" in closed.content.decode()
    paper = client.post(
        f"/staff/appraisals/{pk}/paper-tally/",
        {"paper_ballots": "1", f"count-{aw.member_a.pk}-excellent": "1"},
    )
    assert paper.status_code == 302
    too_many = client.post(
        f"/staff/appraisals/{pk}/paper-tally/",
        {"paper_ballots": "1", f"count-{aw.member_a.pk}-excellent": "3"},
    )
    assert too_many.status_code == 400 and "票数不能超过1" in too_many.content.decode()
    rated = client.post(
        f"/staff/appraisals/{pk}/",
        {
            "action": "rate",
            "member": aw.voter2.pk,
            "final_rating": "excellent",
            "reason": "表现突出",
        },
        follow=True,
    )
    assert "已评定赵六为优秀" in rated.content.decode()
    no_reason = client.post(
        f"/staff/appraisals/{pk}/",
        {"action": "rate", "member": aw.member_a.pk, "final_rating": "qualified", "reason": ""},
    )
    assert no_reason.status_code == 400
    export = client.get(f"/staff/appraisals/{pk}/export/")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "身份证号码", "党员类别", "自我评价")
    assert "测评：优秀" in rows[0]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["张三"][rows[0].index("测评：优秀")] == 1  # the paper ballot
    assert by_name["赵六"][rows[0].index("组织评定")] == "优秀"
    assert "********" in by_name["张三"][1]
    assert AuditEvent.objects.filter(action="appraisal.export", actor=aw.staff_a).count() == 1


def test_staff_pages_answer_the_tiers(aw):
    appraisal = open_round(aw)
    other = open_round(aw, organization=aw.branch_b1)
    host = factories.organization("深圳服务中心", Organization.Kind.HOST, None, code="H-9")
    host_staff = factories.staff("host_p", "committee", host)
    for user, own, foreign in (
        (aw.county_staff, 200, 200),
        (aw.staff_a, 200, 404),
        (host_staff, 403, 403),
    ):
        client = login_staff(Client(), user)
        for suffix in ("", "paper-tally/", "export/"):
            assert client.get(f"/staff/appraisals/{appraisal.pk}/{suffix}").status_code == own
            assert client.get(f"/staff/appraisals/{other.pk}/{suffix}").status_code == foreign
    assert member_client(aw.member_a).get("/staff/appraisals/").status_code == 403


def test_the_staff_list_costs_the_same_queries_for_one_round_or_many(
    aw, django_assert_max_num_queries
):
    client = login_staff(Client(), aw.county_staff)
    open_round(aw)
    client.get("/staff/appraisals/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get("/staff/appraisals/").status_code == 200
    for index in range(6):
        branch = factories.organization(
            f"第{index}党支部", Organization.Kind.BRANCH, aw.committee_b, code=f"Q-{index}"
        )
        factories.MemberFactory(organization=branch)
        open_round(aw, organization=branch)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/staff/appraisals/")
    assert page.content.decode().count("/staff/appraisals/") >= 7
