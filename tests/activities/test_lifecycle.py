"""Creating, changing, publishing, cancelling and holding activities; their notices."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from activities import services
from activities.models import Activity
from members.models import Notice, NoticeRecipient
from sanyuan.errors import ServiceError, StateConflict
from tests.activities import factories as af

pytestmark = pytest.mark.django_db
A = Activity.Audience
S = Activity.Status
K = Activity.Kind


def data(org, **changes):
    start = timezone.now() + timedelta(days=5)
    values = dict(
        organization=org,
        kind=K.THEME_DAY,
        title="“学党章、守党规”主题党日",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="东关社区党群服务中心",
    )
    values.update(changes)
    return services.ActivityInput(**values)


def test_staff_create_a_planned_activity_in_scope(aw):
    activity = services.activity_create(user=aw.staff_a, data=data(aw.branch_a1))
    assert activity.status == S.PLANNED and activity.created_by == aw.staff_a
    assert not Notice.objects.exists()


def test_staff_cannot_create_outside_their_scope(aw):
    with pytest.raises(ServiceError) as exc:
        services.activity_create(user=aw.staff_a, data=data(aw.branch_b1))
    assert exc.value.field == "organization"
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "picnic"}, "kind"),
        ({"online_url": "http://meeting.example.com/123"}, "online_url"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"place": "", "online_url": ""}, "place"),
        ({"audience": A.TEMPORARY_BRANCH}, "audience"),
        ({"audience": A.HOSTED}, "audience"),
        ({"audience": "everyone"}, "audience"),
        ({"place": "地" * 201}, "place"),
    ],
)
def test_bad_input_is_refused_with_a_field_and_a_chinese_message(aw, changes, field):
    with pytest.raises(ServiceError) as exc:
        services.activity_create(user=aw.staff_a, data=data(aw.branch_a1, **changes))
    assert exc.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_the_end_must_follow_the_start(aw):
    d = data(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.activity_create(user=aw.staff_a, data=d.merged(ends_at=d.starts_at))
    assert exc.value.field == "ends_at"


def test_a_year_outside_1949_to_2100_is_refused_and_nothing_is_stored(aw):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")

    d = data(aw.branch_a1)
    before = Activity.objects.count()
    slip = datetime(1364, 2, 20, 10, 0, tzinfo=beijing)
    with pytest.raises(ServiceError) as exc:
        services.activity_create(user=aw.staff_a, data=d.merged(starts_at=slip))
    assert exc.value.field == "starts_at" and "1949年至2100年" in exc.value.message
    far = datetime(2101, 1, 1, 10, 0, tzinfo=beijing)
    with pytest.raises(ServiceError) as exc:
        services.activity_create(user=aw.staff_a, data=d.merged(ends_at=far))
    assert exc.value.field == "ends_at"
    assert Activity.objects.count() == before


def test_an_https_online_link_alone_is_enough(aw):
    activity = services.activity_create(
        user=aw.staff_a,
        data=data(aw.branch_a1, place="", online_url="https://meeting.tencent.com/dm/abc"),
    )
    assert activity.online_url.startswith("https://")


def test_temporary_branch_and_host_activities_need_their_audience(aw):
    temp = services.activity_create(
        user=aw.staff_a, data=data(aw.temp, audience=A.TEMPORARY_BRANCH)
    )
    assert temp.audience == A.TEMPORARY_BRANCH
    with pytest.raises(ServiceError):
        services.activity_create(user=aw.staff_a, data=data(aw.temp, audience=A.ORGANIZATION))
    hosted = services.activity_create(user=aw.host_staff, data=data(aw.host, audience=A.HOSTED))
    assert hosted.audience == A.HOSTED


def test_publishing_notifies_the_audience_once(aw):
    activity = services.activity_create(
        user=aw.staff_a, data=data(aw.committee_a, audience=A.SUBTREE)
    )
    services.activity_publish(user=aw.staff_a, activity=activity)
    assert activity.status == S.PUBLISHED and activity.published_at
    notice = Notice.objects.get()
    assert notice.kind == Notice.Kind.ACTIVITY
    assert notice.audience == Notice.Audience.SUBTREE
    assert notice.audience_organization == aw.committee_a
    assert notice.link == f"/activities/{activity.pk}/"
    with pytest.raises(StateConflict):
        services.activity_publish(user=aw.staff_a, activity=activity)
    assert Notice.objects.count() == 1


def test_publish_is_404_outside_scope(aw):
    activity = af.activity(aw.branch_b1, status=S.PLANNED)
    with pytest.raises(Http404):
        services.activity_publish(user=aw.staff_a, activity=activity)
    activity.refresh_from_db()
    assert activity.status == S.PLANNED


@pytest.mark.parametrize(
    ("org_name", "audience", "expected"),
    [
        ("temp", A.TEMPORARY_BRANCH, Notice.Audience.TEMPORARY_BRANCH),
        ("host", A.HOSTED, Notice.Audience.HOSTED),
        # A branch has no sub-organisations: its subtree is exactly the branch.
        ("branch_a1", A.ORGANIZATION, Notice.Audience.SUBTREE),
    ],
)
def test_notices_use_the_activitys_audience(aw, org_name, audience, expected):
    org = getattr(aw, org_name)
    activity = af.activity(org, status=S.PLANNED, audience=audience)
    staff = aw.host_staff if org_name == "host" else aw.staff_a
    services.activity_publish(user=staff, activity=activity)
    notice = Notice.objects.get()
    assert notice.audience == expected and notice.audience_organization == org


def test_an_organisation_only_activity_of_a_committee_lists_its_own_members(aw):
    from tests import factories

    direct = factories.activated_member(aw.committee_a, name="孙八")
    activity = af.activity(aw.committee_a, status=S.PLANNED, audience=A.ORGANIZATION)
    services.activity_publish(user=aw.staff_a, activity=activity)
    notice = Notice.objects.get()
    assert notice.audience == Notice.Audience.USERS
    assert set(NoticeRecipient.objects.values_list("user_id", flat=True)) == {direct.user_id}


def test_changing_a_published_activitys_time_notifies_and_other_edits_do_not(aw):
    activity = af.activity(aw.branch_a1)
    base = services.ActivityInput.from_activity(activity)
    services.activity_update(
        user=aw.staff_a, activity=activity, data=base.merged(agenda="一、学习")
    )
    assert not Notice.objects.exists()
    later = activity.starts_at + timedelta(days=1)
    services.activity_update(
        user=aw.staff_a,
        activity=activity,
        data=base.merged(starts_at=later, ends_at=later + timedelta(hours=2)),
    )
    notice = Notice.objects.get()
    assert notice.title.startswith("活动变更")
    activity.refresh_from_db()
    assert activity.starts_at == later


def test_a_published_activitys_audience_cannot_change(aw):
    activity = af.activity(aw.committee_a, audience=A.ORGANIZATION)
    base = services.ActivityInput.from_activity(activity)
    with pytest.raises(ServiceError) as exc:
        services.activity_update(
            user=aw.staff_a, activity=activity, data=base.merged(audience=A.SUBTREE)
        )
    assert exc.value.field == "audience"


def test_cancelling_a_published_activity_needs_a_reason_and_notifies(aw):
    activity = af.activity(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.activity_cancel(user=aw.staff_a, activity=activity, reason=" ")
    assert exc.value.field == "reason"
    services.activity_cancel(user=aw.staff_a, activity=activity, reason="遇暴雨，改期举行")
    assert activity.status == S.CANCELLED
    notice = Notice.objects.get()
    assert notice.title.startswith("活动取消") and "遇暴雨" in notice.body


def test_cancelling_a_draft_tells_nobody(aw):
    activity = af.activity(aw.branch_a1, status=S.PLANNED)
    services.activity_cancel(user=aw.staff_a, activity=activity)
    assert activity.status == S.CANCELLED and not Notice.objects.exists()


@pytest.mark.parametrize("status", [S.CANCELLED, S.HELD])
def test_transitions_that_no_longer_fit_are_409(aw, status):
    activity = af.activity(aw.branch_a1, status=status, starts_in=timedelta(hours=-3))
    for action in (services.activity_publish, services.activity_mark_held):
        with pytest.raises(StateConflict):
            action(user=aw.staff_a, activity=activity)
    with pytest.raises(StateConflict):
        services.activity_cancel(user=aw.staff_a, activity=activity, reason="x")
    with pytest.raises(StateConflict):
        services.activity_update(
            user=aw.staff_a,
            activity=activity,
            data=services.ActivityInput.from_activity(activity).merged(title="新主题"),
        )


def test_an_activity_is_marked_held_only_after_it_started(aw):
    upcoming = af.activity(aw.branch_a1)
    with pytest.raises(StateConflict):
        services.activity_mark_held(user=aw.staff_a, activity=upcoming)
    started = af.activity(aw.branch_a1, starts_in=timedelta(minutes=-5))
    services.activity_mark_held(user=aw.staff_a, activity=started)
    assert started.status == S.HELD and started.held_at


def test_a_past_activity_cannot_be_published_but_can_be_recorded_as_held(aw):
    record = af.activity(aw.branch_a1, status=S.PLANNED, starts_in=timedelta(days=-2))
    with pytest.raises(StateConflict):
        services.activity_publish(user=aw.staff_a, activity=record)
    services.activity_mark_held(user=aw.staff_a, activity=record)
    assert record.status == S.HELD
