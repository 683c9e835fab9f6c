"""Creating, changing and moving activities through their states.

planned ──publish──▶ published ──mark held──▶ held
   │                     │
   └──────cancel─────────┴──▶ cancelled        (planned may also be marked held: a record)

Each service checks the user's scope itself (404 outside it), locks the row, and raises
StateConflict (409) when the transition no longer fits. Notices are stored in the same
transaction (the notice row is the outbox).
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from members.models import Notice, Organization, User
from members.services.notices import notice_publish
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions
from ..audience import notice_audience
from ..models import Activity
from .texts import activity_link, when_text

A = Activity.Audience
S = Activity.Status
OK = Organization.Kind

_https = URLValidator(schemes=["https"])


@dataclass(frozen=True)
class ActivityInput:
    """The editable fields of an activity, as forms, the API and the admin pass them."""

    organization: Organization
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    audience: str = A.ORGANIZATION
    agenda: str = ""
    place: str = ""
    online_url: str = ""
    host_name: str = ""
    recorder_name: str = ""
    lecturer_name: str = ""

    @classmethod
    def from_activity(cls, activity: Activity) -> "ActivityInput":
        return cls(**{f.name: getattr(activity, f.name) for f in fields(cls)})

    def merged(self, **changes) -> "ActivityInput":
        return replace(self, **changes)


TEXT_LIMITS = {
    "title": (120, "活动主题"),
    "place": (200, "地点"),
    "host_name": (60, "主持人"),
    "recorder_name": (60, "记录人"),
    "lecturer_name": (60, "授课人"),
    "agenda": (5000, "议程"),
}


def _clean_texts(data: ActivityInput) -> ActivityInput:
    cleaned = {}
    for name, (limit, label) in TEXT_LIMITS.items():
        value = (getattr(data, name) or "").strip()
        if len(value) > limit:
            raise ServiceError(f"{label}不能超过{limit}个字。", field=name)
        cleaned[name] = value
    cleaned["online_url"] = (data.online_url or "").strip()
    return data.merged(**cleaned)


def _check_audience(organization: Organization, audience: str) -> None:
    if audience not in A.values:
        raise ServiceError("参加对象无效。", field="audience")
    if organization.kind == OK.TEMPORARY_BRANCH and audience != A.TEMPORARY_BRANCH:
        raise ServiceError("临时党支部的活动面向临时党支部成员。", field="audience")
    if audience == A.TEMPORARY_BRANCH and organization.kind != OK.TEMPORARY_BRANCH:
        raise ServiceError("只有临时党支部的活动可以面向临时党支部成员。", field="audience")
    if organization.kind == OK.HOST and audience not in (A.HOSTED,):
        raise ServiceError("流入地党组织的活动面向其服务的流动党员。", field="audience")
    if audience == A.HOSTED and organization.kind != OK.HOST:
        raise ServiceError("只有流入地党组织的活动可以面向其服务的党员。", field="audience")


# Activities are recorded from the founding of the People's Republic on; a year outside this
# is a typing slip (and times before 1900 have no fixed offset in Asia/Shanghai).
FIRST_YEAR, LAST_YEAR = 1949, 2100


def activity_clean(*, user: User, data: ActivityInput) -> ActivityInput:
    """Validated, normalised input; ServiceError (400) naming the field otherwise."""
    data = _clean_texts(data)
    if not permissions.can_organize_for(user, data.organization):
        raise ServiceError("请选择您管理范围内的党组织。", field="organization")
    if data.kind not in Activity.Kind.values:
        raise ServiceError("活动类型无效。", field="kind")
    if not data.title:
        raise ServiceError("请填写活动主题。", field="title")
    for name, label in (("starts_at", "开始时间"), ("ends_at", "结束时间")):
        value = getattr(data, name)
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise ServiceError(f"请填写{label}。", field=name)
        if not FIRST_YEAR <= timezone.localtime(value).year <= LAST_YEAR:
            raise ServiceError(f"{label}应在{FIRST_YEAR}年至{LAST_YEAR}年之间。", field=name)
    if data.ends_at <= data.starts_at:
        raise ServiceError("结束时间应晚于开始时间。", field="ends_at")
    if data.online_url:
        try:
            _https(data.online_url)
        except ValidationError as exc:
            raise ServiceError(
                "线上参会链接必须是以 https:// 开头的有效网址。", field="online_url"
            ) from exc
    if not data.place and not data.online_url:
        raise ServiceError("请填写活动地点或线上参会链接。", field="place")
    _check_audience(data.organization, data.audience)
    return data


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=activity.pk)
    )


def _sync(target: Activity, source: Activity) -> Activity:
    """Copy the saved state back into the caller's instance."""
    for field in Activity._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _notify(activity: Activity, *, title: str, body: str, user: User | None) -> None:
    notice_publish(
        audience=notice_audience(activity),
        kind=Notice.Kind.ACTIVITY,
        title=title,
        body=body,
        link=activity_link(activity),
        created_by=user,
    )


def _details(activity: Activity) -> str:
    lines = [f"时间：{when_text(activity)}"]
    if activity.place:
        lines.append(f"地点：{activity.place}")
    if activity.online_url:
        lines.append("线上参会：请在活动页面打开参会链接")
    lines.append(f"组织单位：{activity.organization.name}")
    return "\n".join(lines)


@transaction.atomic
def activity_create(*, user: User, data: ActivityInput) -> Activity:
    data = activity_clean(user=user, data=data)
    values = {f.name: getattr(data, f.name) for f in fields(ActivityInput)}
    return Activity.objects.create(**values, status=S.PLANNED, created_by=user)


CHANGE_NOTIFIED = ("title", "starts_at", "ends_at", "place", "online_url")


@transaction.atomic
def activity_update(*, user: User, activity: Activity, data: ActivityInput) -> Activity:
    """Edit a planned or published activity; members are told when a published activity's
    title, time or place changes. Organisation and audience are fixed once published."""
    permissions.check_manage_activity_permission(user, activity)
    locked = _locked(activity)
    if locked.status not in (S.PLANNED, S.PUBLISHED):
        raise StateConflict(f"活动{locked.get_status_display()}，不能再修改。")
    data = activity_clean(user=user, data=data)
    if locked.status == S.PUBLISHED and (
        data.organization.pk != locked.organization_id or data.audience != locked.audience
    ):
        raise ServiceError(
            "活动发布后不能更改组织单位或参加对象；请取消后重新发布。", field="audience"
        )
    changed = [name for name in CHANGE_NOTIFIED if getattr(data, name) != getattr(locked, name)]
    for f in fields(ActivityInput):
        setattr(locked, f.name, getattr(data, f.name))
    locked.save()
    if locked.status == S.PUBLISHED and changed:
        _notify(locked, title=f"活动变更：{locked.title}", body=_details(locked), user=user)
    return _sync(activity, locked)


@transaction.atomic
def activity_publish(*, user: User, activity: Activity) -> Activity:
    permissions.check_manage_activity_permission(user, activity)
    locked = _locked(activity)
    if locked.status != S.PLANNED:
        raise StateConflict(f"活动{locked.get_status_display()}，不能发布。")
    if locked.ends_at <= timezone.now():
        raise StateConflict("活动时间已过，不能再发布；补录请直接标记为已召开。")
    locked.status = S.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    _notify(
        locked,
        title=f"{locked.get_kind_display()}：{locked.title}",
        body=_details(locked),
        user=user,
    )
    return _sync(activity, locked)


@transaction.atomic
def activity_cancel(*, user: User, activity: Activity, reason: str = "") -> Activity:
    permissions.check_manage_activity_permission(user, activity)
    locked = _locked(activity)
    if locked.status not in (S.PLANNED, S.PUBLISHED):
        raise StateConflict(f"活动{locked.get_status_display()}，不能取消。")
    reason = (reason or "").strip()
    was_published = locked.status == S.PUBLISHED
    if was_published and not reason:
        raise ServiceError("请填写取消原因，它会通知给参加对象。", field="reason")
    if len(reason) > 200:
        raise ServiceError("取消原因不能超过200个字。", field="reason")
    locked.status = S.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancel_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    if was_published:
        _notify(
            locked,
            title=f"活动取消：{locked.title}",
            body=f"原定{when_text(locked)}的活动已取消。\n原因：{reason}",
            user=user,
        )
    return _sync(activity, locked)


def _mark_held(locked: Activity) -> None:
    """Caller holds the row lock."""
    if locked.status not in (S.PLANNED, S.PUBLISHED):
        raise StateConflict(f"活动{locked.get_status_display()}，不能标记为已召开。")
    if locked.starts_at > timezone.now():
        raise StateConflict("活动尚未开始，不能标记为已召开。")
    locked.status = S.HELD
    locked.held_at = timezone.now()
    locked.save(update_fields=["status", "held_at", "updated_at"])


@transaction.atomic
def activity_mark_held(*, user: User, activity: Activity) -> Activity:
    permissions.check_manage_activity_permission(user, activity)
    locked = _locked(activity)
    _mark_held(locked)
    return _sync(activity, locked)
